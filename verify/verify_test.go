package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"privatebackend/config"
)

// testEnvironment is an environment with a plain stage, a stage on another
// backend and a stage with a 10% canary.
func testEnvironment(t *testing.T, authorization string) *config.Environment {
	t.Helper()
	var raw any
	if err := json.Unmarshal([]byte(`{"dev": {
		"backends": {"blue": {"version": "1"}, "green": {"version": "2"}},
		"api": {"authorization": "`+authorization+`", "stages": {
			"live": {"backend": "blue"},
			"preview": {"backend": "green"},
			"canary": {"backend": "blue", "canary": {"backend": "green", "percent": 10}}
		}}}}`), &raw); err != nil {
		t.Fatal(err)
	}
	envs, err := config.Load(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	return envs[0]
}

// stages stands in for API Gateway: each stage answers from its backend, the
// canary stage sends every greenEvery-th request to green.
type stages struct {
	live, preview string // the backends answering live and preview
	greenEvery    int64
	status        int           // when set, every answer has this status
	body          string        // when set, every "/" answer has this body
	delay         time.Duration // each answer waits this long
	requests      atomic.Int64
	checkRequest  func(r *http.Request) error
	failures      atomic.Value
	// authHeader, when set, is the header without which a request is
	// refused with 403, as API Gateway refuses an unsigned one.
	authHeader string
	// routeHeader, when set, is a header whose value names the stage that
	// answers, whatever the path, as a domain's routing rules do.
	routeHeader string
}

func (s *stages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.authHeader != "" && r.Header.Get(s.authHeader) == "" {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Missing Authentication Token"}`)
		return
	}
	if s.checkRequest != nil {
		if err := s.checkRequest(r); err != nil {
			s.failures.Store(err.Error())
		}
	}
	time.Sleep(s.delay)
	stage, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if routed := r.Header.Get(s.routeHeader); s.routeHeader != "" && routed != "" {
		stage = routed
	}
	if s.status != 0 {
		w.WriteHeader(s.status)
		fmt.Fprint(w, `{"message":"Forbidden"}`)
		return
	}
	if rest == "health" {
		fmt.Fprint(w, `{"status":"ok"}`)
		return
	}
	if s.body != "" {
		fmt.Fprint(w, s.body)
		return
	}
	backend := map[string]string{"live": s.live, "preview": s.preview, "canary": "blue"}[stage]
	if stage == "canary" && s.requests.Add(1)%s.greenEvery == 0 {
		backend = "green"
	}
	fmt.Fprintf(w, `{"backend":%q,"version":%q}`, backend, map[string]string{"blue": "1", "green": "2"}[backend])
}

// fakeOutputs stands in for CloudFormation.
type fakeOutputs map[string]map[string]string

func (f fakeOutputs) Outputs(_ context.Context, stackName string) (map[string]string, error) {
	outputs, ok := f[stackName]
	if !ok {
		return nil, fmt.Errorf("%s: %w", stackName, ErrNotDeployed)
	}
	return outputs, nil
}

// outputsFor returns the Api stack's outputs for a stage server.
func outputsFor(url string) fakeOutputs {
	return fakeOutputs{"dev-Api": {
		"Urllive": url + "/live/", "Urlpreview": url + "/preview/", "Urlcanary": url + "/canary/",
		"ExportsOutputSomething": "not a URL",
	}}
}

var limits = Limits{Requests: 100, Samples: 5, Concurrency: 4, Timeout: 2 * time.Second}

func verifyAgainst(t *testing.T, s *stages, authorization string, l Limits) Report {
	t.Helper()
	server := httptest.NewServer(s)
	t.Cleanup(server.Close)
	prober := Prober{Client: &http.Client{Timeout: l.Timeout}, Region: "eu-west-1"}
	if authorization == config.AuthorizationIAM {
		prober.Credentials = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	}
	report, err := Verify(context.Background(), testEnvironment(t, authorization), outputsFor(server.URL), prober, l)
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
	r := verifyAgainst(t, &stages{live: "blue", preview: "green", greenEvery: 10}, config.AuthorizationNone, limits)
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
	r := verifyAgainst(t, &stages{live: "green", preview: "green", greenEvery: 10}, config.AuthorizationNone, limits)
	want := "stage live: expected backend blue (version 1), but green (version 2) answered 5 of 5 requests"
	if r.Passed || !strings.Contains(problems(r), want) {
		t.Fatalf("problems:\n%s\nwant %q", problems(r), want)
	}
}

func TestACanaryOutsideItsToleranceFails(t *testing.T) {
	r := verifyAgainst(t, &stages{live: "blue", preview: "green", greenEvery: 2}, config.AuthorizationNone, limits)
	want := "stage canary: canary green answered 50.0% of the backends' answers, want 10% ± 9.0"
	if r.Passed || !strings.Contains(problems(r), want) {
		t.Fatalf("problems:\n%s\nwant %q", problems(r), want)
	}
}

func TestA403NamesTheMissingPermission(t *testing.T) {
	r := verifyAgainst(t, &stages{status: 403}, config.AuthorizationIAM, limits)
	if r.Passed || !strings.Contains(problems(r), "403 Forbidden: the API requires SigV4-signed requests from an identity allowed execute-api:Invoke") {
		t.Fatalf("problems:\n%s", problems(r))
	}
	r = verifyAgainst(t, &stages{status: 403}, config.AuthorizationNone, limits)
	if !strings.Contains(problems(r), "403 Forbidden although api.authorization is \"none\"") {
		t.Fatalf("problems:\n%s", problems(r))
	}
}

func TestATimeoutIsReported(t *testing.T) {
	t.Parallel() // it waits on purpose
	l := limits
	l.Timeout = 50 * time.Millisecond
	r := verifyAgainst(t, &stages{live: "blue", preview: "green", greenEvery: 10, delay: 200 * time.Millisecond}, config.AuthorizationNone, Limits{Requests: 2, Samples: 1, Concurrency: 4, Timeout: l.Timeout})
	if r.Passed || !strings.Contains(problems(r), "timed out after 50ms") {
		t.Fatalf("problems:\n%s", problems(r))
	}
}

func TestANonJSONAnswerPointsAtPath(t *testing.T) {
	r := verifyAgainst(t, &stages{body: "<html>hello</html>"}, config.AuthorizationNone, limits)
	if r.Passed || !strings.Contains(problems(r), `with a body that is not the sample application's JSON {"backend", "version"} ("<html>hello</html>"); for your own application use -path /health`) {
		t.Fatalf("problems:\n%s", problems(r))
	}
	// Checking a path of one's own only needs a 200.
	l := limits
	l.Path = "/health"
	if r := verifyAgainst(t, &stages{body: "<html>hello</html>"}, config.AuthorizationNone, l); !r.Passed {
		t.Fatalf("-path /health failed:\n%s", problems(r))
	}
}

func TestRequestsAreSignedWithSigV4ForExecuteAPI(t *testing.T) {
	s := &stages{live: "blue", preview: "green", greenEvery: 10, authHeader: "Authorization", checkRequest: func(r *http.Request) error {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-west-1/execute-api/aws4_request") ||
			!strings.Contains(auth, "SignedHeaders=") || !strings.Contains(auth, "Signature=") || r.Header.Get("X-Amz-Date") == "" {
			return fmt.Errorf("request not signed for execute-api: Authorization %q, X-Amz-Date %q", auth, r.Header.Get("X-Amz-Date"))
		}
		return nil
	}}
	if r := verifyAgainst(t, s, config.AuthorizationIAM, limits); !r.Passed {
		t.Fatalf("problems:\n%s", problems(r))
	}
	if f := s.failures.Load(); f != nil {
		t.Fatal(f)
	}
	unsigned := &stages{live: "blue", preview: "green", greenEvery: 10, checkRequest: func(r *http.Request) error {
		if r.Header.Get("Authorization") != "" {
			return fmt.Errorf("a request to an open API was signed")
		}
		return nil
	}}
	verifyAgainst(t, unsigned, config.AuthorizationNone, limits)
	if f := unsigned.failures.Load(); f != nil {
		t.Fatal(f)
	}
}

func TestAStackThatIsNotDeployedSaysHowToDeployIt(t *testing.T) {
	_, err := Verify(context.Background(), testEnvironment(t, "none"), fakeOutputs{}, Prober{Client: http.DefaultClient}, limits)
	if err == nil || err.Error() != "dev-Api is not deployed: run `./scripts/cdk deploy 'dev/*'`" {
		t.Fatalf("err = %v", err)
	}
}

func TestAStageMissingFromTheOutputsFails(t *testing.T) {
	outputs := fakeOutputs{"dev-Api": {"Urllive": "http://127.0.0.1:1/live/"}}
	r, err := Verify(context.Background(), testEnvironment(t, "none"), outputs, Prober{Client: &http.Client{Timeout: time.Second}}, Limits{Requests: 1, Samples: 1, Concurrency: 1, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Passed || !strings.Contains(problems(r), "stage preview: dev-Api has no invoke URL for it") {
		t.Fatalf("problems:\n%s", problems(r))
	}
}
