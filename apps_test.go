//go:build heavy

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/internal/testsupport/cdktest"
)

// The root package tests the whole app on several configurations, each
// synthesized once for the test binary exactly as "./scripts/synth" does it
// (every environment, cdk-nag, the CloudFormation validator):
//   - cdk.json, whatever it holds: its tests are invariants that hold for any
//     valid configuration, and its snapshots;
//   - the fixtures in testdata/apps, which exercise the features (a
//     pipeline, a pinned environment, a canary) whether or not cdk.json uses
//     them. Their "context" holds the configuration; the CDK's feature flags
//     come from cdk.json, as a team's would.
//
// cdk.json and the pipeline fixture are synthesized in this process, one
// after the other in one jsii kernel: most of a synthesis's time is the
// kernel loading aws-cdk-lib and the validator's schemas, which a second
// app in the same kernel does not pay again. The one-environment fixture
// is synthesized by the app's own main in a process of its own, as "cdk
// synth" runs it, beside the other two.
var (
	// shipped is cdk.json's configuration.
	shipped *app
	// apps are shipped and every fixture, shipped first.
	apps []*app
	// subprocess is the process that synthesized oneEnvironmentFixture.
	subprocess *appProcess
)

// The fixtures under testdata/apps.
const (
	oneEnvironmentFixture = "oneenvironment"
	pipelineFixture       = "pipeline"
)

// app is one configuration and its cloud assembly.
type app struct {
	// name is "cdk.json" or the fixture's name.
	name string
	// context is the CDK context it was synthesized with.
	context      map[string]any
	environments []*config.Environment
	pipeline     *config.Pipeline
	assembly     *cdktest.Assembly
	// validationReport is the CloudFormation validator's report, nil when
	// the synthesis ran without the validator.
	validationReport []byte
	// nagReports are cdk-nag's reports by file name.
	nagReports map[string]string
}

// runAppEnv makes the test binary run the app's main instead of the tests,
// so a test can synthesize in a process of its own.
const runAppEnv = "PRIVATEBACKEND_TEST_RUN_APP"

// backgroundChecks start once every app is synthesized, and run beside
// the tests; each returns a function that waits for it to finish, called
// before the assemblies are removed. controls_test.go adds the Control
// Tower check.
var backgroundChecks []func() (wait func())

func TestMain(m *testing.M) {
	if os.Getenv(runAppEnv) != "" {
		main()
	}
	code, err := setUp(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "setting up the app tests:", err)
		code = 1
	}
	cdktest.CloseLambdaRuntime()
	jsii.Close()
	os.Exit(code)
}

func setUp(m *testing.M) (int, error) {
	shippedContext, err := cdktest.LoadContext(".")
	if err != nil {
		return 0, err
	}
	oneEnvironment, err := fixtureContext(oneEnvironmentFixture)
	if err != nil {
		return 0, err
	}
	pipelineContext, err := fixtureContext(pipelineFixture)
	if err != nil {
		return 0, err
	}
	// Started first, so that it overlaps the synthesis in this process.
	if subprocess, err = startAppProcess(oneEnvironment); err != nil {
		return 0, err
	}
	defer subprocess.cleanUp()

	tmp, err := os.MkdirTemp("", "app-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	if shipped, err = synthesizeInProcess("cdk.json", shippedContext, filepath.Join(tmp, "cdk.json")); err != nil {
		return 0, err
	}
	withPipeline, err := synthesizeInProcess(pipelineFixture, pipelineContext, filepath.Join(tmp, pipelineFixture))
	if err != nil {
		return 0, err
	}
	solo, err := subprocess.read(oneEnvironmentFixture, oneEnvironment)
	if err != nil {
		return 0, err
	}
	apps = []*app{shipped, solo, withPipeline}
	for _, start := range backgroundChecks {
		defer start()()
	}
	return m.Run(), nil
}

// fixtureContext is the context the CLI would pass the app in a project
// whose cdk.json is cdk.json with its configuration replaced by that of the
// fixture testdata/apps/NAME.json: cdk.json's feature flags, the fixture's
// keys, and no cached lookup but the fixture's own.
func fixtureContext(name string) (map[string]any, error) {
	flags, err := config.ContextFromFile("cdk.json")
	if err != nil {
		return nil, err
	}
	for _, key := range []string{config.EnvironmentsKey, config.PipelineKey, config.ControlsKey} {
		delete(flags, key)
	}
	fixture, err := config.ContextFromFile(fixturePath(name))
	if err != nil {
		return nil, err
	}
	maps.Copy(flags, fixture)
	return flags, nil
}

// fixturePath is the file of the fixture name.
func fixturePath(name string) string { return filepath.Join("testdata", "apps", name+".json") }

// synthesizeInProcess synthesizes the app with context into dir through
// the entry point main uses.
func synthesizeInProcess(name string, context map[string]any, dir string) (*app, error) {
	if err := synth(&awscdk.AppProps{Context: &context, Outdir: &dir}); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return readApp(name, context, dir)
}

// readApp reads the configuration and the cloud assembly in dir of one app.
func readApp(name string, context map[string]any, dir string) (*app, error) {
	a := &app{name: name, context: context, nagReports: map[string]string{}}
	file, err := config.Read(context, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	a.environments, a.pipeline = file.SortedEnvironments(), file.Pipeline
	if a.assembly, err = cdktest.ReadAssembly(dir); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	a.validationReport, err = os.ReadFile(filepath.Join(dir, "validation-report.json"))
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	for _, file := range cdktest.DirEntries(dir) {
		if strings.HasSuffix(file, "-NagReport.csv") {
			data, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				return nil, err
			}
			a.nagReports[file] = string(data)
		}
	}
	return a, nil
}

