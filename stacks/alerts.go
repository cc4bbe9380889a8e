package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/constructs"
)

// AlertsProps configures the alerts stack.
type AlertsProps struct {
	awscdk.StackProps
	// Monitoring is the environment's validated monitoring configuration.
	Monitoring config.Monitoring
}

// Alerts holds the one alarm topic of an environment, which the alarms of
// every other stack notify.
type Alerts struct {
	awscdk.Stack
	// Topic is the alarm topic.
	Topic awssns.ITopic
}

// NewAlerts creates the alerts stack.
func NewAlerts(scope cdkconstructs.Construct, id string, props *AlertsProps) *Alerts {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	topic := constructs.NewAlarmTopic(stack, "AlarmTopic", &constructs.AlarmTopicProps{
		DisplayName: jsii.String(*stack.StackName() + " alarms"),
		Emails:      props.Monitoring.Emails,
	}).Topic()
	// Explicit exports outlive their importers: a stack that stops
	// importing the topic can be deployed before this one changes.
	stack.ExportValue(topic.TopicArn(), nil)
	return &Alerts{Stack: stack, Topic: topic}
}
