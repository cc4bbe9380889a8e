package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// testGroups are the parts of the suite whose cost the benchmark reports,
// each run on its own as "go test -count=1 -tags heavy -run RUN -skip SKIP
// PACKAGES". A new group is one line here. A group whose packages hold no
// test matching its patterns reports "no tests"; the report names any test
// that falls in no group or in two.
var testGroups = []testGroup{
	{name: "app", about: "whole-app synthesis, snapshots, gates, pipeline", packages: ".", skip: claimedByGroups},
	{name: "stacks", about: "stacks and reusable constructs", packages: "./stacks/... ./constructs/...", skip: claimedByGroups},
	{name: "config", about: "configuration and its validation", packages: "./config/... ./cmd/validate/..."},
	{name: "verify", about: "./scripts/verify against stand-ins", packages: "./verify/..."},
	{name: "launcher", about: "cdk.json's app command, scripts/app", packages: "./scripts/..."},
	{name: "internal", about: "internal packages and the benchmark's own tests", packages: "./internal/... ./bench/..."},
	{name: "deploy-time", about: "deploy-time rehearsal: lookup handlers against stand-ins", packages: ". ./stacks/...", run: "^TestDeployTime"},
	{name: "controls", about: "Control Tower controls", packages: "./...", run: "^TestControlTower"},
	{name: "nag-from-disk", about: "cdk-nag over every template read back from disk", packages: ".", run: "^TestNagOverTemplatesFromDisk$"},
	{name: "controls-summary", about: "./scripts/synth's controls summary", packages: "./cmd/controls/..."},
	{name: "preflight", about: "preflight checks", packages: "./preflight/..."},
}

// claimedByGroups are the tests that have groups of their own inside the
// packages of broader groups.
const claimedByGroups = "^(TestDeployTime|TestControlTower|TestNagOverTemplatesFromDisk$)"

// heavyTag is the build tag of the tests that plain "go test ./..." leaves
// out and ./scripts/test runs; every group runs with it, as ./scripts/test
// does.
const heavyTag = "heavy"

// testGroup is a part of the suite. Its package patterns are relative
// ("./x/..."), its test patterns hold no "/": they select top-level tests.
type testGroup struct {
	// name is the group's key in the report and the baseline.
	name string
	// about says what the group tests.
	about string
	// packages are go package patterns, separated by spaces.
	packages string
	// run and skip are go test's -run and -skip; empty run selects every test.
	run, skip string
}

// testFunc is one top-level test of a package.
type testFunc struct {
	// pkg is the package's import path, dir its directory relative to the
	// module's root ("." for the root), with forward slashes.
	pkg, dir, name string
}

// selects reports whether go test -run g.run -skip g.skip runs a top-level
// test of this name.
func (g testGroup) selects(name string) bool {
	return regexp.MustCompile(g.run).MatchString(name) && (g.skip == "" || !regexp.MustCompile(g.skip).MatchString(name))
}

// tests picks the group's tests out of all the module's.
func (g testGroup) tests(all []testFunc) []testFunc {
	var out []testFunc
	for _, t := range all {
		if g.covers(t.dir) && g.selects(t.name) {
			out = append(out, t)
		}
	}
	return out
}

// covers reports whether one of the group's package patterns matches the
// package in dir (relative to the module's root, "." for the root), as the
// go command matches relative patterns: "./x" is x, "./x/..." is x and
// everything under it, "./..." is every package.
func (g testGroup) covers(dir string) bool {
	for _, p := range strings.Fields(g.packages) {
		p = strings.TrimPrefix(path.Clean(p), "./")
		if base, ok := strings.CutSuffix(p, "/..."); ok {
			if base == "." || dir == base || strings.HasPrefix(dir, base+"/") {
				return true
			}
		} else if p == "..." || dir == p {
			return true
		}
	}
	return false
}

