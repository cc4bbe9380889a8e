package controls

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The package as npm installs it at the project root; the tests run it
// for real (./scripts/test installs it first).
var guard *Guard

func TestMain(m *testing.M) {
	var err error
	if guard, err = Load(filepath.Join("..", "..", PackageDir)); err != nil {
		os.Stderr.WriteString("loading the rule set: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestLoadReadsEveryControlUnderTheIDItsMetadataGives(t *testing.T) {
	if len(guard.Controls) < 200 {
		t.Fatalf("%d controls; the Control Tower rule set has over 200", len(guard.Controls))
	}
	if !slices.IsSortedFunc(guard.Controls, func(a, b Control) int { return CompareIDs(a.ID, b.ID) }) {
		t.Error("the controls are not in ID order")
	}
	logs, ok := guard.Control("CT.CLOUDWATCH.PR.3")
	if !ok || logs.RuleName != "cloudwatch_log_group_encrypted_check" || filepath.Base(logs.RuleFile) != "ct-cloudwatch-pr-3.guard" ||
		!slices.Equal(logs.ResourceTypes, []string{"AWS::Logs::LogGroup"}) || !strings.Contains(logs.Title, "encrypted") {
		t.Errorf("CT.CLOUDWATCH.PR.3 = %+v", logs)
	}
	// The file name alone would say CT.NETWORK.FIREWALL.PR.1.
	if c, ok := guard.Control("CT.NETWORK-FIREWALL.PR.1"); !ok || filepath.Base(c.RuleFile) != "ct-network-firewall-pr-1.guard" {
		t.Errorf("CT.NETWORK-FIREWALL.PR.1 = %+v, %v", c, ok)
	}
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatal(err)
	}
	if want := pkg.DevDependencies["@cdklabs/cdk-validator-cfnguard"]; guard.PackageVersion != want || guard.Version == "" {
		t.Errorf("loaded package %s with cfn-guard %q; package.json pins %s", guard.PackageVersion, guard.Version, want)
	}
}

func TestBinaryPathIsThePackagesChoiceForThePlatform(t *testing.T) {
	for goos, want := range map[[2]string]string{
		{"linux", "amd64"}:  "bin/ubuntu/x86_64/cfn-guard",
		{"linux", "arm64"}:  "bin/ubuntu/aarch64/cfn-guard",
		{"darwin", "arm64"}: "bin/macos/aarch64/cfn-guard",
	} {
		if got, err := binaryPath(goos[0], goos[1]); err != nil || got != filepath.FromSlash(want) {
			t.Errorf("binaryPath(%s/%s) = %q, %v; want %s", goos[0], goos[1], got, err, want)
		}
	}
	if _, err := binaryPath("windows", "amd64"); err == nil || !strings.Contains(err.Error(), "not for windows/amd64") {
		t.Errorf("windows gave %v", err)
	}
}

func TestCompareIDsOrdersNumbersAsNumbers(t *testing.T) {
	ids := []string{"CT.S3.PR.10", "CT.S3.PR.2", "CT.KMS.PR.3", "CT.S3.PR.1", "CT.CLOUDWATCH.PR.2"}
	slices.SortFunc(ids, CompareIDs)
	if want := []string{"CT.CLOUDWATCH.PR.2", "CT.KMS.PR.3", "CT.S3.PR.1", "CT.S3.PR.2", "CT.S3.PR.10"}; !slices.Equal(ids, want) {
		t.Fatalf("sorted %v, want %v", ids, want)
	}
}

// key and deniedgrants hold the same resource types, so Check runs them
// together; the others each need controls of their own.
var fixtures = map[string]string{
	"logs":         filepath.Join("testdata", "logs.template.json"),
	"key":          filepath.Join("testdata", "key.template.json"),
	"deniedgrants": filepath.Join("testdata", "deniedgrants.template.json"),
	"unchecked":    filepath.Join("testdata", "unchecked.template.json"),
}

func outcome(t *testing.T, results []Result, template, control string) Result {
	t.Helper()
	for _, r := range results {
		if r.Template == template && r.Control == control {
			return r
		}
	}
	t.Fatalf("no result for %s on %s", control, template)
	return Result{}
}

func TestCheckReportsPassFailAndSkipWithTheFailingResources(t *testing.T) {
	results, err := guard.Check(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(fixtures)*len(guard.Controls) {
		t.Fatalf("%d results, want one per template and control", len(results))
	}
	for _, want := range []Result{
		{Template: "logs", Control: "CT.CLOUDWATCH.PR.2", Outcome: Fail, Resources: []string{"Plain"}},
		{Template: "logs", Control: "CT.CLOUDWATCH.PR.3", Outcome: Fail, Resources: []string{"Plain"}},
		{Template: "logs", Control: "CT.KMS.PR.1", Outcome: Pass},
		{Template: "logs", Control: "CT.KMS.PR.3", Outcome: Pass},
		{Template: "key", Control: "CT.KMS.PR.3", Outcome: Fail, Resources: []string{"Open"}},
		{Template: "deniedgrants", Control: "CT.KMS.PR.3", Outcome: Pass},
		{Template: "key", Control: "CT.CLOUDWATCH.PR.3", Outcome: Skip},
		{Template: "unchecked", Control: "CT.KMS.PR.3", Outcome: Skip},
	} {
		got := outcome(t, results, want.Template, want.Control)
		if got.Outcome != want.Outcome || !slices.Equal(got.Resources, want.Resources) {
			t.Errorf("%s on %s: %s %v, want %s %v", want.Control, want.Template, got.Outcome, got.Resources, want.Outcome, want.Resources)
		}
	}
	for _, r := range results {
		if r.Template == "unchecked" && r.Outcome != Skip {
			t.Errorf("%s on a template without resources it evaluates: %s", r.Control, r.Outcome)
		}
	}
}

func TestCheckFailsOnAMissingTemplate(t *testing.T) {
	if _, err := guard.Check(map[string]string{"gone": filepath.Join("testdata", "gone.json")}); err == nil {
		t.Fatal("checking a missing template succeeded")
	}
}

func TestTemplatesListsTheStacksOfNestedAssemblies(t *testing.T) {
	dir := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manifest.json", `{"artifacts": {
		"Pipeline": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Pipeline.template.json"}},
		"assembly-qa": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-qa"}},
		"Tree": {"type": "cdk:tree"}}}`)
	write("assembly-qa/manifest.json", `{"artifacts": {
		"qaNetwork1234": {"type": "aws:cloudformation:stack", "displayName": "qa/Network", "properties": {"templateFile": "qaNetwork1234.template.json"}}}}`)
	got, err := Templates(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Pipeline":   filepath.Join(dir, "Pipeline.template.json"),
		"qa/Network": filepath.Join(dir, "assembly-qa", "qaNetwork1234.template.json"),
	}
	if len(got) != len(want) || got["Pipeline"] != want["Pipeline"] || got["qa/Network"] != want["qa/Network"] {
		t.Fatalf("Templates = %v, want %v", got, want)
	}
}

func TestStackKindDropsTheEnvironmentAndTheInstanceName(t *testing.T) {
	for name, want := range map[string]string{
		"qa/Backend-blue":  "Backend",
		"uat/Network":      "Network",
		"staging-eu/Api":   "Api",
		"Pipeline":         "Pipeline",
		"qa/Backend-a-b-c": "Backend",
		"cross-region-stack-111111111111:us-east-1": "CrossRegionSupport",
	} {
		if got := StackKind(name); got != want {
			t.Errorf("StackKind(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestOutcomeTableRoundTripsAndComparesClearly(t *testing.T) {
	results := []Result{
		{Template: "qa/Api", Control: "CT.CLOUDWATCH.PR.2", Outcome: Fail, Resources: []string{"A", "B"}},
		{Template: "qa/Api", Control: "CT.CLOUDWATCH.PR.3", Outcome: Pass},
		{Template: "qa/Api", Control: "CT.S3.PR.1", Outcome: Skip},
	}
	var buf bytes.Buffer
	if err := WriteOutcomes(&buf, results); err != nil {
		t.Fatal(err)
	}
	if want := "template,stack kind,control,outcome,failing resources\nqa/Api,Api,CT.CLOUDWATCH.PR.2,fail,A B\nqa/Api,Api,CT.CLOUDWATCH.PR.3,pass,\n"; buf.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", buf.String(), want)
	}
	table, err := ReadOutcomes(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diffs := CompareOutcomes(table, results); len(diffs) != 0 {
		t.Fatalf("the table differs from what it was written from: %v", diffs)
	}
	now := []Result{
		{Template: "qa/Api", Control: "CT.CLOUDWATCH.PR.2", Outcome: Pass},
		{Template: "qa/Api", Control: "CT.CLOUDWATCH.PR.3", Outcome: Fail, Resources: []string{"C"}},
		{Template: "qa/Network", Control: "CT.LAMBDA.PR.3", Outcome: Fail, Resources: []string{"F"}},
	}
	want := []string{
		"qa/Api CT.CLOUDWATCH.PR.2: fixed, now pass; the table says it fails on A B",
		"qa/Api CT.CLOUDWATCH.PR.3: new failure on C; the table says pass",
		"qa/Network CT.LAMBDA.PR.3: new failure on F; the table says nothing (skip)",
	}
	if diffs := CompareOutcomes(table, now); !slices.Equal(diffs, want) {
		t.Fatalf("differences:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(want, "\n"))
	}
	for _, bad := range []string{
		"template,control\n",
		"template,stack kind,control,outcome,failing resources\nqa/Api,Api,CT.S3.PR.1,fail,\n",
		"template,stack kind,control,outcome,failing resources\nqa/Api,Api,CT.S3.PR.1,skip,\n",
	} {
		if _, err := ReadOutcomes(strings.NewReader(bad)); err == nil {
			t.Errorf("read the bad table %q", bad)
		}
	}
}

const decisionsCSV = `control,stack kind,decision,reason
CT.CLOUDWATCH.PR.2,Api,setting,"Set api.accessLogRetentionDays to 365 or more; storage costs $0.03 per GB a month."
CT.S3.PR.2,Pipeline,accepted,"The access-log bucket cannot log to itself; exempt the control for the pipeline's account."
`

func TestDecisionsAreCheckedAndUndecidedFailuresNamed(t *testing.T) {
	d, err := ReadDecisions(strings.NewReader(decisionsCSV))
	if err != nil {
		t.Fatal(err)
	}
	if dec, ok := d.For("CT.S3.PR.2", "Pipeline"); !ok || dec.Verdict != Accepted {
		t.Fatalf("For(CT.S3.PR.2, Pipeline) = %+v, %v", dec, ok)
	}
	results := []Result{
		{Template: "qa/Api", Control: "CT.CLOUDWATCH.PR.2", Outcome: Fail, Resources: []string{"A"}},
		{Template: "qa/Backend-blue", Control: "CT.CLOUDWATCH.PR.2", Outcome: Fail, Resources: []string{"L"}},
		{Template: "qa/Backend-green", Control: "CT.CLOUDWATCH.PR.2", Outcome: Fail, Resources: []string{"L"}},
		{Template: "Pipeline", Control: "CT.S3.PR.2", Outcome: Fail, Resources: []string{"Logs"}},
		{Template: "Pipeline", Control: "CT.S3.PR.4", Outcome: Pass},
	}
	got := Undecided(results, d)
	if len(got) != 1 || !strings.HasPrefix(got[0], "CT.CLOUDWATCH.PR.2 on Backend stacks (qa/Backend-blue, qa/Backend-green): no decision; add a row") {
		t.Fatalf("Undecided = %q", got)
	}
	for bad, want := range map[string]string{
		"control,kind\n": "header",
		"control,stack kind,decision,reason\nCT.S3.PR.2,Pipeline,maybe,\"A reason that is long enough to act on, surely.\"\n": `decision "maybe"`,
		"control,stack kind,decision,reason\nCT.S3.PR.2,Pipeline,accepted,Because.\n":                                         "too short",
		decisionsCSV + "CT.S3.PR.2,Pipeline,open,\"A reason that is long enough to act on, surely.\"\n":                       "a second decision",
	} {
		if _, err := ReadDecisions(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadDecisions(%q) = %v; want %q", bad, err, want)
		}
	}
}

func TestSummaryCountsPerTemplateAndGivesEachFailureItsDecision(t *testing.T) {
	d, err := ReadDecisions(strings.NewReader(decisionsCSV))
	if err != nil {
		t.Fatal(err)
	}
	results := []Result{
		{Template: "qa/Api", Control: "CT.CLOUDWATCH.PR.2", Outcome: Fail, Resources: []string{"AccessLogs"}},
		{Template: "qa/Api", Control: "CT.CLOUDWATCH.PR.3", Outcome: Pass},
		{Template: "qa/Network", Control: "CT.CLOUDWATCH.PR.2", Outcome: Fail, Resources: []string{"FlowLogs"}},
	}
	var out bytes.Buffer
	if err := WriteSummary(&out, guard, results, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"qa/Api      1     1\n",
		"qa/Network  0     1\n",
		"1 controls fail:\nCT.CLOUDWATCH.PR.2  Require an Amazon CloudWatch log group to be retained for at least one year\n",
		"    qa/Api: AccessLogs\n",
		"  Api stacks: setting: Set api.accessLogRetentionDays",
		"  Network stacks: no decision recorded\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the summary does not say %q:\n%s", want, out.String())
		}
	}
}
