package constructs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// The stage variables the proxy's integrations read. Every stage of the API
// must define both, or its requests fail at request time.
const (
	// VpcLinkIDVariable holds the id of the VPC link to the stage's backend.
	VpcLinkIDVariable = "vpcLinkId"
	// BackendHostVariable holds the DNS name of the backend's load balancer.
	BackendHostVariable = "backendHost"
)

// StageVariables returns the variables a stage needs to point at a backend.
func StageVariables(vpcLinkID, backendHost *string) *map[string]*string {
	return &map[string]*string{VpcLinkIDVariable: vpcLinkID, BackendHostVariable: backendHost}
}

// ProxyRoute is an explicit route of a StageVariableProxy.
type ProxyRoute struct {
	// Path is the resource path, such as "/orders/{id}"; its path parameters
	// are passed through to the same path on the backend.
	Path string
	// Methods are the HTTP methods of the route, such as "GET" or "ANY".
	Methods []string
}

// StageVariableProxyProps configures a StageVariableProxy.
type StageVariableProxyProps struct {
	// Api is the REST API to add the methods to. Required.
	Api awsapigateway.RestApi
	// Routes are explicit routes added beside the catch-all. Default: none.
	Routes []ProxyRoute
	// MethodOptions apply to every method added. Default: the API's defaults.
	MethodOptions *awsapigateway.MethodOptions
}

// StageVariableProxy makes a REST API a private proxy: "ANY /" and
// "ANY /{proxy+}" (and any explicit routes) go through the VPC link named by
// the stage variable vpcLinkId to the host named by backendHost, so a stage
// points at a backend by its variables alone.
type StageVariableProxy interface {
	cdkconstructs.IConstruct
	// Methods are the methods the proxy added.
	Methods() []awsapigateway.Method
	// Variables are the stage variables the methods read.
	Variables() []string
}

type stageVariableProxy struct {
	cdkconstructs.Construct
	methods []awsapigateway.Method
}

func (p *stageVariableProxy) Methods() []awsapigateway.Method { return p.methods }

func (p *stageVariableProxy) Variables() []string {
	return []string{VpcLinkIDVariable, BackendHostVariable}
}

var pathParameter = regexp.MustCompile(`\{([A-Za-z0-9_]+)\+?\}`)

// NewStageVariableProxy adds the proxy methods to props.Api.
func NewStageVariableProxy(scope cdkconstructs.Construct, id string, props *StageVariableProxyProps) StageVariableProxy {
	if props == nil || props.Api == nil {
		panic(fmt.Sprintf("constructs.NewStageVariableProxy %q: Api is required", id))
	}
	p := &stageVariableProxy{}
	cdkconstructs.NewConstruct_Override(p, scope, &id)
	vpcLink := awsapigateway.VpcLink_FromVpcLinkId(p, jsii.String("VpcLink"),
		jsii.String("${stageVariables."+VpcLinkIDVariable+"}"))
	root := props.Api.Root()
	p.add(root, "ANY", "/", vpcLink, props.MethodOptions)
	p.add(root.AddResource(jsii.String("{proxy+}"), nil), "ANY", "/{proxy+}", vpcLink, props.MethodOptions)
	for _, r := range props.Routes {
		resource := root.ResourceForPath(jsii.String(r.Path))
		for _, m := range r.Methods {
			p.add(resource, m, r.Path, vpcLink, props.MethodOptions)
		}
	}
	return p
}

// add adds one method whose integration forwards to the same path on the
// backend, passing every path parameter through.
func (p *stageVariableProxy) add(resource awsapigateway.IResource, httpMethod, path string, vpcLink awsapigateway.IVpcLink, base *awsapigateway.MethodOptions) {
	methodParams := map[string]*bool{}
	integrationParams := map[string]*string{}
	backendPath := path
	for _, match := range pathParameter.FindAllStringSubmatch(path, -1) {
		name := match[1]
		methodParams["method.request.path."+name] = jsii.Bool(true)
		integrationParams["integration.request.path."+name] = jsii.String("method.request.path." + name)
		backendPath = strings.Replace(backendPath, match[0], "{"+name+"}", 1)
	}
	integration := awsapigateway.NewIntegration(&awsapigateway.IntegrationProps{
		Type:                  awsapigateway.IntegrationType_HTTP_PROXY,
		IntegrationHttpMethod: jsii.String(httpMethod),
		Uri:                   jsii.String("http://${stageVariables." + BackendHostVariable + "}" + backendPath),
		Options: &awsapigateway.IntegrationOptions{
			ConnectionType:    awsapigateway.ConnectionType_VPC_LINK,
			VpcLink:           vpcLink,
			RequestParameters: &integrationParams,
		},
	})
	options := awsapigateway.MethodOptions{}
	if base != nil {
		options = *base
	}
	options.RequestParameters = &methodParams
	p.methods = append(p.methods, resource.AddMethod(jsii.String(httpMethod), integration, &options))
}
