// Package config holds the typed configuration of every deployment
// environment, its defaults and its validation. It is the only package that
// reads the CDK context: cdk.json's "environments" object goes in, validated
// Go structs come out, or one error that lists every problem.
package config

import (
	"maps"
	"slices"

	"privatebackend/constructs/settings"
	"privatebackend/internal/ebplatform"
)

// Egress modes: how instances in the private subnets reach AWS services.
const (
	// EgressNat routes outbound traffic through NAT gateways in public subnets.
	EgressNat = "nat"
	// EgressEndpoints keeps the subnets isolated and reaches AWS services
	// through VPC endpoints only.
	EgressEndpoints = "endpoints"
)

// API authorization modes.
const (
	// AuthorizationIAM requires SigV4-signed requests (AWS_IAM).
	AuthorizationIAM = "iam"
	// AuthorizationNone leaves the API open to anyone who knows its URL.
	AuthorizationNone = "none"
)

// DefaultPlatform is the platform branch used when a backend names none:
// the Node.js branch the sample application runs on.
const DefaultPlatform = ebplatform.DefaultBranch

// Environment is the configuration of one deployment environment (one
// awscdk.Stage): where it deploys, its network, its backends and its API.
type Environment struct {
	// Name is the environment's key in cdk.json; it prefixes every stack name.
	Name string `json:"-"`
	// Account pins the environment to an AWS account (12 digits), together
	// with region; its lookups are then cached in cdk.context.json.
	// Default: none (environment-agnostic).
	Account string `json:"account" pattern:"accountId" requires:"region"`
	// Region pins the environment to a region, together with account.
	// Default: none (environment-agnostic).
	Region string `json:"region" pattern:"region" requires:"account"`
	// Network configures the VPC.
	Network Network `json:"network"`
	// Backends are the Beanstalk backends by name, at least one; each is a
	// stack Backend-NAME, and NAME is a lowercase letter followed by up to
	// 19 lowercase letters, digits or hyphens, as a stack name allows.
	Backends map[string]*Backend `json:"backends" required:"true" minEntries:"1" keys:"backendName"`
	// API configures the REST API and its stages.
	API API `json:"api" required:"true"`
	// Monitoring configures the environment's alarms and dashboard.
	Monitoring Monitoring `json:"monitoring"`

	// Stacks are the environment's stacks, named after it.
	Stacks Stacks `json:"-"`
	// DashboardName is the name of the environment's CloudWatch dashboard.
	DashboardName string `json:"-"`
}

// Monitoring configures the alarms of an environment: on each API stage a
// 5XX error rate and a latency percentile, on each backend its enhanced
// health and its load balancer's unhealthy hosts. All share one schedule.
// The thresholds and the schedule are the monitoring constructs' settings,
// with their defaults.
type Monitoring struct {
	// Emails are the addresses subscribed to the alarm topic (each confirms
	// by email). Default: none.
	Emails []string `json:"emails" pattern:"email"`
	settings.StageAlarms
	settings.AlarmSchedule
}

// Network configures the VPC of an environment.
type Network struct {
	// VpcID is an existing VPC to use instead of creating one, looked up
	// and cached in cdk.context.json; its private subnets are used. Only
	// in a pinned environment. Default: none.
	VpcID string `json:"vpcId" pattern:"vpcId" excludes:"cidr,maxAzs,natGateways"`
	// Cidr is the new VPC's address range, /16 to /24, with its host bits
	// zero; not with vpcId.
	Cidr string `json:"cidr" default:"10.0.0.0/16" pattern:"vpcCidr"`
	// MaxAzs is how many availability zones the new VPC spans (2 at most
	// when the environment is environment-agnostic); not with vpcId.
	MaxAzs int `json:"maxAzs" default:"2" min:"2" max:"6"`
	// Egress is how the instances reach AWS services: "endpoints" (isolated
	// subnets and VPC endpoints for the services they call:
	// elasticbeanstalk, elasticbeanstalk-health, SQS, CloudFormation,
	// CloudWatch Logs, S3 as a gateway, and elasticloadbalancing with
	// lookupsInVpc) or "nat" (NAT gateways in public subnets); with vpcId,
	// what the existing VPC provides, which preflight checks.
	Egress string `json:"egress" default:"endpoints" enum:"egress"`
	// NatGateways is the number of the new VPC's NAT gateways with egress
	// "nat", 1 to maxAzs; not with vpcId. Default: one per availability
	// zone.
	NatGateways *int `json:"natGateways" min:"1"`
	// LookupsInVpc runs the deploy-time lookups' function in the private
	// subnets (AWS Control Tower's CT.LAMBDA.PR.3); with egress "endpoints"
	// it adds an Elastic Load Balancing interface endpoint.
	LookupsInVpc bool `json:"lookupsInVpc" default:"false"`
	// FlowLogRetentionDays is how long VPC flow logs are kept, in days.
	FlowLogRetentionDays int `json:"flowLogRetentionDays" default:"90" enum:"logRetentionDays"`
}

