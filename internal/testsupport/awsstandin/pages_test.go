package awsstandin

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestListPlatformVersionsPages lists two branches' versions a page at a
// time: each page but the last carries a NextToken, the token takes the
// next page only with the same other parameters (ListPlatformVersions, API
// reference), and the pages together hold every version once.
func TestListPlatformVersionsPages(t *testing.T) {
	b := NewBeanstalk("eu-west-1", "111111111111", RecommendedPlatforms("eu-west-1", "Node.js 24 running on 64bit Amazon Linux 2023", "Python 3.13 running on 64bit Amazon Linux 2023"))
	b.PageSize, b.EmptyFirstPage = 3, true
	endpoint := b.Start()
	defer b.Close()
	list := func(form url.Values) (int, string) {
		form.Set("Action", "ListPlatformVersions")
		form.Set("Version", "2010-12-01")
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/elasticbeanstalk/aws4_request, SignedHeaders=host, Signature=x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	var page struct {
		Versions  []string `xml:"ListPlatformVersionsResult>PlatformSummaryList>member>PlatformVersion"`
		NextToken string   `xml:"ListPlatformVersionsResult>NextToken"`
	}
	var sizes []int
	seen := 0
	token := ""
	for {
		form := url.Values{"Filters.member.1.Type": {"PlatformOwner"}, "Filters.member.1.Operator": {"="}, "Filters.member.1.Values.member.1": {"AWSElasticBeanstalk"}}
		if token != "" {
			form.Set("NextToken", token)
		}
		status, body := list(form)
		page.Versions, page.NextToken = nil, ""
		if err := xml.Unmarshal([]byte(body), &page); status != http.StatusOK || err != nil {
			t.Fatalf("status %d, %v: %s", status, err, body)
		}
		sizes = append(sizes, len(page.Versions))
		seen += len(page.Versions)
		if page.NextToken == "" {
			break
		}
		token = page.NextToken
	}
	if len(sizes) != 3 || sizes[0] != 0 || seen != 4 {
		t.Errorf("pages of %v versions; want an empty first page, then pages of at most 3, 4 versions in all", sizes)
	}
	if status, body := list(url.Values{"NextToken": {token}}); status != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterValue") {
		t.Errorf("a token with other parameters: status %d, %s; want InvalidParameterValue", status, body)
	}
}
