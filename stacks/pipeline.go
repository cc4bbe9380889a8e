package stacks

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/constructs"
	"privatebackend/internal/nag"
)

// SynthCommands are what the pipeline's synth step runs: the README's test
// command, then its synth command, which writes the cloud assembly.
var SynthCommands = []string{"./scripts/test", "./scripts/synth"}

// AccountsWave is the pipeline's first wave: it deploys the
// ApiGatewayAccount stack of every account and region before any environment.
const AccountsWave = "ApiGatewayAccounts"

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
	// AccountStages hold the ApiGatewayAccount stack of each account and
	// region the environments deploy to; a first wave deploys them.
	AccountStages []awscdk.Stage
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
	buildLogs := newBuildLogs(stack)
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
		// A customer managed key for the artifacts, rotated yearly, whether
		// or not a wave deploys to another account (which needs one, to
		// grant that account's roles): without one the CodeBuild projects
		// encrypt with the AWS managed key aws/s3 (cdk-nag's
		// AwsSolutions-CB4), and the key's policy could not limit grants.
		CrossAccountKeys:  jsii.Bool(true),
		EnableKeyRotation: jsii.Bool(true),
		CliVersion:        jsii.String(props.CLIVersion),
		// Every CodeBuild project of the pipeline (synth, self-mutation,
		// asset publishing) logs to one log group of the stack.
		CodeBuildDefaults: &pipelines.CodeBuildOptions{
			Logging: &awscodebuild.LoggingOptions{
				CloudWatch: &awscodebuild.CloudWatchLoggingOptions{LogGroup: buildLogs.group},
			},
			RolePolicy: &[]awsiam.PolicyStatement{buildLogs.useKey},
		},
	})
	if len(props.AccountStages) > 0 {
		accounts := pipeline.AddWave(jsii.String(AccountsWave), nil)
		for _, stage := range props.AccountStages {
			accounts.AddStage(stage, nil)
		}
	}
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
	hardenArtifactStore(pipeline.Pipeline().ArtifactBucket())
	// An action in another region than the pipeline's gets an artifact
	// bucket in a support stack of that region, which CDK Pipelines creates
	// the same way.
	support := pipeline.Pipeline().CrossRegionSupport()
	for _, region := range slices.Sorted(maps.Keys(*support)) {
		hardenArtifactStore((*support)[region].ReplicationBucket)
	}
	acceptPipelineGrants(stack, cfg)
	return &Pipeline{Stack: stack, Pipeline: pipeline}
}

// buildLogs is the log group of the pipeline's CodeBuild projects, and
// what their roles need to write to it.
type buildLogs struct {
	group awslogs.ILogGroup
	// useKey lets a project's role use the group's key through CloudWatch
	// Logs.
	useKey awsiam.PolicyStatement
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

// newBuildLogs creates the log group the pipeline's CodeBuild projects log
// to, kept a year and encrypted with a key of its own that CloudWatch Logs
// may use for this log group only.
func newBuildLogs(stack awscdk.Stack) buildLogs {
	// Named, so that the key's policy can name it before it exists.
	name := "/aws/codebuild/" + *stack.StackName()
	key := awskms.NewKey(stack, jsii.String("BuildLogsKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the CodeBuild logs of " + *stack.StackName()),
		EnableKeyRotation: jsii.Bool(true),
	})
	constructs.LimitGrantsToAWSServices(key)
	logsService := "logs." + *stack.Region() + "." + *stack.UrlSuffix()
	// "Encrypt log data in CloudWatch Logs using AWS Key Management
	// Service", step 2: the key's policy lets the CloudWatch Logs service
	// principal of the key's region use it, and the log group's ARN as
	// encryption context limits that to this log group.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchLogsForTheBuildLogs"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(logsService), nil)},
		Actions:    jsii.Strings("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnEquals": map[string]any{
			"kms:EncryptionContext:aws:logs:arn": stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: jsii.String(name),
				ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
			}),
		}},
	}), nil)
	group := awslogs.NewLogGroup(stack, jsii.String("BuildLogs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(name),
		EncryptionKey: key,
		Retention:     awslogs.RetentionDays_ONE_YEAR,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	// The same page: CloudWatch Logs calls KMS on behalf of the role that
	// writes the logs (kms:ViaService), which needs these permissions on
	// the key (the wildcards of the page's statement, spelled out).
	useKey := awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
			"kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"),
		Resources:  jsii.Strings(*key.KeyArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": logsService}},
	})
	return buildLogs{group: group, useKey: useKey}
}

