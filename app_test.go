//go:build heavy

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/internal/testsupport/cdktest"
	"privatebackend/internal/testsupport/deploytime"
	"privatebackend/stacks"
)

func expectedStacks(e *config.Environment) []string {
	names := []string{e.Name + "/Network", e.Name + "/Alerts", e.Name + "/Api"}
	for _, b := range e.BackendNames() {
		names = append(names, e.Name+"/Backend-"+b)
	}
	sort.Strings(names)
	return names
}

// accountStack is the ApiGatewayAccount stack where e deploys.
func accountStack(e *config.Environment) string {
	if e.Pinned() {
		return stacks.ApiGatewayAccountStackName + "-" + e.Account + "-" + e.Region + "/Logging"
	}
	return stacks.ApiGatewayAccountStackName + "/Logging"
}

func TestEveryEnvironmentSynthesizesItsStacks(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		want := map[string]bool{}
		if a.pipeline != nil {
			want["Pipeline"] = true
		}
		for _, e := range a.environments {
			want[accountStack(e)] = true
			stage, _, _ := strings.Cut(accountStack(e), "/")
			want[stage+"/Role"] = true
			for _, s := range expectedStacks(e) {
				want[s] = true
			}
		}
		if got := a.stackNames(); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
			t.Fatalf("stacks = %v, want %v", got, slices.Sorted(maps.Keys(want)))
		}
	})
}

// TestSnapshots compares every stack of every app with its reviewed
// snapshot: cdk.json's under testdata/snapshots, each fixture's under
// testdata/snapshots/apps/NAME. -update rewrites them and removes those of
// stacks that no longer exist.
func TestSnapshots(t *testing.T) {
	written := map[string]bool{}
	for _, a := range apps {
		dir := ""
		if a != shipped {
			dir = "apps/" + a.name + "/"
		}
		for _, name := range a.stackNames() {
			snapshot := dir + strings.ReplaceAll(name, "/", "-")
			written[snapshot] = true
			t.Run(a.name+"/"+name, func(t *testing.T) {
				cdktest.Snapshot(t, snapshot, a.assembly.Stacks[name].Template)
			})
		}
	}
	cdktest.PruneSnapshots(t, written)
}

func TestNoUnsuppressedNagFindingsOrAnnotations(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		for _, name := range a.stackNames() {
			for _, m := range a.assembly.Stacks[name].Messages {
				t.Errorf("%s: %s", name, m)
			}
		}
	})
}

// TestValidatorReportsNoViolation reads the CloudFormation validator's
// report. The validator lists itself only when it has something to report
// (a finding, or one acknowledged): with nothing, pluginReports is empty.
// TestGateFailsABadStack proves it runs.
func TestValidatorReportsNoViolation(t *testing.T) {
	validated := 0
	for _, a := range apps {
		if a.validationReport == nil {
			continue // synthesized without the validator
		}
		validated++
		t.Run(a.name, func(t *testing.T) {
			var report struct {
				PluginReports []struct {
					PluginName string `json:"pluginName"`
					Conclusion string `json:"conclusion"`
					Violations []any  `json:"violations"`
				} `json:"pluginReports"`
			}
			if err := json.Unmarshal(a.validationReport, &report); err != nil {
				t.Fatal(err)
			}
			for _, p := range report.PluginReports {
				if p.Conclusion != "success" || len(p.Violations) > 0 {
					t.Errorf("%s: conclusion %s with %d violations", p.PluginName, p.Conclusion, len(p.Violations))
				}
			}
		})
	}
	if validated == 0 || shipped.validationReport == nil {
		t.Errorf("the validator reported on %d apps; want cdk.json's among them", validated)
	}
}

func TestNagReportsListEverySuppressionWithItsReason(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		for _, name := range a.stackNames() {
			stage, _, _ := strings.Cut(name, "/")
			if stage == name {
				stage = "" // a stack of the App itself, such as Pipeline
			}
			file := "AwsSolutions-" + stage + "-" + a.assembly.Stacks[name].Name + "-NagReport.csv"
			if _, ok := a.nagReports[file]; !ok {
				t.Errorf("no nag report %s for %s; have %v", file, name, slices.Sorted(maps.Keys(a.nagReports)))
			}
		}
		suppressed := 0
		for file, report := range a.nagReports {
			for _, line := range strings.Split(report, "\n") {
				if !strings.Contains(line, `"Suppressed"`) {
					continue
				}
				suppressed++
				fields := strings.Split(line, `","`)
				if reason := strings.Trim(fields[len(fields)-1], `"`); len(reason) < 40 {
					t.Errorf("%s: suppression without a real reason: %s", file, line)
				}
			}
		}
		if suppressed == 0 {
			t.Error("the nag reports list no suppression at all; the gate cannot have run")
		}
	})
}

