package preflight

import (
	"context"
	"fmt"
	"io"
	"time"

	"privatebackend/internal/envcmd"
)

// Main is the preflight command (cmd/preflight, ./scripts/preflight): it
// parses the arguments, one environment before or after the flags, and
// checks. It returns the exit code: 0 when every check passes, 1 when one
// fails or the checks cannot run, 2 on bad arguments.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts := Options{CredentialsTimeout: 20 * time.Second}
	flags := envcmd.NewFlagSet("preflight", "Checks, read-only, that environment ENV can be deployed to its account and region, and estimates its fixed monthly cost.", stderr, &opts.ConfigPath)
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
	return Run(ctx, opts, stdout, stderr)
}
