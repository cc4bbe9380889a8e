//go:build heavy

package constructs_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs"
	"privatebackend/internal/testsupport/cdktest"
)

func TestLoadBalancerArnLooksUpTheEnvironmentItDependsOn(t *testing.T) {
	stack := newStack()
	env := awscdk.NewCfnResource(stack, jsii.String("Env"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::ElasticBeanstalk::Environment")})
	arn := constructs.NewLoadBalancerArn(stack, "Lookup", &constructs.LoadBalancerArnProps{Environment: env})
	awscdk.NewCfnOutput(stack, jsii.String("Arn"), &awscdk.CfnOutputProps{Value: arn.LoadBalancerArn()})
	tpl := templateOf(stack)
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("Custom::EnvironmentLoadBalancer"), map[string]any{"EnvironmentName": map[string]any{"Ref": "Env"}})
		tpl.HasOutput(jsii.String("Arn"), map[string]any{"Value": map[string]any{
			"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Lookup")), "LoadBalancerArn"},
		}})
		// Without a function given, the stack gets a lookup function of its
		// own, whose one log group keeps a year of logs.
		tpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 365})
	})
}

func TestLoadBalancerArnRejectsMissingProps(t *testing.T) {
	msg := panicOf(func() {
		constructs.NewLoadBalancerArn(newStack(), "Lookup", &constructs.LoadBalancerArnProps{})
	})
	if !strings.Contains(msg, "Environment is required") {
		t.Fatalf("NewLoadBalancerArn without an environment: panic %q", msg)
	}
}
