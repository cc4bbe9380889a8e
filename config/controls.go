package config

import (
	"fmt"
	"reflect"
	"regexp"
)

// ControlsKey is the context key of how ./scripts/synth treats AWS Control
// Tower's proactive controls.
const ControlsKey = "controls"

// Controls configures the check of the synthesized templates against AWS
// Control Tower's proactive controls that ./scripts/synth runs.
type Controls struct {
	// Enforce makes ./scripts/synth fail when a template fails a control
	// that exempt does not list; otherwise the failures are reported and
	// the synthesis succeeds. Default: false.
	Enforce bool `json:"enforce"`
	// Exempt are the control IDs (e.g. "CT.S3.PR.9") that never fail the
	// synthesis: those the landing zone does not enable where the stacks
	// deploy, or accepts there. Default: none.
	Exempt []string `json:"exempt"`
}

// controlID is the form of a Control Tower proactive control's ID.
var controlID = regexp.MustCompile(`^CT\.[A-Z0-9-]+\.PR\.[0-9]+$`)

// LoadControls decodes and validates the "controls" context value; raw
// nil is the default (report only). Whether an exempt ID names a control
// of the rule set is checked where the rule set is read.
func LoadControls(raw any) (*Controls, error) {
	c := &Controls{}
	if raw == nil {
		return c, nil
	}
	p := &problems{}
	const at = ControlsKey
	decode(raw, reflect.ValueOf(c).Elem(), at, p)
	for i, id := range c.Exempt {
		if !controlID.MatchString(id) {
			p.add(fmt.Sprintf("%s.exempt[%d]", at, i), "%q is not a proactive control ID; want e.g. \"CT.S3.PR.9\"", id)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}
