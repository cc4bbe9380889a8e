package preflight

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Outcomes of a check.
const (
	// Pass: nothing found that would make the deploy fail.
	Pass = "PASS"
	// Warn: the deploy would work, but something needs attention soon.
	Warn = "WARN"
	// Fail: the deploy would fail; the detail says what to change.
	Fail = "FAIL"
	// Error: the check could not decide (a denied call, a timeout, an
	// unexpected answer); the detail says which permission or call.
	Error = "ERROR"
	// Skip: the check did not run, because the credentials are for another
	// account than the environment's.
	Skip = "SKIP"
)

// Result is the outcome of one check.
type Result struct {
	// Check names the check, e.g. "platform blue".
	Check string `json:"check"`
	// Result is PASS, WARN, FAIL, ERROR or SKIP.
	Result string `json:"result"`
	// Detail is one sentence: what was found, or what to change.
	Detail string `json:"detail"`
	// Permissions are the IAM actions the check calls.
	Permissions []string `json:"permissions"`
}

// Report is the outcome of a preflight run.
type Report struct {
	// Environment is the environment checked.
	Environment string `json:"environment"`
	// Account and Region are where it would deploy.
	Account string `json:"account"`
	Region  string `json:"region"`
	// Checks are the checks' results, in a fixed order.
	Checks []Result `json:"checks"`
	// Estimate is the fixed monthly cost; nil with -cost=false.
	Estimate *Estimate `json:"estimate,omitempty"`
	// Passed is true when no check failed or errored.
	Passed bool `json:"passed"`
}

func (r *Report) add(results ...Result) {
	r.Checks = append(r.Checks, results...)
}

// finish sets Passed from the results.
func (r *Report) finish() {
	r.Passed = true
	for _, c := range r.Checks {
		if c.Result == Fail || c.Result == Error || c.Result == Skip {
			r.Passed = false
		}
	}
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes one row per check, then the estimate and a verdict.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tDETAIL")
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Check, c.Result, c.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Estimate != nil {
		fmt.Fprintln(w)
		if err := r.Estimate.writeTable(w); err != nil {
			return err
		}
	}
	where := r.Region
	if r.Account != "" {
		where = r.Account + "/" + r.Region
	}
	if r.Passed {
		_, err := fmt.Fprintf(w, "%s: ready to deploy to %s\n", r.Environment, where)
		return err
	}
	var failed []string
	for _, c := range r.Checks {
		if c.Result == Fail || c.Result == Error || c.Result == Skip {
			failed = append(failed, c.Check)
		}
	}
	_, err := fmt.Fprintf(w, "%s: not ready to deploy to %s: %s\n", r.Environment, where, strings.Join(failed, ", "))
	return err
}
