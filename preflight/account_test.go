package preflight

import (
	"testing"

	"privatebackend/internal/testsupport/awsstandin"
)

const nodeBranch = "Node.js 24 running on 64bit Amazon Linux 2023"

// passingAccount is a stand-in of an account and region where edge
// deploys: bootstrapped, the default branch with one recommended version,
// room for VPC links, VPCs and vCPUs, a CloudWatch Logs role for API
// Gateway, and every service and instance type in every zone.
func passingAccount(t *testing.T) *awsstandin.Account {
	t.Helper()
	zones := []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	platforms := awsstandin.RecommendedPlatforms("eu-west-1", nodeBranch)
	// The recommended version first, as Beanstalk lists the newest first.
	platforms[0], platforms[1] = platforms[1], platforms[0]
	f := awsstandin.NewAccount("123456789012", "eu-west-1", platforms)
	f.BootstrapVersion = "30"
	f.Branches[nodeBranch] = "supported"
	for _, s := range []string{"elasticbeanstalk", "elasticbeanstalk-health", "sqs", "cloudformation", "logs", "s3"} {
		f.EndpointServices["com.amazonaws.eu-west-1."+s] = zones
	}
	f.VpcLinks = []map[string]string{{"aws:cloudformation:stack-name": "other-Api"}}
	f.Quotas = map[string]float64{"apigateway/L-A4C7274F": 20, "vpc/L-F678F1CE": 5, "ec2/L-0263D0A3": 5, "ec2/L-1216C47A": 32}
	f.CloudWatchRoleArn = "arn:aws:iam::123456789012:role/ApiGatewayAccount-CloudWatchRole"
	f.Zones, f.DefaultSubnets = zones, zones
	f.Offerings = map[string][]string{"t3.small": zones, "t3.medium": zones, "t3a.medium": zones}
	f.VCPUs = map[string]int{"t3.small": 2, "t3.medium": 2, "t3a.medium": 2}
	f.Running = []string{"t3.small", "m5.large"}
	f.VpcCount = 1
	f.Prices = map[string]awsstandin.Price{
		"VpcEndpoint-Hours":       {USD: "0.0110000000", Unit: "Hrs"},
		"NatGateway-Hours":        {USD: "0.0480000000", Unit: "Hrs"},
		"PublicIPv4:InUseAddress": {USD: "0.0050000000", Unit: "Hrs"},
		"LoadBalancerUsage":       {USD: "0.0252000000", Unit: "Hrs"},
		"BoxUsage:t3.small":       {USD: "0.0228000000", Unit: "Hrs"},
		"BoxUsage:t3.medium":      {USD: "0.0456000000", Unit: "Hrs"},
		"WebACLV2":                {USD: "5.0000000000", Unit: "ACL"},
		"RuleV2":                  {USD: "1.0000000000", Unit: "Rule"},
		"KMS-Keys":                {USD: "1.0000000000", Unit: "Keys"},
		"CW:AlarmMonitorUsage":    {USD: "0.1000000000", Unit: "Alarms"},
		"DashboardsUsageHour":     {USD: "3.0000000000", Unit: "Dashboards"},
	}
	return f
}

// serve starts the stand-in for the test and returns its URL.
func serve(t *testing.T, f *awsstandin.Account) string {
	t.Helper()
	url := f.Start()
	t.Cleanup(f.Close)
	return url
}

// setPlatforms changes the platform versions of the stand-in's Beanstalk.
func setPlatforms(f *awsstandin.Account, change func([]awsstandin.PlatformSummary) []awsstandin.PlatformSummary) {
	f.Beanstalk.SetPlatforms(change(f.Beanstalk.Platforms()))
}
