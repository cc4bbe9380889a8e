package awsstandin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestQueryServiceRecomputesSignatures signs requests with the AWS SDK for
// Go's SigV4 signer: the stand-in must accept one signed with its
// credentials, and reject a tampered body, another secret and an unknown
// key as AWS does.
func TestQueryServiceRecomputesSignatures(t *testing.T) {
	b := NewBeanstalk("eu-west-1", "111111111111", RecommendedPlatforms("eu-west-1", "Node.js 24 running on 64bit Amazon Linux 2023"))
	b.Credentials = RehearsalCredentials
	endpoint := b.Start()
	defer b.Close()
	form := url.Values{"Action": {"ListPlatformVersions"}, "Version": {"2010-12-01"}}.Encode()
	for name, c := range map[string]struct {
		key, secret, body string
		status            int
		want              string
	}{
		"signed":       {"ASIAREHEARSAL0000000", "rehearsal", form, http.StatusOK, "<PlatformSummaryList>"},
		"tampered":     {"ASIAREHEARSAL0000000", "rehearsal", form + "&MaxRecords=1", http.StatusForbidden, "SignatureDoesNotMatch"},
		"wrong secret": {"ASIAREHEARSAL0000000", "guess", form, http.StatusForbidden, "SignatureDoesNotMatch"},
		"unknown key":  {"AKIAUNKNOWN000000000", "rehearsal", form, http.StatusForbidden, "InvalidClientTokenId"},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			hash := sha256.Sum256([]byte(form))
			creds := aws.Credentials{AccessKeyID: c.key, SecretAccessKey: c.secret, SessionToken: "rehearsal"}
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(hash[:]), "elasticbeanstalk", "eu-west-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			// The body sent may differ from the one signed.
			req.Body = io.NopCloser(strings.NewReader(c.body))
			req.ContentLength = int64(len(c.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || !strings.Contains(string(body), c.want) {
				t.Errorf("status %d, body %s; want %d with %s", resp.StatusCode, body, c.status, c.want)
			}
		})
	}
}
