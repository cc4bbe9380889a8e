package config

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/invopop/jsonschema"

	"privatebackend/constructs/settings"
	"privatebackend/internal/ebplatform"
)

// The JSON Schema of cdk.json (schema/cdk.schema.json, which editors read
// through cdk.json's "$schema") is generated here from the configuration
// types, and the README's tables of keys from that schema, so that neither
// is a second copy of what the Go code says:
//   - the keys, their types and additionalProperties: false come from the
//     structs and their json tags (invopop/jsonschema);
//   - the descriptions from the fields' doc comments, whose "Default: ..."
//     sentence is kept only for a default the code cannot show;
//   - the defaults from the code that applies them: config's setDefaults
//     methods and the construct settings' WithDefaults;
//   - patterns, enums and bounds from keyRules below, which names the
//     regular expressions, lists and constants the validation uses.
//
// A key added to a configuration type appears after "./scripts/test
// -update" with its type, default and description; keyRules only adds
// what the Go validation checks beyond the type.

// schemaFile is the committed schema, relative to this package.
const schemaFile = "../schema/cdk.schema.json"

// configRoots are the configuration types under the context keys the app reads.
var configRoots = []struct {
	key, what string
	t         reflect.Type
}{
	{EnvironmentsKey, "Every deployment environment by name, at least one; NAME is a letter followed by up to 19 letters or digits, and prefixes the environment's stack names.", reflect.TypeFor[Environment]()},
	{PipelineKey, "The optional CDK Pipelines deployment pipeline, which deploys the environments wave by wave.", reflect.TypeFor[Pipeline]()},
	{ControlsKey, "How ./scripts/synth treats AWS Control Tower's proactive controls.", reflect.TypeFor[Controls]()},
}

// fieldKey names a key of a configuration type: the struct that declares
// the field (a construct's settings for an embedded field) and its json name.
type fieldKey struct {
	owner reflect.Type
	key   string
}

func keyOf[T any](key string) fieldKey { return fieldKey{reflect.TypeFor[T](), key} }

// keyRule is what the JSON Schema says of a key beyond its type, taken from
// the validation's own regular expressions, lists and constants. Bounds that
// the settings' validation writes as literals are restated here;
// TestSchemaBoundsAgreeWithTheValidation holds the two together.
type keyRule struct {
	required bool
	pattern  *regexp.Regexp
	// patternText is a pattern built here from the validation's constants.
	patternText string
	format      string
	enum        []any
	min, max    *bound
	// minEntries is the fewest entries of a map or list.
	minEntries uint64
	// names is the pattern of a map's keys.
	names *regexp.Regexp
	// items is the rule of a list's elements.
	items *keyRule
	// def is the default of a key whose Go value has none (a nil pointer
	// the construct defaults).
	def any
}

// bound is an inclusive or exclusive limit of a number.
type bound struct {
	value     float64
	exclusive bool
}

func atLeast(v float64) *bound { return &bound{value: v} }
func above(v float64) *bound   { return &bound{value: v, exclusive: true} }
func atMost(v float64) *bound  { return &bound{value: v} }
func below(v float64) *bound   { return &bound{value: v, exclusive: true} }

func enumOf[T any](values ...T) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

