package stacks

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/internal/nag"
)

// SynthCommands are what the pipeline's synth step runs: the README's test
// command, then its synth command, which writes the cloud assembly.
var SynthCommands = []string{"./scripts/test", "./scripts/synth"}

// PipelineProps configures the pipeline stack.
type PipelineProps struct {
	awscdk.StackProps
	// Pipeline is the validated pipeline configuration.
	Pipeline *config.Pipeline
	// Environments are every configured environment, by name.
	Environments map[string]*config.Environment
	// Stages are the environments' stages, by name: the same Stages that
	// "cdk deploy 'ENV/*'" deploys.
	Stages map[string]awscdk.Stage
	// CLIVersion is the cdk CLI version the pipeline's own steps install,
	// the one package.json pins.
	CLIVersion string
}

// Pipeline is a CDK Pipelines pipeline that deploys the environments' stages
// wave by wave from a repository, updating itself first on every change.
type Pipeline struct {
	awscdk.Stack
	// Pipeline is the pipeline.
	Pipeline pipelines.CodePipeline
}

// NewPipeline creates the pipeline stack.
func NewPipeline(scope cdkconstructs.Construct, id string, props *PipelineProps) *Pipeline {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	cfg := props.Pipeline
	source := pipelines.CodePipelineSource_Connection(jsii.String(cfg.Source.Repository), jsii.String(cfg.Source.Branch),
		&pipelines.ConnectionSourceOptions{ConnectionArn: jsii.String(cfg.Source.ConnectionArn)})
	synth := pipelines.NewShellStep(jsii.String("Synth"), &pipelines.ShellStepProps{
		Input:    source,
		Commands: jsii.Strings(SynthCommands...),
		// go.mod names a newer Go than the build image has: let the go
		// command fetch that toolchain.
		Env:                    &map[string]*string{"GOTOOLCHAIN": jsii.String("auto")},
		PrimaryOutputDirectory: jsii.String("cdk.out"),
	})
	pipeline := pipelines.NewCodePipeline(stack, jsii.String("Pipeline"), &pipelines.CodePipelineProps{
		PipelineName: stack.StackName(),
		PipelineType: awscodepipeline.PipelineType_V2,
		Synth:        synth,
		// Deploying to another account needs a customer managed key on the
		// artifact bucket, which that account's roles are granted.
		CrossAccountKeys:  jsii.Bool(crossAccount(cfg, props.Environments)),
		EnableKeyRotation: jsii.Bool(true),
		CliVersion:        jsii.String(props.CLIVersion),
	})
	for _, w := range cfg.Waves {
		options := &pipelines.WaveOptions{}
		if w.Approval {
			options.Pre = &[]pipelines.Step{pipelines.NewManualApprovalStep(jsii.String("Approve-"+w.Name), &pipelines.ManualApprovalStepProps{
				Comment: jsii.String("Deploy " + w.Name + "?"),
			})}
		}
		wave := pipeline.AddWave(jsii.String(w.Name), options)
		for _, env := range w.Environments {
			wave.AddStage(props.Stages[env], &pipelines.AddStageOpts{
				Pre: &[]pipelines.Step{preflightStep(stack, cfg, props.Environments[env], source, synth)},
			})
		}
	}
	pipeline.BuildPipeline()
	logArtifactAccess(stack, pipeline.Pipeline().ArtifactBucket())
	acceptPipelineGrants(stack, cfg)
	return &Pipeline{Stack: stack, Pipeline: pipeline}
}

// PreflightCommand is what a wave runs before it deploys an environment:
// preflight on the assembly the synth step wrote, as the bootstrap's lookup
// role of the environment's account and region.
func PreflightCommand(env string) string {
	return "./scripts/preflight " + env + " -assembly cdk.out -lookup-role"
}

// preflightStep checks, read-only, that env can be deployed before its
// stage deploys. It runs in the pipeline's account and reaches the target
// account through the CDK bootstrap's lookup role, which has ReadOnlyAccess
// and which "cdk bootstrap --trust-for-lookup PIPELINE_ACCOUNT" lets the
// pipeline's account assume ("Bootstrapping your environment"); an
// environment-agnostic one deploys to the pipeline's own account and region.
func preflightStep(stack awscdk.Stack, cfg *config.Pipeline, env *config.Environment, source pipelines.IFileSetProducer, synth pipelines.IFileSetProducer) pipelines.Step {
	account, region := cfg.Account, cfg.Region
	if env.Pinned() {
		account, region = env.Account, env.Region
	}
	lookupRole := strings.NewReplacer("${AWS::Partition}", *stack.Partition(), "${AWS::AccountId}", account, "${AWS::Region}", region, "${Qualifier}", *awscdk.DefaultStackSynthesizer_DEFAULT_QUALIFIER()).
		Replace(*awscdk.DefaultStackSynthesizer_DEFAULT_LOOKUP_ROLE_ARN())
	return pipelines.NewCodeBuildStep(jsii.String("Preflight-"+env.Name), &pipelines.CodeBuildStepProps{
		Input:            source,
		AdditionalInputs: &map[string]pipelines.IFileSetProducer{"cdk.out": synth},
		Commands:         jsii.Strings(PreflightCommand(env.Name)),
		Env:              &map[string]*string{"GOTOOLCHAIN": jsii.String("auto"), "AWS_REGION": jsii.String(region)},
		RolePolicyStatements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("sts:AssumeRole"),
			Resources: jsii.Strings(lookupRole),
		})},
	})
}

