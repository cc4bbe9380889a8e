package constructs

import (
	"cmp"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs/settings"
)

// StageMonitoringProps configures a StageMonitoring.
type StageMonitoringProps struct {
	// Stage is the API stage watched. Required.
	Stage awsapigateway.Stage
	// Topic is notified when an alarm enters ALARM and when it returns to OK. Required.
	Topic awssns.ITopic
	// Name is the stage's name in alarm names, descriptions and widget
	// titles. Default: the stage's StageName.
	Name string
	// AlarmNamePrefix starts every alarm's name. Default: the stack name and Name.
	AlarmNamePrefix string
	// StageAlarms are the alarms' thresholds; each one left unset takes the
	// default its doc comment names.
	settings.StageAlarms
	// Schedule is how the alarms evaluate; each setting left unset takes its
	// default.
	Schedule settings.AlarmSchedule
}

// StageMonitoring holds the alarms and dashboard widgets of one API stage:
// its 5XX error rate, computed with metric math from 5XXError and Count, and a
// latency percentile.
type StageMonitoring interface {
	cdkconstructs.IConstruct
	// Alarms are the stage's alarms.
	Alarms() []awscloudwatch.Alarm
	// Widgets are dashboard graphs of the stage's requests, errors and latency.
	Widgets() []awscloudwatch.IWidget
}

type stageMonitoring struct {
	cdkconstructs.Construct
	alarms  []awscloudwatch.Alarm
	widgets []awscloudwatch.IWidget
}

func (s *stageMonitoring) Alarms() []awscloudwatch.Alarm    { return s.alarms }
func (s *stageMonitoring) Widgets() []awscloudwatch.IWidget { return s.widgets }

// NewStageMonitoring creates the stage's alarms and widgets.
func NewStageMonitoring(scope cdkconstructs.Construct, id string, props *StageMonitoringProps) StageMonitoring {
	if props == nil || props.Stage == nil || props.Topic == nil {
		panic(fmt.Sprintf("constructs.NewStageMonitoring %q: Stage and Topic are required", id))
	}
	// Settings config checked are not checked again.
	var problems settings.Problems
	if !props.StageAlarms.Checked.OK() {
		problems = props.StageAlarms.Problems()
	}
	if !props.Schedule.Checked.OK() {
		problems = append(problems, props.Schedule.Problems().Within("Schedule")...)
	}
	if err := problems.Err("settings"); err != nil {
		panic(fmt.Sprintf("constructs.NewStageMonitoring %q: %v", id, err))
	}
	cfg := *props
	cfg.StageAlarms = cfg.StageAlarms.WithDefaults()
	schedule := cfg.Schedule.WithDefaults()
	s := &stageMonitoring{}
	cdkconstructs.NewConstruct_Override(s, scope, &id)
	stageName := cmp.Or(cfg.Name, *cfg.Stage.StageName())
	prefix := cmp.Or(cfg.AlarmNamePrefix, *awscdk.Stack_Of(s).StackName()+"-"+stageName)

	// API Gateway reports 5XXError and Count per ApiName and Stage; the Sum of
	// 5XXError and the SampleCount of Count are the period's errors and
	// requests ("Amazon API Gateway dimensions and metrics").
	metric := func(m func(*awscloudwatch.MetricOptions) awscloudwatch.Metric, statistic, label string) awscloudwatch.Metric {
		return m(&awscloudwatch.MetricOptions{Statistic: jsii.String(statistic), Period: period(schedule), Label: jsii.String(label)})
	}
	errors := metric(cfg.Stage.MetricServerError, "Sum", "5XX")
	requests := metric(cfg.Stage.MetricCount, "SampleCount", "requests")
	errorRate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(fmt.Sprintf("IF(requests >= %d, 100 * errors / requests, 0)", *cfg.MinRequests)),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"errors":   errors,
			"requests": requests,
		},
		Label:  jsii.String("5XX rate (%)"),
		Period: period(schedule),
	})
	latency := metric(cfg.Stage.MetricLatency, cfg.LatencyPercentile, "latency "+cfg.LatencyPercentile)
	thresholdMs := float64(*cfg.LatencyThresholdMs)

	s.alarms = []awscloudwatch.Alarm{
		newAlarm(s, "ErrorRate", alarmSpec{
			name: prefix + "-5xx-rate",
			description: fmt.Sprintf("Stage %s answers more than %v%% of its requests with 5XX (judged when a period has at least %d requests).",
				stageName, *cfg.ErrorRatePercent, *cfg.MinRequests),
			metric:     errorRate,
			threshold:  *cfg.ErrorRatePercent,
			comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			// No data means no requests: not an error.
			missingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
		}, schedule, cfg.Topic),
		newAlarm(s, "Latency", alarmSpec{
			name:        prefix + "-latency-" + cfg.LatencyPercentile,
			description: fmt.Sprintf("Stage %s's %s latency is above %v ms.", stageName, cfg.LatencyPercentile, thresholdMs),
			metric:      latency,
			threshold:   thresholdMs,
			comparison:  awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			// No data means no requests; a handful of requests is too few for
			// a percentile to mean anything.
			missingData:              awscloudwatch.TreatMissingData_NOT_BREACHING,
			lowSampleCountPercentile: "ignore",
		}, schedule, cfg.Topic),
	}
	latencies := []awscloudwatch.IMetric{metric(cfg.Stage.MetricLatency, "p50", "p50"), metric(cfg.Stage.MetricLatency, "p99", "p99")}
	if cfg.LatencyPercentile != "p50" && cfg.LatencyPercentile != "p99" {
		latencies = append(latencies, latency)
	}
	s.widgets = []awscloudwatch.IWidget{
		graph("Stage "+stageName+": requests and errors", []awscloudwatch.IMetric{
			requests,
			metric(cfg.Stage.MetricClientError, "Sum", "4XX"),
			errors,
		}),
		graph("Stage "+stageName+": latency (ms)", latencies,
			&awscloudwatch.HorizontalAnnotation{Value: jsii.Number(thresholdMs), Label: jsii.String(cfg.LatencyPercentile + " alarm")}),
	}
	return s
}
