// Command preflight checks, read-only, that an environment can be deployed
// to its account and region before "cdk deploy" spends minutes finding out.
// Run it as ./scripts/preflight ENV; -h lists the flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"privatebackend/internal/envcmd"
	"privatebackend/preflight"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the arguments and checks; it returns the exit code: 0 when
// every check passes, 1 when one fails or the checks cannot run, 2 on bad
// arguments.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("preflight", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: ./scripts/preflight ENV [flags]\n\nChecks, read-only, that environment ENV can be deployed to its account and region, and estimates its fixed monthly cost.\n\nflags:")
		flags.PrintDefaults()
	}
	opts := preflight.Options{CredentialsTimeout: 20 * time.Second}
	flags.StringVar(&opts.ConfigPath, "config", "cdk.json", "the cdk.json that configures the environments")
	flags.StringVar(&opts.Assembly, "assembly", "", "read this synthesized cloud assembly (e.g. cdk.out after ./scripts/synth) instead of synthesizing ENV first")
	flags.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "how long each check may take (1s-120s)")
	flags.BoolVar(&opts.JSON, "json", false, "write the report as JSON")
	flags.BoolVar(&opts.Cost, "cost", true, "estimate the fixed monthly cost (pricing:GetProducts)")
	flags.BoolVar(&opts.LookupRole, "lookup-role", false, "assume the CDK bootstrap's lookup role of the target account and region (cdk-hnb659fds-lookup-role-ACCOUNT-REGION) and check as that role")
	env, ok := envcmd.ParseArgs(flags, args)
	if !ok {
		return 2
	}
	opts.Environment = env
	if opts.Timeout < time.Second || opts.Timeout > 2*time.Minute {
		fmt.Fprintln(stderr, "preflight: -timeout must be 1s to 120s")
		return 2
	}
	return preflight.Run(ctx, opts, stdout, stderr)
}
