package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// schemaFile is the committed schema, relative to this package.
const schemaFile = "../schema/cdk.schema.json"

// committedSchema compiles the committed schema with a validator that, like
// editors, checks formats (email).
func committedSchema(t *testing.T) *validator.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := validator.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := validator.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("cdk.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("cdk.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// schemaError is one thing the schema rejects, at the key path config's
// messages use ("environments.qa.network.cidr", "...emails[1]").
type schemaError struct {
	path string
	kind validator.ErrorKind
}

// schemaErrors validates a cdk.json document and returns what the schema
// rejects. A missing key or an unknown one is reported where config
// reports it: a missing key at its own path, an unknown key at its object.
func schemaErrors(t *testing.T, s *validator.Schema, doc any) []schemaError {
	t.Helper()
	var verr *validator.ValidationError
	err := s.Validate(doc)
	if err == nil {
		return nil
	}
	if !errors.As(err, &verr) {
		t.Fatal(err)
	}
	var out []schemaError
	var leaves func(e *validator.ValidationError)
	leaves = func(e *validator.ValidationError) {
		at := keyPath(doc, e.InstanceLocation)
		if k, ok := e.ErrorKind.(*kind.PropertyNames); ok {
			// The validator keeps the location of a propertyNames error
			// without copying it, and a sibling key then overwrites it
			// (santhosh-tekuri/jsonschema#269): find the object by the key.
			if holders := objectsWithKey(doc, nil, k.Property); len(holders) == 1 {
				at = keyPath(doc, holders[0])
			}
			out = append(out, schemaError{joinKey(at, k.Property), k})
			return
		}
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				leaves(c)
			}
			return
		}
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				out = append(out, schemaError{joinKey(at, m), k})
			}
		case *kind.DependentRequired:
			for _, m := range k.Missing {
				out = append(out, schemaError{joinKey(at, m), k})
			}
		default:
			out = append(out, schemaError{at, k})
		}
	}
	leaves(verr)
	return out
}

// keyPath writes an instance location as config's key paths, without the
// leading "context".
func keyPath(doc any, location []string) string {
	var b strings.Builder
	v := doc
	for i, token := range location {
		switch container := v.(type) {
		case []any:
			n, _ := strconv.Atoi(token)
			fmt.Fprintf(&b, "[%d]", n)
			v = container[n]
		case map[string]any:
			if i > 0 && !(i == 1 && location[0] == "context") {
				b.WriteByte('.')
			}
			if !(i == 0 && token == "context") {
				b.WriteString(token)
			}
			v = container[token]
		}
	}
	return b.String()
}

// objectsWithKey returns the locations of the objects in v that hold key.
func objectsWithKey(v any, location []string, key string) [][]string {
	var out [][]string
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v[key]; ok {
			out = append(out, location)
		}
		for k, child := range v {
			out = append(out, objectsWithKey(child, append(slices.Clone(location), k), key)...)
		}
	case []any:
		for i, child := range v {
			out = append(out, objectsWithKey(child, append(slices.Clone(location), strconv.Itoa(i)), key)...)
		}
	}
	return out
}

