//go:build heavy

package stacks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/constructs/settings"
	"privatebackend/internal/ebplatform"
	"privatebackend/internal/testsupport/cdktest"
)

// optionSettingsOf returns the environment's option settings of one backend
// stack, by "namespace/name".
func optionSettingsOf(t *testing.T, stack string) map[string]any {
	t.Helper()
	envs := *template(t, stack).FindResources(jsii.String("AWS::ElasticBeanstalk::Environment"), nil)
	if len(envs) != 1 {
		t.Fatalf("%s has %d Beanstalk environments, want 1", stack, len(envs))
	}
	out := map[string]any{}
	for _, e := range envs {
		for _, s := range (*e)["Properties"].(map[string]any)["OptionSettings"].([]any) {
			o := s.(map[string]any)
			out[o["Namespace"].(string)+"/"+o["OptionName"].(string)] = o["Value"]
		}
	}
	return out
}

func TestBackendEnvironmentIsLoadBalancedByAnInternalNLB(t *testing.T) {
	for stack, want := range map[string]map[string]any{
		"isolated/Backend-blue": {
			"aws:elasticbeanstalk:environment/EnvironmentType":                     "LoadBalanced",
			"aws:elasticbeanstalk:environment/LoadBalancerType":                    "network",
			"aws:ec2:vpc/ELBScheme":                                                "internal",
			"aws:ec2:vpc/AssociatePublicIpAddress":                                 "false",
			"aws:autoscaling:launchconfiguration/DisableIMDSv1":                    "true",
			"aws:ec2:instances/InstanceTypes":                                      "t3.small",
			"aws:autoscaling:asg/MinSize":                                          "2",
			"aws:autoscaling:asg/MaxSize":                                          "4",
			"aws:elasticbeanstalk:command/DeploymentPolicy":                        settings.DeploymentRolling,
			"aws:elasticbeanstalk:healthreporting:system/SystemType":               "enhanced",
			"aws:elasticbeanstalk:managedactions/ManagedActionsEnabled":            "true",
			"aws:elasticbeanstalk:managedactions/PreferredStartTime":               "Sun:03:00",
			"aws:elasticbeanstalk:managedactions:platformupdate/UpdateLevel":       "minor",
			"aws:elbv2:listener:default/Protocol":                                  "TCP",
			"aws:elasticbeanstalk:environment:process:default/Port":                "80",
			"aws:elasticbeanstalk:environment:process:default/Protocol":            "TCP",
			"aws:elasticbeanstalk:environment:process:default/HealthCheckInterval": "10",
			"aws:elasticbeanstalk:cloudwatch:logs/StreamLogs":                      "true",
			"aws:elasticbeanstalk:cloudwatch:logs/RetentionInDays":                 "30",
			"aws:elasticbeanstalk:cloudwatch:logs:health/HealthStreamingEnabled":   "true",
			"aws:elasticbeanstalk:hostmanager/LogPublicationControl":               "true",
			"aws:autoscaling:updatepolicy:rollingupdate/RollingUpdateEnabled":      "true",
			"aws:elasticbeanstalk:application:environment/BACKEND_NAME":            "blue",
			"aws:elasticbeanstalk:application:environment/BACKEND_VERSION":         "1",
		},
		"isolated/Backend-green": {
			"aws:elasticbeanstalk:command/DeploymentPolicy": settings.DeploymentImmutable,
			"aws:ec2:instances/InstanceTypes":               "t3a.small",
		},
	} {
		got := optionSettingsOf(t, stack)
		for key, value := range want {
			if got[key] != value {
				t.Errorf("%s: option %s = %v, want %v", stack, key, got[key], value)
			}
		}
	}
}

