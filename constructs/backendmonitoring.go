package constructs

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs/settings"
)

// Enhanced health reports an environment's health as EnvironmentHealth: 0 OK,
// 1 Info, 5 Unknown, 10 No data, 15 Warning, 20 Degraded, 25 Severe
// ("Publishing Amazon CloudWatch custom metrics for an environment").
const (
	healthWarning  = 15
	healthDegraded = 20
)

// targetGroupPath is where DescribeTargetGroups puts the load balancer's
// first target group: a Beanstalk environment's default process.
const targetGroupPath = "TargetGroups.0.TargetGroupArn"

// BackendMonitoringProps configures a BackendMonitoring.
type BackendMonitoringProps struct {
	// Name is the backend's name in alarm descriptions and widget titles. Required.
	Name string
	// EnvironmentName is the Beanstalk environment's name. Required.
	EnvironmentName *string
	// LoadBalancerArn is the ARN of the environment's Network Load Balancer. Required.
	LoadBalancerArn *string
	// Topic is notified when an alarm enters ALARM and when it returns to OK. Required.
	Topic awssns.ITopic
	// AlarmNamePrefix starts every alarm's name. Default: the stack name.
	AlarmNamePrefix string
	// Schedule is how the alarms evaluate; each setting left unset takes its
	// default.
	Schedule settings.AlarmSchedule
	// LookupFunction answers the target group lookup. Default: the stack's
	// own LookupFunction, created on first use.
	LookupFunction awslambda.IFunction
}

// BackendMonitoring holds the alarms and dashboard widgets of one private
// Beanstalk backend: its enhanced health and its load balancer's unhealthy
// hosts, with the load balancer's target group found at deploy time.
type BackendMonitoring interface {
	cdkconstructs.IConstruct
	// Alarms are the backend's alarms.
	Alarms() []awscloudwatch.Alarm
	// Widgets are dashboard graphs of the backend's health and hosts.
	Widgets() []awscloudwatch.IWidget
	// TargetGroupArn is the ARN of the load balancer's target group (a token).
	TargetGroupArn() *string
}

type backendMonitoring struct {
	cdkconstructs.Construct
	alarms      []awscloudwatch.Alarm
	widgets     []awscloudwatch.IWidget
	targetGroup *string
}

func (b *backendMonitoring) Alarms() []awscloudwatch.Alarm    { return b.alarms }
func (b *backendMonitoring) Widgets() []awscloudwatch.IWidget { return b.widgets }
func (b *backendMonitoring) TargetGroupArn() *string          { return b.targetGroup }

