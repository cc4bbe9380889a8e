package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"privatebackend/config"
	"privatebackend/internal/testsupport/awsstandin"
)

// environmentFromJSON reads one environment from the "environments" object
// given as JSON, as config reads cdk.json.
func environmentFromJSON(t *testing.T, environments string) *config.Environment {
	t.Helper()
	var raw any
	if err := json.Unmarshal([]byte(environments), &raw); err != nil {
		t.Fatal(err)
	}
	envs, err := config.Load(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	return envs[0]
}

// testEnvironment is an environment with a plain stage, a stage on another
// backend and a stage with a 10% canary.
func testEnvironment(t *testing.T, authorization string) *config.Environment {
	t.Helper()
	return environmentFromJSON(t, `{"edge": {
		"backends": {"blue": {"version": "1"}, "green": {"version": "2"}},
		"api": {"authorization": "`+authorization+`", "stages": {
			"live": {"backend": "blue"},
			"preview": {"backend": "green"},
			"canary": {"backend": "blue", "canary": {"backend": "green", "percent": 10}}
		}}}}`)
}

// stages are the three stages of testEnvironment: live on blue, preview
// on green, canary on blue with green answering every greenEvery-th request.
func stages(live, preview string, greenEvery int64) *awsstandin.Stages {
	return &awsstandin.Stages{
		Stages: map[string]awsstandin.StageRoute{
			"live": {Backend: live}, "preview": {Backend: preview},
			"canary": {Backend: "blue", CanaryBackend: "green", CanaryEvery: greenEvery},
		},
		Versions: map[string]string{"blue": "1", "green": "2"},
	}
}

// cloudFormation is a CloudFormation stand-in holding the stacks, and the
// outputs reader verify uses, pointed at it.
func cloudFormation(t *testing.T, stacks ...awsstandin.Stack) CloudFormationOutputs {
	t.Helper()
	cfn := awsstandin.NewCloudFormation("eu-west-1", "111111111111")
	for _, s := range stacks {
		cfn.PutStack(s)
	}
	url := cfn.Start()
	t.Cleanup(cfn.Close)
	return CloudFormationOutputs{Client: cloudformation.New(cloudformation.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})}
}

// apiStack is the environment's Api stack with the invoke URLs of its
// three stages at url, and an output that is not a URL.
func apiStack(url string) awsstandin.Stack {
	return awsstandin.Stack{StackName: "edge-Api", StackStatus: "UPDATE_COMPLETE", Outputs: []awsstandin.Output{
		{OutputKey: "Urllive", OutputValue: url + "/live/"}, {OutputKey: "Urlpreview", OutputValue: url + "/preview/"},
		{OutputKey: "Urlcanary", OutputValue: url + "/canary/"}, {OutputKey: "ExportsOutputSomething", OutputValue: "not a URL"},
	}}
}

var limits = Limits{Requests: 100, Samples: 5, Concurrency: 4, Timeout: 2 * time.Second}

func verifyAgainst(t *testing.T, s *awsstandin.Stages, authorization string, l Limits) Report {
	t.Helper()
	url := s.Start()
	t.Cleanup(s.Close)
	prober := Prober{Client: &http.Client{Timeout: l.Timeout}, Region: "eu-west-1"}
	if authorization == config.AuthorizationIAM {
		prober.Credentials = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	}
	report, err := Verify(context.Background(), testEnvironment(t, authorization), cloudFormation(t, apiStack(url)), prober, l)
	if err != nil {
		t.Fatal(err)
	}
	return report
}

func problems(r Report) string {
	var all []string
	for _, s := range r.Stages {
		all = append(all, s.Problems...)
	}
	return strings.Join(all, "\n")
}

func TestEveryStageAnsweringFromItsBackendPasses(t *testing.T) {
	r := verifyAgainst(t, stages("blue", "green", 10), config.AuthorizationNone, limits)
	if !r.Passed {
		t.Fatalf("a correct environment failed:\n%s", problems(r))
	}
	byStage := map[string]StageResult{}
	for _, s := range r.Stages {
		byStage[s.Stage] = s
	}
	if live := byStage["live"]; live.Seen["blue"] != 5 || live.Requests != 6 || live.P95Ms <= 0 {
		t.Errorf("live: %+v; want 5 answers from blue and /health", live)
	}
	if c := byStage["canary"].Canary; c == nil || c.GotPercent != 10 || c.WantPercent != 10 || c.TolerancePercent < 8.9 || c.TolerancePercent > 9.1 {
		t.Errorf("canary share %+v; want 10%% of 100 answers within 9 points", c)
	}
}

func TestAStageAnsweringFromTheWrongBackendFails(t *testing.T) {
	r := verifyAgainst(t, stages("green", "green", 10), config.AuthorizationNone, limits)
	want := "stage live: expected backend blue (version 1), but green (version 2) answered 5 of 5 requests"
	if r.Passed || !strings.Contains(problems(r), want) {
		t.Fatalf("problems:\n%s\nwant %q", problems(r), want)
	}
}

func TestACanaryOutsideItsToleranceFails(t *testing.T) {
	r := verifyAgainst(t, stages("blue", "green", 2), config.AuthorizationNone, limits)
	want := "stage canary: canary green answered 50.0% of the backends' answers, want 10% ± 9.0"
	if r.Passed || !strings.Contains(problems(r), want) {
		t.Fatalf("problems:\n%s\nwant %q", problems(r), want)
	}
}

