package stacks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/internal/cdktest"
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
			"aws:elasticbeanstalk:command/DeploymentPolicy":                        config.DeploymentRolling,
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
			"aws:elasticbeanstalk:command/DeploymentPolicy": config.DeploymentImmutable,
			"aws:ec2:instances/InstanceTypes":               "t3.small,t3a.small",
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

// platformCall is the ListPlatformVersions call of the platform lookup.
func platformCall(branch string) string {
	return `{"action":"listPlatformVersions","outputPaths":["PlatformSummaryList.0.PlatformArn"],` +
		`"parameters":{"Filters":[{"Operator":"=","Type":"PlatformBranchName","Values":["` + branch + `"]},` +
		`{"Operator":"=","Type":"PlatformLifecycleState","Values":["recommended"]}]},` +
		`"physicalResourceId":{"id":"` + branch + `"},"service":"ElasticBeanstalk"}`
}

func TestBackendResolvesTheBranchesRecommendedPlatformAtDeployTime(t *testing.T) {
	tpl := template(t, "isolated/Backend-blue")
	cdktest.Check(t, func() {
		// Looked up on create and on a changed branch, with the same call.
		tpl.HasResourceProperties(jsii.String("Custom::AWS"), map[string]any{
			"Create":  platformCall(config.DefaultPlatform),
			"Update":  platformCall(config.DefaultPlatform),
			"Refresh": assertions.Match_Absent(),
		})
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Action": "elasticbeanstalk:ListPlatformVersions",
				"Effect": "Allow",
				"Resource": map[string]any{"Fn::Join": []any{"", []any{
					"arn:", map[string]any{"Ref": "AWS::Partition"}, ":elasticbeanstalk:", map[string]any{"Ref": "AWS::Region"},
					"::platform/" + config.DefaultPlatform + "/*",
				}}},
			}}},
		})
		// The environment runs the looked-up version through the mutable PlatformArn.
		tpl.HasResourceProperties(jsii.String("AWS::ElasticBeanstalk::Environment"), map[string]any{
			"PlatformArn":       map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^EnvironmentPlatform")), "PlatformSummaryList.0.PlatformArn"}},
			"SolutionStackName": assertions.Match_Absent(),
			"TemplateName":      assertions.Match_Absent(),
		})
	})
}

func TestBackendLooksThePlatformUpAgainOnlyWhenRefreshChanges(t *testing.T) {
	tpl := template(t, "isolated/Backend-green")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("Custom::AWS"), map[string]any{
			"Create":  platformCall(config.DefaultPlatform),
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
		// Only the load balancer and target group lookups remain.
		tpl.ResourceCountIs(jsii.String("Custom::AWS"), jsii.Number(2))
	})
	data, _ := json.Marshal(tpl.ToJSON())
	if strings.Contains(string(data), "ListPlatformVersions") {
		t.Error("a backend with a pinned platform version still grants ListPlatformVersions")
	}
}

func TestBackendLooksUpTheLoadBalancerArnWithTheReadsBeanstalkNeeds(t *testing.T) {
	tpl := template(t, "isolated/Backend-blue")
	env := map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Environment[0-9A-F]{8}$"))}
	cdktest.Check(t, func() {
		tpl.HasResource(jsii.String("Custom::AWS"), map[string]any{
			"Properties": map[string]any{
				// The environment's name is both the parameter and the physical
				// id: a replaced environment re-runs the lookup.
				"Create": map[string]any{"Fn::Join": []any{"", []any{
					`{"action":"describeEnvironmentResources","outputPaths":["EnvironmentResources.LoadBalancers.0.Name"],"parameters":{"EnvironmentName":"`,
					env,
					`"},"physicalResourceId":{"id":"`,
					env,
					`"},"service":"ElasticBeanstalk"}`,
				}}},
				"Update": assertions.Match_AnyValue(),
			},
			"DependsOn": assertions.Match_ArrayWith(&[]any{assertions.Match_StringLikeRegexp(jsii.String("^Environment[0-9A-F]{8}$"))}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": []any{
				map[string]any{
					"Action": "elasticbeanstalk:DescribeEnvironmentResources",
					"Effect": "Allow",
					"Resource": map[string]any{"Fn::Join": []any{"", assertions.Match_ArrayWith(&[]any{
						":environment/", map[string]any{"Fn::Join": []any{"/", []any{map[string]any{"Ref": "Application"}, env}}},
					})}},
				},
				map[string]any{
					"Action":   []any{"cloudformation:DescribeStackResource", "cloudformation:DescribeStackResources"},
					"Effect":   "Allow",
					"Resource": map[string]any{"Fn::Join": []any{"", assertions.Match_ArrayWith(&[]any{":stack/awseb-e-*"})}},
				},
				// What DescribeEnvironmentResources reads downstream with the
				// caller's rights; these actions take no resource-level scope.
				map[string]any{
					"Action": []any{
						"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
						"autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribePolicies",
						"ec2:DescribeInstances", "ec2:DescribeLaunchTemplates",
						"elasticloadbalancing:DescribeLoadBalancers",
					},
					"Effect":   "Allow",
					"Resource": "*",
				},
			}},
		})
	})
}

func TestBackendExportsTheLoadBalancerArnAndDnsName(t *testing.T) {
	tpl := template(t, "isolated/Backend-blue")
	cdktest.Check(t, func() {
		tpl.HasOutput(jsii.String("*"), map[string]any{
			"Value":  map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^EnvironmentLoadBalancer")), "EnvironmentResources.LoadBalancers.0.Name"}},
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
