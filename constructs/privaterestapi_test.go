//go:build heavy

package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs"
	"privatebackend/constructs/settings"
	"privatebackend/internal/testsupport/cdktest"
)

func TestPrivateRestApiRoutesEveryPathThroughTheStageVariables(t *testing.T) {
	stack := newStack()
	api := constructs.NewPrivateRestApi(stack, "Api", &constructs.PrivateRestApiProps{
		Routes: []settings.Route{{Path: "/a/{b}/{c+}", Methods: []string{"GET", "POST"}}},
	})
	for _, name := range []string{"blue", "green"} {
		api.AddBackend(name, awselasticloadbalancingv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(stack, jsii.String("Nlb-"+name),
			&awselasticloadbalancingv2.NetworkLoadBalancerAttributes{
				LoadBalancerArn:     jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/" + name + "/0123456789abcdef"),
				LoadBalancerDnsName: jsii.String(name + ".elb.eu-west-1.amazonaws.com"),
			}))
	}
	api.AddStage("live", &constructs.StageOptions{Backend: "blue", Stage: settings.Stage{Canary: &settings.Canary{Backend: "green", Percent: 25}}})
	if got := len(api.Methods()); got != 4 {
		t.Errorf("%d methods, want 4 (ANY /, ANY /{proxy+}, GET and POST of the route)", got)
	}
	tpl := templateOf(stack)
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
