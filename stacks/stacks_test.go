package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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

	// The variants' environments are fixtures in testdata/environments,
	// each file saying what it exercises.
	isolated, err := loadEnvironment("isolated")
	if err != nil {
		return 0, err
	}
	nat, err := loadEnvironment("nat")
	if err != nil {
		return 0, err
	}
	for name, e := range map[string]*config.Environment{"isolated": isolated, "nat": nat} {
		buildEnvironment(app, name, e)
	}
	// "lookup": an existing VPC, from the cached lookup in lookupContext.
	lookup := awscdk.NewStage(app, jsii.String("lookup"), &awscdk.StageProps{Env: pinned})
	lookupNetwork = NewNetwork(lookup, "Network", &NetworkProps{Network: config.Network{VpcID: vpcID, FlowLogRetentionDays: 90}})

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

// loadEnvironment decodes the environment of testdata/environments/NAME.json
// through config, so the variants get the same defaults and validation as
// cdk.json; its "//" key, a comment, is left out.
func loadEnvironment(name string) (*config.Environment, error) {
	data, err := os.ReadFile(filepath.Join("testdata", "environments", name+".json"))
	if err != nil {
		return nil, err
	}
	var env map[string]any
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	delete(env, "//")
	envs, err := config.Load(map[string]any{"test": env}, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return envs[0], nil
}

// buildEnvironment builds one environment's stacks in a stage of its own.
func buildEnvironment(app awscdk.App, name string, e *config.Environment) {
	var env *awscdk.Environment
	if e.Pinned() {
		env = &awscdk.Environment{Account: jsii.String(e.Account), Region: jsii.String(e.Region)}
	}
	NewEnvironment(awscdk.NewStage(app, jsii.String(name), &awscdk.StageProps{Env: env}), e, "../backend/app")
}

func template(t *testing.T, name string) assertions.Template {
	t.Helper()
	tpl, ok := templates[name]
	if !ok {
		t.Fatalf("no stack %s synthesized", name)
	}
	return tpl
}
