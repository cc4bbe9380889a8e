//go:build heavy

package stacks

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/testsupport/cdktest"
)

func TestAPIHasAVpcLinkPerBackendTargetingItsImportedNLB(t *testing.T) {
	tpl := template(t, "isolated/Api")
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::VpcLink"), jsii.Number(2))
		for _, backend := range []string{"blue", "green"} {
			tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::VpcLink"), map[string]any{
				"TargetArns": []any{map[string]any{"Fn::ImportValue": assertions.Match_StringLikeRegexp(
					jsii.String("^isolated-Backend-" + backend + ":ExportsOutputFnGetAttEnvironmentLoadBalancer"))}},
			})
		}
	})
}

// integration is the expected private integration of a method.
func integration(uri string, params any) map[string]any {
	return map[string]any{
		"Type":                  "HTTP_PROXY",
		"ConnectionType":        "VPC_LINK",
		"ConnectionId":          "${stageVariables.vpcLinkId}",
		"Uri":                   uri,
		"IntegrationHttpMethod": assertions.Match_AnyValue(),
		"RequestParameters":     params,
	}
}

func TestAPIIsRegionalAndProxiesEveryPathThroughStageVariables(t *testing.T) {
	tpl := template(t, "isolated/Api")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::RestApi"), map[string]any{
			"EndpointConfiguration": map[string]any{"Types": []any{"REGIONAL"}},
		})
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Resource"), map[string]any{"PathPart": "{proxy+}"})
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod":        "ANY",
			"ResourceId":        map[string]any{"Fn::GetAtt": []any{assertions.Match_AnyValue(), "RootResourceId"}},
			"AuthorizationType": "AWS_IAM",
			"Integration":       integration("http://${stageVariables.backendHost}/", map[string]any{}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod":         "ANY",
			"AuthorizationType":  "AWS_IAM",
			"RequestParameters":  map[string]any{"method.request.path.proxy": true},
			"RequestValidatorId": assertions.Match_AnyValue(),
			"Integration": integration("http://${stageVariables.backendHost}/{proxy}",
				map[string]any{"integration.request.path.proxy": "method.request.path.proxy"}),
		})
		// The explicit route passes its path parameter through.
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod":        "GET",
			"RequestParameters": map[string]any{"method.request.path.id": true},
			"Integration": integration("http://${stageVariables.backendHost}/orders/{id}",
				map[string]any{"integration.request.path.id": "method.request.path.id"}),
		})
		tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(3))
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::RequestValidator"), map[string]any{
			"ValidateRequestParameters": true,
		})
	})
}

func TestAPIStagesPointAtTheirBackendsWithThrottlingLogsAndMetrics(t *testing.T) {
	tpl := template(t, "isolated/Api")
	linkOf := func(backend string) map[string]any {
		return map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^VpcLink" + backend))}
	}
	hostOf := func(backend string) map[string]any {
		return map[string]any{"Fn::ImportValue": assertions.Match_StringLikeRegexp(
			jsii.String("^isolated-Backend-" + backend + ":ExportsOutputFnGetAttEnvironment[0-9A-F]{8}EndpointURL"))}
	}
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Stage"), jsii.Number(2))
		for stage, want := range map[string]struct {
			backend     string
			rate, burst float64
		}{"live": {"blue", 50, 100}, "preview": {"green", 100, 200}} {
			tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
				"StageName":      stage,
				"Variables":      map[string]any{"vpcLinkId": linkOf(want.backend), "backendHost": hostOf(want.backend)},
				"TracingEnabled": true,
				"AccessLogSetting": map[string]any{
					"DestinationArn": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^AccessLogs" + stage)), "Arn"}},
					"Format":         assertions.Match_StringLikeRegexp(jsii.String(`^\{"requestId":"\$context.requestId"`)),
				},
				"MethodSettings": []any{map[string]any{
					"HttpMethod": "*", "ResourcePath": "/*",
					"ThrottlingRateLimit": want.rate, "ThrottlingBurstLimit": want.burst,
					"MetricsEnabled": true, "LoggingLevel": "ERROR", "DataTraceEnabled": false,
				}},
			})
			tpl.HasOutput(jsii.String("Url"+stage), map[string]any{"Value": assertions.Match_AnyValue()})
		}
	})
}

func TestAPICanaryOverridesTheStageVariables(t *testing.T) {
	tpl := template(t, "isolated/Api")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
			"StageName": "live",
			"CanarySetting": map[string]any{
				"PercentTraffic": 10,
				"DeploymentId":   map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Deployment[0-9A-F]{8}"))},
				"StageVariableOverrides": map[string]any{
					"vpcLinkId":   map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^VpcLinkgreen"))},
					"backendHost": map[string]any{"Fn::ImportValue": assertions.Match_StringLikeRegexp(jsii.String("^isolated-Backend-green:"))},
				},
				"UseStageCache": false,
			},
		})
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
			"StageName": "preview", "CanarySetting": assertions.Match_Absent(),
		})
	})
}

func TestAPIWafProtectsEveryStageByDefault(t *testing.T) {
	tpl := template(t, "isolated/Api")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::WAFv2::WebACL"), map[string]any{
			"Scope": "REGIONAL",
			"Rules": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Name": "AWSManagedRulesCommonRuleSet"}),
				assertions.Match_ObjectLike(&map[string]any{"Name": "RateLimitPerClient"}),
			}),
		})
		tpl.ResourceCountIs(jsii.String("AWS::WAFv2::WebACLAssociation"), jsii.Number(2))
	})
	open := template(t, "nat/Api")
	cdktest.Check(t, func() {
		open.ResourceCountIs(jsii.String("AWS::WAFv2::WebACL"), jsii.Number(0))
		open.AllResourcesProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{"AuthorizationType": "NONE"})
	})
}

// TestAPIClaimsNoAccountSetting checks the Api stack leaves the account's
// one API Gateway setting to the ApiGatewayAccount stack, and keeps a log
// group per stage.
func TestAPIClaimsNoAccountSetting(t *testing.T) {
	tpl := template(t, "isolated/Api")
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Account"), jsii.Number(0))
		tpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(0))
		tpl.ResourceCountIs(jsii.String("AWS::Logs::LogGroup"), jsii.Number(2))
	})
}
