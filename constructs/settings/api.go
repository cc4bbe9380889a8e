package settings

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Stage are the settings of one stage of a private REST API.
type Stage struct {
	// RateLimit is the steady-state request rate limit, in requests per
	// second, above 0. Default: 100.
	RateLimit *float64 `json:"rateLimit,omitempty"`
	// BurstLimit is the burst request limit, at least 1. Default: 200.
	BurstLimit *int `json:"burstLimit,omitempty"`
	// Canary sends a share of the stage's requests to another backend.
	// Default: none.
	Canary *Canary `json:"canary,omitempty"`
}

// Canary overrides a stage's backends for a share of its requests.
type Canary struct {
	// Backend names the backend that receives the canary's share of the
	// default service's requests. Required unless backends is set.
	// Default: the stage's own backend.
	Backend string `json:"backend"`
	// Backends name, by service, the backend that receives the canary's
	// share of that service's requests, e.g. {"orders": "ordersgreen"}.
	// Default: none (each service keeps the stage's backend).
	Backends map[string]string `json:"backends,omitempty"`
	// Percent is the share of requests sent to the canary's backend, above
	// 0 and below 100. Required.
	Percent float64 `json:"percent"`
}

// StageNamePattern is the form of a stage name: API Gateway stage names
// allow letters, digits and underscores.
var StageNamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// WithDefaults returns the stage settings with every unset one at its default.
func (s Stage) WithDefaults() Stage {
	s.RateLimit = or(s.RateLimit, 100.0)
	s.BurstLimit = or(s.BurstLimit, 200)
	return s
}

// Problems returns what is wrong with the settings of the stage called
// name, with defaults applied; the name itself is reported under "".
func (s Stage) Problems(name string) Problems {
	s = s.WithDefaults()
	var ps Problems
	if !StageNamePattern.MatchString(name) {
		ps.add("", "stage name %q is not valid; use letters, digits and underscores", name)
	}
	if *s.RateLimit <= 0 {
		ps.add("rateLimit", "%v is not a rate; use a number of requests per second above 0", *s.RateLimit)
	}
	if *s.BurstLimit < 1 {
		ps.add("burstLimit", "%d is too small; use at least 1", *s.BurstLimit)
	}
	if s.Canary != nil {
		if s.Canary.Backend == "" && len(s.Canary.Backends) == 0 {
			ps.add("canary", "overrides no backend; set backend (the default service's) or backends (by service)")
		}
		if p := s.Canary.Percent; p <= 0 || p >= 100 {
			ps.add("canary.percent", "%v is out of range; use a percentage above 0 and below 100", p)
		}
	}
	return ps
}

// Route is an explicit route of a private REST API, proxied to the same
// path on the backend.
type Route struct {
	// Path is the resource path, such as "/orders/{id}": a literal first
	// segment (the catch-all /{proxy+} holds the root's path variable),
	// literals and {parameters}, only the last greedy ({name+}), and one
	// name per variable across the routes. Required.
	Path string `json:"path"`
	// Methods are the HTTP methods of the route. Default: ["ANY"].
	Methods []string `json:"methods,omitempty"`
	// Service names the service the route belongs to: each stage sends it
	// to the backend its backends name for the service. NAME is a
	// lowercase letter followed by up to 19 lowercase letters or digits.
	// Default: the default service, which also holds "/" and the
	// catch-all, and whose backend is the stage's backend.
	Service string `json:"service,omitempty"`
	// Authorization overrides the API's authorization for the route: "iam",
	// "none" or the name of an authorizer. Default: the API's.
	Authorization string `json:"authorization,omitempty"`
	// Scopes are the OAuth scopes an access token must carry for the
	// route, only with a Cognito authorizer; without them the authorizer
	// takes ID tokens. Default: none.
	Scopes []string `json:"scopes,omitempty"`
	// ApiKeyRequired makes clients send an API key of a usage plan of the
	// stage (header x-api-key). Default: false.
	ApiKeyRequired bool `json:"apiKeyRequired,omitempty"`
}

