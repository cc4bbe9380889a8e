//go:build heavy

package stacks

// The API as a team's front door (issue 27): several services behind one
// API. The fixtures are synthesized once for the test binary, on first use,
// each day-2 variant in an App of its own as environment "fd", so that its
// stacks keep their names as a deployed environment's do.

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"privatebackend/config"
	"privatebackend/constructs/settings"
	"privatebackend/internal/testsupport/cdktest"
)

// frontDoorFixtures are the front door's environments, by name: "services"
// is two services, each with blue and green, and a canary of one of them;
// "fd" and the "fd-…" variants are the day-2 changes a team makes in turn.
var frontDoorFixtures = map[string]string{
	"services": `{
		"backends": {"blue": {}, "green": {}, "ordersblue": {}, "ordersgreen": {}},
		"api": {
			"domain": {"name": "shop.example.com", "certificateArn": "arn:aws:acm:eu-west-1:111111111111:certificate/0f0e0d0c-0b0a-4900-8800-000000000002",
				"basePaths": {"live": "/"}, "routeHeader": {"name": "x-stage"}},
			"authorizers": {"users": {"type": "cognito", "userPoolArns": ["` + userPool + `"]}},
			"routes": [
				{"path": "/orders", "service": "orders", "methods": ["GET"], "authorization": "users", "scopes": ["orders/read"]},
				{"path": "/orders", "service": "orders", "methods": ["POST"]},
				{"path": "/orders/{proxy+}", "service": "orders"},
				{"path": "/catalog/{id}", "methods": ["GET"]}
			],
			"stages": {
				"live": {"backend": "blue", "backends": {"orders": "ordersblue"},
					"canary": {"percent": 10, "backends": {"orders": "ordersgreen"}},
					"usagePlan": {"rateLimit": 10, "burstLimit": 20, "quota": {"limit": 10000, "period": "MONTH"}}},
				"preview": {"backend": "green", "backends": {"orders": "ordersgreen"}}
			}
		}}`,
	// "mtls": pinned, a domain at the root for live with mutual TLS, alias
	// records, and the execute-api endpoint off.
	"mtls": `{
		"account": "` + account + `", "region": "` + region + `",
		"backends": {"blue": {}, "green": {}},
		"api": {
			"domain": {
				"name": "api.example.com",
				"certificateArn": "arn:aws:acm:` + region + `:` + account + `:certificate/0f0e0d0c-0b0a-4900-8800-000000000001",
				"hostedZoneId": "Z0123456789ABCDEFGHIJ",
				"basePaths": {"live": "/"},
				"mutualTls": {"truststoreUri": "s3://example-truststores/api.pem", "truststoreVersion": "v3"}
			},
			"disableExecuteApiEndpoint": true,
			"authorization": "partners",
			"authorizers": {"partners": {"type": "lambda", "kind": "request", "functionArn": "` + partnerAuth + `",
				"identitySource": "method.request.header.x-partner, context.sourceIp", "resultTtlSeconds": 0}},
			"routes": [{"path": "/reports", "methods": ["GET"], "apiKeyRequired": true}, {"path": "/health", "methods": ["GET"], "authorization": "none"}],
			"stages": {
				"live": {"backend": "blue", "usagePlan": {"rateLimit": 5, "burstLimit": 10}},
				"preview": {"backend": "green", "usagePlan": {"rateLimit": 1, "burstLimit": 2, "quota": {"limit": 100, "period": "DAY"}}}
			}
		}}`,
	// "partners": environment-agnostic, a Lambda token authorizer on every
	// method.
	"partners": `{
		"backends": {"blue": {}},
		"api": {
			"authorization": "partners",
			"authorizers": {"partners": {"type": "lambda", "functionArn": "` + partnerAuth + `"}},
			"stages": {"live": {"backend": "blue"}}
		}}`,
	"fd": fdBase,
	"fd-domain-added": `{
		"backends": {"blue": {}, "green": {}},
		"api": {
			"routes": [{"path": "/catalog/{id}", "methods": ["GET"]}],
			"domain": {"name": "api.example.com", "certificateArn": "arn:aws:acm:eu-west-1:111111111111:certificate/0f0e0d0c-0b0a-4900-8800-000000000001"},
			"stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}}
		}}`,
	"fd-authorizer-added": `{
		"backends": {"blue": {}, "green": {}},
		"api": {
			"authorizers": {"users": {"type": "cognito", "userPoolArns": ["` + userPool + `"]}},
			"routes": [{"path": "/catalog/{id}", "methods": ["GET"], "authorization": "users"}],
			"stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}}
		}}`,
	"fd-service-added": `{
		"backends": {"blue": {}, "green": {}, "ordersblue": {}, "ordersgreen": {}},
		"api": {
			"routes": [{"path": "/catalog/{id}", "methods": ["GET"]}, {"path": "/orders/{proxy+}", "service": "orders"}],
			"stages": {
				"live": {"backend": "blue", "backends": {"orders": "ordersblue"}},
				"preview": {"backend": "green", "backends": {"orders": "ordersgreen"}}
			}
		}}`,
}

