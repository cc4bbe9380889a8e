package config

import (
	"fmt"
	"strings"

	"privatebackend/internal/model"
)

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

// toError turns problems into an *Error, or nil when there are none.
func toError(ps model.Problems) error {
	if len(ps) == 0 {
		return nil
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return &Error{Problems: lines}
}