func TestBackendInstancesAndLoadBalancerUsePrivateSubnetsOnly(t *testing.T) {
	for _, stack := range []string{"isolated/Backend-blue", "nat/Backend-blue"} {
		got := optionSettingsOf(t, stack)
		for _, option := range []string{"aws:ec2:vpc/Subnets", "aws:ec2:vpc/ELBSubnets"} {
			data, _ := json.Marshal(got[option])
			imports := strings.Count(string(data), "Fn::ImportValue")
			private := strings.Count(string(data), "PrivateSubnet")
			wantSubnets := map[string]int{"isolated/Backend-blue": 2, "nat/Backend-blue": 3}[stack]
			if imports != wantSubnets || private != wantSubnets || strings.Contains(string(data), "Egress") {
				t.Errorf("%s: %s = %s; want the %d imported private subnets only", stack, option, data, wantSubnets)
			}
		}
		data, _ := json.Marshal(got["aws:ec2:vpc/VPCId"])
		if !strings.Contains(string(data), "Fn::ImportValue") {
			t.Errorf("%s: VPCId = %s, want the network stack's export", stack, data)
		}
	}
}

// TestBackendKeepsBeanstalksDefaultInstanceSecurityGroup pins the security
// group decision: the documented combination for a Network Load Balancer is
// Beanstalk's default instance group (see the README's Security section).
func TestBackendKeepsBeanstalksDefaultInstanceSecurityGroup(t *testing.T) {
	for _, stack := range []string{"isolated/Backend-blue", "nat/Backend-blue"} {
		got := optionSettingsOf(t, stack)
		if v := got["aws:autoscaling:launchconfiguration/DisableDefaultEC2SecurityGroup"]; v != "false" {
			t.Errorf("%s: DisableDefaultEC2SecurityGroup = %v, want \"false\"", stack, v)
		}
		if v, ok := got["aws:autoscaling:launchconfiguration/SecurityGroups"]; ok {
			t.Errorf("%s: SecurityGroups = %v; the default group alone is the documented setting", stack, v)
		}
		tpl := template(t, stack)
		cdktest.Check(t, func() {
			tpl.ResourceCountIs(jsii.String("AWS::EC2::SecurityGroup"), jsii.Number(0))
		})
	}
}

func TestBackendRolesHaveOnlyTheDocumentedManagedPolicies(t *testing.T) {
	tpl := template(t, "isolated/Backend-blue")
	managed := func(name string) map[string]any {
		return map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::aws:policy/" + name}}}
	}
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"},
			}}},
			"ManagedPolicyArns": []any{managed("AWSElasticBeanstalkWebTier")},
			"Policies":          assertions.Match_Absent(),
		})
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Action": "sts:AssumeRole", "Effect": "Allow",
				"Principal": map[string]any{"Service": "elasticbeanstalk.amazonaws.com"},
				"Condition": map[string]any{"StringEquals": map[string]any{"sts:ExternalId": "elasticbeanstalk"}},
			}}},
			"ManagedPolicyArns": []any{
				managed("service-role/AWSElasticBeanstalkEnhancedHealth"),
				managed("AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy"),
			},
			"Policies": assertions.Match_Absent(),
		})
		tpl.ResourceCountIs(jsii.String("AWS::IAM::InstanceProfile"), jsii.Number(1))
	})
	got := optionSettingsOf(t, "isolated/Backend-blue")
	for option, ref := range map[string]string{
		"aws:autoscaling:launchconfiguration/IamInstanceProfile": "InstanceProfile",
		"aws:elasticbeanstalk:environment/ServiceRole":           "ServiceRole",
	} {
		if data, _ := json.Marshal(got[option]); !strings.Contains(string(data), ref) {
			t.Errorf("option %s = %s, want a reference to the %s", option, data, ref)
		}
	}
}

// lookupPolicy returns the statements of the lookup function's role in a
// Network stack.
func lookupPolicy(t *testing.T, stack string) []any {
	t.Helper()
	var statements []any
	for id, p := range *template(t, stack).FindResources(jsii.String("AWS::IAM::Policy"), nil) {
		if strings.HasPrefix(id, "LookupsRoleDefaultPolicy") {
			statements = append(statements, (*p)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any)...)
		}
	}
	if len(statements) == 0 {
		t.Fatalf("%s: the lookup role has no policy", stack)
	}
	return statements
}

