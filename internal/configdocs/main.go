// Command configdocs writes what the configuration's declaration derives
// for readers: the JSON Schema of cdk.json (schema/cdk.schema.json, which
// editors read through cdk.json's "$schema") and the tables of keys in
// docs/configuration.md, from the Go types of package config and the
// construct settings they embed: each field's json tag, its doc comment
// (read with go/ast) and its model tags (package internal/model).
// "go generate ./..." runs it from the module's root; its test fails when
// the committed files are stale.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"

	"privatebackend/config"
	"privatebackend/internal/model"
)

const (
	// SchemaFile is the JSON Schema of cdk.json, relative to the module's root.
	SchemaFile = "schema/cdk.schema.json"
	// TablesFile holds the generated tables of keys between markers.
	TablesFile = "docs/configuration.md"
)

// tables are the generated tables of keys, by the name in their markers:
// the type whose keys they list and the prefix of those keys.
var tables = []struct {
	name, prefix string
	t            reflect.Type
}{
	{config.EnvironmentsKey, "", reflect.TypeFor[config.Environment]()},
	{config.PipelineKey, config.PipelineKey + ".", reflect.TypeFor[config.Pipeline]()},
	{config.ControlsKey, config.ControlsKey + ".", reflect.TypeFor[config.Controls]()},
}

var tableMarkers = regexp.MustCompile(`(?s)<!-- keys of (\w+):[^\n]*-->\n.*?<!-- end of keys -->`)

func main() {
	root, err := moduleRoot()
	if err == nil {
		var files map[string][]byte
		if files, err = generate(root); err == nil {
			err = write(root, files)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "configdocs: %v\n", err)
		os.Exit(1)
	}
}

// moduleRoot is the directory of go.mod, at or above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// generate returns the generated files' contents by path relative to root.
func generate(root string) (map[string][]byte, error) {
	rootType := reflect.TypeFor[config.File]()
	if err := model.Validate(rootType); err != nil {
		return nil, err
	}
	docs, err := readDocs(root, rootType)
	if err != nil {
		return nil, err
	}
	g := &generator{docs: docs, defs: jsonschema.Definitions{}}
	s, err := g.schema(rootType)
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	readme, err := os.ReadFile(filepath.Join(root, TablesFile))
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	var tableErr error
	readme = tableMarkers.ReplaceAllFunc(readme, func(m []byte) []byte {
		name := string(tableMarkers.FindSubmatch(m)[1])
		i := slices.IndexFunc(tables, func(t struct {
			name, prefix string
			t            reflect.Type
		}) bool {
			return t.name == name
		})
		if i < 0 {
			tableErr = fmt.Errorf("%s: no table of keys %q", TablesFile, name)
			return m
		}
		found[name] = true
		return fmt.Appendf(nil, "<!-- keys of %s: generated from the Go configuration types by go generate ./... -->\n%s<!-- end of keys -->",
			name, keyTable(s, tables[i].t.Name(), tables[i].prefix))
	})
	if tableErr != nil {
		return nil, tableErr
	}
	for _, t := range tables {
		if !found[t.name] {
			return nil, fmt.Errorf("%s: no table of the keys of %s between markers", TablesFile, t.name)
		}
	}
	return map[string][]byte{SchemaFile: append(data, '\n'), TablesFile: readme}, nil
}

// write writes the files that changed, each renamed into place so that a
// reader never sees half of one.
func write(root string, files map[string][]byte) error {
	for _, path := range slices.Sorted(maps.Keys(files)) {
		full := filepath.Join(root, path)
		if old, err := os.ReadFile(full); err == nil && bytes.Equal(old, files[path]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full+".new", files[path], 0o644); err != nil {
			return err
		}
		if err := os.Rename(full+".new", full); err != nil {
			return err
		}
	}
	return nil
}

// typeDocs are the doc comments of a struct type and of its fields.
type typeDocs struct {
	doc    string
	fields map[string]string
}