// The front door's fixtures' user pool and Lambda authorizer function.
const (
	userPool    = "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_AbCdEf123"
	partnerAuth = "arn:aws:lambda:eu-west-1:111111111111:function:partner-auth"
)

// fdBase is the day-2 variants' starting point: one service, blue and green.
const fdBase = `{
	"backends": {"blue": {}, "green": {}},
	"api": {
		"routes": [{"path": "/catalog/{id}", "methods": ["GET"]}],
		"stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}}
	}}`

var (
	frontDoorOnce sync.Once
	frontDoor     map[string]*cdktest.Assembly
	frontDoorErr  error
)

// frontDoorAssembly returns the synthesized fixture name.
func frontDoorAssembly(t *testing.T, name string) *cdktest.Assembly {
	t.Helper()
	frontDoorOnce.Do(func() {
		dir, err := os.MkdirTemp("", "frontdoor-test-")
		if err != nil {
			frontDoorErr = err
			return
		}
		defer os.RemoveAll(dir)
		// The project's feature flags, and the lookups of the pinned fixture.
		context, err := cdktest.LoadContext("..")
		if err != nil {
			frontDoorErr = err
			return
		}
		delete(context, "environments")
		maps.Copy(context, lookupContext)
		frontDoor = map[string]*cdktest.Assembly{}
		for _, fixture := range slices.Sorted(maps.Keys(frontDoorFixtures)) {
			outdir := filepath.Join(dir, fixture)
			app := awscdk.NewApp(&awscdk.AppProps{Outdir: &outdir, BuiltinCloudFormationValidation: jsii.Bool(false), Context: &context})
			envName := fixture
			if strings.HasPrefix(fixture, "fd") {
				envName = "fd"
			}
			// cdk-nag's checks, as the app attaches them: a Cognito
			// authorizer must pass its API Gateway and Cognito rules with no
			// suppression of its own.
			e := loadEnvironment(frontDoorFixtures[fixture])
			var env *awscdk.Environment
			if e.Pinned() {
				env = &awscdk.Environment{Account: jsii.String(e.Account), Region: jsii.String(e.Region)}
			}
			stage := awscdk.NewStage(app, jsii.String(envName), &awscdk.StageProps{Env: env})
			awscdk.Aspects_Of(stage).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{}), nil)
			NewEnvironment(stage, e, "..")
			app.Synth(nil)
			if frontDoor[fixture], frontDoorErr = cdktest.ReadAssembly(outdir); frontDoorErr != nil {
				return
			}
		}
	})
	if frontDoorErr != nil {
		t.Fatalf("synthesizing the front door fixtures: %v", frontDoorErr)
	}
	a, ok := frontDoor[name]
	if !ok {
		t.Fatalf("no front door fixture %s", name)
	}
	return a
}

// frontDoorTemplate returns the template of stack (e.g. "Api") of fixture.
func frontDoorTemplate(t *testing.T, fixture, stack string) (assertions.Template, *cdktest.Stack) {
	t.Helper()
	env := fixture
	if strings.HasPrefix(fixture, "fd") {
		env = "fd"
	}
	s, ok := frontDoorAssembly(t, fixture).Stacks[env+"/"+stack]
	if !ok {
		t.Fatalf("fixture %s has no stack %s", fixture, stack)
	}
	return assertions.Template_FromJSON(&s.Template, nil), s
}

