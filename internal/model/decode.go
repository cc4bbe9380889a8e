package model

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
)

// Resolver is a root struct that completes itself after decoding, before
// its rules are checked: names taken from map keys, values derived from
// others.
type Resolver interface {
	Resolve()
}

// Load decodes raw into the struct out points at, with defaults, resolves
// it (Resolver) and checks it: every problem, each under its key path,
// decoding's first; with none, every struct inside carries its Checked
// mark. A value that could not be read is reported once: its
// key keeps its default, and what Check would say of that key is left out.
func Load(raw any, out any) Problems {
	st := decodeRoot(raw, out)
	if r, ok := out.(Resolver); ok {
		r.Resolve()
	}
	ps := st.ps
	for _, p := range Check(out) {
		if !st.unread[p.Key] {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		markChecked(reflect.ValueOf(out))
	}
	return ps
}

// state is what decoding found: its problems, and the keys whose values
// could not be read.
type state struct {
	ps     Problems
	unread map[string]bool
}

// fail records a value that could not be read.
func (st *state) fail(path, format string, args ...any) {
	st.ps.Add(path, format, args...)
	st.unread[path] = true
}

// decodeRoot copies the JSON-shaped value raw (as the CDK hands context
// over: maps, slices, strings, float64 and bools) into the struct out
// points at, after setting its defaults. Keys are matched against the
// fields' json tags; an unknown key is a problem with a did-you-mean. A
// value that cannot be read leaves its key at its default.
func decodeRoot(raw any, out any) *state {
	st := &state{unread: map[string]bool{}}
	v := reflect.ValueOf(out).Elem()
	setDefaults(v)
	decode(raw, v, "", st)
	return st
}

// WithDefaults returns v with every key it leaves unset (a zero value) at
// its default: how a construct completes settings a caller gave it.
func WithDefaults[T any](v T) T {
	setDefaults(reflect.ValueOf(&v).Elem())
	return v
}

// setDefaults sets every zero key of struct v (and of the structs it
// holds by value) that has a default.
func setDefaults(v reflect.Value) {
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for _, f := range reflect.VisibleFields(t) {
		if Key(f) == "" || !f.IsExported() {
			continue
		}
		fv := v.FieldByIndex(f.Index)
		if f.Type.Kind() == reflect.Struct {
			setDefaults(fv)
			continue
		}
		r, err := RuleOf(t, f)
		if err != nil {
			panic(err)
		}
		if r.Default == nil || !fv.IsZero() {
			continue
		}
		p := reflect.New(f.Type)
		// RuleOf has decoded the default once already.
		_ = json.Unmarshal(r.Default, p.Interface())
		fv.Set(p.Elem())
	}
}

func decode(raw any, out reflect.Value, path string, st *state) {
	if out.Kind() == reflect.Pointer {
		if raw == nil {
			st.fail(path, "is null; %s", want(out.Type()))
			return
		}
		if out.Type().Elem().Kind() == reflect.Struct {
			if out.IsNil() {
				out.Set(reflect.New(out.Type().Elem()))
				setDefaults(out.Elem())
			}
			decode(raw, out.Elem(), path, st)
			return
		}
		// A scalar is set only when it can be read, so that one that
		// cannot keeps its default.
		v := reflect.New(out.Type().Elem())
		before := len(st.ps)
		decode(raw, v.Elem(), path, st)
		if len(st.ps) == before {
			out.Set(v)
		}
		return
	}
	switch out.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			st.fail(path, "is %s; %s", Describe(raw), want(out.Type()))
			return
		}
		decodeStruct(obj, out, path, st)
	case reflect.Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			st.fail(path, "is %s; %s", Describe(raw), want(out.Type()))
			return
		}
		m := reflect.MakeMap(out.Type())
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			elem := newElem(out.Type().Elem())
			decode(obj[key], elem, join(path, key), st)
			m.SetMapIndex(reflect.ValueOf(key), elem)
		}
		out.Set(m)
	case reflect.Slice:
		list, ok := raw.([]any)
		if !ok {
			st.fail(path, "is %s; %s", Describe(raw), want(out.Type()))
			return
		}
		s := reflect.MakeSlice(out.Type(), len(list), len(list))
		for i, item := range list {
			s.Index(i).Set(newElem(out.Type().Elem()))
			decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), st)
		}
		out.Set(s)
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			st.fail(path, "is %s; %s", Describe(raw), want(out.Type()))
			return
		}
		if s == "" {
			// An unset setting takes its default; an empty one is a slip.
			st.fail(path, "is an empty string; set a value, or remove the key to use its default")
			return
		}
		out.SetString(s)
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			st.fail(path, "is %s; %s", Describe(raw), want(out.Type()))
			return
		}
		out.SetBool(b)
	case reflect.Int:
		f, ok := raw.(float64)
		if !ok || f != math.Trunc(f) {
			st.fail(path, "is %s; %s", Describe(raw), want(out.Type()))
			return
		}
		// Beyond 2^53 a JSON number is no longer an exact whole number.
		if math.Abs(f) > 1<<53 {
			st.fail(path, "%v is too large", f)
			return
		}
		out.SetInt(int64(f))
	case reflect.Float64:
		f, ok := raw.(float64)
		if !ok {
			st.fail(path, "is %s; %s", Describe(raw), want(out.Type()))
			return
		}
		out.SetFloat(f)
	default:
		panic(fmt.Sprintf("model: no decoder for %s", out.Type()))
	}
}

// newElem returns a settable new value of type t, with its defaults when t
// is a struct (a pointer to one gets them when decode allocates it).
func newElem(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	setDefaults(v)
	return v
}

func decodeStruct(obj map[string]any, out reflect.Value, path string, st *state) {
	// Fields of embedded structs (a construct's settings) are keys of the
	// same object, as encoding/json reads them.
	fields := map[string][]int{}
	var names []string
	for _, f := range reflect.VisibleFields(out.Type()) {
		if name := Key(f); name != "" && f.IsExported() {
			fields[name] = f.Index
			names = append(names, name)
		}
	}
	var replaced map[string]string
	if r, ok := out.Addr().Interface().(Replacer); ok {
		replaced = r.ReplacedKeys()
	}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		if msg, ok := replaced[key]; ok {
			st.ps.Add(join(path, key), "%s", msg)
			continue
		}
		index, ok := fields[key]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", key)
			if s := Nearest(key, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += fmt.Sprintf("; valid keys are %s", strings.Join(names, ", "))
			}
			st.ps.Add(path, "%s", msg)
			continue
		}
		decode(obj[key], out.FieldByIndex(index), join(path, key), st)
	}
}

// Replacer is a struct that removed keys: the decoder reports each at its
// own path with the message ReplacedKeys gives (what replaces it), where it
// would otherwise say "unknown key" of the object.
type Replacer interface {
	ReplacedKeys() map[string]string
}

// want says what kind of JSON value a Go type is decoded from.
func want(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "want an object"
	case reflect.Slice:
		return "want a list"
	case reflect.String:
		return "want a string"
	case reflect.Bool:
		return "want true or false"
	case reflect.Int:
		return "want a whole number"
	default:
		return "want a number"
	}
}

// Describe names a JSON value for an error message: its kind and, for
// scalars, the value itself.
func Describe(raw any) string {
	switch v := raw.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("the boolean %t", v)
	case float64:
		return fmt.Sprintf("the number %v", v)
	default:
		return fmt.Sprintf("%v", v)
	}
}

// Nearest returns the candidate closest to key in edit distance, or ""
// when none is close enough to be a plausible typo.
func Nearest(key string, candidates []string) string {
	best, bestDist := "", max(2, len(key)/4)+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(key), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
