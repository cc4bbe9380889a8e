//go:build heavy

package constructs

// The front door's constructs on their own (issue 27): what their props
// refuse, and what a small stack of them holds. The stacks' tests cover
// them as the app builds them.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs/settings"
	"privatebackend/internal/testsupport/cdktest"
)

// frontDoorPanic runs f and returns what it panicked with, or "".
func frontDoorPanic(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// servicesAPI is a PrivateRestApi with a default service and an "orders"
// service, and backends blue, green and ordersblue.
func servicesAPI(stack awscdk.Stack, props *PrivateRestApiProps) PrivateRestApi {
	if props.Routes == nil {
		props.Routes = []settings.Route{{Path: "/orders/{proxy+}", Service: "orders"}}
	}
	api := NewPrivateRestApi(stack, "Api", props)
	for _, name := range []string{"blue", "green", "ordersblue"} {
		api.AddBackend(name, awselasticloadbalancingv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(stack, jsii.String("Nlb-"+name),
			&awselasticloadbalancingv2.NetworkLoadBalancerAttributes{
				LoadBalancerArn:     jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/" + name + "/0123456789abcdef"),
				LoadBalancerDnsName: jsii.String(name + ".elb.eu-west-1.amazonaws.com"),
			}))
	}
	return api
}

func TestPrivateRestApiRefusesStagesThatMissOrInventAService(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Services"), nil)
	api := servicesAPI(stack, &PrivateRestApiProps{})
	for _, c := range []struct {
		options *StageOptions
		want    string
	}{
		{&StageOptions{Backend: "blue"}, `Backends.orders: "" is not a backend of this API`},
		{&StageOptions{Backend: "blue", Backends: map[string]string{"orders": "ordersblue", "billing": "blue"}}, `Backends.billing: no route names service "billing"`},
		{&StageOptions{Backend: "blue", Backends: map[string]string{"orders": "purple"}}, `Backends.orders: "purple" is not a backend of this API`},
		{&StageOptions{Backend: "blue", Backends: map[string]string{"orders": "ordersblue"}, Stage: settings.Stage{Canary: &settings.Canary{Percent: 10, Backends: map[string]string{"catalog": "green"}}}},
			`canary.backends.catalog: no route names service "catalog"`},
	} {
		if msg := frontDoorPanic(func() { api.AddStage("live", c.options) }); !strings.Contains(msg, c.want) {
			t.Errorf("AddStage(%+v) panicked with %q; want it to say %q", c.options, msg, c.want)
		}
	}
}

func TestPrivateRestApiRefusesAuthorizationsItDoesNotHave(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Authorization"), nil)
	for _, c := range []struct {
		props PrivateRestApiProps
		want  string
	}{
		{PrivateRestApiProps{Authorizer: "users"}, `Authorizer: "users" is not an authorizer of Authorizers`},
		{PrivateRestApiProps{Routes: []settings.Route{{Path: "/a", Authorization: "partners"}}}, `Routes[0].authorization: "partners" is not an authorizer`},
		{PrivateRestApiProps{Routes: []settings.Route{{Path: "/a", Scopes: []string{"a/read"}}}}, `Routes[0].scopes: need a Cognito user pools authorizer`},
	} {
		if msg := frontDoorPanic(func() { NewPrivateRestApi(stack, "Api", &c.props) }); !strings.Contains(msg, c.want) {
			t.Errorf("NewPrivateRestApi(%+v) panicked with %q; want it to say %q", c.props, msg, c.want)
		}
	}
}

func TestCustomDomainRefusesWhatAPIGatewayRefuses(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Domains"), nil)
	props := func() *CustomDomainProps {
		return &CustomDomainProps{DomainName: jsii.String("api.example.com"), CertificateArn: jsii.String("arn:aws:acm:eu-west-1:111111111111:certificate/x")}
	}
	withTrust := props()
	withTrust.TruststoreUri = jsii.String("s3://truststores/api.pem")
	if msg := frontDoorPanic(func() { NewCustomDomain(stack, "Tls13", withTrust) }); !strings.Contains(msg, "mutual TLS needs a legacy security policy (TLS_1_2)") {
		t.Errorf("mutual TLS with the default enhanced policy: %q", msg)
	}
	if msg := frontDoorPanic(func() { NewCustomDomain(stack, "Bare", &CustomDomainProps{}) }); !strings.Contains(msg, "props miss DomainName, CertificateArn") {
		t.Errorf("no props: %q", msg)
	}
	api := servicesAPI(stack, &PrivateRestApiProps{})
	live := api.AddStage("live", &StageOptions{Backend: "blue", Backends: map[string]string{"orders": "ordersblue"}})
	preview := api.AddStage("preview", &StageOptions{Backend: "green", Backends: map[string]string{"orders": "ordersblue"}})
	domain := NewCustomDomain(stack, "Domain", props())
	domain.MapStage("live", live, "")
	if msg := frontDoorPanic(func() { domain.MapStage("preview", preview, "") }); !strings.Contains(msg, `base path "" is taken`) {
		t.Errorf("two stages at the root: %q", msg)
	}
	if msg := frontDoorPanic(func() { domain.AddHeaderRoute("live", live, "x-stage", []string{""}) }); !strings.Contains(msg, "made without RoutingRules") {
		t.Errorf("a header route without routing rules: %q", msg)
	}
}

func TestCustomDomainServesItsStagesWithTheirBasePaths(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Domain"), nil)
	api := servicesAPI(stack, &PrivateRestApiProps{})
	stages := map[string]awsapigateway.Stage{}
	for name, backend := range map[string]string{"live": "blue", "preview": "green"} {
		stages[name] = api.AddStage(name, &StageOptions{Backend: backend, Backends: map[string]string{"orders": "ordersblue"}})
	}
	domain := NewCustomDomain(stack, "Domain", &CustomDomainProps{
		DomainName: jsii.String("api.example.com"), CertificateArn: jsii.String("arn:aws:acm:eu-west-1:111111111111:certificate/x"),
		SecurityPolicy: jsii.String("TLS_1_2"), TruststoreUri: jsii.String("s3://truststores/api.pem"), RoutingRules: true,
	})
	domain.MapStage("live", stages["live"], "")
	domain.MapStage("preview", stages["preview"], "preview")
	domain.AddHeaderRoute("preview", stages["preview"], "x-stage", []string{"", "preview"})
	tpl := assertions.Template_FromStack(stack, nil)
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::DomainName"), map[string]any{
			"SecurityPolicy":          "TLS_1_2",
			"EndpointAccessMode":      assertions.Match_Absent(),
			"MutualTlsAuthentication": map[string]any{"TruststoreUri": "s3://truststores/api.pem"},
			"RoutingMode":             "ROUTING_RULE_THEN_BASE_PATH_MAPPING",
		})
		tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::BasePathMapping"), jsii.Number(2))
		// One rule for requests at preview's base path, one for the rest.
		tpl.ResourceCountIs(jsii.String("AWS::ApiGatewayV2::RoutingRule"), jsii.Number(2))
		tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::RoutingRule"), map[string]any{
			"Priority": settings.RoutingRulePriority("preview", true),
			"Actions":  []any{map[string]any{"InvokeApi": assertions.Match_ObjectLike(&map[string]any{"StripBasePath": false})}},
		})
		// Each service reads its own stage variables.
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"Integration": assertions.Match_ObjectLike(&map[string]any{
				"ConnectionId": "${stageVariables.ordersVpcLinkId}", "Uri": "http://${stageVariables.ordersHost}/orders/{proxy}",
			}),
		})
	})
	if p, q := settings.RoutingRulePriority("live", false), settings.RoutingRulePriority("live", true); p < 1 || p > 500000 || q != p+500000 {
		t.Errorf("priorities of live: %d and %d; want 1-500000 and that plus 500000", p, q)
	}
}

// Closing the default endpoint takes effect only with a new deployment
// ("Disable the default endpoint for REST APIs"), so turning it on or off
// must change the deployment's logical id: the CDK's Deployment hashes the
// RestApi's own properties into it (aws-cdk-lib apigateway deployment.ts),
// which this test holds it to.
func TestClosingTheDefaultEndpointRedeploysTheAPI(t *testing.T) {
	deployments := map[bool]string{}
	for _, disable := range []bool{false, true} {
		stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Closed"), nil)
		api := servicesAPI(stack, &PrivateRestApiProps{DisableExecuteApiEndpoint: disable})
		api.AddStage("live", &StageOptions{Backend: "blue", Backends: map[string]string{"orders": "ordersblue"}})
		found := assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::ApiGateway::Deployment"), nil)
		if len(*found) != 1 {
			t.Fatalf("disable %v: %d deployments; want 1", disable, len(*found))
		}
		for id := range *found {
			deployments[disable] = id
		}
	}
	if deployments[false] == deployments[true] {
		t.Errorf("the deployment %s is the same with and without disableExecuteApiEndpoint; the change would never reach the stage", deployments[false])
	}
}