// readDocs reads the doc comments of every struct type reachable from t,
// from the sources of the packages that declare them.
func readDocs(root string, t reflect.Type) (map[reflect.Type]typeDocs, error) {
	modulePath := strings.SplitN(reflect.TypeFor[config.File]().PkgPath(), "/", 2)[0]
	types := map[reflect.Type]bool{model.Base(t): true}
	model.Walk(t, func(owner reflect.Type, f reflect.StructField) {
		types[owner] = true
		if b := model.Base(f.Type); b.Kind() == reflect.Struct {
			types[b] = true
		}
		// A promoted field's doc comment is in the embedded type.
		for _, i := range f.Index[:len(f.Index)-1] {
			types[owner.Field(i).Type] = true
			owner = owner.Field(i).Type
		}
	})
	byPackage := map[string]map[string]typeDocs{}
	out := map[reflect.Type]typeDocs{}
	for typ := range types {
		pkg := typ.PkgPath()
		if byPackage[pkg] == nil {
			dir := filepath.Join(root, strings.TrimPrefix(strings.TrimPrefix(pkg, modulePath), "/"))
			docs, err := packageDocs(dir)
			if err != nil {
				return nil, err
			}
			byPackage[pkg] = docs
		}
		d, ok := byPackage[pkg][typ.Name()]
		if !ok {
			return nil, fmt.Errorf("no declaration of %s in %s", typ, pkg)
		}
		out[typ] = d
	}
	return out, nil
}

// generator builds the schema's definitions.
type generator struct {
	docs map[reflect.Type]typeDocs
	defs jsonschema.Definitions
	// types are the definitions' types, by name.
	types map[string]reflect.Type
}

// schema is the JSON Schema of cdk.json, whose context is the root type:
// its keys typed, the CLI's own and the CDK's feature flags left open.
func (g *generator) schema(root reflect.Type) (*jsonschema.Schema, error) {
	g.types = map[string]reflect.Type{}
	context, err := g.object(root)
	if err != nil {
		return nil, err
	}
	context.AdditionalProperties = nil
	context.Description = "Context values the app reads; the CDK's feature flags and other keys are left open."
	props := jsonschema.NewProperties()
	props.Set("$schema", &jsonschema.Schema{Type: "string", Description: "The JSON Schema of this file, for editors."})
	props.Set("app", &jsonschema.Schema{Type: "string", MinLength: ptr[uint64](1), Description: "The command the CDK CLI runs to synthesize the app."})
	props.Set("context", context)
	return &jsonschema.Schema{
		Version:     jsonschema.Version,
		Title:       "cdk.json of the private backends app",
		Description: "Generated from the Go configuration types by go generate ./... (internal/configdocs); do not edit.",
		Type:        "object",
		Properties:  props,
		Required:    []string{"context"},
		Definitions: g.defs,
	}, nil
}

func ptr[T any](v T) *T { return &v }

// ref returns a reference to the definition of struct type t, adding it.
func (g *generator) ref(t reflect.Type) (*jsonschema.Schema, error) {
	name := t.Name()
	if other, ok := g.types[name]; ok {
		if other != t {
			return nil, fmt.Errorf("%s and %s would share the definition %q; rename one", other, t, name)
		}
	} else {
		g.types[name] = t
		def, err := g.object(t)
		if err != nil {
			return nil, err
		}
		g.defs[name] = def
	}
	return &jsonschema.Schema{Ref: "#/$defs/" + name}, nil
}

// object is the schema of struct type t: its keys, their rules, and no
// others.
func (g *generator) object(t reflect.Type) (*jsonschema.Schema, error) {
	s := &jsonschema.Schema{
		Type:                 "object",
		Properties:           jsonschema.NewProperties(),
		AdditionalProperties: jsonschema.FalseSchema,
		Description:          strings.Join(strings.Fields(g.docs[t].doc), " "),
	}
	for _, f := range reflect.VisibleFields(t) {
		if model.Key(f) == "" || !f.IsExported() {
			continue
		}
		r, err := model.RuleOf(t, f)
		if err != nil {
			return nil, err
		}
		prop, err := g.value(f.Type)
		if err != nil {
			return nil, err
		}
		if err := g.describe(t, f, r, prop); err != nil {
			return nil, err
		}
		if r.Required {
			s.Required = append(s.Required, r.Key)
		}
		if len(r.Requires) > 0 {
			if s.DependentRequired == nil {
				s.DependentRequired = map[string][]string{}
			}
			s.DependentRequired[r.Key] = r.Requires
		}
		if len(r.Excludes) > 0 {
			props := jsonschema.NewProperties()
			for _, k := range r.Excludes {
				props.Set(k, jsonschema.FalseSchema)
			}
			if s.DependentSchemas == nil {
				s.DependentSchemas = map[string]*jsonschema.Schema{}
			}
			s.DependentSchemas[r.Key] = &jsonschema.Schema{Properties: props}
		}
		s.Properties.Set(r.Key, prop)
	}
	return s, nil
}

