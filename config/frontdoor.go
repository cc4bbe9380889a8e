package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"privatebackend/constructs/settings"
	"privatebackend/internal/model"
)

// The API as a team's front door (issue 27): several services behind one
// API, a custom domain, authorizers and usage plans.

// Domain is the REST API's regional custom domain name.
type Domain struct {
	// Name is the domain name clients call, e.g. "api.example.com".
	Name string `json:"name" required:"true" pattern:"domainName"`
	// CertificateArn is the ACM certificate for name, in the environment's
	// region and partition.
	CertificateArn string `json:"certificateArn" required:"true" pattern:"certificateArn"`
	// HostedZoneID is the Route 53 public hosted zone that gets alias A and
	// AAAA records for name. Default: none (point DNS at the domain's
	// regional name, the Api stack's output DomainTarget, yourself).
	HostedZoneID string `json:"hostedZoneId" pattern:"hostedZoneId"`
	// SecurityPolicy is the TLS policy of the domain: "TLS_1_2" or one of
	// the enhanced "SecurityPolicy_…" policies for regional domains.
	// Default: "SecurityPolicy_TLS13_1_3_2025_09" (TLS 1.3 only, with the
	// STRICT endpoint access mode), or "TLS_1_2" with mutualTls, which an
	// enhanced policy does not allow.
	SecurityPolicy string `json:"securityPolicy" enum:"securityPolicy"`
	// BasePaths map each stage to the base path it is served at on the
	// domain: one path segment, or "/" for the domain's root. Default: each
	// stage at its own name (https://NAME/live/), as on the execute-api
	// URL, so that clients only change the host and no stage is the root
	// by accident.
	BasePaths map[string]string `json:"basePaths" keys:"stageName"`
	// MutualTLS makes clients present a certificate that the truststore
	// trusts. Default: none.
	MutualTLS *MutualTLS `json:"mutualTls"`
	// RouteHeader sends a request that carries a stage's name in this
	// header to that stage, at any stage's URL: testers reach preview at
	// live's URL with e.g. "x-stage: preview". Default: none.
	RouteHeader *RouteHeader `json:"routeHeader"`
}

// RouteHeader is the header whose value names the stage a request goes to,
// through the domain's routing rules.
type RouteHeader struct {
	// Name is the header's name, e.g. "x-stage".
	Name string `json:"name" required:"true" pattern:"headerName"`
}

// MutualTLS is the mutual TLS authentication of a custom domain.
type MutualTLS struct {
	// TruststoreURI is the S3 object holding the trusted CA certificates,
	// "s3://BUCKET/KEY".
	TruststoreURI string `json:"truststoreUri" required:"true" pattern:"truststoreUri"`
	// TruststoreVersion is the S3 object version of the truststore, from a
	// versioned bucket. Default: the latest version.
	TruststoreVersion string `json:"truststoreVersion"`
}

// RestAPIIDOutput is the API stack's output that holds the REST API's id
// when the API has a custom domain, whose stage URLs do not name it.
const RestAPIIDOutput = "RestApiId"

// Security policies of a regional REST API custom domain.
const (
	// SecurityPolicyTLS12 is the legacy TLS 1.2 policy, the only kind that
	// mutual TLS allows.
	SecurityPolicyTLS12 = "TLS_1_2"
	// SecurityPolicyTLS13 accepts TLS 1.3 only: the strongest policy for
	// regional domains that is not restricted to FIPS ciphers.
	SecurityPolicyTLS13 = "SecurityPolicy_TLS13_1_3_2025_09"
)

// The security policies a regional REST API custom domain takes
// ("Supported security policies", API Gateway developer guide: the table
// for regional and private APIs and custom domain names); TLS_1_0 is left
// out on purpose.
var _ = model.NewEnum("securityPolicy", "a security policy of a regional REST API domain",
	SecurityPolicyTLS12,
	SecurityPolicyTLS13,
	"SecurityPolicy_TLS13_1_3_FIPS_2025_09",
	"SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_2021_06",
)

// EnhancedSecurityPolicy reports whether policy is an enhanced one, which
// needs an endpoint access mode and cannot have mutual TLS ("Choose a
// security policy for your custom domain in API Gateway", Considerations).
func EnhancedSecurityPolicy(policy string) bool {
	return strings.HasPrefix(policy, "SecurityPolicy_")
}

