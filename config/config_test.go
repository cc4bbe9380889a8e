package config

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"privatebackend/constructs/settings"
	_ "privatebackend/internal/testsupport/golden" // defines -update for "go test ./... -update"
)

func load(t *testing.T, raw, selected string) ([]*Environment, error) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	return Load(v, selected)
}

const minimal = `{"qa": {"backends": {"blue": {}}, "api": {"stages": {"live": {"backend": "blue"}}}}}`

// TestDefaultsAreApplied checks that config returns the resolved
// environment: every key left out at its declared default, the constructs'
// settings included, and names from cdk.json's keys.
func TestDefaultsAreApplied(t *testing.T) {
	envs, err := load(t, minimal, "")
	if err != nil {
		t.Fatal(err)
	}
	e := envs[0]
	b, s := e.Backends["blue"], e.API.Stages["live"]
	if b.Name != "blue" || s.Name != "live" || b.Version != "1" || b.Source != DefaultSource || e.API.Authorization != AuthorizationIAM || !e.API.Waf || e.Network.Cidr != "10.0.0.0/16" {
		t.Errorf("the app's defaults are missing: %+v, %+v, %+v", b, s, e.API)
	}
	if !b.Checked.OK() || !s.Checked.OK() || b.Beanstalk != b.Beanstalk.WithDefaults() || *b.MinInstances != 2 || b.Platform != DefaultPlatform || *s.RateLimit != 100 ||
		*e.Monitoring.PeriodMinutes != 5 || *e.API.AccessLogRetentionDays != settings.DefaultAccessLogRetentionDays {
		t.Errorf("construct settings left out were not defaulted: %+v, %+v, %+v", b.Beanstalk, s.Stage, e.Monitoring)
	}
	envs, err = load(t, `{"uat": {"account": "123456789012", "region": "eu-west-1",
		"network": {"maxAzs": 3, "egress": "nat", "natGateways": 1},
		"backends": {"blue": {"instanceType": "m7g.large", "minInstances": 3, "maxInstances": 6}},
		"monitoring": {"periodMinutes": 1},
		"api": {"waf": false, "stages": {"live": {"backend": "blue", "burstLimit": 5, "canary": {"backend": "blue", "percent": 5}}}}}}`, "")
	if err != nil {
		t.Fatal(err)
	}
	e = envs[0]
	b, s = e.Backends["blue"], e.API.Stages["live"]
	if !e.Pinned() || e.Network.MaxAzs != 3 || *e.Network.NatGateways != 1 || e.API.Waf || b.InstanceType != "m7g.large" ||
		*b.MinInstances != 3 || *s.BurstLimit != 5 || *s.RateLimit != 100 || s.Canary.Percent != 5 || *e.Monitoring.PeriodMinutes != 1 {
		t.Errorf("values not taken as written: %+v", e)
	}
}

func TestSelectionNarrowsToOneEnvironment(t *testing.T) {
	two := `{"qa": ` + strings.TrimSuffix(strings.TrimPrefix(minimal, `{"qa": `), "}") + `, "uat": ` +
		strings.TrimSuffix(strings.TrimPrefix(minimal, `{"qa": `), "}") + `}`
	envs, err := load(t, two, "")
	if err != nil || len(envs) != 2 || envs[0].Name != "qa" || envs[1].Name != "uat" {
		t.Fatalf("all environments: %v, %v", envs, err)
	}
	envs, err = load(t, two, "uat")
	if err != nil || len(envs) != 1 || envs[0].Name != "uat" {
		t.Fatalf("-c env=uat: %v, %v", envs, err)
	}
}

func TestProblemsAreReportedTogetherWithTheirKeyPaths(t *testing.T) {
	_, err := load(t, `{"qa": {"network": {"maxAzz": 2, "cidr": "10.0.0.0/33"},
		"backends": {"blue": {"minInstances": 3, "maxInstances": 1}},
		"api": {"stages": {"live": {"backend": "red"}}}}}`, "")
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("err = %v, want a *config.Error", err)
	}
	want := []string{
		`environments.qa.network: unknown key "maxAzz"; did you mean "maxAzs"?`,
		`environments.qa.network.cidr: "10.0.0.0/33" is not a valid IPv4 CIDR`,
		`environments.qa.backends.blue.minInstances: 3 is greater than maxInstances (1)`,
		`environments.qa.api.stages.live.backend: "red" is not a backend of this environment; defined backends: blue`,
	}
	if len(cfgErr.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(cfgErr.Problems), len(want), err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not say %q:\n%s", w, err)
		}
	}
}

