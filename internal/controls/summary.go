package controls

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteSummary writes what the controls say about the templates: the
// counts per template, then every failing control with the resources it
// fails on and the decision recorded for each kind of stack.
func WriteSummary(w io.Writer, g *Guard, results []Result, d Decisions) error {
	type counts struct{ pass, fail int }
	perTemplate := map[string]*counts{}
	failing := map[string][]Result{}
	for _, r := range results {
		c := perTemplate[r.Template]
		if c == nil {
			c = &counts{}
			perTemplate[r.Template] = c
		}
		switch r.Outcome {
		case Pass:
			c.pass++
		case Fail:
			c.fail++
			failing[r.Control] = append(failing[r.Control], r)
		}
	}
	fmt.Fprintf(w, "AWS Control Tower proactive controls: %d rules of @cdklabs/cdk-validator-cfnguard %s, run by cfn-guard %s\n",
		len(g.Controls), g.PackageVersion, g.Version)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "template\tpass\tfail")
	for _, t := range slices.Sorted(maps.Keys(perTemplate)) {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", t, perTemplate[t].pass, perTemplate[t].fail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(failing) == 0 {
		_, err := fmt.Fprintln(w, "No template fails a control.")
		return err
	}
	fmt.Fprintf(w, "%d controls fail:\n", len(failing))
	for _, id := range slices.SortedFunc(maps.Keys(failing), CompareIDs) {
		c, _ := g.Control(id)
		fmt.Fprintf(w, "%s  %s\n", id, c.Title)
		var kinds []string
		for _, r := range failing[id] {
			fmt.Fprintf(w, "    %s: %s\n", r.Template, strings.Join(r.Resources, " "))
			if k := StackKind(r.Template); !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
		for _, k := range kinds {
			if dec, ok := d.For(id, k); ok {
				fmt.Fprintf(w, "  %s stacks: %s: %s\n", k, dec.Verdict, dec.Reason)
			} else {
				fmt.Fprintf(w, "  %s stacks: no decision recorded\n", k)
			}
		}
	}
	return nil
}
