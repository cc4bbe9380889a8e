package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"privatebackend/internal/testsupport/awsstandin"
	"privatebackend/verify"
)

// served is a stand-in's address.
type served struct{ URL string }

// cliCloudFormation serves a CloudFormation stand-in whose Api stack of qa
// has outputs; it has no stack when outputs is nil. It accepts only
// requests signed for CloudFormation.
func cliCloudFormation(t *testing.T, outputs map[string]string) served {
	cfn := awsstandin.NewCloudFormation("eu-west-1", "111111111111")
	if outputs != nil {
		api := awsstandin.Stack{StackName: "qa-Api", StackStatus: "UPDATE_COMPLETE"}
		for _, key := range slices.Sorted(maps.Keys(outputs)) {
			api.Outputs = append(api.Outputs, awsstandin.Output{OutputKey: key, OutputValue: outputs[key]})
		}
		cfn.PutStack(api)
	}
	url := cfn.Start()
	t.Cleanup(cfn.Close)
	return served{url}
}

// stage serves stages that require SigV4 signatures for execute-api in
// eu-west-1 and answer from the backend each names, at version 1.
func stage(t *testing.T, backends map[string]string) served {
	s := &awsstandin.Stages{Stages: map[string]awsstandin.StageRoute{}, Versions: map[string]string{}, Region: "eu-west-1"}
	for name, backend := range backends {
		s.Stages[name] = awsstandin.StageRoute{Backend: backend}
		s.Versions[backend] = "1"
	}
	url := s.Start()
	t.Cleanup(s.Close)
	return served{url}
}

// project writes a cdk.json with one environment, qa, and points the AWS
// SDK at static credentials and the CloudFormation stand-in only.
func project(t *testing.T, cfn string) string {
	dir := t.TempDir()
	cdkJSON := `{"context": {"environments": {"qa": {
		"backends": {"blue": {}},
		"api": {"stages": {"live": {"backend": "blue"}, "preview": {"backend": "blue"}}}}}}}`
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(cdkJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	awsstandin.UseOnlyStaticCredentials(t, "eu-west-1", map[string]string{"AWS_ENDPOINT_URL_CLOUDFORMATION": cfn})
	return filepath.Join(dir, "cdk.json")
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := verify.Main(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVerifyPassesWhenEveryStageAnswersFromItsBackend(t *testing.T) {
	stages := stage(t, map[string]string{"live": "blue", "preview": "blue"})
	path := project(t, cliCloudFormation(t, map[string]string{"Urllive": stages.URL + "/live/", "Urlpreview": stages.URL + "/preview/"}).URL)
	code, stdout, stderr := runCLI(t, "-answers-only", "-config", path, "-samples", "3", "qa")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"STAGE", "live", stages.URL + "/preview/", "blue:3", "PASS", "qa: every stage answers from its configured backend"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the table does not show %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCLI(t, "-answers-only", "qa", "-config", path, "-samples", "1", "-json")
	var report struct {
		Passed bool
		Stages []struct {
			Stage  string
			Seen   map[string]int `json:"backendsSeen"`
			Passed bool
		}
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || code != 0 || !report.Passed || len(report.Stages) != 2 || report.Stages[0].Seen["blue"] != 1 {
		t.Fatalf("-json: exit %d, %v, %+v\n%s", code, err, report, stdout)
	}
}

func TestVerifyFailsWhenAStageAnswersFromAnotherBackend(t *testing.T) {
	stages := stage(t, map[string]string{"live": "blue", "preview": "green"})
	path := project(t, cliCloudFormation(t, map[string]string{"Urllive": stages.URL + "/live/", "Urlpreview": stages.URL + "/preview/"}).URL)
	code, stdout, _ := runCLI(t, "-answers-only", "-config", path, "-samples", "2", "qa")
	if code != 1 || !strings.Contains(stdout, "stage preview: expected backend blue (version 1), but green (version 1) answered 2 of 2 requests") || !strings.Contains(stdout, "FAIL") {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
}

func TestVerifySaysWhenTheAPIIsNotDeployed(t *testing.T) {
	path := project(t, cliCloudFormation(t, nil).URL)
	code, stdout, stderr := runCLI(t, "-answers-only", "-config", path, "qa")
	if code != 1 || stdout != "" || stderr != "verify: qa-Api is not deployed: run `./scripts/cdk deploy 'qa/*'`\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestVerifyWithoutCredentialsSaysSoInOneLine(t *testing.T) {
	path := project(t, cliCloudFormation(t, nil).URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	code, stdout, stderr := runCLI(t, "-answers-only", "-config", path, "qa")
	if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "verify: no AWS credentials found") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestVerifyRejectsBadArguments(t *testing.T) {
	path := project(t, cliCloudFormation(t, nil).URL)
	for _, args := range [][]string{{}, {"-requests", "5000", "qa"}, {"-concurrency", "0", "qa"}, {"-path", "health", "qa"}, {"-nope", "qa"}, {"qa", "uat"}, {"qa", "-nope"}} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	code, _, stderr := runCLI(t, "-answers-only", "-config", path, "staging")
	if code != 2 || stderr != "verify: no environment \"staging\" in "+path+"; defined environments: qa\n" {
		t.Errorf("unknown environment: exit %d, %q", code, stderr)
	}
}
