package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"privatebackend/config"
	"privatebackend/internal/cdktest"
	"privatebackend/stacks"
)

// pipelineStages returns the CodePipeline stages of the Pipeline stack, in order.
func pipelineStages(t *testing.T) []map[string]any {
	t.Helper()
	pipelines := stack(t, "Pipeline").Resources("AWS::CodePipeline::Pipeline")
	if len(pipelines) != 1 {
		t.Fatalf("the Pipeline stack has %d pipelines, want 1", len(pipelines))
	}
	var out []map[string]any
	for _, p := range pipelines {
		props := p["Properties"].(map[string]any)
		if props["PipelineType"] != "V2" {
			t.Errorf("pipeline type %v, want V2", props["PipelineType"])
		}
		for _, s := range props["Stages"].([]any) {
			out = append(out, s.(map[string]any))
		}
	}
	return out
}

// actionsOf returns a pipeline stage's actions by name.
func actionsOf(stage map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, a := range stage["Actions"].([]any) {
		action := a.(map[string]any)
		out[action["Name"].(string)] = action
	}
	return out
}

// pipelineStage returns the pipeline stage of a wave.
func pipelineStage(t *testing.T, name string) map[string]any {
	t.Helper()
	for _, s := range pipelineStages(t) {
		if s["Name"] == name {
			return s
		}
	}
	t.Fatalf("the pipeline has no stage %s", name)
	return nil
}

func TestPipelineRunsItsWavesInTheConfiguredOrderAfterBuildingAndUpdatingItself(t *testing.T) {
	var names []string
	for _, s := range pipelineStages(t) {
		// CDK Pipelines places the asset publishing stage itself, before
		// the first wave that needs an asset.
		if name := s["Name"].(string); name != "Assets" {
			names = append(names, name)
		}
	}
	want := []string{"Source", "Build", "UpdatePipeline", stacks.AccountsWave}
	for _, w := range pipeline.Waves {
		want = append(want, w.Name)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("pipeline stages %v, want %v", names, want)
	}
}

// TestPipelineSetsUpEveryAccountBeforeAnyEnvironment checks the first wave
// deploys the ApiGatewayAccount stack of every account and region a wave
// deploys to.
func TestPipelineSetsUpEveryAccountBeforeAnyEnvironment(t *testing.T) {
	actions := actionsOf(pipelineStage(t, stacks.AccountsWave))
	for _, e := range environments {
		stage, _, _ := strings.Cut(accountStack(e), "/")
		if _, ok := actions[stage+"."+stacks.ApiGatewayAccountStackName+".Deploy"]; !ok {
			t.Errorf("the first wave does not deploy %s; its actions: %v", accountStack(e), slices.Sorted(maps.Keys(actions)))
		}
	}
}

func TestPipelineWavesDeployEveryConfiguredEnvironmentAndWaitForApprovals(t *testing.T) {
	deployed := map[string]bool{}
	for _, w := range pipeline.Waves {
		actions := actionsOf(pipelineStage(t, w.Name))
		approval, hasApproval := actions["Approve-"+w.Name]
		if hasApproval != w.Approval {
			t.Errorf("wave %s: manual approval %v, want %v", w.Name, hasApproval, w.Approval)
		}
		if hasApproval {
			if approval["ActionTypeId"].(map[string]any)["Provider"] != "Manual" || approval["RunOrder"] != 1.0 {
				t.Errorf("wave %s: the approval %v is not a manual action that runs first", w.Name, approval["ActionTypeId"])
			}
		}
		for _, name := range w.Environments {
			deployed[name] = true
			e := environmentNamed(t, name)
			for _, s := range expectedStacks(e) {
				_, stackName, _ := strings.Cut(s, "/")
				deploy, ok := actions[stackName+".Deploy"]
				if !ok {
					t.Errorf("wave %s does not deploy %s; actions %v", w.Name, s, slices.Sorted(maps.Keys(actions)))
					continue
				}
				if hasApproval && deploy["RunOrder"].(float64) <= approval["RunOrder"].(float64) {
					t.Errorf("wave %s deploys %s before its approval", w.Name, s)
				}
				role, _ := json.Marshal(deploy["RoleArn"])
				if e.Pinned() && !strings.Contains(string(role), e.Account) {
					t.Errorf("%s is deployed with role %s, not one of its account %s", s, role, e.Account)
				}
			}
		}
	}
	for _, e := range environments {
		if !deployed[e.Name] {
			t.Errorf("the shipped pipeline does not deploy environment %s", e.Name)
		}
	}
}

