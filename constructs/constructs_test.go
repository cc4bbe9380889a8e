package constructs

import (
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/cdktest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func TestLoadBalancerArnLooksUpTheEnvironmentItDependsOn(t *testing.T) {
	stack := awscdk.NewStack(nil, jsii.String("Test"), nil)
	env := awscdk.NewCfnResource(stack, jsii.String("Env"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::ElasticBeanstalk::Environment")})
	lookup := NewLoadBalancerArn(stack, "Lookup", &LoadBalancerArnProps{ApplicationName: jsii.String("app"), Environment: env})
	awscdk.NewCfnOutput(stack, jsii.String("Arn"), &awscdk.CfnOutputProps{Value: lookup.LoadBalancerArn()})
	tpl := assertions.Template_FromStack(stack, nil)
	cdktest.Check(t, func() {
		tpl.HasResource(jsii.String("Custom::AWS"), map[string]any{"DependsOn": assertions.Match_ArrayWith(&[]any{"Env"})})
		tpl.HasOutput(jsii.String("Arn"), map[string]any{"Value": map[string]any{
			"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Lookup")), "EnvironmentResources.LoadBalancers.0.Name"},
		}})
		tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 30})
	})
}

func TestLoadBalancerArnRejectsMissingProps(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewLoadBalancerArn accepted props without an environment")
		}
	}()
	NewLoadBalancerArn(awscdk.NewStack(nil, jsii.String("Bad"), nil), "Lookup", &LoadBalancerArnProps{ApplicationName: jsii.String("app")})
}

func TestStageVariableProxyRoutesEveryPathThroughTheVariables(t *testing.T) {
	stack := awscdk.NewStack(nil, jsii.String("Test"), nil)
	api := awsapigateway.NewRestApi(stack, jsii.String("Api"), nil)
	proxy := NewStageVariableProxy(stack, "Proxy", &StageVariableProxyProps{
		Api:    api,
		Routes: []ProxyRoute{{Path: "/a/{b}/{c+}", Methods: []string{"GET", "POST"}}},
	})
	if got := len(proxy.Methods()); got != 4 {
		t.Errorf("%d methods, want 4 (ANY /, ANY /{proxy+}, GET and POST of the route)", got)
	}
	if v := proxy.Variables(); len(v) != 2 || v[0] != VpcLinkIDVariable || v[1] != BackendHostVariable {
		t.Errorf("Variables() = %v", v)
	}
	tpl := assertions.Template_FromStack(stack, nil)
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod":        "POST",
			"RequestParameters": map[string]any{"method.request.path.b": true, "method.request.path.c": true},
			"Integration": map[string]any{
				"ConnectionType": "VPC_LINK",
				"ConnectionId":   "${stageVariables.vpcLinkId}",
				"Uri":            "http://${stageVariables.backendHost}/a/{b}/{c}",
				"RequestParameters": map[string]any{
					"integration.request.path.b": "method.request.path.b",
					"integration.request.path.c": "method.request.path.c",
				},
			},
		})
	})
}
