package controls

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Default locations of the tables, relative to the project root.
const (
	// OutcomesFile is the expected outcome of every control on every
	// shipped template, written by the tests' -update.
	OutcomesFile = "compliance/outcomes.csv"
	// DecisionsFile is the decision on every failing control, per stack
	// kind, written by people.
	DecisionsFile = "compliance/decisions.csv"
)

var outcomesHeader = []string{"template", "stack kind", "control", "outcome", "failing resources"}

// StackKind is the kind of stack a stack display name denotes, the key of
// a decision: the stack's id inside its environment up to the first dash,
// which leaves out instance names ("dev/Backend-blue" is a Backend,
// "prod/Network" a Network, "Pipeline" the Pipeline). The support stacks
// CodePipeline adds for another region, "cross-region-stack-ACCOUNT:REGION",
// are CrossRegionSupport. A user's own environments, backends and regions
// reuse the decisions of their kind.
func StackKind(template string) string {
	if strings.HasPrefix(template, crossRegionSupport) {
		return "CrossRegionSupport"
	}
	id := template[strings.LastIndex(template, "/")+1:]
	kind, _, _ := strings.Cut(id, "-")
	return kind
}

// crossRegionSupport starts the id of CodePipeline's cross-region support
// stacks (createSupportResourcesForRegion in aws-codepipeline's Pipeline).
const crossRegionSupport = "cross-region-stack-"

// WriteOutcomes writes the results that pass or fail as the outcome table
// (CSV); skipped controls are left out.
func WriteOutcomes(w io.Writer, results []Result) error {
	out := csv.NewWriter(w)
	if err := out.Write(outcomesHeader); err != nil {
		return err
	}
	for _, r := range results {
		if r.Outcome == Skip {
			continue
		}
		if err := out.Write([]string{r.Template, StackKind(r.Template), r.Control, string(r.Outcome), strings.Join(r.Resources, " ")}); err != nil {
			return err
		}
	}
	out.Flush()
	return out.Error()
}

// ReadOutcomes reads an outcome table that WriteOutcomes wrote.
func ReadOutcomes(r io.Reader) ([]Result, error) {
	rows, err := readCSV(r, outcomesHeader)
	if err != nil {
		return nil, err
	}
	var results []Result
	for i, row := range rows {
		res := Result{Template: row[0], Control: row[2], Outcome: Outcome(row[3]), Resources: strings.Fields(row[4])}
		if (res.Outcome != Pass && res.Outcome != Fail) || (res.Outcome == Fail) != (len(res.Resources) > 0) {
			return nil, fmt.Errorf("row %d: outcome %q with failing resources %q; want pass with none or fail with some", i+2, row[3], row[4])
		}
		results = append(results, res)
	}
	return results, nil
}

// CompareOutcomes lists every difference between the outcome table and
// the results: new failures, failures that are fixed, and controls that
// now pass or skip where the table says otherwise.
func CompareOutcomes(table, results []Result) []string {
	type key struct{ template, control string }
	want, got := map[key]Result{}, map[key]Result{}
	for _, r := range table {
		want[key{r.Template, r.Control}] = r
	}
	for _, r := range results {
		if r.Outcome != Skip {
			got[key{r.Template, r.Control}] = r
		}
	}
	keys := slices.Collect(maps.Keys(want))
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := strings.Compare(a.template, b.template); c != 0 {
			return c
		}
		return CompareIDs(a.control, b.control)
	})
	var diffs []string
	for _, k := range keys {
		w, g := want[k], got[k]
		if g.Outcome == "" {
			g.Outcome = Skip
		}
		at := k.template + " " + k.control
		switch {
		case w.Outcome == g.Outcome && slices.Equal(w.Resources, g.Resources):
		case g.Outcome == Fail && w.Outcome == Fail:
			diffs = append(diffs, fmt.Sprintf("%s: now fails on %s; the table says %s", at, strings.Join(g.Resources, " "), strings.Join(w.Resources, " ")))
		case g.Outcome == Fail:
			diffs = append(diffs, fmt.Sprintf("%s: new failure on %s; the table says %s", at, strings.Join(g.Resources, " "), orUnlisted(w.Outcome)))
		case w.Outcome == Fail:
			diffs = append(diffs, fmt.Sprintf("%s: fixed, now %s; the table says it fails on %s", at, g.Outcome, strings.Join(w.Resources, " ")))
		default:
			diffs = append(diffs, fmt.Sprintf("%s: now %s; the table says %s", at, g.Outcome, orUnlisted(w.Outcome)))
		}
	}
	return diffs
}

