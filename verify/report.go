package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// Report is the outcome of verifying one environment.
type Report struct {
	// Environment is the environment's name.
	Environment string `json:"environment"`
	// Stack is the Api stack the stage URLs came from.
	Stack string `json:"stack"`
	// Stages are the stages' results, by stage name.
	Stages []StageResult `json:"stages"`
	// Passed is true when every stage passed.
	Passed bool `json:"passed"`
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the report as a table, then every problem.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tURL\tEXPECTED\tSEEN\tP50\tP95\tVERDICT")
	for _, s := range r.Stages {
		expected := s.Expected
		if expected == "" {
			expected = "-"
		}
		if s.Canary != nil {
			expected += fmt.Sprintf(" + %s %.4g%%", s.Canary.Backend, s.Canary.WantPercent)
		}
		verdict := "PASS"
		if !s.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0fms\t%.0fms\t%s\n", s.Stage, s.URL, expected, seen(s), s.P50Ms, s.P95Ms, verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range r.Stages {
		if s.Canary != nil {
			fmt.Fprintf(w, "stage %s: canary %s answered %.1f%%, want %.4g%% ± %.1f (3 standard deviations over %d answers)\n",
				s.Stage, s.Canary.Backend, s.Canary.GotPercent, s.Canary.WantPercent, s.Canary.TolerancePercent, s.Seen[s.Expected]+s.Seen[s.Canary.Backend])
		}
		if s.HeaderRouted != "" {
			fmt.Fprintf(w, "stage %s: reached at %s through the route header\n", s.Stage, s.HeaderRouted)
		}
		if s.RefusedStatus == 401 || s.RefusedStatus == 403 {
			fmt.Fprintf(w, "stage %s: a request without credentials was refused (%d)\n", s.Stage, s.RefusedStatus)
		}
		for _, p := range s.Problems {
			fmt.Fprintln(w, p)
		}
	}
	if r.Passed {
		_, err := fmt.Fprintf(w, "%s: every stage answers from its configured backend\n", r.Environment)
		return err
	}
	_, err := fmt.Fprintf(w, "%s: verification failed\n", r.Environment)
	return err
}

// seen lists the backends that answered, with their counts.
func seen(s StageResult) string {
	if len(s.Seen) == 0 {
		if s.Expected == "" && s.Passed {
			return fmt.Sprintf("%d x 200", s.Requests)
		}
		return "none"
	}
	var parts []string
	for _, b := range slices.Sorted(maps.Keys(s.Seen)) {
		parts = append(parts, fmt.Sprintf("%s:%d", b, s.Seen[b]))
	}
	return strings.Join(parts, " ")
}
