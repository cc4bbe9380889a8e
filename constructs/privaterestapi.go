package constructs

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs/settings"
)

// The stage variables through which a stage picks its backend: the methods'
// integrations read them, and the construct sets both on every stage and
// every canary, so no stage can lack one (API Gateway would only fail its
// requests).
const (
	// VpcLinkIDVariable holds the id of the VPC link to the stage's backend
	// of the default service.
	VpcLinkIDVariable = "vpcLinkId"
	// BackendHostVariable holds the DNS name of the load balancer of the
	// stage's backend of the default service.
	BackendHostVariable = "backendHost"
)

// ServiceVariables returns the names of the stage variables through which a
// stage picks service's backend: vpcLinkId and backendHost for the default
// service (""), SERVICEVpcLinkId and SERVICEHost for another, so that each
// service of one API moves between its backends on its own.
func ServiceVariables(service string) (vpcLinkID, host string) {
	if service == "" {
		return VpcLinkIDVariable, BackendHostVariable
	}
	return service + "VpcLinkId", service + "Host"
}

// PrivateRestApiProps configures a PrivateRestApi.
type PrivateRestApiProps struct {
	// RestApiName names the REST API. Default: the stack's name.
	RestApiName *string
	// Description describes the REST API. Default: none.
	Description *string
	// AuthorizationType is the authorization of every method whose route
	// names none and when Authorizer is empty.
	// Default: awsapigateway.AuthorizationType_IAM (SigV4).
	AuthorizationType awsapigateway.AuthorizationType
	// Authorizers are the Cognito and Lambda authorizers by name, which
	// Authorizer and the routes' authorization name. Default: none.
	Authorizers map[string]awsapigateway.IAuthorizer
	// Authorizer names the authorizer of every method whose route names
	// no authorization of its own. Default: none (AuthorizationType).
	Authorizer string
	// Routes are explicit routes beside "ANY /" and "ANY /{proxy+}" (which
	// belong to the default service); each route's methods left unset are
	// ["ANY"], and a route that names a service is sent to the backend
	// each stage names for that service. Default: none.
	Routes []settings.Route
	// WebAclArn is a regional AWS WAF web ACL associated with every stage.
	// Default: none.
	WebAclArn *string
	// AccessLogRetentionDays is how long each stage's access logs are kept,
	// one of settings.LogRetentionDays. Default:
	// settings.DefaultAccessLogRetentionDays (90).
	AccessLogRetentionDays *int
	// AccessLogEncryptionKey encrypts the stages' access logs. Default:
	// CloudWatch Logs' own encryption.
	AccessLogEncryptionKey awskms.IKey
	// DisableExecuteApiEndpoint turns the default execute-api endpoint off,
	// for an API that clients reach through a custom domain only.
	// Default: false.
	DisableExecuteApiEndpoint bool
}

// StageOptions configures one stage of a PrivateRestApi.
type StageOptions struct {
	// Backend is the name, given to AddBackend, of the backend the stage
	// sends the default service's requests to. Required.
	Backend string
	// Backends are the names, given to AddBackend, of the backends the
	// stage sends each other service's requests to, by service: one for
	// every service the routes name. Default: none (for an API whose
	// routes name no service).
	Backends map[string]string
	// Stage holds the stage's throttling and canary; each setting left
	// unset takes the default its doc comment names.
	settings.Stage
}

// PrivateRestApi is a Regional REST API whose every method is an HTTP proxy
// to a private backend through a VPC link: "ANY /", "ANY /{proxy+}" and any
// explicit routes. A stage picks its backend with two stage variables,
// vpcLinkId and backendHost, which AddStage sets from the backend's name, so
// moving a stage to another backend changes its variables and nothing else.
// Routes that name a service read that service's own pair
// (ServiceVariables), so each service behind the API has its own backend
// in every stage, and a canary may override any of them.
// The construct owns the REST API, one deployment, the VPC links, the stages
// (each its own Stage-NAME, none the REST API's built-in one, so adding or
// removing a stage leaves the others alone), their canaries, access logs and
// WAF associations.
type PrivateRestApi interface {
	cdkconstructs.IConstruct
	// RestApi is the REST API.
	RestApi() awsapigateway.RestApi
	// Deployment is the one deployment every stage serves; its logical id
	// changes with the methods, so a changed method reaches every stage.
	Deployment() awsapigateway.Deployment
	// Methods are the proxy's methods.
	Methods() []awsapigateway.Method
	// AddBackend adds a VPC link to a backend's Network Load Balancer; stages
	// then name the backend.
	AddBackend(name string, loadBalancer awselasticloadbalancingv2.INetworkLoadBalancer) awsapigateway.VpcLink
	// AddStage adds a stage that sends its requests to options.Backend (and a
	// share of them to its canary's backend). It panics, naming the problem,
	// when the options are invalid or name a backend not added.
	AddStage(name string, options *StageOptions) awsapigateway.Stage
}