var keyRules = map[fieldKey]keyRule{
	keyOf[Environment]("account"):  {pattern: accountID},
	keyOf[Environment]("region"):   {pattern: regionName},
	keyOf[Environment]("backends"): {required: true, minEntries: 1, names: backendName},
	keyOf[Environment]("api"):      {required: true},

	keyOf[Network]("vpcId"):                {pattern: vpcID},
	keyOf[Network]("cidr"):                 {patternText: vpcCidrPattern()},
	keyOf[Network]("maxAzs"):               {min: atLeast(fewestAzs), max: atMost(mostAzs)},
	keyOf[Network]("egress"):               {enum: enumOf(EgressEndpoints, EgressNat)},
	keyOf[Network]("natGateways"):          {min: atLeast(1)},
	keyOf[Network]("flowLogRetentionDays"): {enum: enumOf(settings.LogRetentionDays...)},

	keyOf[settings.Beanstalk]("platform"):         {patternText: ebplatform.BranchPattern.String() + "|" + ebplatform.ArnPattern.String()},
	keyOf[settings.Beanstalk]("platformRefresh"):  {pattern: settings.PlatformRefreshPattern},
	keyOf[settings.Beanstalk]("instanceType"):     {pattern: settings.InstanceTypePattern},
	keyOf[settings.Beanstalk]("minInstances"):     {min: atLeast(1)},
	keyOf[settings.Beanstalk]("maxInstances"):     {min: atLeast(1), max: atMost(10000)},
	keyOf[settings.Beanstalk]("deploymentPolicy"): {enum: enumOf(settings.DeploymentRolling, settings.DeploymentImmutable)},
	keyOf[settings.Beanstalk]("logRetentionDays"): {enum: enumOf(settings.BeanstalkLogRetentionDays...)},
	keyOf[settings.Beanstalk]("updateWindow"):     {pattern: settings.UpdateWindowPattern},

	keyOf[Backend]("source"):         {pattern: SourcePattern},
	keyOf[Backend]("version"):        {pattern: VersionPattern},
	keyOf[Backend]("environment"):    {names: PropertyNamePattern, items: &keyRule{pattern: PropertyValuePattern}},
	keyOf[Backend]("secrets"):        {names: PropertyNamePattern, items: &keyRule{patternText: settings.SecretArnPattern.String() + "|" + settings.ParameterArnPattern.String()}},
	keyOf[Backend]("secretsKmsKeys"): {items: &keyRule{pattern: settings.KmsKeyArnPattern}},
	keyOf[Scaling]("metric"):         {required: true, enum: enumOf(slices.Sorted(maps.Keys(ScalingMetrics))...)},
	keyOf[Scaling]("statistic"):      {enum: enumOf(ScalingStatistics...)},
	keyOf[Scaling]("unit"):           {enum: enumOf(ScalingUnits...)},
	keyOf[Scaling]("upper"):          {required: true, min: atLeast(0), max: atMost(MaxScalingThreshold)},
	keyOf[Scaling]("lower"):          {required: true, min: atLeast(0), max: atMost(MaxScalingThreshold)},

	keyOf[API]("stages"):                 {required: true, minEntries: 1, names: settings.StageNamePattern},
	keyOf[API]("authorization"):          {enum: enumOf(AuthorizationIAM, AuthorizationNone)},
	keyOf[API]("vpcLinkQuota"):           {min: atLeast(1)},
	keyOf[API]("accessLogRetentionDays"): {enum: enumOf(settings.LogRetentionDays...), def: settings.DefaultAccessLogRetentionDays},
	keyOf[settings.Route]("path"):        {required: true, pattern: settings.RoutePathPattern},
	keyOf[settings.Route]("methods"):     {minEntries: 1, items: &keyRule{enum: enumOf(settings.HTTPMethods...)}},

	keyOf[Stage]("backend"):                            {required: true, pattern: backendName},
	keyOf[settings.Stage]("rateLimit"):                 {min: above(0)},
	keyOf[settings.Stage]("burstLimit"):                {min: atLeast(1)},
	keyOf[settings.Canary]("backend"):                  {required: true, pattern: backendName},
	keyOf[settings.Canary]("percent"):                  {required: true, min: above(0), max: below(100)},
	keyOf[Monitoring]("emails"):                        {items: &keyRule{format: "email"}},
	keyOf[settings.StageAlarms]("errorRatePercent"):    {min: above(0), max: atMost(100)},
	keyOf[settings.StageAlarms]("minRequests"):         {min: atLeast(1)},
	keyOf[settings.StageAlarms]("latencyPercentile"):   {pattern: settings.LatencyPercentilePattern},
	keyOf[settings.StageAlarms]("latencyThresholdMs"):  {min: atLeast(1), max: atMost(29000)},
	keyOf[settings.AlarmSchedule]("periodMinutes"):     {enum: enumOf(settings.AlarmPeriodMinutes...)},
	keyOf[settings.AlarmSchedule]("evaluationPeriods"): {min: atLeast(1)},

	keyOf[Pipeline]("account"):             {required: true, pattern: accountID},
	keyOf[Pipeline]("region"):              {required: true, pattern: regionName},
	keyOf[Pipeline]("source"):              {required: true},
	keyOf[Pipeline]("waves"):               {required: true, minEntries: 1},
	keyOf[PipelineSource]("connectionArn"): {required: true, pattern: connectionArn},
	keyOf[PipelineSource]("repository"):    {required: true, pattern: repository},
	keyOf[PipelineSource]("branch"):        {pattern: branch},
	keyOf[Wave]("name"):                    {required: true, pattern: waveName},
	keyOf[Wave]("environments"):            {required: true, minEntries: 1, items: &keyRule{pattern: environmentName}},

	keyOf[Controls]("exempt"): {items: &keyRule{pattern: controlID}},
}

