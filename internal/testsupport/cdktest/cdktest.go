// Package cdktest holds what the tests of every package share: turning a
// failed CDK assertion into a test failure, golden-file snapshots of
// templates, and the project's CDK context. Whether the snapshots are
// compared or rewritten is package golden's -update.
package cdktest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"privatebackend/internal/testsupport/golden"
)

// Check runs f, which makes CDK assertions, and turns the panic a failed
// assertion raises into a test failure, so one failure does not abort the
// whole test binary.
func Check(t testing.TB, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Helper()
			t.Fatalf("%s", trim(fmt.Sprint(r)))
		}
	}()
	f()
}

// trim keeps the part of a jsii error that says what failed, not where in
// the JavaScript it was raised.
func trim(msg string) string {
	lines := strings.Split(msg, "\n")
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "at ") {
			continue
		}
		out = append(out, l)
		if len(out) == 60 {
			out = append(out, "...")
			break
		}
	}
	return strings.Join(out, "\n")
}

// LoadContext returns the CDK context the CLI would pass for dir: the
// "context" of cdk.json merged with the cached lookups of cdk.context.json.
func LoadContext(dir string) (map[string]any, error) {
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := readJSON(filepath.Join(dir, "cdk.json"), &cdkJSON); err != nil {
		return nil, err
	}
	var cached map[string]any
	if err := readJSON(filepath.Join(dir, "cdk.context.json"), &cached); err != nil {
		return nil, err
	}
	ctx := maps.Clone(cdkJSON.Context)
	maps.Copy(ctx, cached)
	return ctx, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// assetHash matches the content hashes the CDK puts in asset file names and
// S3 keys: they change with any byte of the bundled code and mean nothing to
// a reviewer of the template.
var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// Normalize renders a template as indented JSON with asset hashes replaced.
func Normalize(template any) ([]byte, error) {
	data, err := json.MarshalIndent(template, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(assetHash.ReplaceAll(data, []byte("<asset-hash>")), '\n'), nil
}

// Snapshot compares template with the golden file testdata/snapshots/NAME.json
// of the calling package, or rewrites it when the tests run with -update.
func Snapshot(t testing.TB, name string, template any) {
	t.Helper()
	got, err := Normalize(template)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "snapshots", name+".json")
	if golden.Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no snapshot %s (run: ./scripts/test -update, then review the diff): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the synthesized template (review, then refresh with: ./scripts/test -update):\n%s",
			path, cmp.Diff(string(want), string(got)))
	}
}

// PruneSnapshots removes, when the tests run with -update, every snapshot
// under testdata/snapshots of the calling package that is not in written
// (names as Snapshot takes them): those of stacks the app no longer has.
// It does nothing when -run or -skip narrows the tests, since the snapshots
// of the tests left out were not written.
func PruneSnapshots(t testing.TB, written map[string]bool) {
	t.Helper()
	if !golden.Updating() || narrowed() {
		return
	}
	root := filepath.Join("testdata", "snapshots")
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, path)
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		name, isSnapshot := strings.CutSuffix(filepath.ToSlash(rel), ".json")
		if isSnapshot && !written[name] {
			return os.Remove(path)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	// Deepest first, so that a directory emptied of directories goes too;
	// os.Remove leaves a directory that still holds something.
	for _, d := range slices.Backward(dirs) {
		if d != root {
			os.Remove(d)
		}
	}
}

// narrowed reports whether -run names a subtest or -skip is given: then
// some tests of a top-level test that runs may not run.
func narrowed() bool {
	run, skip := flag.Lookup("test.run"), flag.Lookup("test.skip")
	return (run != nil && strings.Contains(run.Value.String(), "/")) || (skip != nil && skip.Value.String() != "")
}
