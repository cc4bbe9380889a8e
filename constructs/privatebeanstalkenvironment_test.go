//go:build heavy

package constructs_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs"
	"privatebackend/constructs/settings"
	"privatebackend/internal/testsupport/cdktest"
)

func TestPrivateBeanstalkEnvironmentFillsItsDocumentedDefaults(t *testing.T) {
	stack := newStack()
	vpc := testVpc(stack)
	env := constructs.NewPrivateBeanstalkEnvironment(stack, "Env", &constructs.PrivateBeanstalkEnvironmentProps{
		ApplicationName: jsii.String("app"),
		Vpc:             vpc,
		Subnets:         *vpc.IsolatedSubnets(),
	})
	if env.LoadBalancerArn() == nil || env.LoadBalancerDNSName() == nil || env.PlatformArn() == nil || env.EnvironmentName() == nil {
		t.Fatal("the environment does not expose its load balancer, platform and name")
	}
	tpl := templateOf(stack)
	cdktest.Check(t, func() {
		for _, o := range [][3]string{
			{"aws:ec2:instances", "InstanceTypes", "t3.small"},
			{"aws:autoscaling:asg", "MinSize", "2"},
			{"aws:autoscaling:asg", "MaxSize", "4"},
			{"aws:elasticbeanstalk:command", "DeploymentPolicy", settings.DeploymentRolling},
			{"aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays", "30"},
			{"aws:elasticbeanstalk:managedactions", "PreferredStartTime", "Sun:03:00"},
		} {
			tpl.HasResourceProperties(jsii.String("AWS::ElasticBeanstalk::Environment"), map[string]any{
				"OptionSettings": assertions.Match_ArrayWith(&[]any{map[string]any{"Namespace": o[0], "OptionName": o[1], "Value": o[2]}}),
			})
		}
		// The default platform is the Node.js branch, looked up at deploy time.
		tpl.HasResourceProperties(jsii.String("Custom::PlatformVersion"), map[string]any{
			"Branch": "Node.js 24 running on 64bit Amazon Linux 2023",
		})
		tpl.ResourceCountIs(jsii.String("Custom::EnvironmentLoadBalancer"), jsii.Number(1))
	})
}

func TestPrivateBeanstalkEnvironmentRejectsInvalidProps(t *testing.T) {
	stack := newStack()
	vpc := testVpc(stack)
	subnets := *vpc.IsolatedSubnets()
	for name, tc := range map[string]struct {
		props *constructs.PrivateBeanstalkEnvironmentProps
		want  string
	}{
		"no vpc":     {&constructs.PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app")}, "ApplicationName and Vpc are required"},
		"one subnet": {&constructs.PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app"), Vpc: vpc, Subnets: subnets[:1]}, "at least 2 availability zones"},
		"solution stack": {&constructs.PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app"), Vpc: vpc, Subnets: subnets,
			Beanstalk: settings.Beanstalk{Platform: "64bit Amazon Linux 2023 v6.10.0 running Node.js 24"}}, "is a solution stack name"},
		"refresh with an ARN": {&constructs.PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app"), Vpc: vpc, Subnets: subnets,
			Beanstalk: settings.Beanstalk{Platform: "arn:aws:elasticbeanstalk:eu-west-1::platform/Node.js 24 running on 64bit Amazon Linux 2023/6.11.0", PlatformRefresh: "x"}},
			"platformRefresh: is set but platform is a platform version ARN"},
		"min above max": {&constructs.PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app"), Vpc: vpc, Subnets: subnets, Beanstalk: settings.Beanstalk{MinInstances: ptr(5)}},
			"minInstances: 5 is greater than maxInstances (4)"},
	} {
		t.Run(name, func(t *testing.T) {
			// Props are checked before anything is added to the stack.
			msg := panicOf(func() { constructs.NewPrivateBeanstalkEnvironment(stack, "Env", tc.props) })
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, `"Env"`) {
				t.Errorf("panic %q; want it to name the construct and say %q", msg, tc.want)
			}
		})
	}
}
