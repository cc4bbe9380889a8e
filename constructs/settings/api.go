package settings

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"privatebackend/internal/model"
)

// Stage are the settings of one stage of a private REST API.
type Stage struct {
	// RateLimit is the steady-state request rate limit, in requests per
	// second.
	RateLimit *float64 `json:"rateLimit,omitempty" default:"100" above:"0"`
	// BurstLimit is the burst request limit.
	BurstLimit *int `json:"burstLimit,omitempty" default:"200" min:"1"`
	// Canary sends a share of the stage's requests to another backend.
	// Default: none.
	Canary *Canary `json:"canary,omitempty"`

	// Checked is set when config found these settings valid; a construct
	// checks settings without it.
	Checked model.Checked `json:"-"`
}

// Canary overrides a stage's backends for a share of its requests.
type Canary struct {
	// Backend names the backend that receives the canary's share of the
	// default service's requests; backend or backends is required.
	// Default: the stage's own backend.
	Backend string `json:"backend" pattern:"backendName"`
	// Backends name, by service, the backend that receives the canary's
	// share of that service's requests, e.g. {"orders": "ordersgreen"}.
	// Default: none (each service keeps the stage's backend).
	Backends map[string]string `json:"backends,omitempty" keys:"serviceName"`
	// Percent is the share of requests sent to the canary's backend.
	Percent float64 `json:"percent" required:"true" above:"0" below:"100"`
}

// Rules are the canary's cross-key rules: it overrides some backend.
func (c Canary) Rules() Problems {
	var ps Problems
	if c.Backend == "" && len(c.Backends) == 0 {
		ps.Add("backend", "is missing; set backend (the default service's) or backends (by service)")
	}
	return ps
}

var (
	// StageNamePattern is the form of a stage name: API Gateway stage
	// names allow letters, digits and underscores.
	StageNamePattern = model.NewPattern(model.Pattern{Name: "stageName", Expr: `^[A-Za-z0-9_]{1,64}$`,
		What: "a stage name", Want: "up to 64 letters, digits and underscores"})
	// BackendNamePattern is the form of a backend's name, which becomes
	// part of a stack name ("dev-Backend-NAME") and of construct ids; stack
	// names allow letters, digits and hyphens, starting with a letter
	// ("CreateStack", StackName).
	BackendNamePattern = model.NewPattern(model.Pattern{Name: "backendName", Expr: `^[a-z][a-z0-9-]{0,19}$`,
		What: "a backend name that can be part of a stack name", Want: `a lowercase letter followed by up to 19 lowercase letters, digits or hyphens, e.g. "orders-blue"`})
)

// WithDefaults returns the stage settings with every unset one at its default.
func (s Stage) WithDefaults() Stage { return model.WithDefaults(s) }

// Problems returns what is wrong with the settings of the stage called
// name, with defaults applied; the name itself is reported under "".
func (s Stage) Problems(name string) Problems {
	var ps Problems
	if !StageNamePattern.MatchString(name) {
		ps.Add("", "%q is not a stage name; want up to 64 letters, digits and underscores", name)
	}
	return append(ps, model.Check(s.WithDefaults())...)
}

// Route is an explicit route of a private REST API, proxied to the same
// path on the backend.
type Route struct {
	// Path is the resource path, such as "/orders/{id}": a literal first
	// segment (the catch-all /{proxy+} holds the root's path variable),
	// literals and {parameters}, only the last greedy ({name+}), and one
	// name per variable across the routes.
	Path string `json:"path" required:"true" pattern:"routePath"`
	// Methods are the HTTP methods of the route.
	Methods []string `json:"methods,omitempty" default:"[\"ANY\"]" minEntries:"1" enum:"httpMethod"`
	// Service names the service the route belongs to: each stage sends it
	// to the backend its backends name for the service. Default: the
	// default service, which also holds "/" and the catch-all, and whose
	// backend is the stage's backend.
	Service string `json:"service,omitempty" pattern:"serviceName"`
	// Authorization overrides the API's authorization for the route: "iam",
	// "none" or the name of an authorizer. Default: the API's.
	Authorization string `json:"authorization,omitempty" pattern:"authorizationName"`
	// Scopes are the OAuth scopes an access token must carry for the
	// route, only with a Cognito authorizer; without them the authorizer
	// takes ID tokens. Default: none.
	Scopes []string `json:"scopes,omitempty" pattern:"oauthScope"`
	// ApiKeyRequired makes clients send an API key of a usage plan of the
	// stage (header x-api-key).
	ApiKeyRequired bool `json:"apiKeyRequired,omitempty" default:"false"`

	// Checked is set when config found these settings valid; a construct
	// checks settings without it.
	Checked model.Checked `json:"-"`
}

