package preflight

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"privatebackend/internal/testsupport/awsstandin"
)

// project writes a cdk.json with the environments of raw and points the
// AWS SDK at static credentials and the stand-in only.
func project(t *testing.T, raw, endpoint string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(`{"app": "./scripts/app", "context": {"environments": `+raw+`}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	awsstandin.UseOnlyStaticCredentials(t, "eu-west-1", map[string]string{"AWS_ENDPOINT_URL": endpoint})
	return filepath.Join(dir, "cdk.json")
}

func runOptions(t *testing.T, opts Options) (int, string, string) {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = timeout
	}
	opts.CredentialsTimeout = timeout
	var stdout, stderr bytes.Buffer
	code := Run(t.Context(), opts, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestRunReadsTheConfigurationAndTheAssemblyAndUsesTheSDKsUsualConfiguration(t *testing.T) {
	f := passingAccount(t)
	path := project(t, edgeJSON, serve(t, f))
	assembly := writeAssembly(t, planOf(t, edgeJSON))
	code, stdout, stderr := runOptions(t, Options{ConfigPath: path, Environment: "edge", Assembly: assembly, Cost: true})
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"CHECK", "RESULT", "DETAIL", "platform green", "ESTIMATE", "edge: ready to deploy to 123456789012/eu-west-1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the report does not show %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runOptions(t, Options{ConfigPath: path, Environment: "edge", Assembly: assembly, JSON: true})
	var report Report
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || code != 0 || !report.Passed || report.Estimate != nil {
		t.Fatalf("-json -cost=false: exit %d, %v\n%s", code, err, stdout)
	}
}

func TestRunExitsOneWhenACheckFails(t *testing.T) {
	f := passingAccount(t)
	f.CloudWatchRoleArn = ""
	path := project(t, edgeJSON, serve(t, f))
	code, stdout, _ := runOptions(t, Options{ConfigPath: path, Environment: "edge", Assembly: writeAssembly(t, planOf(t, edgeJSON))})
	if code != 1 || !strings.Contains(stdout, "edge: not ready to deploy to 123456789012/eu-west-1: api gateway logging") {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
}

func TestRunSynthesizesTheEnvironmentWithoutAnAssembly(t *testing.T) {
	f := passingAccount(t)
	path := project(t, edgeJSON, serve(t, f))
	fixture := writeAssembly(t, planOf(t, edgeJSON))
	var into string
	synth := func(_ context.Context, project, env, dir string) error {
		if project != filepath.Dir(path) || env != "edge" {
			t.Errorf("synthesized %s in %s", env, project)
		}
		into = dir
		return os.CopyFS(dir, os.DirFS(fixture))
	}
	if code, stdout, stderr := runOptions(t, Options{ConfigPath: path, Environment: "edge", Synthesize: synth}); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(into); !os.IsNotExist(err) {
		t.Errorf("the temporary assembly %s is left behind", into)
	}
}

// fakeCDK puts a cdk command on PATH that logs its arguments and working
// directory, then copies the fixture assembly into the -o directory, or
// fails with message when it is not empty.
func fakeCDK(t *testing.T, fixture, message string) string {
	t.Helper()
	bin, log := t.TempDir(), filepath.Join(t.TempDir(), "cdk.log")
	script := `#!/bin/sh
echo "$PWD $*" > ` + log + `
if [ -n "` + message + `" ]; then echo "Synthesizing..."; echo "` + message + `" >&2; exit 1; fi
out=""; while [ $# -gt 0 ]; do if [ "$1" = "-o" ]; then out="$2"; fi; shift; done
cp -R ` + fixture + `/. "$out"
`
	if err := os.WriteFile(filepath.Join(bin, "cdk"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return log
}

func TestCdkSynthRunsThePinnedCLIForOneEnvironment(t *testing.T) {
	fixture := writeAssembly(t, planOf(t, edgeJSON))
	log := fakeCDK(t, fixture, "")
	project, out := t.TempDir(), t.TempDir()
	if err := cdkSynth(t.Context(), project, "edge", out); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(log)
	if got, want := strings.TrimSpace(string(data)), project+" synth -c env=edge --quiet -o "+out; got != want {
		t.Errorf("ran %q, want %q", got, want)
	}
	if _, err := ReadAssembly(out, "edge"); err != nil {
		t.Error(err)
	}
	fakeCDK(t, fixture, "Error: something broke")
	if err := cdkSynth(t.Context(), project, "edge", out); err == nil || !strings.HasSuffix(err.Error(), ": Error: something broke") {
		t.Errorf("a failed synthesis gave %v", err)
	}
}

func TestRunAsTheLookupRole(t *testing.T) {
	f := passingAccount(t)
	path := project(t, coreJSON, serve(t, f))
	code, stdout, stderr := runOptions(t, Options{ConfigPath: path, Environment: "core", Assembly: writeAssembly(t, planOf(t, coreJSON)), LookupRole: true, Cost: true})
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if got := f.Form("sts:AssumeRole").Get("RoleArn"); got != "arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-eu-west-1" {
		t.Errorf("assumed %q", got)
	}
	if f.SignedBy("sts:AssumeRole") != "AKIDEXAMPLE" || f.SignedBy("ssm:GetParameter") != "ASIAIOSFODNN7EXAMPLE" || f.SignedBy("pricing:GetProducts") != "ASIAIOSFODNN7EXAMPLE" {
		t.Errorf("the checks were not signed with the lookup role's credentials: AssumeRole by %s, GetParameter by %s, GetProducts by %s",
			f.SignedBy("sts:AssumeRole"), f.SignedBy("ssm:GetParameter"), f.SignedBy("pricing:GetProducts"))
	}
}

func TestRunAsTheLookupRoleThatCannotBeAssumedSaysWhy(t *testing.T) {
	f := passingAccount(t)
	f.Denied["sts:AssumeRole"] = true
	path := project(t, edgeJSON, serve(t, f))
	code, stdout, stderr := runOptions(t, Options{ConfigPath: path, Environment: "edge", Assembly: writeAssembly(t, planOf(t, edgeJSON)), LookupRole: true})
	// An environment-agnostic one: the role of the credentials' own account.
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "preflight: cannot assume the lookup role arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-eu-west-1: ") || !strings.Contains(stderr, "--trust-for-lookup") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestRunStopsWithOneLineBeforeAnyCheck(t *testing.T) {
	f := passingAccount(t)
	path := project(t, edgeJSON, serve(t, f))
	assembly := writeAssembly(t, planOf(t, edgeJSON))
	for name, c := range map[string]struct {
		opts  Options
		env   map[string]string
		wants string
		code  int
	}{
		// An environment cdk.json does not define is a bad argument.
		"unknown environment": {Options{ConfigPath: path, Environment: "staging", Assembly: assembly}, nil, `preflight: no environment "staging" in ` + path + "; defined environments: edge", 2},
		"no credentials":      {Options{ConfigPath: path, Environment: "edge", Assembly: assembly}, map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, "preflight: no AWS credentials found", 1},
		"no region":           {Options{ConfigPath: path, Environment: "edge", Assembly: assembly}, map[string]string{"AWS_REGION": ""}, "preflight: no AWS region: environment edge is not pinned to one", 1},
		"no assembly":         {Options{ConfigPath: path, Environment: "edge", Assembly: t.TempDir()}, nil, "is not a cloud assembly (no manifest.json); synthesize one with ./scripts/synth", 1},
	} {
		for key, value := range c.env {
			t.Setenv(key, value)
		}
		code, stdout, stderr := runOptions(t, c.opts)
		if code != c.code || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.wants) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, stdout, stderr)
		}
		for key := range c.env {
			t.Setenv(key, map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-1"}[key])
		}
	}
	if f.Called("sts:GetCallerIdentity") != 0 {
		t.Error("a check ran although the run stopped")
	}
}

func TestRunHonoursTheTimeout(t *testing.T) {
	f := passingAccount(t)
	f.Delay["ec2:DescribeInstanceTypeOfferings"] = 2 * time.Second
	path := project(t, edgeJSON, serve(t, f))
	start := time.Now()
	code, stdout, _ := runOptions(t, Options{ConfigPath: path, Environment: "edge", Assembly: writeAssembly(t, planOf(t, edgeJSON)), Timeout: 300 * time.Millisecond})
	if code != 1 || !strings.Contains(stdout, "ec2:DescribeInstanceTypeOfferings did not answer within 300ms (-timeout)") || time.Since(start) > 1500*time.Millisecond {
		t.Fatalf("exit %d after %s:\n%s", code, time.Since(start), stdout)
	}
}
