// Command privatebackend is the CDK app: it reads the environments from the
// context in cdk.json, validates them, and builds one awscdk.Stage per
// environment with its Network, Alerts, Backend-NAME and Api stacks, and one
// per account and region with its ApiGatewayAccount stack.
package main

// The JSON Schema of cdk.json and the README's tables of keys derive from
// the configuration's declaration (package config).
//go:generate go run ./internal/configdocs

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"privatebackend/config"
	"privatebackend/internal/synthtiming"
	"privatebackend/stacks"
)

const (
	// projectRoot is the directory that backends' local sources are
	// relative to: the cdk CLI runs the app in the directory of cdk.json.
	projectRoot = "."
	// packageJSON pins the cdk CLI the pipeline's own steps install too.
	packageJSON = "package.json"
)

func main() {
	code := run(os.Stderr, nil)
	// Stops the jsii kernel (the Node.js process behind the CDK) and removes
	// the runtime it unpacked into the temporary directory; os.Exit skips
	// deferred calls, so it is called here.
	jsii.Close()
	os.Exit(code)
}

// run builds and synthesizes the app and returns the process's exit code.
// The configuration is validated before any stack is created, so a bad
// configuration writes nothing; any other failure is reported as one
// message, never as a Go panic trace.
func run(stderr io.Writer, props *awscdk.AppProps) int {
	if err := synth(props); err != nil {
		fmt.Fprintf(stderr, "error: %s\n", err)
		return 1
	}
	return 0
}

// synth builds the app from its context and writes the cloud assembly,
// with cdk-nag's checks on every stage and, unless props turn it off, the
// CDK's CloudFormation validator.
func synth(props *awscdk.AppProps) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New(firstLine(fmt.Sprint(r)))
		}
	}()
	app := awscdk.NewApp(props)
	cfg, err := config.FromContext(app.Node())
	if err != nil {
		return err
	}
	// A source that is missing or not a zip is a configuration problem,
	// reported before any stack exists, so nothing is written.
	if err := config.CheckSources(cfg.Environments, projectRoot); err != nil {
		return err
	}
	stages := build(app, cfg.Environments)
	accounts := buildAccounts(app, cfg.Environments)
	// The pipeline deploys every environment, so config gives it only when
	// no "-c env" narrows the app to one.
	if cfg.Pipeline != nil {
		cliVersion, err := config.PinnedCLIVersion(packageJSON)
		if err != nil {
			return err
		}
		addPipeline(app, cfg.Pipeline, cfg.Environments, stages, accounts, cliVersion)
	}
	synthDone := synthtiming.Synth()
	app.Synth(nil)
	synthDone()
	return nil
}

// build adds one stage per environment to app and returns them by name.
func build(app awscdk.App, envs []*config.Environment) map[string]awscdk.Stage {
	stages := map[string]awscdk.Stage{}
	for _, e := range envs {
		// Timed from here, outside the stacks, for the benchmark (bench/).
		done := synthtiming.Part("Environment")
		stage := awscdk.NewStage(app, jsii.String(e.Name), &awscdk.StageProps{Env: deployEnv(e)})
		attachGates(stage)
		stacks.NewEnvironment(stage, e, projectRoot)
		stages[e.Name] = stage
		done()
	}
	return stages
}

// accountStage is the ApiGatewayAccount stage of one account and region.
type accountStage struct {
	// name is the stage's name; account and region are empty for the
	// environment-agnostic one, which deploys where the credentials point.
	name, account, region string
	stage                 awscdk.Stage
}

// buildAccounts adds, for each account and region the environments deploy
// to, a stage with the ApiGatewayAccount stacks, deployed once there before
// any environment: "ApiGatewayAccount-ACCOUNT-REGION" for pinned
// environments, "ApiGatewayAccount" (where the CLI's credentials point) for
// environment-agnostic ones. It returns them in name order.
func buildAccounts(app awscdk.App, envs []*config.Environment) []accountStage {
	targets := map[string]*config.Environment{}
	for _, e := range envs {
		name := stacks.ApiGatewayAccountStackName
		if e.Pinned() {
			name += "-" + e.Account + "-" + e.Region
		}
		targets[name] = e
	}
	var out []accountStage
	for _, name := range slices.Sorted(maps.Keys(targets)) {
		e := targets[name]
		done := synthtiming.Part("ApiGatewayAccount")
		stage := awscdk.NewStage(app, jsii.String(name), &awscdk.StageProps{Env: deployEnv(e)})
		attachGates(stage)
		stacks.NewApiGatewayAccount(stage, &awscdk.StackProps{
			Description: jsii.String("API Gateway's logging role for the REST APIs of this account and region"),
		})
		out = append(out, accountStage{name: name, account: e.Account, region: e.Region, stage: stage})
		done()
	}
	return out
}

// pipelineAccountStages are the account stages a pipeline in account and
// region deploys: each once per account and region, so the
// environment-agnostic one, which the pipeline deploys into its own account
// and region, is left out when a pinned one goes there too (two stages
// would deploy the one ApiGatewayAccount stack there at once).
func pipelineAccountStages(accounts []accountStage, account, region string) []accountStage {
	pinnedHere := slices.ContainsFunc(accounts, func(a accountStage) bool { return a.account == account && a.region == region })
	var out []accountStage
	for _, a := range accounts {
		if a.account == "" && pinnedHere {
			continue
		}
		out = append(out, a)
	}
	return out
}

// addPipeline adds the Pipeline stack, which deploys the same stages wave by
// wave, with cdk-nag's checks like every environment.
func addPipeline(app awscdk.App, cfg *config.Pipeline, envs []*config.Environment, stages map[string]awscdk.Stage, accounts []accountStage, cliVersion string) {
	defer synthtiming.Part("Pipeline")()
	var accountStages []awscdk.Stage
	for _, a := range pipelineAccountStages(accounts, cfg.Account, cfg.Region) {
		accountStages = append(accountStages, a.stage)
	}
	byName := map[string]*config.Environment{}
	for _, e := range envs {
		byName[e.Name] = e
	}
	p := stacks.NewPipeline(app, "Pipeline", &stacks.PipelineProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("Deploys the environments from " + cfg.Source.Repository),
			Env:         &awscdk.Environment{Account: jsii.String(cfg.Account), Region: jsii.String(cfg.Region)},
		},
		Pipeline:      cfg,
		Environments:  byName,
		Stages:        stages,
		AccountStages: accountStages,
		CLIVersion:    cliVersion,
	})
	attachGates(p.Stack)
}

// attachGates runs cdk-nag's AwsSolutions checks on every stack of scope (a
// Stage, or a stack of the App), writing a report per stack to the cloud
// assembly. It must be added to each Stage: an Aspect added to the App does
// not reach into a Stage.
func attachGates(scope cdkconstructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
		Reports: jsii.Bool(true),
		Verbose: jsii.Bool(true),
	}), nil)
}

// deployEnv pins a stage to its account and region, or leaves it
// environment-agnostic.
func deployEnv(e *config.Environment) *awscdk.Environment {
	if !e.Pinned() {
		return nil
	}
	return &awscdk.Environment{Account: jsii.String(e.Account), Region: jsii.String(e.Region)}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