// dependentKeys are keys that need others beside them in the same object.
var dependentKeys = map[reflect.Type]map[string][]string{
	// An environment is pinned by both or neither (validate.go).
	reflect.TypeFor[Environment](): {"account": {"region"}, "region": {"account"}},
}

// excludedKeys are keys that cannot stand beside another in the same
// object.
var excludedKeys = map[reflect.Type]map[string][]string{
	// The settings of a VPC the app creates mean nothing with vpcId
	// (validate.go; the app can only tell them from their defaults, so it
	// lets a default through that the schema flags).
	reflect.TypeFor[Network](): {"vpcId": {"cidr", "maxAzs", "natGateways"}},
}

// generateSchema returns the JSON Schema of cdk.json.
func generateSchema() (*jsonschema.Schema, error) {
	r := &jsonschema.Reflector{
		Anonymous: true,
		// Which keys are required is keyRules' to say, not omitempty's.
		RequiredFromJSONSchemaTags: true,
	}
	if err := addGoComments(r); err != nil {
		return nil, err
	}
	g := &schemaGenerator{defs: jsonschema.Definitions{}, done: map[string]reflect.Type{}, unused: maps.Clone(keyRules)}
	for _, root := range configRoots {
		maps.Copy(g.defs, r.ReflectFromType(root.t).Definitions)
	}
	for _, root := range configRoots {
		if err := g.describe(root.t); err != nil {
			return nil, err
		}
	}
	if len(g.unused) > 0 {
		var keys []string
		for k := range g.unused {
			keys = append(keys, fmt.Sprintf("%s.%s", k.owner, k.key))
		}
		return nil, fmt.Errorf("keyRules names %s, which no configuration type has", strings.Join(keys, ", "))
	}
	for _, def := range g.defs {
		walkSchemas(def, func(s *jsonschema.Schema) {
			// The decoder rejects an empty string anywhere: a key is left
			// out to take its default.
			if s.Type == "string" && s.Enum == nil {
				s.MinLength = ptrTo[uint64](1)
			}
		})
	}
	return g.root(), nil
}

// marshalSchema renders a schema as the committed file holds it.
func marshalSchema(s *jsonschema.Schema) ([]byte, error) {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

func ptrTo[T any](v T) *T { return &v }

// addGoComments reads the doc comments of every package that declares a
// configuration type. invopop/jsonschema names a package by joining its
// base argument with the directory it walks, so the base is this package's
// import path and the directories are relative to it.
func addGoComments(r *jsonschema.Reflector) error {
	self := reflect.TypeFor[Environment]().PkgPath()
	module := strings.TrimSuffix(self, "/config")
	dirs, seen := map[string]bool{}, map[reflect.Type]bool{}
	var collect func(t reflect.Type)
	collect = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		dirs[t.PkgPath()] = true
		for i := range t.NumField() {
			collect(t.Field(i).Type)
		}
	}
	for _, root := range configRoots {
		collect(root.t)
	}
	for _, pkg := range slices.Sorted(maps.Keys(dirs)) {
		rel, err := filepath.Rel(strings.TrimPrefix(self, module+"/"), strings.TrimPrefix(pkg, module+"/"))
		if err != nil {
			return err
		}
		if err := r.AddGoComments(self, rel); err != nil {
			return fmt.Errorf("reading the doc comments of %s: %w", pkg, err)
		}
	}
	return nil
}