// command is the go test command that runs the group's tests, limited to
// the packages that hold any, with test2json events on stdout.
func (g testGroup) command(tests []testFunc) []string {
	args := []string{"go", "test", "-count=1", "-json", "-tags", heavyTag}
	if g.run != "" {
		args = append(args, "-run", g.run)
	}
	if g.skip != "" {
		args = append(args, "-skip", g.skip)
	}
	var pkgs []string
	for _, t := range tests {
		pkgs = append(pkgs, t.pkg)
	}
	slices.Sort(pkgs)
	return append(args, slices.Compact(pkgs)...)
}

// listTests finds the top-level tests (func TestXxx(*testing.T)) of every
// package of the module, by parsing their test files: compiling them and
// running "go test -list" would run each package's TestMain, which
// synthesizes.
func listTests(root string) ([]testFunc, error) {
	// With the heavy tag, go list names the files behind it too.
	cmd := exec.Command("go", "list", "-tags", heavyTag, "-json=ImportPath,Dir,Module,TestGoFiles,XTestGoFiles", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list ./...: %w\n%s", err, stderr.String())
	}
	var tests []testFunc
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			ImportPath, Dir           string
			Module                    struct{ Path string }
			TestGoFiles, XTestGoFiles []string
		}
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		// The package's directory relative to the module's root, from its
		// import path: the module's path, then the directories.
		dir := "."
		if rest, ok := strings.CutPrefix(p.ImportPath, p.Module.Path+"/"); ok {
			dir = rest
		}
		for _, f := range append(p.TestGoFiles, p.XTestGoFiles...) {
			names, err := testNames(filepath.Join(p.Dir, f))
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				tests = append(tests, testFunc{pkg: p.ImportPath, dir: dir, name: n})
			}
		}
	}
	return tests, nil
}

// testNames returns the names of the top-level tests a test file declares,
// by go test's rule: func TestXxx(t *testing.T), where Xxx does not start
// with a lowercase letter.
func testNames(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !isTestName(fn.Name.Name) || len(fn.Type.Params.List) != 1 {
			continue
		}
		star, ok := fn.Type.Params.List[0].Type.(*ast.StarExpr)
		if !ok {
			continue
		}
		if sel, ok := star.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "T" {
			names = append(names, fn.Name.Name)
		}
	}
	return names, nil
}

func isTestName(name string) bool {
	rest, ok := strings.CutPrefix(name, "Test")
	if !ok {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || !unicode.IsLower(r)
}

// testsTime sums the time go test -json reports for each top-level test:
// what the tests themselves took, without building and starting the test
// binaries or their TestMain.
func testsTime(events []byte) (float64, error) {
	var total float64
	dec := json.NewDecoder(bytes.NewReader(events))
	for dec.More() {
		var e struct {
			Action, Test string
			Elapsed      float64
		}
		if err := dec.Decode(&e); err != nil {
			return 0, fmt.Errorf("reading go test -json: %w", err)
		}
		if e.Test != "" && !strings.Contains(e.Test, "/") && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip") {
			total += e.Elapsed
		}
	}
	return total, nil
}

// packagesTime sums, by package, the time go test -json reports for each
// package's run of its tests. Lines that are no go test event (what
// ./scripts/test prints before go test, such as the node tests' report)
// are skipped.
func packagesTime(events []byte) map[string]float64 {
	out := map[string]float64{}
	for _, line := range bytes.Split(events, []byte("\n")) {
		var e struct {
			Action, Package, Test string
			Elapsed               float64
		}
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		if e.Test == "" && e.Package != "" && (e.Action == "pass" || e.Action == "fail") {
			out[e.Package] += e.Elapsed
		}
	}
	return out
}

// groupCoverage names the tests that no group runs and those that two
// groups run.
func groupCoverage(all []testFunc, groups []testGroup) (ungrouped, twice []string) {
	count := map[testFunc]int{}
	for _, g := range groups {
		for _, t := range g.tests(all) {
			count[t]++
		}
	}
	for _, t := range all {
		switch n := count[t]; {
		case n == 0:
			ungrouped = append(ungrouped, t.pkg+"."+t.name)
		case n > 1:
			twice = append(twice, t.pkg+"."+t.name)
		}
	}
	return ungrouped, twice
}
