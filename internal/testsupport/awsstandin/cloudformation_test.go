package awsstandin

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// post sends a signed Query request to endpoint and returns the answer's
// status and body.
func post(t *testing.T, endpoint, service string, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/"+service+"/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestCloudFormationAnswersDescribeStacksAsTheAPIReferenceShows checks the
// stand-in's answers: a stack with its outputs, the ValidationError for one
// that does not exist, and a parameter DescribeStacks does not take refused.
func TestCloudFormationAnswersDescribeStacksAsTheAPIReferenceShows(t *testing.T) {
	c := NewCloudFormation("eu-west-1", "111111111111")
	c.PutStack(Stack{StackName: "edge-Api", StackStatus: "CREATE_COMPLETE", Outputs: []Output{{OutputKey: "Urllive", OutputValue: "https://x/live/"}}})
	endpoint := c.Start()
	defer c.Close()
	status, body := post(t, endpoint, "cloudformation", url.Values{"Action": {"DescribeStacks"}, "Version": {"2010-05-15"}, "StackName": {"edge-Api"}})
	for _, want := range []string{"<DescribeStacksResponse", "<DescribeStacksResult><Stacks><member><StackName>edge-Api</StackName>", "<StackStatus>CREATE_COMPLETE</StackStatus>",
		"<Outputs><member><OutputKey>Urllive</OutputKey><OutputValue>https://x/live/</OutputValue></member></Outputs>", "<StackId>arn:aws:cloudformation:eu-west-1:111111111111:stack/edge-Api/"} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("status %d, body %s; want 200 with %s", status, body, want)
		}
	}
	if status, body := post(t, endpoint, "cloudformation", url.Values{"Action": {"DescribeStacks"}, "Version": {"2010-05-15"}, "StackName": {"gone"}}); status != http.StatusBadRequest ||
		!strings.Contains(body, "<Code>ValidationError</Code><Message>Stack with id gone does not exist</Message>") {
		t.Errorf("a missing stack: status %d, body %s", status, body)
	}
	if status, body := post(t, endpoint, "cloudformation", url.Values{"Action": {"DescribeStacks"}, "Version": {"2010-05-15"}, "StackStatusFilter.member.1": {"CREATE_COMPLETE"}}); status != http.StatusBadRequest ||
		!strings.Contains(body, "takes no parameter") {
		t.Errorf("a parameter of ListStacks: status %d, body %s", status, body)
	}
	if calls := c.Calls(); len(calls) != 2 || calls[0].Permission.Resource != "arn:aws:cloudformation:eu-west-1:111111111111:stack/edge-Api/*" {
		t.Errorf("calls %+v; want the two it answered, the first authorized on the stack's ARN", calls)
	}
}

// TestStagesRequireSigV4ForExecuteAPIWhenAsked checks that stages with
// IAM authorization answer an unsigned request, or one signed for another
// service or region, as API Gateway does, and a signed one from the stage's
// backend.
func TestStagesRequireSigV4ForExecuteAPIWhenAsked(t *testing.T) {
	s := &Stages{Stages: map[string]StageRoute{"live": {Backend: "blue"}}, Versions: map[string]string{"blue": "7"}, Region: "eu-west-1"}
	endpoint := s.Start()
	defer s.Close()
	get := func(authorization string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, endpoint+"/live/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
			req.Header.Set("X-Amz-Date", "20260101T000000Z")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	signed := "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0a1b"
	for name, authorization := range map[string]string{
		"unsigned":        "",
		"another region":  strings.Replace(signed, "eu-west-1", "us-east-1", 1),
		"another service": strings.Replace(signed, "execute-api", "apigateway", 1),
	} {
		if status, body := get(authorization); status != http.StatusForbidden || body != `{"message":"Missing Authentication Token"}` {
			t.Errorf("%s: status %d, body %s", name, status, body)
		}
	}
	if status, body := get(signed); status != http.StatusOK || body != `{"backend":"blue","version":"7"}` {
		t.Errorf("signed: status %d, body %s", status, body)
	}
}
