package settings

import (
	"fmt"
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

// Canary overrides a stage's backend for a share of its requests.
type Canary struct {
	// Backend names the backend that receives the canary's share.
	Backend string `json:"backend" required:"true" pattern:"backendName"`
	// Percent is the share of requests sent to the canary's backend.
	Percent float64 `json:"percent" required:"true" above:"0" below:"100"`
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

	// Checked is set when config found these settings valid; a construct
	// checks settings without it.
	Checked model.Checked `json:"-"`
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
// under "[i]": a method listed twice for one path, and two names for the
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
