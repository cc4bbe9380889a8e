// Package config holds the typed configuration of every deployment
// environment, its defaults and its validation. It is the only package that
// reads the CDK context: cdk.json's "environments" object goes in, validated
// Go structs come out, or one error that lists every problem.
package config

import (
	"maps"
	"slices"

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

// Deployment policies of a backend, as Beanstalk names them.
const (
	// DeploymentRolling replaces instances in batches, keeping the rest in service.
	DeploymentRolling = "Rolling"
	// DeploymentImmutable deploys to a fresh Auto Scaling group and swaps it in.
	DeploymentImmutable = "Immutable"
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
	// Account pins the environment to an AWS account (12 digits). Default:
	// none, the environment is environment-agnostic.
	Account string `json:"account"`
	// Region pins the environment to a region; set together with Account.
	Region string `json:"region"`
	// Network configures the VPC.
	Network Network `json:"network"`
	// Backends are the Beanstalk backends by name; at least one is required.
	Backends map[string]*Backend `json:"backends"`
	// API configures the REST API and its stages.
	API API `json:"api"`
	// Monitoring configures the environment's alarms and dashboard.
	Monitoring Monitoring `json:"monitoring"`
}

// Monitoring configures the alarms of an environment: on each API stage a
// 5XX error rate and a latency percentile, on each backend its enhanced
// health and its load balancer's unhealthy hosts. All share one period and
// alarm after that many consecutive breaching periods.
type Monitoring struct {
	// Emails are subscribed to the alarm topic (each confirms by email).
	// Default: none.
	Emails []string `json:"emails"`
	// ErrorRatePercent is the share of a stage's requests answered with 5XX
	// above which its error alarm fires. Default: 5.
	ErrorRatePercent float64 `json:"errorRatePercent"`
	// MinRequests is the number of requests per period below which a
	// stage's error rate is not judged, so a quiet stage does not flap.
	// Default: 20.
	MinRequests int `json:"minRequests"`
	// LatencyPercentile is the latency statistic alarmed on, "p50" to
	// "p99.9". Default: "p99".
	LatencyPercentile string `json:"latencyPercentile"`
	// LatencyThresholdMs is the latency, in milliseconds, above which a
	// stage's latency alarm fires. Default: 2000.
	LatencyThresholdMs int `json:"latencyThresholdMs"`
	// PeriodMinutes is the length of one evaluated period: 1, 5, 10, 15,
	// 30 or 60. Default: 5.
	PeriodMinutes int `json:"periodMinutes"`
	// EvaluationPeriods is how many consecutive breaching periods raise an
	// alarm. Default: 3.
	EvaluationPeriods int `json:"evaluationPeriods"`
}

// Network configures the VPC of an environment.
type Network struct {
	// VpcID uses an existing VPC (looked up, cached in cdk.context.json)
	// instead of creating one; needs a pinned account and region. Default: none.
	VpcID string `json:"vpcId"`
	// Cidr is the new VPC's address range, /16 to /24. Default: "10.0.0.0/16".
	Cidr string `json:"cidr"`
	// MaxAzs is how many availability zones the VPC spans, 2 to 6 (2 at most
	// when the environment is environment-agnostic). Default: 2.
	MaxAzs int `json:"maxAzs"`
	// Egress is "endpoints" (isolated subnets with VPC endpoints) or "nat"
	// (NAT gateways). Default: "endpoints".
	Egress string `json:"egress"`
	// NatGateways is the number of NAT gateways with egress "nat", 1 to
	// MaxAzs. Default: one per availability zone.
	NatGateways *int `json:"natGateways"`
	// FlowLogRetentionDays is how long VPC flow logs are kept. Default: 90.
	FlowLogRetentionDays int `json:"flowLogRetentionDays"`
}

// Backend configures one Elastic Beanstalk backend of an environment.
type Backend struct {
	// Name is the backend's key in cdk.json; it names the stack Backend-NAME.
	Name string `json:"-"`
	// Platform is a Beanstalk platform branch, whose recommended version is
	// looked up when the backend is created and when the branch changes, or
	// the ARN of one exact platform version. Default: DefaultPlatform.
	Platform string `json:"platform"`
	// PlatformRefresh is any value; changing it (e.g. to today's date) looks
	// the branch's recommended version up again on the next deploy.
	// Default: "".
	PlatformRefresh string `json:"platformRefresh"`
	// InstanceTypes lists the EC2 instance types, the first preferred.
	// Default: ["t3.small"].
	InstanceTypes []string `json:"instanceTypes"`
	// MinInstances is the Auto Scaling group's minimum size. Default: 2.
	MinInstances int `json:"minInstances"`
	// MaxInstances is the Auto Scaling group's maximum size. Default: 4.
	MaxInstances int `json:"maxInstances"`
	// DeploymentPolicy is "Rolling" or "Immutable". Default: "Rolling".
	DeploymentPolicy string `json:"deploymentPolicy"`
	// AppVersion is the version the sample application reports. Default: "1".
	AppVersion string `json:"appVersion"`
	// LogRetentionDays is how long streamed instance logs are kept. Default: 30.
	LogRetentionDays int `json:"logRetentionDays"`
	// UpdateWindow is the weekly window for managed platform updates, as
	// "Day:HH:MM" in UTC. Default: "Sun:03:00".
	UpdateWindow string `json:"updateWindow"`
}

// API configures the REST API of an environment.
type API struct {
	// Stages are the API stages by name; at least one is required.
	Stages map[string]*Stage `json:"stages"`
	// Authorization is "iam" (SigV4-signed requests) or "none". Default: "iam".
	Authorization string `json:"authorization"`
	// Waf attaches an AWS WAF web ACL with AWS managed rules and a rate limit
	// to every stage. Default: true.
	Waf bool `json:"waf"`
	// Routes lists explicit routes in addition to the catch-all proxy.
	// Default: none.
	Routes []Route `json:"routes"`
	// VpcLinkQuota is the number of REST API VPC links allowed in one account
	// and region. Default: 20.
	VpcLinkQuota int `json:"vpcLinkQuota"`
	// AccessLogRetentionDays is how long stage access logs are kept. Default: 90.
	AccessLogRetentionDays int `json:"accessLogRetentionDays"`
}

// Route is an explicit API route, proxied to the same path on the backend.
type Route struct {
	// Path is the resource path, such as "/orders/{id}".
	Path string `json:"path"`
	// Methods are the HTTP methods of the route. Default: ["ANY"].
	Methods []string `json:"methods"`
}

// Stage configures one API stage: which backend it points at and its limits.
type Stage struct {
	// Name is the stage's key in cdk.json; it is the stage name in the URL.
	Name string `json:"-"`
	// Backend names the backend the stage sends traffic to. Required.
	Backend string `json:"backend"`
	// RateLimit is the steady-state request rate limit (requests per second).
	// Default: 100.
	RateLimit float64 `json:"rateLimit"`
	// BurstLimit is the burst request limit. Default: 200.
	BurstLimit int `json:"burstLimit"`
	// Canary sends a share of the stage's traffic to another backend.
	// Default: none.
	Canary *Canary `json:"canary"`
}

// Canary overrides a stage's variables for a percentage of its requests.
type Canary struct {
	// Backend names the backend that receives the canary traffic. Required.
	Backend string `json:"backend"`
	// Percent is the share of requests sent to Backend, above 0 and below 100.
	// Required.
	Percent float64 `json:"percent"`
}

func (n *Network) setDefaults() {
	n.Cidr = "10.0.0.0/16"
	n.MaxAzs = 2
	n.Egress = EgressEndpoints
	n.FlowLogRetentionDays = 90
}

func (b *Backend) setDefaults() {
	b.Platform = DefaultPlatform
	b.InstanceTypes = []string{"t3.small"}
	b.MinInstances = 2
	b.MaxInstances = 4
	b.DeploymentPolicy = DeploymentRolling
	b.AppVersion = "1"
	b.LogRetentionDays = 30
	b.UpdateWindow = "Sun:03:00"
}

func (a *API) setDefaults() {
	a.Authorization = AuthorizationIAM
	a.Waf = true
	// "VPC links per account per Region: 20" ("Quotas for configuring and
	// running a REST API in API Gateway").
	a.VpcLinkQuota = 20
	a.AccessLogRetentionDays = 90
}

func (r *Route) setDefaults() {
	r.Methods = []string{"ANY"}
}

func (s *Stage) setDefaults() {
	s.RateLimit = 100
	s.BurstLimit = 200
}

func (m *Monitoring) setDefaults() {
	m.ErrorRatePercent = 5
	m.MinRequests = 20
	m.LatencyPercentile = "p99"
	m.LatencyThresholdMs = 2000
	m.PeriodMinutes = 5
	m.EvaluationPeriods = 3
}

func (e *Environment) setDefaults() {
	e.Network.setDefaults()
	e.API.setDefaults()
	e.Monitoring.setDefaults()
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
	return []string{"elasticbeanstalk", "elasticbeanstalk-health", "sqs", "cloudformation", "logs"}
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
