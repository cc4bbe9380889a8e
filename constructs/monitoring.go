package constructs

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs/settings"
)

// period is the length of one period of a schedule with its defaults applied.
func period(s settings.AlarmSchedule) awscdk.Duration {
	return awscdk.Duration_Minutes(jsii.Number(*s.PeriodMinutes))
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// alarmSpec is one alarm of a monitoring construct.
type alarmSpec struct {
	name, description string
	metric            awscloudwatch.IMetric
	threshold         float64
	comparison        awscloudwatch.ComparisonOperator
	missingData       awscloudwatch.TreatMissingData
	// lowSampleCountPercentile is set for percentile alarms only.
	lowSampleCountPercentile string
}

// newAlarm creates an alarm that notifies topic when it enters ALARM and
// when it returns to OK.
func newAlarm(scope cdkconstructs.Construct, id string, spec alarmSpec, schedule settings.AlarmSchedule, topic awssns.ITopic) awscloudwatch.Alarm {
	props := &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(spec.name),
		AlarmDescription:   jsii.String(spec.description),
		Metric:             spec.metric,
		Threshold:          jsii.Number(spec.threshold),
		ComparisonOperator: spec.comparison,
		EvaluationPeriods:  jsii.Number(*schedule.EvaluationPeriods),
		DatapointsToAlarm:  jsii.Number(*schedule.EvaluationPeriods),
		TreatMissingData:   spec.missingData,
	}
	if spec.lowSampleCountPercentile != "" {
		props.EvaluateLowSampleCountPercentile = jsii.String(spec.lowSampleCountPercentile)
	}
	alarm := awscloudwatch.NewAlarm(scope, jsii.String(id), props)
	action := awscloudwatchactions.NewSnsAction(topic)
	alarm.AddAlarmAction(action)
	alarm.AddOkAction(action)
	return alarm
}

// graph is a dashboard graph of half the dashboard's width.
func graph(title string, left []awscloudwatch.IMetric, annotations ...*awscloudwatch.HorizontalAnnotation) awscloudwatch.GraphWidget {
	props := &awscloudwatch.GraphWidgetProps{
		Title:  jsii.String(title),
		Left:   &left,
		Width:  jsii.Number(12),
		Height: jsii.Number(6),
	}
	if len(annotations) > 0 {
		props.LeftAnnotations = &annotations
	}
	return awscloudwatch.NewGraphWidget(props)
}
