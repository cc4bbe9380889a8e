// Command privatebackend is the CDK app: it reads the environments from the
// context in cdk.json, validates them, and builds one awscdk.Stage per
// environment with its Network, Backend-NAME and Api stacks.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"privatebackend/config"
	"privatebackend/stacks"
)

// bundlePath is the sample application shipped as every backend's
// application version.
const bundlePath = "backend/app"

func main() {
	os.Exit(run(os.Stderr, nil))
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
	envs, err := config.FromContext(app.Node())
	if err != nil {
		return err
	}
	build(app, envs)
	app.Synth(nil)
	return nil
}

// build adds one stage per environment to app.
func build(app awscdk.App, envs []*config.Environment) {
	for _, e := range envs {
		stage := awscdk.NewStage(app, jsii.String(e.Name), &awscdk.StageProps{Env: deployEnv(e)})
		attachGates(stage)
		stacks.NewEnvironment(stage, e, bundlePath)
	}
}

// attachGates runs cdk-nag's AwsSolutions checks on every stack of stage,
// writing a report per stack to the cloud assembly. It must be added to each
// Stage: an Aspect added to the App does not reach into a Stage.
func attachGates(stage awscdk.Stage) {
	awscdk.Aspects_Of(stage).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
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
