package preflight_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"privatebackend/preflight"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := preflight.Main(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestPreflightRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{}, {"-timeout", "0s", "qa"}, {"-timeout", "10m", "qa"}, {"-nope", "qa"}, {"qa", "uat"}, {"qa", "-nope"}, {"-cost=maybe", "qa"}} {
		if code, stdout, _ := runCLI(t, args...); code != 2 || stdout != "" {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, _, stderr := runCLI(t); stderr != "preflight: name one environment, e.g. ./scripts/preflight dev\n" {
		t.Errorf("no environment: %q", stderr)
	}
	if _, _, stderr := runCLI(t, "-h"); !strings.Contains(stderr, "usage: ./scripts/preflight ENV [flags]") || !strings.Contains(stderr, "-lookup-role") || !strings.Contains(stderr, "-assembly") {
		t.Errorf("-h: %q", stderr)
	}
}

func TestPreflightTakesFlagsBeforeAndAfterTheEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cdk.json")
	if err := os.WriteFile(path, []byte(`{"context": {"environments": {"qa": {"backends": {"blue": {}}, "api": {"stages": {"live": {"backend": "blue"}}}}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-config", path, "staging"}, {"staging", "-config", path, "-json"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 2 || stdout != "" || stderr != "preflight: no environment \"staging\" in "+path+"; defined environments: qa\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
