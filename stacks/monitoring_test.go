//go:build heavy

package stacks

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/testsupport/cdktest"
)

// topicImport matches a reference to the environment's alarm topic.
func topicImport(env string) map[string]any {
	return map[string]any{"Fn::ImportValue": assertions.Match_StringLikeRegexp(jsii.String("^" + env + "-Alerts:ExportsOutputRefAlarmTopic"))}
}

// notifies matches an alarm that notifies the topic on ALARM and on OK.
func notifies(env string) map[string]any {
	return map[string]any{"AlarmActions": []any{topicImport(env)}, "OKActions": []any{topicImport(env)}}
}

func TestAlertsTopicIsEncryptedTLSOnlyAndOpenToCloudWatch(t *testing.T) {
	tpl := template(t, "isolated/Alerts")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
			"EnableKeyRotation": true,
			"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
				"Sid": "AllowCloudWatchAlarmsToPublish", "Effect": "Allow",
				"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
				"Action":    []any{"kms:Decrypt", "kms:GenerateDataKey*"},
				"Resource":  "*",
			}})},
		})
		tpl.HasResourceProperties(jsii.String("AWS::SNS::Topic"), map[string]any{
			"KmsMasterKeyId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^AlarmTopicKey")), "Arn"}},
		})
		tpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": []any{
				assertions.Match_ObjectLike(&map[string]any{
					"Effect": "Deny", "Action": "sns:Publish",
					"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
				}),
				assertions.Match_ObjectLike(&map[string]any{
					"Effect": "Allow", "Action": "sns:Publish",
					"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
					"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": map[string]any{"Ref": "AWS::AccountId"}}},
				}),
			}},
		})
		for _, email := range []string{"oncall@example.com", "team@example.com"} {
			tpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{"Protocol": "email", "Endpoint": email})
		}
	})
	cdktest.Check(t, func() {
		template(t, "nat/Alerts").ResourceCountIs(jsii.String("AWS::SNS::Subscription"), jsii.Number(0))
	})
}

func TestStageAlarmsFollowTheConfiguration(t *testing.T) {
	tpl := template(t, "isolated/Api")
	dims := func(stage string) []any {
		return []any{
			map[string]any{"Name": "ApiName", "Value": "isolated-Api"},
			map[string]any{"Name": "Stage", "Value": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String(stage))}},
		}
	}
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(4))
		for _, stage := range []string{"live", "preview"} {
			// The error rate is metric math over 5XXError and Count, judged
			// only from minRequests requests a period.
			tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
				"AlarmName":          "isolated-Api-" + stage + "-5xx-rate",
				"Threshold":          2.5,
				"ComparisonOperator": "GreaterThanThreshold",
				"EvaluationPeriods":  4,
				"DatapointsToAlarm":  4,
				"TreatMissingData":   "notBreaching",
				"AlarmActions":       []any{topicImport("isolated")},
				"OKActions":          []any{topicImport("isolated")},
				"Metrics": assertions.Match_ArrayWith(&[]any{
					assertions.Match_ObjectLike(&map[string]any{"Expression": "IF(requests >= 50, 100 * errors / requests, 0)", "ReturnData": true}),
					map[string]any{"Id": "errors", "Label": "5XX", "ReturnData": false, "MetricStat": map[string]any{
						"Metric": map[string]any{"Namespace": "AWS/ApiGateway", "MetricName": "5XXError", "Dimensions": dims(stage)},
						"Period": 60, "Stat": "Sum"}},
					map[string]any{"Id": "requests", "Label": "requests", "ReturnData": false, "MetricStat": map[string]any{
						"Metric": map[string]any{"Namespace": "AWS/ApiGateway", "MetricName": "Count", "Dimensions": dims(stage)},
						"Period": 60, "Stat": "SampleCount"}},
				}),
			})
			tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
				"AlarmName":                        "isolated-Api-" + stage + "-latency-p95",
				"Threshold":                        800,
				"EvaluateLowSampleCountPercentile": "ignore",
				"TreatMissingData":                 "notBreaching",
				"AlarmActions":                     []any{topicImport("isolated")},
				"OKActions":                        []any{topicImport("isolated")},
				"Metrics": []any{assertions.Match_ObjectLike(&map[string]any{"MetricStat": map[string]any{
					"Metric": map[string]any{"Namespace": "AWS/ApiGateway", "MetricName": "Latency", "Dimensions": dims(stage)},
					"Period": 60, "Stat": "p95"}})},
			})
		}
	})
}

func TestBackendAlarmsWatchHealthAndTheLoadBalancersHosts(t *testing.T) {
	tpl := template(t, "isolated/Backend-blue")
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(2))
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmName":          "isolated-Backend-blue-health-degraded",
			"Threshold":          20,
			"ComparisonOperator": "GreaterThanOrEqualToThreshold",
			// 4 periods of 1 minute become 1 period of 5 minutes.
			"EvaluationPeriods": 1,
			"TreatMissingData":  "breaching",
			"AlarmActions":      []any{topicImport("isolated")},
			"OKActions":         []any{topicImport("isolated")},
			"Metrics": []any{assertions.Match_ObjectLike(&map[string]any{"MetricStat": map[string]any{
				"Metric": map[string]any{
					"Namespace": "AWS/ElasticBeanstalk", "MetricName": "EnvironmentHealth",
					"Dimensions": []any{map[string]any{"Name": "EnvironmentName", "Value": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Environment[0-9A-F]{8}$"))}}},
				},
				// Health is judged over 5 minutes even when the period is shorter.
				"Period": 300, "Stat": "Maximum"}})},
		})
		// Both dimensions come from ARNs resolved at deploy time: the load
		// balancer's and its target group's.
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmName":          "isolated-Backend-blue-unhealthy-hosts",
			"Threshold":          1,
			"ComparisonOperator": "GreaterThanOrEqualToThreshold",
			"TreatMissingData":   "notBreaching",
			"AlarmActions":       []any{topicImport("isolated")},
			"Metrics": []any{assertions.Match_ObjectLike(&map[string]any{"MetricStat": map[string]any{
				"Metric": map[string]any{
					"Namespace": "AWS/NetworkELB", "MetricName": "UnHealthyHostCount",
					"Dimensions": []any{
						map[string]any{"Name": "LoadBalancer", "Value": map[string]any{"Fn::Join": assertions.Match_AnyValue()}},
						map[string]any{"Name": "TargetGroup", "Value": map[string]any{"Fn::Select": []any{5, map[string]any{"Fn::Split": []any{":",
							map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^MonitoringTargetGroupLookup")), "TargetGroupArn"}}}}}}},
					},
				},
				"Period": 60, "Stat": "Maximum"}})},
		})
		tpl.HasResourceProperties(jsii.String("Custom::LoadBalancerTargetGroup"), map[string]any{
			"LoadBalancerArn": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^EnvironmentLoadBalancer")), "LoadBalancerArn"}},
		})
	})
}

func TestDashboardShowsEveryStageAndBackendAndEveryAlarm(t *testing.T) {
	tpl := template(t, "isolated/Api")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Dashboard"), map[string]any{"DashboardName": "test-private-backends"})
	})
	templateContains(t, "isolated/Api", "the dashboard",
		`Stage live: requests and errors`, `Stage preview: latency (ms)`,
		`Backend blue: environment health`, `Backend green: load balancer hosts`,
		`isolated-Backend-blue:ExportsOutputFnGetAttMonitoringHealth`, `isolated-Backend-green:ExportsOutputFnGetAttMonitoringUnhealthyHosts`,
		`\"type\":\"alarm\"`,
	)
}