var (
	// ServiceNamePattern is the form of a service name: it prefixes the
	// service's stage variables (ordersVpcLinkId, ordersHost): "Variable
	// names can have alphanumeric and underscore characters"
	// (CreateDeployment, variables, API Gateway REST API reference).
	ServiceNamePattern = model.NewPattern(model.Pattern{Name: "serviceName", Expr: `^[a-z][a-z0-9]{0,19}$`,
		What: "a service name", Want: `a lowercase letter followed by up to 19 lowercase letters or digits, e.g. "orders"`})
	// The form of an authorization: "iam", "none" or an authorizer's name,
	// which becomes part of a construct id.
	_ = model.NewPattern(model.Pattern{Name: "authorizationName", Expr: `^[a-z][a-z0-9]{0,19}$`,
		What: "an authorization", Want: `"iam", "none" or the name of an authorizer (a lowercase letter followed by up to 19 lowercase letters or digits)`})
	// An OAuth scope is a string without spaces (RFC 6749, 3.3), e.g.
	// "orders/read" for a resource server's custom scope.
	_ = model.NewPattern(model.Pattern{Name: "oauthScope", Expr: `^[\x21\x23-\x5B\x5D-\x7E]+$`,
		What: "an OAuth scope", Want: `e.g. "orders/read"`})
)

// Services returns the names of the services the routes name, sorted,
// without the default service.
func Services(routes []Route) []string {
	var out []string
	for _, r := range routes {
		if r.Service != "" && !slices.Contains(out, r.Service) {
			out = append(out, r.Service)
		}
	}
	slices.Sort(out)
	return out
}

// serviceLabel names a route's service in a message.
func serviceLabel(service string) string {
	if service == "" {
		return "the default service"
	}
	return "service " + service
}

// pathsMeet reports whether one request path can match both route paths:
// a literal matches itself, {name} any one segment, {name+} one or more.
// API Gateway sends such a request to the more specific of the two ("the
// most specific match", "Routing API requests" in the HTTP API guide,
// applied here to REST APIs, not verified against AWS), so routes of two
// services that meet would silently take requests from each other.
func pathsMeet(a, b []string) bool {
	for len(a) > 0 && len(b) > 0 {
		if strings.HasSuffix(a[0], "+}") || strings.HasSuffix(b[0], "+}") {
			return true
		}
		literalA, literalB := !strings.HasPrefix(a[0], "{"), !strings.HasPrefix(b[0], "{")
		if literalA && literalB && a[0] != b[0] {
			return false
		}
		a, b = a[1:], b[1:]
	}
	return len(a) == 0 && len(b) == 0
}

// methodsMeet reports whether two routes' method lists share a method, ANY
// sharing every one.
func methodsMeet(a, b []string) bool {
	for _, m := range a {
		if m == "ANY" || slices.Contains(b, m) || slices.Contains(b, "ANY") {
			return true
		}
	}
	return false
}

// HTTPMethods are the methods a Route accepts.
var HTTPMethods = model.NewEnum("httpMethod", "an HTTP method", "ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")

// RoutePathPattern is the form of a Route's path: a literal first segment,
// then literal segments and {parameters}, the last of which may be greedy
// ({name+}). The first is literal because the catch-all {proxy+} is the
// root's one path variable, and API Gateway refuses a second ("A sibling
// ({proxy+}) of this resource already has a variable path part -- only one
// is allowed", e.g. serverless/serverless#3075); a greedy parameter is last
// ("The greedy path variable must be at the end of the resource path", API
// Gateway developer guide, "HTTP proxy integrations", said of HTTP APIs and
// applied here to REST APIs, not verified against AWS).
var RoutePathPattern = model.NewPattern(model.Pattern{Name: "routePath",
	Expr: `^/[A-Za-z0-9._~-]+(/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\}))*(/\{[A-Za-z0-9_]+\+\})?$`,
	What: "a route path", Want: `a literal first segment, then literals and {parameters}, only the last greedy, e.g. "/orders/{id}" (the catch-all /{proxy+} is always there)`})

