package stacks

import (
	"maps"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticbeanstalk"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/constructs"
)

// BackendProps configures one backend stack.
type BackendProps struct {
	awscdk.StackProps
	// Backend is the backend's validated configuration.
	Backend *config.Backend
	// Vpc is the environment's VPC.
	Vpc awsec2.IVpc
	// Subnets are the private subnets for the instances and the load balancer.
	Subnets []awsec2.ISubnet
	// ProjectRoot is the directory that a backend's local source is
	// relative to: the directory of cdk.json.
	ProjectRoot string
	// LookupFunction answers the backend's deploy-time lookups.
	LookupFunction awslambda.IFunction
	// AlarmTopic is notified by the backend's alarms.
	AlarmTopic awssns.ITopic
	// Monitoring is the environment's validated monitoring configuration.
	Monitoring config.Monitoring
}

// Backend is an Elastic Beanstalk application and its private environment
// behind an internal Network Load Balancer.
type Backend struct {
	awscdk.Stack
	// Environment is the backend's private Beanstalk environment.
	Environment constructs.PrivateBeanstalkEnvironment
	// Monitoring holds the backend's alarms and dashboard widgets.
	Monitoring constructs.BackendMonitoring
}

// NewBackend creates a backend stack.
func NewBackend(scope cdkconstructs.Construct, id string, props *BackendProps) *Backend {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	cfg := props.Backend

	app := awselasticbeanstalk.NewCfnApplication(stack, jsii.String("Application"), &awselasticbeanstalk.CfnApplicationProps{
		Description: jsii.String("Backend " + cfg.Name + " (" + *stack.StackName() + ")"),
	})
	// A new source is a new S3 key, and SourceBundle changes replace the
	// application version (AWS::ElasticBeanstalk::ApplicationVersion,
	// "Update requires: Replacement"); the environment then moves to the new
	// label in place. A new label alone changes the description, "No
	// interruption".
	version := awselasticbeanstalk.NewCfnApplicationVersion(stack, jsii.String("Version"), &awselasticbeanstalk.CfnApplicationVersionProps{
		ApplicationName: app.Ref(),
		Description:     jsii.String("Backend " + cfg.Name + " version " + cfg.Version),
		SourceBundle:    sourceBundle(stack, cfg.ParsedSource(), props.ProjectRoot),
	})
	env := constructs.NewPrivateBeanstalkEnvironment(stack, "Environment", &constructs.PrivateBeanstalkEnvironmentProps{
		ApplicationName:      app.Ref(),
		VersionLabel:         version.Ref(),
		Description:          jsii.String("Backend " + cfg.Name + ": private, behind an internal Network Load Balancer"),
		Vpc:                  props.Vpc,
		Subnets:              props.Subnets,
		Beanstalk:            cfg.Beanstalk,
		LookupFunction:       props.LookupFunction,
		EnvironmentVariables: environmentVariables(cfg),
		Secrets:              cfg.Secrets,
		SecretsKmsKeys:       cfg.SecretsKmsKeys,
		Scaling:              scaling(cfg.Scaling),
		EcrRepositoryArns:    ecrRepositoryArns(cfg.ECRRepositories()),
	})
	// "Elastic Beanstalk does not delete application versions that are
	// currently being used by an environment" ("Configuring application
	// version lifecycle settings"); versions are counted against a quota
	// shared by every application of the region, so each keeps a few. The
	// role needs "the Elastic Beanstalk managed service policies" (same
	// page), which the environment's service role has; the source bundles
	// stay in S3, where the CDK's asset bucket or the service's pipeline
	// owns them.
	app.SetResourceLifecycleConfig(&awselasticbeanstalk.CfnApplication_ApplicationResourceLifecycleConfigProperty{
		ServiceRole: env.ServiceRole().RoleArn(),
		VersionLifecycleConfig: &awselasticbeanstalk.CfnApplication_ApplicationVersionLifecycleConfigProperty{
			MaxCountRule: &awselasticbeanstalk.CfnApplication_MaxCountRuleProperty{
				Enabled:            jsii.Bool(true),
				MaxCount:           jsii.Number(VersionsKept),
				DeleteSourceFromS3: jsii.Bool(false),
			},
		},
	})
	awscdk.NewCfnOutput(stack, jsii.String(config.ReleaseOutput), &awscdk.CfnOutputProps{
		Description: jsii.String("Release label (cdk.json version) of backend " + cfg.Name),
		Value:       jsii.String(cfg.Version),
	})
	awscdk.NewCfnOutput(stack, jsii.String(config.VersionLabelOutput), &awscdk.CfnOutputProps{
		Description: jsii.String("Beanstalk application version label that backend " + cfg.Name + " deploys"),
		Value:       version.Ref(),
	})
	// verify compares these with the stages' variables.
	awscdk.NewCfnOutput(stack, jsii.String(config.LoadBalancerArnOutput), &awscdk.CfnOutputProps{
		Description: jsii.String("Network Load Balancer of backend " + cfg.Name + ", the target of its VPC link"),
		Value:       env.LoadBalancerArn(),
	})
	awscdk.NewCfnOutput(stack, jsii.String(config.LoadBalancerDNSOutput), &awscdk.CfnOutputProps{
		Description: jsii.String("DNS name of backend " + cfg.Name + "'s load balancer, the stages' backendHost"),
		Value:       env.LoadBalancerDNSName(),
	})
	awscdk.NewCfnOutput(stack, jsii.String(config.EnvironmentNameOutput), &awscdk.CfnOutputProps{
		Description: jsii.String("Beanstalk environment of backend " + cfg.Name),
		Value:       env.EnvironmentName(),
	})
	b := &Backend{
		Stack:       stack,
		Environment: env,
		Monitoring: constructs.NewBackendMonitoring(stack, "Monitoring", &constructs.BackendMonitoringProps{
			Name:            cfg.Name,
			EnvironmentName: env.EnvironmentName(),
			LoadBalancerArn: env.LoadBalancerArn(),
			Topic:           props.AlarmTopic,
			Schedule:        props.Monitoring.AlarmSchedule,
			LookupFunction:  props.LookupFunction,
		}),
	}
	// Explicit exports outlive their importers, so the API stack (its VPC
	// link, stage variables and dashboard) can stop using this backend before
	// the backend itself is removed.
	for _, value := range []*string{env.LoadBalancerArn(), env.LoadBalancerDNSName(), env.EnvironmentName(), b.Monitoring.TargetGroupArn()} {
		stack.ExportValue(value, nil)
	}
	for _, alarm := range b.Monitoring.Alarms() {
		stack.ExportValue(alarm.AlarmArn(), nil)
	}
	return b
}

