package main

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// moduleTests are the module's tests, listed once for the test binary.
var moduleTests = sync.OnceValues(func() ([]testFunc, error) { return listTests("..") })

func TestTestNamesFollowGoTestsRule(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x_test.go")
	src := `package x

import "testing"

func TestMain(m *testing.M)       {}
func TestA(t *testing.T)          {}
func Test(t *testing.T)           {}
func Test_b(t *testing.T)         {}
func Testable(t *testing.T)       {}
func TestNoParam()                {}
func BenchmarkA(b *testing.B)     {}
func (s suite) TestMethod(t *testing.T) {}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := testNames(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"TestA", "Test", "Test_b"}; !slices.Equal(got, want) {
		t.Errorf("testNames = %v, want %v", got, want)
	}
}

func TestGroupsFindTheModulesTests(t *testing.T) {
	all, err := moduleTests()
	if err != nil {
		t.Fatal(err)
	}
	has := func(tests []testFunc, pkg, name string) bool {
		return slices.ContainsFunc(tests, func(t testFunc) bool { return t.pkg == pkg && t.name == name })
	}
	for _, c := range []struct {
		group     testGroup
		pkg, name string
	}{
		{testGroup{packages: "."}, "privatebackend", "TestSnapshots"},
		{testGroup{packages: "./stacks/..."}, "privatebackend/stacks", "TestAWSRules"},
		// An external test (package verify_test).
		{testGroup{packages: "./..."}, "privatebackend/verify", "TestVerifyRejectsBadArguments"},
		{testGroup{packages: "./verify"}, "privatebackend/verify", "TestVerifyRejectsBadArguments"},
	} {
		if !has(c.group.tests(all), c.pkg, c.name) {
			t.Errorf("a group of %q does not find %s.%s", c.group.packages, c.pkg, c.name)
		}
	}
	if tests := (testGroup{packages: "."}).tests(all); has(tests, "privatebackend/stacks", "TestAWSRules") {
		t.Errorf("the group of \".\" reaches into ./stacks")
	}
	for _, g := range []testGroup{
		{name: "missing", packages: "./no-such-dir/..."},
		{name: "no match", packages: "./config/...", run: "^TestNoSuchTestAnywhere$"},
		{name: "a prefix is not a directory", packages: "./conf/..."},
	} {
		if tests := g.tests(all); len(tests) != 0 {
			t.Errorf("group %s lists %v, want no tests", g.name, tests)
		}
	}
}

func TestGroupPatternsActLikeGoTest(t *testing.T) {
	app := testGroup{packages: ".", skip: claimedByGroups}
	deploy := testGroup{packages: ".", run: "^TestDeployTime"}
	for name, want := range map[string][2]bool{
		"TestSnapshots":              {true, false},
		"TestDeployTimeLookups":      {false, true},
		"TestControlTowerControls":   {false, false},
		"TestThatMentionsDeployTime": {true, false},
	} {
		if got := [2]bool{app.selects(name), deploy.selects(name)}; got != want {
			t.Errorf("%s: app group selects it %v, deploy-time group %v; want %v, %v", name, got[0], got[1], want[0], want[1])
		}
	}
	cmd := deploy.command([]testFunc{{pkg: "privatebackend/stacks", name: "TestDeployTimeA"}, {pkg: "privatebackend", name: "TestDeployTimeB"}, {pkg: "privatebackend/stacks", name: "TestDeployTimeC"}})
	want := []string{"go", "test", "-count=1", "-json", "-tags", "heavy", "-run", "^TestDeployTime", "privatebackend", "privatebackend/stacks"}
	if !slices.Equal(cmd, want) {
		t.Errorf("command = %q, want %q", cmd, want)
	}
}

// TestEveryTestIsInExactlyOneGroup keeps the suite's cost by group whole: a
// test in no group would not be counted, one in two would be counted twice.
func TestEveryTestIsInExactlyOneGroup(t *testing.T) {
	all, err := moduleTests()
	if err != nil {
		t.Fatal(err)
	}
	ungrouped, twice := groupCoverage(all, testGroups)
	if len(ungrouped) > 0 {
		t.Errorf("tests in no group of bench/groups.go (add a group or widen one): %v", ungrouped)
	}
	if len(twice) > 0 {
		t.Errorf("tests in two groups of bench/groups.go (narrow one with skip): %v", twice)
	}
}

func TestTestsTimeSumsTopLevelTestsOnly(t *testing.T) {
	events := `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA/sub","Elapsed":0.5}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":1.25}
{"Action":"fail","Package":"p","Test":"TestB","Elapsed":0.5}
{"Action":"skip","Package":"p","Test":"TestC","Elapsed":0}
{"Action":"output","Package":"p","Output":"ok\n"}
{"Action":"pass","Package":"p","Elapsed":9}
`
	got, err := testsTime([]byte(events))
	if err != nil {
		t.Fatal(err)
	}
	if got != 1.75 {
		t.Errorf("testsTime = %v, want 1.75 (TestA and TestB; not the subtest, not the package)", got)
	}
	if _, err := testsTime([]byte("not json")); err == nil {
		t.Error("testsTime accepted output that is not go test -json")
	}
}

func TestPackagesTimeSumsEachPackagesRunAndSkipsOtherLines(t *testing.T) {
	events := []byte("# tests 2\nok 1 - app\n" +
		`{"Action":"pass","Package":"privatebackend/a","Test":"TestX","Elapsed":0.5}` + "\n" +
		`{"Action":"pass","Package":"privatebackend/a","Elapsed":1.25}` + "\n" +
		`{"Action":"fail","Package":"privatebackend/b","Elapsed":2}` + "\n")
	got := packagesTime(events)
	if len(got) != 2 || got["privatebackend/a"] != 1.25 || got["privatebackend/b"] != 2 {
		t.Errorf("packagesTime = %v, want a 1.25 s and b 2 s", got)
	}
}
