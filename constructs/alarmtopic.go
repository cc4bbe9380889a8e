package constructs

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs/settings"
)

// AlarmTopicProps configures an AlarmTopic.
type AlarmTopicProps struct {
	// DisplayName is the topic's display name, the sender name of its emails.
	// Default: none.
	DisplayName *string
	// Emails are subscribed to the topic; each address confirms its
	// subscription by email. Default: none.
	Emails []string
}

// AlarmTopic is an SNS topic for CloudWatch alarm notifications, encrypted
// with its own KMS key and refusing publishing without TLS.
type AlarmTopic interface {
	cdkconstructs.IConstruct
	// Topic is the SNS topic alarms notify.
	Topic() awssns.ITopic
}

type alarmTopic struct {
	cdkconstructs.Construct
	topic awssns.Topic
}

func (a *alarmTopic) Topic() awssns.ITopic { return a.topic }

// NewAlarmTopic creates the topic, its key and its email subscriptions.
func NewAlarmTopic(scope cdkconstructs.Construct, id string, props *AlarmTopicProps) AlarmTopic {
	if props == nil {
		props = &AlarmTopicProps{}
	}
	if err := settings.EmailProblems(props.Emails).Err("Emails"); err != nil {
		panic(fmt.Sprintf("constructs.NewAlarmTopic %q: %v", id, err))
	}
	a := &alarmTopic{}
	cdkconstructs.NewConstruct_Override(a, scope, &id)
	stack := awscdk.Stack_Of(a)

	key := awskms.NewKey(a, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the alarm notifications of " + *a.Node().Path()),
		EnableKeyRotation: jsii.Bool(true),
	})
	LimitGrantsToAWSServices(key)
	// CloudWatch can publish to an encrypted topic only when the key lets it
	// use the key; an AWS managed key cannot ("Enable compatibility between
	// event sources from AWS services and encrypted topics", SNS developer guide).
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsToPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
	}), nil)
	a.topic = awssns.NewTopic(a, jsii.String("Resource"), &awssns.TopicProps{
		DisplayName: props.DisplayName,
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// The topic's policy replaces SNS's default one, so it names the
	// publisher: CloudWatch, for alarms of this account only.
	a.topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsToPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*a.topic.TopicArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
	}))
	for _, email := range props.Emails {
		a.topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	return a
}