type schemaGenerator struct {
	defs jsonschema.Definitions
	// done are the definitions completed, by name, and their types.
	done   map[string]reflect.Type
	unused map[fieldKey]keyRule
}

// root is the schema of the whole cdk.json: the CLI's keys left open, the
// context keys this app reads typed.
func (g *schemaGenerator) root() *jsonschema.Schema {
	context := &jsonschema.Schema{
		Type:        "object",
		Description: "Context values the app reads; the CDK's feature flags and other keys are left open.",
		Properties:  jsonschema.NewProperties(),
		Required:    []string{EnvironmentsKey},
	}
	for _, root := range configRoots {
		ref := &jsonschema.Schema{Ref: "#/$defs/" + root.t.Name()}
		prop := &jsonschema.Schema{Ref: ref.Ref, Description: root.what}
		if root.key == EnvironmentsKey {
			prop = &jsonschema.Schema{
				Type:                 "object",
				Description:          root.what,
				MinProperties:        ptrTo[uint64](1),
				PropertyNames:        &jsonschema.Schema{Pattern: environmentName.String()},
				AdditionalProperties: ref,
			}
		}
		context.Properties.Set(root.key, prop)
	}
	props := jsonschema.NewProperties()
	props.Set("$schema", &jsonschema.Schema{Type: "string", Description: "The JSON Schema of this file, for editors."})
	props.Set("app", &jsonschema.Schema{Type: "string", MinLength: ptrTo[uint64](1), Description: "The command the CDK CLI runs to synthesize the app."})
	props.Set("context", context)
	return &jsonschema.Schema{
		Version:     jsonschema.Version,
		Title:       "cdk.json of the private backends app",
		Description: "Generated from the Go configuration types by config/schemagen_test.go; refresh with ./scripts/test -update.",
		Type:        "object",
		Properties:  props,
		Required:    []string{"context"},
		Definitions: g.defs,
	}
}

// describe completes the definition of struct type t (and of the struct
// types its keys hold) with defaults, descriptions and keyRules.
func (g *schemaGenerator) describe(t reflect.Type) error {
	if other, ok := g.done[t.Name()]; ok {
		if other != t {
			// invopop/jsonschema names a definition by the type's name alone.
			return fmt.Errorf("%s and %s would share the definition %q; rename one", other, t, t.Name())
		}
		return nil
	}
	g.done[t.Name()] = t
	def, ok := g.defs[t.Name()]
	if !ok {
		return fmt.Errorf("no schema definition for %s", t)
	}
	defaults := withDefaults(t)
	for _, f := range reflect.VisibleFields(t) {
		key := jsonKey(f)
		if f.Anonymous || key == "" {
			continue
		}
		prop, ok := def.Properties.Get(key)
		if !ok {
			return fmt.Errorf("%s: no schema for key %q", t, key)
		}
		owner := declaringType(t, f)
		fk := fieldKey{owner, key}
		rule := keyRules[fk]
		delete(g.unused, fk)
		meaning, defaultText := splitDocComment(prop.Description, f.Name)
		v, ok := defaultValue(defaults.FieldByIndex(f.Index))
		if !ok && rule.def != nil {
			v, ok = rule.def, true
		}
		if ok {
			// The doc comment's default is what readers of the Go code
			// see; it must say what the code does (a Go name may follow
			// in parentheses).
			if text, err := json.Marshal(v); err != nil || (defaultText != "" && string(text) != defaultText && !strings.HasPrefix(defaultText, string(text)+" (")) {
				return fmt.Errorf("%s.%s: the doc comment says \"Default: %s\", the code %s (%v)", owner, key, defaultText, text, err)
			}
			prop.Default = v
		} else if defaultText != "" {
			meaning += " Default: " + defaultText + "."
		}
		prop.Description = meaning
		if err := rule.apply(prop); err != nil {
			return fmt.Errorf("%s.%s: %w", owner, key, err)
		}
		if rule.required {
			def.Required = append(def.Required, key)
		}
		for elem := f.Type; ; elem = elem.Elem() {
			if elem.Kind() == reflect.Struct {
				if err := g.describe(elem); err != nil {
					return err
				}
				break
			}
			if k := elem.Kind(); k != reflect.Pointer && k != reflect.Slice && k != reflect.Map {
				break
			}
		}
	}
	if deps := dependentKeys[t]; deps != nil {
		def.DependentRequired = deps
	}
	for key, excluded := range excludedKeys[t] {
		props := jsonschema.NewProperties()
		for _, k := range excluded {
			props.Set(k, jsonschema.FalseSchema)
		}
		if def.DependentSchemas == nil {
			def.DependentSchemas = map[string]*jsonschema.Schema{}
		}
		def.DependentSchemas[key] = &jsonschema.Schema{Properties: props}
	}
	return nil
}

