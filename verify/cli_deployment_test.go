package verify_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"privatebackend/internal/testsupport/awsstandin"
)

// The deployment of qa's backend blue, as its stack's outputs say.
const (
	blueLoadBalancer = "arn:aws:elasticbeanstalk:eu-west-1:111111111111:loadbalancer/net/awseb-AWSEB-1/0123456789abcdef"
	blueHost         = "awseb-AWSEB-1-0123456789.elb.eu-west-1.amazonaws.com"
	blueLabel        = "qa-backend-blue-version-1a2b3c"
)

// deployed sets up qa as deployed on one account stand-in: its stages,
// their variables, blue's stack, link and environment, with preview's
// variables and blue's running version given.
func deployed(t *testing.T, previewHost, running string) string {
	stages := stage(t, map[string]string{"live": "blue", "preview": "blue"})
	account := awsstandin.NewAccount("111111111111", "eu-west-1", nil)
	for name, outputs := range map[string]map[string]string{
		"qa-Api": {"Urllive": stages.URL + "/live/", "Urlpreview": stages.URL + "/preview/"},
		"qa-Backend-blue": {"LoadBalancerArn": blueLoadBalancer, "LoadBalancerDnsName": blueHost,
			"EnvironmentName": "e-blue", "Release": "1", "VersionLabel": blueLabel},
	} {
		stack := awsstandin.Stack{StackName: name, StackStatus: "UPDATE_COMPLETE"}
		for _, key := range slices.Sorted(maps.Keys(outputs)) {
			stack.Outputs = append(stack.Outputs, awsstandin.Output{OutputKey: key, OutputValue: outputs[key]})
		}
		account.CloudFormation.PutStack(stack)
	}
	account.DeployedStages = map[string]awsstandin.DeployedStage{
		"live":    {Variables: map[string]string{"vpcLinkId": "link1", "backendHost": blueHost}},
		"preview": {Variables: map[string]string{"vpcLinkId": "link1", "backendHost": previewHost}},
	}
	account.VpcLinkTargets = map[string][]string{"link1": {blueLoadBalancer}}
	account.RunningEnvironments = map[string]string{"e-blue": running}
	account.AppVersions = map[string]string{blueLabel: "Backend blue version 1", "qa-backend-blue-version-old": "Backend blue version 0"}
	url := account.Start()
	t.Cleanup(account.Close)
	path := project(t, url)
	t.Setenv("AWS_ENDPOINT_URL_API_GATEWAY", url)
	t.Setenv("AWS_ENDPOINT_URL_ELASTIC_BEANSTALK", url)
	return path
}

func TestVerifyProvesTheDeploymentBehindEachStage(t *testing.T) {
	path := deployed(t, blueHost, blueLabel)
	code, stdout, stderr := runCLI(t, "-config", path, "-samples", "2", "qa")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestVerifyFailsWhenTheDeploymentIsNotTheConfiguredOne(t *testing.T) {
	path := deployed(t, "other.elb.eu-west-1.amazonaws.com", "qa-backend-blue-version-old")
	code, stdout, _ := runCLI(t, "-config", path, "-samples", "2", "qa")
	for _, want := range []string{
		`stage preview: its variables set backendHost "other.elb.eu-west-1.amazonaws.com", not backend blue's "` + blueHost + `"`,
		"backend blue: environment e-blue runs application version qa-backend-blue-version-old, but its stack deployed " + blueLabel,
	} {
		if code != 1 || !strings.Contains(stdout, want) {
			t.Errorf("exit %d; the report does not say %q:\n%s", code, want, stdout)
		}
	}
}
