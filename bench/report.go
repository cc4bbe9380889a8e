package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The project's targets (issue #14).
const (
	synthRatioTarget  = 1.10
	synthRatioAim     = 1.05
	memoryRatioTarget = 1.10
	testSuiteTarget   = 10 * time.Second
	freshCloneTarget  = 120 * time.Second
)

// report is everything one benchmark run measured.
type report struct {
	// compared is how many templates and nag reports the twin matched.
	compared                 int
	launcher, prebuilt, twin *result
	tests                    *result
	scaling                  []*result
	fresh                    *result
}

func walls(r *result) []time.Duration {
	out := make([]time.Duration, len(r.runs))
	for i, m := range r.runs {
		out[i] = m.wall
	}
	return out
}

func peaks(r *result) []int64 {
	out := make([]int64, len(r.runs))
	for i, m := range r.runs {
		out[i] = m.peakRSS
	}
	return out
}

// ratios are the per-round ratios of a's runs to b's, of wall time and of
// peak memory.
func ratios(a, b *result) (wall, memory []float64) {
	for i := range a.runs {
		wall = append(wall, a.runs[i].wall.Seconds()/b.runs[i].wall.Seconds())
		memory = append(memory, float64(a.runs[i].peakRSS)/float64(b.runs[i].peakRSS))
	}
	return wall, memory
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "**missed**"
}

func (r report) render(now time.Time, machine string, rounds int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmark baseline\n\nRecorded %s by `./bench/run` on %s.\n", now.UTC().Format("2006-01-02"), machine)
	b.WriteString("Wall time and peak resident memory of the whole process tree (the cdk CLI, the app, the jsii kernel), sampled every 50 ms; the CLI is run as `cdk` from the pinned node_modules/.bin. ")
	b.WriteString("Every synthesis is `cdk synth '**' --strict -q` of every shipped environment and the pipeline, cdk-nag and the CloudFormation validator on.\n\n")

	launcherWall, launcherMemory := ratios(r.launcher, r.twin)
	prebuiltWall, prebuiltMemory := ratios(r.prebuilt, r.twin)
	b.WriteString("## Targets\n\n| target | measured | verdict |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| `cdk synth` ≤ %.2f× the JavaScript twin (aim %.2f×), cdk.json's app command | **%.3f×** (median of %d per-round ratios; prebuilt binary %.3f×) | %s |\n",
		synthRatioTarget, synthRatioAim, median(launcherWall), rounds, median(prebuiltWall), verdict(median(launcherWall) <= synthRatioTarget))
	fmt.Fprintf(&b, "| peak memory of the synth process tree ≤ %.2f× the twin's | **%.3f×** (median of per-round ratios; prebuilt binary %.3f×) | %s |\n",
		memoryRatioTarget, median(launcherMemory), median(prebuiltMemory), verdict(median(launcherMemory) <= memoryRatioTarget))
	if r.tests != nil {
		w := walls(r.tests)
		fmt.Fprintf(&b, "| warm `go test -count=1 ./...` ≤ %.0f s | **%.2f s** median of %d (min %.2f s, max %.2f s) | %s |\n",
			testSuiteTarget.Seconds(), median(w).Seconds(), len(w), slices.Min(w).Seconds(), slices.Max(w).Seconds(), verdict(median(w) <= testSuiteTarget))
	}
	if r.fresh != nil {
		w := r.fresh.runs[0].wall
		fmt.Fprintf(&b, "| fresh clone to green `./scripts/test`, empty Go build cache, ≤ %.0f s | **%.1f s** | %s |\n",
			freshCloneTarget.Seconds(), w.Seconds(), verdict(w <= freshCloneTarget))
	}

	fmt.Fprintf(&b, "\n## Synthesis: the Go app against its JavaScript twin\n\n")
	fmt.Fprintf(&b, "The twin (`bench/twin/app.js`) builds the same stacks with the same constructs on the same aws-cdk-lib, constructs and cdk-nag versions as go.mod pins, on the same Node.js. Before timing, the benchmark checked that it writes the same %d templates and nag reports as the Go app. %d rounds; each runs the three app commands once, in an order that rotates from round to round.\n\n", r.compared, rounds)
	b.WriteString(table(r.launcher, r.prebuilt, r.twin))
	fmt.Fprintf(&b, "\nPer-round wall-time ratios to the twin: launcher %s; prebuilt %s.\n", list(launcherWall), list(prebuiltWall))
	fmt.Fprintf(&b, "Per-round memory ratios to the twin: launcher %s; prebuilt %s.\n", list(launcherMemory), list(prebuiltMemory))

	other := []*result{}
	if r.tests != nil {
		other = append(other, r.tests)
	}
	other = append(other, r.scaling...)
	if r.fresh != nil {
		other = append(other, r.fresh)
	}
	if len(other) > 0 {
		b.WriteString("\n## Other measurements\n\n")
		b.WriteString(table(other...))
	}
	if len(r.scaling) == 3 {
		perEnv := (median(walls(r.scaling[2])) - median(walls(r.scaling[0]))) / 9
		fmt.Fprintf(&b, "\nCost of one more environment (median of 10 generated environments minus 1, divided by 9): **%.2f s**.\n", perEnv.Seconds())
	}
	return b.String()
}

func table(results ...*result) string {
	var b strings.Builder
	b.WriteString("| measurement | runs | wall min | wall median | wall max | peak memory median | peak memory max |\n|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		w, p := walls(r), peaks(r)
		fmt.Fprintf(&b, "| %s | %d | %.2f s | %.2f s | %.2f s | %d MiB | %d MiB |\n", r.name, len(w),
			slices.Min(w).Seconds(), median(w).Seconds(), slices.Max(w).Seconds(), median(p)>>20, slices.Max(p)>>20)
	}
	return b.String()
}

func list(values []float64) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = fmt.Sprintf("%.3f", v)
	}
	return strings.Join(s, ", ")
}