func joinKey(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

func rejectsAt(errs []schemaError, path string) bool {
	return slices.ContainsFunc(errs, func(e schemaError) bool { return e.path == path })
}

func cdkJSON(context any) map[string]any { return map[string]any{"context": context} }

// decodeJSON decodes a document as the CDK hands context to the app
// (numbers are float64), which the validator reads as well.
func decodeJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSchemaAcceptsTheShippedConfigurations validates the shipped cdk.json
// and the fixtures the stack tests load through config.
func TestSchemaAcceptsTheShippedConfigurations(t *testing.T) {
	s := committedSchema(t)
	data, err := os.ReadFile("../cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := decodeJSON(t, data)
	if got := doc.(map[string]any)["$schema"]; got != "./"+strings.TrimPrefix(schemaFile, "../") {
		t.Errorf(`cdk.json names the schema %v; want "$schema": "./schema/cdk.schema.json"`, got)
	}
	if errs := schemaErrors(t, s, doc); len(errs) > 0 {
		t.Errorf("the schema rejects cdk.json: %v", errs)
	}
	fixtures := stackFixtures(t)
	if len(fixtures) < 2 {
		t.Fatalf("found %d environments loaded in stacks/stacks_test.go; want the test's variants", len(fixtures))
	}
	for i, env := range fixtures {
		doc := cdkJSON(map[string]any{EnvironmentsKey: map[string]any{"test": decodeJSON(t, []byte(env))}})
		if errs := schemaErrors(t, s, doc); len(errs) > 0 {
			t.Errorf("the schema rejects the stack tests' environment %d: %v\n%s", i, errs, env)
		}
	}
}

// stackFixtures returns the environments stacks/stacks_test.go passes to
// loadEnvironment: constant expressions of string literals and constants.
func stackFixtures(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "../stacks/stacks_test.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]ast.Expr{}
	for _, decl := range file.Decls {
		if d, ok := decl.(*ast.GenDecl); ok && d.Tok == token.CONST {
			for _, spec := range d.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						consts[name.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	var eval func(e ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.Ident:
			if c, ok := consts[e.Name]; ok {
				return eval(c)
			}
		case *ast.BinaryExpr:
			a, okA := eval(e.X)
			b, okB := eval(e.Y)
			return a + b, okA && okB && e.Op == token.ADD
		case *ast.ParenExpr:
			return eval(e.X)
		}
		return "", false
	}
	var out []string
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return true
		}
		if fn, ok := call.Fun.(*ast.Ident); !ok || fn.Name != "loadEnvironment" {
			return true
		}
		if s, ok := eval(call.Args[0]); ok {
			out = append(out, s)
		} else {
			t.Errorf("stacks/stacks_test.go: a loadEnvironment argument is not a constant string")
		}
		return true
	})
	return out
}

// schemaExempt are the bad configurations the schema cannot reject, by file
// name, or one problem of a file ("FILE: KEY PATH"), with the reason: rules
// that relate a value to another key, another environment or the command
// line, which only the app's validation can say.
var schemaExempt = map[string]string{
	"canary-names-unknown-backend":            "a canary must name one of the environment's backends (keys of another object)",
	"stage-names-unknown-backend":             "a stage must name one of the environment's backends (keys of another object)",
	"min-greater-than-max":                    "minInstances is compared with maxInstances",
	"monitoring-evaluation-longer-than-a-day": "evaluationPeriods times periodMinutes is at most a day",
	"more-vpc-links-than-quota":               "the backends are counted against api.vpcLinkQuota",
	"vpc-links-add-up-across-environments":    "the backends of every environment pinned to one account and region are counted together",
	"nat-gateways-without-nat":                "natGateways depends on egress (whose default is endpoints)",
	"three-azs-when-agnostic":                 "the most availability zones depends on whether account and region are set",
	"vpc-lookup-when-agnostic":                "vpcId needs account and region, keys of the enclosing environment",
	"platform-arn-in-another-region":          "a platform version ARN's region is compared with the environment's region",
	"platform-refresh-with-pinned-arn":        "platformRefresh is allowed only when platform is a branch",
	"pipeline-duplicate-wave-name":            "wave names are unique across the list (uniqueItems compares whole waves)",
	"pipeline-environment-listed-twice":       "an environment is deployed by one wave only, across the waves",
	"pipeline-unknown-environment":            "a wave names environments defined under \"environments\"",
	"unknown-environment-selected":            "-c env=NAME is a command-line value, not cdk.json",
	"routes-that-conflict":                    "routes are compared with each other (a method twice, two names for one path variable)",
	"domain-base-paths-clash":                 "base paths are compared across stages and with the stages defined",
	"domain-certificate-in-another-region":    "the certificate ARN's region and partition are compared with the environment's region",
	"domain-invalid-name-zone-and-policy: environments.qa.api.domain.basePaths.live":  "a base path value's pattern (map values have no rule here)",
	"domain-mutual-tls-without-truststore: environments.qa.api.domain.securityPolicy": "an enhanced policy is refused only with mutualTls",
	"authorizer-unknown-or-unused":   "authorization names an authorizer defined under api.authorizers, and each one is used",
	"authorizers-in-another-account": "an ARN's account and region are compared with the environment's",
	"authorizers-missing-what-their-type-needs: environments.qa.api.authorizers.users.userPoolArns": "userPoolArns is required by type cognito only",
	"scopes-without-a-cognito-authorizer: environments.qa.api.routes[0].scopes":                     "scopes depend on the type of the authorizer the route's authorization names",
	"usage-plans-missing-or-invalid: environments.qa.api.stages.live.usagePlan":                     "a usage plan is required when any route has apiKeyRequired",
	"services-stage-without-a-service-backend":                                                      "a stage needs a backend for each service the routes name (values of another key)",
	"services-unknown-service-or-backend":                                                           "a stage's services are those the routes name, its backends those of the environment",
	"services-routes-overlap: environments.qa.api.routes[1].path":                                   "routes of two services are compared with each other",
	"services-routes-overlap: environments.qa.api.routes[3].path":                                   "routes of two services are compared with each other",
	"settings-canary-without-backend":                                                               "a canary overrides backend or backends, one of two keys",
	"settings-route-method-twice":                                                                   "routes are compared with each other (a method twice)",
	"source-missing-path":                                                                           "whether a source exists is a question for the file system",
	"source-not-a-zip":                                                                              "whether a file is a zip is a question for the file system",
	"environment-bad-value":                                                                         "a map's values are checked by the backend's rules: the model states patterns of map keys, not values",
	"environment-value-too-long":                                                                    "a map's values are checked by the backend's rules: the model states patterns of map keys, not values",
	"secret-not-an-arn":                                                                             "a map's values are checked by the backend's rules: the model states patterns of map keys, not values",
	"secret-without-suffix":                                                                         "a map's values are checked by the backend's rules: the model states patterns of map keys, not values",
	"source-outside-project":                                                                        "a path that leaves the project is found by cleaning it",
	"source-dockerfile-on-python":                                                                   "what a source holds is a question for the file system",
	"source-python-without-entry-point":                                                             "what a source holds is a question for the file system",
	"source-node-without-entry-point":                                                               "what a source holds is a question for the file system",
	"source-docker-public-image-isolated":                                                           "what a source holds is a question for the file system",
	"source-pip-requirements-isolated":                                                              "what a source holds is a question for the file system",
	"source-ecr-image-in-another-region":                                                            "what a source holds is a question for the file system",
	"environment-reserved-name":                                                                     "the app's own variables are a rule of the app",
	"environment-too-large":                                                                         "the size of all environment properties adds up their keys and values",
	"scaling-lower-above-upper":                                                                     "lower is compared with upper",
	"secret-also-plain":                                                                             "a secret's name is compared with the environment variables' names",
	"secret-in-another-region":                                                                      "a secret's region is compared with the environment's region",

	// One problem of a file whose others the schema rejects.
	"app-version-renamed: environments.qa.backends.blue.appVersion":       "a removed key is an unknown key to the schema, reported at its object",
	"every-problem-at-once: environments.prod.backends.blue.minInstances": "minInstances is compared with maxInstances",
}

// wantPath is the key path a corpus message starts with.
var wantPath = regexp.MustCompile(`^((?:environments|pipeline|controls)\S*): `)

// TestSchemaRejectsTheBadConfigurations validates every configuration under
// testdata/badconfig (its context, as a cdk.json): the schema must reject
// each problem the app reports, at the same key path, unless schemaExempt
// says why it cannot; an exemption the schema no longer needs fails too.
func TestSchemaRejectsTheBadConfigurations(t *testing.T) {
	s := committedSchema(t)
	files, err := filepath.Glob("../testdata/badconfig/*.json")
	if err != nil || len(files) < 30 {
		t.Fatalf("the corpus holds %d files (%v); want at least 30", len(files), err)
	}
	used := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				Context json.RawMessage `json:"context"`
				Want    []string        `json:"want"`
			}
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			errs := schemaErrors(t, s, cdkJSON(decodeJSON(t, c.Context)))
			if reason, ok := schemaExempt[name]; ok {
				used[name] = true
				if len(errs) > 0 {
					t.Errorf("exempt from the schema (%s), but the schema rejects it: %v; remove the exemption", reason, errs)
				}
				return
			}
			checked := 0
			for _, want := range c.Want {
				m := wantPath.FindStringSubmatch(want)
				if m == nil {
					continue
				}
				checked++
				key := name + ": " + m[1]
				if reason, ok := schemaExempt[key]; ok {
					used[key] = true
					if rejectsAt(errs, m[1]) {
						t.Errorf("%s is exempt from the schema (%s), but the schema rejects it; remove the exemption", m[1], reason)
					}
					continue
				}
				if !rejectsAt(errs, m[1]) {
					t.Errorf("the app says %q; the schema rejects nothing at %s (it says %v)", want, m[1], errs)
				}
			}
			if checked == 0 {
				t.Errorf("no expected message names a key path; the corpus file should say where the problem is")
			}
		})
	}
	for key := range schemaExempt {
		if !used[key] {
			t.Errorf("schemaExempt names %q, which is no bad configuration of the corpus", key)
		}
	}
}

