package constructs

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/cdktest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func TestLoadBalancerArnLooksUpTheEnvironmentItDependsOn(t *testing.T) {
	stack := awscdk.NewStack(nil, jsii.String("Test"), nil)
	env := awscdk.NewCfnResource(stack, jsii.String("Env"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::ElasticBeanstalk::Environment")})
	lookup := NewLoadBalancerArn(stack, "Lookup", &LoadBalancerArnProps{ApplicationName: jsii.String("app"), Environment: env})
	awscdk.NewCfnOutput(stack, jsii.String("Arn"), &awscdk.CfnOutputProps{Value: lookup.LoadBalancerArn()})
	tpl := assertions.Template_FromStack(stack, nil)
	cdktest.Check(t, func() {
		tpl.HasResource(jsii.String("Custom::AWS"), map[string]any{"DependsOn": assertions.Match_ArrayWith(&[]any{"Env"})})
		tpl.HasOutput(jsii.String("Arn"), map[string]any{"Value": map[string]any{
			"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Lookup")), "EnvironmentResources.LoadBalancers.0.Name"},
		}})
		// The lookup function's one log group keeps a month of logs.
		tpl.ResourceCountIs(jsii.String("AWS::Logs::LogGroup"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 30})
	})
}

func TestLoadBalancerArnRejectsMissingProps(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewLoadBalancerArn accepted props without an environment")
		}
	}()
	NewLoadBalancerArn(awscdk.NewStack(nil, jsii.String("Bad"), nil), "Lookup", &LoadBalancerArnProps{ApplicationName: jsii.String("app")})
}

func TestStageVariableProxyRoutesEveryPathThroughTheVariables(t *testing.T) {
	stack := awscdk.NewStack(nil, jsii.String("Test"), nil)
	api := awsapigateway.NewRestApi(stack, jsii.String("Api"), nil)
	proxy := NewStageVariableProxy(stack, "Proxy", &StageVariableProxyProps{
		Api:    api,
		Routes: []ProxyRoute{{Path: "/a/{b}/{c+}", Methods: []string{"GET", "POST"}}},
	})
	if got := len(proxy.Methods()); got != 4 {
		t.Errorf("%d methods, want 4 (ANY /, ANY /{proxy+}, GET and POST of the route)", got)
	}
	if v := proxy.Variables(); len(v) != 2 || v[0] != VpcLinkIDVariable || v[1] != BackendHostVariable {
		t.Errorf("Variables() = %v", v)
	}
	tpl := assertions.Template_FromStack(stack, nil)
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

// newTestVpc returns a VPC with two isolated subnets in a stack of its own.
func newTestVpc(name string) (awscdk.Stack, awsec2.Vpc) {
	stack := awscdk.NewStack(nil, jsii.String(name), nil)
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("Private"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}},
	})
	return stack, vpc
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

func TestPrivateBeanstalkEnvironmentFillsItsDocumentedDefaults(t *testing.T) {
	stack, vpc := newTestVpc("Defaults")
	env := NewPrivateBeanstalkEnvironment(stack, "Env", &PrivateBeanstalkEnvironmentProps{
		ApplicationName: jsii.String("app"),
		Vpc:             vpc,
		Subnets:         *vpc.IsolatedSubnets(),
	})
	if env.LoadBalancerArn() == nil || env.LoadBalancerDNSName() == nil || env.PlatformArn() == nil || env.EnvironmentName() == nil {
		t.Fatal("the environment does not expose its load balancer, platform and name")
	}
	tpl := assertions.Template_FromStack(stack, nil)
	cdktest.Check(t, func() {
		for _, o := range [][3]string{
			{"aws:ec2:instances", "InstanceTypes", "t3.small"},
			{"aws:autoscaling:asg", "MinSize", "2"},
			{"aws:autoscaling:asg", "MaxSize", "4"},
			{"aws:elasticbeanstalk:command", "DeploymentPolicy", DeploymentRolling},
			{"aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays", "30"},
			{"aws:elasticbeanstalk:managedactions", "PreferredStartTime", "Sun:03:00"},
		} {
			tpl.HasResourceProperties(jsii.String("AWS::ElasticBeanstalk::Environment"), map[string]any{
				"OptionSettings": assertions.Match_ArrayWith(&[]any{map[string]any{"Namespace": o[0], "OptionName": o[1], "Value": o[2]}}),
			})
		}
		// The default platform is the Node.js branch, looked up at deploy time.
		tpl.HasResourceProperties(jsii.String("Custom::AWS"), map[string]any{
			"Create": assertions.Match_StringLikeRegexp(jsii.String(`"Values":\["Node.js 24 running on 64bit Amazon Linux 2023"\]`)),
		})
		tpl.ResourceCountIs(jsii.String("Custom::AWS"), jsii.Number(2))
	})
}