// VersionsKept is how many application versions each backend's Beanstalk
// application keeps. The quota of 1,000 versions is shared by every
// application of a region ("Configuring application version lifecycle
// settings"); 20 VPC links per account and region bound the backends, and
// 20 x 20 stays well below it.
const VersionsKept = 20

// sourceBundle is the S3 location of a backend's source: its own object, or
// an asset of the project's directory or zip. "The Amazon S3 bucket must be
// in the same region as the environment" (AWS::ElasticBeanstalk::ApplicationVersion,
// SourceBundle): CDK assets are, and preflight checks an S3 source.
func sourceBundle(stack awscdk.Stack, src config.Source, root string) *awselasticbeanstalk.CfnApplicationVersion_SourceBundleProperty {
	if src.Kind == config.SourceS3 {
		return &awselasticbeanstalk.CfnApplicationVersion_SourceBundleProperty{S3Bucket: jsii.String(src.Bucket), S3Key: jsii.String(src.Key)}
	}
	// A directory is zipped; a .zip file is uploaded as it is.
	bundle := awss3assets.NewAsset(stack, jsii.String("Bundle"), &awss3assets.AssetProps{Path: jsii.String(filepath.Join(root, filepath.FromSlash(src.Path)))})
	return &awselasticbeanstalk.CfnApplicationVersion_SourceBundleProperty{S3Bucket: bundle.S3BucketName(), S3Key: bundle.S3ObjectKey()}
}

// environmentVariables are the backend's variables and the app's own.
func environmentVariables(cfg *config.Backend) map[string]string {
	vars := maps.Clone(cfg.Environment)
	if vars == nil {
		vars = map[string]string{}
	}
	maps.Copy(vars, cfg.AppVariables())
	return vars
}

// ecrRepositoryArns are the ARNs of the backend's image repositories.
func ecrRepositoryArns(repos []config.ECRRepository) []string {
	var out []string
	for _, r := range repos {
		out = append(out, r.Arn())
	}
	return out
}

// scaling is the construct's trigger for the configured one, or nil.
func scaling(s *config.Scaling) *constructs.ScalingTrigger {
	if s == nil {
		return nil
	}
	d := s.WithDefaults()
	return &constructs.ScalingTrigger{Metric: d.Metric, Statistic: d.Statistic, Unit: d.Unit, Upper: *d.Upper, Lower: *d.Lower}
}
