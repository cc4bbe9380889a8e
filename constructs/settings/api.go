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

// Canary overrides a stage's backend for a share of its requests.
type Canary struct {
	// Backend names the backend that receives the canary's share. Required.
	Backend string `json:"backend"`
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
		if s.Canary.Backend == "" {
			ps.add("canary.backend", "is missing; name the backend that receives the canary's share")
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
	return ps
}

// RoutesProblems returns what is wrong with the routes, each under "[i]":
// each route's own problems, then what is wrong with them together: a
// method listed twice for one path, and two names for the path variable
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
