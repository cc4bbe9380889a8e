// Command validate checks cdk.json with the app's own validation, the one
// every synthesis runs before it builds anything, without synthesizing:
// no jsii kernel, no cdk CLI, no cloud assembly, in well under a second.
// ./scripts/validate runs it; -c key=value sets a context value as the cdk
// CLI's -c does (e.g. -c env=dev).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"privatebackend/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// contextValues collects the -c key=value flags, as strings, as the cdk
// CLI passes them to the app.
type contextValues map[string]any

func (c contextValues) String() string { return "" }

func (c contextValues) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return fmt.Errorf("%q is not key=value, e.g. env=dev", s)
	}
	c[key] = value
	return nil
}

// mapContext reads context values from a map, as the app's construct node
// reads them.
type mapContext map[string]any

func (m mapContext) TryGetContext(key *string) any { return m[*key] }

// run returns the exit code: 0 when the configuration is valid, 1 when it
// is not or cannot be read, 2 on bad arguments.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("validate", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: ./scripts/validate [flags]\n\nChecks cdk.json as the app does before every synthesis, without synthesizing.\n\nflags:")
		flags.PrintDefaults()
	}
	path := flags.String("config", "cdk.json", "the cdk.json to check")
	root := flags.String("root", "", "the project root that backends' sources are relative to (default: the directory of -config)")
	extra := contextValues{}
	flags.Var(extra, "c", "a context value, key=value, as the cdk CLI's -c (e.g. -c env=dev); repeatable")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "validate: unexpected argument %q; name the file with -config\n", flags.Arg(0))
		return 2
	}
	context, err := config.ContextFromFile(*path)
	if err != nil {
		fmt.Fprintf(stderr, "validate: %s\n", err)
		return 1
	}
	ctx := mapContext{}
	for key, value := range context {
		if value != nil {
			ctx[key] = dropNullKeys(value)
		}
	}
	for key, value := range extra {
		ctx[key] = value
	}
	app, err := config.FromContext(ctx)
	if err == nil {
		// The synthesis checks the sources too, in the directory of cdk.json.
		if *root == "" {
			*root = filepath.Dir(*path)
		}
		err = config.CheckSources(app.Environments, *root)
	}
	if err != nil {
		// The same line a synthesis prints.
		fmt.Fprintf(stderr, "error: %s\n", err)
		return 1
	}
	names := make([]string, len(app.Environments))
	for i, e := range app.Environments {
		names[i] = e.Name
	}
	fmt.Fprintf(stdout, "%s: valid; environments %s\n", *path, strings.Join(names, ", "))
	return 0
}

// dropNullKeys removes the keys whose value is null from every object in v,
// as the CDK does before the app reads its context (jsii hands an object's
// null-valued keys to Go as absent, and keeps a list's null elements), so
// that a null reads as "not set" here too.
func dropNullKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for key, value := range v {
			if value != nil {
				out[key] = dropNullKeys(value)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, value := range v {
			out[i] = dropNullKeys(value)
		}
		return out
	}
	return v
}
