// Command bench measures what users wait for: "cdk synth" of every
// environment and of one, the whole test suite, how synthesis grows with the
// number of environments, and a fresh clone's first build. It prints a
// table of wall time and peak memory (of the whole process tree) and, with
// -write, records it in bench/BASELINE.md. It reports; it never fails on
// timing.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	runs := flag.Int("runs", 5, "runs per warm measurement")
	cold := flag.Bool("cold", true, "also measure a fresh clone's first build and test run (minutes)")
	write := flag.String("write", "", "write the report to this file as well")
	flag.Parse()
	if err := run(*runs, *cold, *write); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// result is one measured command over several runs.
type result struct {
	name         string
	wall         []time.Duration
	peakRSSBytes []int64
}

func run(runs int, cold bool, write string) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	appBinary := filepath.Join(work, "app")
	if err := runQuiet(root, nil, "go", "build", "-o", appBinary, "."); err != nil {
		return err
	}
	// Warm every cache once: Go's build cache, go run's binary cache, npx.
	if _, err := measure(root, nil, "cdk", "synth", "**", "--strict", "-q", "-o", filepath.Join(work, "warm")); err != nil {
		return err
	}

	var results []*result
	add := func(name, dir string, env []string, args ...string) error {
		r := &result{name: name}
		for i := 0; i < runs; i++ {
			out := filepath.Join(work, "out-"+strconv.Itoa(len(results))+"-"+strconv.Itoa(i))
			a := slices.Clone(args)
			for j := range a {
				a[j] = strings.ReplaceAll(a[j], "{out}", out)
			}
			m, err := measure(dir, env, a[0], a[1:]...)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			r.wall = append(r.wall, m.wall)
			r.peakRSSBytes = append(r.peakRSSBytes, m.peakRSS)
		}
		results = append(results, r)
		fmt.Fprintf(os.Stderr, "%-58s median %6.2fs\n", name, median(r.wall).Seconds())
		return nil
	}
	synth := []string{"cdk", "synth", "**", "--strict", "-q", "-o", "{out}"}
	prebuilt := append(slices.Clone(synth), "--app", appBinary)
	steps := []struct {
		name string
		args []string
	}{
		{"cdk synth, every environment, gates on (app: go run .)", synth},
		{"cdk synth, every environment, gates on (prebuilt app)", prebuilt},
		{"cdk synth, one environment (-c env=dev, go run .)", append(slices.Clone(synth), "-c", "env=dev")},
		{"test suite: go test -count=1 ./... (warm build cache)", []string{"go", "test", "-count=1", "./..."}},
	}
	for _, s := range steps {
		if err := add(s.name, root, nil, s.args...); err != nil {
			return err
		}
	}

	// Growth: the same app over generated configurations of 1, 3 and 10
	// copies of the dev environment.
	scaling := map[int]*result{}
	for _, n := range []int{1, 3, 10} {
		dir, err := generatedProject(root, work, appBinary, n)
		if err != nil {
			return err
		}
		if err := add(fmt.Sprintf("cdk synth, %d generated environment(s) (prebuilt app)", n), dir, nil, "cdk", "synth", "**", "--strict", "-q", "-o", "{out}"); err != nil {
			return err
		}
		scaling[n] = results[len(results)-1]
	}

	if cold {
		clone := filepath.Join(work, "clone")
		if err := runQuiet(work, nil, "git", "clone", "-q", root, clone); err != nil {
			return err
		}
		fresh := []string{"GOCACHE=" + filepath.Join(work, "gocache")}
		r := &result{name: "fresh clone: ./scripts/test with an empty Go build cache"}
		m, err := measure(clone, fresh, "./scripts/test")
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		r.wall, r.peakRSSBytes = []time.Duration{m.wall}, []int64{m.peakRSS}
		results = append(results, r)
	}

	perEnv := (median(scaling[10].wall) - median(scaling[1].wall)) / 9
	report := render(results, perEnv, runs)
	report += fmt.Sprintf("A prebuilt app binary instead of `go run .` saves %.2f s per synthesis (medians of the first two rows).\n",
		(median(results[0].wall) - median(results[1].wall)).Seconds())
	fmt.Print(report)
	if write != "" {
		return os.WriteFile(write, []byte(report), 0o644)
	}
	return nil
}

// generatedProject makes a project directory whose cdk.json holds n copies
// of the dev environment, sharing the repository's backend bundle.
func generatedProject(root, work, appBinary string, n int) (string, error) {
	var cdk map[string]any
	data, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(data, &cdk); err != nil {
		return "", err
	}
	ctx := cdk["context"].(map[string]any)
	dev := ctx["environments"].(map[string]any)["dev"]
	envs := map[string]any{}
	for i := 0; i < n; i++ {
		envs[fmt.Sprintf("env%d", i)] = dev
	}
	ctx["environments"] = envs
	cdk["app"] = appBinary
	dir := filepath.Join(work, fmt.Sprintf("project-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.Symlink(filepath.Join(root, "backend"), filepath.Join(dir, "backend")); err != nil {
		return "", err
	}
	out, err := json.Marshal(cdk)
	if err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "cdk.json"), out, 0o644)
}

func runQuiet(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func render(results []*result, perEnv time.Duration, runs int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmark baseline\n\nRecorded %s by `./bench/run` on %s.\n", time.Now().UTC().Format("2006-01-02"), machine())
	fmt.Fprintf(&b, "Warm measurements: %d runs each after one warm-up; wall time and peak resident memory of the whole process tree (Go, Node.js, the jsii kernel), sampled every 50 ms; the CLI is run as `cdk` from the pinned node_modules/.bin (npx's own start-up is not counted).\n\n", runs)
	b.WriteString("| measurement | wall min | wall median | wall max | peak memory median | peak memory max |\n|---|---|---|---|---|---|\n")
	for _, r := range results {
		rss := slices.Clone(r.peakRSSBytes)
		slices.Sort(rss)
		w := slices.Clone(r.wall)
		slices.Sort(w)
		fmt.Fprintf(&b, "| %s | %.2f s | %.2f s | %.2f s | %d MiB | %d MiB |\n", r.name,
			w[0].Seconds(), median(r.wall).Seconds(), w[len(w)-1].Seconds(), rss[len(rss)/2]>>20, rss[len(rss)-1]>>20)
	}
	fmt.Fprintf(&b, "\nCost of one more environment (median of 10 generated environments minus 1, divided by 9): **%.2f s**.\n", perEnv.Seconds())
	return b.String()
}

func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		fields := strings.Fields(string(data))
		if len(fields) > 1 {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			mem = fmt.Sprintf(", %d GiB", (kb+(1<<19))>>20)
		}
	}
	node, _ := exec.Command("node", "--version").Output()
	return fmt.Sprintf("%d cores (%s)%s, %s/%s, %s, Node.js %s", runtime.NumCPU(), cpu, mem, runtime.GOOS, runtime.GOARCH,
		runtime.Version(), strings.TrimSpace(string(node)))
}
