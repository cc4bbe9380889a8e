package verify

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"privatebackend/config"
	"privatebackend/internal/testsupport/awsstandin"
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
	r := verifyAgainst(t, stages("blue", "green", 10), config.AuthorizationIAM, limits)
	if r.Passed || !strings.Contains(problems(r), `stage live: a request without credentials answered 200, want 401 or 403: api.authorization is "iam", so the stage must refuse it`) {
		t.Fatalf("problems:\n%s", problems(r))
	}
	signed := stages("blue", "green", 10)
	signed.Region = "eu-west-1"
	refused := verifyAgainst(t, signed, config.AuthorizationIAM, limits)
	var out strings.Builder
	if err := refused.WriteTable(&out); err != nil || !refused.Passed || !strings.Contains(out.String(), "stage live: a request without credentials was refused (403)") {
		t.Fatalf("passed %t, report:\n%s", refused.Passed, out.String())
	}
}

// cognitoEnvironment is an environment whose API uses a Cognito authorizer.
func cognitoEnvironment(t *testing.T) *config.Environment {
	t.Helper()
	return environmentFromJSON(t, `{"edge": {
		"backends": {"blue": {"version": "1"}, "green": {"version": "2"}},
		"api": {"authorization": "users",
			"authorizers": {"users": {"type": "cognito", "userPoolArns": ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"]}},
			"stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}, "canary": {"backend": "blue", "canary": {"backend": "green", "percent": 10}}}}}}`)
}

func TestATokenGoesInTheAuthorizersHeaderAndIsNeverPrinted(t *testing.T) {
	const token = "eyJraWQiOiJzZWNyZXQtdG9rZW4ifQ.secret"
	env := cognitoEnvironment(t)
	if err := useToken(&Prober{}, env, ""); err == nil || !strings.Contains(err.Error(), "pass the Authorization header's value with -token or in "+TokenEnv) {
		t.Fatalf("no token: %v", err)
	}
	s := stages("blue", "green", 10)
	s.AuthHeader = "Authorization"
	s.Check = func(r *http.Request) error {
		if got := r.Header.Get("Authorization"); got != token {
			return fmt.Errorf("Authorization %q, want the token", got)
		}
		return nil
	}
	url := s.Start()
	t.Cleanup(s.Close)
	prober := Prober{Client: &http.Client{Timeout: limits.Timeout}}
	t.Setenv(TokenEnv, token)
	if err := useToken(&prober, env, ""); err != nil {
		t.Fatal(err)
	}
	r, err := Verify(context.Background(), env, cloudFormation(t, apiStack(url)), prober, limits)
	if err != nil || !r.Passed {
		t.Fatalf("err %v, problems:\n%s", err, problems(r))
	}
	if f := s.Failure(); f != nil {
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
	return environmentFromJSON(t, `{"edge": {
		"backends": {"blue": {"version": "1"}, "green": {"version": "2"}},
		"api": {"authorization": "none",
			"domain": {"name": "api.example.com", "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/x", "routeHeader": {"name": "x-stage"}},
			"stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}, "canary": {"backend": "blue", "canary": {"backend": "green", "percent": 10}}}}}}`)
}

func TestTheRouteHeaderReachesEachStageAtAnotherStagesURL(t *testing.T) {
	run := func(s *awsstandin.Stages) Report {
		url := s.Start()
		t.Cleanup(s.Close)
		r, err := Verify(context.Background(), routedEnvironment(t), cloudFormation(t, apiStack(url)), Prober{Client: &http.Client{Timeout: limits.Timeout}}, limits)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	withRules := stages("blue", "green", 10)
	withRules.RouteHeader = "x-stage"
	routed := run(withRules)
	var out strings.Builder
	if err := routed.WriteTable(&out); err != nil || !routed.Passed || !strings.Contains(out.String(), "stage preview: reached at ") || !strings.Contains(out.String(), "/canary/ through the route header") {
		t.Fatalf("passed %t, report:\n%s", routed.Passed, out.String())
	}
	ignored := run(stages("blue", "green", 10))
	if ignored.Passed || !strings.Contains(problems(ignored), "with x-stage: preview was answered by backend blue, want green: the domain's routing rule does not reach the stage") {
		t.Fatalf("problems:\n%s", problems(ignored))
	}
}

func TestCheckDeploymentChecksEachServicesVariablesBehindADomain(t *testing.T) {
	env := environmentFromJSON(t, `{"edge": {
		"backends": {"blue": {"version": "1"}, "ordersblue": {"version": "1"}, "ordersgreen": {"version": "2"}},
		"api": {"authorization": "none",
			"domain": {"name": "api.example.com", "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/x", "basePaths": {"live": "/"}},
			"routes": [{"path": "/orders/{proxy+}", "service": "orders"}],
			"stages": {"live": {"backend": "blue", "backends": {"orders": "ordersblue"}, "canary": {"percent": 10, "backends": {"orders": "ordersgreen"}}}}}}}`)
	stacks := map[string]map[string]string{"edge-Api": {"Urllive": "https://api.example.com/", config.RestAPIIDOutput: "a1b2c3"}}
	for name, n := range map[string]string{"blue": "1", "ordersblue": "1", "ordersgreen": "2"} {
		stacks["edge-Backend-"+name] = map[string]string{"LoadBalancerArn": "nlb-" + name, "LoadBalancerDnsName": name + ".elb", "EnvironmentName": "e-" + name, "Release": n, "VersionLabel": "v-" + name}
	}
	account := awsstandin.NewAccount("123456789012", "eu-west-1", nil)
	// GetStage of any other REST API than the RestApiId output's is a 404.
	account.RestAPIID = "a1b2c3"
	account.DeployedStages = map[string]awsstandin.DeployedStage{"live": {
		Variables: map[string]string{
			"vpcLinkId": "l-blue", "backendHost": "blue.elb",
			"ordersVpcLinkId": "l-ordersblue", "ordersHost": "ordersblue.elb",
		},
		// The canary's overrides send orders to ordersblue's link: wrong.
		CanaryOverrides: map[string]string{"ordersVpcLinkId": "l-ordersblue", "ordersHost": "ordersgreen.elb"},
	}}
	account.VpcLinkTargets = map[string][]string{"l-blue": {"nlb-blue"}, "l-ordersblue": {"nlb-ordersblue"}, "l-ordersgreen": {"nlb-ordersgreen"}}
	account.RunningEnvironments = map[string]string{"e-blue": "v-blue", "e-ordersblue": "v-ordersblue", "e-ordersgreen": "v-ordersgreen"}
	account.AppVersions = map[string]string{"v-blue": "Backend blue version 1", "v-ordersblue": "Backend ordersblue version 1", "v-ordersgreen": "Backend ordersgreen version 2"}
	d := deployedOn(t, account)
	report := Report{Passed: true, Stages: []StageResult{{Stage: "live", URL: "https://api.example.com/", Passed: true}}}
	CheckDeployment(context.Background(), env, outputsOf(t, stacks), d, &report)
	want := "stage live: its canary of service orders name VPC link l-ordersblue to nlb-ordersblue, not to backend ordersgreen's load balancer nlb-ordersgreen: deploy the API"
	if report.Passed || problems(report) != want {
		t.Errorf("problems:\n%s\nwant only:\n%s", problems(report), want)
	}
	if account.Called("apigateway:GetStage") != 1 {
		t.Errorf("calls %v, want one GetStage", account.Calls())
	}
}
