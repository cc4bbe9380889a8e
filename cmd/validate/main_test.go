package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	// Defines -update, which ./scripts/test -update passes to every package.
	_ "privatebackend/internal/testsupport/golden"
)

func runValidate(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// writeConfig writes a cdk.json with the given context and returns its path.
func writeConfig(t *testing.T, context string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cdk.json")
	if err := os.WriteFile(path, []byte(`{"app": "./scripts/app", "context": `+context+`}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const twoEnvironments = `{"environments": {
  "qa":  {"backends": {"blue": {}}, "api": {"stages": {"live": {"backend": "blue"}}}},
  "uat": {"backends": {"blue": {}}, "api": {"stages": {"live": {"backend": "blue"}}}}}}`

func TestTheShippedConfigurationIsValid(t *testing.T) {
	code, stdout, stderr := runValidate("-config", "../../cdk.json")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "../../cdk.json: valid; environments ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestBadConfigurationsAreRejectedAsTheAppRejectsThem runs the app's
// corpus of bad configurations: each must exit 1 with the messages a
// synthesis gives.
func TestBadConfigurationsAreRejectedAsTheAppRejectsThem(t *testing.T) {
	files, err := filepath.Glob("../../testdata/badconfig/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad configurations found (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				Want []string `json:"want"`
			}
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			// The corpus names sources of the project's testdata.
			code, stdout, stderr := runValidate("-config", file, "-root", "../..")
			if code != 1 || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 1 and nothing", code, stdout)
			}
			for _, want := range c.Want {
				if !strings.Contains(stderr, want) {
					t.Errorf("output does not say %q; it says:\n%s", want, stderr)
				}
			}
		})
	}
}

func TestContextValuesNarrowAsTheCLIDoes(t *testing.T) {
	path := writeConfig(t, twoEnvironments)
	if code, stdout, _ := runValidate("-config", path, "-root", "../..", "-c", "env=qa"); code != 0 || !strings.HasSuffix(stdout, "valid; environments qa\n") {
		t.Errorf("-c env=qa: exit %d, stdout %q", code, stdout)
	}
	code, _, stderr := runValidate("-config", path, "-root", "../..", "-c", "env=staging")
	if code != 1 || !strings.Contains(stderr, `-c env=staging: no environment "staging" in cdk.json; defined environments: qa, uat`) {
		t.Errorf("-c env=staging: exit %d, stderr %q", code, stderr)
	}
}

// TestANullKeyIsNotSet: the CDK hands the app an object's null-valued keys
// as absent, so the key takes its default; a null in a list stays.
func TestANullKeyIsNotSet(t *testing.T) {
	path := writeConfig(t, `{"environments": {"qa": {"network": {"cidr": null}, "backends": {"blue": {}}, "api": {"stages": {"live": {"backend": "blue"}}}}}, "pipeline": null}`)
	if code, _, stderr := runValidate("-config", path, "-root", "../.."); code != 0 {
		t.Errorf("null keys: exit %d, stderr %q", code, stderr)
	}
	path = writeConfig(t, `{"environments": {"qa": {"monitoring": {"emails": [null]}, "backends": {"blue": {}}, "api": {"stages": {"live": {"backend": "blue"}}}}}}`)
	if code, _, stderr := runValidate("-config", path, "-root", "../.."); code != 1 || !strings.Contains(stderr, "environments.qa.monitoring.emails[0]") {
		t.Errorf("a null in a list: exit %d, stderr %q", code, stderr)
	}
}

func TestValidateRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"cdk.json"}, {"-c", "env"}, {"-c", "=qa"}, {"-nope"}} {
		if code, stdout, _ := runValidate(args...); code != 2 || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2", args, code, stdout)
		}
	}
	if code, _, stderr := runValidate("-config", filepath.Join(t.TempDir(), "missing.json")); code != 1 || !strings.Contains(stderr, "missing.json") {
		t.Errorf("a missing file: exit %d, stderr %q", code, stderr)
	}
}
