package main

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"privatebackend/internal/testsupport/cdktest"
)

// constructChecks are the checks the constructs make of their settings
// (package constructs/settings), each driven here by a cdk.json: the key it
// sets in environment "dev" and the message config must give first.
var constructChecks = []struct{ key, value, want string }{
	{"backends.blue.platform", `"Windows"`, `environments.dev.backends.blue.platform: "Windows" is not a platform branch name`},
	{"backends.blue", `{"platform": "arn:aws:elasticbeanstalk:eu-west-1::platform/Node.js 22 running on 64bit Amazon Linux 2023/6.6.0", "platformRefresh": "2026-11-26"}`, `environments.dev.backends.blue.platformRefresh: is set but platform is a platform version ARN, which is never looked up`},
	{"backends.blue.platformRefresh", `"a b"`, `environments.dev.backends.blue.platformRefresh: "a b" is not a refresh token`},
	{"backends.blue.instanceType", `"t3"`, `environments.dev.backends.blue.instanceType: "t3" is not an instance type`},
	{"backends.blue.minInstances", `0`, `environments.dev.backends.blue.minInstances: 0 is too small`},
	{"backends.blue.maxInstances", `0`, `environments.dev.backends.blue.maxInstances: 0 is too small`},
	{"backends.blue.maxInstances", `10001`, `environments.dev.backends.blue.maxInstances: 10001 is more than Auto Scaling allows`},
	{"backends.blue.minInstances", `5`, `environments.dev.backends.blue.minInstances: 5 is greater than maxInstances (4)`},
	{"backends.blue.deploymentPolicy", `"AllAtOnce"`, `environments.dev.backends.blue.deploymentPolicy: "AllAtOnce" is not supported`},
	{"backends.blue.logRetentionDays", `1096`, `environments.dev.backends.blue.logRetentionDays: 1096 is not a retention Beanstalk accepts for streamed logs`},
	{"backends.blue.updateWindow", `"Sunday 3am"`, `environments.dev.backends.blue.updateWindow: "Sunday 3am" is not a weekly window`},
	{"monitoring.emails", `["a..b@example.com"]`, `environments.dev.monitoring.emails[0]: "a..b@example.com" is not an email address`},
	{"monitoring.errorRatePercent", `0`, `environments.dev.monitoring.errorRatePercent: 0 is out of range`},
	{"monitoring.minRequests", `0`, `environments.dev.monitoring.minRequests: 0 is too small`},
	{"monitoring.latencyPercentile", `"p42"`, `environments.dev.monitoring.latencyPercentile: "p42" is not a latency percentile`},
	{"monitoring.latencyThresholdMs", `30000`, `environments.dev.monitoring.latencyThresholdMs: 30000 is out of range`},
	{"monitoring.periodMinutes", `7`, `environments.dev.monitoring.periodMinutes: 7 is not an alarm period here`},
	{"monitoring.evaluationPeriods", `0`, `environments.dev.monitoring.evaluationPeriods: 0 is too small`},
	{"monitoring.evaluationPeriods", `2000`, `environments.dev.monitoring.evaluationPeriods: 2000 periods of 5 minutes is more than the one day`},
	{"api.stages.live.rateLimit", `0`, `environments.dev.api.stages.live.rateLimit: 0 is not a rate`},
	{"api.stages.live.burstLimit", `0`, `environments.dev.api.stages.live.burstLimit: 0 is too small`},
	{"api.stages.live.canary", `{"percent": 10}`, `environments.dev.api.stages.live.canary: overrides no backend`},
	{"api.stages.live.canary", `{"backend": "blue", "percent": 100}`, `environments.dev.api.stages.live.canary.percent: 100 is out of range`},
	{"api.stages.live-1", `{"backend": "blue"}`, `environments.dev.api.stages.live-1: stage name "live-1" is not valid`},
	{"api.routes", `[{"path": "orders"}]`, `environments.dev.api.routes[0].path: "orders" is not a route path`},
	{"api.routes", `[{"path": "/orders", "methods": []}]`, `environments.dev.api.routes[0].methods: is empty`},
	{"api.routes", `[{"path": "/orders", "methods": ["FETCH"]}]`, `environments.dev.api.routes[0].methods[0]: "FETCH" is not an HTTP method`},
	{"api.routes", `[{"path": "/orders/{id}"}, {"path": "/orders/{orderId}/items"}]`, `environments.dev.api.routes[1].path: "/orders/{orderId}/items" names the variable under "/orders/" {orderId}, but another route names it {id}`},
	{"api.routes", `[{"path": "/orders", "methods": ["GET"]}, {"path": "/orders", "methods": ["POST", "GET"]}]`, `environments.dev.api.routes[1].methods[1]: GET /orders is also routes[0]`},
	{"api.routes", `[{"path": "/orders", "service": "Orders"}]`, `environments.dev.api.routes[0].service: "Orders" is not a service name`},
	{"api.routes", `[{"path": "/orders/{proxy+}", "service": "orders"}, {"path": "/orders/export"}]`, `environments.dev.api.routes[1].path: "/orders/export" of the default service and routes[0] "/orders/{proxy+}" of service orders match the same requests`},
	{"api.accessLogRetentionDays", `10`, `environments.dev.api.accessLogRetentionDays: 10 is not a CloudWatch Logs retention`},
}

