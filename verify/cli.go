package verify

import (
	"context"
	"fmt"
	"io"
	"time"

	"privatebackend/internal/envcmd"
)

// Main is the verify command (cmd/verify, ./scripts/verify): it parses the
// arguments, one environment before or after the flags, and verifies. It
// returns the exit code: 0 when every stage passes, 1 when one fails or the
// verification cannot run, 2 on bad arguments.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts := Options{CredentialsTimeout: 20 * time.Second}
	flags := envcmd.NewFlagSet("verify", "Calls every API stage of the deployed environment ENV and checks that the backend its configuration names answers.", stderr, &opts.ConfigPath)
	flags.StringVar(&opts.Limits.Path, "path", "", "check only that this path (e.g. /health) answers 200, for your own application")
	flags.IntVar(&opts.Limits.Requests, "requests", 100, "requests sent to a stage with a canary, to measure its share (1-1000)")
	flags.IntVar(&opts.Limits.Samples, "samples", 10, "requests sent to any other stage (1-100)")
	flags.IntVar(&opts.Limits.Concurrency, "concurrency", 4, "requests in flight at once (1-16)")
	flags.DurationVar(&opts.Limits.Timeout, "timeout", 10*time.Second, "timeout of each request (1s-60s)")
	flags.BoolVar(&opts.JSON, "json", false, "write the report as JSON")
	flags.StringVar(&opts.Token, "token", "", "the authorization header's whole value for a Cognito or Lambda authorizer (or set "+TokenEnv+"); never printed")
	flags.BoolVar(&opts.SkipDeployment, "answers-only", false, "check the stages' answers only, not their variables, VPC links and Beanstalk versions")
	env, ok := envcmd.ParseArgs(flags, args)
	if !ok {
		return 2
	}
	opts.Environment = env
	l := opts.Limits
	for _, bad := range []struct {
		ok   bool
		what string
	}{
		{l.Requests >= 1 && l.Requests <= 1000, "-requests must be 1 to 1000"},
		{l.Samples >= 1 && l.Samples <= 100, "-samples must be 1 to 100"},
		{l.Concurrency >= 1 && l.Concurrency <= 16, "-concurrency must be 1 to 16"},
		{l.Timeout >= time.Second && l.Timeout <= time.Minute, "-timeout must be 1s to 60s"},
		{l.Path == "" || l.Path[0] == '/', "-path must start with /"},
	} {
		if !bad.ok {
			fmt.Fprintf(stderr, "verify: %s\n", bad.what)
			return 2
		}
	}
	return Run(ctx, opts, stdout, stderr)
}
