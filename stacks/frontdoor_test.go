package stacks

// The API as a team's front door (issue 27): several services behind one
// API. The fixtures are synthesized once for the test binary, on first use,
// each day-2 variant in an App of its own as environment "fd", so that its
// stacks keep their names as a deployed environment's do.

import (
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

	"privatebackend/internal/testsupport/cdktest"
)

// frontDoorFixtures are the front door's environments, by name: "services"
// is two services, each with blue and green, and a canary of one of them;
// "fd" and the "fd-…" variants are the day-2 changes a team makes in turn.
var frontDoorFixtures = map[string]string{
	"services": `{
		"backends": {"blue": {}, "green": {}, "ordersblue": {}, "ordersgreen": {}},
		"api": {
			"domain": {"name": "shop.example.com", "certificateArn": "arn:aws:acm:eu-west-1:111111111111:certificate/0f0e0d0c-0b0a-4900-8800-000000000002"},
			"routes": [
				{"path": "/orders", "service": "orders"},
				{"path": "/orders/{proxy+}", "service": "orders"},
				{"path": "/catalog/{id}", "methods": ["GET"]}
			],
			"stages": {
				"live": {"backend": "blue", "backends": {"orders": "ordersblue"},
					"canary": {"percent": 10, "backends": {"orders": "ordersgreen"}}},
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
			"stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}}
		}}`,
	"fd": fdBase,
	"fd-domain-added": `{
		"backends": {"blue": {}, "green": {}},
		"api": {
			"routes": [{"path": "/catalog/{id}", "methods": ["GET"]}],
			"domain": {"name": "api.example.com", "certificateArn": "arn:aws:acm:eu-west-1:111111111111:certificate/0f0e0d0c-0b0a-4900-8800-000000000001"},
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
		frontDoor = map[string]*cdktest.Assembly{}
		for _, fixture := range slices.Sorted(maps.Keys(frontDoorFixtures)) {
			outdir := filepath.Join(dir, fixture)
			app := awscdk.NewApp(&awscdk.AppProps{Outdir: &outdir, BuiltinCloudFormationValidation: jsii.Bool(false), Context: &lookupContext})
			envName := fixture
			if strings.HasPrefix(fixture, "fd") {
				envName = "fd"
			}
			buildEnvironment(app, envName, loadEnvironment(frontDoorFixtures[fixture]))
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
	"fd-domain-added": {"AWS::ApiGateway::DomainName", "AWS::ApiGateway::BasePathMapping"},
	"fd-service-added": {
		"AWS::ApiGateway::Resource", "AWS::ApiGateway::Method", "AWS::ApiGateway::VpcLink",
		// The new backends' own alarms and the dashboard that shows them.
		"AWS::CloudWatch::Alarm",
	},
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
	tpl, _ := frontDoorTemplate(t, "services", "Api")
	cdktest.Check(t, func() {
		// TLS 1.3 only; an enhanced policy needs an endpoint access mode.
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::DomainName"), map[string]any{
			"DomainName":              "shop.example.com",
			"RegionalCertificateArn":  "arn:aws:acm:eu-west-1:111111111111:certificate/0f0e0d0c-0b0a-4900-8800-000000000002",
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
			tpl.HasOutput(jsii.String("Url"+stage), map[string]any{"Value": "https://shop.example.com/" + stage + "/"})
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
