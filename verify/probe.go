package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// emptyPayloadHash is the SHA-256 of an empty body, which a SigV4 GET signs.
var emptyPayloadHash = func() string { h := sha256.Sum256(nil); return hex.EncodeToString(h[:]) }()

// executeAPIHost matches an invoke URL's host and captures its region.
var executeAPIHost = regexp.MustCompile(`^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)

// Prober sends GET requests to API stages, signed with SigV4 for
// execute-api when Credentials is set.
type Prober struct {
	// Client sends the requests; its Timeout bounds each one.
	Client *http.Client
	// Credentials sign the requests; nil sends them unsigned.
	Credentials aws.CredentialsProvider
	// Region signs requests to URLs that do not name one (local stand-ins).
	Region string
	// Token is sent in TokenHeader, for a Cognito or Lambda authorizer.
	// Default: none.
	Token string
	// TokenHeader is the header Token is sent in.
	TokenHeader string
	// Headers are sent with every request, e.g. the domain's route header.
	// Default: none.
	Headers map[string]string
}

// Answer is the outcome of one request.
type Answer struct {
	// Status is the HTTP status, 0 when no answer came.
	Status int
	// Body is the start of the answer's body.
	Body []byte
	// Latency is how long the request took.
	Latency time.Duration
	// Err is why no answer came: a timeout or a connection failure.
	Err error
}

// TimedOut reports whether the request ran out of time.
func (a Answer) TimedOut() bool {
	var netErr net.Error
	return errors.Is(a.Err, context.DeadlineExceeded) || (errors.As(a.Err, &netErr) && netErr.Timeout())
}

// Get sends one GET request to url.
func (p Prober) Get(ctx context.Context, url string) Answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Answer{Err: err}
	}
	for name, value := range p.Headers {
		req.Header.Set(name, value)
	}
	if p.Token != "" {
		req.Header.Set(p.TokenHeader, p.Token)
	}
	if p.Credentials != nil {
		if err := p.sign(ctx, req); err != nil {
			return Answer{Err: err}
		}
	}
	start := time.Now()
	resp, err := p.Client.Do(req)
	if err != nil {
		return Answer{Err: err, Latency: time.Since(start)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return Answer{Status: resp.StatusCode, Body: body, Latency: time.Since(start), Err: err}
}

// sign adds a SigV4 signature for the execute-api service.
func (p Prober) sign(ctx context.Context, req *http.Request) error {
	creds, err := p.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("retrieving AWS credentials: %w", err)
	}
	region := p.Region
	if m := executeAPIHost.FindStringSubmatch(req.URL.Hostname()); m != nil {
		region = m[1]
	}
	return v4.NewSigner().SignHTTP(ctx, creds, req, emptyPayloadHash, "execute-api", region, time.Now())
}
