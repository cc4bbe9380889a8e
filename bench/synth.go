package main

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"privatebackend/internal/synthtiming"
)

// synthArgs is the synthesis every measurement runs, the README's: every
// stack, warnings as errors, no template printed, the assembly written to
// out.
func synthArgs(out string, extra ...string) []string {
	return append([]string{"cdk", "synth", "**", "--strict", "-q", "-o", out}, extra...)
}

// synthRun is one timed synthesis.
type synthRun struct {
	measurement
	// steps are what internal/synthtiming recorded inside the program.
	steps []synthtiming.Step
	// stacks is how many stack templates the synthesis wrote.
	stacks int
}

// synthesize runs one synthesis in dir with the app command args (none:
// cdk.json's), timing its steps, and deletes its assembly afterwards.
func synthesize(dir, work, label string, extra ...string) (synthRun, error) {
	out := filepath.Join(work, label+".out")
	timing := filepath.Join(work, label+".timing.jsonl")
	defer os.RemoveAll(out)
	defer os.Remove(timing)
	m, err := measure(dir, []string{synthtiming.FileEnv + "=" + timing}, synthArgs(out, extra...)...)
	if err != nil {
		return synthRun{}, err
	}
	steps, err := synthtiming.Read(timing)
	if err != nil {
		return synthRun{}, err
	}
	stacks, err := countTemplates(out)
	if err != nil {
		return synthRun{}, err
	}
	return synthRun{measurement: m, steps: steps, stacks: stacks}, nil
}

// countTemplates counts the stack templates of an assembly, the stages'
// nested assemblies included.
func countTemplates(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(d.Name(), ".template.json") {
			n++
		}
		return err
	})
	return n, err
}

// inside is one synthesis broken into its parts, in seconds, from the
// program's timed steps and the CLI's wall time.
type inside struct {
	// start is from the program's start to its first part: the jsii
	// kernel's start, the App, the configuration.
	start float64
	// stacks is the construction of every part: its stage, cdk-nag's
	// aspects on it, its stacks.
	stacks float64
	// between is the rest of the time before App.Synth: anything built
	// outside a timed part.
	between float64
	// synth is App.Synth.
	synth float64
	// cli is the rest of the CLI's wall time: its own start, starting the
	// program, reading the assembly, the program's exit.
	cli float64
	// byType is the construction time of each part (an environment's stage,
	// an account's stage, the pipeline), by kind, in the order they were
	// built.
	byType map[string][]float64
}

// breakDown splits a synthesis into its parts; it fails when the program
// recorded no App.Synth or no part, so that a program without its timing
// hooks does not go unnoticed.
func breakDown(r synthRun) (inside, error) {
	in := inside{byType: map[string][]float64{}}
	var parts []synthtiming.Step
	var synth *synthtiming.Step
	for _, s := range r.steps {
		switch s.Kind {
		case synthtiming.KindPart:
			parts = append(parts, s)
		case synthtiming.KindSynth:
			synth = &s
		}
	}
	if synth == nil {
		return inside{}, fmt.Errorf("the program recorded no App.Synth (is its synthtiming.Synth hook gone?)")
	}
	if r.stacks == 0 {
		return inside{}, fmt.Errorf("the synthesis wrote no stack")
	}
	if len(parts) == 0 {
		return inside{}, fmt.Errorf("the program timed no part (is its synthtiming.Part hook gone?)")
	}
	slices.SortFunc(parts, func(a, b synthtiming.Step) int { return cmp.Compare(a.Start, b.Start) })
	in.start = parts[0].Start
	for _, s := range parts {
		in.stacks += s.Seconds
		in.byType[s.Name] = append(in.byType[s.Name], s.Seconds)
	}
	in.between = synth.Start - in.start - in.stacks
	in.synth = synth.Seconds
	in.cli = r.wall.Seconds() - (synth.Start + synth.Seconds)
	return in, nil
}

// synthRounds times the floor and the app in alternating rounds, each
// round running both, the other one first in every second round.
func synthRounds(root, work, floorBinary string, rounds int) (floor, app []synthRun, err error) {
	apps := []struct {
		name  string
		extra []string
		runs  *[]synthRun
	}{
		{"floor", []string{"--app", floorBinary}, &floor},
		{"app", nil, &app},
	}
	for i := 0; i < rounds; i++ {
		var line []string
		for j := range apps {
			a := apps[(i+j)%len(apps)]
			r, err := synthesize(root, work, fmt.Sprintf("%s-%d", a.name, i), a.extra...)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", a.name, err)
			}
			*a.runs = append(*a.runs, r)
			line = append(line, fmt.Sprintf("%s %.2f s", a.name, r.wall.Seconds()))
		}
		fmt.Fprintf(os.Stderr, "bench: synthesis round %d/%d: %s\n", i+1, rounds, strings.Join(line, ", "))
	}
	return floor, app, nil
}

// scalingSizes are the numbers of generated environments synthesized to
// show how synthesis grows with them.
var scalingSizes = []int{1, 3, 10}

// scalingRounds synthesizes generated projects of each size with the app's
// binary, in rounds whose order rotates; runs[k] are the runs of
// scalingSizes[k].
func scalingRounds(root, work string, rounds int) ([][]synthRun, error) {
	binary := filepath.Join(root, ".build", "app")
	dirs := make([]string, len(scalingSizes))
	for k, n := range scalingSizes {
		dir, err := generatedProject(root, work, binary, n)
		if err != nil {
			return nil, err
		}
		dirs[k] = dir
	}
	runs := make([][]synthRun, len(scalingSizes))
	for i := 0; i < rounds; i++ {
		for j := range scalingSizes {
			k := (i + j) % len(scalingSizes)
			r, err := synthesize(dirs[k], work, fmt.Sprintf("scaling-%d-%d", scalingSizes[k], i))
			if err != nil {
				return nil, fmt.Errorf("%d generated environment(s): %w", scalingSizes[k], err)
			}
			runs[k] = append(runs[k], r)
		}
		fmt.Fprintf(os.Stderr, "bench: scaling round %d/%d\n", i+1, rounds)
	}
	return runs, nil
}
