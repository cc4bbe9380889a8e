package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"privatebackend/config"
)

// notInLogicalID are the characters a stage name may have that the CDK
// drops from the output's logical id ("Url-my_stage" becomes "Urlmystage").
var notInLogicalID = regexp.MustCompile(`[^A-Za-z0-9]`)

// stageURLsOf finds each stage's URL among the Api stack's outputs by the
// output's key, config.StageURLOutputPrefix + the stage name: a stage served by a custom domain has
// a URL whose path is its base path (or the domain's root), not its name.
// Outputs of stages not found that way are read from their paths, as
// stageURLs does.
func stageURLsOf(outputs map[string]string, stages []string) map[string]string {
	urls := stageURLs(outputs)
	for _, stage := range stages {
		value, ok := outputs[config.StageURLOutputPrefix+notInLogicalID.ReplaceAllString(stage, "")]
		if u, err := url.Parse(value); ok && err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			urls[stage] = strings.TrimSuffix(value, "/") + "/"
		}
	}
	return urls
}

// TokenEnv is the environment variable verify reads a Cognito or Lambda
// authorizer's token from when -token is not given.
const TokenEnv = "PRIVATEBACKEND_TOKEN"

// useToken makes p send a token to an API whose authorization is an
// authorizer, in the header the authorizer reads: token, or the value of
// TokenEnv. verify never prints it.
func useToken(p *Prober, env *config.Environment, token string) error {
	az := env.API.AuthorizerOf(env.API.Authorization)
	if az == nil {
		return nil
	}
	header := ""
	for _, source := range strings.Split(az.IdentitySource, ",") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(source), "method.request.header."); ok {
			header = name
			break
		}
	}
	if header == "" {
		return fmt.Errorf("api.authorization of %s is authorizer %q, which reads no header; verify can only send a token in a header", env.Name, env.API.Authorization)
	}
	if token == "" {
		token = os.Getenv(TokenEnv)
	}
	if token == "" {
		return fmt.Errorf("api.authorization of %s is authorizer %q: pass the %s header's value with -token or in %s (it is never printed)", env.Name, env.API.Authorization, header, TokenEnv)
	}
	p.Token, p.TokenHeader = token, header
	return nil
}

// checkRefusal proves that a stage whose API is not open refuses a request
// without credentials: API Gateway answers 403 to an unsigned request to an
// AWS_IAM method and 401 when an authorizer's identity source is missing.
func checkRefusal(ctx context.Context, p Prober, env *config.Environment, plan StagePlan, r StageResult) StageResult {
	if env.API.Authorization == config.AuthorizationNone {
		return r
	}
	a := Prober{Client: p.Client, Region: p.Region}.Get(ctx, plan.URL)
	r.RefusedStatus = a.Status
	if a.Status != http.StatusUnauthorized && a.Status != http.StatusForbidden {
		what := fmt.Sprintf("answered %d", a.Status)
		if a.Err != nil {
			what = fmt.Sprintf("failed (%v)", a.Err)
		}
		r.Problems = append(r.Problems, fmt.Sprintf("stage %s: a request without credentials %s, want 401 or 403: api.authorization is %q, so the stage must refuse it", plan.Name, what, env.API.Authorization))
		r.Passed = false
	}
	return r
}

// checkHeaderRoute proves api.domain.routeHeader: a request to another
// stage's URL that carries this stage's name in the header is answered by
// this stage's backend (or its canary's), so testers reach it at that URL.
// It needs the sample application's answer, so it runs only when the
// backend is checked (no -path).
func checkHeaderRoute(ctx context.Context, p Prober, env *config.Environment, plan StagePlan, urls map[string]string, r StageResult) StageResult {
	d := env.API.Domain
	if d == nil || d.RouteHeader == nil || plan.Backend == "" {
		return r
	}
	other := plan.URL
	for _, name := range env.StageNames() {
		if u, ok := urls[name]; ok && name != plan.Name {
			other = u
			break
		}
	}
	p.Headers = map[string]string{d.RouteHeader.Name: plan.Name}
	a := p.Get(ctx, other)
	var answer sampleAnswer
	switch {
	case a.Err != nil:
		r.Problems = append(r.Problems, fmt.Sprintf("stage %s: a request to %s with %s: %s failed: %v", plan.Name, other, d.RouteHeader.Name, plan.Name, a.Err))
	case a.Status != http.StatusOK || json.Unmarshal(a.Body, &answer) != nil || answer.Backend == nil:
		r.Problems = append(r.Problems, fmt.Sprintf("stage %s: a request to %s with %s: %s answered %d: %s", plan.Name, other, d.RouteHeader.Name, plan.Name, a.Status, snippet(a.Body)))
	case *answer.Backend != plan.Backend && (plan.Canary == nil || *answer.Backend != plan.Canary.Backend):
		r.Problems = append(r.Problems, fmt.Sprintf("stage %s: a request to %s with %s: %s was answered by backend %s, want %s: the domain's routing rule does not reach the stage", plan.Name, other, d.RouteHeader.Name, plan.Name, *answer.Backend, plan.Backend))
	default:
		r.HeaderRouted = other
		return r
	}
	r.Passed = false
	return r
}

// restAPIIDOf returns the REST API's id: the first label of an execute-api
// URL's host, or the API stack's RestApiId output when the stages are
// served by a custom domain.
func restAPIIDOf(ctx context.Context, env *config.Environment, stacks StackOutputs, stageURL string) string {
	if env.API.Domain != nil {
		if outputs, err := stacks.Outputs(ctx, env.Stacks.API.Name); err == nil && outputs[config.RestAPIIDOutput] != "" {
			return outputs[config.RestAPIIDOutput]
		}
	}
	id, _, _ := strings.Cut(hostOf(stageURL), ".")
	return id
}

// checkServiceVariables checks, for each service a stage serves besides the
// default one, that the service's own variables (SERVICEVpcLinkId and
// SERVICEHost, constructs.ServiceVariables) and its canary's overrides name
// its backend's VPC link and host, and that backend's deployment.
func checkServiceVariables(ctx context.Context, d Deployment, stageName string, stage *config.Stage, variables, canary map[string]string, backends map[string]backendStack, backendProblems map[string][]string) []string {
	var problems []string
	as := func(vars map[string]string, service string) map[string]string {
		return map[string]string{vpcLinkIDVariable: vars[service+"VpcLinkId"], backendHostVariable: vars[service+"Host"]}
	}
	for _, service := range slices.Sorted(maps.Keys(stage.Backends)) {
		backend := stage.Backends[service]
		problems = append(problems, checkVariables(ctx, d, stageName, "variables of service "+service, as(variables, service), backend, backends[backend])...)
		problems = append(problems, backendProblems[backend]...)
		if stage.Canary == nil {
			continue
		}
		if override, ok := stage.Canary.Backends[service]; ok {
			merged := maps.Clone(variables)
			maps.Copy(merged, canary)
			problems = append(problems, checkVariables(ctx, d, stageName, "canary of service "+service, as(merged, service), override, backends[override])...)
			problems = append(problems, backendProblems[override]...)
		}
	}
	return problems
}
