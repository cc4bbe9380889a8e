package constructs

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/nag"
)

// The deploy-time lookups are AwsCustomResources, which share one
// singleton function per stack; these helpers give that function one log
// group and record its accepted findings once.

const (
	// lookupFunctionID is the id the CDK gives the AwsCustomResource singleton.
	lookupFunctionID = "AWS679f53fac002430cb0da5b7982bd2287"
	// lookupLogsID is the id of the singleton's log group in the stack.
	lookupLogsID = "LookupLogs"
)

// lookupLogGroup returns the stack's log group for the lookup function,
// creating it on first use (first is then true); logs are kept a month.
func lookupLogGroup(stack awscdk.Stack) (group awslogs.ILogGroup, first bool) {
	if existing := stack.Node().TryFindChild(jsii.String(lookupLogsID)); existing != nil {
		return existing.(awslogs.ILogGroup), false
	}
	return awslogs.NewLogGroup(stack, jsii.String(lookupLogsID), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_MONTH,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	}), true
}

// suppressLookupFunction accepts the finding on the singleton function's
// role. Call it once per stack, after the first lookup created the function.
func suppressLookupFunction(stack awscdk.Stack) {
	nag.SuppressPath(stack, lookupFunctionID+"/ServiceRole/Resource", "AwsSolutions-IAM4", "The CDK's AwsCustomResource function uses AWSLambdaBasicExecutionRole to write its own logs; its API permissions are separate inline policies, one per lookup, each limited to that lookup's calls.",
		nag.ManagedPolicy("service-role/AWSLambdaBasicExecutionRole"))
}
