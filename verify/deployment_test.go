package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"privatebackend/config"
	"privatebackend/internal/testsupport/awsstandin"
)

// TestYourOwnApplicationIsCheckedOnItsHealthPath: a backend with a source
// of its own does not answer the sample's JSON, so its stages are asked
// for its healthPath only; the sample's stages keep the body check.
func TestYourOwnApplicationIsCheckedOnItsHealthPath(t *testing.T) {
	env := environmentFromJSON(t, `{"edge": {
		"backends": {"blue": {"source": "services/orders", "version": "1.5.0", "healthPath": "/ready"}, "green": {"version": "2"}},
		"api": {"authorization": "none", "stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}}}}}`)
	paths := map[string]int{}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths[r.URL.Path]++
		if strings.HasSuffix(r.URL.Path, "/health") || strings.HasSuffix(r.URL.Path, "/ready") {
			w.Write([]byte(`{"status":"ok"}`))
			return
		}
		w.Write([]byte(`{"backend":"green","version":"2"}`))
	}))
	t.Cleanup(server.Close)
	l := limits
	l.Concurrency = 1
	report, err := Verify(context.Background(), env, outputsOf(t, map[string]map[string]string{"edge-Api": {"Urllive": server.URL + "/live/", "Urlpreview": server.URL + "/preview/"}}),
		Prober{Client: server.Client(), Region: "eu-west-1"}, l)
	if err != nil || !report.Passed {
		t.Fatalf("%v\n%s", err, problems(report))
	}
	if paths["/live/"] != 0 || paths["/live/health"] != 0 || paths["/live/ready"] == 0 || paths["/preview/"] == 0 {
		t.Errorf("requests %v: want live on its healthPath /ready only, preview on / as well", paths)
	}
}

// deployedOn is the Deployment verify reads, with the SDK, from an account
// stand-in holding what is deployed.
func deployedOn(t *testing.T, a *awsstandin.Account) AWSDeployment {
	t.Helper()
	url := a.Start()
	t.Cleanup(a.Close)
	cfg := aws.Config{Region: a.Region, BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	return AWSDeployment{APIGateway: apigateway.NewFromConfig(cfg), Beanstalk: elasticbeanstalk.NewFromConfig(cfg)}
}

func TestCheckDeploymentFollowsTheCanaryOverrides(t *testing.T) {
	env := testEnvironment(t, config.AuthorizationNone)
	api := "https://a1b2c3.execute-api.eu-west-1.amazonaws.com"
	stacks := map[string]map[string]string{"edge-Api": {"Urllive": api + "/live/", "Urlpreview": api + "/preview/", "Urlcanary": api + "/canary/"}}
	for name, n := range map[string]string{"blue": "1", "green": "2"} {
		stacks["edge-Backend-"+name] = map[string]string{"LoadBalancerArn": "nlb-" + name, "LoadBalancerDnsName": name + ".elb", "EnvironmentName": "e-" + name, "Release": n, "VersionLabel": "v-" + name}
	}
	account := awsstandin.NewAccount("123456789012", "eu-west-1", nil)
	account.RestAPIID = "a1b2c3"
	account.DeployedStages = map[string]awsstandin.DeployedStage{
		"live":    {Variables: map[string]string{"vpcLinkId": "l-blue", "backendHost": "blue.elb"}},
		"preview": {Variables: map[string]string{"vpcLinkId": "l-green", "backendHost": "green.elb"}},
		// The canary's overrides still name blue's host: a half-moved canary.
		"canary": {Variables: map[string]string{"vpcLinkId": "l-blue", "backendHost": "blue.elb"}, CanaryOverrides: map[string]string{"vpcLinkId": "l-green"}},
	}
	account.VpcLinkTargets = map[string][]string{"l-blue": {"nlb-blue"}, "l-green": {"nlb-green"}}
	account.RunningEnvironments = map[string]string{"e-blue": "v-blue", "e-green": "v-green"}
	account.AppVersions = map[string]string{"v-blue": "Backend blue version 1", "v-green": "Backend green version 2"}
	d := deployedOn(t, account)
	report := Report{Passed: true}
	for _, s := range env.StageNames() {
		report.Stages = append(report.Stages, StageResult{Stage: s, URL: stacks["edge-Api"]["Url"+s], Passed: true})
	}
	CheckDeployment(context.Background(), env, outputsOf(t, stacks), d, &report)
	want := `stage canary: its canary set backendHost "blue.elb", not backend green's "green.elb": deploy the API`
	if report.Passed || problems(report) != want {
		t.Errorf("problems:\n%s\nwant only:\n%s", problems(report), want)
	}
}
