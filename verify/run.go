package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"privatebackend/config"
	"privatebackend/internal/envcmd"
)

// Options configure one verification.
type Options struct {
	// ConfigPath is the cdk.json that configures the environments.
	ConfigPath string
	// Environment is the environment to verify.
	Environment string
	// Limits bound the requests.
	Limits Limits
	// JSON writes the report as JSON instead of a table.
	JSON bool
	// CredentialsTimeout bounds the search for AWS credentials.
	CredentialsTimeout time.Duration
	// Token is the token for an API whose authorization is an authorizer;
	// empty reads TokenEnv.
	Token string
	// SkipDeployment leaves out CheckDeployment's reads of API Gateway and
	// Beanstalk, checking the stages' answers only.
	SkipDeployment bool
}

// Run verifies one environment, writes its report to stdout and returns the
// exit code: 0 when every stage passes, 1 otherwise. Anything that stops the
// verification before the stages are called is one line on stderr.
func Run(ctx context.Context, opts Options, stdout, stderr io.Writer) int {
	report, err := run(ctx, opts)
	return envcmd.Finish("verify", report, report.Passed, err, opts.JSON, stdout, stderr)
}

func run(ctx context.Context, opts Options) (Report, error) {
	env, err := config.EnvironmentFromFile(opts.ConfigPath, opts.Environment)
	if err != nil {
		return Report{}, err
	}
	cfg, err := envcmd.LoadAWSConfig(ctx, env.Name, env.Region, opts.CredentialsTimeout)
	if err != nil {
		return Report{}, err
	}
	prober := Prober{Client: &http.Client{Timeout: opts.Limits.Timeout}, Region: cfg.Region}
	if env.API.Authorization == config.AuthorizationIAM {
		prober.Credentials = cfg.Credentials
	}
	if err := useToken(&prober, env, opts.Token); err != nil {
		return Report{}, err
	}
	stacks := CloudFormationOutputs{Client: cloudformation.NewFromConfig(cfg)}
	report, err := Verify(ctx, env, stacks, prober, opts.Limits)
	if err != nil || opts.SkipDeployment {
		return report, err
	}
	CheckDeployment(ctx, env, stacks, AWSDeployment{APIGateway: apigateway.NewFromConfig(cfg), Beanstalk: elasticbeanstalk.NewFromConfig(cfg)}, &report)
	return report, nil
}

// Verify checks every configured stage of env against the invoke URLs in
// the outputs of its API stack.
func Verify(ctx context.Context, env *config.Environment, stacks StackOutputs, prober Prober, limits Limits) (Report, error) {
	stackName := env.Stacks.API.Name
	outputs, err := stacks.Outputs(ctx, stackName)
	if errors.Is(err, ErrNotDeployed) {
		return Report{}, fmt.Errorf("%s is not deployed: run `./scripts/cdk deploy '%s/*'`", stackName, env.Name)
	}
	if err != nil {
		return Report{}, fmt.Errorf("reading the outputs of %s: %w", stackName, err)
	}
	urls := stageURLsOf(outputs, env.StageNames())
	report := Report{Environment: env.Name, Stack: stackName, Passed: true}
	for _, name := range env.StageNames() {
		stage := env.API.Stages[name]
		u, ok := urls[name]
		if !ok {
			report.Stages = append(report.Stages, StageResult{Stage: name, Expected: stage.Backend, Seen: map[string]int{},
				Problems: []string{fmt.Sprintf("stage %s: %s has no invoke URL for it; deploy the API: ./scripts/cdk deploy %s/%s", name, stackName, env.Name, env.Stacks.API.ID)}})
			report.Passed = false
			continue
		}
		plan := StagePlan{Name: name, URL: u, Signed: env.API.Authorization == config.AuthorizationIAM}
		stageLimits := limits
		// The sample's answer names its backend and version; any other
		// application is checked on its backend's health path alone.
		if stageLimits.Path == "" && !runsSample(env, stage) {
			stageLimits.Path = env.Backends[stage.Backend].HealthPath
		}
		if stageLimits.Path == "" {
			plan.Backend, plan.Version = stage.Backend, env.Backends[stage.Backend].Version
			// A canary that overrides only other services' backends leaves
			// the default service, which verify probes, on the stage's.
			if stage.Canary != nil && stage.Canary.Backend != "" {
				plan.Canary = &CanaryPlan{Backend: stage.Canary.Backend, Version: env.Backends[stage.Canary.Backend].Version, Percent: stage.Canary.Percent}
			}
		}
		result := checkHeaderRoute(ctx, prober, env, plan, urls, checkRefusal(ctx, prober, env, plan, CheckStage(ctx, prober, plan, stageLimits)))
		report.Passed = report.Passed && result.Passed
		report.Stages = append(report.Stages, result)
	}
	return report, nil
}

// runsSample reports whether every backend a stage sends requests to runs
// the sample application, whose answer verify can read.
func runsSample(env *config.Environment, stage *config.Stage) bool {
	if env.Backends[stage.Backend].Source != config.DefaultSource {
		return false
	}
	return stage.Canary == nil || env.Backends[stage.Canary.Backend].Source == config.DefaultSource
}

// stageURLs finds the stages' invoke URLs among the API stack's outputs
// (config.StageURLOutputPrefix): each is
// https://API.execute-api.REGION.amazonaws.com/STAGE/ (or whatever stand-in
// the outputs name), so the first path segment is the stage.
func stageURLs(outputs map[string]string) map[string]string {
	urls := map[string]string{}
	for key, value := range outputs {
		u, err := url.Parse(value)
		if !strings.HasPrefix(key, config.StageURLOutputPrefix) || err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			continue
		}
		stage, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		if stage != "" {
			urls[stage] = strings.TrimSuffix(value, "/") + "/"
		}
	}
	return urls
}
