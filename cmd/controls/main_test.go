package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"privatebackend/internal/controls"
)

// assembly writes a cloud assembly with one stack, edge/Network, whose log
// group fails CT.CLOUDWATCH.PR.2 and CT.CLOUDWATCH.PR.3, and a cdk.json
// with the given "controls" context; it returns the arguments that check it.
func assembly(t *testing.T, controlsContext string) []string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"cdk.out/manifest.json": `{"artifacts": {"edgeNetwork": {"type": "aws:cloudformation:stack", "displayName": "edge/Network",
			"properties": {"templateFile": "edgeNetwork.template.json"}}}}`,
		"cdk.out/edgeNetwork.template.json": `{"Resources": {"FlowLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}}}`,
		"cdk.json":                          `{"app": "./scripts/app", "context": {"environments": {}` + controlsContext + `}}`,
		"decisions.csv": "control,stack kind,decision,reason\n" +
			`CT.CLOUDWATCH.PR.2,Network,setting,"Set network.flowLogRetentionDays to 365 or more, at $0.03 per GB a month."` + "\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"-config", filepath.Join(dir, "cdk.json"), "-decisions", filepath.Join(dir, "decisions.csv"),
		"-rules", filepath.Join("..", "..", controls.PackageDir), filepath.Join(dir, "cdk.out")}
}

func TestFailingControlsAreReportedAndFailOnlyWhenEnforced(t *testing.T) {
	for _, c := range []struct {
		name, context string
		code          int
		want          []string
	}{
		{"report only", ``, 0, []string{
			"edge/Network  0     2\n",
			"CT.CLOUDWATCH.PR.2  Require an Amazon CloudWatch log group to be retained for at least one year\n    edge/Network: FlowLogs\n  Network stacks: setting: Set network.flowLogRetentionDays",
			"CT.CLOUDWATCH.PR.3  Require an Amazon CloudWatch log group to be encrypted",
			"  Network stacks: no decision recorded\n",
			`Reported only: set "controls": {"enforce": true} in cdk.json`,
		}},
		{"enforced", `, "controls": {"enforce": true}`, 1, []string{
			"controls: controls.enforce is on and 2 controls fail that controls.exempt does not list: CT.CLOUDWATCH.PR.2, CT.CLOUDWATCH.PR.3\n",
		}},
		{"enforced with exemptions", `, "controls": {"enforce": true, "exempt": ["CT.CLOUDWATCH.PR.3", "CT.CLOUDWATCH.PR.2"]}`, 0, []string{
			"2 controls fail:",
		}},
		{"an exemption of no control", `, "controls": {"enforce": true, "exempt": ["CT.S3.PR.99"]}`, 1, []string{
			`controls: controls.exempt[0]: "CT.S3.PR.99" is not a control of the rule set (@cdklabs/cdk-validator-cfnguard 0.0.62)`,
		}},
		{"a mistake in the key", `, "controls": {"enforced": true}`, 1, []string{
			`controls: unknown key "enforced"; did you mean "enforce"?`,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(assembly(t, c.context), &stdout, &stderr)
			out := stdout.String() + stderr.String()
			if code != c.code {
				t.Errorf("exit code %d, want %d; output:\n%s", code, c.code, out)
			}
			for _, want := range c.want {
				if !strings.Contains(out, want) {
					t.Errorf("the output does not say %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestBadArgumentsExitTwo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"a", "b"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "at most one cloud assembly") {
		t.Errorf("two directories: exit %d, %s", code, stderr.String())
	}
	if code := run([]string{"-nope"}, &stdout, &stderr); code != 2 {
		t.Errorf("an unknown flag: exit %d", code)
	}
}
