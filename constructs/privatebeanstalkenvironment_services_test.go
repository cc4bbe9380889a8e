//go:build heavy

package constructs_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs"
	"privatebackend/internal/testsupport/cdktest"
)

const (
	serviceSecret    = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders/db-AbCdEf"
	serviceParameter = "arn:aws:ssm:eu-west-1:111111111111:parameter/orders/token"
	serviceKey       = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	serviceRepo      = "arn:aws:ecr:eu-west-1:111111111111:repository/catalog"
)

var (
	serviceOnce     sync.Once
	serviceTemplate assertions.Template
)

// serviceEnvironment is one environment with secrets, a trigger and an
// image repository, synthesized once per test binary.
func serviceEnvironment(t *testing.T) assertions.Template {
	t.Helper()
	serviceOnce.Do(func() {
		app := awscdk.NewApp(nil)
		stack := awscdk.NewStack(app, jsii.String("Service"), nil)
		vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
			SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("Private"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
		constructs.NewPrivateBeanstalkEnvironment(stack, "Environment", &constructs.PrivateBeanstalkEnvironmentProps{
			ApplicationName:   jsii.String("orders"),
			Vpc:               vpc,
			Subnets:           *vpc.IsolatedSubnets(),
			Secrets:           map[string]string{"DB_PASSWORD": serviceSecret + ":password", "API_TOKEN": serviceParameter},
			SecretsKmsKeys:    []string{serviceKey},
			Scaling:           &constructs.ScalingTrigger{Metric: "CPUUtilization", Statistic: "Average", Unit: "Percent", Upper: 70, Lower: 30.5},
			EcrRepositoryArns: []string{serviceRepo},
		})
		serviceTemplate = assertions.Template_FromStack(stack, nil)
	})
	return serviceTemplate
}

func TestTheEnvironmentSetsSecretsAndItsTrigger(t *testing.T) {
	tpl := serviceEnvironment(t)
	option := func(namespace, name, value string) any {
		return assertions.Match_ObjectLike(&map[string]any{"Namespace": namespace, "OptionName": name, "Value": value})
	}
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ElasticBeanstalk::Environment"), &map[string]any{
			"OptionSettings": assertions.Match_ArrayWith(&[]any{
				option("aws:elasticbeanstalk:application:environmentsecrets", "API_TOKEN", serviceParameter),
				option("aws:elasticbeanstalk:application:environmentsecrets", "DB_PASSWORD", serviceSecret+":password"),
				option("aws:autoscaling:trigger", "MeasureName", "CPUUtilization"),
				option("aws:autoscaling:trigger", "UpperThreshold", "70"),
				option("aws:autoscaling:trigger", "LowerThreshold", "30.5"),
			}),
		})
	})
}

func TestTheInstanceRoleReadsExactlyItsSecretsAndImages(t *testing.T) {
	policies := serviceEnvironment(t).FindResources(jsii.String("AWS::IAM::Policy"), nil)
	data, _ := json.Marshal(policies)
	doc := string(data)
	for _, want := range []string{
		`"Action":"secretsmanager:GetSecretValue","Effect":"Allow","Resource":"` + serviceSecret + `"`,
		`"Action":["ssm:GetParameter","ssm:GetParameters"],"Effect":"Allow","Resource":"` + serviceParameter + `"`,
		`"Action":"kms:Decrypt","Condition":{"StringEquals":{"kms:ViaService":[`,
		`"Resource":"` + serviceKey + `"`,
		`"ecr:BatchGetImage"],"Effect":"Allow","Resource":"` + serviceRepo + `"`,
		`"Action":"ecr:GetAuthorizationToken","Effect":"Allow","Resource":"*"`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the instance role's policy lacks %s:\n%s", want, doc)
		}
	}
}

func TestAnInvalidSecretIsRefused(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(strings.Join(strings.Fields(r.(string)), " "), "secret TOKEN") {
			t.Errorf("recovered %v, want a panic naming secret TOKEN", r)
		}
	}()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Bad"), nil)
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("Private"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
	constructs.NewPrivateBeanstalkEnvironment(stack, "Environment", &constructs.PrivateBeanstalkEnvironmentProps{
		ApplicationName: jsii.String("orders"), Vpc: vpc, Subnets: *vpc.IsolatedSubnets(),
		Secrets: map[string]string{"TOKEN": "not-an-arn"},
	})
}
