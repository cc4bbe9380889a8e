package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/nag"
	"privatebackend/internal/synthtiming"
)

// ApiGatewayAccountStackName is the CloudFormation name of every
// ApiGatewayAccount stack, whichever app or environment deploys it, so that
// an account and region has one, whose one AWS::ApiGateway::Account no
// environment claims.
const ApiGatewayAccountStackName = "ApiGatewayAccount"

// ApiGatewayAccount holds the one API Gateway setting of an account and
// region that the API stacks need: the role API Gateway writes access and
// execution logs with. "To avoid overwriting other roles, you should only
// have one AWS::ApiGateway::Account resource per region per account"
// (AWS::ApiGateway::Account), and without the role a stage with logging
// cannot be created ("CloudWatch Logs role ARN must be set in account
// settings to enable logging").
type ApiGatewayAccount struct {
	awscdk.Stack
	// Role is the role API Gateway writes logs to CloudWatch Logs with.
	Role awsiam.Role
}

// NewApiGatewayAccount creates the stack.
func NewApiGatewayAccount(scope cdkconstructs.Construct, id string, props *awscdk.StackProps) *ApiGatewayAccount {
	defer synthtiming.Stack("ApiGatewayAccount")()
	stackProps := awscdk.StackProps{}
	if props != nil {
		stackProps = *props
	}
	stackProps.StackName = jsii.String(ApiGatewayAccountStackName)
	stack := awscdk.NewStack(scope, &id, &stackProps)
	// The role and the policy "Set up CloudWatch logging for REST APIs in API
	// Gateway" documents.
	role := awsiam.NewRole(stack, jsii.String("CloudWatchRole"), &awsiam.RoleProps{
		Description: jsii.String("API Gateway writes the access and execution logs of every REST API of this account and region with this role"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("service-role/AmazonAPIGatewayPushToCloudWatchLogs")),
		},
	})
	// "When you delete a stack containing this resource, API Gateway can still
	// assume the provided IAM role" (AWS::ApiGateway::Account): the role stays,
	// so deleting this stack does not stop the APIs' logging.
	role.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	nag.Suppress(role, "AwsSolutions-IAM4", "AmazonAPIGatewayPushToCloudWatchLogs is the policy API Gateway documents for the account's logging role, needed for access and execution logs.",
		nag.ManagedPolicy("service-role/AmazonAPIGatewayPushToCloudWatchLogs"))
	account := awsapigateway.NewCfnAccount(stack, jsii.String("Account"), &awsapigateway.CfnAccountProps{CloudWatchRoleArn: role.RoleArn()})
	account.Node().AddDependency(role)
	return &ApiGatewayAccount{Stack: stack, Role: role}
}
