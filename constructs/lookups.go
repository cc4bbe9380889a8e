package constructs

import (
	_ "embed"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/nag"
)

// The deploy-time lookups (a platform version, an environment's load
// balancer, its target group) are custom resources answered by a
// LookupFunction, whose handler is lookup.js. Not the CDK's
// AwsCustomResource: its handler tries a denied call once, and a lookup runs
// right after its permission is created, before IAM has propagated it
// (aws/aws-cdk#37675, #23340, #37085; the retry of aws/aws-cdk#37878 is not
// merged), and it cannot tell a denied ListPlatformVersions, which answers
// an empty list, from a branch that does not exist.

//go:embed lookup.js
var lookupHandler string

// lookupTimeout bounds one lookup, in minutes: the handler's retries take
// at most about four of them.
const lookupTimeout = 5

// lookupCalls are every call lookup.js makes, with the resources IAM
// authorizes each against.
var lookupCalls = []struct {
	actions   []string
	resources func(stack awscdk.Stack) []string
}{
	// The action's resource type, platform, is optional (Service
	// Authorization Reference for Elastic Beanstalk): a call that names no
	// platform version is authorized against "*".
	{[]string{"elasticbeanstalk:ListPlatformVersions"}, everything},
	// No statement names an environment: one naming it would be created
	// only after the environment, and the lookup would run the moment it
	// exists, before IAM has propagated it (aws/aws-cdk#37085).
	{[]string{"elasticbeanstalk:DescribeEnvironmentResources"}, func(stack awscdk.Stack) []string {
		return []string{*stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("elasticbeanstalk"), Resource: jsii.String("environment"), ResourceName: jsii.String("*")})}
	}},
	// Beanstalk finds an environment's resources in its own CloudFormation
	// stack, awseb-e-<id>-stack, with the caller's rights.
	{[]string{"cloudformation:DescribeStackResource", "cloudformation:DescribeStackResources", "cloudformation:DescribeStacks", "cloudformation:ListStackResources"},
		func(stack awscdk.Stack) []string {
			return []string{*stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("cloudformation"), Resource: jsii.String("stack"), ResourceName: jsii.String("awseb-e-*")})}
		}},
	// DescribeEnvironmentResources fails with InsufficientPrivileges when the
	// caller lacks rights "for one or more downstream AWS services" (API
	// reference), and AWS does not list which: these are the reads
	// AWSElasticBeanstalkReadOnly grants for the kinds of resource the answer
	// lists (Auto Scaling groups and their triggers, instances, launch
	// configurations and templates, load balancers). With DescribeTargetGroups,
	// which the target group lookup calls, none supports resource-level
	// permissions (Service Authorization Reference for Amazon EC2 Auto
	// Scaling, Amazon EC2 and Elastic Load Balancing V2).
	{[]string{
		"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeLaunchConfigurations",
		"autoscaling:DescribePolicies", "autoscaling:DescribeScheduledActions", "autoscaling:DescribeNotificationConfigurations",
		"cloudwatch:DescribeAlarms",
		"ec2:DescribeInstances", "ec2:DescribeInstanceStatus", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions",
		"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
	}, everything},
}

func everything(awscdk.Stack) []string { return []string{"*"} }

// LookupFunctionProps configures a LookupFunction.
type LookupFunctionProps struct {
	// Vpc, with Subnets, runs the function in those subnets, with a security
	// group that only lets HTTPS out. The subnets need a way to Elastic
	// Beanstalk, Elastic Load Balancing and the S3 bucket CloudFormation's
	// answers go to: NAT, or VPC endpoints for elasticbeanstalk,
	// elasticloadbalancing and S3. Default: outside any VPC.
	Vpc awsec2.IVpc
	// Subnets are the subnets the function runs in when Vpc is set.
	// Required with Vpc.
	Subnets []awsec2.ISubnet
	// LogEncryptionKey encrypts the function's log group. Default: CloudWatch
	// Logs' own encryption.
	LogEncryptionKey awskms.IKey
}

// LookupFunction answers the deploy-time lookups (NewPlatformArn,
// NewLoadBalancerArn, NewBackendMonitoring's target group) of any stack of
// its account and region. Its role holds every permission the lookups use,
// so the permissions exist before the function, and long before any lookup
// of another stack runs.
type LookupFunction interface {
	cdkconstructs.IConstruct
	// Function is the Lambda function.
	Function() awslambda.IFunction
}

type lookupFunctionConstruct struct {
	cdkconstructs.Construct
	fn awslambda.Function
}

func (l *lookupFunctionConstruct) Function() awslambda.IFunction { return l.fn }

