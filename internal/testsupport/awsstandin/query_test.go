package awsstandin

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestQueryServiceRejectsWhatTheAPIReferenceDoesNot sends requests the
// Elastic Beanstalk API reference does not allow: each must be answered with
// the Query protocol's error, naming what is wrong.
func TestQueryServiceRejectsWhatTheAPIReferenceDoesNot(t *testing.T) {
	b := NewBeanstalk("eu-west-1", "111111111111", RecommendedPlatforms("eu-west-1", "Node.js 24 running on 64bit Amazon Linux 2023"))
	endpoint := b.Start()
	defer b.Close()
	signed := "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/elasticbeanstalk/aws4_request, SignedHeaders=host, Signature=x"
	for name, c := range map[string]struct {
		form          url.Values
		authorization string
		want          string
	}{
		"unsigned":        {url.Values{"Action": {"ListPlatformVersions"}, "Version": {"2010-12-01"}}, "", "not SigV4-signed"},
		"another service": {url.Values{"Action": {"ListPlatformVersions"}, "Version": {"2010-12-01"}}, strings.Replace(signed, "elasticbeanstalk", "ec2", 1), "not SigV4-signed"},
		"wrong version":   {url.Values{"Action": {"ListPlatformVersions"}, "Version": {"2015-12-01"}}, signed, "Version &#34;2015-12-01&#34;"},
		"unknown action":  {url.Values{"Action": {"DeleteApplication"}, "Version": {"2010-12-01"}}, signed, "InvalidAction"},
		"unknown param":   {url.Values{"Action": {"ListPlatformVersions"}, "Version": {"2010-12-01"}, "Filter.1.Type": {"PlatformBranchName"}}, signed, "takes no parameter &#34;Filter.1.Type&#34;"},
		"bad filter type": {url.Values{"Action": {"ListPlatformVersions"}, "Version": {"2010-12-01"}, "Filters.member.1.Type": {"Branch"}}, signed, "the API reference allows"},
		"two values":      {url.Values{"Action": {"ListPlatformVersions"}, "Version": {"2010-12-01"}, "Filters.member.1.Type": {"PlatformBranchName"}, "Filters.member.1.Operator": {"="}, "Filters.member.1.Values.member.1": {"a"}, "Filters.member.1.Values.member.2": {"b"}}, signed, "exactly one value"},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(c.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.authorization != "" {
				req.Header.Set("Authorization", c.authorization)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "<ErrorResponse") || !strings.Contains(string(body), c.want) {
				t.Errorf("status %d, body %s; want 400 with an ErrorResponse saying %q", resp.StatusCode, body, c.want)
			}
		})
	}
}
