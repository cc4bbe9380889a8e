package constructs

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/nag"
)

// The deploy-time lookups are AwsCustomResources, which share one
// singleton function per stack; newLookup gives that function one log
// group and records its accepted finding once.

const (
	// lookupFunctionID is the id the CDK gives the AwsCustomResource singleton.
	lookupFunctionID = "AWS679f53fac002430cb0da5b7982bd2287"
	// lookupLogsID is the id of the singleton's log group in the stack.
	lookupLogsID = "LookupLogs"
)

// newLookup adds an AwsCustomResource that makes call when it is created
// and whenever call changes, with only the permissions in statements. The
// first lookup of a stack also creates the shared log group (logs kept a
// month) and records the accepted finding on the singleton function's role.
func newLookup(scope cdkconstructs.Construct, id string, call *customresources.AwsSdkCall, statements ...awsiam.PolicyStatement) customresources.AwsCustomResource {
	stack := awscdk.Stack_Of(scope)
	existing := stack.Node().TryFindChild(jsii.String(lookupLogsID))
	var logs awslogs.ILogGroup
	if existing != nil {
		logs = existing.(awslogs.ILogGroup)
	} else {
		logs = awslogs.NewLogGroup(stack, jsii.String(lookupLogsID), &awslogs.LogGroupProps{
			Retention:     awslogs.RetentionDays_ONE_MONTH,
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		})
	}
	resource := customresources.NewAwsCustomResource(scope, jsii.String(id), &customresources.AwsCustomResourceProps{
		OnCreate:            call,
		OnUpdate:            call,
		InstallLatestAwsSdk: jsii.Bool(false),
		LogGroup:            logs,
		Policy:              customresources.AwsCustomResourcePolicy_FromStatements(&statements),
	})
	if existing == nil {
		nag.SuppressPath(stack, lookupFunctionID+"/ServiceRole/Resource", "AwsSolutions-IAM4", "The CDK's AwsCustomResource function uses AWSLambdaBasicExecutionRole to write its own logs; its API permissions are separate inline policies, one per lookup, each limited to that lookup's calls.",
			nag.ManagedPolicy("service-role/AWSLambdaBasicExecutionRole"))
	}
	return resource
}
