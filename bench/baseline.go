package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
)

// figure is one number the benchmark reports and compares with the
// baseline; for every figure, lower is better.
type figure struct {
	// key names the figure in the baseline's figures block.
	key   string
	label string
	// unit is "s" or "MiB".
	unit  string
	value float64
}

func (f figure) format(v float64) string {
	if f.unit == "MiB" {
		return fmt.Sprintf("%.0f MiB", v)
	}
	return fmt.Sprintf("%.3f s", v)
}

// rounded is the value to the precision worth recording: milliseconds,
// tenths of a MiB.
func (f figure) rounded() float64 {
	if f.unit == "MiB" {
		return math.Round(f.value*10) / 10
	}
	return math.Round(f.value*1000) / 1000
}

// baseline is BASELINE.md's machine-readable block: the figures of the run
// that recorded it, and where they come from.
type baseline struct {
	// Commit is git rev-parse HEAD when the baseline was recorded.
	Commit string `json:"commit"`
	// UncommittedChanges is whether tracked files differed from Commit.
	UncommittedChanges bool               `json:"uncommittedChanges"`
	Recorded           string             `json:"recorded"`
	Command            string             `json:"command"`
	Machine            string             `json:"machine"`
	Figures            map[string]float64 `json:"figures"`
}

// The figures block of BASELINE.md is the fenced JSON after this marker.
const (
	figuresMarker = "<!-- bench:figures -->"
	fenceStart    = "```json\n"
	fenceEnd      = "\n```"
)

// readBaseline reads the figures block of the file at path; a file that
// does not exist, or has no such block, has no baseline (nil).
func readBaseline(path string) (*baseline, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	_, rest, ok := strings.Cut(string(data), figuresMarker)
	if !ok {
		return nil, nil
	}
	_, rest, ok = strings.Cut(rest, fenceStart)
	block, _, closed := strings.Cut(rest, fenceEnd)
	if !ok || !closed {
		return nil, fmt.Errorf("%s: the figures block after %s is not a fenced JSON block", path, figuresMarker)
	}
	var b baseline
	if err := json.Unmarshal([]byte(block), &b); err != nil {
		return nil, fmt.Errorf("%s: figures block: %w", path, err)
	}
	return &b, nil
}

// figuresBlock renders b as BASELINE.md's figures block.
func figuresBlock(b baseline) (string, error) {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return "", err
	}
	return figuresMarker + "\n" + fenceStart + string(data) + fenceEnd + "\n", nil
}

// worseBy is how much worse than its baseline a figure may be before the
// report flags it.
const worseBy = 0.10

// comparison is a figure against its baseline.
type comparison struct {
	figure
	base float64
	// known is whether the baseline has the figure.
	known bool
}

// change is the relative change from the baseline, when the baseline is
// positive.
func (c comparison) change() (float64, bool) {
	if !c.known || c.base <= 0 {
		return 0, false
	}
	return c.value/c.base - 1, true
}

// worse reports whether the figure is more than worseBy worse than its
// baseline; for a baseline of zero or less (a difference), more than worseBy
// of its size above it.
func (c comparison) worse() bool {
	return c.known && c.value > c.base+worseBy*math.Abs(c.base) && c.value > c.base
}

func compare(figures []figure, base *baseline) []comparison {
	out := make([]comparison, len(figures))
	for i, f := range figures {
		out[i].figure = f
		if base != nil {
			out[i].base, out[i].known = base.Figures[f.key]
		}
	}
	return out
}