// TestGateFailsABadStack proves the gate is not a formality: a stack with an
// SSH port open to the world and one CloudFormation would reject both fail.
func TestGateFailsABadStack(t *testing.T) {
	t.Run("cdk-nag", func(t *testing.T) {
		dir := t.TempDir()
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: &dir, BuiltinCloudFormationValidation: jsii.Bool(false)})
		stage := awscdk.NewStage(app, jsii.String("bad"), nil)
		attachGates(stage)
		s := awscdk.NewStack(stage, jsii.String("Open"), nil)
		sg := awsec2.NewSecurityGroup(s, jsii.String("Open"), &awsec2.SecurityGroupProps{
			Vpc: awsec2.NewVpc(s, jsii.String("Vpc"), nil),
		})
		sg.AddIngressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(22)), nil, nil)
		app.Synth(nil)
		a, err := cdktest.ReadAssembly(dir)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range a.Stacks["bad/Open"].Messages {
			found = found || (m.Level == "error" && strings.Contains(m.Text, "AwsSolutions-EC23"))
		}
		if !found {
			t.Fatalf("cdk-nag did not report AwsSolutions-EC23 on a security group open to 0.0.0.0/0; messages: %v", a.Stacks["bad/Open"].Messages)
		}
	})
	t.Run("validator", func(t *testing.T) {
		dir := t.TempDir()
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: &dir, Context: &map[string]any{
			"@aws-cdk/core:validateAgainstDefaultRules": shipped.context["@aws-cdk/core:validateAgainstDefaultRules"],
			"@aws-cdk/core:validationReportPrettyPrint": false,
		}})
		s := awscdk.NewStack(app, jsii.String("Rejected"), nil)
		queue := awssqs.NewQueue(s, jsii.String("Queue"), nil)
		// CloudFormation rejects a visibility timeout above 12 hours.
		queue.Node().DefaultChild().(awscdk.CfnResource).AddPropertyOverride(jsii.String("VisibilityTimeout"), 999999)
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("%v", r)
				}
			}()
			app.Synth(nil)
			return nil
		}()
		if err == nil {
			t.Fatal("synthesis of a template CloudFormation would reject succeeded")
		}
	})
}

// TestCrossStackReferences checks that every value a stack imports is
// exported by the stack it belongs to, and that the imports only point down
// the environment's layers: Network and Alerts import nothing, backends
// import only from them, and only the Api stack imports from backends. That
// is what keeps the README's removal order true: once the Api stops naming a
// backend, nothing imports from its stack and it can be deleted.
func TestCrossStackReferences(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		for _, e := range a.environments {
			exports := map[string]string{}
			for _, name := range expectedStacks(e) {
				outputs, _ := a.stack(t, name).Template["Outputs"].(map[string]any)
				for _, o := range outputs {
					if export, ok := o.(map[string]any)["Export"].(map[string]any); ok {
						exports[fmt.Sprint(export["Name"])] = name
					}
				}
			}
			importedFrom := func(consumer string) map[string]bool {
				from := map[string]bool{}
				for _, imp := range deploytime.Imports(a.stack(t, consumer).Template) {
					producer, ok := exports[imp]
					if !ok {
						t.Errorf("%s imports %q, which no stack of %s exports", consumer, imp, e.Name)
					}
					from[producer] = true
				}
				return from
			}
			only := func(consumer string, from map[string]bool, allowed ...string) {
				for producer := range from {
					if !slices.Contains(allowed, producer) {
						t.Errorf("%s imports from %s; it may import only from %v", consumer, producer, allowed)
					}
				}
			}
			network, alerts, api := e.Name+"/Network", e.Name+"/Alerts", e.Name+"/Api"
			only(network, importedFrom(network))
			only(alerts, importedFrom(alerts))
			for _, b := range e.BackendNames() {
				backend := e.Name + "/Backend-" + b
				from := importedFrom(backend)
				only(backend, from, network, alerts)
				if e.Network.VpcID == "" && !from[network] {
					t.Errorf("%s imports nothing from the network stack", backend)
				}
				if !from[alerts] {
					t.Errorf("%s's alarms do not notify the alarm topic", backend)
				}
			}
			from := importedFrom(api)
			allowed := []string{alerts, network}
			for _, b := range e.BackendNames() {
				allowed = append(allowed, e.Name+"/Backend-"+b)
				if !from[e.Name+"/Backend-"+b] {
					t.Errorf("%s imports nothing from backend %s", api, b)
				}
			}
			only(api, from, allowed...)
		}
	})
}

