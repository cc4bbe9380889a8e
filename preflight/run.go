// Package preflight checks, read-only and in seconds, that an environment
// can be deployed to its account and region: the credentials, the CDK
// bootstrap, the Beanstalk platforms, the quotas the first deploy uses, the
// zones, an existing VPC, the API Gateway account settings and the state of
// the environment's stacks. It ends with the environment's fixed monthly
// cost at the region's list prices.
package preflight

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"privatebackend/internal/envcmd"
)

// Options configure one preflight run.
type Options struct {
	// ConfigPath is the cdk.json that configures the environments.
	ConfigPath string
	// Environment is the environment to check.
	Environment string
	// Assembly is a synthesized cloud assembly (e.g. cdk.out) to read; empty
	// synthesizes the environment into a temporary directory first.
	Assembly string
	// Timeout bounds each check.
	Timeout time.Duration
	// JSON writes the report as JSON instead of a table.
	JSON bool
	// Cost adds the fixed monthly cost estimate.
	Cost bool
	// LookupRole runs the checks as the CDK bootstrap's lookup role of the
	// target account and region, assumed with the credentials found.
	LookupRole bool
	// CredentialsTimeout bounds the search for AWS credentials.
	CredentialsTimeout time.Duration
	// Synthesize writes environment env's cloud assembly into dir, running
	// in the project directory; nil runs the cdk CLI (cdk synth).
	Synthesize func(ctx context.Context, project, env, dir string) error
}

// Settings tune the checks.
type Settings struct {
	// Timeout bounds each check.
	Timeout time.Duration
	// Cost adds the fixed monthly cost estimate.
	Cost bool
}

// Run checks one environment, writes the report to stdout and returns the
// exit code: 0 when every check passes, 1 otherwise. Anything that stops
// the checks before they start is one line on stderr.
func Run(ctx context.Context, opts Options, stdout, stderr io.Writer) int {
	report, err := run(ctx, opts)
	return envcmd.Finish("preflight", report, report.Passed, err, opts.JSON, stdout, stderr)
}

func run(ctx context.Context, opts Options) (Report, error) {
	plan, err := LoadPlan(opts.ConfigPath, opts.Environment)
	if err != nil {
		return Report{}, err
	}
	// Credentials first: a synthesis takes seconds, a missing login is
	// known at once.
	cfg, err := envcmd.LoadAWSConfig(ctx, plan.Environment, plan.Region, opts.CredentialsTimeout)
	if err != nil {
		return Report{}, err
	}
	dir := opts.Assembly
	if dir == "" {
		tmp, err := os.MkdirTemp("", "preflight-assembly-")
		if err != nil {
			return Report{}, err
		}
		defer os.RemoveAll(tmp)
		synthesize := opts.Synthesize
		if synthesize == nil {
			synthesize = cdkSynth
		}
		if err := synthesize(ctx, filepath.Dir(opts.ConfigPath), plan.Environment, tmp); err != nil {
			return Report{}, fmt.Errorf("synthesizing %s: %w", plan.Environment, err)
		}
		dir = tmp
	}
	asm, err := ReadAssembly(dir, plan.Environment)
	if err != nil {
		return Report{}, err
	}
	if opts.LookupRole {
		if cfg, err = assumeLookupRole(ctx, cfg, plan, asm, opts.CredentialsTimeout); err != nil {
			return Report{}, err
		}
	}
	return Preflight(ctx, plan, asm, cfg, Settings{Timeout: opts.Timeout, Cost: opts.Cost}), nil
}

// cdkSynth runs the cdk CLI that scripts/preflight puts on PATH (the one
// package-lock.json pins), as "cdk deploy" would synthesize, into dir.
func cdkSynth(ctx context.Context, project, env, dir string) error {
	cmd := exec.CommandContext(ctx, "cdk", "synth", "-c", "env="+env, "--quiet", "-o", dir)
	cmd.Dir = project
	var output strings.Builder
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		lines := strings.Split(strings.TrimSpace(output.String()), "\n")
		return fmt.Errorf("cdk synth -c env=%s: %w: %s", env, err, lines[len(lines)-1])
	}
	return nil
}

// assumeLookupRole returns cfg with the credentials it found assuming the
// CDK bootstrap's lookup role of the target account and region, the role
// the CDK CLI itself uses to read an account ("Bootstrapping your
// environment": it has ReadOnlyAccess, and --trust-for-lookup lets other
// accounts assume it).
func assumeLookupRole(ctx context.Context, cfg aws.Config, plan Plan, asm *Assembly, timeout time.Duration) (aws.Config, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	account := plan.Account
	if account == "" {
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return aws.Config{}, fmt.Errorf("finding the account of the credentials: %w", err)
		}
		account = aws.ToString(out.Account)
	}
	if asm.LookupRoleArn == "" {
		return aws.Config{}, errors.New("-lookup-role: the cloud assembly names no lookup role (the stacks use a synthesizer without one)")
	}
	arn := lookupRoleArn(asm.LookupRoleArn, account, cfg.Region)
	assumed := cfg.Copy()
	assumed.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "preflight"
	}))
	if _, err := assumed.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("cannot assume the lookup role %s: %s; it exists once the region is bootstrapped (version 8 or later) and trusts the accounts given to cdk bootstrap --trust-for-lookup", arn, envcmd.FirstLine(err))
	}
	return assumed, nil
}

