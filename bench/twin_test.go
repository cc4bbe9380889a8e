package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTwinIsPinnedLikeGoMod keeps the benchmark fair: the JavaScript twin
// must run the aws-cdk-lib, constructs and cdk-nag versions that go.mod pins
// for the Go app, so a dependency update that moves one moves the other.
func TestTwinIsPinnedLikeGoMod(t *testing.T) {
	if err := checkTwinVersions(".."); err != nil {
		t.Fatal(err)
	}
}

// TestTwinVersionCheckFails proves the check can fail: a twin pinned at
// another aws-cdk-lib is reported.
func TestTwinVersionCheckFails(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"go.mod", twinDir + "/package.json", twinDir + "/package-lock.json"} {
		data, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, "package.json") {
			data = []byte(strings.Replace(string(data), `"aws-cdk-lib": "`, `"aws-cdk-lib": "0.`, 1))
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := checkTwinVersions(root)
	if err == nil || !strings.Contains(err.Error(), "package.json pins aws-cdk-lib") {
		t.Fatalf("a twin pinned at another aws-cdk-lib passed the check: %v", err)
	}
}