func TestPipelineSynthesizesWithTheREADMECommands(t *testing.T) {
	var buildSpec string
	for _, p := range stack(t, "Pipeline").Resources("AWS::CodeBuild::Project") {
		spec, _ := p["Properties"].(map[string]any)["Source"].(map[string]any)["BuildSpec"].(string)
		if strings.Contains(spec, `"base-directory": "cdk.out"`) {
			buildSpec = spec
		}
	}
	var spec struct {
		Phases struct {
			Build struct {
				Commands []string `json:"commands"`
			} `json:"build"`
		} `json:"phases"`
	}
	if err := json.Unmarshal([]byte(buildSpec), &spec); err != nil {
		t.Fatalf("no synth project with a cdk.out artifact: %v", err)
	}
	if !slices.Equal(spec.Phases.Build.Commands, stacks.SynthCommands) || !slices.Equal(stacks.SynthCommands, []string{"./scripts/test", "./scripts/synth"}) {
		t.Errorf("synth commands %v, want the README's ./scripts/test and ./scripts/synth", spec.Phases.Build.Commands)
	}
	source := actionsOf(pipelineStages(t)[0])[strings.ReplaceAll(pipeline.Source.Repository, "/", "_")]
	settings, _ := json.Marshal(source["Configuration"])
	for _, want := range []string{pipeline.Source.ConnectionArn, pipeline.Source.Repository, `"BranchName":"` + pipeline.Source.Branch + `"`} {
		if !strings.Contains(string(settings), want) {
			t.Errorf("the source action %s does not name %s", settings, want)
		}
	}
}

func TestPipelineUsesCrossAccountKeysForAnotherAccount(t *testing.T) {
	crossAccount := false
	for _, e := range environments {
		crossAccount = crossAccount || (e.Pinned() && e.Account != pipeline.Account)
	}
	if !crossAccount {
		t.Fatal("the shipped configuration deploys to no other account than the pipeline's; the example should")
	}
	p := stack(t, "Pipeline")
	keys := p.Resources("AWS::KMS::Key")
	if len(keys) != 1 {
		t.Fatalf("%d KMS keys, want the artifact bucket's cross-account key", len(keys))
	}
	for _, k := range keys {
		if k["Properties"].(map[string]any)["EnableKeyRotation"] != true {
			t.Error("the artifact key does not rotate")
		}
	}
	data, _ := json.Marshal(p.Resources("AWS::S3::Bucket"))
	if !strings.Contains(string(data), `"SSEAlgorithm":"aws:kms"`) || !strings.Contains(string(data), `"LoggingConfiguration"`) {
		t.Errorf("the artifact bucket is not KMS-encrypted with access logs: %s", data)
	}
}

// TestNoPipelineKeyChangesNothingElse compares the app synthesized with and
// without the "pipeline" key: only the Pipeline stack differs.
func TestNoPipelineKeyChangesNothingElse(t *testing.T) {
	if _, ok := withoutPipeline.Stacks["Pipeline"]; ok {
		t.Fatal("without a pipeline key the app still has a Pipeline stack")
	}
	for _, name := range stackNames() {
		if name == "Pipeline" {
			continue
		}
		other, ok := withoutPipeline.Stacks[name]
		if !ok {
			t.Errorf("without a pipeline key there is no %s", name)
			continue
		}
		a, _ := cdktest.Normalize(assembly.Stacks[name].Template)
		b, _ := cdktest.Normalize(other.Template)
		if string(a) != string(b) {
			t.Errorf("%s differs when the app has a pipeline:\n%s", name, cdktest.Diff(string(b), string(a)))
		}
	}
	if len(withoutPipeline.Stacks) != len(assembly.Stacks)-1 {
		t.Errorf("without a pipeline the app has %d stacks, want %d", len(withoutPipeline.Stacks), len(assembly.Stacks)-1)
	}
}

func environmentNamed(t *testing.T, name string) *config.Environment {
	t.Helper()
	for _, e := range environments {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no environment %s", name)
	return nil
}
