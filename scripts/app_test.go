//go:build heavy

// Package scripts_test tests the project's scripts that hold logic of their
// own; it is a test binary apart from the app's so that its builds run
// beside the app's synthesis rather than after it.
package scripts_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestLauncherNeverRunsAStaleBinary runs scripts/app, the app command of
// cdk.json, on a module of its own: it must build a missing binary, run an
// up-to-date one without building, and rebuild after a source changes, a
// file is added or removed, or go.mod or go.sum changes.
func TestLauncherNeverRunsAStaleBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	launcher, err := os.ReadFile("app")
	if err != nil {
		t.Fatal(err)
	}
	binary := filepath.Join(dir, ".build/app")
	write := func(path, content string) {
		t.Helper()
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// settle dates every file and directory an hour before the binary, so
	// that a change made next is the only thing newer than it, however
	// coarse the file system's clock.
	settle := func() {
		t.Helper()
		now := time.Now()
		err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Chtimes(path, now.Add(-2*time.Hour), now.Add(-2*time.Hour))
		})
		if err == nil {
			err = os.Chtimes(binary, now.Add(-time.Hour), now.Add(-time.Hour))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	touch := func(path string) {
		t.Helper()
		if err := os.Chtimes(filepath.Join(dir, path), time.Now(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// run runs the launcher, checks what the program printed and reports
	// whether it built the binary first.
	run := func(want string) (rebuilt bool) {
		t.Helper()
		before, _ := os.Stat(binary)
		out, err := exec.Command(filepath.Join(dir, "scripts/app")).CombinedOutput()
		if err != nil {
			t.Fatalf("scripts/app: %v\n%s", err, out)
		}
		if got := string(out); got != want {
			t.Fatalf("scripts/app printed %q, want %q", got, want)
		}
		after, err := os.Stat(binary)
		if err != nil {
			t.Fatal(err)
		}
		return before == nil || !after.ModTime().Equal(before.ModTime())
	}
	program := func(says string) string {
		// No imports: each build links in a tenth of a second.
		return "package main\n\nfunc main() { print(" + says + ") }\n"
	}

	write("scripts/app", string(launcher))
	write("go.mod", "module launched\n\ngo 1.21\n")
	write("main.go", program(`"one"`))
	if !run("one") {
		t.Fatal("the launcher did not build a missing binary")
	}
	settle()
	if run("one") {
		t.Error("the launcher rebuilt a binary that was up to date")
	}

	write("main.go", program(`"two"`))
	run("two")

	// What changes inside a node_modules directory, anywhere, is no source
	// change, and the launcher does not even walk there.
	write("tools/node_modules/dep/index.js", "module.exports = 1;\n")
	run("two")
	settle()
	touch("tools/node_modules/dep")
	touch("tools/node_modules/dep/index.js")
	if run("two") {
		t.Error("the launcher rebuilt after a node_modules directory changed")
	}
	if err := os.RemoveAll(filepath.Join(dir, "tools")); err != nil {
		t.Fatal(err)
	}

	// Adding or removing a file changes only its directory's time: the
	// added file itself is dated before the binary here.
	write("extra.go", "package main\n\nfunc init() { print(\"extra \") }\n")
	settle()
	touch(".")
	run("extra two")
	settle()
	if err := os.Remove(filepath.Join(dir, "extra.go")); err != nil {
		t.Fatal(err)
	}
	run("two")

	write("go.sum", "")
	for _, file := range []string{"go.mod", "go.sum"} {
		settle()
		touch(file)
		if !run("two") {
			t.Errorf("the launcher did not rebuild after %s changed", file)
		}
	}
}
