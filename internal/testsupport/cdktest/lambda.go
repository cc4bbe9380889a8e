package cdktest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"privatebackend/internal/testsupport/deploytime"
)

var lambdaRuntime *deploytime.Runtime

// LambdaRuntime returns the test binary's one Node.js runtime for Lambda
// handlers: the pinned node (first on PATH in ./scripts/test) resolving the
// AWS SDK packages pinned in the module's node_modules. Call
// CloseLambdaRuntime once the tests are done.
func LambdaRuntime(t testing.TB) *deploytime.Runtime {
	t.Helper()
	if lambdaRuntime != nil {
		return lambdaRuntime
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	if lambdaRuntime, err = deploytime.StartRuntime(node, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return lambdaRuntime
}

// CloseLambdaRuntime stops the runtime, if one was started.
func CloseLambdaRuntime() {
	if lambdaRuntime != nil {
		lambdaRuntime.Close()
		lambdaRuntime = nil
	}
}
