package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheSuitePassesForAOneEnvironmentConfiguration runs this test binary
// again on a copy of the project whose cdk.json has one environment and no
// pipeline, as a team has once it makes cdk.json its own: first with
// -update, as that team refreshes the snapshots and the controls' outcomes,
// then as CI runs it. Both runs must pass: the whole-app tests assert
// invariants of any valid configuration, the features are tested on
// fixtures.
func TestTheSuitePassesForAOneEnvironmentConfiguration(t *testing.T) {
	dir := t.TempDir()
	var project map[string]any
	data, err := os.ReadFile("cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &project); err != nil {
		t.Fatal(err)
	}
	context := project["context"].(map[string]any)
	delete(context, "pipeline")
	context["environments"] = map[string]any{"solo": map[string]any{
		"backends": map[string]any{"web": map[string]any{}},
		"api":      map[string]any{"stages": map[string]any{"v1": map[string]any{"backend": "web"}}},
	}}
	if data, err = json.MarshalIndent(project, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// What the tests read besides cdk.json: the cached lookups, the module
	// root, the pinned CLI's version, the bad-configuration corpus, the
	// controls' decisions, the bundled application, the services' samples the
	// bad-configuration corpus names and the pinned packages.
	for _, path := range []string{"cdk.context.json", "go.mod", "package.json", "testdata/badconfig", "compliance/decisions.csv", "backend/app", "testdata/services"} {
		if err := os.CopyFS(filepath.Join(dir, path), os.DirFS(path)); err != nil {
			if info, statErr := os.Stat(path); statErr != nil || info.IsDir() {
				t.Fatal(err)
			}
			copyFile(t, path, filepath.Join(dir, path))
		}
	}
	modules, err := filepath.Abs("node_modules")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-update"}, nil} {
		run := append([]string{"-test.count=1", "-test.skip=^TestTheSuitePassesForAOneEnvironmentConfiguration$"}, args...)
		cmd := exec.Command(os.Args[0], run...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			t.Fatalf("the suite on a one-environment cdk.json (%v) failed: %v\n%s", args, err, strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "testdata", "snapshots", "solo-Api.json")); err != nil {
		t.Errorf("the refreshed snapshots lack the new environment's: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