func TestPrivateBeanstalkEnvironmentRejectsInvalidProps(t *testing.T) {
	for name, tc := range map[string]struct {
		props func(vpc awsec2.Vpc) *PrivateBeanstalkEnvironmentProps
		want  string
	}{
		"no vpc": {func(awsec2.Vpc) *PrivateBeanstalkEnvironmentProps {
			return &PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app")}
		}, "ApplicationName and Vpc are required"},
		"one subnet": {func(vpc awsec2.Vpc) *PrivateBeanstalkEnvironmentProps {
			return &PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app"), Vpc: vpc, Subnets: (*vpc.IsolatedSubnets())[:1]}
		}, "at least 2 availability zones"},
		"solution stack": {func(vpc awsec2.Vpc) *PrivateBeanstalkEnvironmentProps {
			return &PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app"), Vpc: vpc, Subnets: *vpc.IsolatedSubnets(),
				Platform: "64bit Amazon Linux 2023 v6.10.0 running Node.js 24"}
		}, "is a solution stack name"},
		"refresh with an ARN": {func(vpc awsec2.Vpc) *PrivateBeanstalkEnvironmentProps {
			return &PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app"), Vpc: vpc, Subnets: *vpc.IsolatedSubnets(),
				Platform: "arn:aws:elasticbeanstalk:eu-west-1::platform/Node.js 24 running on 64bit Amazon Linux 2023/6.11.0", PlatformRefresh: "x"}
		}, "PlatformRefresh \"x\" has no effect"},
		"min above max": {func(vpc awsec2.Vpc) *PrivateBeanstalkEnvironmentProps {
			return &PrivateBeanstalkEnvironmentProps{ApplicationName: jsii.String("app"), Vpc: vpc, Subnets: *vpc.IsolatedSubnets(), MinInstances: 5}
		}, "MinInstances 5 is greater than MaxInstances 4"},
	} {
		t.Run(name, func(t *testing.T) {
			stack, vpc := newTestVpc("Bad")
			msg := panicOf(func() { NewPrivateBeanstalkEnvironment(stack, "Env", tc.props(vpc)) })
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, `"Env"`) {
				t.Errorf("panic %q; want it to name the construct and say %q", msg, tc.want)
			}
		})
	}
}

func TestPlatformArnAcceptsOnlyABranch(t *testing.T) {
	stack := awscdk.NewStack(nil, jsii.String("Branch"), nil)
	msg := panicOf(func() {
		NewPlatformArn(stack, "Platform", &PlatformArnProps{Branch: "arn:aws:elasticbeanstalk:eu-west-1::platform/X/1.0.0"})
	})
	if !strings.Contains(msg, "is not a platform branch name") {
		t.Errorf("panic %q", msg)
	}
}

func TestMonitoringConstructsRejectMissingProps(t *testing.T) {
	stack := awscdk.NewStack(nil, jsii.String("Monitoring"), nil)
	for name, f := range map[string]func(){
		"stage":   func() { NewStageMonitoring(stack, "Stage", &StageMonitoringProps{}) },
		"backend": func() { NewBackendMonitoring(stack, "Backend", &BackendMonitoringProps{Name: "blue"}) },
		"topic":   func() { NewAlarmTopic(stack, "Topic", &AlarmTopicProps{Emails: []string{"nobody"}}) },
	} {
		if msg := panicOf(f); msg == "" {
			t.Errorf("%s: invalid props accepted", name)
		}
	}
}

func TestStageMonitoringDefaultsToP99AndFivePercentOverFiveMinutes(t *testing.T) {
	stack := awscdk.NewStack(nil, jsii.String("StageDefaults"), nil)
	api := awsapigateway.NewRestApi(stack, jsii.String("Api"), nil)
	api.Root().AddMethod(jsii.String("GET"), nil, nil)
	topic := NewAlarmTopic(stack, "Topic", nil).Topic()
	m := NewStageMonitoring(stack, "Live", &StageMonitoringProps{Stage: api.DeploymentStage(), Name: "prod", Topic: topic})
	if len(m.Alarms()) != 2 || len(m.Widgets()) != 2 {
		t.Fatalf("%d alarms and %d widgets, want 2 and 2", len(m.Alarms()), len(m.Widgets()))
	}
	tpl := assertions.Template_FromStack(stack, nil)
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmName": "StageDefaults-prod-5xx-rate", "Threshold": 5, "EvaluationPeriods": 3,
			"Metrics": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Expression": "IF(requests >= 20, 100 * errors / requests, 0)"})}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmName": "StageDefaults-prod-latency-p99", "Threshold": 2000,
			"Metrics": []any{assertions.Match_ObjectLike(&map[string]any{"MetricStat": assertions.Match_ObjectLike(&map[string]any{"Period": 300, "Stat": "p99"})})},
		})
	})
}