func TestServicesEachReachTheirBackendThroughTheirOwnStageVariables(t *testing.T) {
	tpl, _ := frontDoorTemplate(t, "services", "Api")
	cdktest.Check(t, func() {
		// One VPC link per backend, however many services and stages use it.
		tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::VpcLink"), jsii.Number(4))
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod":        "ANY",
			"RequestParameters": map[string]any{"method.request.path.proxy": true},
			"Integration": map[string]any{
				"ConnectionType": "VPC_LINK",
				"ConnectionId":   "${stageVariables.ordersVpcLinkId}",
				"Uri":            "http://${stageVariables.ordersHost}/orders/{proxy}",
			},
		})
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"Integration": map[string]any{
				"ConnectionId": "${stageVariables.ordersVpcLinkId}",
				"Uri":          "http://${stageVariables.ordersHost}/orders",
			},
		})
		// A route that names no service stays with the default one.
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod": "GET",
			"Integration": map[string]any{
				"ConnectionId": "${stageVariables.vpcLinkId}",
				"Uri":          "http://${stageVariables.backendHost}/catalog/{id}",
			},
		})
		link := func(backend string) any {
			return map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^VpcLink" + backend + "[0-9A-F]{8}$"))}
		}
		host := func(backend string) any {
			return map[string]any{"Fn::ImportValue": assertions.Match_StringLikeRegexp(jsii.String("^services-Backend-" + backend + ":"))}
		}
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
			"StageName":   "live",
			"Description": "Points at backend blue; orders: ordersblue",
			"Variables": map[string]any{
				"vpcLinkId": link("blue"), "backendHost": host("blue"),
				"ordersVpcLinkId": link("ordersblue"), "ordersHost": host("ordersblue"),
			},
			// The canary overrides the orders service only.
			"CanarySetting": map[string]any{
				"PercentTraffic":         10,
				"StageVariableOverrides": map[string]any{"ordersVpcLinkId": link("ordersgreen"), "ordersHost": host("ordersgreen")},
			},
		})
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
			"StageName": "preview",
			"Variables": map[string]any{
				"vpcLinkId": link("green"), "backendHost": host("green"),
				"ordersVpcLinkId": link("ordersgreen"), "ordersHost": host("ordersgreen"),
			},
		})
	})
}

// stageVariableRef finds the stage variables a method's integration reads.
var stageVariableRef = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)

// TestEveryStageDefinesEveryVariableItsMethodsRead holds for every fixture:
// API Gateway fails a request whose stage lacks a variable its integration
// reads, so every stage and every canary override must name only variables
// the methods read, and every stage all of them.
func TestEveryStageDefinesEveryVariableItsMethodsRead(t *testing.T) {
	for _, fixture := range slices.Sorted(maps.Keys(frontDoorFixtures)) {
		_, s := frontDoorTemplate(t, fixture, "Api")
		read := map[string]bool{}
		for _, m := range s.Resources("AWS::ApiGateway::Method") {
			integration, _ := m["Properties"].(map[string]any)["Integration"].(map[string]any)
			for _, key := range []string{"ConnectionId", "Uri"} {
				v, _ := integration[key].(string)
				for _, match := range stageVariableRef.FindAllStringSubmatch(v, -1) {
					read[match[1]] = true
				}
			}
		}
		for id, stage := range s.Resources("AWS::ApiGateway::Stage") {
			props := stage["Properties"].(map[string]any)
			variables, _ := props["Variables"].(map[string]any)
			if got, want := slices.Sorted(maps.Keys(variables)), slices.Sorted(maps.Keys(read)); !slices.Equal(got, want) {
				t.Errorf("%s: stage %s defines %v; its methods read %v", fixture, id, got, want)
			}
			if canary, ok := props["CanarySetting"].(map[string]any); ok {
				overrides, _ := canary["StageVariableOverrides"].(map[string]any)
				for name := range overrides {
					if !read[name] {
						t.Errorf("%s: the canary of stage %s overrides %s, which no method reads", fixture, id, name)
					}
				}
			}
		}
	}
}

// dayTwoAdds are the front door's day-2 changes to "fd": the resource types
// each may add, beside a new deployment (a changed method is served only
// from a new deployment, so its logical id changes with the methods).
var dayTwoAdds = map[string][]string{
	"fd-authorizer-added": {"AWS::ApiGateway::Authorizer"},
	"fd-domain-added":     {"AWS::ApiGateway::DomainName", "AWS::ApiGateway::BasePathMapping"},
	"fd-service-added":    {"AWS::ApiGateway::Resource", "AWS::ApiGateway::Method", "AWS::ApiGateway::VpcLink"},
}

