package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/nag"
)

// ApiGatewayAccountStackName is the CloudFormation name of every
// ApiGatewayAccount stack, whichever app or environment deploys it, so that
// an account and region has one, whose one AWS::ApiGateway::Account no
// environment claims; ApiGatewayAccountRoleStackName names the stack of its
// role.
const (
	ApiGatewayAccountStackName     = "ApiGatewayAccount"
	ApiGatewayAccountRoleStackName = "ApiGatewayAccountRole"
)

// ApiGatewayAccount holds the one API Gateway setting of an account and
// region that the API stacks need: the role API Gateway writes access and
// execution logs with. "To avoid overwriting other roles, you should only
// have one AWS::ApiGateway::Account resource per region per account"
// (AWS::ApiGateway::Account), and without the role a stage with logging
// cannot be created ("CloudWatch Logs role ARN must be set in account
// settings to enable logging").
type ApiGatewayAccount struct {
	// RoleStack holds Role.
	RoleStack awscdk.Stack
	// Role is the role API Gateway writes logs with.
	Role awsiam.Role
	// Account is the stack that sets the account's role.
	Account awscdk.Stack
}

// NewApiGatewayAccount creates the two stacks in scope (a Stage): the role
// first, in a stack of its own, then the account setting, which names it.
// API Gateway checks the role when the setting is made and refuses one IAM
// has not propagated yet ("The role ARN does not have required permissions
// set to API Gateway", aws/aws-cdk#2194, aws-cloudformation/rain#163); the
// stack boundary puts a whole stack deployment between the two.
func NewApiGatewayAccount(scope cdkconstructs.Construct, props *awscdk.StackProps) *ApiGatewayAccount {
	base := awscdk.StackProps{}
	if props != nil {
		base = *props
	}
	a := &ApiGatewayAccount{}
	roleProps := base
	roleProps.StackName = jsii.String(ApiGatewayAccountRoleStackName)
	a.RoleStack = awscdk.NewStack(scope, jsii.String("Role"), &roleProps)
	// The role and the policy "Set up CloudWatch logging for REST APIs in
	// API Gateway" documents.
	a.Role = awsiam.NewRole(a.RoleStack, jsii.String("CloudWatchRole"), &awsiam.RoleProps{
		Description: jsii.String("API Gateway writes the access and execution logs of every REST API of this account and region with this role"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("service-role/AmazonAPIGatewayPushToCloudWatchLogs")),
		},
	})
	// "When you delete a stack containing this resource, API Gateway can
	// still assume the provided IAM role" (AWS::ApiGateway::Account): the
	// role stays, so deleting these stacks does not stop the APIs' logging.
	a.Role.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	nag.Suppress(a.Role, "AwsSolutions-IAM4", "AmazonAPIGatewayPushToCloudWatchLogs is the policy API Gateway documents for the account's logging role, needed for access and execution logs.",
		nag.ManagedPolicy("service-role/AmazonAPIGatewayPushToCloudWatchLogs"))
	// Explicit exports outlive their importers.
	a.RoleStack.ExportValue(a.Role.RoleArn(), nil)
	accountProps := base
	accountProps.StackName = jsii.String(ApiGatewayAccountStackName)
	a.Account = awscdk.NewStack(scope, jsii.String("Logging"), &accountProps)
	awsapigateway.NewCfnAccount(a.Account, jsii.String("Account"), &awsapigateway.CfnAccountProps{CloudWatchRoleArn: a.Role.RoleArn()})
	return a
}