// Policy returns the domain's security policy, its default applied.
func (d *Domain) Policy() string {
	switch {
	case d.SecurityPolicy != "":
		return d.SecurityPolicy
	case d.MutualTLS != nil:
		return SecurityPolicyTLS12
	default:
		return SecurityPolicyTLS13
	}
}

// BasePath returns the base path stage is served at: "" for the root.
func (d *Domain) BasePath(stage string) string {
	path, ok := d.BasePaths[stage]
	switch {
	case !ok:
		return stage
	case path == "/":
		return ""
	default:
		return path
	}
}

// StageURL returns the URL of stage on the domain, ending in "/".
func (d *Domain) StageURL(stage string) string {
	if path := d.BasePath(stage); path != "" {
		return "https://" + d.Name + "/" + path + "/"
	}
	return "https://" + d.Name + "/"
}

var (
	_ = model.NewPattern(model.Pattern{Name: "domainName", Expr: `^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`,
		// "Uppercase letters are not supported" (aws-cdk-lib
		// DomainNameOptions.domainName).
		What: "a domain name", Want: `lowercase labels of letters, digits and hyphens, e.g. "api.example.com"`})
	certificateArn = model.NewPattern(model.Pattern{Name: "certificateArn",
		Expr: `^arn:(aws|aws-cn|aws-us-gov):acm:([a-z0-9-]+):([0-9]{12}):certificate/[A-Za-z0-9-]+$`,
		What: "an ACM certificate ARN", Want: "arn:aws:acm:REGION:ACCOUNT:certificate/ID"})
	// An HTTP header name (RFC 9110 token characters); API Gateway matches
	// header names case-insensitively ("Match headers conditions").
	_ = model.NewPattern(model.Pattern{Name: "headerName", Expr: `^[A-Za-z0-9!#$%&'*+.^_|~-]{1,64}$`,
		What: "a header name", Want: `e.g. "x-stage"`})
	_ = model.NewPattern(model.Pattern{Name: "hostedZoneId", Expr: `^Z[A-Z0-9]{1,31}$`,
		What: "a Route 53 hosted zone id", Want: `e.g. "Z0123456789ABCDEFGHIJ"`})
	// "An Amazon S3 URL ... for example s3://bucket-name/key-name"
	// (AWS::ApiGateway::DomainName MutualTlsAuthentication).
	_ = model.NewPattern(model.Pattern{Name: "truststoreUri", Expr: `^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$`,
		What: "an S3 object URL", Want: `"s3://BUCKET/KEY"`})
	// A base path is one URL path segment here (multi-level base paths need
	// API mappings of the V2 API), or "/" for the root.
	basePath = model.NewPattern(model.Pattern{Name: "basePath", Expr: `^(/|[A-Za-z0-9._~-]{1,128})$`,
		What: "a base path", Want: `one path segment of letters, digits and ._~- (no slash), or "/" for the domain's root`})
)

// Rules are the domain's cross-key rules.
func (d *Domain) Rules() model.Problems {
	var ps model.Problems
	if d.MutualTLS != nil && EnhancedSecurityPolicy(d.SecurityPolicy) {
		// "You can't enable mutual TLS on a domain name that uses an
		// enhanced security policy" ("Choose a security policy for your
		// custom domain in API Gateway").
		ps.Add("securityPolicy", "%q is an enhanced security policy, which mutual TLS does not allow; use %q or remove mutualTls", d.SecurityPolicy, SecurityPolicyTLS12)
	}
	for _, stage := range slices.Sorted(maps.Keys(d.BasePaths)) {
		if path := d.BasePaths[stage]; !basePath.MatchString(path) {
			ps.Add("basePaths."+stage, "%q is not a base path; use one path segment of letters, digits and ._~- (no slash), or \"/\" for the domain's root", path)
		}
	}
	return ps
}

// Authorizer types and Lambda authorizer kinds.
const (
	// AuthorizerCognito checks Cognito user pool tokens.
	AuthorizerCognito = "cognito"
	// AuthorizerLambda calls a Lambda function.
	AuthorizerLambda = "lambda"
	// LambdaToken passes the function one token (a header).
	LambdaToken = "token"
	// LambdaRequest passes the function the identity sources of the request.
	LambdaRequest = "request"
)

