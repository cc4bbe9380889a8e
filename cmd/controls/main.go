// Command controls checks the templates of a synthesized cloud assembly
// against AWS Control Tower's proactive controls and prints what they
// say, with the decision recorded for each failure. ./scripts/synth runs
// it after every synthesis. It fails only when cdk.json's "controls"
// context asks it to ("enforce": true) and a control that "exempt" does
// not list fails.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"privatebackend/config"
	"privatebackend/internal/controls"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the exit code: 0 when the check ran and enforces nothing
// that fails, 1 when an enforced control fails or the check cannot run,
// 2 on bad arguments.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("controls", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: controls [flags] [CLOUD_ASSEMBLY_DIR]\n\nChecks every template in the cloud assembly (default cdk.out) against AWS Control Tower's proactive controls.\n\nflags:")
		flags.PrintDefaults()
	}
	configPath := flags.String("config", "cdk.json", "the cdk.json whose \"controls\" context says whether failures fail")
	rules := flags.String("rules", controls.PackageDir, "the installed npm package @cdklabs/cdk-validator-cfnguard")
	decisionsPath := flags.String("decisions", controls.DecisionsFile, "the decisions on failing controls, by control and stack kind")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 1 {
		fmt.Fprintln(stderr, "controls: name at most one cloud assembly directory")
		return 2
	}
	dir := "cdk.out"
	if flags.NArg() == 1 {
		dir = flags.Arg(0)
	}
	if err := check(dir, *configPath, *rules, *decisionsPath, stdout); err != nil {
		fmt.Fprintf(stderr, "controls: %s\n", err)
		return 1
	}
	return 0
}

func check(dir, configPath, rules, decisionsPath string, stdout io.Writer) error {
	context, err := config.ContextFromFile(configPath)
	if err != nil {
		return err
	}
	settings, err := config.LoadControls(context[config.ControlsKey])
	if err != nil {
		return err
	}
	guard, err := controls.Load(rules)
	if err != nil {
		return err
	}
	for i, id := range settings.Exempt {
		if _, ok := guard.Control(id); !ok {
			return fmt.Errorf("%s.exempt[%d]: %q is not a control of the rule set (@cdklabs/cdk-validator-cfnguard %s)", config.ControlsKey, i, id, guard.PackageVersion)
		}
	}
	decisionsFile, err := os.Open(decisionsPath)
	if err != nil {
		return err
	}
	defer decisionsFile.Close()
	decisions, err := controls.ReadDecisions(decisionsFile)
	if err != nil {
		return fmt.Errorf("%s: %w", decisionsPath, err)
	}
	templates, err := controls.Templates(dir)
	if err != nil {
		return err
	}
	results, err := guard.Check(templates)
	if err != nil {
		return err
	}
	if err := controls.WriteSummary(stdout, guard, results, decisions); err != nil {
		return err
	}
	var enforced []string
	for _, r := range results {
		if r.Outcome == controls.Fail && !slices.Contains(settings.Exempt, r.Control) && !slices.Contains(enforced, r.Control) {
			enforced = append(enforced, r.Control)
		}
	}
	switch {
	case !settings.Enforce:
		fmt.Fprintf(stdout, "Reported only: set \"%s\": {\"enforce\": true} in cdk.json to fail the synthesis on a failing control.\n", config.ControlsKey)
	case len(enforced) > 0:
		slices.SortFunc(enforced, controls.CompareIDs)
		return fmt.Errorf("%s.enforce is on and %d controls fail that %s.exempt does not list: %s", config.ControlsKey, len(enforced), config.ControlsKey, strings.Join(enforced, ", "))
	}
	return nil
}
