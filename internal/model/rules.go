package model

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Pattern is a named form of a string value, which a pattern or keys tag
// names.
type Pattern struct {
	// Name is what a tag calls the pattern.
	Name string
	// Expr is the regular expression a value matches, written so that Go
	// (RE2) and ECMAScript (the JSON Schema's editors) read it alike.
	Expr string
	// Format is the JSON Schema format the schema states instead of Expr
	// (e.g. "email"); Check then decides at run time.
	Format string
	// What names the form for a message: "is not WHAT", e.g. "an instance
	// type".
	What string
	// Want says what is valid, e.g. `"Day:HH:MM" in UTC, e.g. "Sun:03:00"`.
	Want string
	// Check, when set, decides instead of Expr and says what is wrong (a
	// message starting with the value), for a form whose words are better
	// than a mismatch, e.g. a platform name.
	Check func(string) error

	re *regexp.Regexp
}

// Enum is a named list of the values a key may take, which an enum tag
// names.
type Enum struct {
	// Name is what a tag calls the list.
	Name string
	// What names the values for a message ("is not WHAT"), or is empty for
	// "is not supported".
	What string
	// Values are the values, strings or whole numbers.
	Values []any
}

var (
	registry sync.Mutex
	patterns = map[string]*Pattern{}
	enums    = map[string]*Enum{}
)

// NewPattern registers a pattern under its name and returns its compiled
// regular expression (nil for a pattern with a Format and no Expr). It
// panics on a name used twice or an expression that does not compile:
// mistakes in a declaration, caught by any test.
func NewPattern(p Pattern) *regexp.Regexp {
	if p.Expr != "" {
		p.re = regexp.MustCompile(p.Expr)
	}
	if p.re == nil && p.Check == nil {
		panic(fmt.Sprintf("model: pattern %q has neither an expression nor a check", p.Name))
	}
	registry.Lock()
	defer registry.Unlock()
	if _, ok := patterns[p.Name]; ok {
		panic(fmt.Sprintf("model: pattern %q registered twice", p.Name))
	}
	patterns[p.Name] = &p
	return p.re
}

// NewEnum registers the values a key may take under name and returns them.
func NewEnum[T string | int](name, what string, values ...T) []T {
	e := &Enum{Name: name, What: what}
	for _, v := range values {
		e.Values = append(e.Values, v)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, ok := enums[name]; ok {
		panic(fmt.Sprintf("model: enum %q registered twice", name))
	}
	enums[name] = e
	return values
}

// Bound is a limit of a number.
type Bound struct {
	Value     float64
	Exclusive bool
}

// Rule is what a field's tags declare.
type Rule struct {
	// Key is the field's json name.
	Key string
	// Default is the value of a key left out, as JSON; nil for none.
	Default json.RawMessage
	// Required says the key must be set.
	Required bool
	// Min and Max are the bounds of a number.
	Min, Max *Bound
	// Enum lists the values the key (or each element) may take.
	Enum *Enum
	// Pattern is the form of a string (or of each string of a list).
	Pattern *Pattern
	// Keys is the form of a map's keys.
	Keys *Pattern
	// MinEntries is the fewest entries of a map or list.
	MinEntries int
	// Requires are the keys of the same object that must be set when this
	// one is.
	Requires []string
	// Excludes are the keys of the same object that must be left at their
	// defaults when this one is set.
	Excludes []string
}

// Key returns the json name of a field, or "" for a field that is not a
// key (json:"-", or an embedded struct whose keys are its own).
func Key(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if f.Anonymous || name == "-" {
		return ""
	}
	return name
}

// ruleCache holds parsed rules by field; a field's tags never change.
var ruleCache sync.Map

type fieldID struct {
	owner reflect.Type
	index string
}

// RuleOf parses the tags of field f of struct type t.
func RuleOf(t reflect.Type, f reflect.StructField) (Rule, error) {
	id := fieldID{t, fmt.Sprint(f.Index)}
	if r, ok := ruleCache.Load(id); ok {
		return r.(Rule), nil
	}
	r, err := parseRule(f)
	if err != nil {
		return r, fmt.Errorf("%s.%s: %w", t, f.Name, err)
	}
	ruleCache.Store(id, r)
	return r, nil
}

func parseRule(f reflect.StructField) (Rule, error) {
	r := Rule{Key: Key(f)}
	base := f.Type
	for base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	elem := base
	if elem.Kind() == reflect.Slice {
		elem = elem.Elem()
	}
	if d, ok := f.Tag.Lookup("default"); ok {
		if base.Kind() == reflect.String {
			d = strconv.Quote(d)
		}
		if err := json.Unmarshal([]byte(d), reflect.New(f.Type).Interface()); err != nil {
			return r, fmt.Errorf("default %s: %w", d, err)
		}
		r.Default = json.RawMessage(d)
	}
	r.Required = f.Tag.Get("required") == "true"
	number := func(tag string, exclusive bool) (*Bound, error) {
		s, ok := f.Tag.Lookup(tag)
		if !ok {
			return nil, nil
		}
		if k := base.Kind(); k != reflect.Int && k != reflect.Float64 {
			return nil, fmt.Errorf("%s on a %s", tag, base)
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tag, err)
		}
		return &Bound{Value: v, Exclusive: exclusive}, nil
	}
	var err error
	for _, b := range []struct {
		tag       string
		exclusive bool
		into      **Bound
	}{{"min", false, &r.Min}, {"above", true, &r.Min}, {"max", false, &r.Max}, {"below", true, &r.Max}} {
		bound, err := number(b.tag, b.exclusive)
		if err != nil {
			return r, err
		}
		if bound != nil {
			if *b.into != nil {
				return r, fmt.Errorf("two bounds on one side")
			}
			*b.into = bound
		}
	}
	if keys, ok := f.Tag.Lookup("requires"); ok {
		r.Requires = strings.Split(keys, ",")
	}
	if keys, ok := f.Tag.Lookup("excludes"); ok {
		r.Excludes = strings.Split(keys, ",")
	}
	registry.Lock()
	defer registry.Unlock()
	if name, ok := f.Tag.Lookup("enum"); ok {
		if r.Enum = enums[name]; r.Enum == nil {
			return r, fmt.Errorf("no enum %q", name)
		}
		for _, v := range r.Enum.Values {
			if k := elem.Kind(); reflect.TypeOf(v).Kind() != k {
				return r, fmt.Errorf("enum %q of %T on a %s", name, v, elem)
			}
		}
	}
	if name, ok := f.Tag.Lookup("pattern"); ok {
		if r.Pattern = patterns[name]; r.Pattern == nil {
			return r, fmt.Errorf("no pattern %q", name)
		}
		if elem.Kind() != reflect.String {
			return r, fmt.Errorf("pattern on a %s", elem)
		}
	}
	if name, ok := f.Tag.Lookup("keys"); ok {
		if r.Keys = patterns[name]; r.Keys == nil {
			return r, fmt.Errorf("no pattern %q", name)
		}
		if base.Kind() != reflect.Map {
			return r, fmt.Errorf("keys on a %s", base)
		}
	}
	if s, ok := f.Tag.Lookup("minEntries"); ok {
		if r.MinEntries, err = strconv.Atoi(s); err != nil {
			return r, fmt.Errorf("minEntries: %w", err)
		}
		if k := base.Kind(); k != reflect.Map && k != reflect.Slice {
			return r, fmt.Errorf("minEntries on a %s", base)
		}
	}
	return r, nil
}

