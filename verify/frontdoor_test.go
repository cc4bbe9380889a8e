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
		"backends": {"blue": {"version": "1"}, "green": {"version": "2"}},
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
		"backends": {"blue": {"version": "1"}, "green": {"version": "2"}},
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

func TestCheckDeploymentChecksEachServicesVariablesBehindADomain(t *testing.T) {
	var raw any
	if err := json.Unmarshal([]byte(`{"dev": {
		"backends": {"blue": {"version": "1"}, "ordersblue": {"version": "1"}, "ordersgreen": {"version": "2"}},
		"api": {"authorization": "none",
			"domain": {"name": "api.example.com", "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/x", "basePaths": {"live": "/"}},
			"routes": [{"path": "/orders/{proxy+}", "service": "orders"}],
			"stages": {"live": {"backend": "blue", "backends": {"orders": "ordersblue"}, "canary": {"percent": 10, "backends": {"orders": "ordersgreen"}}}}}}}`), &raw); err != nil {
		t.Fatal(err)
	}
	envs, err := config.Load(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	stacks := fakeOutputs{"dev-Api": {"Urllive": "https://api.example.com/", config.RestAPIIDOutput: "a1b2c3"}}
	for name, n := range map[string]string{"blue": "1", "ordersblue": "1", "ordersgreen": "2"} {
		stacks["dev-Backend-"+name] = map[string]string{"LoadBalancerArn": "nlb-" + name, "LoadBalancerDnsName": name + ".elb", "EnvironmentName": "e-" + name, "Release": n, "VersionLabel": "v-" + name}
	}
	var asked []string
	d := recordingDeployment{deployment: deployment{
		variables: map[string]map[string]string{"live": {
			"vpcLinkId": "l-blue", "backendHost": "blue.elb",
			"ordersVpcLinkId": "l-ordersblue", "ordersHost": "ordersblue.elb",
		}},
		// The canary's overrides send orders to ordersblue's link: wrong.
		canary:    map[string]map[string]string{"live": {"ordersVpcLinkId": "l-ordersblue", "ordersHost": "ordersgreen.elb"}},
		links:     map[string][]string{"l-blue": {"nlb-blue"}, "l-ordersblue": {"nlb-ordersblue"}, "l-ordersgreen": {"nlb-ordersgreen"}},
		running:   map[string]string{"e-blue": "v-blue", "e-ordersblue": "v-ordersblue", "e-ordersgreen": "v-ordersgreen"},
		described: map[string]string{"v-blue": "Backend blue version 1", "v-ordersblue": "Backend ordersblue version 1", "v-ordersgreen": "Backend ordersgreen version 2"},
	}, asked: &asked}
	report := Report{Passed: true, Stages: []StageResult{{Stage: "live", URL: "https://api.example.com/", Passed: true}}}
	CheckDeployment(context.Background(), envs[0], stacks, d, &report)
	want := "stage live: its canary of service orders name VPC link l-ordersblue to nlb-ordersblue, not to backend ordersgreen's load balancer nlb-ordersgreen: deploy the API"
	if report.Passed || problems(report) != want {
		t.Errorf("problems:\n%s\nwant only:\n%s", problems(report), want)
	}
	if len(asked) != 1 || asked[0] != "a1b2c3" {
		t.Errorf("GetStage asked of REST APIs %v, want the RestApiId output's a1b2c3", asked)
	}
}

// recordingDeployment records the REST API ids GetStage is asked of.
type recordingDeployment struct {
	deployment
	asked *[]string
}

func (d recordingDeployment) StageVariables(ctx context.Context, restAPIID, stage string) (map[string]string, map[string]string, error) {
	*d.asked = append(*d.asked, restAPIID)
	return d.deployment.StageVariables(ctx, restAPIID, stage)
}
