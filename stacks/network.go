// Package stacks defines the CloudFormation stacks of one environment:
// Network, one Backend per configured backend, and Api. Stacks take typed
// props and never read the CDK context.
package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/constructs"
	"privatebackend/internal/nag"
)

// NetworkProps configures the network stack.
type NetworkProps struct {
	awscdk.StackProps
	// Network is the environment's validated network configuration.
	Network config.Network
	// InterfaceEndpoints are the services whose interface endpoints a VPC
	// the stack creates gets with egress "endpoints".
	// Default: Network.InterfaceEndpointServices().
	InterfaceEndpoints []string
}

// Network is the VPC of one environment and the private subnets that hold
// the backends.
type Network struct {
	awscdk.Stack
	// Vpc is the environment's VPC, created or looked up.
	Vpc awsec2.IVpc
	// PrivateSubnets are the subnets, one per availability zone, with no
	// route from the Internet, where instances and load balancers go.
	PrivateSubnets []awsec2.ISubnet
	// LogKey encrypts the environment's log groups.
	LogKey awskms.IKey
	// Lookups answers the backends' deploy-time lookups. It is created here,
	// before any backend, so its permissions exist long before a lookup runs.
	Lookups constructs.LookupFunction
}

// NewNetwork creates the network stack.
func NewNetwork(scope cdkconstructs.Construct, id string, props *NetworkProps) *Network {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	n := &Network{Stack: stack}
	cfg := props.Network
	if cfg.VpcID != "" {
		n.Vpc = awsec2.Vpc_FromLookup(stack, jsii.String("Vpc"), &awsec2.VpcLookupOptions{VpcId: jsii.String(cfg.VpcID)})
		n.PrivateSubnets = *n.Vpc.PrivateSubnets()
		if len(n.PrivateSubnets) == 0 {
			n.PrivateSubnets = *n.Vpc.IsolatedSubnets()
		}
	} else {
		n.Vpc = newVpc(stack, cfg)
		if cfg.Egress == config.EgressNat {
			n.PrivateSubnets = *n.Vpc.PrivateSubnets()
		} else {
			n.PrivateSubnets = *n.Vpc.IsolatedSubnets()
			interfaces := props.InterfaceEndpoints
			if interfaces == nil {
				interfaces = cfg.InterfaceEndpointServices()
			}
			addServiceEndpoints(stack, n.Vpc, n.PrivateSubnets, cfg.GatewayEndpointServices(), interfaces)
		}
		// Explicit exports outlive their importers: a stack that stops
		// importing a value can be deployed before this one is changed.
		stack.ExportValue(n.Vpc.VpcId(), nil)
		stack.ExportValue(n.Vpc.VpcCidrBlock(), nil)
		for _, s := range n.PrivateSubnets {
			stack.ExportValue(s.SubnetId(), nil)
		}
	}
	if len(n.PrivateSubnets) < 2 {
		awscdk.Annotations_Of(stack).AddError(jsii.String(
			"the VPC needs private subnets in at least 2 availability zones for a highly available backend"))
	}
	n.LogKey = constructs.NewLogEncryptionKey(stack, "LogKey", "Encrypts the log groups of "+*stack.StackName()+"'s environment")
	lookups := &constructs.LookupFunctionProps{LogEncryptionKey: n.LogKey}
	if cfg.LookupsInVpc {
		lookups.Vpc, lookups.Subnets = n.Vpc, n.PrivateSubnets
	}
	n.Lookups = constructs.NewLookupFunction(stack, "Lookups", lookups)
	// Explicit exports outlive their importers, as above.
	stack.ExportValue(n.Lookups.Function().FunctionArn(), nil)
	flowLogs := awslogs.NewLogGroup(stack, jsii.String("FlowLogGroup"), &awslogs.LogGroupProps{
		EncryptionKey: n.LogKey,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	flowLogs.Node().DefaultChild().(awslogs.CfnLogGroup).SetRetentionInDays(jsii.Number(cfg.FlowLogRetentionDays))
	awsec2.NewFlowLog(stack, jsii.String("FlowLog"), &awsec2.FlowLogProps{
		ResourceType: awsec2.FlowLogResourceType_FromVpc(n.Vpc),
		TrafficType:  awsec2.FlowLogTrafficType_ALL,
		Destination:  awsec2.FlowLogDestination_ToCloudWatchLogs(flowLogs, nil),
	})
	return n
}

func newVpc(stack awscdk.Stack, cfg config.Network) awsec2.Vpc {
	props := &awsec2.VpcProps{
		IpAddresses:                  awsec2.IpAddresses_Cidr(jsii.String(cfg.Cidr)),
		MaxAzs:                       jsii.Number(cfg.MaxAzs),
		RestrictDefaultSecurityGroup: jsii.Bool(true),
	}
	if cfg.Egress == config.EgressNat {
		natGateways := cfg.MaxAzs
		if cfg.NatGateways != nil {
			natGateways = *cfg.NatGateways
		}
		props.NatGateways = jsii.Number(natGateways)
		props.SubnetConfiguration = &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String("Egress"), SubnetType: awsec2.SubnetType_PUBLIC, MapPublicIpOnLaunch: jsii.Bool(false)},
			{Name: jsii.String("Private"), SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		}
	} else {
		props.NatGateways = jsii.Number(0)
		props.SubnetConfiguration = &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String("Private"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
		}
	}
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), props)
	// RestrictDefaultSecurityGroup adds a CDK singleton provider whose role is
	// a plain CfnResource: the in-process nag never sees it, a nag over the
	// template on disk does.
	nag.SuppressPath(stack, "Custom::VpcRestrictDefaultSGCustomResourceProvider/Role", "AwsSolutions-IAM4",
		"The CDK's provider that strips the default security group's rules writes its own logs through AWSLambdaBasicExecutionRole; the CDK offers no way to replace this singleton's role, and its inline policy names only this VPC's default security group.",
		nag.ManagedPolicy("service-role/AWSLambdaBasicExecutionRole"))
	return vpc
}