// WithDefaults returns the route with its methods defaulted.
func (r Route) WithDefaults() Route { return model.WithDefaults(r) }

// RoutesProblems returns what is wrong with the routes, each under "[i]":
// each route's own problems, then RouteConflicts.
func RoutesProblems(routes []Route) Problems {
	var ps Problems
	for i, r := range routes {
		ps = append(ps, model.Check(r.WithDefaults()).Within(fmt.Sprintf("[%d]", i))...)
	}
	return append(ps, RouteConflicts(routes)...)
}

// RouteConflicts returns what is wrong with the routes together, each
// under "[i]": routes of two services that match the same requests, a
// method listed twice for one path, and two names for the
// path variable under one parent (API Gateway allows one variable path part
// among a resource's children: "A sibling ({id}) of this resource already
// has a variable path part -- only one is allowed",
// amazon-archives/aws-apigateway-importer#202).
func RouteConflicts(routes []Route) Problems {
	var ps Problems
	methods := map[string]int{}
	variables := map[string]string{}
	for i, r := range routes {
		r = r.WithDefaults()
		if !RoutePathPattern.MatchString(r.Path) {
			continue
		}
		for j, other := range routes[:i] {
			other = other.WithDefaults()
			if other.Service == r.Service || !RoutePathPattern.MatchString(other.Path) {
				continue
			}
			if pathsMeet(strings.Split(r.Path, "/")[1:], strings.Split(other.Path, "/")[1:]) && methodsMeet(r.Methods, other.Methods) {
				ps.Add(fmt.Sprintf("[%d].path", i), "%q of %s and routes[%d] %q of %s match the same requests, which API Gateway sends to the more specific one; give each service paths no other service's route matches", r.Path, serviceLabel(r.Service), j, other.Path, serviceLabel(other.Service))
				break
			}
		}
		for j, m := range r.Methods {
			key := r.Path + " " + m
			if first, ok := methods[key]; ok {
				ps.Add(fmt.Sprintf("[%d].methods[%d]", i, j), "%s %s is also routes[%d]; list each method of a path once", m, r.Path, first)
			} else {
				methods[key] = i
			}
		}
		parent := ""
		for _, part := range strings.Split(r.Path, "/")[1:] {
			if strings.HasPrefix(part, "{") {
				if other, ok := variables[parent]; !ok {
					variables[parent] = part
				} else if other != part {
					ps.Add(fmt.Sprintf("[%d].path", i), "%q names the variable under %q %s, but another route names it %s; use one name", r.Path, parent+"/", part, other)
				}
			}
			parent += "/" + part
		}
	}
	return ps
}

// DefaultAccessLogRetentionDays is how long a stage's access logs are kept,
// in days, unless set.
const DefaultAccessLogRetentionDays = 90

// LogRetentionDays are the values CloudWatch Logs accepts for a log group's
// retention (PutRetentionPolicy, CloudWatch Logs API reference).
var LogRetentionDays = model.NewEnum("logRetentionDays", "a CloudWatch Logs retention",
	1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)

// LogRetentionProblems reports, under key, a retention CloudWatch Logs does
// not accept.
func LogRetentionProblems(key string, days int) Problems {
	var ps Problems
	if !slices.Contains(LogRetentionDays, days) {
		ps.Add(key, "%d is not a CloudWatch Logs retention; use one of %s", days, joinInts(LogRetentionDays))
	}
	return ps
}

// RoutingRulePriority is the priority of the routing rule that sends a
// request carrying a stage's name in the route header to that stage:
// rules with a base path condition in 1 to 500000, the rule for requests
// without a known base path (atRoot) in 500001 to 1000000, so that every
// rule of the first kind is evaluated first. API Gateway evaluates rules
// "from the lowest value to the highest value", priorities "1-1,000,000",
// and "Rules can't have the same priority" ("Routing rules to connect API
// stages to a custom domain name for REST APIs"). The priority comes from
// the stage's name alone, so adding or removing a stage moves no other
// stage's rule (two rules trading priorities in one update could collide).
func RoutingRulePriority(stage string, atRoot bool) int {
	h := fnv.New32a()
	h.Write([]byte(stage))
	p := 1 + int(h.Sum32()%500000)
	if atRoot {
		p += 500000
	}
	return p
}