type privateRestApi struct {
	cdkconstructs.Construct
	props      PrivateRestApiProps
	api        awsapigateway.RestApi
	deployment awsapigateway.Deployment
	methods    []awsapigateway.Method
	links      map[string]awsapigateway.VpcLink
	hosts      map[string]*string
	// services are the services the routes name, sorted.
	services []string
}

func (p *privateRestApi) RestApi() awsapigateway.RestApi       { return p.api }
func (p *privateRestApi) Deployment() awsapigateway.Deployment { return p.deployment }
func (p *privateRestApi) Methods() []awsapigateway.Method      { return p.methods }
func (p *privateRestApi) backends() []string                   { return slices.Sorted(maps.Keys(p.links)) }

// variables returns the stage variables that send each service, "" for the
// default one, to its backend in backends.
func (p *privateRestApi) variables(backends map[string]string) *map[string]*string {
	out := map[string]*string{}
	for service, backend := range backends {
		link, host := ServiceVariables(service)
		out[link], out[host] = p.links[backend].VpcLinkId(), p.hosts[backend]
	}
	return &out
}

var pathParameter = regexp.MustCompile(`\{([A-Za-z0-9_]+)\+?\}`)

// NewPrivateRestApi creates the REST API, its methods and its deployment.
// It panics, naming the problem, when props are invalid.
func NewPrivateRestApi(scope cdkconstructs.Construct, id string, props *PrivateRestApiProps) PrivateRestApi {
	if props == nil {
		props = &PrivateRestApiProps{}
	}
	cfg := *props
	// Routes config checked (one by one and together) are not checked again.
	var problems settings.Problems
	if slices.ContainsFunc(cfg.Routes, func(r settings.Route) bool { return !r.Checked.OK() }) {
		problems = settings.RoutesProblems(cfg.Routes).Within("Routes")
	}
	problems = append(problems, authorizationProblems(cfg)...)
	cfg.Routes = slices.Clone(cfg.Routes)
	for i, r := range cfg.Routes {
		cfg.Routes[i] = r.WithDefaults()
	}
	if cfg.AccessLogRetentionDays == nil {
		cfg.AccessLogRetentionDays = ptr(settings.DefaultAccessLogRetentionDays)
	}
	problems = append(problems, settings.LogRetentionProblems("AccessLogRetentionDays", *cfg.AccessLogRetentionDays)...)
	if err := problems.Err("props"); err != nil {
		panic(fmt.Sprintf("constructs.NewPrivateRestApi %q: %v", id, err))
	}
	if cfg.AuthorizationType == "" {
		cfg.AuthorizationType = awsapigateway.AuthorizationType_IAM
	}
	p := &privateRestApi{props: cfg, links: map[string]awsapigateway.VpcLink{}, hosts: map[string]*string{}, services: settings.Services(cfg.Routes)}
	cdkconstructs.NewConstruct_Override(p, scope, &id)
	p.api = awsapigateway.NewRestApi(p, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName:   cmp.Or(cfg.RestApiName, awscdk.Stack_Of(p).StackName()),
		Description:   cfg.Description,
		EndpointTypes: &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		// The deployment and the stages are this construct's own; the
		// account's CloudWatch Logs role belongs to no API (one per account
		// and region, AWS::ApiGateway::Account).
		Deploy:         jsii.Bool(false),
		CloudWatchRole: jsii.Bool(false),
	})
	if cfg.DisableExecuteApiEndpoint {
		// "Clients can still connect to your default endpoint, but they will
		// receive a 403 Forbidden status code" ("Custom domain name for
		// public REST APIs in API Gateway", Considerations).
		p.api.Node().DefaultChild().(awsapigateway.CfnRestApi).SetDisableExecuteApiEndpoint(jsii.Bool(true))
	}
	p.deployment = awsapigateway.NewDeployment(p, jsii.String("Deployment"), &awsapigateway.DeploymentProps{Api: p.api})
	validator := awsapigateway.NewRequestValidator(p, jsii.String("ParameterValidator"), &awsapigateway.RequestValidatorProps{
		RestApi:                   p.api,
		ValidateRequestParameters: jsii.Bool(true),
		ValidateRequestBody:       jsii.Bool(true),
	})
	// The VPC link comes from the stage variable ("Set up API Gateway private
	// integrations": connectionId may be ${stageVariables.NAME}), one per
	// service.
	vpcLinks := map[string]awsapigateway.IVpcLink{}
	for _, service := range append([]string{""}, p.services...) {
		id := "StageVpcLink"
		if service != "" {
			id += "-" + service
		}
		variable, _ := ServiceVariables(service)
		vpcLinks[service] = awsapigateway.VpcLink_FromVpcLinkId(p, jsii.String(id), jsii.String("${stageVariables."+variable+"}"))
	}
	root := p.api.Root()
	p.addMethod(root, "ANY", "/", settings.Route{}, vpcLinks[""], validator)
	p.addMethod(root.AddResource(jsii.String("{proxy+}"), nil), "ANY", "/{proxy+}", settings.Route{}, vpcLinks[""], validator)
	for _, r := range cfg.Routes {
		resource := root.ResourceForPath(jsii.String(r.Path))
		for _, m := range r.Methods {
			p.addMethod(resource, m, r.Path, r, vpcLinks[r.Service], validator)
		}
	}
	return p
}

