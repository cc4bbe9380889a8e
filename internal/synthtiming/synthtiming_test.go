package synthtiming

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStepsAreAppendedInTheOrderTheyEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "steps.jsonl")
	t.Setenv(FileEnv, path)
	synth := Synth()
	network := Part("Environment")
	network()
	Part("Pipeline")()
	synth()

	steps, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Step{{Kind: KindPart, Name: "Environment"}, {Kind: KindPart, Name: "Pipeline"}, {Kind: KindSynth, Name: "App.Synth"}}
	if len(steps) != len(want) {
		t.Fatalf("recorded %v, want the steps %v", steps, want)
	}
	for i, s := range steps {
		if s.Kind != want[i].Kind || s.Name != want[i].Name {
			t.Errorf("step %d is %s %s, want %s %s", i, s.Kind, s.Name, want[i].Kind, want[i].Name)
		}
		if s.Start <= 0 || s.Seconds < 0 {
			t.Errorf("step %s starts at %v s and takes %v s; want a start after the program's and a duration", s.Name, s.Start, s.Seconds)
		}
	}
	// The synthesis began before the stacks and ended after them.
	if synthEnd, pipelineEnd := steps[2].Start+steps[2].Seconds, steps[1].Start+steps[1].Seconds; steps[2].Start > steps[0].Start || synthEnd < pipelineEnd {
		t.Errorf("App.Synth spans %v–%v s, which does not contain the parts (%v–%v s)", steps[2].Start, synthEnd, steps[0].Start, pipelineEnd)
	}
}

func TestNothingIsWrittenWhenTimingIsOff(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(FileEnv, "")
	t.Chdir(dir)
	Part("Environment")()
	Synth()()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("timing off wrote %v", entries)
	}
}

func TestReadNamesTheBadLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "steps.jsonl")
	if err := os.WriteFile(path, []byte(`{"kind":"stack","name":"Network","start":0.5,"seconds":0.1}`+"\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil || !strings.HasPrefix(err.Error(), path+":2:") {
		t.Errorf("Read of a bad second line returned %v, want an error naming %s:2", err, path)
	}
}