// TestFrontDoorDayTwoChangesReplaceNothingElse adds a service, a domain and
// an authorizer to "fd" in turn: every resource of every stack of "fd"
// keeps its logical id and type, but for the deployment, and what is new is
// only what the change adds.
func TestFrontDoorDayTwoChangesReplaceNothingElse(t *testing.T) {
	base := frontDoorAssembly(t, "fd")
	for _, variant := range slices.Sorted(maps.Keys(dayTwoAdds)) {
		t.Run(variant, func(t *testing.T) {
			changed := frontDoorAssembly(t, variant)
			for _, stack := range slices.Sorted(maps.Keys(base.Stacks)) {
				before, _ := base.Stacks[stack].Template["Resources"].(map[string]any)
				s, ok := changed.Stacks[stack]
				if !ok {
					t.Errorf("%s has no stack %s", variant, stack)
					continue
				}
				after, _ := s.Template["Resources"].(map[string]any)
				for id, r := range before {
					typ := r.(map[string]any)["Type"]
					got, ok := after[id].(map[string]any)
					switch {
					case !ok && typ == "AWS::ApiGateway::Deployment":
					case !ok:
						t.Errorf("%s: %s's %s (%s) is gone or has a new logical id", variant, stack, id, typ)
					case got["Type"] != typ:
						t.Errorf("%s: %s's %s changed type", variant, stack, id)
					}
				}
				for id, r := range after {
					typ, _ := r.(map[string]any)["Type"].(string)
					if _, ok := before[id]; !ok && typ != "AWS::ApiGateway::Deployment" && !slices.Contains(dayTwoAdds[variant], typ) {
						t.Errorf("%s: %s adds %s (%s), which the change does not call for", variant, stack, id, typ)
					}
				}
			}
		})
	}
}

func TestDomainServesEveryStageWithTheStrongestPolicyByDefault(t *testing.T) {
	tpl, _ := frontDoorTemplate(t, "fd-domain-added", "Api")
	cdktest.Check(t, func() {
		// TLS 1.3 only; an enhanced policy needs an endpoint access mode.
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::DomainName"), map[string]any{
			"DomainName":              "api.example.com",
			"RegionalCertificateArn":  "arn:aws:acm:eu-west-1:111111111111:certificate/0f0e0d0c-0b0a-4900-8800-000000000001",
			"RoutingMode":             assertions.Match_Absent(),
			"EndpointConfiguration":   map[string]any{"Types": []any{"REGIONAL"}},
			"SecurityPolicy":          "SecurityPolicy_TLS13_1_3_2025_09",
			"EndpointAccessMode":      "STRICT",
			"MutualTlsAuthentication": assertions.Match_Absent(),
		})
		// Each stage at its own name, as on the execute-api URL.
		for _, stage := range []string{"live", "preview"} {
			tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::BasePathMapping"), map[string]any{
				"DomainName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Domain"))},
				"RestApiId":  map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Api"))},
				"Stage":      map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Stage" + stage))},
				"BasePath":   stage,
			})
			tpl.HasOutput(jsii.String("Url"+stage), map[string]any{"Value": "https://api.example.com/" + stage + "/"})
		}
		tpl.ResourceCountIs(jsii.String("AWS::Route53::RecordSet"), jsii.Number(0))
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::RestApi"), map[string]any{"DisableExecuteApiEndpoint": assertions.Match_Absent()})
	})
}

