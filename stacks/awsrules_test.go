//go:build heavy

package stacks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/constructs"
	"privatebackend/internal/testsupport/cdktest"
)

// awsRule is a rule AWS enforces only at deploy time, which synthesis,
// cdk-nag and the template validator cannot check. Each one the stacks rely
// on is named here with the document it comes from, and asserted.
type awsRule struct {
	name, source string
	check        func(t *testing.T)
}

var awsRules = []awsRule{
	{
		name:   "a new environment can only use the recommended version of a platform branch",
		source: "About Elastic Beanstalk platforms, https://docs.aws.amazon.com/elasticbeanstalk/latest/platforms/welcome.html; PlatformFilter, https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_PlatformFilter.html",
		check: func(t *testing.T) {
			templateContains(t, "isolated/Backend-blue", "the platform lookup's filters", `{"Operator":"=","Type":"PlatformBranchName","Values":["`+config.DefaultPlatform+`"]}`, `{"Operator":"=","Type":"PlatformLifecycleState","Values":["recommended"]}`)
		},
	},
	{
		name:   "SolutionStackName is create-only, PlatformArn is not",
		source: "AWS::ElasticBeanstalk::Environment resource schema (createOnlyProperties), https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticbeanstalk-environment.html",
		check: func(t *testing.T) {
			for _, stack := range []string{"isolated/Backend-blue", "isolated/Backend-green", "nat/Backend-blue"} {
				tpl := template(t, stack)
				cdktest.Check(t, func() {
					tpl.AllResourcesProperties(jsii.String("AWS::ElasticBeanstalk::Environment"), map[string]any{
						"PlatformArn":       assertions.Match_AnyValue(),
						"SolutionStackName": assertions.Match_Absent(),
					})
				})
			}
		},
	},
	{
		name:   "ListPlatformVersions names no platform version, so IAM authorizes it against \"*\", and it answers only the versions the caller may read",
		source: "Actions, resources, and condition keys for AWS Elastic Beanstalk (platform is optional), https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticbeanstalk.html; ListPlatformVersions, https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_ListPlatformVersions.html",
		check: func(t *testing.T) {
			if !lookupAllows(lookupPolicy(t, "isolated/Network"), "elasticbeanstalk:ListPlatformVersions", `"*"`) {
				t.Error("ListPlatformVersions is not allowed on \"*\"")
			}
		},
	},
	{
		name:   "DescribeEnvironmentResources reads downstream services with the caller's rights",
		source: "DescribeEnvironmentResources (InsufficientPrivileges), https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_DescribeEnvironmentResources.html; AWSElasticBeanstalkReadOnly",
		check: func(t *testing.T) {
			data := templateJSON(t, "isolated/Network")
			for _, action := range []string{"cloudformation:DescribeStackResources", "autoscaling:DescribeAutoScalingGroups", "elasticloadbalancing:DescribeLoadBalancers"} {
				if !strings.Contains(data, `"`+action+`"`) {
					t.Errorf("the load balancer lookup may not call %s", action)
				}
			}
		},
	},
	{
		name:   "the load balancer type is chosen only at creation, and a Network Load Balancer speaks TCP",
		source: "Configuring a Network Load Balancer, https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-nlb.html",
		check: func(t *testing.T) {
			got := optionSettingsOf(t, "isolated/Backend-blue")
			for option, want := range map[string]string{
				"aws:elasticbeanstalk:environment/LoadBalancerType":         "network",
				"aws:elbv2:listener:default/Protocol":                       "TCP",
				"aws:elasticbeanstalk:environment:process:default/Protocol": "TCP",
			} {
				if got[option] != want {
					t.Errorf("%s = %v, want %s", option, got[option], want)
				}
			}
		},
	},
	{
		name:   "a Network Load Balancer takes no aws:elbv2:loadbalancer options, no listener rules, no TLS or stickiness, and health checks every 10 or 30 seconds",
		source: "General options for all environments, https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html",
		check: func(t *testing.T) {
			got := optionSettingsOf(t, "isolated/Backend-blue")
			for key := range got {
				namespace, name, _ := strings.Cut(key, "/")
				if namespace == "aws:elbv2:loadbalancer" || strings.HasPrefix(namespace, "aws:elbv2:listenerrule") ||
					name == "SSLCertificateArns" || name == "SSLPolicy" || name == "StickinessEnabled" || name == "HealthCheckTimeout" {
					t.Errorf("option %s is not valid for a Network Load Balancer", key)
				}
			}
			if v := got["aws:elasticbeanstalk:environment:process:default/HealthCheckInterval"]; v != "10" && v != "30" {
				t.Errorf("HealthCheckInterval = %v, want 10 or 30", v)
			}
		},
	},
	{
		name:   "DisableDefaultEC2SecurityGroup=true needs load balancer security groups, which a Network Load Balancer cannot take",
		source: "General options for all environments, aws:autoscaling:launchconfiguration and aws:elbv2:loadbalancer, https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html",
		check: func(t *testing.T) {
			got := optionSettingsOf(t, "isolated/Backend-blue")
			if got["aws:autoscaling:launchconfiguration/DisableDefaultEC2SecurityGroup"] != "false" {
				t.Errorf("DisableDefaultEC2SecurityGroup = %v, want \"false\" with a Network Load Balancer", got["aws:autoscaling:launchconfiguration/DisableDefaultEC2SecurityGroup"])
			}
		},
	},
	{
		name:   "an environment must name its instance profile",
		source: "Managing Elastic Beanstalk instance profiles, https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/iam-instanceprofile.html",
		check: func(t *testing.T) {
			if _, ok := optionSettingsOf(t, "isolated/Backend-blue")["aws:autoscaling:launchconfiguration/IamInstanceProfile"]; !ok {
				t.Error("no IamInstanceProfile option")
			}
		},
	},
	{
		name:   "new accounts need launch templates, which DisableIMDSv1 selects",
		source: "Migrating your Elastic Beanstalk environment to launch templates, https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-autoscaling-launch-templates.html",
		check: func(t *testing.T) {
			if v := optionSettingsOf(t, "isolated/Backend-blue")["aws:autoscaling:launchconfiguration/DisableIMDSv1"]; v != "true" {
				t.Errorf("DisableIMDSv1 = %v, want \"true\"", v)
			}
		},
	},
	{
		name:   "without Internet access an environment needs endpoints for Beanstalk, its health service, S3, SQS, CloudFormation and CloudWatch Logs, with private DNS",
		source: "Running an Elastic Beanstalk environment in a private VPC, https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/vpc.html#services-vpc-private-beanstalk",
		check: func(t *testing.T) {
			tpl := template(t, "isolated/Network")
			cdktest.Check(t, func() {
				for _, service := range []string{"elasticbeanstalk", "elasticbeanstalk-health", "sqs", "cloudformation", "logs"} {
					tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
						"VpcEndpointType":   "Interface",
						"PrivateDnsEnabled": true,
						"ServiceName":       map[string]any{"Fn::Join": []any{"", []any{"com.amazonaws.", map[string]any{"Ref": "AWS::Region"}, "." + service}}},
					})
				}
				tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
					"VpcEndpointType": "Gateway",
					"ServiceName":     map[string]any{"Fn::Join": []any{"", []any{"com.amazonaws.", map[string]any{"Ref": "AWS::Region"}, ".s3"}}},
				})
			})
		},
	},
	{
		name:   "EndpointURL of a load-balanced environment is its load balancer's DNS name",
		source: "AWS::ElasticBeanstalk::Environment return values, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticbeanstalk-environment.html#aws-resource-elasticbeanstalk-environment-return-values",
		check: func(t *testing.T) {
			tpl := template(t, "isolated/Backend-blue")
			cdktest.Check(t, func() {
				tpl.HasOutput(jsii.String("*"), map[string]any{
					"Value": map[string]any{"Fn::GetAtt": []any{assertions.Match_AnyValue(), "EndpointURL"}},
				})
			})
			if data := templateJSON(t, "isolated/Api"); !strings.Contains(data, "EndpointURL") {
				t.Error("the stages' backendHost is not the imported EndpointURL")
			}
		},
	},
	{
		name:   "a REST API VPC link targets exactly one Network Load Balancer",
		source: "AWS::ApiGateway::VpcLink, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-vpclink.html",
		check: func(t *testing.T) {
			tpl := template(t, "isolated/Api")
			for id, link := range *tpl.FindResources(jsii.String("AWS::ApiGateway::VpcLink"), nil) {
				if targets := (*link)["Properties"].(map[string]any)["TargetArns"].([]any); len(targets) != 1 {
					t.Errorf("VPC link %s targets %d load balancers, want 1", id, len(targets))
				}
			}
		},
	},
	{
		name:   "a canary runs a deployment of the stage's API with stage-variable overrides",
		source: "Set up an API Gateway canary release deployment, https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html; AWS::ApiGateway::Stage CanarySetting",
		check: func(t *testing.T) {
			tpl := template(t, "isolated/Api")
			cdktest.Check(t, func() {
				tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
					"DeploymentId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Deployment[0-9A-F]{8}"))},
					"CanarySetting": map[string]any{
						"DeploymentId":           map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Deployment[0-9A-F]{8}"))},
						"StageVariableOverrides": assertions.Match_AnyValue(),
						"PercentTraffic":         assertions.Match_AnyValue(),
						"UseStageCache":          false,
					},
				})
			})
		},
	},
	{
		name:   "enhanced health publishes EnvironmentHealth per EnvironmentName with no configuration; 20 is Degraded, 25 Severe",
		source: "Publishing Amazon CloudWatch custom metrics for an environment, https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/health-enhanced-cloudwatch.html",
		check: func(t *testing.T) {
			templateContains(t, "isolated/Backend-blue", "the health alarm", `"Namespace":"AWS/ElasticBeanstalk"`, `"MetricName":"EnvironmentHealth"`, `"Name":"EnvironmentName"`, `"Threshold":20`)
			if got := optionSettingsOf(t, "isolated/Backend-blue")["aws:elasticbeanstalk:healthreporting:system/SystemType"]; got != "enhanced" {
				t.Errorf("health reporting is %v; EnvironmentHealth needs enhanced", got)
			}
		},
	},
	{
		name:   "Network Load Balancer host counts carry the LoadBalancer and TargetGroup dimensions, and nothing is reported while no traffic flows",
		source: "CloudWatch metrics for your Network Load Balancer, https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html",
		check: func(t *testing.T) {
			templateContains(t, "isolated/Backend-blue", "the host alarm", `"Namespace":"AWS/NetworkELB"`, `"Name":"LoadBalancer"`, `"Name":"TargetGroup"`, `"TreatMissingData":"notBreaching"`)
		},
	},
	{
		name:   "API Gateway reports 5XXError and Count per ApiName and Stage; Count's SampleCount is the number of requests",
		source: "Amazon API Gateway dimensions and metrics, https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html",
		check: func(t *testing.T) {
			templateContains(t, "isolated/Api", "the stage alarms", `"MetricName":"5XXError"`, `"MetricName":"Count"`, `"Stat":"SampleCount"`, `"Name":"ApiName"`, `"Name":"Stage"`)
		},
	},
	{
		name:   "CloudWatch can notify an encrypted topic only through a customer managed key that lets it use the key",
		source: "Enable compatibility between event sources from AWS services and encrypted topics, https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
		check: func(t *testing.T) {
			tpl := template(t, "isolated/Alerts")
			cdktest.Check(t, func() {
				tpl.ResourceCountIs(jsii.String("AWS::KMS::Key"), jsii.Number(1))
				tpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
					"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
						"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
						"Action":    []any{"kms:Decrypt", "kms:GenerateDataKey*"},
					})})},
				})
			})
		},
	},
	{
		name:   "a key policy limits kms:CreateGrant to AWS services by denying it when kms:GrantIsForAWSResource and aws:PrincipalIsAWSService are both false",
		source: "Controlling access to grants, https://docs.aws.amazon.com/kms/latest/developerguide/grant-authorization.html; the statement Control Tower's CT.KMS.PR.3 looks for (rule ct-kms-pr-3.guard)",
		check: func(t *testing.T) {
			tpl := template(t, "isolated/Alerts")
			cdktest.Check(t, func() {
				tpl.AllResourcesProperties(jsii.String("AWS::KMS::Key"), map[string]any{
					"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
						"Sid":       constructs.GrantsOnlyForAWSServicesSid,
						"Effect":    "Deny",
						"Principal": map[string]any{"AWS": "*"},
						"Action":    "kms:CreateGrant",
						"Resource":  "*",
						"Condition": map[string]any{"BoolIfExists": map[string]any{
							"kms:GrantIsForAWSResource": "false",
							"aws:PrincipalIsAWSService": "false",
						}},
					}})},
				})
			})
		},
	},
	{
		name:   "CloudWatch Logs encrypts a log group with a customer managed key only when the key policy lets the Region's logs service principal use it",
		source: "Encrypt log data in CloudWatch Logs using AWS KMS, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
		check: func(t *testing.T) {
			for stack, key := range map[string]string{"isolated/Network": "LogKey", "isolated/Api": "AccessLogKey"} {
				tpl := template(t, stack)
				cdktest.Check(t, func() {
					tpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
						"EnableKeyRotation": true,
						"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
							"Sid":       "AllowCloudWatchLogsOfThisAccount",
							"Principal": map[string]any{"Service": map[string]any{"Fn::Join": []any{"", []any{"logs.", map[string]any{"Ref": "AWS::Region"}, ".", map[string]any{"Ref": "AWS::URLSuffix"}}}}},
							"Action":    []any{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
							"Condition": map[string]any{"ArnLike": map[string]any{"kms:EncryptionContext:aws:logs:arn": assertions.Match_AnyValue()}},
						})})},
					})
					tpl.AllResourcesProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{
						"KmsKeyId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^" + key)), "Arn"}},
					})
				})
			}
		},
	},
	{
		name:   "an alarm evaluates at most one day: EvaluationPeriods times Period is at most 86,400 seconds",
		source: "PutMetricAlarm, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
		check: func(t *testing.T) {
			for _, stack := range []string{"isolated/Api", "isolated/Backend-blue", "nat/Api", "nat/Backend-blue"} {
				for id, alarm := range *template(t, stack).FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil) {
					props := (*alarm)["Properties"].(map[string]any)
					data, _ := json.Marshal(props["Metrics"])
					var metrics []struct {
						MetricStat struct{ Period float64 }
					}
					if err := json.Unmarshal(data, &metrics); err != nil {
						t.Fatal(err)
					}
					for _, m := range metrics {
						if m.MetricStat.Period*props["EvaluationPeriods"].(float64) > 86400 {
							t.Errorf("%s alarm %s evaluates more than a day", stack, id)
						}
					}
				}
			}
		},
	},
}

// TestAWSRules asserts, one by one and by name, every deploy-time rule of AWS
// the stacks rely on. (The VPC link quota, 20 per account and region for REST
// APIs, is checked by the config package.)
func TestAWSRules(t *testing.T) {
	for _, rule := range awsRules {
		t.Run(rule.name, func(t *testing.T) {
			if !strings.Contains(rule.source, "https://docs.aws.amazon.com/") {
				t.Fatalf("rule %q names no AWS document", rule.name)
			}
			rule.check(t)
		})
	}
}

// templateJSON returns a synthesized template as JSON text.
// templateContains reports, as "what lacks ...", each of wants that the
// stack's template JSON does not contain.
func templateContains(t *testing.T, stack, what string, wants ...string) {
	t.Helper()
	data := templateJSON(t, stack)
	for _, want := range wants {
		if !strings.Contains(data, want) {
			t.Errorf("%s lacks %s", what, want)
		}
	}
}

func templateJSON(t *testing.T, stack string) string {
	t.Helper()
	data, err := json.Marshal(template(t, stack).ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
