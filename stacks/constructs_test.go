package stacks

// The reusable constructs are tested here, beside the stacks, so that their
// fixtures are synthesized in the stacks' one App by the one jsii kernel of
// this test binary: a test binary of their own started a third kernel and
// cost the suite about 3.5 s on 2 cores (bench/BASELINE.md).

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs"
	"privatebackend/constructs/settings"
	"privatebackend/internal/testsupport/cdktest"
)

// The construct fixtures, built in the stacks' App before it is synthesized.
var (
	fixtureAPI         constructs.PrivateRestApi
	fixtureEnvironment constructs.PrivateBeanstalkEnvironment
	fixtureMonitoring  constructs.StageMonitoring
)

// buildConstructFixtures adds one stack per construct under test to app.
func buildConstructFixtures(app awscdk.App) {
	lookup := awscdk.NewStack(app, jsii.String("ConstructLoadBalancerArn"), nil)
	env := awscdk.NewCfnResource(lookup, jsii.String("Env"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::ElasticBeanstalk::Environment")})
	arn := constructs.NewLoadBalancerArn(lookup, "Lookup", &constructs.LoadBalancerArnProps{Environment: env})
	awscdk.NewCfnOutput(lookup, jsii.String("Arn"), &awscdk.CfnOutputProps{Value: arn.LoadBalancerArn()})

	api := awscdk.NewStack(app, jsii.String("ConstructPrivateRestApi"), nil)
	fixtureAPI = constructs.NewPrivateRestApi(api, "Api", &constructs.PrivateRestApiProps{
		Routes: []settings.Route{{Path: "/a/{b}/{c+}", Methods: []string{"GET", "POST"}}},
	})
	for _, name := range []string{"blue", "green"} {
		fixtureAPI.AddBackend(name, awselasticloadbalancingv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(api, jsii.String("Nlb-"+name),
			&awselasticloadbalancingv2.NetworkLoadBalancerAttributes{
				LoadBalancerArn:     jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/" + name + "/0123456789abcdef"),
				LoadBalancerDnsName: jsii.String(name + ".elb.eu-west-1.amazonaws.com"),
			}))
	}
	fixtureAPI.AddStage("live", &constructs.StageOptions{Backend: "blue", Stage: settings.Stage{Canary: &settings.Canary{Backend: "green", Percent: 25}}})

	defaults := awscdk.NewStack(app, jsii.String("ConstructDefaults"), nil)
	vpc := testVpc(defaults)
	fixtureEnvironment = constructs.NewPrivateBeanstalkEnvironment(defaults, "Env", &constructs.PrivateBeanstalkEnvironmentProps{
		ApplicationName: jsii.String("app"),
		Vpc:             vpc,
		Subnets:         *vpc.IsolatedSubnets(),
	})

	monitoring := awscdk.NewStack(app, jsii.String("ConstructStageMonitoring"), nil)
	restAPI := awsapigateway.NewRestApi(monitoring, jsii.String("Api"), nil)
	restAPI.Root().AddMethod(jsii.String("GET"), nil, nil)
	fixtureMonitoring = constructs.NewStageMonitoring(monitoring, "Live", &constructs.StageMonitoringProps{
		Stage: restAPI.DeploymentStage(), Name: "prod", Topic: constructs.NewAlarmTopic(monitoring, "Topic", nil).Topic(),
	})
}

// testVpc adds a VPC with two isolated subnets to stack.
func testVpc(stack awscdk.Stack) awsec2.Vpc {
	return awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("Private"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}},
	})
}

// panicOf returns what f panics with, or "" when it returns.
func panicOf(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestLoadBalancerArnLooksUpTheEnvironmentItDependsOn(t *testing.T) {
	tpl := template(t, "ConstructLoadBalancerArn")
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
		constructs.NewLoadBalancerArn(awscdk.NewStack(nil, jsii.String("Bad"), nil), "Lookup", &constructs.LoadBalancerArnProps{})
	})
	if !strings.Contains(msg, "Environment is required") {
		t.Fatalf("NewLoadBalancerArn without an environment: panic %q", msg)
	}
}