// NewBackendMonitoring creates the backend's target group lookup, alarms and widgets.
func NewBackendMonitoring(scope cdkconstructs.Construct, id string, props *BackendMonitoringProps) BackendMonitoring {
	if props == nil || props.Name == "" || props.EnvironmentName == nil || props.LoadBalancerArn == nil || props.Topic == nil {
		panic(fmt.Sprintf("constructs.NewBackendMonitoring %q: Name, EnvironmentName, LoadBalancerArn and Topic are required", id))
	}
	// A schedule config checked is not checked again.
	if !props.Schedule.Checked.OK() {
		if err := props.Schedule.Problems().Err("Schedule"); err != nil {
			panic(fmt.Sprintf("constructs.NewBackendMonitoring %q: %v", id, err))
		}
	}
	b := &backendMonitoring{}
	cdkconstructs.NewConstruct_Override(b, scope, &id)
	stack := awscdk.Stack_Of(b)
	schedule := props.Schedule.WithDefaults()
	prefix := props.AlarmNamePrefix
	if prefix == "" {
		prefix = *stack.StackName()
	}
	b.targetGroup = lookUpTargetGroup(b, props.LoadBalancerArn, props.LookupFunction)

	// Health is judged over periods of at least 5 minutes, so a minute's gap
	// in its publication does not count as breaching, and over about as long
	// in all as the other alarms.
	healthSchedule := schedule
	if minutes := *schedule.PeriodMinutes; minutes < 5 {
		healthSchedule.PeriodMinutes = ptr(5)
		healthSchedule.EvaluationPeriods = ptr((*schedule.EvaluationPeriods*minutes + 4) / 5)
	}
	health := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		// Enhanced health publishes EnvironmentHealth, per EnvironmentName, with
		// no further configuration and at no charge.
		Namespace:     jsii.String("AWS/ElasticBeanstalk"),
		MetricName:    jsii.String("EnvironmentHealth"),
		DimensionsMap: &map[string]*string{"EnvironmentName": props.EnvironmentName},
		Statistic:     jsii.String("Maximum"),
		Period:        period(healthSchedule),
		Label:         jsii.String("environment health (0 OK, 15 Warning, 20 Degraded, 25 Severe)"),
	})
	// The Network Load Balancer's host counts are reported per LoadBalancer
	// and TargetGroup ("CloudWatch metrics for your Network Load Balancer");
	// the CDK derives both dimensions from the ARNs.
	targetGroup := awselasticloadbalancingv2.NetworkTargetGroup_FromTargetGroupAttributes(b, jsii.String("TargetGroup"), &awselasticloadbalancingv2.TargetGroupAttributes{
		TargetGroupArn:   b.targetGroup,
		LoadBalancerArns: props.LoadBalancerArn,
	})
	hostMetric := func(m func(*awscloudwatch.MetricOptions) awscloudwatch.Metric, statistic, label string) awscloudwatch.Metric {
		return m(&awscloudwatch.MetricOptions{Statistic: jsii.String(statistic), Period: period(schedule), Label: jsii.String(label)})
	}
	unhealthy := hostMetric(targetGroup.Metrics().UnHealthyHostCount, "Maximum", "unhealthy hosts")

	b.alarms = []awscloudwatch.Alarm{
		newAlarm(b, "Health", alarmSpec{
			name:        prefix + "-health-degraded",
			description: fmt.Sprintf("Backend %s's enhanced health is Degraded or Severe.", props.Name),
			metric:      health,
			threshold:   healthDegraded,
			comparison:  awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			// Enhanced health publishes every minute while the environment
			// exists, reporting "No data" itself; silence means health
			// reporting broke, which an operator must hear about.
			missingData: awscloudwatch.TreatMissingData_BREACHING,
		}, healthSchedule, props.Topic),
		newAlarm(b, "UnhealthyHosts", alarmSpec{
			name:        prefix + "-unhealthy-hosts",
			description: fmt.Sprintf("Backend %s's load balancer sees an instance failing its health checks.", props.Name),
			metric:      unhealthy,
			threshold:   1,
			comparison:  awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			// Elastic Load Balancing reports nothing when nothing flows through
			// the load balancer: a quiet backend is not an unhealthy one.
			missingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
		}, schedule, props.Topic),
	}
	b.widgets = []awscloudwatch.IWidget{
		graph("Backend "+props.Name+": environment health", []awscloudwatch.IMetric{health},
			&awscloudwatch.HorizontalAnnotation{Value: jsii.Number(healthWarning), Label: jsii.String("Warning")},
			&awscloudwatch.HorizontalAnnotation{Value: jsii.Number(healthDegraded), Label: jsii.String("Degraded")}),
		graph("Backend "+props.Name+": load balancer hosts", []awscloudwatch.IMetric{
			hostMetric(targetGroup.Metrics().HealthyHostCount, "Minimum", "healthy hosts"),
			unhealthy,
		}),
	}
	return b
}

// lookUpTargetGroup adds a custom resource that asks Elastic Load Balancing
// for the load balancer's target group, which Beanstalk creates with the
// environment and CfnEnvironment does not expose. A new load balancer (a
// replaced environment) runs the lookup again.
func lookUpTargetGroup(scope cdkconstructs.Construct, loadBalancerArn *string, fn awslambda.IFunction) *string {
	resource := newLookup(scope, "TargetGroupLookup", "Custom::LoadBalancerTargetGroup",
		map[string]any{"LoadBalancerArn": loadBalancerArn}, fn)
	return resource.GetAttString(jsii.String("TargetGroupArn"))
}