// Authorizer is a Cognito or Lambda authorizer of the REST API.
type Authorizer struct {
	// Type is "cognito" or "lambda" (JWT authorizers are for HTTP APIs
	// only).
	Type string `json:"type" required:"true" enum:"authorizerType"`
	// UserPoolArns are the Cognito user pools whose tokens are accepted
	// (type "cognito", at least one). Default: none.
	UserPoolArns []string `json:"userPoolArns" pattern:"userPoolArn"`
	// FunctionArn is the Lambda function that decides (type "lambda"); the
	// stack grants API Gateway permission to invoke it for this authorizer
	// only, so it must be in the environment's account and region.
	// Default: none.
	FunctionArn string `json:"functionArn" pattern:"functionArn"`
	// Kind is "token" (the function gets one header) or "request" (it gets
	// the identity sources), for type "lambda".
	Kind string `json:"kind" default:"token" enum:"lambdaKind"`
	// IdentitySource is where the identity is read: one
	// method.request.header.NAME for a token or Cognito authorizer; for a
	// request authorizer a comma-separated list of
	// method.request.header.NAME, method.request.querystring.NAME,
	// stageVariables.NAME or context.NAME.
	IdentitySource string `json:"identitySource" default:"method.request.header.Authorization"`
	// ResultTTLSeconds is how long API Gateway caches the authorizer's
	// answer, 0 for no caching: "If this field is not set, the default value
	// is 300. The maximum value is 3600" (Authorizer, API Gateway REST API
	// reference).
	ResultTTLSeconds int `json:"resultTtlSeconds" default:"300" min:"0" max:"3600"`
}

// UsagePlan throttles and caps the requests of the API keys a stage's
// operators add to it.
type UsagePlan struct {
	// RateLimit is each key's steady-state rate, in requests per second.
	RateLimit float64 `json:"rateLimit" required:"true" above:"0"`
	// BurstLimit is each key's burst.
	BurstLimit int `json:"burstLimit" required:"true" min:"1"`
	// Quota caps each key's requests per period. Default: none.
	Quota *Quota `json:"quota"`
}

// Quota caps the requests of an API key per period.
type Quota struct {
	// Limit is the most requests in a period.
	Limit int `json:"limit" required:"true" min:"1"`
	// Period is "DAY", "WEEK" or "MONTH" (QuotaSettings, API Gateway REST
	// API reference).
	Period string `json:"period" required:"true" enum:"quotaPeriod"`
}

var (
	_ = model.NewEnum("authorizerType", "an authorizer type", AuthorizerCognito, AuthorizerLambda)
	_ = model.NewEnum("lambdaKind", "a Lambda authorizer kind", LambdaToken, LambdaRequest)
	_ = model.NewEnum("quotaPeriod", "a quota period", "DAY", "WEEK", "MONTH")
	// An authorizer's name becomes part of a construct id.
	_ = model.NewPattern(model.Pattern{Name: "authorizerName", Expr: `^[a-z][a-z0-9]{0,19}$`,
		What: "an authorizer name", Want: `a lowercase letter followed by up to 19 lowercase letters or digits, e.g. "users"`})
	userPoolArn = model.NewPattern(model.Pattern{Name: "userPoolArn",
		Expr: `^arn:(aws|aws-cn|aws-us-gov):cognito-idp:([a-z0-9-]+):([0-9]{12}):userpool/[a-z0-9-]+_[A-Za-z0-9]+$`,
		What: "a Cognito user pool ARN", Want: "arn:aws:cognito-idp:REGION:ACCOUNT:userpool/REGION_ID"})
	functionArn = model.NewPattern(model.Pattern{Name: "functionArn",
		Expr: `^arn:(aws|aws-cn|aws-us-gov):lambda:([a-z0-9-]+):([0-9]{12}):function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$`,
		What: "a Lambda function ARN", Want: "arn:aws:lambda:REGION:ACCOUNT:function:NAME"})
	// One header identity source, and one of a request authorizer.
	headerSource  = regexp.MustCompile(`^method\.request\.header\.[A-Za-z0-9_-]+$`)
	requestSource = regexp.MustCompile(`^(method\.request\.(header|querystring)\.[A-Za-z0-9_.-]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$`)
)

