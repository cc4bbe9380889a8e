package verify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"privatebackend/config"
)

// The stage variables that pick a stage's backend (constructs.PrivateRestApi:
// VpcLinkIDVariable and BackendHostVariable; verify does not load the CDK).
const (
	vpcLinkIDVariable   = "vpcLinkId"
	backendHostVariable = "backendHost"
)

// Deployment reads what is deployed besides stack outputs: the stages'
// variables, the VPC links' targets, and which application version a
// Beanstalk environment runs.
type Deployment interface {
	// StageVariables returns a stage's variables and its canary's overrides
	// (nil without a canary): API Gateway GetStage.
	StageVariables(ctx context.Context, restAPIID, stage string) (variables, canary map[string]string, err error)
	// VpcLinkTargets returns the load balancer ARNs a VPC link targets:
	// API Gateway GetVpcLink.
	VpcLinkTargets(ctx context.Context, id string) ([]string, error)
	// EnvironmentVersion returns the application and the version label a
	// Beanstalk environment runs: DescribeEnvironments.
	EnvironmentVersion(ctx context.Context, environmentName string) (application, label string, err error)
	// VersionDescription returns an application version's description:
	// DescribeApplicationVersions.
	VersionDescription(ctx context.Context, application, label string) (string, error)
}

// AWSDeployment reads the deployment with the AWS SDK: apigateway:GET on
// the stage and the VPC link, elasticbeanstalk:DescribeEnvironments and
// DescribeApplicationVersions.
type AWSDeployment struct {
	// APIGateway is the API Gateway client.
	APIGateway *apigateway.Client
	// Beanstalk is the Elastic Beanstalk client.
	Beanstalk *elasticbeanstalk.Client
}

// StageVariables implements Deployment with GetStage, whose answer holds
// "variables" and, for a canary, "canarySettings.stageVariableOverrides"
// (API Gateway REST API reference, GetStage).
func (d AWSDeployment) StageVariables(ctx context.Context, restAPIID, stage string) (map[string]string, map[string]string, error) {
	out, err := d.APIGateway.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &restAPIID, StageName: &stage})
	if err != nil {
		return nil, nil, err
	}
	var canary map[string]string
	if out.CanarySettings != nil {
		canary = out.CanarySettings.StageVariableOverrides
		if canary == nil {
			canary = map[string]string{}
		}
	}
	return out.Variables, canary, nil
}

// VpcLinkTargets implements Deployment with GetVpcLink (targetArns).
func (d AWSDeployment) VpcLinkTargets(ctx context.Context, id string) ([]string, error) {
	out, err := d.APIGateway.GetVpcLink(ctx, &apigateway.GetVpcLinkInput{VpcLinkId: &id})
	if err != nil {
		return nil, err
	}
	return out.TargetArns, nil
}

// EnvironmentVersion implements Deployment with DescribeEnvironments.
func (d AWSDeployment) EnvironmentVersion(ctx context.Context, name string) (string, string, error) {
	out, err := d.Beanstalk.DescribeEnvironments(ctx, &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{name}})
	if err != nil {
		return "", "", err
	}
	for _, e := range out.Environments {
		if e.EnvironmentName != nil && *e.EnvironmentName == name && e.ApplicationName != nil && e.VersionLabel != nil {
			return *e.ApplicationName, *e.VersionLabel, nil
		}
	}
	return "", "", fmt.Errorf("Beanstalk has no environment %s", name)
}

// VersionDescription implements Deployment with DescribeApplicationVersions.
func (d AWSDeployment) VersionDescription(ctx context.Context, application, label string) (string, error) {
	out, err := d.Beanstalk.DescribeApplicationVersions(ctx, &elasticbeanstalk.DescribeApplicationVersionsInput{ApplicationName: &application, VersionLabels: []string{label}})
	if err != nil {
		return "", err
	}
	for _, v := range out.ApplicationVersions {
		if v.VersionLabel != nil && *v.VersionLabel == label && v.Description != nil {
			return *v.Description, nil
		}
	}
	return "", fmt.Errorf("application %s has no version %s", application, label)
}

// backendStack is what a backend's stack says it deployed: its outputs.
type backendStack struct {
	loadBalancerArn, loadBalancerDNS, environment, release, label string
}