// Backend configures one Elastic Beanstalk backend of an environment: the
// private Beanstalk environment's settings, with their defaults, and the
// service it runs (its code, release label, variables, secrets and
// scaling; their rules are in backendsource.go).
type Backend struct {
	// Name is the backend's key in cdk.json; it names the stack Backend-NAME.
	Name string `json:"-"`
	settings.Beanstalk
	// Source is the code the backend runs: a directory or a .zip file
	// relative to the project root, bundled as an asset, or
	// "s3://BUCKET/KEY", a source bundle already uploaded in the
	// environment's region.
	Source string `json:"source" default:"backend/app" pattern:"service.source"`
	// Version is the release label of the source: the application version's
	// description in the Beanstalk console, the stack output Release and
	// what verify expects.
	Version string `json:"version" default:"1" pattern:"service.version"`
	// Environment are environment variables set on the instances, checked
	// against Beanstalk's limits for environment properties: names of up to
	// 128 letters, digits or _ . : / + \ - @, values of up to 256 letters,
	// digits, spaces or _ . : / = + \ - @ ' ", 4096 bytes in all as
	// "key=value". Default: none.
	Environment map[string]string `json:"environment" keys:"service.variable"`
	// Secrets maps environment variable names to the ARN of a Secrets Manager
	// secret (optionally ending in ":JSON_KEY") or of an SSM parameter,
	// fetched by Beanstalk when an instance starts. Default: none.
	Secrets map[string]string `json:"secrets" keys:"service.variable"`
	// SecretsKmsKeys are the ARNs of customer managed KMS keys that encrypt
	// the secrets; the instances may decrypt with them only through Secrets
	// Manager or SSM. Default: none (AWS managed keys).
	SecretsKmsKeys []string `json:"secretsKmsKeys" pattern:"service.kmsKey"`
	// HealthPath is the path the backend's application answers with 200
	// when it can serve: ./scripts/verify asks every stage for it. The
	// Network Load Balancer does not: its health check is TCP only.
	HealthPath string `json:"healthPath" default:"/health" pattern:"service.healthPath"`
	// Scaling is the Auto Scaling trigger. Default: Beanstalk's own trigger
	// (NetworkOut, average bytes, above 6000000 adds and below 2000000
	// removes an instance).
	Scaling *Scaling `json:"scaling"`
	// ecr are the ECR repositories the source's images come from, found by
	// CheckSources.
	ecr []ECRRepository
}

