// Package constructs holds reusable pieces that know nothing of
// environments or configuration files: they take props and build resources.
package constructs

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// LoadBalancerArnProps configures a LoadBalancerArn lookup.
type LoadBalancerArnProps struct {
	// Environment is the Beanstalk environment whose load balancer is wanted;
	// the lookup runs after it is created and again whenever its name
	// changes, that is whenever CloudFormation replaces it. Required.
	Environment awscdk.CfnResource
	// LookupFunction answers the lookup. Default: the stack's own
	// LookupFunction, created on first use.
	LookupFunction awslambda.IFunction
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
	if props == nil || props.Environment == nil {
		panic(fmt.Sprintf("constructs.NewLoadBalancerArn %q: Environment is required", id))
	}
	c := &loadBalancerArn{}
	cdkconstructs.NewConstruct_Override(c, scope, &id)
	resource := newLookup(c, "Resource", "Custom::EnvironmentLoadBalancer",
		map[string]any{"EnvironmentName": props.Environment.Ref()}, props.LookupFunction)
	// A replaced environment has a new name, so the lookup runs again.
	c.arn = resource.GetAttString(jsii.String("LoadBalancerArn"))
	return c
}