func TestDomainWithMutualTLSAndAliasRecordsClosesTheDefaultEndpoint(t *testing.T) {
	tpl, _ := frontDoorTemplate(t, "mtls", "Api")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::DomainName"), map[string]any{
			"DomainName":              "api.example.com",
			"SecurityPolicy":          "TLS_1_2",
			"EndpointAccessMode":      assertions.Match_Absent(),
			"MutualTlsAuthentication": map[string]any{"TruststoreUri": "s3://example-truststores/api.pem", "TruststoreVersion": "v3"},
		})
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::RestApi"), map[string]any{"DisableExecuteApiEndpoint": true})
		// live at the root: no base path.
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::BasePathMapping"), map[string]any{
			"Stage": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Stagelive"))}, "BasePath": assertions.Match_Absent(),
		})
		tpl.HasOutput(jsii.String("Urllive"), map[string]any{"Value": "https://api.example.com/"})
		tpl.HasOutput(jsii.String("Urlpreview"), map[string]any{"Value": "https://api.example.com/preview/"})
		// The domain's URLs do not name the API; verify reads its id here.
		tpl.HasOutput(jsii.String(config.RestAPIIDOutput), map[string]any{"Value": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Api"))}})
		for _, recordType := range []string{"A", "AAAA"} {
			tpl.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{
				"HostedZoneId": "Z0123456789ABCDEFGHIJ",
				"Name":         "api.example.com",
				"Type":         recordType,
				"AliasTarget": map[string]any{
					"DNSName":      map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Domain")), "RegionalDomainName"}},
					"HostedZoneId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Domain")), "RegionalHostedZoneId"}},
				},
			})
		}
	})
}

func TestFrontDoorFixturesHaveNoUnsuppressedNagFindings(t *testing.T) {
	for _, fixture := range slices.Sorted(maps.Keys(frontDoorFixtures)) {
		for name, s := range frontDoorAssembly(t, fixture).Stacks {
			for _, m := range s.Messages {
				t.Errorf("%s %s: %s", fixture, name, m)
			}
		}
	}
}

func TestCognitoAuthorizerGuardsItsRouteWithScopes(t *testing.T) {
	tpl, s := frontDoorTemplate(t, "services", "Api")
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Authorizer"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]any{
			"Type":                         "COGNITO_USER_POOLS",
			"ProviderARNs":                 []any{userPool},
			"IdentitySource":               "method.request.header.Authorization",
			"AuthorizerResultTtlInSeconds": 300,
			"RestApiId":                    map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Api"))},
		})
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod":          "GET",
			"AuthorizationType":   "COGNITO_USER_POOLS",
			"AuthorizerId":        map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Authorizerusers"))},
			"AuthorizationScopes": []any{"orders/read"},
			"Integration":         map[string]any{"Uri": "http://${stageVariables.ordersHost}/orders"},
		})
		// The other methods keep the API's own authorization.
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod": "POST", "AuthorizationType": "AWS_IAM", "AuthorizerId": assertions.Match_Absent(),
		})
	})
	// Only the Cognito method goes without a COG4 suppression.
	for id, m := range s.Resources("AWS::ApiGateway::Method") {
		props := m["Properties"].(map[string]any)
		suppressed := strings.Contains(fmt.Sprint(m["Metadata"]), "AwsSolutions-COG4")
		if cognito := props["AuthorizationType"] == "COGNITO_USER_POOLS"; cognito == suppressed {
			t.Errorf("method %s (%s): COG4 suppressed %t", id, props["AuthorizationType"], suppressed)
		}
	}
}

func TestLambdaAuthorizerMayBeInvokedForThisAuthorizerOnly(t *testing.T) {
	tpl, _ := frontDoorTemplate(t, "mtls", "Api")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]any{
			"Type":                         "REQUEST",
			"IdentitySource":               "method.request.header.x-partner,context.sourceIp",
			"AuthorizerResultTtlInSeconds": 0,
			"AuthorizerUri":                assertions.Match_AnyValue(),
		})
		tpl.ResourceCountIs(jsii.String("AWS::Lambda::Permission"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
			"Action":        "lambda:InvokeFunction",
			"FunctionName":  partnerAuth,
			"Principal":     "apigateway.amazonaws.com",
			"SourceAccount": account,
			"SourceArn": map[string]any{"Fn::Join": []any{"", []any{
				"arn:aws:execute-api:" + region + ":" + account + ":",
				map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Api"))},
				"/authorizers/",
				map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Authorizerpartners"))},
			}}},
		})
		// The API's authorization is the Lambda authorizer, but for the
		// route that opts out.
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod": "ANY", "AuthorizationType": "CUSTOM",
			"AuthorizerId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Authorizerpartners"))},
		})
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod": "GET", "AuthorizationType": "NONE",
			"Integration": map[string]any{"Uri": "http://${stageVariables.backendHost}/health"},
		})
	})
}

