//go:build heavy

package stacks

import (
	"os"
	"path/filepath"
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
	results, err := guard.Check(variants)
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