var stageVariable = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)

// TestEveryStageDefinesEveryVariableTheMethodsUse guards against the failure
// API Gateway only reports at request time.
func TestEveryStageDefinesEveryVariableTheMethodsUse(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		for _, e := range a.environments {
			api := a.stack(t, e.Name+"/Api")
			used := map[string]bool{}
			for _, m := range api.Resources("AWS::ApiGateway::Method") {
				data, _ := json.Marshal(m)
				for _, match := range stageVariable.FindAllStringSubmatch(string(data), -1) {
					used[match[1]] = true
				}
			}
			if !used["vpcLinkId"] || !used["backendHost"] {
				t.Fatalf("%s/Api: methods use stage variables %v; want vpcLinkId and backendHost", e.Name, slices.Sorted(maps.Keys(used)))
			}
			stages := api.Resources("AWS::ApiGateway::Stage")
			if len(stages) != len(e.API.Stages) {
				t.Errorf("%s/Api has %d stages, configured %d", e.Name, len(stages), len(e.API.Stages))
			}
			for id, s := range stages {
				props := s["Properties"].(map[string]any)
				vars, _ := props["Variables"].(map[string]any)
				for v := range used {
					if _, ok := vars[v]; !ok {
						t.Errorf("%s/Api stage %s does not define %q", e.Name, id, v)
					}
				}
				if canary, ok := props["CanarySetting"].(map[string]any); ok {
					overrides, _ := canary["StageVariableOverrides"].(map[string]any)
					for v := range used {
						if _, ok := overrides[v]; !ok {
							t.Errorf("%s/Api stage %s: canary does not override %q", e.Name, id, v)
						}
					}
				}
			}
		}
	})
}

// TestStagesPointAtTheirConfiguredBackends follows each stage's vpcLinkId
// to a VPC link and checks the link targets the configured backend's NLB.
func TestStagesPointAtTheirConfiguredBackends(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		for _, e := range a.environments {
			api := a.stack(t, e.Name+"/Api")
			links := api.Resources("AWS::ApiGateway::VpcLink")
			if len(links) != len(e.Backends) {
				t.Errorf("%s/Api has %d VPC links for %d backends", e.Name, len(links), len(e.Backends))
			}
			for _, s := range api.Resources("AWS::ApiGateway::Stage") {
				props := s["Properties"].(map[string]any)
				name := fmt.Sprint(props["StageName"])
				cfg, ok := e.API.Stages[name]
				if !ok {
					t.Errorf("%s/Api has stage %s, which is not configured", e.Name, name)
					continue
				}
				check := func(what string, vars map[string]any, backend string) {
					ref, _ := vars["vpcLinkId"].(map[string]any)["Ref"].(string)
					link, ok := links[ref]
					if !ok {
						t.Errorf("%s/Api stage %s %s: vpcLinkId %v is not a VPC link of the stack", e.Name, name, what, vars["vpcLinkId"])
						return
					}
					targets, _ := json.Marshal(link["Properties"].(map[string]any)["TargetArns"])
					backendStack := strings.ReplaceAll(e.Name+"-Backend-"+backend, "-", "")
					if !bytes.Contains(bytes.ReplaceAll(targets, []byte("-"), nil), []byte(backendStack)) {
						t.Errorf("%s/Api stage %s %s: VPC link targets %s, want an export of backend %s", e.Name, name, what, targets, backend)
					}
					host, _ := json.Marshal(vars["backendHost"])
					if !bytes.Contains(bytes.ReplaceAll(host, []byte("-"), nil), []byte(backendStack)) {
						t.Errorf("%s/Api stage %s %s: backendHost %s, want an export of backend %s", e.Name, name, what, host, backend)
					}
				}
				check("variables", props["Variables"].(map[string]any), cfg.Backend)
				if cfg.Canary != nil {
					canary := props["CanarySetting"].(map[string]any)
					check("canary", canary["StageVariableOverrides"].(map[string]any), cfg.Canary.Backend)
					if canary["PercentTraffic"] != cfg.Canary.Percent {
						t.Errorf("%s/Api stage %s: canary percent %v, want %v", e.Name, name, canary["PercentTraffic"], cfg.Canary.Percent)
					}
				}
			}
		}
	})
}