// TestConstructChecksAreCaughtByConfigFirst drives each check a construct
// makes of its settings through a cdk.json: config must catch it before any
// construct exists, naming the key path and the environment, exit 1 and
// write nothing, not even an asset.
func TestConstructChecksAreCaughtByConfigFirst(t *testing.T) {
	for _, c := range constructChecks {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			var env map[string]any
			if err := json.Unmarshal([]byte(`{"backends": {"blue": {}}, "api": {"stages": {"live": {"backend": "blue"}}}}`), &env); err != nil {
				t.Fatal(err)
			}
			var value any
			if err := json.Unmarshal([]byte(c.value), &value); err != nil {
				t.Fatal(err)
			}
			at := env
			path := strings.Split(c.key, ".")
			for _, k := range path[:len(path)-1] {
				next, ok := at[k].(map[string]any)
				if !ok {
					next = map[string]any{}
					at[k] = next
				}
				at = next
			}
			at[path[len(path)-1]] = value
			context := map[string]any{"environments": map[string]any{"dev": env}}
			dir := t.TempDir()
			var stderr bytes.Buffer
			if code := run(&stderr, &awscdk.AppProps{Context: &context, Outdir: &dir}); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if !strings.Contains(stderr.String(), "invalid configuration") || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("config does not say %q; it says:\n%s", c.want, stderr.String())
			}
			if written := cdktest.DirEntries(dir); len(written) > 0 {
				t.Errorf("the configuration wrote %v", written)
			}
		})
	}
}

// TestEveryConstructCheckIsInTheTable keeps constructChecks complete: each
// problem package settings can report (each call of its Problems' add, the
// one way it reports them) must be driven above by an entry of its own
// whose message names the same key and says the same words, so a check
// added there is caught by config before it ships.
func TestEveryConstructCheckIsInTheTable(t *testing.T) {
	// The sources beside this file, wherever the test binary runs.
	_, self, _, _ := runtime.Caller(0)
	files, err := filepath.Glob(filepath.Join(filepath.Dir(self), "constructs", "settings", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	type check struct {
		pos        token.Position
		key, words string
		format     string
	}
	var checks []check
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			// A Problem built by hand would escape this test; only the add
			// method and the key rewriting of settings.go may build one.
			if lit, ok := n.(*ast.CompositeLit); ok && filepath.Base(file) != "settings.go" {
				if id, ok := lit.Type.(*ast.Ident); ok && id.Name == "Problem" {
					t.Errorf("%s: a Problem built by hand; report it with ps.add", fset.Position(lit.Pos()))
				}
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "add" {
				return true
			}
			pos := fset.Position(call.Pos())
			if len(call.Args) < 2 {
				t.Errorf("%s: add without a key and a message", pos)
				return true
			}
			key, ok := checkKey(call.Args[0])
			if !ok {
				t.Errorf("%s: the key is neither a literal, a Sprintf of one nor a parameter", pos)
				return true
			}
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok {
				t.Errorf("%s: the message is not a literal", pos)
				return true
			}
			format, _ := strconv.Unquote(lit.Value)
			checks = append(checks, check{pos, key, checkWords(format), format})
			return true
		})
	}
	if len(checks) < len(constructChecks)/2 {
		t.Fatalf("found only %d checks in constructs/settings; the parse no longer sees them", len(checks))
	}
	// Each check takes an entry of its own; the checks with the fewest
	// candidates choose first.
	candidates := make([][]int, len(checks))
	for i, c := range checks {
		for j, e := range constructChecks {
			if strings.Contains(e.want, c.key) && strings.Contains(e.want, c.words) {
				candidates[i] = append(candidates[i], j)
			}
		}
	}
	order := make([]int, len(checks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(candidates[a]) - len(candidates[b]) })
	taken := map[int]bool{}
	for _, i := range order {
		c := checks[i]
		j := slices.IndexFunc(candidates[i], func(j int) bool { return !taken[j] })
		if j < 0 {
			t.Errorf("%s: no entry of constructChecks of its own drives the check of %q (%q)", c.pos, strings.Trim(c.key, ".:"), c.format)
			continue
		}
		taken[candidates[i][j]] = true
	}
}

// checkKey returns what an entry's message contains where a check reports
// under key: ".minInstances:" for a literal, ".methods[" or "[" for the
// literal start of a Sprintf'd key, and "" (any key) for the empty key and
// a helper's key parameter.
func checkKey(key ast.Expr) (string, bool) {
	switch k := key.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(k.Value)
		if err != nil || s == "" {
			return "", err == nil
		}
		return "." + s + ":", true
	case *ast.CallExpr:
		if sel, ok := k.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Sprintf" || len(k.Args) == 0 {
			return "", false
		}
		lit, ok := k.Args[0].(*ast.BasicLit)
		if !ok {
			return "", false
		}
		s, _ := strconv.Unquote(lit.Value)
		s, _, _ = strings.Cut(s, "%")
		if s == "" || strings.HasPrefix(s, "[") {
			return s, true
		}
		return "." + s, true
	case *ast.Ident:
		return "", true
	}
	return "", false
}

// checkWords returns the first literal run of a message before any advice
// or aside: "%d is too small; use at least 1" gives "is too small".
func checkWords(format string) string {
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	clause := strings.FieldsFunc(format, func(r rune) bool { return r == ';' || r == '(' })
	if len(clause) == 0 {
		return ""
	}
	for _, run := range verb.Split(clause[0], -1) {
		if words := strings.TrimSpace(run); words != "" {
			return words
		}
	}
	return ""
}