// Authorization names that are not authorizers.
const (
	authorizationIAM  = "iam"
	authorizationNone = "none"
)

// authorizationProblems checks that every authorization props name is
// "iam", "none" or an authorizer, and that scopes go with Cognito.
func authorizationProblems(props PrivateRestApiProps) settings.Problems {
	var ps settings.Problems
	known := func(name string) bool {
		_, ok := props.Authorizers[name]
		return ok || name == authorizationIAM || name == authorizationNone
	}
	if props.Authorizer != "" && !known(props.Authorizer) {
		ps = append(ps, settings.Problem{Key: "Authorizer", Message: fmt.Sprintf("%q is not an authorizer of Authorizers", props.Authorizer)})
	}
	for i, r := range props.Routes {
		if r.Authorization != "" && !known(r.Authorization) {
			ps = append(ps, settings.Problem{Key: fmt.Sprintf("Routes[%d].authorization", i), Message: fmt.Sprintf("%q is not an authorizer of Authorizers, \"iam\" or \"none\"", r.Authorization)})
		}
		authorization := cmp.Or(r.Authorization, props.Authorizer)
		if a, ok := props.Authorizers[authorization]; len(r.Scopes) > 0 && (!ok || a.AuthorizationType() != awsapigateway.AuthorizationType_COGNITO) {
			ps = append(ps, settings.Problem{Key: fmt.Sprintf("Routes[%d].scopes", i), Message: "need a Cognito user pools authorizer"})
		}
	}
	return ps
}

// methodAuthorization returns the authorization of a route's methods: its
// own, else the API's authorizer, else AuthorizationType.
func (p *privateRestApi) methodAuthorization(r settings.Route) (string, awsapigateway.AuthorizationType, awsapigateway.IAuthorizer) {
	name := cmp.Or(r.Authorization, p.props.Authorizer)
	switch name {
	case "":
		return "", p.props.AuthorizationType, nil
	case authorizationIAM:
		return "", awsapigateway.AuthorizationType_IAM, nil
	case authorizationNone:
		return "", awsapigateway.AuthorizationType_NONE, nil
	}
	a := p.props.Authorizers[name]
	return name, a.AuthorizationType(), a
}