// HTTPMethods are the methods a Route accepts.
var HTTPMethods = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// RoutePathPattern is the form of a Route's path: a literal first segment,
// then literal segments and {parameters}, the last of which may be greedy
// ({name+}). The first is literal because the catch-all {proxy+} is the
// root's one path variable, and API Gateway refuses a second ("A sibling
// ({proxy+}) of this resource already has a variable path part -- only one
// is allowed", e.g. serverless/serverless#3075); a greedy parameter is last
// ("The greedy path variable must be at the end of the resource path", API
// Gateway developer guide, "HTTP proxy integrations", said of HTTP APIs and
// applied here to REST APIs, not verified against AWS).
var RoutePathPattern = regexp.MustCompile(`^/[A-Za-z0-9._~-]+(/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\}))*(/\{[A-Za-z0-9_]+\+\})?$`)

// WithDefaults returns the route with its methods defaulted.
func (r Route) WithDefaults() Route {
	if r.Methods == nil {
		r.Methods = []string{"ANY"}
	}
	return r
}

// Problems returns what is wrong with the route.
func (r Route) Problems() Problems {
	r = r.WithDefaults()
	var ps Problems
	if !RoutePathPattern.MatchString(r.Path) {
		ps.add("path", "%q is not a route path; want a literal first segment, then literals and {parameters}, only the last greedy, e.g. \"/orders/{id}\" (the catch-all /{proxy+} is always there)", r.Path)
	}
	if len(r.Methods) == 0 {
		ps.add("methods", "is empty; list at least one of %s", strings.Join(HTTPMethods, ", "))
	}
	for i, m := range r.Methods {
		if !slices.Contains(HTTPMethods, m) {
			ps.add(fmt.Sprintf("methods[%d]", i), "%q is not an HTTP method; use one of %s", m, strings.Join(HTTPMethods, ", "))
		}
	}
	if r.Service != "" && !ServiceNamePattern.MatchString(r.Service) {
		ps.add("service", "%q is not a service name; use a lowercase letter followed by up to 19 lowercase letters or digits, e.g. \"orders\"", r.Service)
	}
	return ps
}

// ServiceNamePattern is the form of a service name: it prefixes the
// service's stage variables (ordersVpcLinkId, ordersHost), whose names API
// Gateway allows to hold only letters, digits and underscores ("Set up
// stage variables for REST APIs in API Gateway").
var ServiceNamePattern = regexp.MustCompile(`^[a-z][a-z0-9]{0,19}$`)

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
// applied here to REST APIs), so routes of two services that meet would
// silently take requests from each other.
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

// RoutesProblems returns what is wrong with the routes, each under "[i]":
// each route's own problems, then what is wrong with them together: routes
// of two services that match the same requests, a method listed twice for
// one path, and two names for the path variable
// under one parent (API Gateway allows one variable path part among a
// resource's children: "A sibling ({id}) of this resource already has a
// variable path part -- only one is allowed",
// amazon-archives/aws-apigateway-importer#202).
func RoutesProblems(routes []Route) Problems {
	var ps Problems
	methods := map[string]int{}
	variables := map[string]string{}
	for i, r := range routes {
		ps = append(ps, r.Problems().Within(fmt.Sprintf("[%d]", i))...)
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
				ps.add(fmt.Sprintf("[%d].path", i), "%q of %s and routes[%d] %q of %s match the same requests, which API Gateway sends to the more specific one; give each service paths no other service's route matches", r.Path, serviceLabel(r.Service), j, other.Path, serviceLabel(other.Service))
				break
			}
		}
		for j, m := range r.Methods {
			key := r.Path + " " + m
			if first, ok := methods[key]; ok {
				ps.add(fmt.Sprintf("[%d].methods[%d]", i, j), "%s %s is also routes[%d]; list each method of a path once", m, r.Path, first)
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
					ps.add(fmt.Sprintf("[%d].path", i), "%q names the variable under %q %s, but another route names it %s; use one name", r.Path, parent+"/", part, other)
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
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// LogRetentionProblems reports, under key, a retention CloudWatch Logs does
// not accept.
func LogRetentionProblems(key string, days int) Problems {
	var ps Problems
	if !slices.Contains(LogRetentionDays, days) {
		ps.add(key, "%d is not a CloudWatch Logs retention; use one of %s", days, joinInts(LogRetentionDays))
	}
	return ps
}