func TestPrivateRestApiRoutesEveryPathThroughTheStageVariables(t *testing.T) {
	if got := len(fixtureAPI.Methods()); got != 4 {
		t.Errorf("%d methods, want 4 (ANY /, ANY /{proxy+}, GET and POST of the route)", got)
	}
	tpl := template(t, "ConstructPrivateRestApi")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod":        "POST",
			"RequestParameters": map[string]any{"method.request.path.b": true, "method.request.path.c": true},
			"Integration": map[string]any{
				"ConnectionType": "VPC_LINK",
				"ConnectionId":   "${stageVariables.vpcLinkId}",
				"Uri":            "http://${stageVariables.backendHost}/a/{b}/{c}",
				"RequestParameters": map[string]any{
					"integration.request.path.b": "method.request.path.b",
					"integration.request.path.c": "method.request.path.c",
				},
			},
		})
	})
}

func TestPrivateBeanstalkEnvironmentFillsItsDocumentedDefaults(t *testing.T) {
	env := fixtureEnvironment
	if env.LoadBalancerArn() == nil || env.LoadBalancerDNSName() == nil || env.PlatformArn() == nil || env.EnvironmentName() == nil {
		t.Fatal("the environment does not expose its load balancer, platform and name")
	}
	tpl := template(t, "ConstructDefaults")
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
	stack := awscdk.NewStack(nil, jsii.String("Bad"), nil)
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

func TestPlatformArnAcceptsOnlyABranch(t *testing.T) {
	msg := panicOf(func() {
		constructs.NewPlatformArn(awscdk.NewStack(nil, jsii.String("Branch"), nil), "Platform",
			&constructs.PlatformArnProps{Branch: "arn:aws:elasticbeanstalk:eu-west-1::platform/X/1.0.0"})
	})
	if !strings.Contains(msg, "is not a platform branch name") {
		t.Errorf("panic %q", msg)
	}
}

func TestMonitoringConstructsRejectMissingProps(t *testing.T) {
	stack := awscdk.NewStack(nil, jsii.String("Monitoring"), nil)
	for name, f := range map[string]func(){
		"stage": func() { constructs.NewStageMonitoring(stack, "Stage", &constructs.StageMonitoringProps{}) },
		"backend": func() {
			constructs.NewBackendMonitoring(stack, "Backend", &constructs.BackendMonitoringProps{Name: "blue"})
		},
		"topic": func() {
			constructs.NewAlarmTopic(stack, "Topic", &constructs.AlarmTopicProps{Emails: []string{"nobody"}})
		},
	} {
		if msg := panicOf(f); msg == "" {
			t.Errorf("%s: invalid props accepted", name)
		}
	}
}

func TestStageMonitoringDefaultsToP99AndFivePercentOverFiveMinutes(t *testing.T) {
	if len(fixtureMonitoring.Alarms()) != 2 || len(fixtureMonitoring.Widgets()) != 2 {
		t.Fatalf("%d alarms and %d widgets, want 2 and 2", len(fixtureMonitoring.Alarms()), len(fixtureMonitoring.Widgets()))
	}
	tpl := template(t, "ConstructStageMonitoring")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmName": "ConstructStageMonitoring-prod-5xx-rate", "Threshold": 5, "EvaluationPeriods": 3,
			"Metrics": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Expression": "IF(requests >= 20, 100 * errors / requests, 0)"})}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmName": "ConstructStageMonitoring-prod-latency-p99", "Threshold": 2000,
			"Metrics": []any{assertions.Match_ObjectLike(&map[string]any{"MetricStat": assertions.Match_ObjectLike(&map[string]any{"Period": 300, "Stat": "p99"})})},
		})
	})
}

// ptr returns a pointer to a copy of v, for optional settings.
func ptr[T any](v T) *T { return &v }
