package controls

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Outcome is what a control says about one template.
type Outcome string

// The outcomes cfn-guard reports.
const (
	// Pass: the template has resources the control evaluates, and they comply.
	Pass Outcome = "pass"
	// Fail: at least one resource does not comply; its stack operation
	// would fail where the control is enabled.
	Fail Outcome = "fail"
	// Skip: the template has no resource the control evaluates.
	Skip Outcome = "skip"
)

// Result is the outcome of one control on one template.
type Result struct {
	// Template names the template (the stack's display name, "dev/Network").
	Template string
	// Control is the control's ID.
	Control string
	// Outcome is pass, fail or skip.
	Outcome Outcome
	// Resources are the logical ids of the resources that fail, sorted;
	// empty unless the outcome is Fail.
	Resources []string
}

// cfn-guard's exit code for "validate" when a rule fails
// (FAILURE_STATUS_CODE in its src/commands/mod.rs); 0 is success and
// anything else (5) an error.
const guardFailure = 19

// Check runs every control over the templates (file paths by name) and
// returns one result per template and control, sorted by template, then
// control.
//
// A control runs only over the templates that have a resource of a type it
// evaluates, and skips the others. That is how Control Tower runs them:
// each control is a CloudFormation hook invoked for its resource types
// ("Behavior of proactive controls", Control Tower controls reference),
// and every rule of the set skips a template without such a resource.
// cfn-guard's time grows with rules times templates, so the templates that
// need the same controls (every Backend stack) share one run of exactly
// those.
func (g *Guard) Check(templates map[string]string) ([]Result, error) {
	files, err := resolve(templates)
	if err != nil {
		return nil, err
	}
	// The templates by the controls they need, keyed by those controls' IDs.
	type group struct {
		run   []Control
		names []string
	}
	groups := map[string]*group{}
	for _, name := range files.names {
		var run []Control
		var ids []string
		for _, c := range g.Controls {
			if slices.ContainsFunc(c.ResourceTypes, func(t string) bool { return files.types[name][t] }) {
				run, ids = append(run, c), append(ids, c.ID)
			}
		}
		if len(run) == 0 {
			continue
		}
		key := strings.Join(ids, " ")
		if groups[key] == nil {
			groups[key] = &group{run: run}
		}
		groups[key].names = append(groups[key].names, name)
	}
	reports := map[string]guardReport{}
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		gr := groups[key]
		r, err := g.validate(gr.run, files.only(gr.names))
		if err != nil {
			return nil, err
		}
		maps.Copy(reports, r)
	}
	return g.results(files.names, reports), nil
}

// templateFiles are the templates to check: their names, sorted; the
// absolute path of each, by which cfn-guard names its report; and the
// resource types each holds.
type templateFiles struct {
	names         []string
	paths, byPath map[string]string
	types         map[string]map[string]bool
}

func resolve(templates map[string]string) (templateFiles, error) {
	f := templateFiles{names: slices.Sorted(maps.Keys(templates)), paths: map[string]string{}, byPath: map[string]string{}, types: map[string]map[string]bool{}}
	for _, name := range f.names {
		path, err := filepath.Abs(templates[name])
		if err == nil {
			path, err = filepath.EvalSymlinks(path)
		}
		if err != nil {
			return f, err
		}
		if other, ok := f.byPath[path]; ok {
			return f, fmt.Errorf("templates %s and %s are the same file %s", other, name, path)
		}
		f.paths[name], f.byPath[path] = path, name
		var t struct {
			Resources map[string]struct {
				Type string `json:"Type"`
			} `json:"Resources"`
		}
		if err := readJSON(path, &t); err != nil {
			return f, err
		}
		f.types[name] = map[string]bool{}
		for _, r := range t.Resources {
			f.types[name][r.Type] = true
		}
	}
	return f, nil
}

// only is f's paths narrowed to the templates names (sorted, all of f),
// for validate.
func (f templateFiles) only(names []string) templateFiles {
	o := templateFiles{names: names, paths: map[string]string{}, byPath: map[string]string{}}
	for _, name := range names {
		o.paths[name], o.byPath[f.paths[name]] = f.paths[name], name
	}
	return o
}

// results are every control's outcome on each template of names, from
// cfn-guard's reports: a control it did not report on skips.
func (g *Guard) results(names []string, reports map[string]guardReport) []Result {
	var results []Result
	for _, name := range names {
		report := reports[name]
		for _, c := range g.Controls {
			r := Result{Template: name, Control: c.ID, Outcome: Skip}
			resources, failed := report.failing[c.RuleName]
			switch {
			case failed:
				r.Outcome, r.Resources = Fail, resources
			case report.compliant[c.RuleName]:
				r.Outcome = Pass
			}
			results = append(results, r)
		}
	}
	return results
}

// guardReport is what cfn-guard says about one template: the rules that
// pass, and the resources of each rule that fails.
type guardReport struct {
	compliant map[string]bool
	failing   map[string][]string
}

// validate runs cfn-guard once over every template with the rules of the
// given controls.
func (g *Guard) validate(run []Control, files templateFiles) (map[string]guardReport, error) {
	args := []string{"validate"}
	for _, c := range run {
		args = append(args, "--rules", c.RuleFile)
	}
	for _, name := range files.names {
		args = append(args, "--data", files.paths[name])
	}
	// --structured prints one JSON document: a report per data file.
	args = append(args, "--output-format", "json", "--show-summary", "none", "--structured")
	cmd := exec.Command(g.Binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == guardFailure) {
		return nil, fmt.Errorf("cfn-guard validate: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var out []struct {
		Name         string            `json:"name"`
		Compliant    []string          `json:"compliant"`
		NotCompliant []json.RawMessage `json:"not_compliant"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("cfn-guard validate printed no report: %v", err)
	}
	reports := map[string]guardReport{}
	for _, f := range out {
		name, ok := files.byPath[f.Name]
		if !ok {
			return nil, fmt.Errorf("cfn-guard reported on %s, which is not a template it was given", f.Name)
		}
		report := guardReport{compliant: map[string]bool{}, failing: map[string][]string{}}
		for _, rule := range f.Compliant {
			report.compliant[rule] = true
		}
		for _, raw := range f.NotCompliant {
			var clause struct {
				Rule *struct {
					Name string `json:"name"`
				} `json:"Rule"`
			}
			var tree any
			if err := json.Unmarshal(raw, &clause); err != nil || clause.Rule == nil {
				return nil, fmt.Errorf("cfn-guard reported a failure of %s that is not a rule: %.200s", f.Name, raw)
			}
			if err := json.Unmarshal(raw, &tree); err != nil {
				return nil, err
			}
			found := map[string]bool{}
			failingResources(tree, found)
			report.failing[clause.Rule.Name] = slices.Sorted(maps.Keys(found))
		}
		reports[name] = report
	}
	if len(reports) != len(files.names) {
		return nil, fmt.Errorf("cfn-guard reported on %d of %d templates", len(reports), len(files.names))
	}
	return reports, nil
}

var resourcePath = regexp.MustCompile(`^/Resources/([^/]+)`)

// failingResources collects the resources a failed rule's clauses point
// at: the "path" of each value it checked. The "to" side of a comparison
// is what the value was compared with (a constant, or another resource a
// reference should name), not what failed, and is left out.
func failingResources(v any, found map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			switch path, isString := child.(string); {
			case k == "to":
			case k == "path" && isString:
				if m := resourcePath.FindStringSubmatch(path); m != nil {
					found[m[1]] = true
				}
			default:
				failingResources(child, found)
			}
		}
	case []any:
		for _, child := range x {
			failingResources(child, found)
		}
	}
}
