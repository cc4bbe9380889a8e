// Package synthtiming lets the benchmark (bench/) see inside one synthesis:
// how long the app spends constructing each part (an environment's stage,
// an account's stage, the pipeline), and in App.Synth. The program times
// each part from outside, around the call that builds it, so that no stack
// or construct carries a benchmark's hook. It is
// off unless the environment variable named by FileEnv names a file; then
// every timed step appends one JSON line to that file. Off, a hook costs a
// function call and nothing is written.
package synthtiming

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// FileEnv is the environment variable that switches timing on by naming
// the file the steps are appended to.
const FileEnv = "PRIVATEBACKEND_SYNTH_TIMING"

// Step kinds.
const (
	// KindPart is the construction of one part of the app, timed around the
	// call that builds it.
	KindPart = "part"
	// KindSynth is App.Synth: aspects (cdk-nag), validation, resolving tokens
	// and writing the cloud assembly.
	KindSynth = "synth"
)

// Step is one timed step, one JSON line of the file.
type Step struct {
	// Kind is KindPart or KindSynth.
	Kind string `json:"kind"`
	// Name is the part's kind for KindPart (e.g. "Environment" for the
	// stage of every environment), "App.Synth" for KindSynth.
	Name string `json:"name"`
	// Start is when the step began, in seconds since the program started.
	Start float64 `json:"start"`
	// Seconds is how long the step took.
	Seconds float64 `json:"seconds"`
}

// started is when the program started: package variables are set before
// main runs.
var started = time.Now()

// Part times the construction of one part of the kind named, from the
// caller, around the call that builds it:
//
//	done := synthtiming.Part("Environment")
//	stacks.NewEnvironment(stage, e, bundlePath)
//	done()
func Part(kind string) (done func()) { return begin(KindPart, kind) }

// Synth times App.Synth:
//
//	done := synthtiming.Synth()
//	app.Synth(nil)
//	done()
func Synth() (done func()) { return begin(KindSynth, "App.Synth") }

func begin(kind, name string) func() {
	path := os.Getenv(FileEnv)
	if path == "" {
		return func() {}
	}
	start := time.Now()
	return func() {
		step := Step{Kind: kind, Name: name, Start: start.Sub(started).Seconds(), Seconds: time.Since(start).Seconds()}
		// Timing is a benchmark's aid: a file it cannot write is reported,
		// and the synthesis goes on.
		if err := appendStep(path, step); err != nil {
			fmt.Fprintf(os.Stderr, "warning: %s=%s: %v\n", FileEnv, path, err)
		}
	}
}

func appendStep(path string, step Step) error {
	line, err := json.Marshal(step)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	return errors.Join(err, f.Close())
}

// Read returns the steps recorded in the file at path, in the order they
// ended.
func Read(path string) ([]Step, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var steps []Step
	lines := bufio.NewScanner(f)
	for n := 1; lines.Scan(); n++ {
		var s Step
		if err := json.Unmarshal(lines.Bytes(), &s); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		steps = append(steps, s)
	}
	return steps, lines.Err()
}