// endpointIDs are the construct ids of the VPC endpoints, by service name:
// ids are a contract (a new id replaces the endpoint in every deployed
// environment), so each service gets one chosen here.
var endpointIDs = map[string]string{
	"s3":                      "S3",
	"elasticbeanstalk":        "ElasticBeanstalk",
	"elasticbeanstalk-health": "ElasticBeanstalkHealth",
	"sqs":                     "Sqs",
	"cloudformation":          "CloudFormation",
	"logs":                    "Logs",
	"elasticloadbalancing":    "ElasticLoadBalancing",
	"secretsmanager":          "SecretsManager",
	"ssm":                     "Ssm",
	"ecr.api":                 "EcrApi",
	"ecr.dkr":                 "EcrDkr",
}

// addServiceEndpoints gives isolated subnets the VPC endpoints a private
// Beanstalk environment needs to deploy, report health and stream logs, and
// those its services need (secrets, images): the services the environment's
// configuration names, the same list preflight checks.
func addServiceEndpoints(stack awscdk.Stack, vpc awsec2.IVpc, subnets []awsec2.ISubnet, gateways, interfaces []string) {
	selection := &awsec2.SubnetSelection{Subnets: &subnets}
	for _, service := range gateways {
		if id, ok := endpointID(stack, service); ok {
			vpc.AddGatewayEndpoint(jsii.String(id), &awsec2.GatewayVpcEndpointOptions{
				Service: awsec2.NewGatewayVpcEndpointAwsService(jsii.String(service), nil),
				Subnets: &[]*awsec2.SubnetSelection{selection},
			})
		}
	}
	for _, service := range interfaces {
		id, ok := endpointID(stack, service)
		if !ok {
			continue
		}
		endpoint := vpc.AddInterfaceEndpoint(jsii.String(id), &awsec2.InterfaceVpcEndpointOptions{
			Service: awsec2.NewInterfaceVpcEndpointAwsService(jsii.String(service), nil, nil, nil),
			Subnets: selection,
		})
		nag.Suppress(endpoint, "CdkNagValidationFailure", "EC23 cannot read the ingress source, the VPC's CIDR (a CloudFormation attribute); the endpoint admits HTTPS from inside the VPC only.")
	}
}

// endpointID returns the construct id of a service's endpoint, or adds an
// error to the stack when the service has none yet.
func endpointID(stack awscdk.Stack, service string) (string, bool) {
	id, ok := endpointIDs[service]
	if !ok {
		awscdk.Annotations_Of(stack).AddError(jsii.String("no construct id for the VPC endpoint of service " + service + "; add one to endpointIDs in stacks/network.go"))
	}
	return id, ok
}
