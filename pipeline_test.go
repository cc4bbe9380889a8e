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

func TestPipelineRunsItsWavesInTheConfiguredOrderAfterBuildingAndUpdatingItself(t *testing.T) {
	var names []string
	for _, s := range pipelineStages(t) {
		names = append(names, s["Name"].(string))
	}
	want := []string{"Source", "Build", "UpdatePipeline", "Assets"}
	for _, w := range pipeline.Waves {
		want = append(want, w.Name)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("pipeline stages %v, want %v", names, want)
	}
}

func TestPipelineWavesDeployEveryConfiguredEnvironmentAndWaitForApprovals(t *testing.T) {
	stages := pipelineStages(t)
	deployed := map[string]bool{}
	for i, w := range pipeline.Waves {
		stage := stages[4+i]
		actions := actionsOf(stage)
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

// TestPipelineRunsPreflightAsTheLookupRoleBeforeEachEnvironment checks the
// pre-step each wave runs before it deploys an environment: preflight on
// the synth step's assembly, in a project whose role may assume only that
// environment's bootstrap lookup role (environment-agnostic ones deploy to
// the pipeline's own account and region).
func TestPipelineRunsPreflightAsTheLookupRoleBeforeEachEnvironment(t *testing.T) {
	p := stack(t, "Pipeline")
	stages := pipelineStages(t)
	for i, w := range pipeline.Waves {
		actions := actionsOf(stages[4+i])
		for _, name := range w.Environments {
			e := environmentNamed(t, name)
			pre, ok := actions["Preflight-"+name]
			if !ok {
				t.Errorf("wave %s runs no preflight for %s; actions %v", w.Name, name, slices.Sorted(maps.Keys(actions)))
				continue
			}
			if pre["ActionTypeId"].(map[string]any)["Provider"] != "CodeBuild" || len(pre["InputArtifacts"].([]any)) != 2 {
				t.Errorf("preflight %s is not a CodeBuild action on the source and the synthesized assembly: %v", name, pre)
			}
			for _, s := range expectedStacks(e) {
				_, stackName, _ := strings.Cut(s, "/")
				if deploy, ok := actions[stackName+".Deploy"]; ok && deploy["RunOrder"].(float64) <= pre["RunOrder"].(float64) {
					t.Errorf("wave %s deploys %s before its preflight", w.Name, s)
				}
			}
			if approval, ok := actions["Approve-"+w.Name]; ok && approval["RunOrder"].(float64) >= pre["RunOrder"].(float64) {
				t.Errorf("wave %s runs preflight before its approval", w.Name)
			}
			project := pre["Configuration"].(map[string]any)["ProjectName"].(map[string]any)["Ref"].(string)
			props := p.Resources("AWS::CodeBuild::Project")[project]["Properties"].(map[string]any)
			if spec := props["Source"].(map[string]any)["BuildSpec"].(string); !strings.Contains(spec, `"`+stacks.PreflightCommand(name)+`"`) || stacks.PreflightCommand(name) != "./scripts/preflight "+name+" -assembly cdk.out -lookup-role" {
				t.Errorf("preflight %s runs %s", name, spec)
			}
			account, region := pipeline.Account, pipeline.Region
			if e.Pinned() {
				account, region = e.Account, e.Region
			}
			role := props["ServiceRole"].(map[string]any)["Fn::GetAtt"].([]any)[0]
			var assumes []string
			for _, policy := range p.Resources("AWS::IAM::Policy") {
				pp := policy["Properties"].(map[string]any)
				if roles, _ := json.Marshal(pp["Roles"]); !strings.Contains(string(roles), `"`+role.(string)+`"`) {
					continue
				}
				for _, st := range pp["PolicyDocument"].(map[string]any)["Statement"].([]any) {
					statement := st.(map[string]any)
					if statement["Action"] == "sts:AssumeRole" {
						resource, _ := json.Marshal(statement["Resource"])
						assumes = append(assumes, string(resource))
					}
				}
			}
			want := ":iam::" + account + ":role/cdk-hnb659fds-lookup-role-" + account + "-" + region + `"`
			if len(assumes) != 1 || !strings.Contains(assumes[0], want) {
				t.Errorf("preflight %s may assume %v, want only the lookup role ...%s", name, assumes, want)
			}
		}
	}
}