func (rule keyRule) apply(s *jsonschema.Schema) error {
	if rule.pattern != nil {
		s.Pattern = rule.pattern.String()
	}
	if rule.patternText != "" {
		s.Pattern = rule.patternText
	}
	if s.Pattern != "" {
		if _, err := regexp.Compile(s.Pattern); err != nil {
			return err
		}
	}
	s.Format = cmp.Or(rule.format, s.Format)
	s.Enum = rule.enum
	if b := rule.min; b != nil {
		if b.exclusive {
			s.ExclusiveMinimum = number(b.value)
		} else {
			s.Minimum = number(b.value)
		}
	}
	if b := rule.max; b != nil {
		if b.exclusive {
			s.ExclusiveMaximum = number(b.value)
		} else {
			s.Maximum = number(b.value)
		}
	}
	if rule.minEntries > 0 {
		switch s.Type {
		case "object":
			s.MinProperties = &rule.minEntries
		case "array":
			s.MinItems = &rule.minEntries
		default:
			return fmt.Errorf("a minimum number of entries for a %s", s.Type)
		}
	}
	if rule.names != nil {
		s.PropertyNames = &jsonschema.Schema{Pattern: rule.names.String()}
	}
	if rule.items != nil {
		// A map's values are its additional properties.
		if s.Type == "object" && s.AdditionalProperties != nil {
			return rule.items.apply(s.AdditionalProperties)
		}
		if s.Items == nil {
			return fmt.Errorf("an element rule for a %s", s.Type)
		}
		return rule.items.apply(s.Items)
	}
	return nil
}

func number(v float64) json.Number { return json.Number(strconv.FormatFloat(v, 'f', -1, 64)) }

// jsonKey is the key a field is read from, or "" for none.
func jsonKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// declaringType is the struct that declares field f of t: t itself, or the
// embedded struct (a construct's settings) it is promoted from.
func declaringType(t reflect.Type, f reflect.StructField) reflect.Type {
	for _, i := range f.Index[:len(f.Index)-1] {
		t = t.Field(i).Type
	}
	return t
}

// withDefaults returns a zero t with every default the code applies: the
// WithDefaults of t and of the construct settings it embeds, and t's
// setDefaults.
func withDefaults(t reflect.Type) reflect.Value {
	v := reflect.New(t)
	applyWithDefaults(v.Elem())
	if d, ok := v.Interface().(defaulter); ok {
		d.setDefaults()
	}
	return v.Elem()
}

