package preflight

import (
	"bytes"
	"encoding/json"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"privatebackend/internal/testsupport/awsstandin"
)

const timeout = 5 * time.Second

// result returns the named check's result.
func result(t *testing.T, r Report, check string) Result {
	t.Helper()
	for _, c := range r.Checks {
		if c.Check == check {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", check, r.Checks)
	return Result{}
}

// expect fails unless the check has the outcome and its detail says each of want.
func expect(t *testing.T, r Report, check, outcome string, want ...string) {
	t.Helper()
	c := result(t, r, check)
	if c.Result != outcome {
		t.Errorf("%s: %s (%s), want %s", check, c.Result, c.Detail, outcome)
		return
	}
	for _, w := range want {
		if !strings.Contains(c.Detail, w) {
			t.Errorf("%s: detail %q does not say %q", check, c.Detail, w)
		}
	}
}

// readOnly are the verbs of every call preflight may make.
var readOnly = []string{"Get", "List", "Describe"}

func TestAPassingAccountPassesEveryCheckWithReadOnlyCalls(t *testing.T) {
	f := passingAccount(t)
	r := runPreflight(t, f, edgeJSON, timeout)
	if !r.Passed || r.Account != "123456789012" || r.Region != "eu-west-1" {
		var table bytes.Buffer
		_ = r.WriteTable(&table)
		t.Fatalf("a passing account did not pass:\n%s", table.String())
	}
	var names []string
	for _, c := range r.Checks {
		names = append(names, c.Check)
		if c.Result != Pass {
			t.Errorf("%s: %s %s", c.Check, c.Result, c.Detail)
		}
		if len(c.Permissions) == 0 {
			t.Errorf("%s names no permission", c.Check)
		}
	}
	if got := strings.Join(names, ","); got != "identity,bootstrap,stacks,platform blue,platform green,vpc links,api gateway logging,endpoint services,instance types,vpc,vcpu quota" {
		t.Errorf("checks %s", got)
	}
	expect(t, r, "bootstrap", Pass, "/cdk-bootstrap/hnb659fds/version is 30 (the stacks require 6)")
	expect(t, r, "platform blue", Pass, "one recommended version, 6.11.0")
	expect(t, r, "vpc links", Pass, "VPC links: 1 of other APIs + 2 of edge-Api = 3, within the quota of 20 (applied quota apigateway L-A4C7274F)")
	expect(t, r, "endpoint services", Pass, "eu-west-1a, eu-west-1b", "Fn::GetAZs")
	expect(t, r, "vpc", Pass, "VPCs: 1 + 1 new = 2, within the quota of 5")
	// 2 backends × 2 × t3.small (2 vCPUs); t3.small and m5.large run already.
	expect(t, r, "vcpu quota", Pass, "need 8 vCPUs; 4 run already; quota 32")
	expect(t, r, "stacks", Pass, "none of the 5 stacks exists yet")
	for _, call := range f.Calls() {
		_, action, _ := strings.Cut(call, ":")
		readonly := false
		for _, verb := range readOnly {
			readonly = readonly || strings.HasPrefix(action, verb)
		}
		if !readonly {
			t.Errorf("preflight called %s, which is not a read", call)
		}
	}
}

func TestTheEstimatePricesEveryFixedCharge(t *testing.T) {
	f := passingAccount(t)
	e := runPreflight(t, f, coreJSON, timeout).Estimate
	if e == nil || !e.Complete || e.Region != "eu-west-1" {
		t.Fatalf("estimate %+v", e)
	}
	want := map[string]float64{
		"NAT gateways":                           3 * 0.048 * 730,
		"public IPv4 addresses (NAT)":            3 * 0.005 * 730,
		"Network Load Balancers":                 1 * 0.0252 * 730,
		"t3.medium instances (Linux, on demand)": 3 * 0.0456 * 730,
		"WAF web ACLs":                           5,
		"WAF rules":                              3,
		"KMS keys":                               1,
		// two stages' error rates (2 metrics each), their latency, the backend's health
		"alarm metrics": 0.1 * (2*2 + 2 + 1),
		"dashboards":    3,
	}
	total := 0.0
	for _, i := range e.Items {
		w, ok := want[i.Item]
		if !ok {
			t.Errorf("unexpected item %+v", i)
			continue
		}
		if diff := i.MonthlyUSD - w; diff > 0.001 || diff < -0.001 {
			t.Errorf("%s: $%.4f a month, want $%.4f (%+v)", i.Item, i.MonthlyUSD, w, i)
		}
		total += w
		delete(want, i.Item)
	}
	if len(want) > 0 {
		t.Errorf("items missing: %v", want)
	}
	if diff := e.MonthlyUSD - total; diff > 0.001 || diff < -0.001 {
		t.Errorf("total $%.2f, want $%.2f", e.MonthlyUSD, total)
	}
	var table bytes.Buffer
	if err := e.writeTable(&table); err != nil || !strings.Contains(table.String(), "NAT gateways") || !strings.Contains(table.String(), "$0.0480/hour") || !strings.Contains(table.String(), "an estimate") {
		t.Errorf("estimate table:\n%s", table.String())
	}
	// edge reaches AWS through interface endpoints, 5 services in 2 zones.
	for _, i := range runPreflight(t, passingAccount(t), edgeJSON, timeout).Estimate.Items {
		if i.Item == "interface endpoints (per zone)" && (i.Quantity != 10 || i.Unit != "hour" || i.UnitUSD != 0.011) {
			t.Errorf("interface endpoints: %+v", i)
		}
	}
}

func TestAMissingPriceLeavesTheEstimateIncomplete(t *testing.T) {
	f := passingAccount(t)
	delete(f.Prices, "KMS-Keys")
	f.Denied["pricing:GetProducts"] = false
	e := runPreflight(t, f, edgeJSON, timeout).Estimate
	if e.Complete {
		t.Fatal("an estimate without a KMS price is complete")
	}
	var table bytes.Buffer
	_ = e.writeTable(&table)
	if !strings.Contains(table.String(), "no awskms product with usage type KMS-Keys in eu-west-1") || !strings.Contains(table.String(), "total") || !strings.Contains(table.String(), "at least $") {
		t.Errorf("table:\n%s", table.String())
	}
}

func TestCredentialsForAnotherAccountSkipTheOtherChecks(t *testing.T) {
	f := passingAccount(t)
	f.Account = "999999999999"
	r := runPreflight(t, f, coreJSON, timeout)
	expect(t, r, "identity", Fail, "account 999999999999", "deploys to account 123456789012", "environments.core.account")
	expect(t, r, "bootstrap", Skip, "not run")
	expect(t, r, "instance types", Skip, "not run")
	if r.Passed || r.Estimate != nil || f.Called("ssm:GetParameter") != 0 {
		t.Error("checks ran against the wrong account")
	}
}

func TestBootstrap(t *testing.T) {
	f := passingAccount(t)
	f.BootstrapVersion = ""
	expect(t, runPreflight(t, f, edgeJSON, timeout), "bootstrap", Fail, "not bootstrapped", "npx cdk bootstrap aws://123456789012/eu-west-1")
	f = passingAccount(t)
	f.BootstrapVersion = "5"
	expect(t, runPreflight(t, f, edgeJSON, timeout), "bootstrap", Fail, "version 5, older than the 6 the stacks require")
}

func TestPlatformBranches(t *testing.T) {
	other := strings.Replace(edgeJSON, `"blue": {}`, `"blue": {"platform": "Node.js 12 running on 64bit Amazon Linux 2"}`, 1)
	f := passingAccount(t)
	expect(t, runPreflight(t, f, other, timeout), "platform blue", Fail, "no platform branch \"Node.js 12 running on 64bit Amazon Linux 2\" in eu-west-1", "environments.edge.backends.blue.platform")

	f = passingAccount(t)
	f.Branches["Node.js 12 running on 64bit Amazon Linux 2"] = "retired"
	expect(t, runPreflight(t, f, other, timeout), "platform blue", Fail, "is retired")

	// A supported branch always has a recommended version, so none visible
	// means ListPlatformVersions filtered them out for lack of permission.
	f = passingAccount(t)
	setPlatforms(f, func(ps []awsstandin.PlatformSummary) []awsstandin.PlatformSummary {
		for i := range ps {
			ps[i].PlatformLifecycleState = ""
		}
		return ps
	})
	expect(t, runPreflight(t, f, edgeJSON, timeout), "platform blue", Error, "elasticbeanstalk:ListPlatformVersions on arn:aws:elasticbeanstalk:eu-west-1::platform/"+nodeBranch+"/*")

	f = passingAccount(t)
	f.Branches[nodeBranch] = "deprecated"
	r := runPreflight(t, f, edgeJSON, timeout)
	expect(t, r, "platform blue", Warn, "deprecated")
	if !r.Passed {
		t.Error("a deprecated branch, which still deploys, failed preflight")
	}

	f = passingAccount(t)
	setPlatforms(f, func(ps []awsstandin.PlatformSummary) []awsstandin.PlatformSummary {
		newer := ps[0]
		newer.PlatformArn, newer.PlatformVersion = "arn:aws:elasticbeanstalk:eu-west-1::platform/"+nodeBranch+"/6.12.0", "6.12.0"
		return append(ps, newer)
	})
	expect(t, runPreflight(t, f, edgeJSON, timeout), "platform blue", Warn, "2 versions", "takes the first")
}

func TestPinnedPlatformVersions(t *testing.T) {
	pinned := func(version string) string {
		return strings.Replace(coreJSON, `"minInstances": 3`, `"platform": "arn:aws:elasticbeanstalk:eu-west-1::platform/`+nodeBranch+`/`+version+`", "minInstances": 3`, 1)
	}
	f := passingAccount(t)
	r := runPreflight(t, f, pinned("6.11.0"), timeout)
	expect(t, r, "platform blue", Pass, "is the recommended version")
	if f.Called("elasticbeanstalk:ListPlatformBranches") != 0 {
		t.Error("a pinned version was looked up as a branch")
	}

	expect(t, runPreflight(t, passingAccount(t), pinned("5.0.0"), timeout), "platform blue", Fail, "does not exist in eu-west-1", "environments.core.backends.blue.platform")

	f = passingAccount(t)
	r = runPreflight(t, f, pinned("6.10.0"), timeout)
	expect(t, r, "platform blue", Fail, "not the recommended version", "last 30 days", "pin arn:aws:elasticbeanstalk:eu-west-1::platform/"+nodeBranch+"/6.11.0")

	f = passingAccount(t)
	f.Environments = []awsstandin.TerminatedEnvironment{{Name: "other-env", PlatformArn: "arn:aws:elasticbeanstalk:eu-west-1::platform/" + nodeBranch + "/6.10.0"}}
	expect(t, runPreflight(t, f, pinned("6.10.0"), timeout), "platform blue", Pass, "environment other-env used it in the last 30 days")
	// Deleted 31 days ago, it no longer makes the version available, and
	// preflight must not ask further back than Beanstalk's 30 days.
	f = passingAccount(t)
	f.Environments = []awsstandin.TerminatedEnvironment{{Name: "old-env", PlatformArn: "arn:aws:elasticbeanstalk:eu-west-1::platform/" + nodeBranch + "/6.10.0", DeletedAgo: 31 * 24 * time.Hour}}
	expect(t, runPreflight(t, f, pinned("6.10.0"), timeout), "platform blue", Fail, "not the recommended version", "last 30 days")

	f = passingAccount(t)
	setPlatforms(f, func(ps []awsstandin.PlatformSummary) []awsstandin.PlatformSummary {
		for i := range ps {
			if ps[i].PlatformVersion == "6.11.0" {
				ps[i].PlatformBranchLifecycleState = "retired"
			}
		}
		return ps
	})
	expect(t, runPreflight(t, f, pinned("6.11.0"), timeout), "platform blue", Fail, "retired branch")
}

func TestVpcLinks(t *testing.T) {
	f := passingAccount(t)
	f.VpcLinks = make([]map[string]string, 19)
	expect(t, runPreflight(t, f, edgeJSON, timeout), "vpc links", Fail, "VPC links: 19 of other APIs + 2 of edge-Api = 21, over the quota of 20", "L-A4C7274F", "environments.edge.api.vpcLinkQuota")

	// The environment's own links, tagged by CloudFormation, are not counted twice.
	f = passingAccount(t)
	f.VpcLinks = append(make([]map[string]string, 18), map[string]string{"aws:cloudformation:stack-name": "edge-Api"}, map[string]string{"aws:cloudformation:stack-name": "edge-Api"})
	expect(t, runPreflight(t, f, edgeJSON, timeout), "vpc links", Pass, "18 of other APIs + 2 of edge-Api (2 exist) = 20, within the quota of 20")

	// A quota Service Quotas does not hold an applied value for: AWS's default.
	f = passingAccount(t)
	delete(f.Quotas, "apigateway/L-A4C7274F")
	f.DefaultQuotas["apigateway/L-A4C7274F"] = 20
	expect(t, runPreflight(t, f, edgeJSON, timeout), "vpc links", Pass, "AWS default of apigateway L-A4C7274F")

	// A quota that cannot be read: the documented default, saying so.
	f = passingAccount(t)
	f.Denied["servicequotas:GetServiceQuota"] = true
	expect(t, runPreflight(t, f, edgeJSON, timeout), "vpc links", Pass, "within the quota of 20 (documented default, as apigateway L-A4C7274F servicequotas:GetServiceQuota was denied)")
}

func TestAPIGatewayWithoutACloudWatchRoleSaysToDeployTheAccountStack(t *testing.T) {
	f := passingAccount(t)
	f.CloudWatchRoleArn = ""
	expect(t, runPreflight(t, f, edgeJSON, timeout), "api gateway logging", Fail, "no CloudWatch Logs role", "deploy the ApiGatewayAccount stacks first (cdk deploy 'ApiGatewayAccount/*', see README)")
}

func TestZones(t *testing.T) {
	// Fn::GetAZs takes zones with a default subnet, alphabetically.
	f := passingAccount(t)
	f.DefaultSubnets = []string{"eu-west-1c", "eu-west-1b"}
	f.EndpointServices["com.amazonaws.eu-west-1.sqs"] = []string{"eu-west-1a", "eu-west-1b"}
	expect(t, runPreflight(t, f, edgeJSON, timeout), "endpoint services", Fail, "com.amazonaws.eu-west-1.sqs is not offered in eu-west-1c", `network.egress to "nat"`)

	f = passingAccount(t)
	delete(f.EndpointServices, "com.amazonaws.eu-west-1.elasticbeanstalk-health")
	expect(t, runPreflight(t, f, edgeJSON, timeout), "endpoint services", Fail, "com.amazonaws.eu-west-1.elasticbeanstalk-health is not offered in eu-west-1")

	f = passingAccount(t)
	f.Offerings["t3.medium"] = []string{"eu-west-1a", "eu-west-1b"}
	expect(t, runPreflight(t, f, coreJSON, timeout), "instance types", Fail, "t3.medium (backend blue) is not offered in eu-west-1c", "environments.core.backends.blue.instanceType")

	// A NAT environment creates no endpoints.
	f = passingAccount(t)
	r := runPreflight(t, f, coreJSON, timeout)
	for _, c := range r.Checks {
		if c.Check == "endpoint services" {
			t.Error("a NAT environment checked endpoint services")
		}
	}
}

func TestNewVpcQuotas(t *testing.T) {
	f := passingAccount(t)
	f.VpcCount = 5
	expect(t, runPreflight(t, f, edgeJSON, timeout), "vpc", Fail, "has 5 VPCs and the quota is 5", "L-F678F1CE", "network.vpcId")

	f = passingAccount(t)
	f.Addresses = 3
	expect(t, runPreflight(t, f, coreJSON, timeout), "vpc", Fail, "the 3 NAT gateways need 3 Elastic IPs", "3 of 5 in use", "L-0263D0A3")

	f = passingAccount(t)
	f.VpcCount = 5
	f.PutStack("edge-Network", "UPDATE_COMPLETE")
	expect(t, runPreflight(t, f, edgeJSON, timeout), "vpc", Pass, "edge-Network exists")
}

// sharedVpc is an existing VPC the shared environment can use: two private
// subnets in two zones on their own route table, with every endpoint.
func sharedVpc() *awsstandin.ExistingVpc {
	endpoints := []string{}
	for _, s := range []string{"elasticbeanstalk", "elasticbeanstalk-health", "sqs", "cloudformation", "logs"} {
		endpoints = append(endpoints, "com.amazonaws.eu-west-1."+s)
	}
	return &awsstandin.ExistingVpc{
		ID: "vpc-0123456789abcdef0", DNSSupport: true, DNSHostnames: true,
		Subnets: map[string][2]string{
			"subnet-0aaaaaaaaaaaaaaaa": {"eu-west-1a", "rtb-private"},
			"subnet-0bbbbbbbbbbbbbbbb": {"eu-west-1b", "rtb-private"},
		},
		RouteTables:                 [][2]string{{"rtb-main", "igw-0123"}, {"rtb-private", ""}},
		InterfaceEndpoints:          endpoints,
		InterfaceEndpointPrivateDNS: true,
		GatewayEndpointRouteTables:  []string{"rtb-private"},
	}
}

func TestExistingVpc(t *testing.T) {
	f := passingAccount(t)
	f.Existing = sharedVpc()
	r := runPreflight(t, f, sharedJSON, timeout)
	expect(t, r, "vpc", Pass, "2 private subnets in eu-west-1a, eu-west-1b")
	expect(t, r, "instance types", Pass, "the backends' subnets in vpc-0123456789abcdef0")

	for name, c := range map[string]struct {
		change func(v *awsstandin.ExistingVpc)
		want   []string
	}{
		"no DNS hostnames": {func(v *awsstandin.ExistingVpc) { v.DNSHostnames = false }, []string{"enableDnsHostnames is off", "--enable-dns-hostnames"}},
		"a public subnet": {func(v *awsstandin.ExistingVpc) {
			v.Subnets["subnet-0bbbbbbbbbbbbbbbb"] = [2]string{"eu-west-1b", "rtb-main"}
		}, []string{"subnet subnet-0bbbbbbbbbbbbbbbb is public (its default route is igw-0123)", "no s3 gateway endpoint on route table rtb-main"}},
		"one zone": {func(v *awsstandin.ExistingVpc) {
			v.Subnets["subnet-0bbbbbbbbbbbbbbbb"] = [2]string{"eu-west-1a", "rtb-private"}
		}, []string{"1 availability zone(s)"}},
		"no endpoints":   {func(v *awsstandin.ExistingVpc) { v.InterfaceEndpoints = v.InterfaceEndpoints[1:] }, []string{"no available interface endpoint with private DNS for com.amazonaws.eu-west-1.elasticbeanstalk"}},
		"no private DNS": {func(v *awsstandin.ExistingVpc) { v.InterfaceEndpointPrivateDNS = false }, []string{"with private DNS for com.amazonaws.eu-west-1.sqs"}},
	} {
		f := passingAccount(t)
		f.Existing = sharedVpc()
		c.change(f.Existing)
		expect(t, runPreflight(t, f, sharedJSON, timeout), "vpc", Fail, append(c.want, "environments.shared.network.vpcId")...)
		_ = name
	}

	nat := strings.Replace(sharedJSON, `"egress": "endpoints"`, `"egress": "nat"`, 1)
	f = passingAccount(t)
	f.Existing = sharedVpc()
	expect(t, runPreflight(t, f, nat, timeout), "vpc", Fail, `subnet subnet-0aaaaaaaaaaaaaaaa has no default route, but egress is "nat"`)
	f.Existing.RouteTables[1][1] = "nat-0123"
	expect(t, runPreflight(t, f, nat, timeout), "vpc", Pass, "a default route through NAT")

	f = passingAccount(t)
	f.Existing = sharedVpc()
	f.Existing.ID = "vpc-0ffffffffffffffff"
	expect(t, runPreflight(t, f, sharedJSON, timeout), "vpc", Fail, "vpc-0123456789abcdef0 does not exist in account 123456789012, eu-west-1")
}

func TestVCPUQuota(t *testing.T) {
	f := passingAccount(t)
	f.Quotas["ec2/L-1216C47A"] = 10
	expect(t, runPreflight(t, f, edgeJSON, timeout), "vcpu quota", Fail, "blue 2 × t3.small, green 2 × t3.small need 8 vCPUs; 4 run already; quota 10", "L-1216C47A")

	// A deployed backend's instances run already: counted once.
	f = passingAccount(t)
	f.Quotas["ec2/L-1216C47A"] = 10
	f.PutStack("edge-Backend-blue", "UPDATE_COMPLETE")
	expect(t, runPreflight(t, f, edgeJSON, timeout), "vcpu quota", Pass, "green 2 × t3.small need 4 vCPUs; 4 run already; quota 10")

	// The quota has no documented default: unreadable, it is an error.
	f = passingAccount(t)
	f.Denied["servicequotas:GetServiceQuota"] = true
	expect(t, runPreflight(t, f, edgeJSON, timeout), "vcpu quota", Error, "servicequotas:GetServiceQuota ec2 L-1216C47A was denied")
}

func TestStackStates(t *testing.T) {
	f := passingAccount(t)
	f.PutStack("edge-Api", "UPDATE_ROLLBACK_FAILED")
	f.PutStack("edge-Network", "UPDATE_IN_PROGRESS")
	expect(t, runPreflight(t, f, edgeJSON, timeout), "stacks", Fail, "edge-Api is UPDATE_ROLLBACK_FAILED", "continue-update-rollback --stack-name edge-Api", "edge-Network is UPDATE_IN_PROGRESS: wait")

	f = passingAccount(t)
	f.PutStack("edge-Api", "ROLLBACK_COMPLETE")
	f.PutStack("edge-Network", "CREATE_COMPLETE")
	expect(t, runPreflight(t, f, edgeJSON, timeout), "stacks", Pass, "2 of 5 stacks exist", "edge-Api failed creation (ROLLBACK_COMPLETE); cdk deploy deletes and re-creates it")
}

func TestADeniedCallNamesItsPermissionAndTheOtherChecksStillRun(t *testing.T) {
	f := passingAccount(t)
	f.Denied["ec2:DescribeVpcEndpointServices"] = true
	f.Denied["apigateway:GetVpcLinks"] = true
	f.Denied["ssm:GetParameter"] = true
	r := runPreflight(t, f, edgeJSON, timeout)
	expect(t, r, "endpoint services", Error, "ec2:DescribeVpcEndpointServices was denied", "preflight policy")
	expect(t, r, "vpc links", Error, "apigateway:GET /vpclinks was denied")
	expect(t, r, "bootstrap", Error, "ssm:GetParameter /cdk-bootstrap/hnb659fds/version was denied")
	for _, still := range []string{"instance types", "platform blue", "vpc", "api gateway logging", "vcpu quota"} {
		expect(t, r, still, Pass)
	}
	if r.Passed {
		t.Error("a run with denied calls passed")
	}
}

func TestATimeoutIsReportedAndTheOtherChecksStillRun(t *testing.T) {
	f := passingAccount(t)
	f.Delay["apigateway:GetAccount"] = time.Second
	r := runPreflight(t, f, edgeJSON, 200*time.Millisecond)
	expect(t, r, "api gateway logging", Error, "apigateway:GET /account did not answer within 200ms (-timeout)")
	expect(t, r, "bootstrap", Pass)
}

func TestReportJSONNamesEachCheckItsResultAndPermissions(t *testing.T) {
	r := runPreflight(t, passingAccount(t), edgeJSON, timeout)
	var out bytes.Buffer
	if err := r.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Environment string
		Passed      bool
		Checks      []struct {
			Check, Result, Detail string
			Permissions           []string
		}
		Estimate struct {
			MonthlyUSD float64
			Complete   bool
		}
	}
	if err := json.Unmarshal(out.Bytes(), &decoded); err != nil || !decoded.Passed || decoded.Environment != "edge" || !decoded.Estimate.Complete || decoded.Estimate.MonthlyUSD <= 0 {
		t.Fatalf("%v %+v\n%s", err, decoded, out.String())
	}
	for _, c := range decoded.Checks {
		want := map[string]string{
			"bootstrap":         "ssm:GetParameter",
			"endpoint services": "ec2:DescribeAvailabilityZones ec2:DescribeSubnets ec2:DescribeVpcEndpointServices",
			"instance types":    "ec2:DescribeAvailabilityZones ec2:DescribeSubnets ec2:DescribeInstanceTypeOfferings",
		}[c.Check]
		if got := strings.Join(c.Permissions, " "); want != "" && got != want {
			t.Errorf("%s permissions %s, want %s", c.Check, got, want)
		}
	}
}

func TestReadAssemblyFindsTheEnvironmentsStacksAndTheirBootstrapRequirement(t *testing.T) {
	plan := planOf(t, coreJSON)
	dir := writeAssembly(t, plan)
	for _, d := range []string{dir, filepath.Join(dir, "assembly-core")} {
		asm, err := ReadAssembly(d, "core")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(asm.StackNames(), ","); got != "core-Alerts,core-Api,core-Backend-blue,core-Network" {
			t.Errorf("%s: stacks %s", d, got)
		}
		if asm.Bootstrap["/cdk-bootstrap/hnb659fds/version"] != 6 {
			t.Errorf("bootstrap requirement %v", asm.Bootstrap)
		}
		if want := "arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-eu-west-1"; asm.LookupRoleArn != want {
			t.Errorf("lookup role %q", asm.LookupRoleArn)
		}
	}
	if _, err := ReadAssembly(dir, "edge"); err == nil || !strings.Contains(err.Error(), "has no stacks of environment edge; synthesize it with ./scripts/synth -c env=edge") {
		t.Errorf("another environment's assembly: %v", err)
	}
	if _, err := ReadAssembly(t.TempDir(), "core"); err == nil || !strings.Contains(err.Error(), "is not a cloud assembly (no manifest.json)") {
		t.Errorf("an empty directory: %v", err)
	}
}

func TestLookupRoleArnFillsThePseudoParameters(t *testing.T) {
	template := "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-lookup-role-${AWS::AccountId}-${AWS::Region}"
	for region, want := range map[string]string{
		"eu-west-1":     "arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-eu-west-1",
		"cn-north-1":    "arn:aws-cn:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-cn-north-1",
		"us-gov-west-1": "arn:aws-us-gov:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-us-gov-west-1",
	} {
		if got := lookupRoleArn(template, "111111111111", region); got != want {
			t.Errorf("%s: %s, want %s", region, got, want)
		}
	}
}

func TestStandardFamilies(t *testing.T) {
	for instanceType, want := range map[string]bool{
		"t3.small": true, "m7g.large": true, "c6i.xlarge": true, "r5.large": true, "z1d.large": true, "i4i.large": true, "d3.xlarge": true, "a1.medium": true, "hpc7g.4xlarge": false,
		"inf2.xlarge": false, "dl1.24xlarge": false, "trn1.2xlarge": false, "mac2.metal": false, "g5.xlarge": false, "p4d.24xlarge": false, "x2idn.16xlarge": false, "u-6tb1.metal": false, "f1.2xlarge": false,
	} {
		if standardFamily(instanceType) != want {
			t.Errorf("standardFamily(%s) = %v", instanceType, !want)
		}
	}
}

// TestCostItemsCountWhatTheFixturesEnvironmentsCreate counts the priced
// resources in the reviewed snapshot templates of the root package's
// pipeline fixture (testdata/apps/pipeline.json): an environment-agnostic
// environment with VPC endpoints and one backend at the defaults, and a
// pinned one with NAT gateways and two backends.
func TestCostItemsCountWhatTheFixturesEnvironmentsCreate(t *testing.T) {
	for env, want := range map[string]map[string]int{
		// Two zones of five interface endpoints; the default t3.small, two instances.
		"solo": {"interface endpoints (per zone)": 10, "Network Load Balancers": 1, "t3.small instances (Linux, on demand)": 2,
			"WAF web ACLs": 1, "WAF rules": 3, "KMS keys": 3, "alarm metrics": 5, "dashboards": 1},
		// A NAT gateway and its address per zone; two backends of two t3.medium.
		"pinned": {"NAT gateways": 2, "public IPv4 addresses (NAT)": 2, "Network Load Balancers": 2, "t3.medium instances (Linux, on demand)": 4,
			"WAF web ACLs": 1, "WAF rules": 3, "KMS keys": 3, "alarm metrics": 10, "dashboards": 1},
	} {
		plan, err := LoadPlan("../testdata/apps/pipeline.json", env)
		if err != nil {
			t.Fatal(err)
		}
		asm := &Assembly{Stacks: map[string]Template{}}
		paths, _ := filepath.Glob("../testdata/snapshots/apps/pipeline/" + env + "-*.json")
		if len(paths) == 0 {
			t.Fatalf("no snapshots of environment %s (run ./scripts/test -update)", env)
		}
		for _, path := range paths {
			tpl, err := readTemplate(path)
			if err != nil {
				t.Fatal(err)
			}
			asm.Stacks[strings.TrimSuffix(filepath.Base(path), ".json")] = tpl
		}
		r := &runner{plan: plan, asm: asm}
		got := map[string]int{}
		for _, item := range r.costItems() {
			if item.quantity > 0 {
				got[item.item] = item.quantity
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: priced quantities %#v, want %#v", env, got, want)
		}
	}
}

func TestAnUnexpectedErrorSaysWhatWentWrongInOneLine(t *testing.T) {
	f := passingAccount(t)
	f.Existing = sharedVpc()
	delete(f.Existing.Subnets, "subnet-0bbbbbbbbbbbbbbbb")
	expect(t, runPreflight(t, f, sharedJSON, timeout), "instance types", Error, "ec2:DescribeSubnets failed: InvalidSubnetID.NotFound: The subnet ID 'subnet-0bbbbbbbbbbbbbbbb' does not exist")

	plan := planOf(t, edgeJSON)
	asm, err := ReadAssembly(writeAssembly(t, plan), "edge")
	if err != nil {
		t.Fatal(err)
	}
	r := Preflight(t.Context(), plan, asm, awsConfig("http://127.0.0.1:1", "eu-west-1"), Settings{Timeout: timeout})
	expect(t, r, "identity", Error, `sts:GetCallerIdentity failed: could not reach AWS: Post "http://127.0.0.1:1/"`)
}
