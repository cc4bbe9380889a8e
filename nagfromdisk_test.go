//go:build heavy

package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cloudformationinclude"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"privatebackend/internal/testsupport/cdktest"
)

// TestNagOverTemplatesFromDisk runs cdk-nag again over every synthesized
// template of every app, loaded back from its file, in one App. The in-process nag only checks L1
// constructs of their own class; a resource the CDK builds as a plain
// CfnResource (a custom resource provider's role, say) escapes it. Loaded
// back, every resource is typed, and the suppressions travel with it in
// each resource's cdk_nag metadata.
func TestNagOverTemplatesFromDisk(t *testing.T) {
	dir := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: &dir, BuiltinCloudFormationValidation: jsii.Bool(false)})
	ids := map[string]string{}
	for i, a := range apps {
		for _, name := range a.stackNames() {
			// Stack ids unique across the apps, valid as stack names.
			id := fmt.Sprintf("App%d-%s", i, strings.ReplaceAll(name, "/", "-"))
			ids[id] = a.name + ": " + name
			// No synthesizer parameters: the template brings its own.
			s := awscdk.NewStack(app, &id, &awscdk.StackProps{Synthesizer: awscdk.NewBootstraplessSynthesizer(nil)})
			cloudformationinclude.NewCfnInclude(s, jsii.String("Template"), &cloudformationinclude.CfnIncludeProps{
				TemplateFile: &a.assembly.Stacks[name].TemplateFile,
			})
		}
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
	reloaded, err := cdktest.ReadAssembly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reloaded.Stacks) != len(ids) {
		t.Fatalf("reloaded %d stacks, want %d", len(reloaded.Stacks), len(ids))
	}
	for id, s := range reloaded.Stacks {
		for _, m := range s.Messages {
			t.Errorf("%s, loaded from disk: %s", ids[id], m)
		}
	}
}