func applyWithDefaults(v reflect.Value) {
	for i := range v.NumField() {
		if f := v.Type().Field(i); f.Anonymous && f.Type.Kind() == reflect.Struct {
			applyWithDefaults(v.Field(i))
		}
	}
	m := v.MethodByName("WithDefaults")
	if m.IsValid() && m.Type().NumIn() == 0 && m.Type().NumOut() == 1 && m.Type().Out(0) == v.Type() {
		v.Set(m.Call(nil)[0])
	}
}

// defaultValue is the default a key's value after defaults shows: a bool is
// always its own default; any other zero value means there is none.
func defaultValue(v reflect.Value) (any, bool) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	}
	switch {
	case v.Kind() == reflect.Bool:
		return v.Bool(), true
	case v.Kind() == reflect.Struct || v.Kind() == reflect.Map || v.IsZero():
		return nil, false
	}
	return v.Interface(), true
}

var (
	sentenceEnd  = regexp.MustCompile(`\.(\s|$)`)
	defaultStart = regexp.MustCompile(`(^|\s)Default: `)
)

// splitDocComment turns a field's doc comment into a description for
// readers of cdk.json: without the Go name it starts with ("Cidr is"),
// without "Required." (the schema says so), and with its "Default: ..."
// sentence returned apart.
func splitDocComment(comment, goName string) (meaning, defaultText string) {
	text := strings.Join(strings.Fields(comment), " ")
	if loc := defaultStart.FindStringIndex(text); loc != nil {
		rest := text[loc[1]:]
		end := len(rest)
		if e := sentenceEnd.FindStringIndex(rest); e != nil {
			end = e[0]
		}
		defaultText = rest[:end]
		text = strings.TrimSpace(text[:loc[0]] + " " + strings.TrimPrefix(rest[end:], "."))
	}
	text = strings.TrimSpace(strings.ReplaceAll(" "+text+" ", " Required. ", " "))
	if rest, ok := strings.CutPrefix(text, goName+" "); ok {
		for _, verb := range []string{"is ", "are "} {
			rest = strings.TrimPrefix(rest, verb)
		}
		r, size := utf8.DecodeRuneInString(rest)
		text = string(unicode.ToUpper(r)) + rest[size:]
	}
	return text, defaultText
}

// walkSchemas calls f on s and every schema inside it, but not through $ref.
func walkSchemas(s *jsonschema.Schema, f func(*jsonschema.Schema)) {
	if s == nil {
		return
	}
	f(s)
	if s.Properties != nil {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			walkSchemas(pair.Value, f)
		}
	}
	walkSchemas(s.Items, f)
	walkSchemas(s.AdditionalProperties, f)
}

// vpcCidrPattern matches exactly the ranges validate.go accepts for a VPC:
// an IPv4 network address written without leading zeros, with a prefix
// from widestVPCPrefix to narrowestVPCPrefix and its host bits zero. Only
// the third and fourth octets hold host bits at these lengths.
func vpcCidrPattern() string {
	octet := decimalPattern(upTo(255, 1))
	var lengths []string
	for bits := widestVPCPrefix; bits <= narrowestVPCPrefix; bits++ {
		third := decimalPattern(upTo(255, 1<<(24-bits)))
		lengths = append(lengths, fmt.Sprintf("%s\\.0/%d", third, bits))
	}
	return fmt.Sprintf(`^%s\.%s\.(%s)$`, octet, octet, strings.Join(lengths, "|"))
}

// upTo returns the multiples of step from 0 to limit.
func upTo(limit, step int) []int {
	var out []int
	for v := 0; v <= limit; v += step {
		out = append(out, v)
	}
	return out
}

