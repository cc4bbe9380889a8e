package main

import (
	"math"
	"strings"
	"testing"
	"time"

	"privatebackend/internal/synthtiming"
)

func TestBreakDownSplitsASynthesisIntoItsParts(t *testing.T) {
	r := synthRun{
		measurement: measurement{wall: 5 * time.Second},
		stacks:      3,
		steps: []synthtiming.Step{
			{Kind: synthtiming.KindPart, Name: "ApiGatewayAccount", Start: 0.5, Seconds: 0.25},
			{Kind: synthtiming.KindPart, Name: "Environment", Start: 0.75, Seconds: 0.125},
			{Kind: synthtiming.KindPart, Name: "Environment", Start: 1, Seconds: 0.0625},
			{Kind: synthtiming.KindSynth, Name: "App.Synth", Start: 1.5, Seconds: 3},
		},
	}
	in, err := breakDown(r)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]float64{
		"start":   {in.start, 0.5},
		"stacks":  {in.stacks, 0.4375},
		"between": {in.between, 1.5 - 0.5 - 0.4375},
		"synth":   {in.synth, 3},
		"cli":     {in.cli, 0.5},
	} {
		if math.Abs(pair[0]-pair[1]) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, pair[0], pair[1])
		}
	}
	if b := in.byType["Environment"]; len(b) != 2 || b[0] != 0.125 || b[1] != 0.0625 {
		t.Errorf("Environment construction times = %v, want [0.125 0.0625] in the order built", b)
	}
}

func TestBreakDownRefusesAProgramWithoutItsHooks(t *testing.T) {
	r := synthRun{stacks: 2, steps: []synthtiming.Step{
		{Kind: synthtiming.KindSynth, Name: "App.Synth", Start: 1, Seconds: 1},
	}}
	if _, err := breakDown(r); err == nil || !strings.Contains(err.Error(), "timed no part") {
		t.Errorf("a synthesis with no timed part gave %v", err)
	}
	r.steps = []synthtiming.Step{{Kind: synthtiming.KindPart, Name: "Environment", Start: 0.5, Seconds: 0.25}}
	if _, err := breakDown(r); err == nil || !strings.Contains(err.Error(), "no App.Synth") {
		t.Errorf("a synthesis without App.Synth gave %v", err)
	}
}
