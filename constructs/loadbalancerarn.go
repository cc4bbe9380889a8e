// Package constructs holds reusable pieces that know nothing of
// environments or configuration files: they take props and build resources.
package constructs

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/nag"
)

// loadBalancerPath is where DescribeEnvironmentResources puts the load
// balancer; for an ELBv2 load balancer its "Name" is the ARN.
const loadBalancerPath = "EnvironmentResources.LoadBalancers.0.Name"

// loadBalancerReadActions are the read-only actions Beanstalk performs with
// the caller's rights to answer DescribeEnvironmentResources, which fails with
// InsufficientPrivileges when the caller lacks rights "for one or more
// downstream AWS services" (DescribeEnvironmentResources API reference). They
// are the reads of the AWSElasticBeanstalkReadOnly managed policy that cover
// what the answer lists: Auto Scaling groups and their instances, launch
// configurations and templates, triggers and load balancers. None of them
// supports resource-level permissions (Service Authorization Reference for
// Amazon EC2 Auto Scaling, Amazon EC2 and Elastic Load Balancing V2).
var loadBalancerReadActions = []string{
	"autoscaling:DescribeAutoScalingGroups",
	"autoscaling:DescribeAutoScalingInstances",
	"autoscaling:DescribeLaunchConfigurations",
	"autoscaling:DescribePolicies",
	"ec2:DescribeInstances",
	"ec2:DescribeLaunchTemplates",
	"elasticloadbalancing:DescribeLoadBalancers",
}

// LoadBalancerArnProps configures a LoadBalancerArn lookup.
type LoadBalancerArnProps struct {
	// ApplicationName is the Beanstalk application of the environment. Required.
	ApplicationName *string
	// Environment is the Beanstalk environment whose load balancer is wanted;
	// the lookup depends on it and re-runs whenever its name changes, that is
	// whenever CloudFormation replaces it. Required.
	Environment awscdk.CfnResource
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
	resource := newLookup(c, "Resource", call,
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("elasticbeanstalk:DescribeEnvironmentResources"),
			Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
				Service:      jsii.String("elasticbeanstalk"),
				Resource:     jsii.String("environment"),
				ResourceName: awscdk.Fn_Join(jsii.String("/"), jsii.Strings(*props.ApplicationName, *envName)),
			})),
		}),
		// Beanstalk finds the environment's resources in its own
		// CloudFormation stack, named awseb-e-<id>-stack, with the caller's rights.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("cloudformation:DescribeStackResource", "cloudformation:DescribeStackResources"),
			Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
				Service:      jsii.String("cloudformation"),
				Resource:     jsii.String("stack"),
				ResourceName: jsii.String("awseb-e-*"),
			})),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(loadBalancerReadActions...),
			Resources: jsii.Strings("*"),
		}),
	)
	nag.Suppress(resource, "AwsSolutions-IAM5", "Beanstalk names the environment's CloudFormation stack awseb-e-<id>-stack at deploy time; the wildcard covers only those stacks, and only the two read actions DescribeEnvironmentResources needs there.",
		nag.Regex(`^Resource::arn:.+:cloudformation:.+:stack/awseb-e-\*$`))
	nag.Suppress(resource, "AwsSolutions-IAM5", "DescribeEnvironmentResources reads the environment's Auto Scaling group, instances, launch configuration or template, scaling policies and load balancer with the caller's rights; these Describe actions support no resource-level permissions, so IAM only accepts Resource \"*\" for them.",
		"Resource::*")
	resource.Node().AddDependency(props.Environment)
	c.arn = resource.GetResponseField(jsii.String(loadBalancerPath))
	return c
}
