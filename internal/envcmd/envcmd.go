// Package envcmd is what the commands that act on one deployed environment
// (preflight, verify) share: the environment named on the command line
// before or after the flags, the AWS configuration they run with, and a
// report that is written as a table or as JSON and decides the exit code.
package envcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"

	"privatebackend/config"
)

// NewFlagSet is the flag set of the command name, run as
// "./scripts/NAME ENV [flags]": its usage says what the command does
// (about) and lists the flags, it writes its usage and errors to stderr,
// and it has the -config flag every such command takes, into configPath.
func NewFlagSet(name, about string, stderr io.Writer, configPath *string) *flag.FlagSet {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: ./scripts/%s ENV [flags]\n\n%s\n\nflags:\n", name, about)
		flags.PrintDefaults()
	}
	flags.StringVar(configPath, "config", "cdk.json", "the cdk.json that configures the environments")
	return flags
}

// ParseArgs parses args into flags, with one environment before or after
// the flags ("ENV [flags]" or "[flags] ENV"). On a usage error it has said
// so on the flag set's output and returns false.
func ParseArgs(flags *flag.FlagSet, args []string) (env string, ok bool) {
	if err := flags.Parse(args); err != nil {
		return "", false
	}
	if flags.NArg() > 0 {
		env = flags.Arg(0)
		if err := flags.Parse(flags.Args()[1:]); err != nil {
			return "", false
		}
	}
	if env == "" || flags.NArg() != 0 {
		fmt.Fprintf(flags.Output(), "%s: name one environment, e.g. ./scripts/%s dev\n", flags.Name(), flags.Name())
		return "", false
	}
	return env, true
}

// Report is what a command found.
type Report interface {
	// WriteTable writes the report for a reader.
	WriteTable(w io.Writer) error
	// WriteJSON writes the report for a program.
	WriteJSON(w io.Writer) error
}

// Finish writes the report of command name to stdout, as JSON when asJSON
// is set, and returns the exit code: 0 when the report passed; 1 when it
// did not, or when err says the command could not run or the report could
// not be written, which is then one line on stderr; 2 when err is an
// environment the configuration does not define (a bad argument, issue
// #20), one line naming the defined ones.
func Finish(name string, report Report, passed bool, err error, asJSON bool, stdout, stderr io.Writer) int {
	if unknown := (*config.UnknownEnvironmentError)(nil); errors.As(err, &unknown) {
		fmt.Fprintf(stderr, "%s: %s\n", name, FirstLine(err))
		return 2
	}
	if err == nil {
		write := report.WriteTable
		if asJSON {
			write = report.WriteJSON
		}
		err = write(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", name, FirstLine(err))
		return 1
	}
	if !passed {
		return 1
	}
	return 0
}

// FirstLine is the first line of err's message: what a one-line report
// shows of an error whose message goes on (such as the AWS SDK's).
func FirstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

// LoadAWSConfig loads the SDK's usual configuration for environment env:
// the credential chain, region when the environment is pinned to one (else
// AWS_REGION or the profile's), and the endpoint overrides
// (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>). It fails in one line
// when the chain finds no credentials within credentialsTimeout, or there
// is no region.
func LoadAWSConfig(ctx context.Context, env, region string, credentialsTimeout time.Duration) (aws.Config, error) {
	// The SDK's own log lines (such as its IMDS fallback) would break the
	// one-line messages.
	loadOpts := []func(*awsconfig.LoadOptions) error{awsconfig.WithLogger(logging.Nop{})}
	if region != "" {
		loadOpts = append(loadOpts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if err := checkCredentials(ctx, cfg, credentialsTimeout); err != nil {
		return aws.Config{}, err
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("no AWS region: environment %s is not pinned to one; set AWS_REGION or a profile's region", env)
	}
	return cfg, nil
}

// checkCredentials fails with one line when the SDK's credential chain
// (environment, shared config and SSO profiles, container and instance
// roles) finds nothing.
func checkCredentials(ctx context.Context, cfg aws.Config, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if cfg.Credentials == nil {
		return ErrNoCredentials
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return ErrNoCredentials
	}
	return nil
}

// ErrNoCredentials says that the SDK's credential chain found nothing, and
// how to give it something.
var ErrNoCredentials = errors.New("no AWS credentials found (environment variables, shared config and SSO profiles, container and instance roles were tried): set AWS_PROFILE, run `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