// CheckDeployment proves, for each stage of report, that what is deployed
// is what env configures: the stage's variables (and its canary's
// overrides) name the VPC link to its backend's load balancer and that load
// balancer's DNS name, as the Backend stacks' outputs say; each backend's
// stack deployed the configured version; and its Beanstalk environment runs
// that stack's application version, whose description names the version.
// Problems are added to the stages they concern.
func CheckDeployment(ctx context.Context, env *config.Environment, stacks StackOutputs, d Deployment, report *Report) {
	backends := map[string]backendStack{}
	backendProblems := map[string][]string{}
	for _, name := range env.BackendNames() {
		b, problems := checkBackend(ctx, env, name, stacks, d)
		backends[name], backendProblems[name] = b, problems
	}
	for i := range report.Stages {
		result := &report.Stages[i]
		stage, ok := env.API.Stages[result.Stage]
		if !ok || result.URL == "" {
			continue
		}
		var problems []string
		restAPIID := restAPIIDOf(ctx, env, stacks, result.URL)
		variables, canary, err := d.StageVariables(ctx, restAPIID, result.Stage)
		if err != nil {
			problems = append(problems, fmt.Sprintf("stage %s: reading its variables (GetStage): %v", result.Stage, err))
		} else {
			problems = append(problems, checkVariables(ctx, d, result.Stage, "variables", variables, stage.Backend, backends[stage.Backend])...)
			if stage.Canary != nil {
				merged := map[string]string{}
				for k, v := range variables {
					merged[k] = v
				}
				for k, v := range canary {
					merged[k] = v
				}
				problems = append(problems, checkVariables(ctx, d, result.Stage, "canary", merged, stage.Canary.Backend, backends[stage.Canary.Backend])...)
			}
			problems = append(problems, checkServiceVariables(ctx, d, result.Stage, stage, variables, canary, backends, backendProblems)...)
		}
		problems = append(problems, backendProblems[stage.Backend]...)
		if stage.Canary != nil {
			problems = append(problems, backendProblems[stage.Canary.Backend]...)
		}
		if len(problems) > 0 {
			result.Problems = append(result.Problems, problems...)
			result.Passed = false
			report.Passed = false
		}
	}
}

// hostOf is the host of an invoke URL: API_ID.execute-api.REGION.amazonaws.com.
func hostOf(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return parsed.Hostname()
}

// checkBackend reads a backend's stack outputs and checks its version.
func checkBackend(ctx context.Context, env *config.Environment, name string, stacks StackOutputs, d Deployment) (backendStack, []string) {
	stack := env.Stacks.Backends[name]
	stackName := stack.Name
	outputs, err := stacks.Outputs(ctx, stackName)
	if errors.Is(err, ErrNotDeployed) {
		return backendStack{}, []string{fmt.Sprintf("backend %s: %s is not deployed: run `./scripts/cdk deploy '%s/%s'`", name, stackName, env.Name, stack.ID)}
	}
	if err != nil {
		return backendStack{}, []string{fmt.Sprintf("backend %s: reading the outputs of %s: %v", name, stackName, err)}
	}
	b := backendStack{outputs[config.LoadBalancerArnOutput], outputs[config.LoadBalancerDNSOutput], outputs[config.EnvironmentNameOutput], outputs[config.ReleaseOutput], outputs[config.VersionLabelOutput]}
	want := env.Backends[name].Version
	switch {
	case b.environment == "" || b.label == "":
		return b, []string{fmt.Sprintf("backend %s: %s has no outputs EnvironmentName and VersionLabel; deploy it again with this version of the app", name, stackName)}
	case b.release != want:
		return b, []string{fmt.Sprintf("backend %s: %s deployed version %q, but cdk.json says %q: deploy the backend", name, stackName, b.release, want)}
	}
	application, running, err := d.EnvironmentVersion(ctx, b.environment)
	if err != nil {
		return b, []string{fmt.Sprintf("backend %s: reading environment %s (DescribeEnvironments): %v", name, b.environment, err)}
	}
	if running != b.label {
		return b, []string{fmt.Sprintf("backend %s: environment %s runs application version %s, but its stack deployed %s: an update failed or is in progress (see the environment's events)", name, b.environment, running, b.label)}
	}
	description, err := d.VersionDescription(ctx, application, running)
	if err != nil {
		return b, []string{fmt.Sprintf("backend %s: reading application version %s (DescribeApplicationVersions): %v", name, running, err)}
	}
	if !strings.HasSuffix(description, " version "+want) {
		return b, []string{fmt.Sprintf("backend %s: environment %s runs %s, described %q, not version %s", name, b.environment, running, description, want)}
	}
	return b, nil
}

// checkVariables checks that variables name backend's VPC link and host.
func checkVariables(ctx context.Context, d Deployment, stage, what string, variables map[string]string, backend string, b backendStack) []string {
	if b.loadBalancerArn == "" {
		return nil
	}
	var problems []string
	link := variables[vpcLinkIDVariable]
	if link == "" {
		return append(problems, fmt.Sprintf("stage %s: its %s have no %s", stage, what, vpcLinkIDVariable))
	}
	targets, err := d.VpcLinkTargets(ctx, link)
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("stage %s: reading VPC link %s (GetVpcLink): %v", stage, link, err))
	case !slices.Contains(targets, b.loadBalancerArn):
		problems = append(problems, fmt.Sprintf("stage %s: its %s name VPC link %s to %s, not to backend %s's load balancer %s: deploy the API", stage, what, link, strings.Join(targets, ", "), backend, b.loadBalancerArn))
	}
	if host := variables[backendHostVariable]; host != b.loadBalancerDNS {
		problems = append(problems, fmt.Sprintf("stage %s: its %s set %s %q, not backend %s's %q: deploy the API", stage, what, backendHostVariable, host, backend, b.loadBalancerDNS))
	}
	return problems
}
