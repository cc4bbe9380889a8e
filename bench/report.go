package main

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"
)

// The project's targets (issues #14, #21 and #25).
const (
	testSuiteTarget   = 10 * time.Second
	scriptsTestTarget = 25 * time.Second
)

// report is everything one benchmark run measured.
type report struct {
	now     time.Time
	machine string
	// loadStart and loadEnd are the load averages when the run started and
	// ended: other work on the machine inflates every figure.
	loadStart, loadEnd string
	commit             string
	// dirty is whether tracked files differed from commit.
	dirty   bool
	command string
	rounds  int

	floor, app     []synthRun
	floorIn, appIn []inside
	// scaling[k] are the runs of scalingSizes[k]; nil when not measured.
	scaling [][]synthRun

	suite []measurement
	// scriptsTest are the runs of the warm ./scripts/test, everything CI
	// runs, the tests behind the heavy tag included.
	scriptsTest      []measurement
	groups           []groupResult
	ungrouped, twice []string
	fresh            *measurement
	// floorBuild is "go build" of the floor app with an empty Go build
	// cache, in the fresh clone: what no Go CDK project avoids.
	floorBuild *measurement
	// freshPackages are the seconds each package's tests ran in the fresh
	// clone, as go test -json reports them, by package.
	freshPackages map[string]float64

	// base is the baseline this run is compared with; nil if there is none.
	base *baseline
}

// groupResult is one test group's runs; no runs when it has no tests.
type groupResult struct {
	testGroup
	tests []testFunc
	runs  []measurement
	// own are the sums of the group's tests' own times, one per run.
	own []float64
}

func seconds(ms []measurement) []float64 {
	out := make([]float64, len(ms))
	for i, m := range ms {
		out[i] = m.wall.Seconds()
	}
	return out
}

func mebibytes(ms []measurement) []float64 {
	out := make([]float64, len(ms))
	for i, m := range ms {
		out[i] = float64(m.peakRSS) / (1 << 20)
	}
	return out
}

func measurements(runs []synthRun) []measurement {
	out := make([]measurement, len(runs))
	for i, r := range runs {
		out[i] = r.measurement
	}
	return out
}

