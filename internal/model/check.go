package model

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Check returns what is wrong with the struct v (or the struct v points
// at): each key against its tags, then each struct's cross-key rules
// (Ruler), every problem under its key path. A nil pointer is a key left
// unset, with no default.
func Check(v any) Problems {
	var ps Problems
	check(reflect.ValueOf(v), "", &ps)
	return ps
}

func check(v reflect.Value, path string, ps *Problems) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		checkStruct(v, path, ps)
	case reflect.Map:
		for _, key := range sortedKeys(v) {
			check(v.MapIndex(reflect.ValueOf(key)), join(path, key), ps)
		}
	case reflect.Slice:
		for i := range v.Len() {
			check(v.Index(i), fmt.Sprintf("%s[%d]", path, i), ps)
		}
	}
}

func checkStruct(v reflect.Value, path string, ps *Problems) {
	t := v.Type()
	// set says which keys differ from their defaults (from zero without).
	set := map[string]bool{}
	defaults := reflect.New(t).Elem()
	setDefaults(defaults)
	var requiring []Rule
	for _, f := range reflect.VisibleFields(t) {
		if Key(f) == "" || !f.IsExported() {
			continue
		}
		r, err := RuleOf(t, f)
		if err != nil {
			panic(err)
		}
		fv := v.FieldByIndex(f.Index)
		set[r.Key] = !reflect.DeepEqual(fv.Interface(), defaults.FieldByIndex(f.Index).Interface())
		if len(r.Requires)+len(r.Excludes) > 0 && set[r.Key] {
			requiring = append(requiring, r)
		}
		at := join(path, r.Key)
		checkKey(r, fv, at, ps)
		check(fv, at, ps)
	}
	for _, r := range requiring {
		for _, key := range r.Requires {
			if !set[key] {
				ps.Add(join(path, key), "is missing; %s is set, which needs %s too", r.Key, key)
			}
		}
		for _, key := range r.Excludes {
			if set[key] {
				ps.Add(join(path, key), "is set beside %s, which excludes it; remove it", r.Key)
			}
		}
	}
	var ruler Ruler
	if v.CanAddr() {
		ruler, _ = v.Addr().Interface().(Ruler)
	} else {
		ruler, _ = v.Interface().(Ruler)
	}
	if ruler != nil {
		rules := ruler.Rules().Within(path)
		// A rule that says more of a missing key than "is missing" (which
		// values it could take) speaks for it.
		*ps = slices.DeleteFunc(*ps, func(p Problem) bool {
			return strings.HasPrefix(p.Message, missing) && slices.ContainsFunc(rules, func(r Problem) bool { return r.Key == p.Key })
		})
		*ps = append(*ps, rules...)
	}
}

// missing is what Check says of a required key left out.
const missing = "is missing"

// checkKey checks the value v of one key against its rule r.
func checkKey(r Rule, v reflect.Value, at string, ps *Problems) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if r.Required {
				ps.Add(at, missing)
			}
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		return
	case reflect.Map, reflect.Slice:
		switch {
		case v.IsNil():
			// Unset, as a key left out of JSON is.
			switch {
			case r.Required && r.MinEntries == 1:
				ps.Add(at, "is missing; %s at least one", verb(v))
			case r.Required:
				ps.Add(at, missing)
			}
			return
		case v.Len() < r.MinEntries && r.MinEntries == 1:
			ps.Add(at, "is empty; %s at least one", verb(v))
		case v.Len() < r.MinEntries:
			ps.Add(at, "has %d entries; %s at least %d", v.Len(), verb(v), r.MinEntries)
		}
		if r.Keys != nil {
			for _, key := range sortedKeys(v) {
				if msg := r.Keys.mismatch(key); msg != "" {
					ps.Add(join(at, key), "%s", msg)
				}
			}
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Struct && v.Type().Elem().Kind() != reflect.Pointer {
			for i := range v.Len() {
				checkScalar(r, v.Index(i), fmt.Sprintf("%s[%d]", at, i), ps)
			}
		}
	default:
		if r.Required && v.IsZero() {
			ps.Add(at, missing)
			return
		}
		checkScalar(r, v, at, ps)
	}
}

// sortedKeys returns the keys of map v (string keys) in order.
func sortedKeys(v reflect.Value) []string {
	keys := make([]string, 0, v.Len())
	for _, k := range v.MapKeys() {
		keys = append(keys, k.String())
	}
	slices.Sort(keys)
	return keys
}

func verb(v reflect.Value) string {
	if v.Kind() == reflect.Map {
		return "define"
	}
	return "list"
}

// checkScalar checks a string or number against the pattern, enum and
// bounds of r.
func checkScalar(r Rule, v reflect.Value, at string, ps *Problems) {
	if v.Kind() == reflect.String && v.String() == "" {
		// Unset: decoding rejects an empty string, and a required key is
		// reported missing.
		return
	}
	if r.Pattern != nil && v.Kind() == reflect.String {
		if msg := r.Pattern.mismatch(v.String()); msg != "" {
			ps.Add(at, "%s", msg)
			return
		}
	}
	if r.Enum != nil && !slices.Contains(r.Enum.Values, v.Interface()) {
		what := "supported"
		if r.Enum.What != "" {
			what = r.Enum.What
		}
		ps.Add(at, "%s is not %s; use %s", show(v.Interface()), what, list(r.Enum.Values))
		return
	}
	var n float64
	switch v.Kind() {
	case reflect.Int:
		n = float64(v.Int())
	case reflect.Float64:
		n = v.Float()
	default:
		return
	}
	switch {
	case r.Min != nil && (n < r.Min.Value || r.Min.Exclusive && n == r.Min.Value):
		ps.Add(at, "%v is too small; want %s", v.Interface(), r.wanted())
	case r.Max != nil && (n > r.Max.Value || r.Max.Exclusive && n == r.Max.Value):
		ps.Add(at, "%v is too large; want %s", v.Interface(), r.wanted())
	}
}

// rangeText says which numbers r allows, e.g. "at least 1", "from 2 to 6" or
// "above 0 and below 100"; "" when it sets no bound.
func (r Rule) rangeText() string {
	if r.Min != nil && r.Max != nil && !r.Min.Exclusive && !r.Max.Exclusive {
		return "from " + num(r.Min.Value) + " to " + num(r.Max.Value)
	}
	var parts []string
	if b := r.Min; b != nil {
		if b.Exclusive {
			parts = append(parts, "above "+num(b.Value))
		} else {
			parts = append(parts, "at least "+num(b.Value))
		}
	}
	if b := r.Max; b != nil {
		if b.Exclusive {
			parts = append(parts, "below "+num(b.Value))
		} else {
			parts = append(parts, "at most "+num(b.Value))
		}
	}
	return strings.Join(parts, " and ")
}

// wanted is rangeText as the object of "want".
func (r Rule) wanted() string {
	s := r.rangeText()
	if !strings.HasPrefix(s, "at ") {
		return "a number " + s
	}
	return s
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// mismatch says what is wrong with s, or "" when it has the form.
func (p *Pattern) mismatch(s string) string {
	if p.Check != nil {
		if err := p.Check(s); err != nil {
			return err.Error()
		}
		return ""
	}
	if p.re.MatchString(s) {
		return ""
	}
	msg := fmt.Sprintf("%q is not %s", s, p.What)
	if p.Want != "" {
		msg += "; want " + p.Want
	}
	return msg
}

// show writes a value as a message quotes it: a string in quotes.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// list writes values for a message: "a or b", or "one of a, b, c, d, e".
func list(values []any) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = show(v)
	}
	if len(s) > 4 {
		return "one of " + strings.Join(s, ", ")
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
