package config

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
)

// defaulter is implemented by configuration types whose zero value is not
// their default: the decoder calls it on every new element it creates (a map
// entry), so that keys the user leaves out keep their documented default.
type defaulter interface {
	setDefaults()
}

// decode copies the JSON-shaped value raw (as the CDK hands context over:
// maps, slices, strings, float64 and bools) into the Go value out points at.
// Keys are matched against the fields' json tags. Every mismatch is recorded
// in p under its key path, so that one run reports all of them.
func decode(raw any, out reflect.Value, path string, p *problems) {
	if out.Kind() == reflect.Pointer {
		if raw == nil {
			p.add(path, "is null; %s", want(out.Type()))
			return
		}
		allocated := out.IsNil()
		if allocated {
			out.Set(reflect.New(out.Type().Elem()))
			if d, ok := out.Interface().(defaulter); ok {
				d.setDefaults()
			}
		}
		before := len(p.lines)
		decode(raw, out.Elem(), path, p)
		// A number or string that could not be read leaves the key unset,
		// so that validation sees its default, not a zero the user never
		// wrote (an object keeps the keys that could be read).
		if allocated && len(p.lines) > before && out.Elem().Kind() != reflect.Struct {
			out.SetZero()
		}
		return
	}
	switch out.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			p.add(path, "is %s; %s", describe(raw), want(out.Type()))
			return
		}
		decodeStruct(obj, out, path, p)
	case reflect.Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			p.add(path, "is %s; %s", describe(raw), want(out.Type()))
			return
		}
		if out.IsNil() {
			out.Set(reflect.MakeMap(out.Type()))
		}
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			elem := newElem(out.Type().Elem())
			decode(obj[key], elem, path+"."+key, p)
			out.SetMapIndex(reflect.ValueOf(key), elem)
		}
	case reflect.Slice:
		list, ok := raw.([]any)
		if !ok {
			p.add(path, "is %s; %s", describe(raw), want(out.Type()))
			return
		}
		s := reflect.MakeSlice(out.Type(), len(list), len(list))
		for i, item := range list {
			s.Index(i).Set(newElem(out.Type().Elem()))
			decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), p)
		}
		out.Set(s)
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			p.add(path, "is %s; %s", describe(raw), want(out.Type()))
			return
		}
		if s == "" {
			// An unset setting takes its default; an empty one is a slip.
			p.add(path, "is an empty string; set a value, or remove the key to use its default")
			return
		}
		out.SetString(s)
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			p.add(path, "is %s; %s", describe(raw), want(out.Type()))
			return
		}
		out.SetBool(b)
	case reflect.Int:
		f, ok := raw.(float64)
		if !ok || f != math.Trunc(f) {
			p.add(path, "is %s; %s", describe(raw), want(out.Type()))
			return
		}
		// Beyond 2^53 a JSON number is no longer an exact whole number.
		if math.Abs(f) > 1<<53 {
			p.add(path, "%v is too large", f)
			return
		}
		out.SetInt(int64(f))
	case reflect.Float64:
		f, ok := raw.(float64)
		if !ok {
			p.add(path, "is %s; %s", describe(raw), want(out.Type()))
			return
		}
		out.SetFloat(f)
	default:
		panic(fmt.Sprintf("config: no decoder for %s", out.Type()))
	}
}

// replacer is implemented by configuration types that removed a key: the
// decoder reports the key with the message it returns, which says what
// replaces it, instead of "unknown key".
type replacer interface {
	replacedKeys() map[string]string
}

// newElem returns a settable new value of type t, with its defaults applied
// when t is a struct that has them (pointers get theirs when decode allocates).
func newElem(t reflect.Type) reflect.Value {
	v := reflect.New(t)
	if d, ok := v.Interface().(defaulter); ok {
		d.setDefaults()
	}
	return v.Elem()
}

func decodeStruct(obj map[string]any, out reflect.Value, path string, p *problems) {
	// Fields of embedded structs (a construct's settings) are keys of the
	// same object, as encoding/json reads them.
	fields := map[string][]int{}
	var names []string
	for _, f := range reflect.VisibleFields(out.Type()) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous || name == "" || name == "-" {
			continue
		}
		fields[name] = f.Index
		names = append(names, name)
	}
	var replaced map[string]string
	if r, ok := out.Addr().Interface().(replacer); ok {
		replaced = r.replacedKeys()
	}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		if msg, ok := replaced[key]; ok {
			p.add(path+"."+key, "%s", msg)
			continue
		}
		index, ok := fields[key]
		if !ok {
			msg := fmt.Sprintf("unknown key %q", key)
			if s := nearest(key, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += fmt.Sprintf("; valid keys are %s", strings.Join(names, ", "))
			}
			p.add(path, "%s", msg)
			continue
		}
		decode(obj[key], out.FieldByIndex(index), path+"."+key, p)
	}
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

// describe names a JSON value for an error message: its kind and, for
// scalars, the value itself.
func describe(raw any) string {
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

// nearest returns the candidate closest to key in edit distance, or "" when
// none is close enough to be a plausible typo.
func nearest(key string, candidates []string) string {
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