// minus is the per-round differences a[i] - b[i].
func minus(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

// part picks one part of each round's breakdown.
func part(in []inside, f func(inside) float64) []float64 {
	out := make([]float64, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}

// insideParts are the rows of the breakdown of one synthesis.
var insideParts = []struct {
	key, name, label string
	get              func(inside) float64
}{
	{"start", "program start to the first part", "program start to its first part: the jsii kernel's start, `awscdk.NewApp`, the configuration", func(in inside) float64 { return in.start }},
	{"stacks", "constructing the parts", "constructing the parts (the sum of every timed part: each environment's stage, each account's stage, the pipeline, with their cdk-nag aspects and stacks)", func(in inside) float64 { return in.stacks }},
	{"between", "outside the parts", "outside the parts, from the first to `App.Synth`", func(in inside) float64 { return in.between }},
	{"synth", "App.Synth", "`App.Synth`: aspects (cdk-nag), the CloudFormation validator, resolving, writing the assembly", func(in inside) float64 { return in.synth }},
	{"cli", "the CLI around the program", "the CLI around the program: its start, reading the assembly, the program's exit", func(in inside) float64 { return in.cli }},
}

// stackTypes lists the kinds of the app's parts in the order the first
// round built them.
func (r report) stackTypes() []string {
	types := slices.Collect(maps.Keys(r.appIn[0].byType))
	first := map[string]int{}
	for i, s := range r.app[0].steps {
		if _, ok := first[s.Name]; !ok {
			first[s.Name] = i
		}
	}
	slices.SortFunc(types, func(a, b string) int { return first[a] - first[b] })
	return types
}

// stackType is one kind of part's construction times: per round, the sum
// over its parts and its first part; and every further part pooled.
func (r report) stackType(name string) (instances int, total, first, further []float64) {
	for _, in := range r.appIn {
		times := in.byType[name]
		instances = len(times)
		sum := 0.0
		for _, t := range times {
			sum += t
		}
		total = append(total, sum)
		first = append(first, times[0])
		further = append(further, times[1:]...)
	}
	return instances, total, first, further
}

// perEnvironment is, per round, what each environment beyond the first
// added: (10 environments - 1) / 9.
func (r report) perEnvironment() []float64 {
	last := len(scalingSizes) - 1
	extra := float64(scalingSizes[last] - scalingSizes[0])
	d := minus(seconds(measurements(r.scaling[last])), seconds(measurements(r.scaling[0])))
	for i := range d {
		d[i] /= extra
	}
	return d
}

// figures are the report's numbers that are compared with the baseline.
func (r report) figures() []figure {
	var fs []figure
	add := func(key, label, unit string, values []float64) {
		if len(values) > 0 {
			fs = append(fs, figure{key: key, label: label, unit: unit, value: median(values)})
		}
	}
	fw, aw := seconds(measurements(r.floor)), seconds(measurements(r.app))
	fm, am := mebibytes(measurements(r.floor)), mebibytes(measurements(r.app))
	add("synth.floor.wall_s", "`cdk synth`, the floor", "s", fw)
	add("synth.app.wall_s", "`cdk synth`, the app", "s", aw)
	add("synth.above_floor.wall_s", "`cdk synth`, the app above the floor", "s", minus(aw, fw))
	add("synth.floor.peak_mib", "peak memory, the floor", "MiB", fm)
	add("synth.app.peak_mib", "peak memory, the app", "MiB", am)
	add("synth.above_floor.peak_mib", "peak memory, the app above the floor", "MiB", minus(am, fm))
	for _, p := range insideParts {
		add("inside.floor."+p.key+"_s", "inside the floor: "+p.name, "s", part(r.floorIn, p.get))
		add("inside.app."+p.key+"_s", "inside the app: "+p.name, "s", part(r.appIn, p.get))
	}
	for _, t := range r.stackTypes() {
		_, total, first, further := r.stackType(t)
		add("part."+t+".per_synthesis_s", t+" parts, construction per synthesis", "s", total)
		add("part."+t+".first_s", t+", the first part", "s", first)
		add("part."+t+".further_s", t+", each further part", "s", further)
	}
	if r.scaling != nil {
		for k, n := range scalingSizes {
			add(fmt.Sprintf("scaling.%d_environments.wall_s", n), fmt.Sprintf("`cdk synth`, %d generated environment(s)", n), "s", seconds(measurements(r.scaling[k])))
		}
		add("scaling.per_environment_s", "each further environment", "s", r.perEnvironment())
	}
	add("suite.wall_s", "warm `go test -count=1 ./...`", "s", seconds(r.suite))
	add("scripts_test.wall_s", "warm `./scripts/test -count=1`", "s", seconds(r.scriptsTest))
	for _, g := range r.groups {
		add("group."+g.name+".alone_s", "test group "+g.name+", run alone", "s", seconds(g.runs))
		add("group."+g.name+".tests_s", "test group "+g.name+", its tests' own time", "s", g.own)
	}
	if r.fresh != nil {
		add("fresh_clone.wall_s", "fresh clone to green `./scripts/test`", "s", seconds([]measurement{*r.fresh}))
	}
	if r.floorBuild != nil {
		add("fresh_clone.floor_build_s", "`go build` of the floor app, empty Go build cache", "s", seconds([]measurement{*r.floorBuild}))
	}
	return fs
}

// baseline is this run as a baseline.
func (r report) baseline() baseline {
	b := baseline{Commit: r.commit, UncommittedChanges: r.dirty, Recorded: r.now.UTC().Format(time.RFC3339),
		Command: r.command, Machine: r.machine, Figures: map[string]float64{}}
	for _, f := range r.figures() {
		b.Figures[f.key] = f.rounded()
	}
	return b
}

func (r report) render() (string, error) {
	var b strings.Builder
	state := ""
	if r.dirty {
		state = " with uncommitted changes"
	}
	fmt.Fprintf(&b, "# Benchmark baseline\n\nRecorded %s by `%s` at commit %s%s, on %s.\n",
		r.now.UTC().Format("2006-01-02"), r.command, r.commit, state, r.machine)
	fmt.Fprintf(&b, "Load average (1 minute) %s at the start, %s at the end; on %d cores, more than that means other work shared the machine and inflated the figures.\n", r.loadStart, r.loadEnd, runtime.NumCPU())
	b.WriteString("Re-record it with `./bench/run -record` (`./bench/run` alone compares with it and changes nothing). ")
	b.WriteString("Wall time and peak resident memory of the whole process tree (the cdk CLI, the program, the jsii kernel), sampled every 50 ms; the CLI is the pinned one, from node_modules/.bin. ")
	b.WriteString("Every synthesis is `cdk synth '**' --strict -q`, with cdk.json's context. A median of differences is the median of the per-round differences, not the difference of the medians.\n")

	b.WriteString("\n## Targets\n\n| target | measured | verdict |\n|---|---|---|\n")
	if len(r.suite) > 0 {
		w := seconds(r.suite)
		fmt.Fprintf(&b, "| warm `go test -count=1 ./...` ≤ %.0f s | **%.2f s** median of %d (min %.2f s, max %.2f s) | %s |\n",
			testSuiteTarget.Seconds(), median(w), len(w), slices.Min(w), slices.Max(w), verdict(median(w) <= testSuiteTarget.Seconds()))
	}
	if len(r.scriptsTest) > 0 {
		w := seconds(r.scriptsTest)
		fmt.Fprintf(&b, "| warm `./scripts/test -count=1` (everything CI runs: the rehearsal, Control Tower, every package) ≤ %.0f s | **%.2f s** median of %d (min %.2f s, max %.2f s) | %s |\n",
			scriptsTestTarget.Seconds(), median(w), len(w), slices.Min(w), slices.Max(w), verdict(median(w) <= scriptsTestTarget.Seconds()))
	}
	if r.fresh != nil && r.floorBuild != nil {
		fmt.Fprintf(&b, "| fresh clone to green `./scripts/test`, empty Go build cache, beside `go build` of the floor app from the same empty cache | **%.1f s**, of which the floor's build %.1f s | reported |\n",
			r.fresh.wall.Seconds(), r.floorBuild.wall.Seconds())
	}

	fw, aw := seconds(measurements(r.floor)), seconds(measurements(r.app))
	fm, am := mebibytes(measurements(r.floor)), mebibytes(measurements(r.app))
	fmt.Fprintf(&b, "\n## Synthesis: the app above the floor\n\n")
	b.WriteString("The floor is `bench/floor`: the smallest Go CDK app, one stack with one SQS queue, on this module's go.mod (the same aws-cdk-go, jsii runtime and kernel), with the CDK's defaults (the CloudFormation validator on, no cdk-nag). ")
	b.WriteString("The benchmark builds it with `go build` and runs it with `--app`, in the same directory, with the same CLI, flags and context as the app. Whatever the floor costs, any Go CDK app costs; the app's own cost is what it adds. ")
	fmt.Fprintf(&b, "The app runs through cdk.json's app command (`./scripts/app`, the prebuilt binary). %d rounds, each running both; the floor goes first in every other round.\n\n", r.rounds)
	b.WriteString("| | runs | wall min | wall median | wall max | peak memory median | peak memory max |\n|---|---|---|---|---|---|---|\n")
	row := func(name string, w, m []float64) {
		fmt.Fprintf(&b, "| %s | %d | %.2f s | %.2f s | %.2f s | %.0f MiB | %.0f MiB |\n", name, len(w), slices.Min(w), median(w), slices.Max(w), median(m), slices.Max(m))
	}
	row("floor (`--app` bench/floor, built)", fw, fm)
	row("app (cdk.json's `./scripts/app`)", aw, am)
	row("**app − floor**", minus(aw, fw), minus(am, fm))
	fmt.Fprintf(&b, "\nPer round, the app above the floor: %s (wall); %s (peak memory).\n", list(minus(aw, fw), "%.2f s"), list(minus(am, fm), "%.0f MiB"))

	b.WriteString("\n## Inside one synthesis\n\n")
	b.WriteString("Timed inside the programs by `internal/synthtiming`, which the benchmark switches on with `PRIVATEBACKEND_SYNTH_TIMING`: the app times each part from outside, around the call that builds it (each environment's stage, each account's stage, the pipeline; no stack or construct carries a hook), and `App.Synth`, recording their start and duration. Medians over the rounds above.\n\n")
	b.WriteString("| part | floor | app | app − floor |\n|---|---|---|---|\n")
	for _, p := range insideParts {
		f, a := part(r.floorIn, p.get), part(r.appIn, p.get)
		fmt.Fprintf(&b, "| %s | %.3f s | %.3f s | %.3f s |\n", p.label, median(f), median(a), median(minus(a, f)))
	}
	fmt.Fprintf(&b, "| whole `cdk synth` | %.3f s | %.3f s | %.3f s |\n", median(fw), median(aw), median(minus(aw, fw)))
	b.WriteString("\nEach kind of part's construction (the first also loads the aws-cdk-lib modules it uses):\n\n")
	b.WriteString("| part | parts per synthesis | construction per synthesis | the first | each further |\n|---|---|---|---|---|\n")
	for _, t := range r.stackTypes() {
		n, total, first, further := r.stackType(t)
		more := "–"
		if len(further) > 0 {
			more = fmt.Sprintf("%.3f s", median(further))
		}
		fmt.Fprintf(&b, "| %s | %d | %.3f s | %.3f s | %s |\n", t, n, median(total), median(first), more)
	}

	if r.scaling != nil {
		b.WriteString("\n## Environments\n\n")
		fmt.Fprintf(&b, "Generated projects whose cdk.json holds 1, 3 or 10 copies of its first environment in name order (no pipeline), synthesized by the app's binary; %d rounds, each running all three in a rotating order.\n\n", r.rounds)
		b.WriteString("| generated environments | runs | wall min | wall median | wall max | peak memory median | peak memory max |\n|---|---|---|---|---|---|---|\n")
		for k, n := range scalingSizes {
			ms := measurements(r.scaling[k])
			row(fmt.Sprint(n), seconds(ms), mebibytes(ms))
		}
		fmt.Fprintf(&b, "\nEach further environment: **%.3f s** (median of the per-round (10 − 1) / 9).\n", median(r.perEnvironment()))
	}

	if len(r.suite) > 0 {
		b.WriteString("\n## Test suite\n\n")
		w, m := seconds(r.suite), mebibytes(r.suite)
		b.WriteString("| | runs | wall min | wall median | wall max | peak memory median | peak memory max |\n|---|---|---|---|---|---|---|\n")
		row("`go test -count=1 ./...` (warm build cache)", w, m)
		if len(r.scriptsTest) > 0 {
			row("`./scripts/test -count=1` (warm build cache)", seconds(r.scriptsTest), mebibytes(r.scriptsTest))
		}
		if len(r.groups) > 0 {
			b.WriteString("\nBy group (`bench/groups.go` defines them): each run on its own, in the rounds of the whole suite. *Alone* is the wall time of `go test -count=1` over the group; it includes building the test binaries and their `TestMain`, which synthesizes the fixtures the group's package shares. *Tests' own time* is the sum of the group's top-level tests as `go test -json` reports them: what the group adds to a suite that already pays for its package's fixtures.\n\n")
			b.WriteString("| group | what it tests | packages | -run / -skip | tests | alone (median) | tests' own time (median) |\n|---|---|---|---|---|---|---|\n")
			for _, g := range r.groups {
				patterns := strings.TrimSpace(strings.Join([]string{flagText("-run", g.run), flagText("-skip", g.skip)}, " "))
				if len(g.tests) == 0 {
					fmt.Fprintf(&b, "| %s | %s | `%s` | %s | no tests | – | – |\n", g.name, g.about, g.packages, patterns)
					continue
				}
				fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %d | %.2f s | %.2f s |\n", g.name, g.about, g.packages, patterns, len(g.tests), median(seconds(g.runs)), median(g.own))
			}
			if len(r.ungrouped) > 0 {
				fmt.Fprintf(&b, "\n**Tests in no group** (add a group or widen one): %s.\n", strings.Join(r.ungrouped, ", "))
			}
			if len(r.twice) > 0 {
				fmt.Fprintf(&b, "\n**Tests in two groups** (narrow one with -skip): %s.\n", strings.Join(r.twice, ", "))
			}
		}
	}
	if r.fresh != nil {
		fmt.Fprintf(&b, "\n## Fresh clone\n\n`git clone` of HEAD, then `./scripts/test -json` with an empty Go build cache: %.1f s, peak memory %d MiB.\n", r.fresh.wall.Seconds(), r.fresh.peakRSS>>20)
		if r.floorBuild != nil {
			running := 0.0
			for _, s := range r.freshPackages {
				running += s
			}
			fmt.Fprintf(&b, "\nWhere it goes: `go build` of the floor app with an empty Go build cache, in the clone, takes %.1f s: compiling aws-cdk-go and the jsii runtime, which any Go CDK project pays. "+
				"The packages' tests ran %.1f s in all by `go test -json` (on two cores, partly side by side). "+
				"The rest, %.1f s of wall time, is setup (npm ci when node_modules is missing), compiling the module's own packages and test binaries and their further dependencies (the AWS SDK, cdk-nag), and go vet, gofmt, actionlint and the sample app's node test.\n",
				r.floorBuild.wall.Seconds(), running, r.fresh.wall.Seconds()-r.floorBuild.wall.Seconds()-running)
			if len(r.freshPackages) > 0 {
				b.WriteString("\n| package | its tests' time in the fresh clone |\n|---|---|\n")
				for _, pkg := range slices.Sorted(maps.Keys(r.freshPackages)) {
					fmt.Fprintf(&b, "| `%s` | %.1f s |\n", pkg, r.freshPackages[pkg])
				}
			}
		}
	}

	b.WriteString(r.renderComparison())

	block, err := figuresBlock(r.baseline())
	if err != nil {
		return "", err
	}
	b.WriteString("\n## Figures\n\nWhat `./bench/run` compares the next run with; `./bench/run -record` rewrites them.\n\n")
	b.WriteString(block)
	return b.String(), nil
}

func (r report) renderComparison() string {
	var b strings.Builder
	b.WriteString("\n## Against the baseline\n\n")
	if r.base == nil {
		b.WriteString("No baseline figures to compare with.\n")
		return b.String()
	}
	state := ""
	if r.base.UncommittedChanges {
		state = " with uncommitted changes"
	}
	fmt.Fprintf(&b, "The baseline was recorded at commit %s%s on %s by `%s`, on %s. A figure more than %.0f%% worse is flagged; timings on a shared VM move by ±15%%, so a flag asks for a second run, not a verdict. Figures this run did not measure are left out.\n\n",
		r.base.Commit, state, r.base.Recorded, r.base.Command, r.base.Machine, worseBy*100)
	b.WriteString("| figure | baseline | now | change | |\n|---|---|---|---|---|\n")
	var flagged []string
	for _, c := range compare(r.figures(), r.base) {
		base, change, flag := "–", "new", ""
		if c.known {
			base = c.format(c.base)
			change = fmt.Sprintf("%+.3g %s", c.value-c.base, c.unit)
			if rel, ok := c.change(); ok {
				change = fmt.Sprintf("%+.1f%%", rel*100)
			}
		}
		if c.worse() {
			flag = fmt.Sprintf("**more than %.0f%% worse**", worseBy*100)
			flagged = append(flagged, c.label)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", c.label, base, c.format(c.value), change, flag)
	}
	if len(flagged) == 0 {
		fmt.Fprintf(&b, "\nNo figure is more than %.0f%% worse than the baseline.\n", worseBy*100)
	} else {
		fmt.Fprintf(&b, "\n%d figure(s) more than %.0f%% worse than the baseline: %s.\n", len(flagged), worseBy*100, strings.Join(flagged, "; "))
	}
	return b.String()
}

func flagText(name, pattern string) string {
	if pattern == "" {
		return ""
	}
	// A "|" would end the table cell, even inside a code span.
	return fmt.Sprintf("%s `%s`", name, strings.ReplaceAll(pattern, "|", `\|`))
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "**missed**"
}

func list(values []float64, format string) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = fmt.Sprintf(format, v)
	}
	return strings.Join(s, ", ")
}