// lookupAllows reports whether a lookup role's statements allow action on
// a resource whose JSON contains resource.
func lookupAllows(statements []any, action, resource string) bool {
	for _, s := range statements {
		st := s.(map[string]any)
		actions, _ := json.Marshal(st["Action"])
		resources, _ := json.Marshal(st["Resource"])
		if st["Effect"] == "Allow" && strings.Contains(string(actions), `"`+action+`"`) && strings.Contains(string(resources), resource) {
			return true
		}
	}
	return false
}

func TestBackendResolvesTheBranchesRecommendedPlatformAtDeployTime(t *testing.T) {
	tpl := template(t, "isolated/Backend-blue")
	var filters []any
	for _, f := range ebplatform.RecommendedVersionFilters(config.DefaultPlatform) {
		filters = append(filters, map[string]any{"Type": f.Type, "Operator": f.Operator, "Values": []any{f.Values[0]}})
	}
	cdktest.Check(t, func() {
		// Looked up when created and when the branch changes, by the stack's
		// lookup function.
		tpl.HasResourceProperties(jsii.String("Custom::PlatformVersion"), map[string]any{
			"ServiceToken": lookupFunctionImport,
			"Branch":       config.DefaultPlatform,
			"Filters":      filters,
			"Refresh":      assertions.Match_Absent(),
		})
		// The environment runs the looked-up version through the mutable PlatformArn.
		tpl.HasResourceProperties(jsii.String("AWS::ElasticBeanstalk::Environment"), map[string]any{
			"PlatformArn":       map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^EnvironmentPlatform")), "PlatformArn"}},
			"SolutionStackName": assertions.Match_Absent(),
			"TemplateName":      assertions.Match_Absent(),
		})
	})
	if !lookupAllows(lookupPolicy(t, "isolated/Network"), "elasticbeanstalk:ListPlatformVersions", `"*"`) {
		t.Error("the lookup role may not call ListPlatformVersions on \"*\"")
	}
}

// lookupFunctionImport is a lookup's ServiceToken: the function the Network
// stack exports.
var lookupFunctionImport = map[string]any{"Fn::ImportValue": assertions.Match_StringLikeRegexp(jsii.String("-Network:ExportsOutputFnGetAttLookupsFunction[0-9A-F]{8}Arn"))}

func TestBackendLooksThePlatformUpAgainOnlyWhenRefreshChanges(t *testing.T) {
	tpl := template(t, "isolated/Backend-green")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("Custom::PlatformVersion"), map[string]any{
			"Branch":  config.DefaultPlatform,
			"Refresh": "2026-11-26",
		})
	})
}

func TestBackendWithAPinnedPlatformVersionLooksNothingUp(t *testing.T) {
	tpl := template(t, "nat/Backend-blue")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ElasticBeanstalk::Environment"), map[string]any{
			"PlatformArn":       pinnedPlatform,
			"SolutionStackName": assertions.Match_Absent(),
		})
		tpl.ResourceCountIs(jsii.String("Custom::PlatformVersion"), jsii.Number(0))
	})
}

func TestBackendLooksUpTheLoadBalancerArnWithTheReadsBeanstalkNeeds(t *testing.T) {
	tpl := template(t, "isolated/Backend-blue")
	cdktest.Check(t, func() {
		// The environment's name is the lookup's property and so its
		// trigger: a replaced environment runs the lookup again.
		tpl.HasResourceProperties(jsii.String("Custom::EnvironmentLoadBalancer"), map[string]any{
			"ServiceToken":    lookupFunctionImport,
			"EnvironmentName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Environment[0-9A-F]{8}$"))},
		})
	})
	statements := lookupPolicy(t, "isolated/Network")
	for _, want := range []struct{ action, resource string }{
		{"elasticbeanstalk:DescribeEnvironmentResources", `":environment/*"`},
		{"cloudformation:DescribeStackResources", `":stack/awseb-e-*"`},
		// What DescribeEnvironmentResources reads downstream with the
		// caller's rights; these actions take no resource-level scope.
		{"autoscaling:DescribeAutoScalingGroups", `"*"`},
		{"ec2:DescribeLaunchTemplateVersions", `"*"`},
		{"elasticloadbalancing:DescribeTargetGroups", `"*"`},
	} {
		if !lookupAllows(statements, want.action, want.resource) {
			t.Errorf("the lookup role may not call %s on %s", want.action, want.resource)
		}
	}
}

