package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBaselineFiguresSurviveAReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BASELINE.md")
	want := baseline{Commit: "0123abc", Recorded: "2026-11-26T10:00:00Z", Command: "./bench/run -record", Machine: "2 cores",
		Figures: map[string]float64{"synth.app.wall_s": 5.5, "synth.app.peak_mib": 1012}}
	block, err := figuresBlock(want)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("# Benchmark baseline\n\n| a | b |\n\n## Figures\n\n"+block+"\n## What each change bought\n\n```json\n{}\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Commit != want.Commit || len(got.Figures) != 2 || got.Figures["synth.app.wall_s"] != 5.5 {
		t.Errorf("readBaseline = %+v, want %+v", got, want)
	}
}

func TestNoBaselineIsNotAnError(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.md")
	if err := os.WriteFile(plain, []byte("# Benchmark baseline\n\nno figures\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.md"), plain} {
		if b, err := readBaseline(path); b != nil || err != nil {
			t.Errorf("readBaseline(%s) = %v, %v; want no baseline and no error", filepath.Base(path), b, err)
		}
	}
	broken := filepath.Join(dir, "broken.md")
	if err := os.WriteFile(broken, []byte(figuresMarker+"\n```json\n{\"figures\": \n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readBaseline(broken); err == nil || !strings.Contains(err.Error(), "figures block") {
		t.Errorf("a broken figures block gave %v, want an error naming it", err)
	}
}

func TestAFigureMoreThanTenPercentWorseIsFlagged(t *testing.T) {
	base := &baseline{Figures: map[string]float64{"a": 10, "b": 10, "c": 10, "diff": 0}}
	figures := []figure{{key: "a", value: 11}, {key: "b", value: 11.01}, {key: "c", value: 5}, {key: "diff", value: 0.1}, {key: "new", value: 1}}
	want := map[string]bool{"a": false, "b": true, "c": false, "diff": true, "new": false}
	for _, c := range compare(figures, base) {
		if c.worse() != want[c.key] {
			t.Errorf("figure %s: %v against %v (known %v): flagged %v, want %v", c.key, c.value, c.base, c.known, c.worse(), want[c.key])
		}
	}
	if cs := compare(figures, nil); cs[0].known || cs[0].worse() {
		t.Errorf("without a baseline a figure is compared: %+v", cs[0])
	}
}

func TestRecordingKeepsTheHandWrittenHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BASELINE.md")
	history := historyHeading + "\n\n- 4bb0770: 1.163× the twin\n"
	if err := os.WriteFile(path, []byte("# old report\n\n"+history), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeKeepingHistory(path, "# new report\n"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), "# new report\n\n"+history; got != want {
		t.Errorf("BASELINE.md is\n%s\nwant\n%s", got, want)
	}
}