// decimalPattern returns a regular expression matching exactly the decimal
// forms of values (no leading zeros), as compact as a trie of their digits
// with equal branches merged into character classes allows.
func decimalPattern(values []int) string {
	type node map[byte]node
	// One trie per length, so that no number is a prefix of another.
	byLength := map[int]node{}
	for _, v := range values {
		s := strconv.Itoa(v)
		if byLength[len(s)] == nil {
			byLength[len(s)] = node{}
		}
		n := byLength[len(s)]
		for i := range len(s) {
			if n[s[i]] == nil {
				n[s[i]] = node{}
			}
			n = n[s[i]]
		}
	}
	var alternatives func(n node) []string
	group := func(alts []string) string {
		if len(alts) == 1 {
			return alts[0]
		}
		return "(" + strings.Join(alts, "|") + ")"
	}
	alternatives = func(n node) []string {
		digitsByRest := map[string][]byte{}
		for d, child := range n {
			rest := ""
			if len(child) > 0 {
				rest = group(alternatives(child))
			}
			digitsByRest[rest] = append(digitsByRest[rest], d)
		}
		var alts []string
		for rest, digits := range digitsByRest {
			alts = append(alts, digitClass(digits)+rest)
		}
		slices.Sort(alts)
		return alts
	}
	var alts []string
	for _, length := range slices.Sorted(maps.Keys(byLength)) {
		alts = append(alts, alternatives(byLength[length])...)
	}
	return group(alts)
}

// digitClass writes a set of digits as one digit or a character class.
func digitClass(digits []byte) string {
	slices.Sort(digits)
	if len(digits) == 1 {
		return string(digits)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i := 0; i < len(digits); {
		j := i
		for j+1 < len(digits) && digits[j+1] == digits[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			fmt.Fprintf(&b, "%c-%c", digits[i], digits[j])
		case j > i:
			b.WriteByte(digits[i])
			b.WriteByte(digits[j])
		default:
			b.WriteByte(digits[i])
		}
		i = j + 1
	}
	b.WriteByte(']')
	return b.String()
}

// keyTable renders the README's table of the keys of definition def, each
// key path starting with prefix: every key with its default and meaning,
// the keys inside an object, a map entry (NAME) or a list element ([])
// after it.
func keyTable(root *jsonschema.Schema, def, prefix string) string {
	var b strings.Builder
	b.WriteString("| key | default | meaning |\n|---|---|---|\n")
	var rows func(s *jsonschema.Schema, prefix string)
	rows = func(s *jsonschema.Schema, prefix string) {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			key, prop := pair.Key, pair.Value
			meaning, defaultText := splitDocComment(prop.Description, "")
			switch {
			case prop.Default != nil:
				data, _ := json.Marshal(prop.Default)
				defaultText = "`" + string(data) + "`"
			case slices.Contains(s.Required, key):
				defaultText = "required"
			case defaultText == "":
				defaultText = "—"
			}
			enum := prop.Enum
			if enum == nil && prop.Items != nil {
				enum = prop.Items.Enum
			}
			if values := mentions(meaning, enum); values != "" {
				meaning += " One of " + values + "."
			}
			fmt.Fprintf(&b, "| `%s%s` | %s | %s |\n", prefix, key, defaultText, strings.ReplaceAll(meaning, "|", `\|`))
			switch {
			case prop.Ref != "":
				rows(definition(root, prop.Ref), prefix+key+".")
			case prop.AdditionalProperties != nil && prop.AdditionalProperties.Ref != "":
				rows(definition(root, prop.AdditionalProperties.Ref), prefix+key+".NAME.")
			case prop.Items != nil && prop.Items.Ref != "":
				rows(definition(root, prop.Items.Ref), prefix+key+"[].")
			}
		}
	}
	rows(root.Definitions[def], prefix)
	return b.String()
}

// definition resolves a "#/$defs/NAME" reference.
func definition(root *jsonschema.Schema, ref string) *jsonschema.Schema {
	return root.Definitions[strings.TrimPrefix(ref, "#/$defs/")]
}

// mentions lists the enum values as the table writes them, or "" when the
// meaning already names every one.
func mentions(meaning string, enum []any) string {
	var values []string
	missing := false
	for _, v := range enum {
		data, _ := json.Marshal(v)
		values = append(values, "`"+strings.Trim(string(data), `"`)+"`")
		if !strings.Contains(meaning, string(data)) {
			missing = true
		}
	}
	if !missing {
		return ""
	}
	return strings.Join(values, ", ")
}