// API configures the REST API of an environment.
type API struct {
	// Stages are the API stages by name, at least one; NAME is the stage
	// name in the URL, up to 64 letters, digits or underscores.
	Stages map[string]*Stage `json:"stages" required:"true" minEntries:"1" keys:"stageName"`
	// Authorization is "iam" (SigV4-signed requests), "none" (anyone who
	// knows the URL) or the name of one of authorizers.
	Authorization string `json:"authorization" default:"iam" pattern:"authorizationName"`
	// Authorizers are the API's Cognito and Lambda authorizers by name, each
	// used by authorization or a route's. Default: none.
	Authorizers map[string]*Authorizer `json:"authorizers" keys:"authorizerName"`
	// Waf attaches an AWS WAF web ACL with AWS managed rules and a rate limit
	// to every stage.
	Waf bool `json:"waf" default:"true"`
	// Routes are explicit routes in addition to the catch-all proxy, e.g.
	// [{"path": "/orders/{id}", "methods": ["GET"]}]. Default: none.
	Routes []settings.Route `json:"routes"`
	// VpcLinkQuota is the number of REST API VPC links allowed in one account
	// and region, checked across all environments pinned there (one link per
	// backend); "VPC links per account per Region: 20" ("Quotas for
	// configuring and running a REST API in API Gateway").
	VpcLinkQuota int `json:"vpcLinkQuota" default:"20" min:"1"`
	// AccessLogRetentionDays is how long stage access logs are kept, in
	// days (the API construct's default, settings.DefaultAccessLogRetentionDays).
	AccessLogRetentionDays *int `json:"accessLogRetentionDays" default:"90" enum:"logRetentionDays"`
	// Domain is the API's regional custom domain; the stages' URLs then use
	// it. Default: none (clients use the execute-api URLs).
	Domain *Domain `json:"domain"`
	// DisableExecuteApiEndpoint turns the default execute-api endpoint off,
	// so that clients can only come through the domain (and its mutual
	// TLS); only with a domain.
	DisableExecuteApiEndpoint bool `json:"disableExecuteApiEndpoint" default:"false" requires:"domain"`
}

// Stage configures one API stage: the backend it points at, and the API
// construct's stage settings (throttling, a canary), with their defaults.
type Stage struct {
	// Name is the stage's key in cdk.json; it is the stage name in the URL.
	Name string `json:"-"`
	// Backend names the backend the stage sends the default service's
	// traffic to ("/", the catch-all and routes that name no service).
	Backend string `json:"backend" required:"true" pattern:"backendName"`
	// Backends name, by service, the backend the stage sends each other
	// service's traffic to, e.g. {"orders": "ordersblue"}: one for every
	// service api.routes name. Default: none.
	Backends map[string]string `json:"backends" keys:"serviceName"`
	// UsagePlan is the stage's usage plan, whose API keys operators add;
	// required when a route has apiKeyRequired. Default: none.
	UsagePlan *UsagePlan `json:"usagePlan"`
	settings.Stage
}

// InterfaceEndpointServices are the short names of the AWS services (as in
// com.amazonaws.REGION.NAME) that instances in isolated subnets reach through
// interface VPC endpoints: nil unless egress is "endpoints". The Network
// stack creates them in a VPC it creates; an existing VPC (vpcId) must
// already have them. Instances without Internet access need Beanstalk, its
// health service, SQS, CloudFormation and CloudWatch Logs ("Running an
// Elastic Beanstalk environment in a private VPC"), and S3 through a gateway
// endpoint (GatewayEndpointServices).
func (n Network) InterfaceEndpointServices() []string {
	if n.Egress != EgressEndpoints {
		return nil
	}
	services := []string{"elasticbeanstalk", "elasticbeanstalk-health", "sqs", "cloudformation", "logs"}
	if n.LookupsInVpc {
		// The target group lookup calls Elastic Load Balancing; Beanstalk
		// and S3 (for CloudFormation's answer) already have endpoints.
		services = append(services, "elasticloadbalancing")
	}
	return services
}

// GatewayEndpointServices are the short names of the AWS services reached
// through gateway VPC endpoints with egress "endpoints" (S3, where Beanstalk
// keeps application versions and logs); nil otherwise.
func (n Network) GatewayEndpointServices() []string {
	if n.Egress != EgressEndpoints {
		return nil
	}
	return []string{"s3"}
}

// Pinned reports whether the environment names its account and region.
func (e *Environment) Pinned() bool {
	return e.Account != "" && e.Region != ""
}

// BackendNames returns the environment's backend names in sorted order.
func (e *Environment) BackendNames() []string {
	return slices.Sorted(maps.Keys(e.Backends))
}

// StageNames returns the environment's stage names in sorted order.
func (e *Environment) StageNames() []string {
	return slices.Sorted(maps.Keys(e.API.Stages))
}