// TestBadConfigurationsFailCleanly runs every configuration under
// testdata/badconfig through the CLI's entry point: each must exit 1 with
// its messages, no panic trace, and nothing written to the output directory.
func TestBadConfigurationsFailCleanly(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "badconfig", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("the corpus holds %d bad configurations; want at least 30", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			var c struct {
				Context map[string]any `json:"context"`
				Want    []string       `json:"want"`
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var stderr bytes.Buffer
			code := run(&stderr, &awscdk.AppProps{Context: &c.Context, Outdir: &dir})
			msg := stderr.String()
			if code != 1 {
				t.Errorf("exit code %d, want 1; output:\n%s", code, msg)
			}
			for _, want := range c.Want {
				if !strings.Contains(msg, want) {
					t.Errorf("output does not say %q; it says:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic") {
				t.Errorf("output shows a Go panic:\n%s", msg)
			}
			if written := cdktest.DirEntries(dir); len(written) > 0 {
				t.Errorf("a bad configuration wrote %v to the output directory", written)
			}
		})
	}
}

// alarmsOf returns the alarms of a stack by alarm name.
func alarmsOf(t *testing.T, a *app, name string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for id, a := range a.stack(t, name).Resources("AWS::CloudWatch::Alarm") {
		props := a["Properties"].(map[string]any)
		alarmName, ok := props["AlarmName"].(string)
		if !ok {
			t.Errorf("%s: alarm %s has no plain name", name, id)
			continue
		}
		out[alarmName] = props
	}
	return out
}

// TestEveryStageAndBackendIsWatched checks every environment of every app: each
// stage has its error-rate and latency alarms and each backend its health and
// host alarms, with the configured thresholds, each notifying the
// environment's topic on ALARM and on OK; the dashboard shows them all.
func TestEveryStageAndBackendIsWatched(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		for _, e := range a.environments {
			alarms, schedule := e.Monitoring.StageAlarms.WithDefaults(), e.Monitoring.AlarmSchedule.WithDefaults()
			period, periods := *schedule.PeriodMinutes, *schedule.EvaluationPeriods
			topic := e.Name + "-Alerts:ExportsOutputRefAlarmTopic"
			check := func(stackName, alarmName string, threshold float64, periodMinutes, evaluationPeriods int) {
				alarm, ok := alarmsOf(t, a, stackName)[alarmName]
				if !ok {
					t.Errorf("%s has no alarm %s", stackName, alarmName)
					return
				}
				if alarm["Threshold"] != threshold || alarm["EvaluationPeriods"] != float64(evaluationPeriods) {
					t.Errorf("%s: threshold %v over %v periods, want %v over %d", alarmName, alarm["Threshold"], alarm["EvaluationPeriods"], threshold, evaluationPeriods)
				}
				for _, actions := range []string{"AlarmActions", "OKActions"} {
					data, _ := json.Marshal(alarm[actions])
					if !strings.Contains(string(data), topic) {
						t.Errorf("%s: %s = %s, want the alarm topic", alarmName, actions, data)
					}
				}
				if data, _ := json.Marshal(alarm["Metrics"]); !strings.Contains(string(data), fmt.Sprintf(`"Period":%d`, periodMinutes*60)) {
					t.Errorf("%s: metrics %s do not use a %d-minute period", alarmName, data, periodMinutes)
				}
			}
			api := e.Name + "/Api"
			for _, s := range e.StageNames() {
				check(api, e.Name+"-Api-"+s+"-5xx-rate", *alarms.ErrorRatePercent, period, periods)
				check(api, e.Name+"-Api-"+s+"-latency-"+alarms.LatencyPercentile, float64(*alarms.LatencyThresholdMs), period, periods)
			}
			// Health is judged over periods of at least 5 minutes, about as long in all.
			healthPeriod := max(period, 5)
			healthPeriods := (periods*period + healthPeriod - 1) / healthPeriod
			for _, b := range e.BackendNames() {
				check(e.Name+"/Backend-"+b, e.Name+"-Backend-"+b+"-health-degraded", 20, healthPeriod, healthPeriods)
				check(e.Name+"/Backend-"+b, e.Name+"-Backend-"+b+"-unhealthy-hosts", 1, period, periods)
			}
			dashboards := a.stack(t, api).Resources("AWS::CloudWatch::Dashboard")
			if len(dashboards) != 1 {
				t.Fatalf("%s has %d dashboards, want 1", api, len(dashboards))
			}
			for _, d := range dashboards {
				body, _ := json.Marshal(d["Properties"].(map[string]any)["DashboardBody"])
				for _, s := range e.StageNames() {
					for _, title := range []string{"Stage " + s + ": requests and errors", "Stage " + s + ": latency (ms)"} {
						if !strings.Contains(string(body), title) {
							t.Errorf("%s dashboard has no widget %q", e.Name, title)
						}
					}
				}
				for _, b := range e.BackendNames() {
					for _, title := range []string{"Backend " + b + ": environment health", "Backend " + b + ": load balancer hosts"} {
						if !strings.Contains(string(body), title) {
							t.Errorf("%s dashboard has no widget %q", e.Name, title)
						}
					}
				}
				if alarms := strings.Count(string(body), "Arn"); !strings.Contains(string(body), `\"type\":\"alarm\"`) || alarms < 2*len(e.API.Stages)+2*len(e.Backends) {
					t.Errorf("%s dashboard's alarm status widget lists %d alarms, want every one", e.Name, alarms)
				}
			}
		}
	})
}

