package constructs

import (
	_ "embed"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/nag"
)

// The deploy-time lookups (a platform version, an environment's load
// balancer, its target group) are custom resources served by one Lambda
// function per stack, whose handler is lookup.js. Not the CDK's
// AwsCustomResource: its handler tries a denied call once, and a lookup runs
// right after its permission is created, before IAM has propagated it
// (aws/aws-cdk#37675, #23340, #37085; the retry of aws/aws-cdk#37878 is not
// merged), and it cannot tell a denied ListPlatformVersions, which answers
// an empty list, from a branch that does not exist.

//go:embed lookup.js
var lookupHandler string

const (
	// lookupFunctionID is the id of a stack's lookup function.
	lookupFunctionID = "LookupFunction"
	// lookupTimeout bounds one lookup: the handler's retries take at most
	// about four minutes of it.
	lookupTimeout = 5
)

// lookupFunction returns the stack's lookup function, creating it with its
// role and log group on first use. Its role has no permission of its own
// but to write its logs: each lookup adds the calls it makes.
func lookupFunction(scope cdkconstructs.Construct) awslambda.Function {
	stack := awscdk.Stack_Of(scope)
	if existing := stack.Node().TryFindChild(jsii.String(lookupFunctionID)); existing != nil {
		return existing.(awslambda.Function)
	}
	logs := awslogs.NewLogGroup(stack, jsii.String("LookupLogs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_MONTH,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(stack, jsii.String("LookupRole"), &awsiam.RoleProps{
		Description: jsii.String("Deploy-time lookups of " + *stack.StackName()),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	logs.GrantWrite(role)
	fn := awslambda.NewFunction(stack, jsii.String(lookupFunctionID), &awslambda.FunctionProps{
		Description: jsii.String("Deploy-time lookups of " + *stack.StackName()),
		// The Node.js 24 runtime includes the AWS SDK for JavaScript v3
		// ("Building Lambda functions with Node.js"), which the handler uses.
		Runtime:    awslambda.Runtime_NODEJS_24_X(),
		Handler:    jsii.String("index.handler"),
		Code:       awslambda.Code_FromInline(jsii.String(lookupHandler)),
		Timeout:    awscdk.Duration_Minutes(jsii.Number(lookupTimeout)),
		MemorySize: jsii.Number(256),
		Role:       role,
		LogGroup:   logs,
	})
	// Every permission a lookup gets is on this role, so the function, and
	// every lookup after it, is created only once all of them exist.
	fn.Node().AddDependency(role)
	nag.Suppress(role, "AwsSolutions-IAM5", "The lookups only read: elasticbeanstalk:ListPlatformVersions names no platform version (its platform resource type is optional, so IAM authorizes it against \"*\"), and the Describe actions of Auto Scaling, EC2 and Elastic Load Balancing, some of which Beanstalk runs with the caller's rights, support no resource-level permissions (Service Authorization Reference).",
		"Resource::*")
	return fn
}

// newLookup adds a custom resource of resourceType, answered by the stack's
// lookup function with properties, and allows the function the calls in
// statements.
func newLookup(scope cdkconstructs.Construct, id, resourceType string, properties map[string]any, statements ...awsiam.PolicyStatement) awscdk.CustomResource {
	fn := lookupFunction(scope)
	for _, s := range statements {
		fn.Role().AddToPrincipalPolicy(s)
	}
	return awscdk.NewCustomResource(scope, jsii.String(id), &awscdk.CustomResourceProps{
		ServiceToken: fn.FunctionArn(),
		ResourceType: jsii.String(resourceType),
		Properties:   &properties,
		// A lookup that does not answer fails the stack after the function's
		// own timeout rather than CloudFormation's default hour.
		ServiceTimeout: awscdk.Duration_Minutes(jsii.Number(lookupTimeout + 1)),
	})
}
