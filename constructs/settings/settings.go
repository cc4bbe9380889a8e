// Package settings holds the settings of the reusable constructs that a
// configuration file may set, with their defaults and their validation, in
// plain Go: the constructs apply them to their props, and package config,
// which must not load the CDK, checks a cdk.json against the very same rules
// before any construct is built. A setting left unset (an empty string, a
// nil pointer) takes its default.
package settings

import (
	"fmt"
	"strings"
)

// Problem is a setting that is not valid.
type Problem struct {
	// Key is the setting's key as cdk.json names it, relative to the object
	// holding it, e.g. "minInstances" or "emails[1]".
	Key string
	// Message says what is wrong and what would be valid.
	Message string
}

func (p Problem) Error() string { return p.Key + ": " + p.Message }

// Problems are the problems of one set of settings.
type Problems []Problem

func (ps *Problems) add(key, format string, args ...any) {
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
		switch {
		case p.Key == "":
			out[i] = Problem{Key: key, Message: p.Message}
		case strings.HasPrefix(p.Key, "["):
			out[i] = Problem{Key: key + p.Key, Message: p.Message}
		default:
			out[i] = Problem{Key: key + "." + p.Key, Message: p.Message}
		}
	}
	return out
}

// or returns *p, or fallback when p is nil.
func or[T any](p *T, fallback T) *T {
	if p != nil {
		return p
	}
	return &fallback
}
