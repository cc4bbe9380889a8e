//go:build heavy

package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"privatebackend/config"
	"privatebackend/internal/testsupport/cdktest"
	"privatebackend/stacks"
)

// forEachPipeline runs test as a subtest on every app with a pipeline; the
// pipeline fixture has one whatever cdk.json holds.
func forEachPipeline(t *testing.T, test func(t *testing.T, a *app)) {
	t.Helper()
	ran := false
	for _, a := range apps {
		if a.pipeline != nil {
			ran = true
			t.Run(a.name, func(t *testing.T) { test(t, a) })
		}
	}
	if !ran {
		t.Fatal("no app has a pipeline")
	}
}

// pipelineStages returns the CodePipeline stages of the Pipeline stack, in order.
func pipelineStages(t *testing.T, a *app) []map[string]any {
	t.Helper()
	pipelines := a.stack(t, "Pipeline").Resources("AWS::CodePipeline::Pipeline")
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
func pipelineStage(t *testing.T, a *app, name string) map[string]any {
	t.Helper()
	for _, s := range pipelineStages(t, a) {
		if s["Name"] == name {
			return s
		}
	}
	t.Fatalf("the pipeline has no stage %s", name)
	return nil
}

func TestPipelineRunsItsWavesInTheConfiguredOrderAfterBuildingAndUpdatingItself(t *testing.T) {
	forEachPipeline(t, func(t *testing.T, a *app) {
		var names []string
		for _, s := range pipelineStages(t, a) {
			// CDK Pipelines places the asset publishing stage itself, before
			// the first wave that needs an asset.
			if name := s["Name"].(string); name != "Assets" {
				names = append(names, name)
			}
		}
		want := []string{"Source", "Build", "UpdatePipeline", stacks.AccountsWave}
		for _, w := range a.pipeline.Waves {
			want = append(want, stacks.PipelineStageName(w))
		}
		if !slices.Equal(names, want) {
			t.Fatalf("pipeline stages %v, want %v", names, want)
		}
	})
}

// TestPipelineSetsUpEveryAccountBeforeAnyEnvironment checks the first wave
// deploys the ApiGatewayAccount stack of every account and region a wave
// deploys to.
func TestPipelineSetsUpEveryAccountBeforeAnyEnvironment(t *testing.T) {
	forEachPipeline(t, func(t *testing.T, a *app) {
		actions := actionsOf(pipelineStage(t, a, stacks.AccountsWave))
		for _, e := range a.environments {
			stage, _, _ := strings.Cut(accountStack(e), "/")
			if _, ok := actions[stage+"."+stacks.ApiGatewayAccountStackName+".Deploy"]; !ok {
				t.Errorf("the first wave does not deploy %s; its actions: %v", accountStack(e), slices.Sorted(maps.Keys(actions)))
			}
		}
	})
}

func TestPipelineWavesDeployEveryConfiguredEnvironmentAndWaitForApprovals(t *testing.T) {
	forEachPipeline(t, func(t *testing.T, a *app) {
		deployed := map[string]bool{}
		for _, w := range a.pipeline.Waves {
			actions := actionsOf(pipelineStage(t, a, stacks.PipelineStageName(w)))
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
				e := a.environmentNamed(t, name)
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
		for _, e := range a.environments {
			if !deployed[e.Name] {
				t.Errorf("the pipeline does not deploy environment %s", e.Name)
			}
		}
	})
}

func TestPipelineSynthesizesWithTheREADMECommands(t *testing.T) {
	forEachPipeline(t, func(t *testing.T, a *app) {
		var buildSpec string
		for _, p := range a.stack(t, "Pipeline").Resources("AWS::CodeBuild::Project") {
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
		source := actionsOf(pipelineStages(t, a)[0])[strings.ReplaceAll(a.pipeline.Source.Repository, "/", "_")]
		settings, _ := json.Marshal(source["Configuration"])
		for _, want := range []string{a.pipeline.Source.ConnectionArn, a.pipeline.Source.Repository, `"BranchName":"` + a.pipeline.Source.Branch + `"`} {
			if !strings.Contains(string(settings), want) {
				t.Errorf("the source action %s does not name %s", settings, want)
			}
		}
	})
}

// TestPipelineKeysRotateAndGrantOnlyToAWSServices checks the pipeline's
// two keys: the artifacts' key, which the target accounts' deploy roles
// may use, and the build logs' key. Both rotate and deny kms:CreateGrant
// except for AWS services ("Controlling access to grants", AWS KMS
// developer guide), the statement CT.KMS.PR.3 requires.
func TestPipelineKeysRotateAndGrantOnlyToAWSServices(t *testing.T) {
	forEachPipeline(t, func(t *testing.T, a *app) {
		crossAccount := false
		for _, e := range a.environments {
			crossAccount = crossAccount || (e.Pinned() && e.Account != a.pipeline.Account)
		}
		if !crossAccount {
			t.Log("no wave deploys to another account than the pipeline's: only the keys' rotation and grants are checked")
		}
		keys := a.stack(t, "Pipeline").Resources("AWS::KMS::Key")
		if len(keys) != 2 {
			t.Fatalf("%d KMS keys, want the artifacts' key and the build logs' key", len(keys))
		}
		for id, k := range keys {
			props := k["Properties"].(map[string]any)
			if props["EnableKeyRotation"] != true {
				t.Errorf("key %s does not rotate", id)
			}
			policy, _ := json.Marshal(props["KeyPolicy"])
			if !strings.Contains(string(policy), `{"Action":"kms:CreateGrant","Condition":{"BoolIfExists":{"aws:PrincipalIsAWSService":"false","kms:GrantIsForAWSResource":"false"}},"Effect":"Deny","Principal":{"AWS":"*"},"Resource":"*","Sid":"DenyGrantsExceptForAWSServices"}`) {
				t.Errorf("key %s does not limit grants to AWS services: %s", id, policy)
			}
			if strings.HasPrefix(id, "PipelineArtifactsBucketEncryptionKey") {
				for _, e := range a.environments {
					if e.Pinned() && e.Account != a.pipeline.Account && !strings.Contains(string(policy), ":iam::"+e.Account+":role/cdk-hnb659fds-deploy-role-") {
						t.Errorf("the artifacts' key does not let account %s's deploy role decrypt: %s", e.Account, policy)
					}
				}
			}
		}
	})
}

// bucketsByRole returns the Pipeline stack's artifact bucket and the
// bucket that receives its access logs.
func bucketsByRole(t *testing.T, a *app) (artifacts, accessLogs map[string]any) {
	t.Helper()
	for id, b := range a.stack(t, "Pipeline").Resources("AWS::S3::Bucket") {
		switch {
		case strings.HasPrefix(id, "PipelineArtifactsBucket"):
			artifacts = b["Properties"].(map[string]any)
		case strings.HasPrefix(id, "ArtifactAccessLogs"):
			accessLogs = b["Properties"].(map[string]any)
		default:
			t.Errorf("unexpected bucket %s", id)
		}
	}
	if artifacts == nil || accessLogs == nil {
		t.Fatal("the Pipeline stack lacks its artifact bucket or its access-log bucket")
	}
	return artifacts, accessLogs
}

// TestPipelineArtifactBucketMeetsTheS3Controls checks the artifact
// bucket CDK Pipelines creates, configured on its CloudFormation resource.
func TestPipelineArtifactBucketMeetsTheS3Controls(t *testing.T) {
	forEachPipeline(t, func(t *testing.T, a *app) {
		artifacts, _ := bucketsByRole(t, a)
		for what, want := range map[string]string{
			"versioning":             `"VersioningConfiguration":{"Status":"Enabled"}`,
			"a lifecycle rule":       `"LifecycleConfiguration":{"Rules":[{"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7},"ExpirationInDays":365,"Id":"ExpireArtifacts","NoncurrentVersionExpiration":{"NoncurrentDays":30},"Status":"Enabled"}]}`,
			"events to EventBridge":  `"NotificationConfiguration":{"EventBridgeConfiguration":{"EventBridgeEnabled":true}}`,
			"access logs":            `"LoggingConfiguration":{"DestinationBucketName":{"Ref":"ArtifactAccessLogs`,
			"the pipeline's KMS key": `"KMSMasterKeyID":{"Fn::GetAtt":["PipelineArtifactsBucketEncryptionKey`,
			"Object Lock":            `"ObjectLockEnabled":true`,
			// "You can enable Object Lock for new or existing buckets" through
			// ObjectLockConfiguration (AWS::S3::Bucket, CloudFormation template
			// reference); without a Rule nothing is locked by default.
			"an Object Lock configuration": `"ObjectLockConfiguration":{"ObjectLockEnabled":"Enabled"}`,
		} {
			data, _ := json.Marshal(artifacts)
			if !strings.Contains(string(data), want) {
				t.Errorf("the artifact bucket lacks %s (%s): %s", what, want, data)
			}
		}
	})
}

// TestPipelineAccessLogBucketCanReceiveServerAccessLogs checks what S3
// requires of a server access logs target ("Troubleshoot server access
// logging", S3 user guide): default encryption SSE-S3, not SSE-KMS, and no
// Object Lock; those are the controls it is accepted to fail.
func TestPipelineAccessLogBucketCanReceiveServerAccessLogs(t *testing.T) {
	forEachPipeline(t, func(t *testing.T, a *app) {
		_, logs := bucketsByRole(t, a)
		data, _ := json.Marshal(logs)
		if !strings.Contains(string(data), `"SSEAlgorithm":"AES256"`) || strings.Contains(string(data), "aws:kms") {
			t.Errorf("the access-log bucket does not use SSE-S3: %s", data)
		}
		if _, ok := logs["ObjectLockEnabled"]; ok {
			t.Errorf("the access-log bucket has Object Lock, which blocks log delivery: %s", data)
		}
		for _, want := range []string{`"VersioningConfiguration":{"Status":"Enabled"}`, `"EventBridgeEnabled":true`, `"NoncurrentDays":30`} {
			if !strings.Contains(string(data), want) {
				t.Errorf("the access-log bucket lacks %s: %s", want, data)
			}
		}
	})
}

// TestPipelineCodeBuildLogsToAnEncryptedLogGroupKeptAYear checks that every
// CodeBuild project of the pipeline logs to the stack's log group, which
// keeps a year and uses a key whose policy follows "Encrypt log data in
// CloudWatch Logs using AWS Key Management Service" (step 2): the regional
// CloudWatch Logs principal, limited to the log group's ARN as encryption
// context, and the writers' roles allowed the key through CloudWatch Logs
// (kms:ViaService).
func TestPipelineCodeBuildLogsToAnEncryptedLogGroupKeptAYear(t *testing.T) {
	forEachPipeline(t, func(t *testing.T, a *app) {
		p := a.stack(t, "Pipeline")
		groups := p.Resources("AWS::Logs::LogGroup")
		if len(groups) != 1 {
			t.Fatalf("%d log groups, want the build logs", len(groups))
		}
		var groupID string
		for id, g := range groups {
			groupID = id
			props := g["Properties"].(map[string]any)
			kmsKey, _ := json.Marshal(props["KmsKeyId"])
			if props["RetentionInDays"] != 365.0 || props["LogGroupName"] != "/aws/codebuild/Pipeline" || !strings.Contains(string(kmsKey), `"BuildLogsKey`) {
				t.Errorf("the build log group %s: %v", id, props)
			}
		}
		projects := p.Resources("AWS::CodeBuild::Project")
		if len(projects) < 3 {
			t.Fatalf("%d CodeBuild projects; want synth, self-mutation and asset publishing", len(projects))
		}
		for id, project := range projects {
			logs, _ := json.Marshal(project["Properties"].(map[string]any)["LogsConfig"])
			if string(logs) != `{"CloudWatchLogs":{"GroupName":{"Ref":"`+groupID+`"},"Status":"ENABLED"}}` {
				t.Errorf("project %s logs to %s, want the build log group", id, logs)
			}
		}
		for id, k := range p.Resources("AWS::KMS::Key") {
			if !strings.HasPrefix(id, "BuildLogsKey") {
				continue
			}
			policy, _ := json.Marshal(k["Properties"].(map[string]any)["KeyPolicy"])
			want := `{"Action":["kms:Decrypt","kms:Describe*","kms:Encrypt","kms:GenerateDataKey*","kms:ReEncrypt*"],"Condition":{"ArnEquals":{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:` + a.pipeline.Region + `:` + a.pipeline.Account + `:log-group:/aws/codebuild/Pipeline"}},"Effect":"Allow","Principal":{"Service":{"Fn::Join":["",["logs.` + a.pipeline.Region + `.",{"Ref":"AWS::URLSuffix"}]]}}`
			if !strings.Contains(string(policy), want) {
				t.Errorf("the build logs' key does not let CloudWatch Logs use it for the log group:\n%s\nwant %s", policy, want)
			}
		}
		roles := 0
		for _, policy := range p.Resources("AWS::IAM::Policy") {
			data, _ := json.Marshal(policy)
			if strings.Contains(string(data), `"Condition":{"StringEquals":{"kms:ViaService":{"Fn::Join":["",["logs.`+a.pipeline.Region+`.",{"Ref":"AWS::URLSuffix"}]]}}},"Effect":"Allow","Resource":{"Fn::GetAtt":["BuildLogsKey`) {
				roles++
			}
		}
		if roles < 3 {
			t.Errorf("%d project roles may use the build logs' key through CloudWatch Logs; want every one", roles)
		}
	})
}

// TestNoPipelineKeyChangesNothingElse compares the pipeline fixture with
// the one-environment fixture, which is the same configuration without the
// "pipeline" key and the second environment: every stack of the latter is
// the same in the former, which adds only the Pipeline stack and the
// stacks of the environments the latter lacks.
func TestNoPipelineKeyChangesNothingElse(t *testing.T) {
	with, without := fixture(t, pipelineFixture), fixture(t, oneEnvironmentFixture)
	if _, ok := without.assembly.Stacks["Pipeline"]; ok {
		t.Fatal("without a pipeline key the app still has a Pipeline stack")
	}
	if _, ok := with.assembly.Stacks["Pipeline"]; !ok {
		t.Fatal("with a pipeline key the app has no Pipeline stack")
	}
	for _, name := range without.stackNames() {
		other, ok := with.assembly.Stacks[name]
		if !ok {
			t.Errorf("with a pipeline key there is no %s", name)
			continue
		}
		a, _ := cdktest.Normalize(other.Template)
		b, _ := cdktest.Normalize(without.assembly.Stacks[name].Template)
		if string(a) != string(b) {
			t.Errorf("%s differs when the app has a pipeline:\n%s", name, cmp.Diff(string(b), string(a)))
		}
	}
	// What the pipeline fixture adds: its pipeline, and its further
	// environments with their account stages.
	added := map[string]bool{"Pipeline": true}
	for _, e := range with.environments {
		if slices.ContainsFunc(without.environments, func(o *config.Environment) bool { return o.Name == e.Name }) {
			continue
		}
		for _, s := range expectedStacks(e) {
			added[s] = true
		}
		stage, _, _ := strings.Cut(accountStack(e), "/")
		added[stage+"/Logging"], added[stage+"/Role"] = true, true
	}
	for _, name := range with.stackNames() {
		if _, ok := without.assembly.Stacks[name]; !ok && !added[name] {
			t.Errorf("with a pipeline key the app has %s too", name)
		}
	}
}

// TestPipelineRunsPreflightAsTheLookupRoleBeforeEachEnvironment checks the
// pre-step each wave runs before it deploys an environment: preflight on
// the synth step's assembly, in a project whose role may assume only that
// environment's bootstrap lookup role (environment-agnostic ones deploy to
// the pipeline's own account and region).
func TestPipelineRunsPreflightAsTheLookupRoleBeforeEachEnvironment(t *testing.T) {
	forEachPipeline(t, func(t *testing.T, a *app) {
		p := a.stack(t, "Pipeline")
		for _, w := range a.pipeline.Waves {
			actions := actionsOf(pipelineStage(t, a, stacks.PipelineStageName(w)))
			for _, name := range w.Environments {
				e := a.environmentNamed(t, name)
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
				account, region := a.pipeline.Account, a.pipeline.Region
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
	})
}
