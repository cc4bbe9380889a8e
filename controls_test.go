//go:build heavy

package main

import (
	"bytes"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"privatebackend/internal/controls"
	"privatebackend/internal/testsupport/golden"
)

// controlTowerCheck runs AWS Control Tower's proactive controls over every
// app's templates in the background, from the moment setUp has them,
// while the tests that need no result run.
type controlTowerCheck struct {
	done  chan struct{}
	guard *controls.Guard
	// results are each app's.
	results map[*app][]controls.Result
	err     error
}

var controlTower *controlTowerCheck

func init() {
	backgroundChecks = append(backgroundChecks, startControlTowerCheck)
}

// startControlTowerCheck starts the check and returns a function that
// waits for it, which setUp calls before it removes the templates.
func startControlTowerCheck() (wait func()) {
	c := &controlTowerCheck{done: make(chan struct{}), results: map[*app][]controls.Result{}}
	go func() {
		defer close(c.done)
		if c.guard, c.err = controls.Load(controls.PackageDir); c.err != nil {
			return
		}
		for _, a := range apps {
			templates := map[string]string{}
			for name, s := range a.assembly.Stacks {
				templates[name] = s.TemplateFile
			}
			if c.results[a], c.err = c.guard.Check(templates); c.err != nil {
				return
			}
		}
	}()
	controlTower = c
	return func() { <-c.done }
}

func controlTowerResults(t *testing.T) (*controls.Guard, map[*app][]controls.Result) {
	t.Helper()
	<-controlTower.done
	if controlTower.err != nil {
		t.Fatalf("checking the templates against the Control Tower controls: %v", controlTower.err)
	}
	return controlTower.guard, controlTower.results
}

// TestControlTowerOutcomesMatchTheTable compares what the controls say
// about every template of cdk.json with compliance/outcomes.csv: a new failure fails
// the test, and so does a fixed one that the table does not record yet.
// -update rewrites the table, like the snapshots.
func TestControlTowerOutcomesMatchTheTable(t *testing.T) {
	_, all := controlTowerResults(t)
	results := all[shipped]
	var got bytes.Buffer
	if err := controls.WriteOutcomes(&got, results); err != nil {
		t.Fatal(err)
	}
	if golden.Updating() {
		if err := os.WriteFile(controls.OutcomesFile, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	file, err := os.Open(controls.OutcomesFile)
	if err != nil {
		t.Fatalf("no outcome table (run ./scripts/test -update, then review it): %v", err)
	}
	defer file.Close()
	table, err := controls.ReadOutcomes(file)
	if err != nil {
		t.Fatalf("%s: %v", controls.OutcomesFile, err)
	}
	if diffs := controls.CompareOutcomes(table, results); len(diffs) > 0 {
		t.Errorf("the Control Tower controls say otherwise than %s (review, record a decision for each new failure in %s, then refresh with ./scripts/test -update):\n  %s",
			controls.OutcomesFile, controls.DecisionsFile, strings.Join(diffs, "\n  "))
	}
}

// TestControlTowerFailuresHaveADecision checks, on every app, that every
// failing control has a decision for its kind of stack, and that every decision names a
// control of the rule set and a kind of stack the app builds.
func TestControlTowerFailuresHaveADecision(t *testing.T) {
	guard, results := controlTowerResults(t)
	decisions := readDecisions(t)
	for _, a := range apps {
		for _, line := range controls.Undecided(results[a], decisions) {
			t.Errorf("%s: %s", a.name, line)
		}
	}
	// Every kind of stack the app can build, whether or not this cdk.json
	// asks for it: the pipeline's, and its support stack for a wave in
	// another region, included.
	kinds := map[string]bool{"Network": true, "Alerts": true, "Backend": true, "Api": true, "Logging": true, "Role": true, "Pipeline": true, "CrossRegionSupport": true}
	for _, a := range apps {
		for _, name := range a.stackNames() {
			if !kinds[controls.StackKind(name)] {
				t.Errorf("%s: the app builds %s, a kind of stack this test does not know", a.name, name)
			}
		}
	}
	for _, d := range decisions {
		if _, ok := guard.Control(d.Control); !ok {
			t.Errorf("%s: a decision on %s, which is not a control of the rule set", controls.DecisionsFile, d.Control)
		}
		if !kinds[d.Kind] {
			t.Errorf("%s: a decision on %s for %s stacks; the app builds %v", controls.DecisionsFile, d.Control, d.Kind, slices.Sorted(maps.Keys(kinds)))
		}
	}
}

func readDecisions(t *testing.T) controls.Decisions {
	t.Helper()
	file, err := os.Open(controls.DecisionsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	d, err := controls.ReadDecisions(file)
	if err != nil {
		t.Fatalf("%s: %v", controls.DecisionsFile, err)
	}
	return d
}
