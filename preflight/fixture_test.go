package preflight

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"privatebackend/config"
	"privatebackend/internal/testsupport/awsstandin"
)

// environment loads one environment from a cdk.json "environments" object.
func environment(t *testing.T, raw string) *config.Environment {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	envs, err := config.Load(v, "")
	if err != nil {
		t.Fatal(err)
	}
	return envs[0]
}

// Environments of the shapes the app supports: edge deploys wherever the credentials
// point, with VPC endpoints in two zones; core is pinned, with NAT gateways
// in three zones; shared uses an existing VPC.
const (
	edgeJSON = `{"edge": {"network": {"egress": "endpoints"},
		"backends": {"blue": {}, "green": {}},
		"api": {"stages": {"live": {"backend": "blue"}, "preview": {"backend": "green"}}}}}`
	coreJSON = `{"core": {"account": "123456789012", "region": "eu-west-1",
		"network": {"maxAzs": 3, "egress": "nat", "natGateways": 3},
		"backends": {"blue": {"instanceType": "t3.medium", "minInstances": 3, "maxInstances": 9}},
		"api": {"stages": {"live": {"backend": "blue"}}}}}`
	sharedJSON = `{"shared": {"account": "123456789012", "region": "eu-west-1",
		"network": {"vpcId": "vpc-0123456789abcdef0", "egress": "endpoints"},
		"backends": {"blue": {}},
		"api": {"stages": {"live": {"backend": "blue"}}}}}`
)

