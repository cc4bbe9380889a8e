package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"privatebackend/constructs/settings"
)

// The API as a team's front door (issue 27): several services behind one
// API. Its keys live in this file until the configuration model declares
// each key once.

// validateFrontDoor checks what the API's services, domain, authorizers and
// usage plans say together with the rest of the environment.
func (a *API) validateFrontDoor(at string, e *Environment, p *problems) {
	a.validateServices(at, e, p)
	a.validateDomain(at, e, p)
	a.validateAuthorization(at, e, p)
}

// validateServices checks that every stage serves every service the routes
// name, with backends of this environment, and its canary overrides only
// those services. The VPC link quota needs nothing more: a link is made per
// backend, however many services and stages use it.
func (a *API) validateServices(at string, e *Environment, p *problems) {
	// A service name that is not valid is reported with its route, once.
	services := slices.DeleteFunc(settings.Services(a.Routes), func(s string) bool { return !settings.ServiceNamePattern.MatchString(s) })
	known := strings.Join(services, ", ")
	if known == "" {
		known = "none (no route names a service)"
	}
	example := "blue"
	if names := e.BackendNames(); len(names) > 0 {
		example = names[0]
	}
	for _, name := range e.StageNames() {
		s := a.Stages[name]
		sat := at + ".stages." + name
		for _, service := range services {
			if _, ok := s.Backends[service]; !ok {
				p.add(sat+".backends", "has no backend for service %q; a stage serves every service the routes name (%s), e.g. {%q: %q}", service, known, service, example)
			}
		}
		check := func(key string, backends map[string]string) {
			for _, service := range slices.Sorted(maps.Keys(backends)) {
				if !slices.Contains(services, service) {
					p.add(key+"."+service, "no route names service %q; services: %s", service, known)
					continue
				}
				validateBackendRef(key+"."+service, backends[service], e, p)
			}
		}
		check(sat+".backends", s.Backends)
		if s.Canary != nil {
			check(sat+".canary.backends", s.Canary.Backends)
		}
	}
}

// Domain is the REST API's regional custom domain name.
type Domain struct {
	// Name is the domain name clients call, e.g. "api.example.com":
	// lowercase labels of letters, digits and hyphens. Required.
	Name string `json:"name"`
	// CertificateArn is the ACM certificate for name, in the environment's
	// region and partition. Required.
	CertificateArn string `json:"certificateArn"`
	// HostedZoneID is the Route 53 public hosted zone that gets alias A and
	// AAAA records for name. Default: none (point DNS at the domain's
	// regional name, an output of the Api stack, yourself).
	HostedZoneID string `json:"hostedZoneId"`
	// SecurityPolicy is the TLS policy of the domain: "TLS_1_2" or one of
	// the enhanced "SecurityPolicy_…" policies for regional domains.
	// Default: "SecurityPolicy_TLS13_1_3_2025_09" (TLS 1.3 only, with the
	// STRICT endpoint access mode), or "TLS_1_2" with mutualTls, which an
	// enhanced policy does not allow.
	SecurityPolicy string `json:"securityPolicy"`
	// BasePaths map each stage to the base path it is served at on the
	// domain: a path segment, or "/" for the domain's root. Default: each
	// stage at its own name (https://NAME/live/), as on the execute-api
	// URL, so that clients only change the host and no stage is the root
	// by accident.
	BasePaths map[string]string `json:"basePaths"`
	// MutualTLS makes clients present a certificate that the truststore
	// trusts. Default: none.
	MutualTLS *MutualTLS `json:"mutualTls"`
}

// MutualTLS is the mutual TLS authentication of a custom domain.
type MutualTLS struct {
	// TruststoreURI is the S3 object holding the trusted CA certificates,
	// "s3://BUCKET/KEY". Required.
	TruststoreURI string `json:"truststoreUri"`
	// TruststoreVersion is the S3 object version of the truststore, from a
	// versioned bucket. Default: the latest version.
	TruststoreVersion string `json:"truststoreVersion"`
}

