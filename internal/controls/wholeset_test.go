//go:build heavy

package controls

import (
	"strings"
	"testing"
)

// TestRunningOnlyTheControlsOfPresentTypesChangesNoOutcome runs the whole
// rule set over every fixture at once, as the CDK plugin does, and
// compares with Check's runs of each template's own controls. It is heavy:
// cfn-guard takes seconds over the whole set.
func TestRunningOnlyTheControlsOfPresentTypesChangesNoOutcome(t *testing.T) {
	filtered, err := guard.Check(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	files, err := resolve(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := guard.validate(guard.Controls, files)
	if err != nil {
		t.Fatal(err)
	}
	whole := guard.results(files.names, reports)
	if diffs := CompareOutcomes(whole, filtered); len(diffs) > 0 || len(whole) != len(filtered) {
		t.Fatalf("the filtered run differs from the whole rule set:\n%s", strings.Join(diffs, "\n"))
	}
}
