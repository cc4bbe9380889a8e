package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"privatebackend/config"
)

func TestStageURLsOfADomainAreFoundByOutputKey(t *testing.T) {
	outputs := map[string]string{
		"Urllive":      "https://api.example.com/",
		"Urlpreview":   "https://api.example.com/preview",
		"Urlmystage":   "https://api.example.com/beta/",
		"DomainTarget": "d-abc.execute-api.eu-west-1.amazonaws.com",
	}
	got := stageURLsOf(outputs, []string{"live", "my_stage", "preview"})
	for stage, want := range map[string]string{
		"live":     "https://api.example.com/",
		"preview":  "https://api.example.com/preview/",
		"my_stage": "https://api.example.com/beta/",
	} {
		if got[stage] != want {
			t.Errorf("stage %s: URL %q, want %q", stage, got[stage], want)
		}
	}
}

func TestAStageThatAnswersWithoutCredentialsFails(t *testing.T) {
	r := verifyAgainst(t, &stages{live: "blue", preview: "green", greenEvery: 10}, config.AuthorizationIAM, limits)
	if r.Passed || !strings.Contains(problems(r), `stage live: a request without credentials answered 200, want 401 or 403: api.authorization is "iam", so the stage must refuse it`) {
		t.Fatalf("problems:\n%s", problems(r))
	}
	refused := verifyAgainst(t, &stages{live: "blue", preview: "green", greenEvery: 10, authHeader: "Authorization"}, config.AuthorizationIAM, limits)
	var out strings.Builder
	if err := refused.WriteTable(&out); err != nil || !refused.Passed || !strings.Contains(out.String(), "stage live: a request without credentials was refused (403)") {
		t.Fatalf("passed %t, report:\n%s", refused.Passed, out.String())
	}
}

// cognitoEnvironment is an environment whose API uses a Cognito authorizer.
func cognitoEnvironment(t *testing.T) *config.Environment {
	t.Helper()
	var raw any
	if err := json.Unmarshal([]byte(`{"dev": {
		"backends": {"blue": {"appVersion": "1"}, "green": {"appVersion": "2"}},
		"api": {"authorization": "users",
			"authorizers": {"users": {"type": "cognito", "userPoolArns": ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"]}},
			"stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}, "canary": {"backend": "blue", "canary": {"backend": "green", "percent": 10}}}}}}`), &raw); err != nil {
		t.Fatal(err)
	}
	envs, err := config.Load(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	return envs[0]
}

func TestATokenGoesInTheAuthorizersHeaderAndIsNeverPrinted(t *testing.T) {
	const token = "eyJraWQiOiJzZWNyZXQtdG9rZW4ifQ.secret"
	env := cognitoEnvironment(t)
	if err := useToken(&Prober{}, env, ""); err == nil || !strings.Contains(err.Error(), "pass the Authorization header's value with -token or in "+TokenEnv) {
		t.Fatalf("no token: %v", err)
	}
	s := &stages{live: "blue", preview: "green", greenEvery: 10, authHeader: "Authorization", checkRequest: func(r *http.Request) error {
		if got := r.Header.Get("Authorization"); got != token {
			return fmt.Errorf("Authorization %q, want the token", got)
		}
		return nil
	}}
	server := httptest.NewServer(s)
	t.Cleanup(server.Close)
	prober := Prober{Client: &http.Client{Timeout: limits.Timeout}}
	t.Setenv(TokenEnv, token)
	if err := useToken(&prober, env, ""); err != nil {
		t.Fatal(err)
	}
	r, err := Verify(context.Background(), env, outputsFor(server.URL), prober, limits)
	if err != nil || !r.Passed {
		t.Fatalf("err %v, problems:\n%s", err, problems(r))
	}
	if f := s.failures.Load(); f != nil {
		t.Fatal(f)
	}
	var out strings.Builder
	if err := r.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "secret") {
		t.Fatalf("the report shows the token:\n%s", out.String())
	}
}

// routedEnvironment is testEnvironment's stages behind a domain with a
// route header.
func routedEnvironment(t *testing.T) *config.Environment {
	t.Helper()
	var raw any
	if err := json.Unmarshal([]byte(`{"dev": {
		"backends": {"blue": {"appVersion": "1"}, "green": {"appVersion": "2"}},
		"api": {"authorization": "none",
			"domain": {"name": "api.example.com", "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/x", "routeHeader": {"name": "x-stage"}},
			"stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}, "canary": {"backend": "blue", "canary": {"backend": "green", "percent": 10}}}}}}`), &raw); err != nil {
		t.Fatal(err)
	}
	envs, err := config.Load(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	return envs[0]
}

func TestTheRouteHeaderReachesEachStageAtAnotherStagesURL(t *testing.T) {
	run := func(s *stages) Report {
		server := httptest.NewServer(s)
		t.Cleanup(server.Close)
		r, err := Verify(context.Background(), routedEnvironment(t), outputsFor(server.URL), Prober{Client: &http.Client{Timeout: limits.Timeout}}, limits)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	routed := run(&stages{live: "blue", preview: "green", greenEvery: 10, routeHeader: "x-stage"})
	var out strings.Builder
	if err := routed.WriteTable(&out); err != nil || !routed.Passed || !strings.Contains(out.String(), "stage preview: reached at ") || !strings.Contains(out.String(), "/canary/ through the route header") {
		t.Fatalf("passed %t, report:\n%s", routed.Passed, out.String())
	}
	ignored := run(&stages{live: "blue", preview: "green", greenEvery: 10})
	if ignored.Passed || !strings.Contains(problems(ignored), "with x-stage: preview was answered by backend blue, want green: the domain's routing rule does not reach the stage") {
		t.Fatalf("problems:\n%s", problems(ignored))
	}
}