// Rules are the authorizer's cross-key rules: what its type needs.
func (az *Authorizer) Rules() model.Problems {
	var ps model.Problems
	switch az.Type {
	case AuthorizerCognito:
		if len(az.UserPoolArns) == 0 {
			ps.Add("userPoolArns", "is missing; a Cognito authorizer needs at least one user pool ARN")
		}
		if az.FunctionArn != "" {
			ps.Add("functionArn", "is set, but only a Lambda authorizer takes a function")
		}
		if !headerSource.MatchString(az.IdentitySource) {
			ps.Add("identitySource", "%q is not a header; a Cognito authorizer reads one, e.g. \"method.request.header.Authorization\"", az.IdentitySource)
		}
	case AuthorizerLambda:
		if az.FunctionArn == "" {
			ps.Add("functionArn", "is missing; a Lambda authorizer needs its function's ARN")
		}
		if len(az.UserPoolArns) > 0 {
			ps.Add("userPoolArns", "are set, but only a Cognito authorizer takes user pools")
		}
		if az.Kind == LambdaRequest {
			for _, source := range strings.Split(az.IdentitySource, ",") {
				if !requestSource.MatchString(strings.TrimSpace(source)) {
					ps.Add("identitySource", "%q is not an identity source; use method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME or context.NAME, separated by commas", strings.TrimSpace(source))
				}
			}
		} else if !headerSource.MatchString(az.IdentitySource) {
			ps.Add("identitySource", "%q is not a header; a token authorizer reads one, e.g. \"method.request.header.Authorization\"", az.IdentitySource)
		}
	}
	return ps
}

// AuthorizerOf returns the authorizer an authorization names, or nil for
// "iam" and "none".
func (a *API) AuthorizerOf(authorization string) *Authorizer {
	if authorization == AuthorizationIAM || authorization == AuthorizationNone {
		return nil
	}
	return a.Authorizers[authorization]
}

// frontDoorRules are the environment's rules of its front door: services,
// domain, authorizers and usage plans against the rest of the environment.
func (e *Environment) frontDoorRules() model.Problems {
	var ps model.Problems
	a := &e.API
	e.frontDoorServiceRules(&ps)
	if d := a.Domain; d != nil {
		e.domainRules(&ps, d)
	}
	e.authorizationRules(&ps)
	return ps
}

// frontDoorServiceRules checks that every stage serves every service the routes
// name, with backends of this environment, and its canary overrides only
// those services. The VPC link quota needs nothing more: a link is made per
// backend, however many services and stages use it.
func (e *Environment) frontDoorServiceRules(ps *model.Problems) {
	services := slices.DeleteFunc(settings.Services(e.API.Routes), func(s string) bool { return !settings.ServiceNamePattern.MatchString(s) })
	known := strings.Join(services, ", ")
	if known == "" {
		known = "none (no route names a service)"
	}
	example := "blue"
	if names := e.BackendNames(); len(names) > 0 {
		example = names[0]
	}
	for _, name := range e.StageNames() {
		s := e.API.Stages[name]
		at := "api.stages." + name
		for _, service := range services {
			if _, ok := s.Backends[service]; !ok {
				ps.Add(at+".backends", "has no backend for service %q; a stage serves every service the routes name (%s), e.g. {%q: %q}", service, known, service, example)
			}
		}
		check := func(key string, backends map[string]string) {
			for _, service := range slices.Sorted(maps.Keys(backends)) {
				if !slices.Contains(services, service) {
					ps.Add(key+"."+service, "no route names service %q; services: %s", service, known)
					continue
				}
				e.backendRef(ps, key+"."+service, backends[service])
			}
		}
		check(at+".backends", s.Backends)
		if s.Canary != nil {
			check(at+".canary.backends", s.Canary.Backends)
		}
	}
}

