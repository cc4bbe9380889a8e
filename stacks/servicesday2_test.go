//go:build heavy

package stacks

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestAReleaseReplacesOnlyTheApplicationVersion compares "ids" with
// "ids-source-changed", where blue gets new code and a new label: every
// stack keeps every logical id and type, and the only resources whose
// properties change are blue's application version and, for the new label
// in BACKEND_VERSION, blue's environment. The version's SourceBundle
// changes, which replaces it ("Update requires: Replacement",
// AWS::ElasticBeanstalk::ApplicationVersion); the environment keeps
// {"Ref": "Version"} as its VersionLabel, which CloudFormation updates in
// place when the new version's label resolves (AWS::ElasticBeanstalk::Environment
// VersionLabel, "Update requires: No interruption").
func TestAReleaseReplacesOnlyTheApplicationVersion(t *testing.T) {
	base, changed := dayTwo["ids"], dayTwo["ids-source-changed"]
	if base == nil || changed == nil {
		t.Fatal("the day-two variants were not synthesized")
	}
	var moved []string
	for _, name := range slices.Sorted(maps.Keys(base.Stacks)) {
		if !strings.HasPrefix(name, "ids/") {
			continue
		}
		before, _ := base.Stacks[name].Template["Resources"].(map[string]any)
		s, ok := changed.Stacks[name]
		if !ok {
			t.Errorf("the release removed stack %s", name)
			continue
		}
		after, _ := s.Template["Resources"].(map[string]any)
		if got, want := slices.Sorted(maps.Keys(after)), slices.Sorted(maps.Keys(before)); !slices.Equal(got, want) {
			t.Errorf("%s: logical ids %v became %v", name, want, got)
		}
		for id, r := range before {
			a, _ := json.Marshal(withoutOption(r, "BACKEND_VERSION"))
			b, _ := json.Marshal(withoutOption(after[id], "BACKEND_VERSION"))
			if string(a) != string(b) {
				moved = append(moved, name+" "+id)
			}
		}
	}
	if want := []string{"ids/Backend-blue Version"}; !slices.Equal(moved, want) {
		t.Errorf("the release changed %v, want only %v", moved, want)
	}
	version := func(a map[string]map[string]any) map[string]any {
		return a["Version"]["Properties"].(map[string]any)
	}
	b, c := version(base.Stacks["ids/Backend-blue"].Resources("AWS::ElasticBeanstalk::ApplicationVersion")), version(changed.Stacks["ids/Backend-blue"].Resources("AWS::ElasticBeanstalk::ApplicationVersion"))
	bb, _ := json.Marshal(b["SourceBundle"])
	cb, _ := json.Marshal(c["SourceBundle"])
	if string(bb) == string(cb) {
		t.Errorf("blue's source bundle %s did not change with its source", bb)
	}
	if c["Description"] != "Backend blue version 1.5.0" {
		t.Errorf("blue's application version says %v, want its new label", c["Description"])
	}
	env := changed.Stacks["ids/Backend-blue"].Resources("AWS::ElasticBeanstalk::Environment")["Environment78414C64"]
	if label, _ := json.Marshal(env["Properties"].(map[string]any)["VersionLabel"]); string(label) != `{"Ref":"Version"}` {
		t.Errorf("blue's environment deploys %s, want the application version it owns", label)
	}
}

// withoutOption returns a resource with the option settings named name
// left out (a Beanstalk environment's; other resources are returned as
// they are).
func withoutOption(resource any, name string) any {
	r, _ := resource.(map[string]any)
	props, _ := r["Properties"].(map[string]any)
	options, ok := props["OptionSettings"].([]any)
	if !ok {
		return resource
	}
	var kept []any
	for _, o := range options {
		if o.(map[string]any)["OptionName"] != name {
			kept = append(kept, o)
		}
	}
	p := maps.Clone(props)
	p["OptionSettings"] = kept
	out := maps.Clone(r)
	out["Properties"] = p
	return out
}
