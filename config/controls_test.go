package config

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestControlsReportOnlyByDefaultAndAreValidated(t *testing.T) {
	c, err := LoadControls(nil)
	if err != nil || c.Enforce || len(c.Exempt) != 0 {
		t.Fatalf("no controls key gave %+v, %v; want report only", c, err)
	}
	var raw any
	if err := json.Unmarshal([]byte(`{"enforce": true, "exempt": ["CT.S3.PR.9", "CT.NETWORK-FIREWALL.PR.1"]}`), &raw); err != nil {
		t.Fatal(err)
	}
	c, err = LoadControls(raw)
	if err != nil || !c.Enforce || !slices.Equal(c.Exempt, []string{"CT.S3.PR.9", "CT.NETWORK-FIREWALL.PR.1"}) {
		t.Fatalf("LoadControls = %+v, %v", c, err)
	}
	for raw, want := range map[string]string{
		`{"enforced": true}`:                       `controls: unknown key "enforced"; did you mean "enforce"?`,
		`{"enforce": "yes"}`:                       `controls.enforce: is the string "yes"; want true or false`,
		`{"exempt": ["CT.S3.PR.9", "ct-s3-pr-2"]}`: `controls.exempt[1]: "ct-s3-pr-2" is not a proactive control ID; want e.g. "CT.S3.PR.9"`,
		`true`: `controls: is the boolean true; want an object`,
	} {
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadControls(v); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadControls(%s) = %v; want %q", raw, err, want)
		}
	}

	// The app checks the key with the rest of the configuration.
	var envs any
	if err := json.Unmarshal([]byte(minimal), &envs); err != nil {
		t.Fatal(err)
	}
	if _, err := FromContext(fakeContext{EnvironmentsKey: envs, ControlsKey: map[string]any{"enforce": 1.0}}); err == nil ||
		!strings.Contains(err.Error(), "controls.enforce: is the number 1") {
		t.Fatalf("FromContext did not check the controls key: %v", err)
	}
}
