package config

import (
	"privatebackend/internal/model"
)

// ControlsKey is the context key of how ./scripts/synth treats AWS Control
// Tower's proactive controls.
const ControlsKey = "controls"

// Controls configures the check of the synthesized templates against AWS
// Control Tower's proactive controls that ./scripts/synth runs.
type Controls struct {
	// Enforce makes ./scripts/synth fail when a template fails a control
	// that exempt does not list; otherwise the failures are reported and
	// the synthesis succeeds.
	Enforce bool `json:"enforce" default:"false"`
	// Exempt are the control IDs (e.g. "CT.S3.PR.9") that never fail the
	// synthesis: those the landing zone does not enable where the stacks
	// deploy, or accepts there. Default: none.
	Exempt []string `json:"exempt" pattern:"controlId"`
}

// The form of a Control Tower proactive control's ID.
var _ = model.NewPattern(model.Pattern{Name: "controlId", Expr: `^CT\.[A-Z0-9-]+\.PR\.[0-9]+$`,
	What: "a proactive control ID", Want: `e.g. "CT.S3.PR.9"`})

// LoadControls decodes and validates the "controls" context value; raw
// nil is the default (report only). Whether an exempt ID names a control
// of the rule set is checked where the rule set is read.
func LoadControls(raw any) (*Controls, error) {
	c := &Controls{}
	if raw == nil {
		return c, nil
	}
	if err := toError(model.Load(raw, c).Within(ControlsKey)); err != nil {
		return nil, err
	}
	return c, nil
}