// logArtifactAccess sends the server access logs of the artifact bucket,
// which CDK Pipelines creates, to a bucket of their own.
func logArtifactAccess(stack awscdk.Stack, artifacts awss3.IBucket) {
	logs := awss3.NewBucket(stack, jsii.String("ArtifactAccessLogs"), &awss3.BucketProps{
		// A bucket that receives server access logs must use SSE-S3.
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules:    &[]*awss3.LifecycleRule{{Expiration: awscdk.Duration_Days(jsii.Number(365))}},
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	// S3 delivers server access logs as the logging service principal,
	// allowed by the target bucket's policy ("Permissions for log delivery").
	logs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("S3ServerAccessLogsPolicy"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logging.s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(*logs.ArnForObjects(jsii.String("artifacts/*"))),
		Conditions: &map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": artifacts.BucketArn()},
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
		},
	}))
	artifacts.Node().DefaultChild().(awss3.CfnBucket).SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: logs.BucketName(),
		LogFilePrefix:         jsii.String("artifacts/"),
	})
	nag.Suppress(logs, "AwsSolutions-S1", "This bucket holds the artifact bucket's server access logs; logging its own access would log every log delivery.")
}

// acceptPipelineGrants records why the wildcards in the policies CDK
// Pipelines writes for its own roles are accepted: they come from the CDK's
// grant methods and its documented self-mutation, and the pipeline offers no
// way to narrow them. Each suppression names the policy and the findings.
func acceptPipelineGrants(stack awscdk.Stack, cfg *config.Pipeline) {
	// CDK Pipelines names the source action after the repository.
	sourceAction := strings.ReplaceAll(cfg.Source.Repository, "/", "_")
	policies := map[string]string{
		"Pipeline/Pipeline/Role/DefaultPolicy/Resource":                                               "The pipeline role's policy, written by CDK Pipelines:",
		"Pipeline/Pipeline/Source/" + sourceAction + "/CodePipelineActionRole/DefaultPolicy/Resource": "The source action role's policy, written by CDK Pipelines:",
		"Pipeline/Pipeline/Build/Synth/CdkBuildProject/Role/DefaultPolicy/Resource":                   "The synth project role's policy, written by CDK Pipelines:",
		"Pipeline/UpdatePipeline/SelfMutation/Role/DefaultPolicy/Resource":                            "The self-mutation project role's policy, written by CDK Pipelines: it assumes the target accounts' cdk bootstrap roles (only roles tagged aws-cdk:bootstrap-role) and reads stacks and buckets to run cdk deploy on the pipeline itself;",
		"Pipeline/Assets/FileRole/DefaultPolicy/Resource":                                             "The asset publishing role's policy, written by CDK Pipelines:",
	}
	for _, w := range cfg.Waves {
		for _, env := range w.Environments {
			step := "Preflight-" + env
			policies["Pipeline/Pipeline/"+w.Name+"/"+step+"/"+step+"/Role/DefaultPolicy/Resource"] = "The preflight project role's policy, written by CDK Pipelines for a CodeBuildStep (its own statement names one lookup role):"
		}
	}
	for path, reason := range policies {
		nag.SuppressPath(stack, path, "AwsSolutions-IAM5", reason+" the S3 and KMS wildcards come from the CDK's grantRead/grantReadWrite on the pipeline's own artifact bucket and key, the log-group and report-group wildcards are CodeBuild's per-project names, and CDK Pipelines offers no way to narrow them.",
			nag.Regex(`^Action::s3:(Abort|DeleteObject|GetBucket|GetObject|List)\*$`),
			nag.Regex(`^Action::kms:(ReEncrypt|GenerateDataKey)\*$`),
			nag.Regex(`^Resource::<PipelineArtifactsBucket[0-9A-F]{8}\.Arn>/\*$`),
			nag.Regex(`^Resource::arn:.+:logs:.+:log-group:/aws/codebuild/.+$`),
			nag.Regex(`^Resource::arn:.+:codebuild:.+:report-group/.+$`),
			nag.Regex(`^Resource::arn:\*:iam::[0-9]{12}:role/\*$`),
			"Resource::*",
		)
	}
}

// crossAccount reports whether a wave deploys an environment pinned to
// another account than the pipeline's.
func crossAccount(cfg *config.Pipeline, envs map[string]*config.Environment) bool {
	for _, w := range cfg.Waves {
		for _, name := range w.Environments {
			if e := envs[name]; e.Pinned() && e.Account != cfg.Account {
				return true
			}
		}
	}
	return false
}
