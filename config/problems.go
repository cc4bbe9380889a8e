package config

import (
	"fmt"
	"strings"

	"privatebackend/constructs/settings"
)

// problems collects every configuration mistake of one run, each under the
// key path it concerns, so that the user sees them all at once.
type problems struct {
	lines []string
}

func (p *problems) add(path, format string, args ...any) {
	p.lines = append(p.lines, path+": "+fmt.Sprintf(format, args...))
}

// addAll adds problems a settings check found, their keys relative to at.
func (p *problems) addAll(at string, found settings.Problems) {
	for _, f := range found.Within(at) {
		p.lines = append(p.lines, f.Error())
	}
}

func (p *problems) err() error {
	if len(p.lines) == 0 {
		return nil
	}
	return &Error{Problems: p.lines}
}

// Error is a configuration that cannot be built. It lists every problem found,
// each starting with the key path it concerns.
type Error struct {
	Problems []string
}

func (e *Error) Error() string {
	noun := "problem"
	if len(e.Problems) > 1 {
		noun = "problems"
	}
	return fmt.Sprintf("invalid configuration (%d %s; fix cdk.json):\n  - %s",
		len(e.Problems), noun, strings.Join(e.Problems, "\n  - "))
}
