// Package constructs holds reusable pieces that know nothing of
// environments or configuration files: they take props and build resources.
package constructs

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// loadBalancerPath is where DescribeEnvironmentResources puts the load
// balancer; for an ELBv2 load balancer its "Name" is the ARN.
const loadBalancerPath = "EnvironmentResources.LoadBalancers.0.Name"

// LoadBalancerArnProps configures a LoadBalancerArn lookup.
type LoadBalancerArnProps struct {
	// ApplicationName is the Beanstalk application of the environment. Required.
	ApplicationName *string
	// Environment is the Beanstalk environment whose load balancer is wanted;
	// the lookup depends on it and re-runs whenever its name changes, that is
	// whenever CloudFormation replaces it. Required.
	Environment awscdk.CfnResource
	// LogRetention is how long the lookup function's logs are kept.
	// Default: awslogs.RetentionDays_ONE_MONTH.
	LogRetention awslogs.RetentionDays
}

// LoadBalancerArn resolves, at deploy time, the ARN of the load balancer
// that Elastic Beanstalk created for an environment: CfnEnvironment does not
// expose it.
type LoadBalancerArn interface {
	cdkconstructs.IConstruct
	// LoadBalancerArn is the ARN of the environment's load balancer (a token).
	LoadBalancerArn() *string
}

type loadBalancerArn struct {
	cdkconstructs.Construct
	arn *string
}

func (l *loadBalancerArn) LoadBalancerArn() *string { return l.arn }

// NewLoadBalancerArn adds a custom resource that calls Beanstalk's
// DescribeEnvironmentResources for the environment and reads its load balancer.
func NewLoadBalancerArn(scope cdkconstructs.Construct, id string, props *LoadBalancerArnProps) LoadBalancerArn {
	if props == nil || props.ApplicationName == nil || props.Environment == nil {
		panic(fmt.Sprintf("constructs.NewLoadBalancerArn %q: ApplicationName and Environment are required", id))
	}
	c := &loadBalancerArn{}
	cdkconstructs.NewConstruct_Override(c, scope, &id)
	stack := awscdk.Stack_Of(c)
	envName := props.Environment.Ref()
	call := &customresources.AwsSdkCall{
		Service:    jsii.String("ElasticBeanstalk"),
		Action:     jsii.String("describeEnvironmentResources"),
		Parameters: map[string]any{"EnvironmentName": envName},
		// The environment's name is the physical id: a replaced environment
		// has a new name, so the lookup runs again and reports the new ARN.
		PhysicalResourceId: customresources.PhysicalResourceId_Of(envName),
		OutputPaths:        jsii.Strings(loadBalancerPath),
	}
	logRetention := props.LogRetention
	if logRetention == "" {
		logRetention = awslogs.RetentionDays_ONE_MONTH
	}
	resource := customresources.NewAwsCustomResource(c, jsii.String("Resource"), &customresources.AwsCustomResourceProps{
		OnCreate:            call,
		OnUpdate:            call,
		InstallLatestAwsSdk: jsii.Bool(false),
		LogGroup: awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
			Retention:     logRetention,
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		}),
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions: jsii.Strings("elasticbeanstalk:DescribeEnvironmentResources"),
				Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
					Service:      jsii.String("elasticbeanstalk"),
					Resource:     jsii.String("environment"),
					ResourceName: awscdk.Fn_Join(jsii.String("/"), jsii.Strings(*props.ApplicationName, *envName)),
				})),
			}),
			// Beanstalk answers DescribeEnvironmentResources by reading the
			// environment's own CloudFormation stack with the caller's rights.
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions: jsii.Strings("cloudformation:DescribeStackResource", "cloudformation:DescribeStackResources"),
				Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
					Service:      jsii.String("cloudformation"),
					Resource:     jsii.String("stack"),
					ResourceName: jsii.String("awseb-e-*"),
				})),
			}),
		}),
	})
	resource.Node().AddDependency(props.Environment)
	c.arn = resource.GetResponseField(jsii.String(loadBalancerPath))
	return c
}