// lookupRoleArn fills the pseudo parameters of the assembly's lookup role
// ARN, arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-QUALIFIER-lookup-role-${AWS::AccountId}-${AWS::Region}
// (DefaultStackSynthesizer's DEFAULT_LOOKUP_ROLE_ARN).
func lookupRoleArn(template, account, region string) string {
	return strings.NewReplacer("${AWS::Partition}", partition(region), "${AWS::AccountId}", account, "${AWS::Region}", region).Replace(template)
}

// partition is the AWS partition of a region: aws-cn for China, aws-us-gov
// for GovCloud, aws elsewhere ("AWS partitions" in the IAM User Guide).
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// pricingRegion is where the Price List API answers: it has endpoints in
// us-east-1, eu-central-1 and ap-south-1 only ("Using the AWS Price List
// Query API").
const pricingRegion = "us-east-1"

// runner holds what the checks share: the plan, the assembly, one client
// per service and what several checks read once.
type runner struct {
	plan    Plan
	asm     *Assembly
	region  string
	account string
	timeout time.Duration

	sts            *sts.Client
	ssm            *ssm.Client
	beanstalk      *elasticbeanstalk.Client
	apigateway     *apigateway.Client
	quotas         *servicequotas.Client
	ec2            *ec2.Client
	cloudformation *cloudformation.Client
	pricing        *pricing.Client
	frontDoor      frontDoorClients
	s3             *s3.Client
	secrets        *secretsmanager.Client

	mu     sync.Mutex
	stacks map[string]*stackLookup
}

// Preflight runs every check of plan against the account and region cfg
// points at, and the cost estimate when settings ask for it. Identity runs
// first: with credentials for another account than a pinned environment's,
// the other checks are skipped.
func Preflight(ctx context.Context, plan Plan, asm *Assembly, cfg aws.Config, settings Settings) Report {
	r := &runner{
		plan: plan, asm: asm, region: cfg.Region, account: plan.Account, timeout: settings.Timeout,
		sts:            sts.NewFromConfig(cfg),
		ssm:            ssm.NewFromConfig(cfg),
		beanstalk:      elasticbeanstalk.NewFromConfig(cfg),
		apigateway:     apigateway.NewFromConfig(cfg),
		quotas:         servicequotas.NewFromConfig(cfg),
		ec2:            ec2.NewFromConfig(cfg),
		cloudformation: cloudformation.NewFromConfig(cfg),
		pricing:        pricing.NewFromConfig(cfg, func(o *pricing.Options) { o.Region = pricingRegion }),
		s3:             newS3Client(cfg),
		secrets:        secretsmanager.NewFromConfig(cfg),
		stacks:         map[string]*stackLookup{},
		frontDoor:      newFrontDoorClients(cfg),
	}
	report := Report{Environment: plan.Environment, Region: cfg.Region}
	identity, sameAccount := r.identity(ctx)
	report.Account = r.account
	report.add(identity)
	checks := r.checks()
	results := make([][]Result, len(checks))
	if sameAccount {
		// The checks, and the estimate, are independent reads: they run at
		// once, each within its own timeout.
		var wg sync.WaitGroup
		for i, c := range checks {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(ctx, r.timeout)
				defer cancel()
				results[i] = c.run(ctx)
			})
		}
		if settings.Cost {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(ctx, r.timeout)
				defer cancel()
				report.Estimate = r.estimate(ctx)
			})
		}
		wg.Wait()
	}
	for i, c := range checks {
		if !sameAccount {
			for _, name := range c.names {
				results[i] = append(results[i], Result{Check: name, Result: Skip, Detail: "not run: " + identity.Detail, Permissions: c.permissions})
			}
		}
		for _, res := range results[i] {
			if res.Permissions == nil {
				res.Permissions = c.permissions
			}
			report.add(res)
		}
	}
	report.finish()
	return report
}

// check is one family of checks: the rows it gives, the IAM actions it
// calls, and what runs it.
type check struct {
	names       []string
	permissions []string
	run         func(ctx context.Context) []Result
}

// checks lists the checks that run after identity, in report order.
func (r *runner) checks() []check {
	one := func(f func(ctx context.Context) Result) func(ctx context.Context) []Result {
		return func(ctx context.Context) []Result { return []Result{f(ctx)} }
	}
	checks := []check{
		{names: []string{"bootstrap"}, permissions: bootstrapPermissions, run: one(r.bootstrap)},
		{names: []string{"stacks"}, permissions: stacksPermissions, run: one(r.stackStates)},
	}
	for _, b := range r.plan.Backends {
		checks = append(checks, check{names: []string{"platform " + b.Name}, permissions: platformPermissions(b), run: one(func(ctx context.Context) Result { return r.platform(ctx, b) })})
	}
	checks = append(checks,
		check{names: []string{"vpc links"}, permissions: vpcLinkPermissions, run: one(r.vpcLinks)},
		check{names: []string{"api gateway logging"}, permissions: apiGatewayAccountPermissions, run: one(r.apiGatewayAccount)},
		check{names: r.zoneCheckNames(), permissions: r.zonePermissions(), run: r.zoneChecks},
		check{names: []string{"vpc"}, permissions: r.vpcPermissions(), run: one(r.vpc)},
		check{names: []string{"vcpu quota"}, permissions: vcpuPermissions, run: one(r.vcpuQuota)},
	)
	checks = append(checks, r.serviceChecks()...)
	return append(checks, r.frontDoorChecks()...)
}