// Security policies of a regional REST API custom domain.
const (
	// SecurityPolicyTLS12 is the legacy TLS 1.2 policy, the only kind that
	// mutual TLS allows.
	SecurityPolicyTLS12 = "TLS_1_2"
	// SecurityPolicyTLS13 accepts TLS 1.3 only: the strongest policy for
	// regional domains that is not restricted to FIPS ciphers.
	SecurityPolicyTLS13 = "SecurityPolicy_TLS13_1_3_2025_09"
)

// RegionalSecurityPolicies are the security policies a regional REST API
// custom domain takes ("Supported security policies", API Gateway developer
// guide: the table for regional and private APIs and custom domain names);
// TLS_1_0 is left out on purpose.
var RegionalSecurityPolicies = []string{
	SecurityPolicyTLS12,
	SecurityPolicyTLS13,
	"SecurityPolicy_TLS13_1_3_FIPS_2025_09",
	"SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_2021_06",
}

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
	// A domain name of lowercase labels ("Uppercase letters are not
	// supported", aws-cdk-lib DomainNameOptions.domainName).
	domainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	// An ACM certificate ARN: arn:PARTITION:acm:REGION:ACCOUNT:certificate/ID.
	certificateArn = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):acm:([a-z0-9-]+):([0-9]{12}):certificate/[A-Za-z0-9-]+$`)
	// A Route 53 hosted zone id, e.g. "Z0123456789ABCDEFGHIJ".
	hostedZoneID = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	// A truststore object: "An Amazon S3 URL ... for example
	// s3://bucket-name/key-name" (AWS::ApiGateway::DomainName
	// MutualTlsAuthentication).
	truststoreURI = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$`)
	// A base path is one URL path segment here (multi-level base paths need
	// API mappings of the V2 API).
	basePath = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,128}$`)
)

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

// validateDomain checks the custom domain and what needs one.
func (a *API) validateDomain(at string, e *Environment, p *problems) {
	if a.Domain == nil {
		if a.DisableExecuteApiEndpoint {
			p.add(at+".disableExecuteApiEndpoint", "is true but api.domain is not set; clients would have no way in; set api.domain or remove the key")
		}
		return
	}
	d, dat := a.Domain, at+".domain"
	switch {
	case d.Name == "":
		p.add(dat+".name", "is missing; set the domain name clients call, e.g. \"api.example.com\"")
	case len(d.Name) > 253 || !domainName.MatchString(d.Name):
		p.add(dat+".name", "%q is not a domain name; use lowercase labels of letters, digits and hyphens, e.g. \"api.example.com\"", d.Name)
	}
	if d.CertificateArn == "" {
		p.add(dat+".certificateArn", "is missing; name the ACM certificate for the domain, in the environment's region")
	} else if m := certificateArn.FindStringSubmatch(d.CertificateArn); m == nil {
		p.add(dat+".certificateArn", "%q is not an ACM certificate ARN; want arn:aws:acm:REGION:ACCOUNT:certificate/ID", d.CertificateArn)
	} else if e.Pinned() {
		// "You must provide a Region-specific ACM certificate. This
		// certificate must be in the same Region as your API" ("Set up a
		// Regional custom domain name in API Gateway").
		if m[2] != e.Region {
			p.add(dat+".certificateArn", "is a certificate in %s, but this environment deploys to %s; a regional domain needs a certificate in the API's region", m[2], e.Region)
		} else if m[1] != partitionOf(e.Region) {
			p.add(dat+".certificateArn", "is in partition %s, but %s is in %s", m[1], e.Region, partitionOf(e.Region))
		}
	}
	if d.HostedZoneID != "" && !hostedZoneID.MatchString(d.HostedZoneID) {
		p.add(dat+".hostedZoneId", "%q is not a Route 53 hosted zone id; want e.g. \"Z0123456789ABCDEFGHIJ\"", d.HostedZoneID)
	}
	if d.SecurityPolicy != "" && !slices.Contains(RegionalSecurityPolicies, d.SecurityPolicy) {
		p.add(dat+".securityPolicy", "%q is not a security policy of a regional REST API domain; use one of %s", d.SecurityPolicy, strings.Join(RegionalSecurityPolicies, ", "))
	}
	if m := d.MutualTLS; m != nil {
		switch {
		case m.TruststoreURI == "":
			p.add(dat+".mutualTls.truststoreUri", "is missing; mutual TLS needs a truststore, e.g. \"s3://my-bucket/truststore.pem\"")
		case !truststoreURI.MatchString(m.TruststoreURI):
			p.add(dat+".mutualTls.truststoreUri", "%q is not an S3 object URL; want \"s3://BUCKET/KEY\"", m.TruststoreURI)
		}
		if EnhancedSecurityPolicy(d.SecurityPolicy) {
			// "You can't enable mutual TLS on a domain name that uses an
			// enhanced security policy" ("Choose a security policy for your
			// custom domain in API Gateway").
			p.add(dat+".securityPolicy", "%q is an enhanced security policy, which mutual TLS does not allow; use %q or remove mutualTls", d.SecurityPolicy, SecurityPolicyTLS12)
		}
	}
	used := map[string]string{}
	for _, stage := range e.StageNames() {
		path := d.BasePath(stage)
		if other, ok := used[path]; ok {
			p.add(dat+".basePaths."+stage, "serves stage %s at the base path %q of stage %s; give each stage its own", stage, "/"+path, other)
		}
		used[path] = stage
	}
	for _, stage := range slices.Sorted(maps.Keys(d.BasePaths)) {
		path := d.BasePaths[stage]
		if _, ok := a.Stages[stage]; !ok {
			p.add(dat+".basePaths."+stage, "names no stage of this environment; stages: %s", strings.Join(e.StageNames(), ", "))
		} else if path != "/" && !basePath.MatchString(path) {
			p.add(dat+".basePaths."+stage, "%q is not a base path; use one path segment of letters, digits and ._~- (no slash), or \"/\" for the domain's root", path)
		}
	}
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
	// Type is "cognito" or "lambda". Required.
	Type string `json:"type"`
	// UserPoolArns are the Cognito user pools whose tokens are accepted
	// (type "cognito", at least one). Default: none.
	UserPoolArns []string `json:"userPoolArns"`
	// FunctionArn is the Lambda function that decides (type "lambda"); the
	// stack grants API Gateway permission to invoke it for this authorizer
	// only, so it must be in the environment's account and region.
	// Default: none.
	FunctionArn string `json:"functionArn"`
	// Kind is "token" (the function gets one header) or "request" (it gets
	// the identity sources), type "lambda". Default: "token".
	Kind string `json:"kind"`
	// IdentitySource is where the identity is read: one
	// method.request.header.NAME for a token or Cognito authorizer; for a
	// request authorizer a comma-separated list of
	// method.request.header.NAME, method.request.querystring.NAME,
	// stageVariables.NAME or context.NAME.
	// Default: "method.request.header.Authorization".
	IdentitySource string `json:"identitySource"`
	// ResultTTLSeconds is how long API Gateway caches the authorizer's
	// answer, 0 (no caching) to 3600. Default: 300.
	ResultTTLSeconds int `json:"resultTtlSeconds"`
}

func (a *Authorizer) setDefaults() {
	a.IdentitySource = "method.request.header.Authorization"
	// "If this field is not set, the default value is 300. The maximum value
	// is 3600" (Authorizer, API Gateway REST API reference).
	a.ResultTTLSeconds = 300
}

// UsagePlan throttles and caps the requests of the API keys a stage's
// operators add to it.
type UsagePlan struct {
	// RateLimit is each key's steady-state rate, in requests per second,
	// above 0. Required.
	RateLimit float64 `json:"rateLimit"`
	// BurstLimit is each key's burst, at least 1. Required.
	BurstLimit int `json:"burstLimit"`
	// Quota caps each key's requests per period. Default: none.
	Quota *Quota `json:"quota"`
}

// Quota caps the requests of an API key per period.
type Quota struct {
	// Limit is the most requests in a period, at least 1. Required.
	Limit int `json:"limit"`
	// Period is "DAY", "WEEK" or "MONTH". Required.
	Period string `json:"period"`
}

// QuotaPeriods are the periods of a usage plan's quota ("Valid values are
// DAY, WEEK or MONTH", QuotaSettings, API Gateway REST API reference).
var QuotaPeriods = []string{"DAY", "WEEK", "MONTH"}

var (
	// An authorizer's name becomes part of a construct id.
	authorizerName = regexp.MustCompile(`^[a-z][a-z0-9]{0,19}$`)
	// A Cognito user pool ARN:
	// arn:PARTITION:cognito-idp:REGION:ACCOUNT:userpool/REGION_ID.
	userPoolArn = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):cognito-idp:([a-z0-9-]+):([0-9]{12}):userpool/[a-z0-9-]+_[A-Za-z0-9]+$`)
	// A Lambda function ARN, unqualified or with a version or alias.
	functionArn = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):lambda:([a-z0-9-]+):([0-9]{12}):function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$`)
	// An OAuth scope is a string without spaces (RFC 6749, 3.3), e.g.
	// "orders/read" for a resource server's custom scope.
	oauthScope = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)
	// One header identity source.
	headerSource = regexp.MustCompile(`^method\.request\.header\.[A-Za-z0-9_-]+$`)
	// One identity source of a request authorizer.
	requestSource = regexp.MustCompile(`^(method\.request\.(header|querystring)\.[A-Za-z0-9_.-]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$`)
)

// AuthorizerOf returns the authorizer an authorization names, or nil for
// "iam" and "none".
func (a *API) AuthorizerOf(authorization string) *Authorizer {
	if authorization == AuthorizationIAM || authorization == AuthorizationNone {
		return nil
	}
	return a.Authorizers[authorization]
}

// validateAuthorization checks the API's and each route's authorization,
// the authorizers, scopes and API keys.
func (a *API) validateAuthorization(at string, e *Environment, p *problems) {
	names := append([]string{AuthorizationIAM, AuthorizationNone}, slices.Sorted(maps.Keys(a.Authorizers))...)
	used := map[string]bool{}
	check := func(key, authorization string) {
		if _, ok := a.Authorizers[authorization]; !ok && authorization != AuthorizationIAM && authorization != AuthorizationNone {
			p.add(key, "%q is not supported; use %s", authorization, strings.Join(quoted(names), ", "))
		}
		used[authorization] = true
	}
	check(at+".authorization", a.Authorization)
	keysRequired := false
	for i, r := range a.Routes {
		rat := fmt.Sprintf("%s.routes[%d]", at, i)
		authorization := a.Authorization
		if r.Authorization != "" {
			authorization = r.Authorization
			check(rat+".authorization", authorization)
		}
		// Scopes are checked by a Cognito authorizer in access tokens
		// (AuthorizationScopes, AWS::ApiGateway::Method: "used with a
		// COGNITO_USER_POOLS authorizer").
		if len(r.Scopes) > 0 {
			if az := a.AuthorizerOf(authorization); az == nil || az.Type != AuthorizerCognito {
				p.add(rat+".scopes", "are set but the route's authorization is %q; scopes need a Cognito authorizer", authorization)
			}
		}
		for j, scope := range r.Scopes {
			if !oauthScope.MatchString(scope) {
				p.add(fmt.Sprintf("%s.scopes[%d]", rat, j), "%q is not an OAuth scope; want e.g. \"orders/read\"", scope)
			}
		}
		keysRequired = keysRequired || r.ApiKeyRequired
	}
	for _, name := range slices.Sorted(maps.Keys(a.Authorizers)) {
		aat := at + ".authorizers." + name
		if !authorizerName.MatchString(name) {
			p.add(aat, "authorizer name %q is not valid; use a lowercase letter followed by up to 19 lowercase letters or digits, e.g. \"users\"", name)
		}
		if !used[name] {
			p.add(aat, "is used by neither api.authorization nor a route's authorization; use it or remove it")
		}
		a.Authorizers[name].validate(aat, e, p)
	}
	for _, name := range e.StageNames() {
		s := a.Stages[name]
		sat := at + ".stages." + name + ".usagePlan"
		if s.UsagePlan == nil {
			if keysRequired {
				// A key is accepted only on the stages of its usage plans
				// ("Usage plans and API keys for REST APIs in API Gateway").
				p.add(sat, "is missing, but a route has apiKeyRequired; every stage needs a usage plan to add API keys to, e.g. {\"rateLimit\": 10, \"burstLimit\": 20}")
			}
			continue
		}
		s.UsagePlan.validate(sat, p)
	}
}

func (az *Authorizer) validate(at string, e *Environment, p *problems) {
	sameEnvironment := func(key string, m []string) {
		if e.Pinned() && (m[2] != e.Region || m[3] != e.Account) {
			p.add(key, "is in account %s, %s, but this environment deploys to account %s, %s; the stack can only grant and look up what is in its own", m[3], m[2], e.Account, e.Region)
		}
	}
	if az.Kind != "" && az.Kind != LambdaToken && az.Kind != LambdaRequest {
		p.add(at+".kind", "%q is not a Lambda authorizer kind; use %q or %q", az.Kind, LambdaToken, LambdaRequest)
	}
	if az.TTLProblem() {
		p.add(at+".resultTtlSeconds", "%d is out of range; use 0 (no caching) to 3600", az.ResultTTLSeconds)
	}
	switch az.Type {
	case AuthorizerCognito:
		if len(az.UserPoolArns) == 0 {
			p.add(at+".userPoolArns", "is missing; a Cognito authorizer needs at least one user pool ARN")
		}
		for i, arn := range az.UserPoolArns {
			key := fmt.Sprintf("%s.userPoolArns[%d]", at, i)
			if m := userPoolArn.FindStringSubmatch(arn); m == nil {
				p.add(key, "%q is not a Cognito user pool ARN; want arn:aws:cognito-idp:REGION:ACCOUNT:userpool/REGION_ID", arn)
			} else {
				sameEnvironment(key, m)
			}
		}
		if az.FunctionArn != "" || az.Kind != "" {
			p.add(at, "sets functionArn or kind, which only a Lambda authorizer takes")
		}
		if !headerSource.MatchString(az.IdentitySource) {
			p.add(at+".identitySource", "%q is not a header; a Cognito authorizer reads one, e.g. \"method.request.header.Authorization\"", az.IdentitySource)
		}
	case AuthorizerLambda:
		if az.FunctionArn == "" {
			p.add(at+".functionArn", "is missing; a Lambda authorizer needs its function's ARN")
		} else if m := functionArn.FindStringSubmatch(az.FunctionArn); m == nil {
			p.add(at+".functionArn", "%q is not a Lambda function ARN; want arn:aws:lambda:REGION:ACCOUNT:function:NAME", az.FunctionArn)
		} else {
			sameEnvironment(at+".functionArn", m)
		}
		if len(az.UserPoolArns) > 0 {
			p.add(at+".userPoolArns", "are set, but only a Cognito authorizer takes user pools")
		}
		switch az.Kind {
		case "", LambdaToken:
			if !headerSource.MatchString(az.IdentitySource) {
				p.add(at+".identitySource", "%q is not a header; a token authorizer reads one, e.g. \"method.request.header.Authorization\"", az.IdentitySource)
			}
		case LambdaRequest:
			for _, source := range strings.Split(az.IdentitySource, ",") {
				if !requestSource.MatchString(strings.TrimSpace(source)) {
					p.add(at+".identitySource", "%q is not an identity source; use method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME or context.NAME, separated by commas", strings.TrimSpace(source))
				}
			}
		}
	default:
		p.add(at+".type", "%q is not an authorizer type; use %q or %q (JWT authorizers are for HTTP APIs only)", az.Type, AuthorizerCognito, AuthorizerLambda)
	}
}

// TTLProblem reports whether the cache time is outside 0 to 3600 seconds.
func (az *Authorizer) TTLProblem() bool {
	return az.ResultTTLSeconds < 0 || az.ResultTTLSeconds > 3600
}

func (u *UsagePlan) validate(at string, p *problems) {
	if u.RateLimit <= 0 {
		p.add(at+".rateLimit", "is missing or not above 0; set each API key's requests per second, e.g. 10")
	}
	if u.BurstLimit < 1 {
		p.add(at+".burstLimit", "is missing or below 1; set each API key's burst, e.g. 20")
	}
	if q := u.Quota; q != nil {
		if q.Limit < 1 {
			p.add(at+".quota.limit", "is missing or below 1; set the most requests per period, e.g. 10000")
		}
		if !slices.Contains(QuotaPeriods, q.Period) {
			p.add(at+".quota.period", "%q is not a quota period; use %s", q.Period, strings.Join(QuotaPeriods, ", "))
		}
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
