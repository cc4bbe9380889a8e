//go:build heavy

package stacks

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/internal/testsupport/cdktest"
)

func TestNetworkWithEndpointsHasIsolatedSubnetsInTwoAZs(t *testing.T) {
	tpl := template(t, "isolated/Network")
	cdktest.Check(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::EC2::VPC"), map[string]any{"CidrBlock": "10.1.0.0/16"})
		tpl.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(2))
		tpl.AllResourcesProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"MapPublicIpOnLaunch": false})
		tpl.ResourceCountIs(jsii.String("AWS::EC2::InternetGateway"), jsii.Number(0))
		tpl.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(0))
		tpl.ResourceCountIs(jsii.String("AWS::EC2::Route"), jsii.Number(0))
	})
}

func TestNetworkWithEndpointsReachesBeanstalkThroughVPCEndpoints(t *testing.T) {
	tpl := template(t, "isolated/Network")
	cdktest.Check(t, func() {
		// Six, and one for the lookups in the VPC.
		tpl.ResourceCountIs(jsii.String("AWS::EC2::VPCEndpoint"), jsii.Number(7))
		tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
			"VpcEndpointType": "Gateway",
			"ServiceName": map[string]any{"Fn::Join": []any{"", []any{
				"com.amazonaws.", map[string]any{"Ref": "AWS::Region"}, ".s3",
			}}},
		})
		for _, service := range []string{"elasticbeanstalk", "elasticbeanstalk-health", "sqs", "cloudformation", "logs"} {
			tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
				"VpcEndpointType":   "Interface",
				"PrivateDnsEnabled": true,
				"ServiceName": map[string]any{"Fn::Join": []any{"", []any{
					"com.amazonaws.", map[string]any{"Ref": "AWS::Region"}, "." + service,
				}}},
			})
		}
	})
}

func TestNetworkWithNatHasNatGatewaysAndPrivateSubnetsInEveryAZ(t *testing.T) {
	tpl := template(t, "nat/Network")
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(6))
		tpl.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(2))
		tpl.ResourceCountIs(jsii.String("AWS::EC2::VPCEndpoint"), jsii.Number(0))
		tpl.AllResourcesProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"MapPublicIpOnLaunch": false})
		for _, az := range []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"} {
			tpl.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{
				"AvailabilityZone": az,
				"Tags":             assertions.Match_ArrayWith(&[]any{map[string]any{"Key": "aws-cdk:subnet-type", "Value": "Private"}}),
			})
		}
	})
}

func TestNetworkFlowLogsGoToCloudWatchLogs(t *testing.T) {
	for _, name := range []string{"isolated/Network", "nat/Network", "lookup/Network"} {
		tpl := template(t, name)
		cdktest.Check(t, func() {
			tpl.HasResourceProperties(jsii.String("AWS::EC2::FlowLog"), map[string]any{
				"ResourceType":       "VPC",
				"TrafficType":        "ALL",
				"LogDestinationType": "cloud-watch-logs",
			})
			tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 90})
		})
	}
}

func TestNetworkExportsVpcCidrAndEveryPrivateSubnet(t *testing.T) {
	for name, subnets := range map[string]int{"isolated/Network": 2, "nat/Network": 3} {
		tpl := template(t, name)
		cdktest.Check(t, func() {
			exports := func(value any) int {
				return len(*tpl.FindOutputs(jsii.String("*"), map[string]any{"Value": value, "Export": assertions.Match_AnyValue()}))
			}
			if n := exports(map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Vpc[0-9A-F]{8}$"))}); n != 1 {
				t.Errorf("%s exports the VPC id %d times, want 1", name, n)
			}
			if n := exports(map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Vpc[0-9A-F]{8}$")), "CidrBlock"}}); n != 1 {
				t.Errorf("%s exports the VPC CIDR %d times, want 1", name, n)
			}
			if n := exports(map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^VpcPrivateSubnet"))}); n != subnets {
				t.Errorf("%s exports %d private subnets, want %d", name, n, subnets)
			}
			if n := exports(map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^VpcEgressSubnet"))}); n != 0 {
				t.Errorf("%s exports %d public (egress) subnets, want none", name, n)
			}
		})
	}
}

func TestNetworkLooksUpAnExistingVpc(t *testing.T) {
	tpl := template(t, "lookup/Network")
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(0))
		tpl.HasResourceProperties(jsii.String("AWS::EC2::FlowLog"), map[string]any{"ResourceId": vpcID})
	})
	var got []string
	for _, s := range lookupNetwork.PrivateSubnets {
		got = append(got, *s.SubnetId())
	}
	if len(got) != 2 || got[0] != "subnet-0bbbbbbbbbbbbbbb1" || got[1] != "subnet-0bbbbbbbbbbbbbbb2" {
		t.Fatalf("private subnets of the looked-up VPC = %v, want its two private subnets", got)
	}
}

func TestNetworkCreatesExactlyTheEndpointsTheConfigurationNames(t *testing.T) {
	network := config.Network{Egress: config.EgressEndpoints, LookupsInVpc: true} // as the isolated fixture
	tpl := template(t, "isolated/Network")
	cdktest.Check(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::EC2::VPCEndpoint"), jsii.Number(len(network.InterfaceEndpointServices())+len(network.GatewayEndpointServices())))
		for kind, services := range map[string][]string{"Interface": network.InterfaceEndpointServices(), "Gateway": network.GatewayEndpointServices()} {
			for _, service := range services {
				tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
					"VpcEndpointType": kind,
					"ServiceName":     map[string]any{"Fn::Join": []any{"", []any{"com.amazonaws.", map[string]any{"Ref": "AWS::Region"}, "." + service}}},
				})
			}
		}
	})
	for _, service := range append(network.InterfaceEndpointServices(), network.GatewayEndpointServices()...) {
		if endpointIDs[service] == "" {
			t.Errorf("the endpoint of service %s has no construct id in endpointIDs", service)
		}
	}
}