func orUnlisted(o Outcome) string {
	if o == "" {
		return "nothing (skip)"
	}
	return string(o)
}

// Verdicts a decision can record.
const (
	// Setting: the default fails, a configuration setting makes the
	// control pass; the reason names it and what it costs.
	Setting = "setting"
	// Accepted: the control stays failing; the reason says why and what a
	// landing zone can do.
	Accepted = "accepted"
	// Open: a failure to be fixed in the code; the reason says how.
	Open = "open"
)

var decisionsHeader = []string{"control", "stack kind", "decision", "reason"}

// Decision is what the project decided about a control that fails on a
// kind of stack.
type Decision struct {
	// Control is the control's ID.
	Control string
	// Kind is the stack kind (see StackKind).
	Kind string
	// Verdict is Setting, Accepted or Open.
	Verdict string
	// Reason explains the verdict to a user and a reviewer.
	Reason string
}

// Decisions are the decisions by control and stack kind.
type Decisions map[[2]string]Decision

// For returns the decision on control for a kind of stack.
func (d Decisions) For(control, kind string) (Decision, bool) {
	dec, ok := d[[2]string{control, kind}]
	return dec, ok
}

// ReadDecisions reads and checks a decisions table: one row per control
// and stack kind, a known verdict and a reason a user can act on.
func ReadDecisions(r io.Reader) (Decisions, error) {
	rows, err := readCSV(r, decisionsHeader)
	if err != nil {
		return nil, err
	}
	d := Decisions{}
	for i, row := range rows {
		dec := Decision{Control: row[0], Kind: row[1], Verdict: row[2], Reason: row[3]}
		line := i + 2
		switch {
		case !slices.Contains([]string{Setting, Accepted, Open}, dec.Verdict):
			return nil, fmt.Errorf("row %d: decision %q; want %s, %s or %s", line, dec.Verdict, Setting, Accepted, Open)
		case len(dec.Reason) < 40:
			return nil, fmt.Errorf("row %d (%s on %s): the reason %q is too short to act on; say why, and what a landing zone can do", line, dec.Control, dec.Kind, dec.Reason)
		}
		if _, dup := d.For(dec.Control, dec.Kind); dup {
			return nil, fmt.Errorf("row %d: a second decision on %s for %s stacks", line, dec.Control, dec.Kind)
		}
		d[[2]string{dec.Control, dec.Kind}] = dec
	}
	return d, nil
}

// Undecided lists the failing controls that have no decision for their
// stack kind, one line per control and kind with the templates it fails.
func Undecided(results []Result, d Decisions) []string {
	failing := map[[2]string][]string{}
	for _, r := range results {
		if r.Outcome != Fail {
			continue
		}
		k := [2]string{r.Control, StackKind(r.Template)}
		if _, ok := d[k]; !ok {
			failing[k] = append(failing[k], r.Template)
		}
	}
	var lines []string
	for _, k := range sortedKeys(failing) {
		lines = append(lines, fmt.Sprintf("%s on %s stacks (%s): no decision; add a row %q to %s",
			k[0], k[1], strings.Join(failing[k], ", "), k[0]+","+k[1]+",setting|accepted|open,<why, and what a landing zone can do>", DecisionsFile))
	}
	return lines
}

// sortedKeys orders (control, kind) keys by control, then kind.
func sortedKeys[V any](m map[[2]string]V) [][2]string {
	return slices.SortedFunc(maps.Keys(m), func(a, b [2]string) int {
		if c := CompareIDs(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
}

func readCSV(r io.Reader, header []string) ([][]string, error) {
	in := csv.NewReader(r)
	first, err := in.Read()
	if err != nil || !slices.Equal(first, header) {
		return nil, fmt.Errorf("the first row must be the header %q", strings.Join(header, ","))
	}
	rows, err := in.ReadAll()
	if err != nil {
		return nil, err
	}
	return rows, nil
}
