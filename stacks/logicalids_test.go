//go:build heavy

package stacks

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/testsupport/cdktest"
)

// The "ids" environment and the ordinary changes a team makes to it: a
// stage added (one that sorts first, as once moved every other stage), a
// stage removed, a backend added.
const idsBase = `{
	"backends": {"blue": {}, "green": {}},
	"api": {"stages": {
		"live": {"backend": "blue", "canary": {"backend": "green", "percent": 10}},
		"preview": {"backend": "green"}
	}}}`

var dayTwoVariants = map[string]string{
	"ids": idsBase,
	"ids-stage-added": `{
	"backends": {"blue": {}, "green": {}},
	"api": {"stages": {
		"alpha": {"backend": "green"},
		"live": {"backend": "blue", "canary": {"backend": "green", "percent": 10}},
		"preview": {"backend": "green"}
	}}}`,
	"ids-stage-removed": `{
	"backends": {"blue": {}, "green": {}},
	"api": {"stages": {
		"live": {"backend": "blue", "canary": {"backend": "green", "percent": 10}}
	}}}`,
	// A release: blue's code and label change (servicesday2_test.go).
	"ids-source-changed": `{
	"backends": {"blue": {"source": "testdata/services/node-v2", "version": "1.5.0"}, "green": {}},
	"api": {"stages": {
		"live": {"backend": "blue", "canary": {"backend": "green", "percent": 10}},
		"preview": {"backend": "green"}
	}}}`,
	"ids-backend-added": `{
	"backends": {"blue": {}, "green": {}, "red": {}},
	"api": {"stages": {
		"live": {"backend": "blue", "canary": {"backend": "green", "percent": 10}},
		"preview": {"backend": "green"}
	}}}`,
}

// dayTwo are the synthesized variants, by variant name.
var dayTwo map[string]*cdktest.Assembly

// synthesizeDayTwoVariants synthesizes each variant as environment "ids" in
// an App of its own, so that every stack keeps its name, as a deployed
// environment does (the REST API's name is part of its deployment's id).
func synthesizeDayTwoVariants(dir string) (map[string]*cdktest.Assembly, error) {
	out := map[string]*cdktest.Assembly{}
	for name, raw := range dayTwoVariants {
		outdir := filepath.Join(dir, name)
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: &outdir, BuiltinCloudFormationValidation: jsii.Bool(false)})
		buildEnvironment(app, "ids", loadEnvironment(raw))
		app.Synth(nil)
		a, err := cdktest.ReadAssembly(outdir)
		if err != nil {
			return nil, err
		}
		out[name] = a
	}
	return out, nil
}

// TestLogicalIdsSurviveDayTwoChanges synthesizes "ids" and each variant and
// checks that every resource of every stack of "ids" keeps its logical id
// and type, but for what belongs to a removed stage: a changed logical id is
// a replacement in every deployed environment (a second stage of the same
// name, a new VPC link, a new deployment of the API).
func TestLogicalIdsSurviveDayTwoChanges(t *testing.T) {
	base := map[string]map[string]any{}
	for name, s := range dayTwo["ids"].Stacks {
		if stack, ok := strings.CutPrefix(name, "ids/"); ok {
			base[stack], _ = s.Template["Resources"].(map[string]any)
		}
	}
	if len(base) == 0 || base["Api"] == nil {
		t.Fatal("the ids fixture was not synthesized")
	}
	for variant, removedStage := range map[string]string{"ids-stage-added": "", "ids-stage-removed": "preview", "ids-backend-added": ""} {
		t.Run(variant, func(t *testing.T) {
			for _, stack := range slices.Sorted(maps.Keys(base)) {
				s, ok := dayTwo[variant].Stacks["ids/"+stack]
				if !ok {
					t.Errorf("%s has no stack %s", variant, stack)
					continue
				}
				resources, _ := s.Template["Resources"].(map[string]any)
				for id, r := range base[stack] {
					if removedStage != "" && strings.Contains(id, removedStage) {
						continue
					}
					got, ok := resources[id].(map[string]any)
					if !ok {
						t.Errorf("%s: %s's %s (%s) is gone or has a new logical id", variant, stack, id, r.(map[string]any)["Type"])
						continue
					}
					if got["Type"] != r.(map[string]any)["Type"] {
						t.Errorf("%s: %s's %s changed type", variant, stack, id)
					}
				}
			}
		})
	}
}
