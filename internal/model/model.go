// Package model reads configuration declared once, as Go structs. A key is
// a field: its json tag names it, its doc comment says what it means, and
// these struct tags say what is valid, which this package applies at run
// time and the generator (internal/configdocs) writes into the JSON Schema
// and the README's tables:
//
//	default:"VALUE"  the value of a key left out: the text itself for a
//	                 string, JSON otherwise (e.g. `default:"2"`,
//	                 `default:"[\"ANY\"]"`)
//	required:"true"  the key must be set (for a struct: schema only, its own
//	                 keys say what is missing)
//	min:"N" max:"N"  inclusive bounds of a number
//	above:"N"        exclusive lower bound; below:"N" exclusive upper bound
//	enum:"NAME"      one of the values of an Enum registered as NAME
//	pattern:"NAME"   a string (or each string of a list) has the form of the
//	                 Pattern registered as NAME
//	keys:"NAME"      each key of a map has the form of Pattern NAME
//	minEntries:"N"   a map or list has at least N entries
//	requires:"K,..." the keys K of the same object must be set when this one
//	                 is
//	excludes:"K,..." the keys K of the same object must keep their defaults
//	                 when this one is set
//
// What relates one key to another (a minimum below a maximum, a stage that
// names an existing backend) is a cross-key rule: the struct that holds
// the keys implements Ruler, and Check calls it.
package model

import (
	"fmt"
	"reflect"
	"strings"
)

// Problem is a setting that is not valid.
type Problem struct {
	// Key is the setting's key as the configuration names it, relative to
	// the object checked, e.g. "minInstances" or "emails[1]".
	Key string
	// Message says what is wrong and what would be valid.
	Message string
}

func (p Problem) Error() string { return p.Key + ": " + p.Message }

// Problems are the problems of one set of settings.
type Problems []Problem

// Add adds a problem of key.
func (ps *Problems) Add(key, format string, args ...any) {
	*ps = append(*ps, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

// Err joins the problems into one error naming the construct, or returns
// nil when there are none: how a construct reports invalid props.
func (ps Problems) Err(construct string) error {
	if len(ps) == 0 {
		return nil
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return fmt.Errorf("%s: %s", construct, strings.Join(lines, "; "))
}

// Within prefixes each problem's key with the key of the object holding it.
func (ps Problems) Within(key string) Problems {
	out := make(Problems, len(ps))
	for i, p := range ps {
		out[i] = Problem{Key: join(key, p.Key), Message: p.Message}
	}
	return out
}

// join appends key (a name, or an index "[i]") to the path at.
func join(at, key string) string {
	switch {
	case at == "":
		return key
	case key == "":
		return at
	case strings.HasPrefix(key, "["):
		return at + key
	}
	return at + "." + key
}

// Ruler is a struct with cross-key rules: Rules reports what is wrong with
// its keys together, keyed relative to the struct. Check calls it on every
// struct it visits, after the keys' own rules; a struct that embeds
// settings with rules of their own and declares Rules itself calls theirs.
type Ruler interface {
	Rules() Problems
}

// Checked is a mark a settings struct carries in a field (json:"-"): Load
// sets it on every struct of a configuration it found valid, so that a
// construct given those settings need not check them again, while one
// given settings from elsewhere still does. Only this package can set it.
type Checked struct{ ok bool }

// OK reports whether Load checked the settings that carry the mark.
func (c Checked) OK() bool { return c.ok }

// markChecked sets the Checked mark of every struct inside v.
func markChecked(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			markChecked(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Field(i)
			if f.Type() == reflect.TypeFor[Checked]() {
				f.Set(reflect.ValueOf(Checked{ok: true}))
			} else if v.Type().Field(i).IsExported() {
				markChecked(f)
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			// Map values are not addressable; the configuration's maps
			// hold pointers.
			if e := v.MapIndex(k); e.Kind() == reflect.Pointer {
				markChecked(e)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			markChecked(v.Index(i))
		}
	}
}