// TestAnUnreadableValueIsReportedOnce checks that a value the decoder
// cannot read is one problem: the key keeps its default for validation, so
// no "0 is too small" follows for a zero the user never wrote.
func TestAnUnreadableValueIsReportedOnce(t *testing.T) {
	_, err := load(t, `{"qa": {"backends": {"blue": {"minInstances": 1e300, "maxInstances": "4"}},
		"api": {"stages": {"live": {"backend": "blue", "burstLimit": 0.5}}}}}`, "")
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("err = %v, want a *config.Error", err)
	}
	want := []string{
		`environments.qa.api.stages.live.burstLimit: is the number 0.5; want a whole number`,
		`environments.qa.backends.blue.maxInstances: is the string "4"; want a whole number`,
		`environments.qa.backends.blue.minInstances: 1e+300 is too large`,
	}
	if !slices.Equal(cfgErr.Problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(cfgErr.Problems, "\n"), strings.Join(want, "\n"))
	}
}

func TestFromContextReadsTheSelection(t *testing.T) {
	var envs any
	if err := json.Unmarshal([]byte(minimal), &envs); err != nil {
		t.Fatal(err)
	}
	ctx := fakeContext{EnvironmentsKey: envs, SelectKey: "qa"}
	got, err := FromContext(ctx)
	if err != nil || len(got.Environments) != 1 {
		t.Fatalf("FromContext = %v, %v", got, err)
	}
	ctx[SelectKey] = 7.0
	if _, err := FromContext(ctx); err == nil || !strings.Contains(err.Error(), "-c env") {
		t.Fatalf("a numeric env selection gave %v", err)
	}
}

type fakeContext map[string]any

func (f fakeContext) TryGetContext(key *string) any { return f[*key] }

func TestPlatformIsABranchOrAPinnedVersion(t *testing.T) {
	withPlatform := func(backend string) string {
		return `{"uat": {"account": "123456789012", "region": "eu-west-1", "backends": {"blue": ` + backend +
			`}, "api": {"stages": {"live": {"backend": "blue"}}}}}`
	}
	for _, backend := range []string{
		`{}`,
		`{"platform": "Python 3.13 running on 64bit Amazon Linux 2023", "platformRefresh": "2026-11-26"}`,
		`{"platform": "arn:aws:elasticbeanstalk:eu-west-1::platform/Node.js 24 running on 64bit Amazon Linux 2023/6.11.0"}`,
	} {
		if _, err := load(t, withPlatform(backend), ""); err != nil {
			t.Errorf("backend %s: %v", backend, err)
		}
	}
	for backend, want := range map[string]string{
		`{"platform": "64bit Amazon Linux 2023 v6.10.0 running Node.js 24"}`:                                                "platform: \"64bit Amazon Linux 2023 v6.10.0 running Node.js 24\" is a solution stack name",
		`{"platform": "arn:aws:elasticbeanstalk:us-east-1::platform/Node.js 24 running on 64bit Amazon Linux 2023/6.11.0"}`: "platform: \"arn:aws:elasticbeanstalk:us-east-1::platform/Node.js 24 running on 64bit Amazon Linux 2023/6.11.0\" is a platform version in us-east-1, but this environment deploys to eu-west-1",
		`{"platformRefresh": "a b"}`: "platformRefresh: \"a b\" is not a refresh token",
	} {
		if _, err := load(t, withPlatform(backend), ""); err == nil || !strings.Contains(err.Error(), "environments.uat.backends.blue."+want) {
			t.Errorf("backend %s: error %v, want it to say %q", backend, err, want)
		}
	}
}