// addMethod adds one method whose integration forwards to the same path on
// the backend, passing every path parameter through, and makes the
// deployment's logical id depend on it.
func (p *privateRestApi) addMethod(resource awsapigateway.IResource, httpMethod, path string, route settings.Route, vpcLink awsapigateway.IVpcLink, validator awsapigateway.IRequestValidator) {
	service := route.Service
	methodParams := map[string]*bool{}
	integrationParams := map[string]*string{}
	backendPath := path
	for _, match := range pathParameter.FindAllStringSubmatch(path, -1) {
		name := match[1]
		methodParams["method.request.path."+name] = jsii.Bool(true)
		integrationParams["integration.request.path."+name] = jsii.String("method.request.path." + name)
		backendPath = strings.Replace(backendPath, match[0], "{"+name+"}", 1)
	}
	_, hostVariable := ServiceVariables(service)
	uri := "http://${stageVariables." + hostVariable + "}" + backendPath
	integration := awsapigateway.NewIntegration(&awsapigateway.IntegrationProps{
		Type:                  awsapigateway.IntegrationType_HTTP_PROXY,
		IntegrationHttpMethod: jsii.String(httpMethod),
		Uri:                   jsii.String(uri),
		Options: &awsapigateway.IntegrationOptions{
			ConnectionType:    awsapigateway.ConnectionType_VPC_LINK,
			VpcLink:           vpcLink,
			RequestParameters: &integrationParams,
		},
	})
	authorizerName, authorization, authorizer := p.methodAuthorization(route)
	options := &awsapigateway.MethodOptions{
		AuthorizationType: authorization,
		Authorizer:        authorizer,
		RequestValidator:  validator,
		RequestParameters: &methodParams,
	}
	if len(route.Scopes) > 0 {
		// With scopes a Cognito authorizer takes access tokens carrying one
		// of them; without, ID tokens (AuthorizationScopes,
		// AWS::ApiGateway::Method).
		options.AuthorizationScopes = jsii.Strings(route.Scopes...)
	}
	if route.ApiKeyRequired {
		options.ApiKeyRequired = jsii.Bool(true)
	}
	method := resource.AddMethod(jsii.String(httpMethod), integration, options)
	p.methods = append(p.methods, method)
	// A deployment is a snapshot: API Gateway serves a changed method only
	// from a new deployment, so every input of a method is part of the
	// deployment's logical id, and nothing else is (not the stages, not the
	// backends: adding either leaves the deployment alone).
	// A service, an authorizer, scopes and API keys are added only when a
	// route sets them, so that a method without them keeps the deployment
	// id it had before they existed.
	inputs := map[string]any{
		"method": httpMethod, "path": path, "uri": uri, "authorization": authorization,
		"parameters": slices.Sorted(maps.Keys(methodParams)),
	}
	for key, value := range map[string]any{"service": service, "authorizer": authorizerName, "scopes": route.Scopes, "apiKeyRequired": route.ApiKeyRequired} {
		if !reflect.ValueOf(value).IsZero() {
			inputs[key] = value
		}
	}
	p.deployment.AddToLogicalId(inputs)
	p.deployment.Node().AddDependency(method)
}

func (p *privateRestApi) AddBackend(name string, loadBalancer awselasticloadbalancingv2.INetworkLoadBalancer) awsapigateway.VpcLink {
	if _, ok := p.links[name]; ok || loadBalancer == nil {
		panic(fmt.Sprintf("constructs.PrivateRestApi.AddBackend %q: the backend is added twice or has no load balancer", name))
	}
	// A REST API VPC link targets exactly one Network Load Balancer
	// (AWS::ApiGateway::VpcLink, TargetArns).
	link := awsapigateway.NewVpcLink(p, jsii.String("VpcLink-"+name), &awsapigateway.VpcLinkProps{
		Description: jsii.String("To backend " + name + " of " + *awscdk.Stack_Of(p).StackName()),
		Targets:     &[]awselasticloadbalancingv2.INetworkLoadBalancer{loadBalancer},
	})
	p.links[name] = link
	// The host of the integration's uri sets the Host header and TLS name
	// of the request, not where it goes: the VPC link decides that.
	p.hosts[name] = loadBalancer.LoadBalancerDnsName()
	return link
}