// NewLookupFunction creates the function, its role, its log group (kept a
// year) and, in a VPC, its security group.
func NewLookupFunction(scope cdkconstructs.Construct, id string, props *LookupFunctionProps) LookupFunction {
	if props == nil {
		props = &LookupFunctionProps{}
	}
	if (props.Vpc == nil) != (len(props.Subnets) == 0) {
		panic(fmt.Sprintf("constructs.NewLookupFunction %q: Vpc and Subnets go together", id))
	}
	l := &lookupFunctionConstruct{}
	cdkconstructs.NewConstruct_Override(l, scope, &id)
	stack := awscdk.Stack_Of(l)
	// A year, as AWS Control Tower's CT.CLOUDWATCH.PR.2 asks: a lookup logs
	// a few lines per deploy.
	logs := awslogs.NewLogGroup(l, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_YEAR,
		EncryptionKey: props.LogEncryptionKey,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(l, jsii.String("Role"), &awsiam.RoleProps{
		Description: jsii.String("Deploy-time lookups of the private backends of " + *stack.StackName()),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	logs.GrantWrite(role)
	for _, c := range lookupCalls {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(c.actions...), Resources: jsii.Strings(c.resources(stack)...),
		}))
	}
	functionProps := &awslambda.FunctionProps{
		Description: jsii.String("Deploy-time lookups of the private backends of " + *stack.StackName()),
		// The Node.js 24 runtime includes the AWS SDK for JavaScript v3
		// ("Building Lambda functions with Node.js"), which the handler uses.
		Runtime: awslambda.Runtime_NODEJS_24_X(),
		Handler: jsii.String("index.handler"),
		// Inline, the code is the template's: CloudFormation zips it, and
		// the zip "cannot exceed 4MB" (AWS::Lambda::Function Code, ZipFile;
		// the old 4096-character limit is gone, aws/aws-cdk#20624).
		Code: awslambda.Code_FromInline(jsii.String(lookupHandler)),
		// The handler's failure messages name the role to grant a missing
		// read to.
		Environment: &map[string]*string{"ROLE_ARN": role.RoleArn()},
		Timeout:     awscdk.Duration_Minutes(jsii.Number(lookupTimeout)),
		MemorySize:  jsii.Number(256),
		Role:        role,
		LogGroup:    logs,
	}
	if props.Vpc != nil {
		group := awsec2.NewSecurityGroup(l, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
			Vpc:              props.Vpc,
			Description:      jsii.String("Deploy-time lookups: HTTPS out to AWS APIs only"),
			AllowAllOutbound: jsii.Bool(false),
		})
		group.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("AWS APIs, through NAT or VPC endpoints"), nil)
		functionProps.Vpc = props.Vpc
		functionProps.VpcSubnets = &awsec2.SubnetSelection{Subnets: &props.Subnets}
		functionProps.SecurityGroups = &[]awsec2.ISecurityGroup{group}
		// The network interfaces a function in a VPC needs, as
		// AWSLambdaVPCAccessExecutionRole grants them ("Giving Lambda
		// functions access to resources in an Amazon VPC").
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
				"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"),
			Resources: jsii.Strings("*"),
		}))
	}
	l.fn = awslambda.NewFunction(l, jsii.String("Function"), functionProps)
	// Every permission is on this role, so the function, and every lookup
	// after it, is created only once all of them exist.
	l.fn.Node().AddDependency(role)
	nag.Suppress(role, "AwsSolutions-IAM5", "The lookups only read: elasticbeanstalk:ListPlatformVersions names no platform version (its platform resource type is optional, so IAM authorizes it against \"*\"); the Describe actions of Auto Scaling, CloudWatch, EC2 and Elastic Load Balancing, some of which Beanstalk runs with the caller's rights, and a VPC function's network interface actions support no resource-level permissions (Service Authorization Reference).",
		"Resource::*")
	nag.Suppress(role, "AwsSolutions-IAM5", "DescribeEnvironmentResources may read any Beanstalk environment of this account and region: an environment's name is generated by CloudFormation, and a policy naming it would be created only after the environment, just before its lookup, and race IAM's propagation (aws/aws-cdk#37085); the action only reads.",
		nag.Regex(`^Resource::arn:.+:elasticbeanstalk:.+:environment/\*$`))
	nag.Suppress(role, "AwsSolutions-IAM5", "Beanstalk names an environment's CloudFormation stack awseb-e-<id>-stack at deploy time; the wildcard covers only those stacks, and only read actions.",
		nag.Regex(`^Resource::arn:.+:cloudformation:.+:stack/awseb-e-\*$`))
	return l
}

// lookupFunctionFor returns fn, or the stack's own LookupFunction, created
// on first use, when fn is nil.
func lookupFunctionFor(scope cdkconstructs.Construct, fn awslambda.IFunction) awslambda.IFunction {
	if fn != nil {
		return fn
	}
	stack := awscdk.Stack_Of(scope)
	if existing := stack.Node().TryFindChild(jsii.String("Lookups")); existing != nil {
		return existing.Node().FindChild(jsii.String("Function")).(awslambda.IFunction)
	}
	return NewLookupFunction(stack, "Lookups", nil).Function()
}

// newLookup adds a custom resource of resourceType, answered with properties
// by fn (nil: the stack's own LookupFunction).
func newLookup(scope cdkconstructs.Construct, id, resourceType string, properties map[string]any, fn awslambda.IFunction) awscdk.CustomResource {
	return awscdk.NewCustomResource(scope, jsii.String(id), &awscdk.CustomResourceProps{
		ServiceToken: lookupFunctionFor(scope, fn).FunctionArn(),
		ResourceType: jsii.String(resourceType),
		Properties:   &properties,
		// A lookup that does not answer fails the stack after the function's
		// own timeout rather than CloudFormation's default hour.
		ServiceTimeout: awscdk.Duration_Minutes(jsii.Number(lookupTimeout + 1)),
	})
}