// hardenArtifactStore configures a bucket CDK Pipelines creates for the
// pipeline's artifacts, which it offers no props for, on its CloudFormation
// resource: versions, kept a year (noncurrent ones 30 days), with events
// to EventBridge, Object Lock on (without a default retention: nothing is
// locked, and lifecycle rules still expire artifacts), access logs to a
// bucket of their own, and a key that grants only to AWS services.
func hardenArtifactStore(artifacts awss3.IBucket) {
	bucket := artifacts.Node().DefaultChild().(awss3.CfnBucket)
	bucket.SetVersioningConfiguration(&awss3.CfnBucket_VersioningConfigurationProperty{Status: jsii.String("Enabled")})
	bucket.SetLifecycleConfiguration(&awss3.CfnBucket_LifecycleConfigurationProperty{
		Rules: &[]any{&awss3.CfnBucket_RuleProperty{
			Id:                             jsii.String("ExpireArtifacts"),
			Status:                         jsii.String("Enabled"),
			ExpirationInDays:               jsii.Number(365),
			NoncurrentVersionExpiration:    &awss3.CfnBucket_NoncurrentVersionExpirationProperty{NoncurrentDays: jsii.Number(30)},
			AbortIncompleteMultipartUpload: &awss3.CfnBucket_AbortIncompleteMultipartUploadProperty{DaysAfterInitiation: jsii.Number(7)},
		}},
	})
	bucket.SetNotificationConfiguration(eventBridgeNotifications)
	// "You can enable Object Lock for new or existing buckets"
	// (AWS::S3::Bucket ObjectLockConfiguration, CloudFormation template
	// reference); ObjectLockEnabled is set "when you apply
	// ObjectLockConfiguration to a bucket" (the same page's resource).
	bucket.SetObjectLockEnabled(jsii.Bool(true))
	bucket.SetObjectLockConfiguration(&awss3.CfnBucket_ObjectLockConfigurationProperty{ObjectLockEnabled: jsii.String("Enabled")})
	logArtifactAccess(awscdk.Stack_Of(artifacts), artifacts)
	// The pipeline's own key, or a cross-region bucket's key behind its
	// alias; a bucket without a key uses the AWS managed key aws/s3.
	if key := artifacts.EncryptionKey(); key != nil {
		constructs.LimitGrantsToAWSServices(key)
	}
}

// eventBridgeNotifications sends every event of a bucket to EventBridge's
// default bus, where a rule can pick what it needs; writing it on the
// CloudFormation resource spares the Lambda function that the L2
// property eventBridgeEnabled would create.
var eventBridgeNotifications = &awss3.CfnBucket_NotificationConfigurationProperty{
	EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
}

// logArtifactAccess sends the server access logs of an artifact bucket to
// a bucket of their own in the same stack.
func logArtifactAccess(stack awscdk.Stack, artifacts awss3.IBucket) {
	logs := awss3.NewBucket(stack, jsii.String("ArtifactAccessLogs"), &awss3.BucketProps{
		// A bucket that receives server access logs can only use SSE-S3,
		// and Object Lock blocks the delivery ("Troubleshoot server access
		// logging", S3 user guide).
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:         jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Expiration:                  awscdk.Duration_Days(jsii.Number(365)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
		}},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	logs.Node().DefaultChild().(awss3.CfnBucket).SetNotificationConfiguration(eventBridgeNotifications)
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

// PipelineStageName is the CodePipeline stage that deploys wave w, which
// also names the construct scope of its steps: CDK Pipelines names it after
// the wave, or after the environment when the wave holds only one (addWave
// in aws-cdk-lib's pipelines/lib/helpers-internal/pipeline-graph.js groups
// a single stage in no graph of the wave's own).
func PipelineStageName(w *config.Wave) string {
	if len(w.Environments) == 1 {
		return w.Environments[0]
	}
	return w.Name
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
			policies["Pipeline/Pipeline/"+PipelineStageName(w)+"/"+step+"/"+step+"/Role/DefaultPolicy/Resource"] = "The preflight project role's policy, written by CDK Pipelines for a CodeBuildStep (its own statement names one lookup role):"
		}
	}
	for path, reason := range policies {
		nag.SuppressPath(stack, path, "AwsSolutions-IAM5", reason+" the S3 and KMS wildcards come from the CDK's grantRead/grantReadWrite on the pipeline's own artifact buckets (the cross-region ones included) and keys, the log-group and report-group wildcards are CodeBuild's per-project names, and CDK Pipelines offers no way to narrow them.",
			nag.Regex(`^Action::s3:(Abort|DeleteObject|GetBucket|GetObject|List)\*$`),
			nag.Regex(`^Action::kms:(ReEncrypt|GenerateDataKey)\*$`),
			nag.Regex(`^Resource::<PipelineArtifactsBucket[0-9A-F]{8}\.Arn>/\*$`),
			// A cross-region bucket, named after its support stack
			// STACK-support-REGION, lower case.
			nag.Regex(`^Resource::arn:[a-z-]+:s3:::`+regexp.QuoteMeta(strings.ToLower(*stack.StackName()))+`-support-[a-z0-9-]+/\*$`),
			nag.Regex(`^Resource::arn:.+:logs:.+:log-group:/aws/codebuild/.+$`),
			nag.Regex(`^Resource::arn:.+:codebuild:.+:report-group/.+$`),
			nag.Regex(`^Resource::arn:\*:iam::[0-9]{12}:role/\*$`),
			"Resource::*",
		)
	}
}
