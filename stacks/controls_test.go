//go:build heavy

package stacks

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"privatebackend/internal/controls"
)

// TestControlTowerDecisionsCoverEveryVariant runs AWS Control Tower's
// proactive controls over the environments of every variant. Each control
// that fails must have a decision for its kind of stack in the project's
// compliance/decisions.csv: the decisions are keyed by kind so that any
// valid configuration, not only the shipped one, passes the app's tests
// once its outcome table is refreshed (-update).
func TestControlTowerDecisionsCoverEveryVariant(t *testing.T) {
	guard, err := controls.Load(filepath.Join("..", controls.PackageDir))
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string]string{}
	for name, file := range templateFiles {
		for _, stage := range []string{"isolated/", "nat/", "lookup/"} {
			if strings.HasPrefix(name, stage) {
				variants[name] = file
			}
		}
	}
	if len(variants) < 9 {
		t.Fatalf("%d stacks of the variants; want every one", len(variants))
	}
	checkDecided(t, guard, variants)
}

// TestControlTowerDecisionsCoverTheFrontDoor runs AWS Control Tower's
// proactive controls over the front door fixtures' Api stacks: each control
// that fails must have a decision for the Api kind of stack in
// compliance/decisions.csv, as for the other variants.
func TestControlTowerDecisionsCoverTheFrontDoor(t *testing.T) {
	guard, err := controls.Load(filepath.Join("..", controls.PackageDir))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{}
	for _, fixture := range slices.Sorted(maps.Keys(frontDoorFixtures)) {
		for name, s := range frontDoorAssembly(t, fixture).Stacks {
			if !strings.HasSuffix(name, "/Api") {
				continue
			}
			data, err := json.Marshal(s.Template)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, fixture+".template.json")
			if err := os.WriteFile(file, data, 0o644); err != nil {
				t.Fatal(err)
			}
			// The decisions are keyed by the stack's kind, its name after
			// the environment's.
			files[fixture+"/Api"] = file
		}
	}
	checkDecided(t, guard, files)
}

// checkDecided runs the controls over templates (by the name decisions are
// keyed with) and fails for each failing control that
// compliance/decisions.csv does not decide.
func checkDecided(t *testing.T, guard *controls.Guard, templates map[string]string) {
	t.Helper()
	results, err := guard.Check(templates)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(filepath.Join("..", controls.DecisionsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	decisions, err := controls.ReadDecisions(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range controls.Undecided(results, decisions) {
		t.Error(line)
	}
}
