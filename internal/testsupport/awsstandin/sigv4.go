package awsstandin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RehearsalCredentials are the access key and secret the rehearsal gives
// every Lambda function; a stand-in that has them checks each request's
// signature against them.
var RehearsalCredentials = map[string]string{"ASIAREHEARSAL0000000": "rehearsal"}

var authorization = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/([0-9]{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$`)

// verifySignature recomputes a request's Signature Version 4 signature from
// the request itself, as AWS does ("Create a signed AWS API request", IAM
// user guide): the canonical request (method, twice URI-encoded path,
// sorted query, the signed headers' trimmed values, the payload's SHA-256),
// the string to sign over its hash and the credential scope, and the key
// derived from the secret, date, region and service.
func verifySignature(r *http.Request, body []byte, secrets map[string]string, service string) *Error {
	// Common Errors of the Elastic Beanstalk and Elastic Load Balancing API
	// references: IncompleteSignature (400), InvalidClientTokenId (403),
	// RequestExpired (400, more than 15 minutes off); SignatureDoesNotMatch
	// (403) as the AWS SDKs report it.
	m := authorization.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return &Error{Status: http.StatusBadRequest, Code: "IncompleteSignature", Message: "stand-in: the request is not SigV4-signed for service " + service + ": Authorization " + strconv.Quote(r.Header.Get("Authorization"))}
	}
	key, date, region, scopeService, signedHeaders, signature := m[1], m[2], m[3], m[4], m[5], m[6]
	if scopeService != service {
		return &Error{Status: http.StatusBadRequest, Code: "IncompleteSignature", Message: fmt.Sprintf("stand-in: the request is not SigV4-signed for service %q: its credential scope names %q", service, scopeService)}
	}
	secret, ok := secrets[key]
	if !ok {
		return &Error{Status: http.StatusForbidden, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	at, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil || !strings.HasPrefix(amzDate, date) {
		return &Error{Status: http.StatusBadRequest, Code: "IncompleteSignature", Message: fmt.Sprintf("stand-in: X-Amz-Date %q does not match the credential scope's date %s", amzDate, date)}
	}
	if skew := time.Since(at); skew > 15*time.Minute || skew < -15*time.Minute {
		return &Error{Status: http.StatusBadRequest, Code: "RequestExpired", Message: "Request has expired."}
	}
	names := strings.Split(signedHeaders, ";")
	if !slices.IsSorted(names) || !slices.Contains(names, "host") {
		return &Error{Status: http.StatusBadRequest, Code: "IncompleteSignature", Message: "stand-in: SignedHeaders must be sorted and include host: " + signedHeaders}
	}
	var headers strings.Builder
	for _, name := range names {
		var values []string
		switch name {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		default:
			values = r.Header.Values(name)
		}
		for i, v := range values {
			values[i] = strings.Join(strings.Fields(v), " ")
		}
		headers.WriteString(name + ":" + strings.Join(values, ",") + "\n")
	}
	payload := sha256.Sum256(body)
	canonical := strings.Join([]string{r.Method, canonicalPath(r.URL.Path), canonicalQuery(r.URL.Query()), headers.String(), signedHeaders, hex.EncodeToString(payload[:])}, "\n")
	hashed := sha256.Sum256([]byte(canonical))
	scope := date + "/" + region + "/" + service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(hashed[:])
	signingKey := []byte("AWS4" + secret)
	for _, part := range []string{date, region, service, "aws4_request"} {
		signingKey = hmacSHA256(signingKey, part)
	}
	if want := hex.EncodeToString(hmacSHA256(signingKey, toSign)); !hmac.Equal([]byte(want), []byte(signature)) {
		return &Error{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// canonicalPath encodes each segment twice, as every service but S3 wants.
func canonicalPath(path string) string {
	if path == "" {
		return "/"
	}
	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = uriEncode(uriEncode(s))
	}
	return strings.Join(segments, "/")
}

func canonicalQuery(query url.Values) string {
	var pairs []string
	for key, values := range query {
		for _, v := range values {
			pairs = append(pairs, uriEncode(key)+"="+uriEncode(v))
		}
	}
	slices.Sort(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes every byte but the unreserved characters
// A-Z a-z 0-9 - _ . ~, in upper-case hex.
func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