func TestNetworkHoldsTheLookupFunctionForEveryBackend(t *testing.T) {
	for stack, inVpc := range map[string]bool{"isolated/Network": true, "nat/Network": false} {
		tpl := template(t, stack)
		vpcConfig := assertions.Match_Absent()
		if inVpc {
			vpcConfig = assertions.Match_ObjectLike(&map[string]any{"SubnetIds": assertions.Match_AnyValue(), "SecurityGroupIds": assertions.Match_AnyValue()})
		}
		cdktest.Check(t, func() {
			tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
				"Runtime":       "nodejs24.x",
				"Handler":       "index.handler",
				"Timeout":       300,
				"Code":          map[string]any{"ZipFile": assertions.Match_StringLikeRegexp(jsii.String(`'Custom::PlatformVersion': platformVersion`))},
				"LoggingConfig": map[string]any{"LogGroup": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^LookupsLogs"))}},
				"VpcConfig":     vpcConfig,
			})
			// Its logs are kept a year, encrypted with the environment's key.
			tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{
				"RetentionInDays": 365,
				"KmsKeyId":        map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^LogKey")), "Arn"}},
			})
			// Its role carries no managed policy: it may write its own logs and
			// make the lookups' calls, nothing else.
			tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
				"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{
					"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"},
				}}},
				"ManagedPolicyArns": assertions.Match_Absent(),
			})
		})
	}
	// In a VPC, only HTTPS leaves the function, and the isolated subnets
	// reach Elastic Load Balancing through an endpoint.
	tpl := template(t, "isolated/Network")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
			"GroupDescription":    "Deploy-time lookups: HTTPS out to AWS APIs only",
			"SecurityGroupEgress": []any{assertions.Match_ObjectLike(&map[string]any{"CidrIp": "0.0.0.0/0", "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp"})},
		})
		tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
			"ServiceName": map[string]any{"Fn::Join": []any{"", []any{"com.amazonaws.", map[string]any{"Ref": "AWS::Region"}, ".elasticloadbalancing"}}},
		})
	})
}

func TestBackendExportsTheLoadBalancerArnAndDnsName(t *testing.T) {
	tpl := template(t, "isolated/Backend-blue")
	cdktest.Check(t, func() {
		tpl.HasOutput(jsii.String("*"), map[string]any{
			"Value":  map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^EnvironmentLoadBalancer")), "LoadBalancerArn"}},
			"Export": map[string]any{"Name": assertions.Match_AnyValue()},
		})
		tpl.HasOutput(jsii.String("*"), map[string]any{
			"Value":  map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Environment[0-9A-F]{8}$")), "EndpointURL"}},
			"Export": map[string]any{"Name": assertions.Match_AnyValue()},
		})
	})
}

func TestBackendDeploysTheBundledApplication(t *testing.T) {
	tpl := template(t, "isolated/Backend-blue")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ElasticBeanstalk::ApplicationVersion"), map[string]any{
			"ApplicationName": map[string]any{"Ref": "Application"},
			"SourceBundle": map[string]any{
				"S3Bucket": assertions.Match_AnyValue(),
				"S3Key":    assertions.Match_StringLikeRegexp(jsii.String(`^[0-9a-f]{64}\.zip$`)),
			},
		})
		tpl.HasResourceProperties(jsii.String("AWS::ElasticBeanstalk::Environment"), map[string]any{
			"ApplicationName": map[string]any{"Ref": "Application"},
			"VersionLabel":    map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Version"))},
			"Tier":            map[string]any{"Name": "WebServer", "Type": "Standard"},
		})
	})
}