func TestA403NamesTheMissingPermission(t *testing.T) {
	r := verifyAgainst(t, &awsstandin.Stages{Status: 403}, config.AuthorizationIAM, limits)
	if r.Passed || !strings.Contains(problems(r), "403 Forbidden: the API requires SigV4-signed requests from an identity allowed execute-api:Invoke") {
		t.Fatalf("problems:\n%s", problems(r))
	}
	r = verifyAgainst(t, &awsstandin.Stages{Status: 403}, config.AuthorizationNone, limits)
	if !strings.Contains(problems(r), "403 Forbidden although api.authorization is \"none\"") {
		t.Fatalf("problems:\n%s", problems(r))
	}
}

func TestATimeoutIsReported(t *testing.T) {
	t.Parallel() // it waits on purpose
	l := limits
	l.Timeout = 50 * time.Millisecond
	slow := stages("blue", "green", 10)
	slow.Delay = 200 * time.Millisecond
	r := verifyAgainst(t, slow, config.AuthorizationNone, Limits{Requests: 2, Samples: 1, Concurrency: 4, Timeout: l.Timeout})
	if r.Passed || !strings.Contains(problems(r), "timed out after 50ms") {
		t.Fatalf("problems:\n%s", problems(r))
	}
}

func TestANonJSONAnswerPointsAtPath(t *testing.T) {
	html := func() *awsstandin.Stages {
		s := stages("blue", "green", 10)
		s.Body = "<html>hello</html>"
		return s
	}
	r := verifyAgainst(t, html(), config.AuthorizationNone, limits)
	if r.Passed || !strings.Contains(problems(r), `with a body that is not the sample application's JSON {"backend", "version"} ("<html>hello</html>"); for your own application use -path /health`) {
		t.Fatalf("problems:\n%s", problems(r))
	}
	// Checking a path of one's own only needs a 200.
	l := limits
	l.Path = "/health"
	if r := verifyAgainst(t, html(), config.AuthorizationNone, l); !r.Passed {
		t.Fatalf("-path /health failed:\n%s", problems(r))
	}
}

func TestRequestsAreSignedWithSigV4ForExecuteAPI(t *testing.T) {
	s := stages("blue", "green", 10)
	s.Region = "eu-west-1"
	s.Check = func(r *http.Request) error {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-west-1/execute-api/aws4_request") ||
			!strings.Contains(auth, "SignedHeaders=") || !strings.Contains(auth, "Signature=") || r.Header.Get("X-Amz-Date") == "" {
			return fmt.Errorf("request not signed for execute-api: Authorization %q, X-Amz-Date %q", auth, r.Header.Get("X-Amz-Date"))
		}
		return nil
	}
	if r := verifyAgainst(t, s, config.AuthorizationIAM, limits); !r.Passed {
		t.Fatalf("problems:\n%s", problems(r))
	}
	if f := s.Failure(); f != nil {
		t.Fatal(f)
	}
	unsigned := stages("blue", "green", 10)
	unsigned.Check = func(r *http.Request) error {
		if r.Header.Get("Authorization") != "" {
			return fmt.Errorf("a request to an open API was signed")
		}
		return nil
	}
	verifyAgainst(t, unsigned, config.AuthorizationNone, limits)
	if f := unsigned.Failure(); f != nil {
		t.Fatal(f)
	}
}

func TestAStackThatIsNotDeployedSaysHowToDeployIt(t *testing.T) {
	_, err := Verify(context.Background(), testEnvironment(t, "none"), cloudFormation(t), Prober{Client: http.DefaultClient}, limits)
	if err == nil || err.Error() != "edge-Api is not deployed: run `./scripts/cdk deploy 'edge/*'`" {
		t.Fatalf("err = %v", err)
	}
}

func TestAStageMissingFromTheOutputsFails(t *testing.T) {
	outputs := cloudFormation(t, awsstandin.Stack{StackName: "edge-Api", StackStatus: "CREATE_COMPLETE", Outputs: []awsstandin.Output{{OutputKey: "Urllive", OutputValue: "http://127.0.0.1:1/live/"}}})
	r, err := Verify(context.Background(), testEnvironment(t, "none"), outputs, Prober{Client: &http.Client{Timeout: time.Second}}, Limits{Requests: 1, Samples: 1, Concurrency: 1, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Passed || !strings.Contains(problems(r), "stage preview: edge-Api has no invoke URL for it") {
		t.Fatalf("problems:\n%s", problems(r))
	}
}

// outputsOf is the CloudFormation stand-in holding a deployed stack with
// these outputs for each stack name.
func outputsOf(t *testing.T, stacks map[string]map[string]string) CloudFormationOutputs {
	t.Helper()
	var all []awsstandin.Stack
	for name, outputs := range stacks {
		s := awsstandin.Stack{StackName: name, StackStatus: "CREATE_COMPLETE"}
		for key, value := range outputs {
			s.Outputs = append(s.Outputs, awsstandin.Output{OutputKey: key, OutputValue: value})
		}
		all = append(all, s)
	}
	return cloudFormation(t, all...)
}
