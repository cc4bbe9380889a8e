//go:build heavy

package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/internal/testsupport/cdktest"
)

// The variants under test, synthesized once for the test binary without
// the gates (the app tests run those): one stage per shape of network.
var templates = map[string]assertions.Template{}

// templateFiles are the variants' template files by stack name, which
// exist while the tests run.
var templateFiles = map[string]string{}

const (
	pinnedPlatform = "arn:aws:elasticbeanstalk:eu-west-1::platform/Node.js 24 running on 64bit Amazon Linux 2023/6.11.0"
	account        = "111111111111"
	region         = "eu-west-1"
	vpcID          = "vpc-0123456789abcdef0"
)

func TestMain(m *testing.M) {
	code, err := setUp(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "setting up the stack tests:", err)
		code = 1
	}
	cdktest.CloseLambdaRuntime()
	jsii.Close()
	os.Exit(code)
}

func setUp(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "stacks-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:                          &dir,
		BuiltinCloudFormationValidation: jsii.Bool(false),
		Context:                         &lookupContext,
	})
	pinned := &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}

	// "isolated": environment-agnostic, VPC endpoints, lookups in the VPC, IAM auth, WAF, an
	// explicit route, a canary, a platform refreshed on purpose, and
	// monitoring with emails and its own thresholds.
	isolated := loadEnvironment(`{
		"network": {"cidr": "10.1.0.0/16", "lookupsInVpc": true},
		"monitoring": {"emails": ["oncall@example.com", "team@example.com"], "errorRatePercent": 2.5, "minRequests": 50,
			"latencyPercentile": "p95", "latencyThresholdMs": 800, "periodMinutes": 1, "evaluationPeriods": 4},
		"backends": {"blue": {}, "green": {"deploymentPolicy": "Immutable", "instanceType": "t3a.small", "platformRefresh": "2026-11-26"}},
		"api": {
			"routes": [{"path": "/orders/{id}", "methods": ["GET"]}],
			"stages": {
				"live": {"backend": "blue", "rateLimit": 50, "burstLimit": 100, "canary": {"backend": "green", "percent": 10}},
				"preview": {"backend": "green"}
			}
		}}`)
	// "nat": pinned, three AZs, two NAT gateways, a pinned platform version,
	// an open API without WAF.
	nat := loadEnvironment(`{
		"account": "` + account + `", "region": "` + region + `",
		"network": {"maxAzs": 3, "egress": "nat", "natGateways": 2},
		"backends": {"blue": {"platform": "` + pinnedPlatform + `"}},
		"api": {"authorization": "none", "waf": false, "stages": {"live": {"backend": "blue"}}}}`)
	for name, e := range map[string]*config.Environment{"isolated": isolated, "nat": nat} {
		buildEnvironment(app, name, e)
	}
	// "lookup": an existing VPC, from the cached lookup in lookupContext.
	lookup := awscdk.NewStage(app, jsii.String("lookup"), &awscdk.StageProps{Env: pinned})
	lookupNetwork = NewNetwork(lookup, "Network", &NetworkProps{Network: config.Network{VpcID: vpcID, FlowLogRetentionDays: 90}})
	buildServiceFixtures(app)

	app.Synth(nil)
	if assembly, err = cdktest.ReadAssembly(dir); err != nil {
		return 0, err
	}
	for name, s := range assembly.Stacks {
		templates[name] = assertions.Template_FromJSON(&s.Template, nil)
		templateFiles[name] = s.TemplateFile
	}
	if dayTwo, err = synthesizeDayTwoVariants(dir); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

var (
	lookupNetwork *Network
	// assembly is the synthesized fixtures, read back from their files.
	assembly *cdktest.Assembly
)

// lookupContext is what "cdk synth" caches in cdk.context.json for the
// pinned test environment: its availability zones and the existing VPC.
var lookupContext = map[string]any{
	"availability-zones:account=" + account + ":region=" + region: []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"},
	"vpc-provider:account=" + account + ":filter.vpc-id=" + vpcID + ":region=" + region + ":returnAsymmetricSubnets=true": map[string]any{
		"vpcId":             vpcID,
		"vpcCidrBlock":      "10.50.0.0/16",
		"ownerAccountId":    account,
		"availabilityZones": []any{},
		"subnetGroups": []any{
			map[string]any{"name": "Public", "type": "Public", "subnets": []any{
				map[string]any{"subnetId": "subnet-0aaaaaaaaaaaaaaa1", "cidr": "10.50.0.0/20", "availabilityZone": "eu-west-1a", "routeTableId": "rtb-0aaaaaaaaaaaaaaa1"},
				map[string]any{"subnetId": "subnet-0aaaaaaaaaaaaaaa2", "cidr": "10.50.16.0/20", "availabilityZone": "eu-west-1b", "routeTableId": "rtb-0aaaaaaaaaaaaaaa2"},
			}},
			map[string]any{"name": "Private", "type": "Private", "subnets": []any{
				map[string]any{"subnetId": "subnet-0bbbbbbbbbbbbbbb1", "cidr": "10.50.128.0/20", "availabilityZone": "eu-west-1a", "routeTableId": "rtb-0bbbbbbbbbbbbbbb1"},
				map[string]any{"subnetId": "subnet-0bbbbbbbbbbbbbbb2", "cidr": "10.50.144.0/20", "availabilityZone": "eu-west-1b", "routeTableId": "rtb-0bbbbbbbbbbbbbbb2"},
			}},
		},
	},
}

// loadEnvironment decodes one environment through config, so the variants
// get the same defaults and validation as cdk.json.
func loadEnvironment(raw string) *config.Environment {
	var env any
	if err := json.Unmarshal([]byte(raw), &env); err != nil {
		panic(err)
	}
	envs, err := config.Load(map[string]any{"test": env}, "")
	if err == nil {
		// The sources are relative to the project root, as app.go checks them.
		err = config.CheckSources(envs, "..")
	}
	if err != nil {
		panic(err)
	}
	return envs[0]
}

// buildEnvironment builds one environment's stacks in a stage of its own.
func buildEnvironment(app awscdk.App, name string, e *config.Environment) {
	var env *awscdk.Environment
	if e.Pinned() {
		env = &awscdk.Environment{Account: jsii.String(e.Account), Region: jsii.String(e.Region)}
	}
	NewEnvironment(awscdk.NewStage(app, jsii.String(name), &awscdk.StageProps{Env: env}), e, "..")
}

func template(t *testing.T, name string) assertions.Template {
	t.Helper()
	tpl, ok := templates[name]
	if !ok {
		t.Fatalf("no stack %s synthesized", name)
	}
	return tpl
}