// domainRules checks the domain against the environment: its certificate's
// region and partition, and the stages its base paths name.
func (e *Environment) domainRules(ps *model.Problems, d *Domain) {
	at := "api.domain"
	// "You must provide a Region-specific ACM certificate. This certificate
	// must be in the same Region as your API" ("Set up a Regional custom
	// domain name in API Gateway").
	if m := certificateArn.FindStringSubmatch(d.CertificateArn); m != nil && e.Pinned() {
		if m[2] != e.Region {
			ps.Add(at+".certificateArn", "is a certificate in %s, but this environment deploys to %s; a regional domain needs a certificate in the API's region", m[2], e.Region)
		} else if m[1] != partitionOf(e.Region) {
			ps.Add(at+".certificateArn", "is in partition %s, but %s is in %s", m[1], e.Region, partitionOf(e.Region))
		}
	}
	used := map[string]string{}
	for _, stage := range e.StageNames() {
		path := d.BasePath(stage)
		if other, ok := used[path]; ok {
			ps.Add(at+".basePaths."+stage, "serves stage %s at the base path %q of stage %s; give each stage its own", stage, "/"+path, other)
		}
		used[path] = stage
	}
	if d.RouteHeader != nil {
		priorities := map[int]string{}
		for _, stage := range e.StageNames() {
			p := settings.RoutingRulePriority(stage, false)
			if other, ok := priorities[p]; ok {
				ps.Add(at+".routeHeader", "stages %s and %s would share routing rule priority %d, which API Gateway refuses; rename one", other, stage, p)
			}
			priorities[p] = stage
		}
	}
	for _, stage := range slices.Sorted(maps.Keys(d.BasePaths)) {
		if _, ok := e.API.Stages[stage]; !ok {
			ps.Add(at+".basePaths."+stage, "names no stage of this environment; stages: %s", strings.Join(e.StageNames(), ", "))
		}
	}
}

// partitionOf returns the partition of a region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	default:
		return "aws"
	}
}

// authorizationRules checks the API's and each route's authorization
// against the authorizers, scopes against Cognito, the authorizers'
// accounts and regions, and a usage plan on every stage once a route wants
// API keys.
func (e *Environment) authorizationRules(ps *model.Problems) {
	a := &e.API
	names := append([]string{AuthorizationIAM, AuthorizationNone}, slices.Sorted(maps.Keys(a.Authorizers))...)
	used := map[string]bool{}
	check := func(key, authorization string) {
		if _, ok := a.Authorizers[authorization]; !ok && authorization != AuthorizationIAM && authorization != AuthorizationNone {
			ps.Add(key, "%q is not supported; use %s", authorization, strings.Join(quoted(names), ", "))
		}
		used[authorization] = true
	}
	check("api.authorization", a.Authorization)
	keysRequired := false
	for i, r := range a.Routes {
		at := fmt.Sprintf("api.routes[%d]", i)
		authorization := a.Authorization
		if r.Authorization != "" {
			authorization = r.Authorization
			check(at+".authorization", authorization)
		}
		// Scopes are checked by a Cognito authorizer in access tokens
		// (AuthorizationScopes, AWS::ApiGateway::Method: "used with a
		// COGNITO_USER_POOLS authorizer").
		if az := a.AuthorizerOf(authorization); len(r.Scopes) > 0 && (az == nil || az.Type != AuthorizerCognito) {
			ps.Add(at+".scopes", "are set but the route's authorization is %q; scopes need a Cognito authorizer", authorization)
		}
		keysRequired = keysRequired || r.ApiKeyRequired
	}
	for _, name := range slices.Sorted(maps.Keys(a.Authorizers)) {
		at := "api.authorizers." + name
		if !used[name] {
			ps.Add(at, "is used by neither api.authorization nor a route's authorization; use it or remove it")
		}
		az := a.Authorizers[name]
		for i, arn := range az.UserPoolArns {
			e.sameEnvironment(ps, fmt.Sprintf("%s.userPoolArns[%d]", at, i), userPoolArn.FindStringSubmatch(arn))
		}
		e.sameEnvironment(ps, at+".functionArn", functionArn.FindStringSubmatch(az.FunctionArn))
	}
	for _, name := range e.StageNames() {
		// A key is accepted only on the stages of its usage plans ("Usage
		// plans and API keys for REST APIs in API Gateway").
		if keysRequired && a.Stages[name].UsagePlan == nil {
			ps.Add("api.stages."+name+".usagePlan", "is missing, but a route has apiKeyRequired; every stage needs a usage plan to add API keys to, e.g. {\"rateLimit\": 10, \"burstLimit\": 20}")
		}
	}
}

// sameEnvironment checks that an ARN (its partition, region and account
// matched) is in a pinned environment's own account and region: the stack
// can only grant and look up what is there.
func (e *Environment) sameEnvironment(ps *model.Problems, at string, m []string) {
	if m != nil && e.Pinned() && (m[2] != e.Region || m[3] != e.Account) {
		ps.Add(at, "is in account %s, %s, but this environment deploys to account %s, %s; the stack can only grant and look up what is in its own", m[3], m[2], e.Account, e.Region)
	}
}

// quoted returns each string in double quotes.
func quoted(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