func TestUsagePlansThrottleAndCapTheirStagesKeys(t *testing.T) {
	tpl, _ := frontDoorTemplate(t, "services", "Api")
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::UsagePlan"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::UsagePlan"), map[string]any{
			"ApiStages": []any{map[string]any{
				"ApiId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Api"))},
				"Stage": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Stagelive"))},
			}},
			"Throttle": map[string]any{"RateLimit": 10, "BurstLimit": 20},
			"Quota":    map[string]any{"Limit": 10000, "Period": "MONTH"},
		})
		tpl.HasOutput(jsii.String("UsagePlanIdlive"), map[string]any{"Value": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^UsagePlanlive"))}})
		// The stacks create no API keys: their values would be in the template.
		tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::ApiKey"), jsii.Number(0))
	})
	keyed, _ := frontDoorTemplate(t, "mtls", "Api")
	cdktest.Check(t, func() {
		keyed.ResourceCountIs(jsii.String("AWS::ApiGateway::UsagePlan"), jsii.Number(2))
		keyed.HasResourceProperties(jsii.String("AWS::ApiGateway::UsagePlan"), map[string]any{
			"Throttle": map[string]any{"RateLimit": 1, "BurstLimit": 2},
			"Quota":    map[string]any{"Limit": 100, "Period": "DAY"},
		})
		keyed.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod": "GET", "ApiKeyRequired": true,
			"Integration": map[string]any{"Uri": "http://${stageVariables.backendHost}/reports"},
		})
		keyed.ResourceCountIs(jsii.String("AWS::ApiGateway::ApiKey"), jsii.Number(0))
	})
}

func TestRouteHeaderSendsTestersToAnyStageAtTheSameURL(t *testing.T) {
	tpl, _ := frontDoorTemplate(t, "services", "Api")
	domainArn := map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Domain")), "DomainNameArn"}}
	header := func(stage string) map[string]any {
		return map[string]any{"MatchHeaders": map[string]any{"AnyOf": []any{map[string]any{"Header": "x-stage", "ValueGlob": stage}}}}
	}
	invoke := func(stage string, strip bool) []any {
		return []any{map[string]any{"InvokeApi": map[string]any{
			"ApiId":         map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Api"))},
			"Stage":         map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Stage" + stage))},
			"StripBasePath": strip,
		}}}
	}
	cdktest.Check(t, func() {
		// Rules first, then the base path mappings.
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::DomainName"), map[string]any{"RoutingMode": "ROUTING_RULE_THEN_BASE_PATH_MAPPING"})
		// live is at the root and preview at /preview: each stage has a rule
		// for a request at preview's base path (stripped) and one for the
		// rest, live's URL.
		tpl.ResourceCountIs(jsii.String("AWS::ApiGatewayV2::RoutingRule"), jsii.Number(4))
		for _, stage := range []string{"live", "preview"} {
			tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::RoutingRule"), map[string]any{
				"DomainNameArn": domainArn,
				"Priority":      settings.RoutingRulePriority(stage, false),
				"Conditions":    []any{header(stage), map[string]any{"MatchBasePaths": map[string]any{"AnyOf": []any{"preview"}}}},
				"Actions":       invoke(stage, true),
			})
			tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::RoutingRule"), map[string]any{
				"DomainNameArn": domainArn,
				"Priority":      settings.RoutingRulePriority(stage, true),
				"Conditions":    []any{header(stage)},
				"Actions":       invoke(stage, false),
			})
		}
		tpl.HasOutput(jsii.String("Urllive"), map[string]any{"Value": "https://shop.example.com/"})
	})
}

func TestLambdaAuthorizerOfAnAgnosticEnvironmentNamesTheDeployingAccount(t *testing.T) {
	tpl, _ := frontDoorTemplate(t, "partners", "Api")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]any{
			"Type": "TOKEN", "IdentitySource": "method.request.header.Authorization", "AuthorizerResultTtlInSeconds": 300,
		})
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
			"FunctionName":  partnerAuth,
			"SourceAccount": map[string]any{"Ref": "AWS::AccountId"},
			"SourceArn":     map[string]any{"Fn::Join": assertions.Match_AnyValue()},
		})
		tpl.AllResourcesProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{"AuthorizationType": "CUSTOM"})
	})
}
