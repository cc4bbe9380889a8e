package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticbeanstalk"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/constructs"
)

// BackendProps configures one backend stack.
type BackendProps struct {
	awscdk.StackProps
	// Backend is the backend's validated configuration.
	Backend *config.Backend
	// Vpc is the environment's VPC.
	Vpc awsec2.IVpc
	// Subnets are the private subnets for the instances and the load balancer.
	Subnets []awsec2.ISubnet
	// BundlePath is the directory of the application bundled as the
	// application version.
	BundlePath string
	// LookupFunction answers the backend's deploy-time lookups.
	LookupFunction awslambda.IFunction
	// AlarmTopic is notified by the backend's alarms.
	AlarmTopic awssns.ITopic
	// Monitoring is the environment's validated monitoring configuration.
	Monitoring config.Monitoring
}

// Backend is an Elastic Beanstalk application and its private environment
// behind an internal Network Load Balancer.
type Backend struct {
	awscdk.Stack
	// Environment is the backend's private Beanstalk environment.
	Environment constructs.PrivateBeanstalkEnvironment
	// Monitoring holds the backend's alarms and dashboard widgets.
	Monitoring constructs.BackendMonitoring
}

// NewBackend creates a backend stack.
func NewBackend(scope cdkconstructs.Construct, id string, props *BackendProps) *Backend {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	cfg := props.Backend

	bundle := awss3assets.NewAsset(stack, jsii.String("Bundle"), &awss3assets.AssetProps{Path: &props.BundlePath})
	app := awselasticbeanstalk.NewCfnApplication(stack, jsii.String("Application"), &awselasticbeanstalk.CfnApplicationProps{
		Description: jsii.String("Backend " + cfg.Name + " (" + *stack.StackName() + ")"),
	})
	version := awselasticbeanstalk.NewCfnApplicationVersion(stack, jsii.String("Version"), &awselasticbeanstalk.CfnApplicationVersionProps{
		ApplicationName: app.Ref(),
		SourceBundle: &awselasticbeanstalk.CfnApplicationVersion_SourceBundleProperty{
			S3Bucket: bundle.S3BucketName(),
			S3Key:    bundle.S3ObjectKey(),
		},
	})
	env := constructs.NewPrivateBeanstalkEnvironment(stack, "Environment", &constructs.PrivateBeanstalkEnvironmentProps{
		ApplicationName: app.Ref(),
		VersionLabel:    version.Ref(),
		Description:     jsii.String("Backend " + cfg.Name + ": private, behind an internal Network Load Balancer"),
		Vpc:             props.Vpc,
		Subnets:         props.Subnets,
		Beanstalk:       cfg.Beanstalk,
		LookupFunction:  props.LookupFunction,
		EnvironmentVariables: map[string]string{
			"BACKEND_NAME":    cfg.Name,
			"BACKEND_VERSION": cfg.AppVersion,
		},
	})
	b := &Backend{
		Stack:       stack,
		Environment: env,
		Monitoring: constructs.NewBackendMonitoring(stack, "Monitoring", &constructs.BackendMonitoringProps{
			Name:            cfg.Name,
			EnvironmentName: env.EnvironmentName(),
			LoadBalancerArn: env.LoadBalancerArn(),
			Topic:           props.AlarmTopic,
			Schedule:        props.Monitoring.AlarmSchedule,
			LookupFunction:  props.LookupFunction,
		}),
	}
	// Explicit exports outlive their importers, so the API stack (its VPC
	// link, stage variables and dashboard) can stop using this backend before
	// the backend itself is removed.
	for _, value := range []*string{env.LoadBalancerArn(), env.LoadBalancerDNSName(), env.EnvironmentName(), b.Monitoring.TargetGroupArn()} {
		stack.ExportValue(value, nil)
	}
	for _, alarm := range b.Monitoring.Alarms() {
		stack.ExportValue(alarm.AlarmArn(), nil)
	}
	return b
}