// fixture returns the app of the fixture name.
func fixture(t *testing.T, name string) *app {
	t.Helper()
	for _, a := range apps {
		if a.name == name && a != shipped {
			return a
		}
	}
	t.Fatalf("no fixture %s", name)
	return nil
}

// forEachApp runs test as a subtest on every app, cdk.json first.
func forEachApp(t *testing.T, test func(t *testing.T, a *app)) {
	t.Helper()
	for _, a := range apps {
		t.Run(a.name, func(t *testing.T) { test(t, a) })
	}
}

func (a *app) stack(t *testing.T, name string) *cdktest.Stack {
	t.Helper()
	s, ok := a.assembly.Stacks[name]
	if !ok {
		t.Fatalf("%s: no stack %s in the assembly; have %v", a.name, name, a.stackNames())
	}
	return s
}

func (a *app) stackNames() []string {
	return slices.Sorted(maps.Keys(a.assembly.Stacks))
}

func (a *app) environmentNamed(t *testing.T, name string) *config.Environment {
	t.Helper()
	for _, e := range a.environments {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("%s: no environment %s", a.name, name)
	return nil
}

// appProcess is a whole synthesis run in a process of its own, as "cdk
// synth" runs the app, with a temporary directory of its own.
type appProcess struct {
	tmp, out string
	output   []byte
	err      error
	done     chan struct{}
}

// startAppProcess starts the synthesis of context, without the
// CloudFormation validator.
func startAppProcess(context map[string]any) (*appProcess, error) {
	p := &appProcess{done: make(chan struct{})}
	var err error
	if p.tmp, err = os.MkdirTemp("", "app-process-tmp-"); err != nil {
		return nil, err
	}
	if p.out, err = os.MkdirTemp("", "app-process-out-"); err != nil {
		return nil, err
	}
	ctx, err := json.Marshal(context)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(os.Args[0])
	// The CLI hands an app its context and output directory in these
	// variables. CDK_VALIDATION=false (one of the switches AppProps'
	// BuiltinCloudFormationValidation documents) skips the CloudFormation
	// validator, most of a synthesis's CPU in a fresh process: it only
	// reports, never changes a template.
	cmd.Env = append(os.Environ(), runAppEnv+"=1", "TMPDIR="+p.tmp, "CDK_CONTEXT_JSON="+string(ctx), "CDK_OUTDIR="+p.out, "CDK_VALIDATION=false")
	go func() {
		p.output, p.err = cmd.CombinedOutput()
		close(p.done)
	}()
	return p, nil
}

// read waits for the process and reads the app it synthesized.
func (p *appProcess) read(name string, context map[string]any) (*app, error) {
	<-p.done
	if p.err != nil {
		return nil, fmt.Errorf("the app on testdata/apps/%s.json failed: %v\n%s", name, p.err, p.output)
	}
	return readApp(name, context, p.out)
}

func (p *appProcess) cleanUp() {
	<-p.done
	os.RemoveAll(p.tmp)
	os.RemoveAll(p.out)
}

// TestSynthesisLeavesNoJsiiRuntimeBehind checks the process above: the jsii
// runtime it unpacked into its temporary directory, and everything else it
// put there, must be gone when it exits.
func TestSynthesisLeavesNoJsiiRuntimeBehind(t *testing.T) {
	if len(fixture(t, oneEnvironmentFixture).assembly.Stacks) == 0 {
		t.Fatal("the app wrote no cloud assembly")
	}
	// Neither the runtime (jsii-runtime.*) nor the kernel's own files
	// (jsii-kernel-*) may stay behind.
	for _, name := range cdktest.DirEntries(subprocess.tmp) {
		t.Errorf("the synthesis left %s in its temporary directory", name)
	}
}

// TestTheFixturesCoverWhatCdkJSONMayLeaveOut checks that the fixtures
// exercise what the feature tests need, whatever cdk.json holds: a
// pipeline with an approval deploying to another account than its own, an
// environment-agnostic and a pinned environment, a canary, and one app
// with a single environment and no pipeline.
func TestTheFixturesCoverWhatCdkJSONMayLeaveOut(t *testing.T) {
	solo, withPipeline := fixture(t, oneEnvironmentFixture), fixture(t, pipelineFixture)
	if len(solo.environments) != 1 || solo.pipeline != nil {
		t.Errorf("%s has %d environments and pipeline %v; want one and none", solo.name, len(solo.environments), solo.pipeline)
	}
	if withPipeline.pipeline == nil {
		t.Fatalf("%s has no pipeline", withPipeline.name)
	}
	approval, otherAccount, agnostic, canary := false, false, false, false
	for _, w := range withPipeline.pipeline.Waves {
		approval = approval || w.Approval
	}
	for _, e := range withPipeline.environments {
		otherAccount = otherAccount || (e.Pinned() && e.Account != withPipeline.pipeline.Account)
		agnostic = agnostic || !e.Pinned()
		for _, s := range e.API.Stages {
			canary = canary || s.Canary != nil
		}
	}
	if !approval || !otherAccount || !agnostic || !canary || len(withPipeline.pipeline.Waves) < 2 {
		t.Errorf("%s: approval %v, a pinned environment in another account %v, an agnostic one %v, a canary %v, %d waves; want all, and two waves",
			withPipeline.name, approval, otherAccount, agnostic, canary, len(withPipeline.pipeline.Waves))
	}
}