// Validate parses the tags of every field of t and of the structs its
// fields hold: a declaration mistake (an unknown pattern, a default that is
// not of the key's type) is an error here rather than at run time.
func Validate(t reflect.Type) error {
	var errs []string
	keys := map[reflect.Type]map[string]bool{}
	var rules []struct {
		owner reflect.Type
		r     Rule
	}
	Walk(t, func(owner reflect.Type, f reflect.StructField) {
		r, err := RuleOf(owner, f)
		if err != nil {
			errs = append(errs, err.Error())
		}
		if keys[owner] == nil {
			keys[owner] = map[string]bool{}
		}
		keys[owner][r.Key] = true
		rules = append(rules, struct {
			owner reflect.Type
			r     Rule
		}{owner, r})
	})
	// Rules promoted from an embedded struct are how Check reaches them; two
	// embedded structs with Rules cancel each other's out, silently.
	ruler := reflect.TypeFor[Ruler]()
	for owner := range keys {
		for i := range owner.NumField() {
			f := owner.Field(i)
			if f.Anonymous && (f.Type.Implements(ruler) || reflect.PointerTo(f.Type).Implements(ruler)) && !reflect.PointerTo(owner).Implements(ruler) {
				errs = append(errs, fmt.Sprintf("%s embeds %s, whose Rules it does not have (two embedded structs with Rules?); declare Rules on %s calling theirs", owner, f.Type, owner))
			}
		}
	}
	for _, or := range rules {
		for _, k := range slices.Concat(or.r.Requires, or.r.Excludes) {
			if !keys[or.owner][k] {
				errs = append(errs, fmt.Sprintf("%s.%s: requires or excludes %q, which is no key beside it", or.owner, or.r.Key, k))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("model: %s", strings.Join(errs, "; "))
	}
	return nil
}

// Walk calls visit with every struct type reachable from t (through
// pointers, maps, slices and embedding) and each of its key fields, the
// fields of embedded structs as fields of the embedding struct, each
// struct type once.
func Walk(t reflect.Type, visit func(owner reflect.Type, f reflect.StructField)) {
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		t = Base(t)
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for _, f := range reflect.VisibleFields(t) {
			if Key(f) == "" || !f.IsExported() {
				continue
			}
			visit(t, f)
			walk(f.Type)
		}
	}
	walk(t)
}

// Base is t without the pointers, maps and slices around it.
func Base(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice:
			t = t.Elem()
		default:
			return t
		}
	}
}
