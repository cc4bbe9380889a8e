// Command bench measures what users wait for and what a change costs:
// "cdk synth" of every environment against the floor of any Go CDK app
// (bench/floor), in alternating rounds, and inside one synthesis, each
// part's construction and App.Synth; how synthesis grows with environments;
// the plain "go test ./...", everything CI runs (./scripts/test) and each
// test group; a fresh clone's first test run beside the floor's build. It
// prints wall time and peak memory (of the whole process tree) against the
// baseline in bench/BASELINE.md, flagging any figure more than 10% worse,
// and with -record makes this run the baseline. It reports; it never fails
// on timing.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	var o options
	flag.IntVar(&o.rounds, "rounds", 7, "alternating rounds of synthesis (the floor and the app), and of the generated environments")
	flag.IntVar(&o.testRuns, "tests", 5, "runs of the test suite and of each test group")
	flag.BoolVar(&o.groups, "groups", true, "also time each test group on its own")
	flag.BoolVar(&o.scaling, "scaling", true, "also synthesize generated configurations of 1, 3 and 10 environments")
	flag.BoolVar(&o.cold, "cold", true, "also measure a fresh clone's first test run with an empty Go build cache (minutes)")
	flag.StringVar(&o.baseline, "baseline", "bench/BASELINE.md", "the baseline to compare with")
	flag.BoolVar(&o.record, "record", false, "make this run the baseline: rewrite the -baseline file, keeping its hand-written history section")
	flag.Parse()
	o.command = strings.Join(append([]string{"./bench/run"}, os.Args[1:]...), " ")
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	rounds, testRuns      int
	groups, scaling, cold bool
	baseline              string
	record                bool
	command               string
}

func run(o options) error {
	if o.rounds < 1 || o.testRuns < 0 {
		return fmt.Errorf("-rounds %d -tests %d: rounds must be at least 1, tests at least 0", o.rounds, o.testRuns)
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	base, err := readBaseline(o.baseline)
	if err != nil {
		return err
	}
	rep := report{now: time.Now(), machine: machine(), loadStart: loadAverage(), command: o.command, rounds: o.rounds, base: base}
	if rep.commit, rep.dirty, err = gitState(root); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	floorBinary := filepath.Join(work, "floor")
	if err := runQuiet(root, nil, "go", "build", "-o", floorBinary, "./bench/floor"); err != nil {
		return err
	}
	// One synthesis of each warms the caches, lets cdk.json's launcher
	// build .build/app, and shows before any round whether every stack is
	// timed.
	for _, w := range []struct {
		name  string
		extra []string
	}{
		{"floor", []string{"--app", floorBinary}},
		{"app", nil},
	} {
		r, err := synthesize(root, work, "warm-"+w.name, w.extra...)
		if err == nil {
			_, err = breakDown(r)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
	}

	if rep.floor, rep.app, err = synthRounds(root, work, floorBinary, o.rounds); err != nil {
		return err
	}
	for i := range rep.app {
		f, err := breakDown(rep.floor[i])
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		a, err := breakDown(rep.app[i])
		if err != nil {
			return fmt.Errorf("app: %w", err)
		}
		rep.floorIn, rep.appIn = append(rep.floorIn, f), append(rep.appIn, a)
	}

	if o.scaling {
		if rep.scaling, err = scalingRounds(root, work, o.rounds); err != nil {
			return err
		}
	}

	if err := measureSuite(root, o, &rep); err != nil {
		return err
	}

	if o.cold {
		clone := filepath.Join(work, "clone")
		if err := runQuiet(work, nil, "git", "clone", "-q", root, clone); err != nil {
			return err
		}
		// The floor's build first, from its own empty cache: what any Go CDK
		// app pays before the project's own code.
		floor, err := measure(clone, []string{"GOCACHE=" + filepath.Join(work, "gocache-floor")}, "go", "build", "-o", filepath.Join(work, "floor-cold"), "./bench/floor")
		if err != nil {
			return fmt.Errorf("fresh clone, the floor's build: %w", err)
		}
		rep.floorBuild = &floor
		m, events, err := measureOutput(clone, []string{"GOCACHE=" + filepath.Join(work, "gocache")}, "./scripts/test", "-json")
		if err != nil {
			return fmt.Errorf("fresh clone: %w", err)
		}
		rep.fresh = &m
		rep.freshPackages = packagesTime(events)
	}

	rep.loadEnd = loadAverage()
	text, err := rep.render()
	if err != nil {
		return err
	}
	fmt.Print(text)
	if !o.record {
		return nil
	}
	return writeKeepingHistory(o.baseline, text)
}

// measureSuite times the whole suite and each test group, in rounds.
func measureSuite(root string, o options, rep *report) error {
	if o.groups {
		all, err := listTests(root)
		if err != nil {
			return err
		}
		for _, g := range testGroups {
			rep.groups = append(rep.groups, groupResult{testGroup: g, tests: g.tests(all)})
		}
		rep.ungrouped, rep.twice = groupCoverage(all, testGroups)
	}
	for i := 0; i < o.testRuns; i++ {
		m, err := measure(root, nil, "go", "test", "-count=1", "./...")
		if err != nil {
			return fmt.Errorf("test suite: %w", err)
		}
		rep.suite = append(rep.suite, m)
		// Everything CI runs, the tests behind the heavy tag included.
		all, err := measure(root, nil, "./scripts/test", "-count=1")
		if err != nil {
			return fmt.Errorf("./scripts/test: %w", err)
		}
		rep.scriptsTest = append(rep.scriptsTest, all)
		line := []string{fmt.Sprintf("suite %.2f s", m.wall.Seconds()), fmt.Sprintf("./scripts/test %.2f s", all.wall.Seconds())}
		for j := range rep.groups {
			g := &rep.groups[j]
			if len(g.tests) == 0 {
				continue
			}
			m, events, err := measureOutput(root, nil, g.command(g.tests)...)
			if err != nil {
				return fmt.Errorf("test group %s: %w", g.name, err)
			}
			own, err := testsTime(events)
			if err != nil {
				return fmt.Errorf("test group %s: %w", g.name, err)
			}
			g.runs, g.own = append(g.runs, m), append(g.own, own)
			line = append(line, fmt.Sprintf("%s %.2f s", g.name, m.wall.Seconds()))
		}
		fmt.Fprintf(os.Stderr, "bench: test round %d/%d: %s\n", i+1, o.testRuns, strings.Join(line, ", "))
	}
	return nil
}

// gitState is the commit the benchmark measures and whether tracked files
// differ from it.
func gitState(root string) (commit string, dirty bool, err error) {
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", false, fmt.Errorf("git rev-parse HEAD: %w", err)
	}
	status, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	if err != nil {
		return "", false, fmt.Errorf("git status: %w", err)
	}
	return strings.TrimSpace(string(head)), len(status) > 0, nil
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

// median is the middle value, or the mean of the two middle values.
func median(values []float64) float64 {
	s := slices.Clone(values)
	slices.Sort(s)
	n := len(s)
	if n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[n/2]
}
