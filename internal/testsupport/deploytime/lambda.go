// Package deploytime rehearses what runs while CloudFormation deploys a
// synthesized template: every custom resource's Lambda handler runs on the
// pinned Node.js with the real AWS SDK for JavaScript, in the order
// CloudFormation would create the resources, against loopback stand-ins of
// the AWS APIs it calls (package awsstandin).
package deploytime

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

//go:embed harness.js
var harnessJS []byte

// Runtime runs Lambda handlers in one Node.js process, one invocation at a
// time, as the Lambda Node.js runtime calls them.
type Runtime struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr strings.Builder
	dir    string
	mu     sync.Mutex
}

// StartRuntime starts the runtime with node, resolving the handlers' own
// require calls (the AWS SDK's client packages) in nodeModules.
func StartRuntime(node, nodeModules string) (*Runtime, error) {
	dir, err := os.MkdirTemp("", "deploytime-")
	if err != nil {
		return nil, err
	}
	harness := dir + "/harness.js"
	if err := os.WriteFile(harness, harnessJS, 0o644); err != nil {
		return nil, err
	}
	answers, answersW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	r := &Runtime{dir: dir, out: bufio.NewReaderSize(answers, 1<<20)}
	r.cmd = exec.Command(node, harness)
	r.cmd.Env = append(os.Environ(), "NODE_PATH="+nodeModules)
	r.cmd.ExtraFiles = []*os.File{answersW}
	r.cmd.Stderr = &r.stderr
	if r.in, err = r.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	answersW.Close()
	return r, nil
}

// Invocation is one call of a handler.
type Invocation struct {
	// Handler is the path of the handler's module file.
	Handler string `json:"handler"`
	// Export is the module's exported function. Default: "handler".
	Export string `json:"export,omitempty"`
	// Env is the function's environment: the variables Lambda sets (region,
	// credentials) and the function's own.
	Env map[string]string `json:"env"`
	// Event is the event the function receives.
	Event map[string]any `json:"event"`
	// RemainingMs is the time the function has left when it starts: its
	// timeout.
	RemainingMs int `json:"remainingMs"`
	// Response is where the handler's PUTs to the event's ResponseURL go
	// instead of S3. Nil: to the URL itself.
	Response *ResponseEndpoint `json:"response,omitempty"`
}

// ResponseEndpoint is a loopback HTTPS server standing in for the S3 bucket
// behind CloudFormation's presigned response URLs.
type ResponseEndpoint struct {
	// Port is its loopback port.
	Port int `json:"port"`
	// CA is the PEM certificate its TLS certificate chains to.
	CA string `json:"ca"`
}

// Result is what a handler did.
type Result struct {
	// ResponseRequests counts the requests it opened to the event's
	// ResponseURL host, answered or not.
	ResponseRequests int `json:"responseRequests"`
	// Sleeps are the waits, in milliseconds, it asked timers/promises for.
	Sleeps []float64 `json:"sleeps"`
	// Logs are the lines it logged.
	Logs []string `json:"logs"`
	// ElapsedMs is its run time as Lambda would count it: the real time,
	// plus its waits and the timeouts the harness cut short.
	ElapsedMs float64 `json:"elapsedMs"`
	// Error is what it threw, if it threw.
	Error string `json:"error"`
}

// Invoke runs one invocation to its end.
func (r *Runtime) Invoke(inv Invocation) (*Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	line, err := json.Marshal(inv)
	if err != nil {
		return nil, err
	}
	if _, err := r.in.Write(append(line, '\n')); err != nil {
		return nil, fmt.Errorf("the Node.js runtime stopped: %v\n%s", err, r.stderr.String())
	}
	answer, err := r.out.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("the Node.js runtime stopped: %v\n%s", err, r.stderr.String())
	}
	var result Result
	if err := json.Unmarshal(answer, &result); err != nil {
		return nil, err
	}
	return &result, nil
}

// Dir is a directory of the runtime's own, for handler files.
func (r *Runtime) Dir() string { return r.dir }

// Close stops the runtime and removes its directory.
func (r *Runtime) Close() error {
	r.in.Close()
	err := r.cmd.Wait()
	os.RemoveAll(r.dir)
	return err
}
