package stacks

import (
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticbeanstalk"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"privatebackend/config"
	"privatebackend/constructs"
)

// ListenerPort is the port the Network Load Balancer listens on and forwards
// to the instances (the platform's nginx, in front of the application).
const ListenerPort = 80

// BackendProps configures one backend stack.
type BackendProps struct {
	awscdk.StackProps
	// Backend is the backend's validated configuration.
	Backend *config.Backend
	// Vpc is the environment's VPC.
	Vpc awsec2.IVpc
	// Subnets are the private subnets for the instances and the load balancer.
	Subnets []awsec2.ISubnet
	// BundlePath is the directory of the application bundled as the
	// application version.
	BundlePath string
}

// Backend is an Elastic Beanstalk application and its load-balanced
// environment behind an internal Network Load Balancer.
type Backend struct {
	awscdk.Stack
	// Environment is the Beanstalk environment.
	Environment awselasticbeanstalk.CfnEnvironment
	// LoadBalancerArn is the ARN of the environment's Network Load Balancer.
	LoadBalancerArn *string
	// LoadBalancerDNSName is the load balancer's DNS name (the environment's
	// endpoint URL), the host API Gateway sends requests to.
	LoadBalancerDNSName *string
}

// NewBackend creates a backend stack.
func NewBackend(scope cdkconstructs.Construct, id string, props *BackendProps) *Backend {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	cfg := props.Backend

	bundle := awss3assets.NewAsset(stack, jsii.String("Bundle"), &awss3assets.AssetProps{Path: &props.BundlePath})
	app := awselasticbeanstalk.NewCfnApplication(stack, jsii.String("Application"), &awselasticbeanstalk.CfnApplicationProps{
		Description: jsii.String("Backend " + cfg.Name + " (" + *stack.StackName() + ")"),
	})
	version := awselasticbeanstalk.NewCfnApplicationVersion(stack, jsii.String("Version"), &awselasticbeanstalk.CfnApplicationVersionProps{
		ApplicationName: app.Ref(),
		SourceBundle: &awselasticbeanstalk.CfnApplicationVersion_SourceBundleProperty{
			S3Bucket: bundle.S3BucketName(),
			S3Key:    bundle.S3ObjectKey(),
		},
	})

	instanceRole := awsiam.NewRole(stack, jsii.String("InstanceRole"), &awsiam.RoleProps{
		Description: jsii.String("Elastic Beanstalk instances of " + *stack.StackName()),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AWSElasticBeanstalkWebTier")),
		},
	})
	suppress(instanceRole, "AwsSolutions-IAM4", "AWSElasticBeanstalkWebTier is the policy Beanstalk documents for the instance profile of a web server environment (log and health uploads to Beanstalk's own bucket and streams); AWS keeps it in step with the platform.",
		managedPolicy("AWSElasticBeanstalkWebTier"))
	instanceProfile := awsiam.NewInstanceProfile(stack, jsii.String("InstanceProfile"), &awsiam.InstanceProfileProps{Role: instanceRole})
	serviceRole := awsiam.NewRole(stack, jsii.String("ServiceRole"), &awsiam.RoleProps{
		Description: jsii.String("Elastic Beanstalk service role of " + *stack.StackName()),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("elasticbeanstalk.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"sts:ExternalId": "elasticbeanstalk"}},
		}),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("service-role/AWSElasticBeanstalkEnhancedHealth")),
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy")),
		},
	})

	suppress(serviceRole, "AwsSolutions-IAM4", "AWSElasticBeanstalkEnhancedHealth and AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy are the policies Beanstalk documents for its service role (enhanced health, managed platform updates); AWS keeps them in step with the service.",
		managedPolicy("service-role/AWSElasticBeanstalkEnhancedHealth"), managedPolicy("AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy"))

	// A Network Load Balancer has no security group: the instances must admit
	// its traffic themselves, and only from inside the VPC.
	instanceSG := awsec2.NewSecurityGroup(stack, jsii.String("InstanceSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              props.Vpc,
		Description:      jsii.String("Beanstalk instances of " + *stack.StackName() + ": the listener port from the VPC only"),
		AllowAllOutbound: jsii.Bool(true),
	})
	instanceSG.AddIngressRule(awsec2.Peer_Ipv4(props.Vpc.VpcCidrBlock()), awsec2.Port_Tcp(jsii.Number(ListenerPort)),
		jsii.String("Network Load Balancer and VPC link traffic from inside the VPC"), nil)
	suppress(instanceSG, "CdkNagValidationFailure", "EC23 cannot read the ingress source, the VPC's CIDR imported from the network stack; the only ingress rule is the listener port from that CIDR (asserted by the backend tests).")

	subnetIDs := make([]string, len(props.Subnets))
	for i, s := range props.Subnets {
		subnetIDs[i] = *s.SubnetId()
	}
	subnets := awscdk.Fn_Join(jsii.String(","), jsii.Strings(subnetIDs...))

	env := awselasticbeanstalk.NewCfnEnvironment(stack, jsii.String("Environment"), &awselasticbeanstalk.CfnEnvironmentProps{
		ApplicationName:   app.Ref(),
		Description:       jsii.String("Backend " + cfg.Name + ": private, behind an internal Network Load Balancer"),
		SolutionStackName: &cfg.Platform,
		VersionLabel:      version.Ref(),
		Tier: &awselasticbeanstalk.CfnEnvironment_TierProperty{
			Name: jsii.String("WebServer"),
			Type: jsii.String("Standard"),
		},
		OptionSettings: optionSettings(cfg, environmentResources{
			vpcID:           props.Vpc.VpcId(),
			subnets:         subnets,
			instanceProfile: instanceProfile.InstanceProfileName(),
			serviceRole:     serviceRole.RoleArn(),
			securityGroup:   instanceSG.SecurityGroupId(),
		}),
	})

	lb := constructs.NewLoadBalancerArn(stack, "LoadBalancerArn", &constructs.LoadBalancerArnProps{
		ApplicationName: app.Ref(),
		Environment:     env,
	})
	suppress(lb, "AwsSolutions-IAM5", "Beanstalk names the environment's CloudFormation stack awseb-e-<id>-stack at deploy time; the wildcard covers only those stacks, and only the two read actions DescribeEnvironmentResources needs.",
		&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:.+:cloudformation:.+:stack\/awseb-e-\*$/`)})
	suppressLookupFunction(stack)
	b := &Backend{
		Stack:               stack,
		Environment:         env,
		LoadBalancerArn:     lb.LoadBalancerArn(),
		LoadBalancerDNSName: env.AttrEndpointUrl(),
	}
	// Explicit exports outlive their importers, so the API stack can stop
	// using this backend before the backend itself is removed.
	stack.ExportValue(b.LoadBalancerArn, nil)
	stack.ExportValue(b.LoadBalancerDNSName, nil)
	return b
}

// suppressLookupFunction accepts the findings on the CDK's singleton function
// behind AwsCustomResource (the load balancer lookup).
func suppressLookupFunction(stack awscdk.Stack) {
	const function = "AWS679f53fac002430cb0da5b7982bd2287"
	suppressPath(stack, function+"/ServiceRole/Resource", "AwsSolutions-IAM4", "The CDK's AwsCustomResource function uses AWSLambdaBasicExecutionRole to write its own logs; its API permissions are a separate inline policy limited to the one lookup.",
		managedPolicy("service-role/AWSLambdaBasicExecutionRole"))
}

// environmentResources are the resources an environment's option settings
// refer to.
type environmentResources struct {
	vpcID, subnets, instanceProfile, serviceRole, securityGroup *string
}

func optionSettings(cfg *config.Backend, r environmentResources) *[]*awselasticbeanstalk.CfnEnvironment_OptionSettingProperty {
	var settings []*awselasticbeanstalk.CfnEnvironment_OptionSettingProperty
	set := func(namespace, name string, value *string) {
		settings = append(settings, &awselasticbeanstalk.CfnEnvironment_OptionSettingProperty{
			Namespace: jsii.String(namespace), OptionName: jsii.String(name), Value: value,
		})
	}
	setString := func(namespace, name, value string) { set(namespace, name, jsii.String(value)) }

	setString("aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced")
	setString("aws:elasticbeanstalk:environment", "LoadBalancerType", "network")
	set("aws:elasticbeanstalk:environment", "ServiceRole", r.serviceRole)

	set("aws:ec2:vpc", "VPCId", r.vpcID)
	set("aws:ec2:vpc", "Subnets", r.subnets)
	set("aws:ec2:vpc", "ELBSubnets", r.subnets)
	setString("aws:ec2:vpc", "ELBScheme", "internal")
	setString("aws:ec2:vpc", "AssociatePublicIpAddress", "false")

	set("aws:autoscaling:launchconfiguration", "IamInstanceProfile", r.instanceProfile)
	setString("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true")
	// Beanstalk's own default group would open the port to 0.0.0.0/0 for a
	// Network Load Balancer; ours admits the VPC's CIDR only.
	setString("aws:autoscaling:launchconfiguration", "DisableDefaultEC2SecurityGroup", "true")
	set("aws:autoscaling:launchconfiguration", "SecurityGroups", r.securityGroup)
	setString("aws:ec2:instances", "InstanceTypes", strings.Join(cfg.InstanceTypes, ","))

	setString("aws:autoscaling:asg", "MinSize", strconv.Itoa(cfg.MinInstances))
	setString("aws:autoscaling:asg", "MaxSize", strconv.Itoa(cfg.MaxInstances))
	setString("aws:autoscaling:updatepolicy:rollingupdate", "RollingUpdateEnabled", "true")
	setString("aws:autoscaling:updatepolicy:rollingupdate", "RollingUpdateType", "Health")

	setString("aws:elasticbeanstalk:command", "DeploymentPolicy", cfg.DeploymentPolicy)
	if cfg.DeploymentPolicy == config.DeploymentRolling {
		setString("aws:elasticbeanstalk:command", "BatchSizeType", "Fixed")
		setString("aws:elasticbeanstalk:command", "BatchSize", "1")
	}

	setString("aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced")
	setString("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "true")
	setString("aws:elasticbeanstalk:managedactions", "PreferredStartTime", cfg.UpdateWindow)
	setString("aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel", "minor")

	setString("aws:elbv2:listener:default", "Protocol", "TCP")
	setString("aws:elasticbeanstalk:environment:process:default", "Port", strconv.Itoa(ListenerPort))
	setString("aws:elasticbeanstalk:environment:process:default", "Protocol", "TCP")
	setString("aws:elasticbeanstalk:environment:process:default", "HealthCheckInterval", "10")

	retention := strconv.Itoa(cfg.LogRetentionDays)
	setString("aws:elasticbeanstalk:hostmanager", "LogPublicationControl", "true")
	setString("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true")
	setString("aws:elasticbeanstalk:cloudwatch:logs", "DeleteOnTerminate", "false")
	setString("aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays", retention)
	setString("aws:elasticbeanstalk:cloudwatch:logs:health", "HealthStreamingEnabled", "true")
	setString("aws:elasticbeanstalk:cloudwatch:logs:health", "DeleteOnTerminate", "false")
	setString("aws:elasticbeanstalk:cloudwatch:logs:health", "RetentionInDays", retention)

	setString("aws:elasticbeanstalk:application:environment", "BACKEND_NAME", cfg.Name)
	setString("aws:elasticbeanstalk:application:environment", "BACKEND_VERSION", cfg.AppVersion)
	return &settings
}