// TestVpcCidrPatternMatchesTheValidation compares the schema's pattern for
// network.cidr with the app's own check, which words its messages, over
// every third octet, prefix length and a few other octets.
func TestVpcCidrPatternMatchesTheValidation(t *testing.T) {
	pattern := regexp.MustCompile(vpcCidrPattern())
	valid := func(cidr string) bool { return checkVpcCidr(cidr) == nil }
	var cidrs []string
	for _, ab := range []string{"10.1", "0.0", "255.255", "172.16", "01.1", "10.256", "10.00"} {
		for third := range 257 {
			for _, fourth := range []string{"0", "1", "128", "00"} {
				for bits := range 34 {
					cidrs = append(cidrs, fmt.Sprintf("%s.%d.%s/%d", ab, third, fourth, bits))
				}
			}
		}
	}
	cidrs = append(cidrs, "10.0.0.0/016", "10.0.0.0", "10.0.0.0/16 ", "::/16", "10.0.0.0.0/16")
	accepted := 0
	for _, cidr := range cidrs {
		matches, ok := pattern.MatchString(cidr), valid(cidr)
		if matches != ok {
			t.Errorf("%q: the pattern matches it: %t, the validation accepts it: %t", cidr, matches, ok)
		}
		if ok {
			accepted++
		}
	}
	if accepted == 0 {
		t.Error("no CIDR was accepted; the comparison proves nothing")
	}
}

// TestSchemaPatternsAreECMAScript compiles every pattern of the committed
// schema as editors do: JSON Schema patterns are ECMA-262 regular
// expressions, and VS Code's JSON support compiles them with the "u" flag.
// The validator above reads them as Go's RE2; both must accept them.
func TestSchemaPatternsAreECMAScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if s, ok := child.(string); ok && k == "pattern" {
					patterns = append(patterns, s)
				}
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(decodeJSON(t, data))
	if len(patterns) < 10 {
		t.Fatalf("found %d patterns in the schema", len(patterns))
	}
	input, err := json.Marshal(patterns)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "-e", `
		let bad = 0;
		for (const p of JSON.parse(require("fs").readFileSync(0, "utf8"))) {
			try { new RegExp(p, "u"); } catch (e) { console.log(e.message); bad++; }
		}
		process.exit(bad ? 1 : 0);`)
	cmd.Stdin = bytes.NewReader(input)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("patterns that are not ECMAScript: %v\n%s", err, out)
	}
}