func (p *privateRestApi) AddStage(name string, options *StageOptions) awsapigateway.Stage {
	if options == nil {
		options = &StageOptions{}
	}
	var problems settings.Problems
	if !options.Stage.Checked.OK() {
		problems = options.Stage.Problems(name)
	}
	backends := map[string]string{"": options.Backend}
	refs := map[string]string{"Backend": options.Backend}
	for _, service := range p.services {
		backends[service] = options.Backends[service]
		refs["Backends."+service] = options.Backends[service]
	}
	for service, backend := range options.Backends {
		if !slices.Contains(p.services, service) {
			problems = append(problems, settings.Problem{Key: "Backends." + service, Message: fmt.Sprintf("no route names service %q; services: %s", service, strings.Join(p.services, ", "))})
		}
		refs["Backends."+service] = backend
	}
	canary := map[string]string{}
	if options.Canary != nil {
		if options.Canary.Backend != "" {
			canary[""] = options.Canary.Backend
			refs["canary.backend"] = options.Canary.Backend
		}
		for service, backend := range options.Canary.Backends {
			canary[service] = backend
			refs["canary.backends."+service] = backend
			if !slices.Contains(p.services, service) {
				problems = append(problems, settings.Problem{Key: "canary.backends." + service, Message: fmt.Sprintf("no route names service %q; services: %s", service, strings.Join(p.services, ", "))})
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(refs)) {
		if _, ok := p.links[refs[key]]; !ok {
			problems = append(problems, settings.Problem{Key: key, Message: fmt.Sprintf("%q is not a backend of this API; added: %s", refs[key], strings.Join(p.backends(), ", "))})
		}
	}
	if err := problems.Err("options"); err != nil {
		panic(fmt.Sprintf("constructs.PrivateRestApi.AddStage %q: %v", name, err))
	}
	s := options.Stage.WithDefaults()
	logs := awslogs.NewLogGroup(p, jsii.String("AccessLogs-"+name), &awslogs.LogGroupProps{
		EncryptionKey: p.props.AccessLogEncryptionKey,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	logs.Node().DefaultChild().(awslogs.CfnLogGroup).SetRetentionInDays(jsii.Number(*p.props.AccessLogRetentionDays))
	stage := awsapigateway.NewStage(p, jsii.String("Stage-"+name), &awsapigateway.StageProps{
		Deployment:           p.deployment,
		StageName:            jsii.String(name),
		Description:          jsii.String(describeBackends(backends)),
		Variables:            p.variables(backends),
		AccessLogDestination: awsapigateway.NewLogGroupLogDestination(logs),
		AccessLogFormat:      awsapigateway.AccessLogFormat_JsonWithStandardFields(standardLogFields),
		TracingEnabled:       jsii.Bool(true),
		MethodOptions: &map[string]*awsapigateway.MethodDeploymentOptions{
			"/*/*": {
				ThrottlingRateLimit:  s.RateLimit,
				ThrottlingBurstLimit: jsii.Number(*s.BurstLimit),
				MetricsEnabled:       jsii.Bool(true),
				LoggingLevel:         awsapigateway.MethodLoggingLevel_ERROR,
				DataTraceEnabled:     jsii.Bool(false),
			},
		},
	})
	if s.Canary != nil {
		// A canary on the stage's own deployment with stage-variable
		// overrides is how API Gateway itself fills CanarySetting ("Set up
		// an API Gateway canary release deployment").
		stage.Node().DefaultChild().(awsapigateway.CfnStage).SetCanarySetting(&awsapigateway.CfnStage_CanarySettingProperty{
			DeploymentId:           p.deployment.DeploymentId(),
			PercentTraffic:         jsii.Number(s.Canary.Percent),
			StageVariableOverrides: p.variables(canary),
			UseStageCache:          jsii.Bool(false),
		})
	}
	if p.props.WebAclArn != nil {
		awswafv2.NewCfnWebACLAssociation(p, jsii.String("WebAclAssociation-"+name), &awswafv2.CfnWebACLAssociationProps{
			ResourceArn: stage.StageArn(),
			WebAclArn:   p.props.WebAclArn,
		})
	}
	return stage
}

// describeBackends says which backend serves each service, the default
// service's first (alone, as a stage of an API without services has
// always described itself).
func describeBackends(backends map[string]string) string {
	out := "Points at backend " + backends[""]
	for _, service := range slices.Sorted(maps.Keys(backends)) {
		if service != "" {
			out += "; " + service + ": " + backends[service]
		}
	}
	return out
}

// standardLogFields are the fields of every access log entry.
var standardLogFields = &awsapigateway.JsonWithStandardFieldProps{
	Caller: jsii.Bool(true), HttpMethod: jsii.Bool(true), Ip: jsii.Bool(true), Protocol: jsii.Bool(true),
	RequestTime: jsii.Bool(true), ResourcePath: jsii.Bool(true), ResponseLength: jsii.Bool(true),
	Status: jsii.Bool(true), User: jsii.Bool(true),
}
