//go:build heavy

package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs"
	"privatebackend/internal/testsupport/cdktest"
)

func TestMonitoringConstructsRejectMissingProps(t *testing.T) {
	stack := newStack()
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
	stack := newStack()
	restAPI := awsapigateway.NewRestApi(stack, jsii.String("Api"), nil)
	restAPI.Root().AddMethod(jsii.String("GET"), nil, nil)
	monitoring := constructs.NewStageMonitoring(stack, "Live", &constructs.StageMonitoringProps{
		Stage: restAPI.DeploymentStage(), Name: "live", Topic: constructs.NewAlarmTopic(stack, "Topic", nil).Topic(),
	})
	if len(monitoring.Alarms()) != 2 || len(monitoring.Widgets()) != 2 {
		t.Fatalf("%d alarms and %d widgets, want 2 and 2", len(monitoring.Alarms()), len(monitoring.Widgets()))
	}
	tpl := templateOf(stack)
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmName": "Stack-live-5xx-rate", "Threshold": 5, "EvaluationPeriods": 3,
			"Metrics": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Expression": "IF(requests >= 20, 100 * errors / requests, 0)"})}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmName": "Stack-live-latency-p99", "Threshold": 2000,
			"Metrics": []any{assertions.Match_ObjectLike(&map[string]any{"MetricStat": assertions.Match_ObjectLike(&map[string]any{"Period": 300, "Stat": "p99"})})},
		})
	})
}
