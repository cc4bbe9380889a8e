// Command bench measures what users wait for: "cdk synth" of every
// environment, timed in alternation against a JavaScript twin of the app (the
// same stacks on the same aws-cdk-lib, cdk-nag and Node.js), the whole test
// suite, how synthesis grows with the number of environments, and a fresh
// clone's first test run. It prints wall time and peak memory (of the whole
// process tree) against the project's targets and, with -write, records them
// in bench/BASELINE.md. It reports; it never fails on timing.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	var o options
	flag.IntVar(&o.rounds, "rounds", 7, "alternating rounds of synthesis: the Go app through cdk.json, its prebuilt binary, the JavaScript twin")
	flag.IntVar(&o.testRuns, "tests", 5, "runs of the test suite")
	flag.BoolVar(&o.scaling, "scaling", true, "also synthesize generated configurations of 1, 3 and 10 environments")
	flag.BoolVar(&o.cold, "cold", true, "also measure a fresh clone's first test run with an empty Go build cache (minutes)")
	flag.BoolVar(&o.checkOnly, "check", false, "only check that the twin synthesizes the app's templates")
	flag.StringVar(&o.write, "write", "", "write the report to this file as well, keeping its hand-written history section")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	rounds, testRuns         int
	scaling, cold, checkOnly bool
	write                    string
}

// result is one measured command over several runs.
type result struct {
	name string
	runs []measurement
}

func (r *result) add(m measurement) { r.runs = append(r.runs, m) }

func run(o options) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	if err := checkTwinVersions(root); err != nil {
		return err
	}
	if err := installTwin(root); err != nil {
		return err
	}
	twinConfigPath := filepath.Join(work, "twin-config.json")
	if err := writeTwinConfig(root, twinConfigPath); err != nil {
		return err
	}
	twinEnv := []string{"TWIN_CONFIG=" + twinConfigPath}
	synth := func(out string, app ...string) []string {
		return append([]string{"cdk", "synth", "**", "--strict", "-q", "-o", out}, app...)
	}

	// One synthesis of each warms every cache (and lets cdk.json's launcher
	// build .build/app); their outputs prove the twin is the app's twin.
	if _, err := measure(root, nil, synth(filepath.Join(work, "go"))...); err != nil {
		return err
	}
	if _, err := measure(root, twinEnv, synth(filepath.Join(work, "twin"), "--app", twinApp)...); err != nil {
		return err
	}
	compared, err := compareAssemblies(filepath.Join(work, "go"), filepath.Join(work, "twin"))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: the twin wrote the same %d templates and nag reports as the app\n", compared)
	if o.checkOnly {
		return nil
	}

	// Rounds: each synthesizes with all three app commands, in an order that
	// rotates from round to round, so that neither drift nor position
	// favours one of them.
	apps := []struct {
		result *result
		env    []string
		args   []string
	}{
		{&result{name: "Go app, cdk.json's app command (./scripts/app)"}, nil, nil},
		{&result{name: "Go app, prebuilt binary (--app .build/app)"}, nil, []string{"--app", ".build/app"}},
		{&result{name: "JavaScript twin (--app '" + twinApp + "')"}, twinEnv, []string{"--app", twinApp}},
	}
	for i := 0; i < o.rounds; i++ {
		for j := range apps {
			a := apps[(i+j)%len(apps)]
			m, err := measure(root, a.env, synth(filepath.Join(work, "round-"+strconv.Itoa(i)+"-"+strconv.Itoa(j)), a.args...)...)
			if err != nil {
				return fmt.Errorf("%s: %w", a.result.name, err)
			}
			a.result.add(m)
		}
		fmt.Fprintf(os.Stderr, "bench: round %d/%d: %s\n", i+1, o.rounds, roundLine(apps[0].result, apps[1].result, apps[2].result, i))
	}
	rep := report{
		compared: compared,
		launcher: apps[0].result, prebuilt: apps[1].result, twin: apps[2].result,
	}

	rep.tests = &result{name: "test suite: go test -count=1 ./... (warm build cache)"}
	for i := 0; i < o.testRuns; i++ {
		m, err := measure(root, nil, "go", "test", "-count=1", "./...")
		if err != nil {
			return fmt.Errorf("%s: %w", rep.tests.name, err)
		}
		rep.tests.add(m)
	}
	fmt.Fprintf(os.Stderr, "bench: test suite median %.2f s\n", median(walls(rep.tests)).Seconds())

	if o.scaling {
		binary := filepath.Join(root, ".build", "app")
		for _, n := range []int{1, 3, 10} {
			dir, err := generatedProject(root, work, binary, n)
			if err != nil {
				return err
			}
			r := &result{name: fmt.Sprintf("cdk synth, %d generated environment(s) (prebuilt binary)", n)}
			for i := 0; i < o.rounds; i++ {
				m, err := measure(dir, nil, synth(filepath.Join(work, fmt.Sprintf("scaling-%d-%d", n, i)))...)
				if err != nil {
					return fmt.Errorf("%s: %w", r.name, err)
				}
				r.add(m)
			}
			rep.scaling = append(rep.scaling, r)
		}
	}

	if o.cold {
		clone := filepath.Join(work, "clone")
		if err := runQuiet(work, nil, "git", "clone", "-q", root, clone); err != nil {
			return err
		}
		rep.fresh = &result{name: "fresh clone: ./scripts/test with an empty Go build cache"}
		m, err := measure(clone, []string{"GOCACHE=" + filepath.Join(work, "gocache")}, "./scripts/test")
		if err != nil {
			return fmt.Errorf("%s: %w", rep.fresh.name, err)
		}
		rep.fresh.add(m)
	}

	text := rep.render(time.Now(), machine(), o.rounds)
	fmt.Print(text)
	if o.write == "" {
		return nil
	}
	return writeKeepingHistory(o.write, text)
}

// roundLine is a progress line: the round's three wall times.
func roundLine(launcher, prebuilt, twin *result, i int) string {
	return fmt.Sprintf("launcher %.2f s, prebuilt %.2f s, twin %.2f s", launcher.runs[i].wall.Seconds(), prebuilt.runs[i].wall.Seconds(), twin.runs[i].wall.Seconds())
}

// historyHeading starts the hand-written part of BASELINE.md, which a new
// report keeps.
const historyHeading = "## What each change bought"

func writeKeepingHistory(path, text string) error {
	if old, err := os.ReadFile(path); err == nil {
		if i := strings.Index(string(old), historyHeading); i >= 0 {
			text += "\n" + string(old[i:])
		}
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

func median[T int64 | time.Duration | float64](values []T) T {
	s := slices.Clone(values)
	slices.Sort(s)
	return s[len(s)/2]
}
