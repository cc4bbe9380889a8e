//go:build heavy

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// Stops the jsii kernel a CDK App started.
	jsii.Close()
	os.Exit(code)
}

// nullsDoc is a context with nulls where cdk.json may have them: as an
// object's values, at any depth, and as a list's elements.
const nullsDoc = `{
  "object": {"unset": null, "set": 1, "list": [1, null, {"unset": null, "set": "a"}], "nested": {"unset": null}},
  "list": [null, {"unset": null}]}`

// readByApp is set in the process TestNullsAreDroppedAsTheCDKDropsThem
// starts, which prints the context its Apps read.
const readByApp = "VALIDATE_TEST_PRINT_CONTEXT"

// TestNullsAreDroppedAsTheCDKDropsThem holds dropNullKeys to what the app
// really reads: a context handed to a CDK App comes back through
// TryGetContext as dropNullKeys gives it (objects lose their null-valued
// keys, at any depth; lists keep their null elements), whether the cdk CLI
// passes it (CDK_CONTEXT_JSON, read when the App is created, so in a
// process of its own) or a test does (App's Context property). Both Apps
// are made in that one process, so that the test starts one jsii kernel;
// CDK_CONTEXT_JSON overrides an App's Context key for key, so the second
// App is given the context under keys of its own.
func TestNullsAreDroppedAsTheCDKDropsThem(t *testing.T) {
	var context map[string]any
	if err := json.Unmarshal([]byte(nullsDoc), &context); err != nil {
		t.Fatal(err)
	}
	if os.Getenv(readByApp) != "" {
		fromCLI := awscdk.NewApp(nil)
		props := map[string]any{}
		for key, value := range context {
			props[propsKey+key] = value
		}
		fromProps := awscdk.NewApp(&awscdk.AppProps{Context: &props})
		read := map[string]map[string]any{"from the CLI": readContext(fromCLI, "", context), "as App.Context": readContext(fromProps, propsKey, context)}
		if err := json.NewEncoder(os.Stdout).Encode(read); err != nil {
			t.Fatal(err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNullsAreDroppedAsTheCDKDropsThem$")
	cmd.Env = append(os.Environ(), readByApp+"=1", "CDK_CONTEXT_JSON="+nullsDoc)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the Apps' process: %v", err)
	}
	var read map[string]map[string]any
	// The JSON comes first, before the test binary's own "PASS".
	if err := json.NewDecoder(bytes.NewReader(out)).Decode(&read); err != nil {
		t.Fatalf("the Apps' process printed %q: %v", out, err)
	}
	if len(read) != 2 {
		t.Fatalf("the Apps' process read %v; want both Apps' contexts", read)
	}
	for how, got := range read {
		for key, value := range context {
			if want := dropNullKeys(value); !reflect.DeepEqual(got[key], want) {
				t.Errorf("context %q %s: the app reads %#v, the validator %#v", key, how, got[key], want)
			}
		}
	}
}

// propsKey prefixes the keys of the context given as App.Context.
const propsKey = "props-"

// readContext is what app reads of every key of context, under prefix.
func readContext(app awscdk.App, prefix string, context map[string]any) map[string]any {
	read := map[string]any{}
	for key := range context {
		read[key] = app.Node().TryGetContext(jsii.String(prefix + key))
	}
	return read
}