// value is the schema of a value of type t.
func (g *generator) value(t reflect.Type) (*jsonschema.Schema, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return g.ref(t)
	case reflect.Map:
		elem, err := g.value(t.Elem())
		return &jsonschema.Schema{Type: "object", AdditionalProperties: elem}, err
	case reflect.Slice:
		elem, err := g.value(t.Elem())
		return &jsonschema.Schema{Type: "array", Items: elem}, err
	case reflect.String:
		return &jsonschema.Schema{Type: "string"}, nil
	case reflect.Bool:
		return &jsonschema.Schema{Type: "boolean"}, nil
	case reflect.Int:
		return &jsonschema.Schema{Type: "integer"}, nil
	case reflect.Float64:
		return &jsonschema.Schema{Type: "number"}, nil
	}
	return nil, fmt.Errorf("no schema for %s", t)
}

var (
	sentenceEnd  = regexp.MustCompile(`\.(\s|$)`)
	defaultStart = regexp.MustCompile(`(^|\s)Default: `)
)

// describe adds what field f of t declares to its schema prop: the rule's
// bounds, enum, pattern and default, and the doc comment as description.
func (g *generator) describe(t reflect.Type, f reflect.StructField, r model.Rule, prop *jsonschema.Schema) error {
	owner := t
	for _, i := range f.Index[:len(f.Index)-1] {
		owner = owner.Field(i).Type
	}
	doc, ok := g.docs[owner].fields[f.Name]
	if !ok || strings.TrimSpace(doc) == "" {
		return fmt.Errorf("%s.%s has no doc comment; say what the key means", owner, f.Name)
	}
	meaning, defaultText := splitDocComment(doc, f.Name)
	if r.Default != nil {
		if defaultText != "" {
			return fmt.Errorf("%s.%s: the doc comment says \"Default: %s\" beside a default tag; keep one", owner, f.Name, defaultText)
		}
		var v any
		if err := json.Unmarshal(r.Default, &v); err != nil {
			return err
		}
		prop.Default = v
	} else if defaultText != "" {
		meaning += " Default: " + defaultText + "."
	}
	prop.Description = meaning
	scalar := prop
	if prop.Type == "array" {
		scalar = prop.Items
	}
	if r.Min != nil {
		if r.Min.Exclusive {
			prop.ExclusiveMinimum = number(r.Min.Value)
		} else {
			prop.Minimum = number(r.Min.Value)
		}
	}
	if r.Max != nil {
		if r.Max.Exclusive {
			prop.ExclusiveMaximum = number(r.Max.Value)
		} else {
			prop.Maximum = number(r.Max.Value)
		}
	}
	if r.Enum != nil {
		scalar.Enum = r.Enum.Values
	}
	if p := r.Pattern; p != nil {
		scalar.Format = p.Format
		if p.Format == "" {
			scalar.Pattern = p.Expr
		}
	}
	if r.Keys != nil {
		prop.PropertyNames = &jsonschema.Schema{Pattern: r.Keys.Expr}
	}
	if r.MinEntries > 0 {
		n := uint64(r.MinEntries)
		if prop.Type == "object" {
			prop.MinProperties = &n
		} else {
			prop.MinItems = &n
		}
	}
	// The decoder rejects an empty string anywhere: a key is left out to
	// take its default.
	if scalar.Type == "string" && scalar.Enum == nil {
		scalar.MinLength = ptr[uint64](1)
	}
	return nil
}

func number(v float64) json.Number { return json.Number(fmt.Sprint(v)) }

// splitDocComment turns a field's doc comment into a description for
// readers of cdk.json: without the Go name it starts with ("Cidr is"), and
// with its "Default: ..." sentence, for a default no tag can state,
// returned apart.
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
	if rest, ok := strings.CutPrefix(text, goName+" "); ok {
		for _, verb := range []string{"is ", "are "} {
			rest = strings.TrimPrefix(rest, verb)
		}
		if rest != "" {
			text = strings.ToUpper(rest[:1]) + rest[1:]
		}
	}
	return text, defaultText
}
