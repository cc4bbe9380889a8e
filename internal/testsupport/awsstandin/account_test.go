package awsstandin

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestAccountAnswersTheRESTCallsInTheirOwnShapes sends the front door's and
// verify's REST calls, and calls their API references do not have, to the
// account: each is answered with its protocol's status, error type and body.
func TestAccountAnswersTheRESTCallsInTheirOwnShapes(t *testing.T) {
	a := NewAccount("111111111111", "eu-west-1", nil)
	a.Objects = map[string]bool{"bucket/key": true, "bucket/key@v2": true}
	a.HostedZones = []HostedZone{{ID: "Z1", Name: "example.com."}}
	a.RestAPIID = "abc"
	a.DeployedStages = map[string]DeployedStage{"live": {Variables: map[string]string{"backendHost": "h"}}}
	endpoint := a.Start()
	defer a.Close()
	sign := func(service string) string {
		return "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/" + service + "/aws4_request, SignedHeaders=host, Signature=x"
	}
	for name, c := range map[string]struct {
		method, path, service string
		status                int
		header, body          string // X-Amzn-ErrorType, and what the body holds
	}{
		"object":                  {http.MethodHead, "/bucket/key", "s3", 200, "", ""},
		"object version":          {http.MethodHead, "/bucket/key?versionId=v2", "s3", 200, "", ""},
		"missing version":         {http.MethodHead, "/bucket/key?versionId=v1", "s3", 404, "", ""},
		"GET of an object":        {http.MethodGet, "/bucket/key", "s3", 400, "", "HEAD /BUCKET/KEY only"},
		"unsigned":                {http.MethodHead, "/bucket/key", "", 403, "", ""},
		"hosted zone":             {http.MethodGet, "/2013-04-01/hostedzone/Z1", "route53", 200, "", "<Name>example.com.</Name>"},
		"missing hosted zone":     {http.MethodGet, "/2013-04-01/hostedzone/Z2", "route53", 404, "", "<Code>NoSuchHostedZone</Code>"},
		"missing function":        {http.MethodGet, "/2015-03-31/functions/arn:aws:lambda:eu-west-1:111111111111:function:f/configuration", "lambda", 404, "ResourceNotFoundException", ""},
		"stage":                   {http.MethodGet, "/restapis/abc/stages/live", "apigateway", 200, "", `"backendHost":"h"`},
		"stage of another API":    {http.MethodGet, "/restapis/xyz/stages/live", "apigateway", 404, "NotFoundException", ""},
		"VPC link that is absent": {http.MethodGet, "/vpclinks/l1", "apigateway", 404, "NotFoundException", ""},
		"a write":                 {http.MethodDelete, "/restapis/abc/stages/live", "apigateway", 404, "NotFoundException", ""},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, endpoint+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.service != "" {
				req.Header.Set("Authorization", sign(c.service))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || resp.Header.Get("X-Amzn-ErrorType") != c.header || !strings.Contains(string(body), c.body) {
				t.Errorf("%s %s: %d, X-Amzn-ErrorType %q, body %q; want %d, %q, a body with %q", c.method, c.path, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body, c.status, c.header, c.body)
			}
		})
	}
}