func planOf(t *testing.T, raw string) Plan {
	t.Helper()
	p, err := NewPlan(environment(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeAssembly writes a cloud assembly for plan the way cdk synth lays it
// out: a root manifest.json naming the Stage's nested assembly
// (cdk:cloud-assembly, directory assembly-ENV), whose manifest.json lists
// each stack (aws:cloudformation:stack, with requiresBootstrapStackVersion,
// bootstrapStackVersionSsmParameter and lookupRole) and its asset manifest
// (cdk:asset-manifest), and the templates with the resources preflight
// reads, shaped as the app synthesizes them.
func writeAssembly(t *testing.T, plan Plan) string {
	t.Helper()
	dir := t.TempDir()
	nested := "assembly-" + plan.Environment
	if err := os.MkdirAll(filepath.Join(dir, nested), 0o755); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, filepath.Join(dir, "manifest.json"), map[string]any{"version": "55.0.0", "artifacts": map[string]any{
		nested: map[string]any{"type": "cdk:cloud-assembly", "properties": map[string]any{"directoryName": nested, "displayName": plan.Environment}},
		"Tree": map[string]any{"type": "cdk:tree", "properties": map[string]any{"file": "tree.json"}},
	}})
	account, region := plan.Account, plan.Region
	if !plan.Pinned() {
		account, region = "${AWS::AccountId}", "${AWS::Region}"
	}
	artifacts := map[string]any{}
	for stack, resources := range templates(plan) {
		id := strings.ReplaceAll(stack, "-", "")
		writeJSON(t, filepath.Join(dir, nested, id+".template.json"), map[string]any{"Resources": resources})
		env := "aws://unknown-account/unknown-region"
		if plan.Pinned() {
			env = "aws://" + account + "/" + region
		}
		artifacts[id+".assets"] = map[string]any{"type": "cdk:asset-manifest", "properties": map[string]any{
			"file": id + ".assets.json", "requiresBootstrapStackVersion": 6, "bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version"}}
		artifacts[id] = map[string]any{"type": "aws:cloudformation:stack", "environment": env, "displayName": plan.Environment + "/" + strings.TrimPrefix(stack, plan.Environment+"-"),
			"properties": map[string]any{
				"templateFile": id + ".template.json", "stackName": stack, "validateOnSynth": false,
				"assumeRoleArn":                     "arn:${AWS::Partition}:iam::" + account + ":role/cdk-hnb659fds-deploy-role-" + account + "-" + region,
				"requiresBootstrapStackVersion":     6,
				"bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version",
				"lookupRole": map[string]any{
					"arn":                               "arn:${AWS::Partition}:iam::" + account + ":role/cdk-hnb659fds-lookup-role-" + account + "-" + region,
					"requiresBootstrapStackVersion":     8,
					"bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version",
				},
			}}
	}
	writeJSON(t, filepath.Join(dir, nested, "manifest.json"), map[string]any{"version": "55.0.0", "artifacts": artifacts})
	return dir
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// templates are the resources of each stack, by stack name.
func templates(plan Plan) map[string]map[string]any {
	res := func(typ string, props map[string]any) map[string]any {
		return map[string]any{"Type": typ, "Properties": props}
	}
	network := map[string]any{"Vpc": res("AWS::EC2::VPC", map[string]any{"CidrBlock": "10.0.0.0/16"})}
	zones := 2
	if plan.Pinned() {
		zones = 3
	}
	var subnets []any
	subnetIDs := "subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb"
	if plan.VpcID == "" {
		for i := range zones {
			var az any = map[string]any{"Fn::Select": []any{i, map[string]any{"Fn::GetAZs": ""}}}
			if plan.Pinned() {
				az = fmt.Sprintf("%s%c", plan.Region, 'a'+i)
			}
			id := fmt.Sprintf("VpcPrivateSubnet%dSubnet", i+1)
			network[id] = res("AWS::EC2::Subnet", map[string]any{"AvailabilityZone": az, "VpcId": map[string]any{"Ref": "Vpc"}})
			subnets = append(subnets, map[string]any{"Ref": id})
			if plan.NatEgress {
				network[fmt.Sprintf("VpcEgressSubnet%dSubnet", i+1)] = res("AWS::EC2::Subnet", map[string]any{"AvailabilityZone": az})
				network[fmt.Sprintf("VpcEgressSubnet%dEIP", i+1)] = res("AWS::EC2::EIP", map[string]any{"Domain": "vpc"})
				network[fmt.Sprintf("VpcEgressSubnet%dNATGateway", i+1)] = res("AWS::EC2::NatGateway", map[string]any{"AllocationId": map[string]any{"Fn::GetAtt": []any{"EIP", "AllocationId"}}})
			}
		}
		for _, s := range plan.InterfaceEndpointServices {
			network["Vpc"+s] = res("AWS::EC2::VPCEndpoint", map[string]any{"VpcEndpointType": "Interface", "PrivateDnsEnabled": true, "SubnetIds": subnets,
				"ServiceName": map[string]any{"Fn::Join": []any{"", []any{"com.amazonaws.", map[string]any{"Ref": "AWS::Region"}, "." + s}}}})
		}
		for _, s := range plan.GatewayEndpointServices {
			network["Vpc"+s] = res("AWS::EC2::VPCEndpoint", map[string]any{"VpcEndpointType": "Gateway", "ServiceName": map[string]any{"Fn::Join": []any{"", []any{"com.amazonaws.", map[string]any{"Ref": "AWS::Region"}, "." + s}}}})
		}
	}
	out := map[string]map[string]any{
		plan.NetworkStack:            network,
		plan.Environment + "-Alerts": {"TopicKey": res("AWS::KMS::Key", map[string]any{"EnableKeyRotation": true})},
		plan.APIStack:                {"WebAcl": res("AWS::WAFv2::WebACL", map[string]any{"Rules": []any{map[string]any{"Name": "AWSManagedRulesCommonRuleSet"}, map[string]any{"Name": "AWSManagedRulesKnownBadInputsRuleSet"}, map[string]any{"Name": "RateLimitPerClient"}}}), "Dashboard": res("AWS::CloudWatch::Dashboard", map[string]any{"DashboardName": plan.Environment + "-private-backends"})},
	}
	for i, stage := range []string{"live", "preview"} {
		out[plan.APIStack][stage+"5xx"] = res("AWS::CloudWatch::Alarm", map[string]any{"Metrics": []any{
			map[string]any{"Id": "errors", "MetricStat": map[string]any{"Period": 300}, "ReturnData": false},
			map[string]any{"Id": "requests", "MetricStat": map[string]any{"Period": 300}, "ReturnData": false},
			map[string]any{"Id": "rate", "Expression": "IF(requests >= 20, 100 * errors / requests, 0)"},
		}})
		out[plan.APIStack][stage+"Latency"] = res("AWS::CloudWatch::Alarm", map[string]any{"MetricName": "Latency", "Period": 300 + i})
	}
	for _, b := range plan.Backends {
		var value any = map[string]any{"Fn::Join": []any{",", []any{map[string]any{"Fn::ImportValue": "subnet1"}, map[string]any{"Fn::ImportValue": "subnet2"}}}}
		if plan.VpcID != "" {
			value = subnetIDs
		}
		out[b.Stack] = map[string]any{
			"Environment": res("AWS::ElasticBeanstalk::Environment", map[string]any{"OptionSettings": []any{
				map[string]any{"Namespace": "aws:ec2:vpc", "OptionName": "Subnets", "Value": value},
				map[string]any{"Namespace": "aws:ec2:instances", "OptionName": "InstanceTypes", "Value": b.InstanceType},
			}}),
			"Health": res("AWS::CloudWatch::Alarm", map[string]any{"MetricName": "EnvironmentHealth", "Period": 300}),
		}
	}
	return out
}

// awsConfig points the SDK at the stand-in with static credentials.
func awsConfig(url, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(url),
	}
}

// preflight runs every check of the environment raw against the stand-in.
func runPreflight(t *testing.T, f *awsstandin.Account, raw string, timeout time.Duration) Report {
	t.Helper()
	plan := planOf(t, raw)
	asm, err := ReadAssembly(writeAssembly(t, plan), plan.Environment)
	if err != nil {
		t.Fatal(err)
	}
	return Preflight(t.Context(), plan, asm, awsConfig(serve(t, f), f.Region), Settings{Timeout: timeout, Cost: true})
}