func TestFromFileReadsTheEnvironmentsOfACdkJSON(t *testing.T) {
	path := t.TempDir() + "/cdk.json"
	if err := os.WriteFile(path, []byte(`{"app": "x", "context": {"environments": `+minimal+`}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	envs, err := FromFile(path)
	if err != nil || len(envs) != 1 || envs[0].Name != "qa" {
		t.Fatalf("FromFile = %v, %v", envs, err)
	}
	if _, err := FromFile(t.TempDir() + "/missing.json"); err == nil {
		t.Error("a missing file gave no error")
	}
}

func TestPipelineIsOptionalAndValidatedAgainstTheEnvironments(t *testing.T) {
	var rawEnvs, raw any
	if err := json.Unmarshal([]byte(minimal), &rawEnvs); err != nil {
		t.Fatal(err)
	}
	if f, err := Read(map[string]any{EnvironmentsKey: rawEnvs}, ""); err != nil || f.Pipeline != nil {
		t.Fatalf("no pipeline key gave %+v, %v", f, err)
	}
	if err := json.Unmarshal([]byte(`{"account": "111111111111", "region": "eu-west-1",
		"source": {"connectionArn": "arn:aws:codestar-connections:eu-west-1:111111111111:connection/12345678-1234-1234-1234-123456789012", "repository": "org/repo"},
		"waves": [{"name": "qa", "environments": ["qa"], "approval": true}]}`), &raw); err != nil {
		t.Fatal(err)
	}
	f, err := Read(map[string]any{EnvironmentsKey: rawEnvs, PipelineKey: raw}, "")
	if err != nil || f.Pipeline.Source.Branch != "main" || !f.Pipeline.Waves[0].Approval || f.Pipeline.Waves[0].Environments[0] != "qa" {
		t.Fatalf("Read = %+v, %v", f, err)
	}
	if _, err := Read(map[string]any{EnvironmentsKey: rawEnvs, PipelineKey: "yes"}, ""); err == nil || !strings.Contains(err.Error(), `pipeline: is the string "yes"`) {
		t.Fatalf("a string pipeline gave %v", err)
	}

	// The pipeline deploys every environment: FromContext gives it only when
	// no "-c env" narrows the app, but checks it either way.
	ctx := fakeContext{EnvironmentsKey: rawEnvs, PipelineKey: raw}
	if app, err := FromContext(ctx); err != nil || app.Pipeline == nil {
		t.Fatalf("FromContext without -c env = %+v, %v; want the pipeline", app, err)
	}
	ctx[SelectKey] = "qa"
	if app, err := FromContext(ctx); err != nil || app.Pipeline != nil || len(app.Environments) != 1 {
		t.Fatalf("FromContext with -c env=qa = %+v, %v; want qa and no pipeline", app, err)
	}
	ctx[PipelineKey] = "yes"
	if _, err := FromContext(ctx); err == nil || !strings.Contains(err.Error(), "pipeline:") {
		t.Fatalf("-c env=qa skipped checking the pipeline: %v", err)
	}
}

// TestSelectionReportsOnlyThatEnvironment checks issue #28: with -c env=NAME
// the app reports that environment's problems and those no one environment
// owns (a quota shared across environments), not the other environments'.
func TestSelectionReportsOnlyThatEnvironment(t *testing.T) {
	var raw any
	if err := json.Unmarshal([]byte(`{
		"qa": {"account": "123456789012", "region": "eu-west-1", "backends": {"blue": {"instanceType": "t3"}}, "api": {"vpcLinkQuota": 1, "stages": {"live": {"backend": "blue"}}}},
		"uat": {"account": "123456789012", "region": "eu-west-1", "backends": {"blue": {"minInstances": 0}}, "api": {"vpcLinkQuota": 1, "stages": {"live": {"backend": "blue"}}}}}`), &raw); err != nil {
		t.Fatal(err)
	}
	_, err := Read(map[string]any{EnvironmentsKey: raw}, "qa")
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("err = %v, want a *config.Error", err)
	}
	want := []string{
		`environments.qa.backends.blue.instanceType: "t3" is not an instance type; want e.g. "t3.small"`,
		`environments.qa.backends: needs 2 VPC links in account 123456789012 in eu-west-1 (environments qa, uat), more than the quota of 1 (api.vpcLinkQuota); remove backends or raise the quota with AWS and set api.vpcLinkQuota`,
	}
	if !slices.Equal(cfgErr.Problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(cfgErr.Problems, "\n"), strings.Join(want, "\n"))
	}
	if _, err := Read(map[string]any{EnvironmentsKey: raw}, ""); err == nil || !strings.Contains(err.Error(), "environments.uat.backends.blue.minInstances") {
		t.Errorf("without a selection, uat's problem is not reported: %v", err)
	}
}

func TestOnlyEndpointsEgressNeedsEndpointServices(t *testing.T) {
	endpoints := Network{Egress: EgressEndpoints}
	if got := endpoints.InterfaceEndpointServices(); !slices.Equal(got, []string{"elasticbeanstalk", "elasticbeanstalk-health", "sqs", "cloudformation", "logs"}) {
		t.Errorf("interface endpoint services %v", got)
	}
	if got := endpoints.GatewayEndpointServices(); !slices.Equal(got, []string{"s3"}) {
		t.Errorf("gateway endpoint services %v", got)
	}
	nat := Network{Egress: EgressNat}
	if nat.InterfaceEndpointServices() != nil || nat.GatewayEndpointServices() != nil {
		t.Error("egress nat needs no endpoints")
	}
}
