package preflight

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

var apiGatewayAccountPermissions = []string{"apigateway:GET"}

// apiGatewayAccount checks the region's API Gateway account setting
// cloudwatchRoleArn (GET /account): a stage with execution or access logging
// needs it. "To enable CloudWatch Logs, you must grant API Gateway
// permission to read and write logs to CloudWatch for your account" ("Set up
// CloudWatch logging for REST APIs in API Gateway"); without it creating
// such a stage fails with "CloudWatch Logs role ARN must be set in account
// settings to enable logging" (e.g. sst/ion#373). The setting is one per
// account and region (AWS::ApiGateway::Account), so no environment owns it:
// the ApiGatewayAccount stage's stacks set it.
func (r *runner) apiGatewayAccount(ctx context.Context) Result {
	const name = "api gateway logging"
	out, err := r.apigateway.GetAccount(ctx, &apigateway.GetAccountInput{})
	if err != nil {
		return r.failed(ctx, name, "apigateway:GET /account", err)
	}
	if role := aws.ToString(out.CloudwatchRoleArn); role != "" {
		return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("API Gateway writes logs in %s as %s", r.region, role)}
	}
	return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("API Gateway in %s has no CloudWatch Logs role (account setting cloudwatchRoleArn), which the stages' access and execution logs need: deploy the ApiGatewayAccount stacks first (cdk deploy 'ApiGatewayAccount/*', see README)", r.region)}
}