// TestBackendsAndTheirFoundationsDeployConcurrently checks what lets
// "cdk deploy --concurrency" save time: Network and Alerts do not wait for
// each other, and no backend waits for another, so each backend's ten
// minutes of Beanstalk run beside the others'.
func TestBackendsAndTheirFoundationsDeployConcurrently(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		for _, e := range a.environments {
			network, alerts := e.Name+"/Network", e.Name+"/Alerts"
			if slices.Contains(a.stack(t, network).Dependencies, alerts) || slices.Contains(a.stack(t, alerts).Dependencies, network) {
				t.Errorf("%s: Network and Alerts depend on each other", e.Name)
			}
			for _, b := range e.BackendNames() {
				for _, dep := range a.stack(t, e.Name+"/Backend-"+b).Dependencies {
					if strings.HasPrefix(dep, e.Name+"/Backend-") {
						t.Errorf("%s/Backend-%s waits for %s", e.Name, b, dep)
					}
				}
			}
			if deps := a.stack(t, e.Name+"/Api").Dependencies; len(deps) == 0 {
				t.Errorf("%s/Api depends on nothing; it imports from the backends", e.Name)
			}
		}
	})
}

// TestOneStackPerAccountAndRegionOwnsTheApiGatewayAccount checks that no
// environment's stack claims the account's one API Gateway setting
// ("you should only have one AWS::ApiGateway::Account resource per region per
// account"), that every ApiGatewayAccount stack deploys under one
// CloudFormation name, so an account and region holds one, and that each
// account and region an environment deploys to has one.
func TestOneStackPerAccountAndRegionOwnsTheApiGatewayAccount(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		owners := map[string]bool{}
		for _, name := range a.stackNames() {
			s := a.stack(t, name)
			if n := len(s.Resources("AWS::ApiGateway::Account")); n > 0 {
				if s.Name != stacks.ApiGatewayAccountStackName || n != 1 {
					t.Errorf("%s (stack %s) owns %d AWS::ApiGateway::Account; only the one %s stack of an account and region may", name, s.Name, n, stacks.ApiGatewayAccountStackName)
				}
				owners[name] = true
			}
		}
		for _, e := range a.environments {
			if !owners[accountStack(e)] {
				t.Errorf("environment %s deploys where no stack sets the API Gateway account's logging role (want %s)", e.Name, accountStack(e))
			}
		}
	})
}

// TestThePipelineDeploysEachAccountsLoggingStackOnce checks that an
// environment-agnostic environment, which the pipeline deploys into its own
// account and region, does not bring a second ApiGatewayAccount stage there
// when a pinned environment already does.
func TestThePipelineDeploysEachAccountsLoggingStackOnce(t *testing.T) {
	agnostic := accountStage{name: "ApiGatewayAccount"}
	here := accountStage{name: "ApiGatewayAccount-111111111111-eu-west-1", account: "111111111111", region: "eu-west-1"}
	elsewhere := accountStage{name: "ApiGatewayAccount-222222222222-eu-west-1", account: "222222222222", region: "eu-west-1"}
	names := func(stages []accountStage) (out []string) {
		for _, s := range stages {
			out = append(out, s.name)
		}
		return out
	}
	if got := names(pipelineAccountStages([]accountStage{agnostic, here, elsewhere}, "111111111111", "eu-west-1")); !slices.Equal(got, []string{here.name, elsewhere.name}) {
		t.Errorf("with a pinned environment in the pipeline's account and region: %v", got)
	}
	if got := names(pipelineAccountStages([]accountStage{agnostic, elsewhere}, "111111111111", "eu-west-1")); !slices.Equal(got, []string{agnostic.name, elsewhere.name}) {
		t.Errorf("without one: %v", got)
	}
}
