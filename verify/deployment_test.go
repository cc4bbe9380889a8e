package verify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"privatebackend/config"
)

// TestYourOwnApplicationIsCheckedOnItsHealthPath: a backend with a source
// of its own does not answer the sample's JSON, so its stages are asked
// for its healthPath only; the sample's stages keep the body check.
func TestYourOwnApplicationIsCheckedOnItsHealthPath(t *testing.T) {
	var raw any
	if err := json.Unmarshal([]byte(`{"edge": {
		"backends": {"blue": {"source": "services/orders", "version": "1.5.0", "healthPath": "/ready"}, "green": {"version": "2"}},
		"api": {"authorization": "none", "stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}}}}}`), &raw); err != nil {
		t.Fatal(err)
	}
	envs, err := config.Load(raw, "")
	if err != nil {
		t.Fatal(err)
	}
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
	report, err := Verify(context.Background(), envs[0], outputsOf(t, map[string]map[string]string{"edge-Api": {"Urllive": server.URL + "/live/", "Urlpreview": server.URL + "/preview/"}}),
		Prober{Client: server.Client(), Region: "eu-west-1"}, l)
	if err != nil || !report.Passed {
		t.Fatalf("%v\n%s", err, problems(report))
	}
	if paths["/live/"] != 0 || paths["/live/health"] != 0 || paths["/live/ready"] == 0 || paths["/preview/"] == 0 {
		t.Errorf("requests %v: want live on its healthPath /ready only, preview on / as well", paths)
	}
}

// deployment stands in for the reads of CheckDeployment.
type deployment struct {
	variables map[string]map[string]string
	canary    map[string]map[string]string
	links     map[string][]string
	running   map[string]string // environment → version label
	described map[string]string // version label → description
}

func (d deployment) StageVariables(_ context.Context, _, stage string) (map[string]string, map[string]string, error) {
	return d.variables[stage], d.canary[stage], nil
}
func (d deployment) VpcLinkTargets(_ context.Context, id string) ([]string, error) {
	return d.links[id], nil
}
func (d deployment) EnvironmentVersion(_ context.Context, name string) (string, string, error) {
	return "app", d.running[name], nil
}
func (d deployment) VersionDescription(_ context.Context, _, label string) (string, error) {
	return d.described[label], nil
}

func TestCheckDeploymentFollowsTheCanaryOverrides(t *testing.T) {
	env := testEnvironment(t, config.AuthorizationNone)
	api := "https://a1b2c3.execute-api.eu-west-1.amazonaws.com"
	stacks := map[string]map[string]string{"edge-Api": {"Urllive": api + "/live/", "Urlpreview": api + "/preview/", "Urlcanary": api + "/canary/"}}
	for name, n := range map[string]string{"blue": "1", "green": "2"} {
		stacks["edge-Backend-"+name] = map[string]string{"LoadBalancerArn": "nlb-" + name, "LoadBalancerDnsName": name + ".elb", "EnvironmentName": "e-" + name, "Release": n, "VersionLabel": "v-" + name}
	}
	d := deployment{
		variables: map[string]map[string]string{
			"live":    {"vpcLinkId": "l-blue", "backendHost": "blue.elb"},
			"preview": {"vpcLinkId": "l-green", "backendHost": "green.elb"},
			"canary":  {"vpcLinkId": "l-blue", "backendHost": "blue.elb"},
		},
		// The canary's overrides still name blue's host: a half-moved canary.
		canary:    map[string]map[string]string{"canary": {"vpcLinkId": "l-green"}},
		links:     map[string][]string{"l-blue": {"nlb-blue"}, "l-green": {"nlb-green"}},
		running:   map[string]string{"e-blue": "v-blue", "e-green": "v-green"},
		described: map[string]string{"v-blue": "Backend blue version 1", "v-green": "Backend green version 2"},
	}
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
