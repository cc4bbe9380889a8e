package preflight

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAWS stands in for every API preflight calls, on one loopback server,
// in the protocol the SDK really speaks for each service: Query/XML for
// STS, Elastic Beanstalk and CloudFormation, EC2's own query protocol,
// JSON 1.1 for SSM, Service Quotas and the Price List API, REST-JSON for
// API Gateway. It tells the services apart by the SigV4 signing name in
// the Authorization header, checks each request's action (or target, or
// path), API version and parameter names against the API reference, and
// answers in the documented shape. The state below is one account.
type fakeAWS struct {
	t *testing.T

	mu    sync.Mutex
	calls []string              // "service:Action" in order
	keys  map[string]string     // the access key that signed each action last
	form  map[string]url.Values // each Query action's last parameters

	account           string
	region            string
	bootstrapVersion  string              // "" answers ParameterNotFound
	branches          map[string]string   // platform branch → lifecycle state
	recommended       map[string][]string // branch → recommended version ARNs
	platforms         map[string]fakePlatform
	environments      []fakeEnvironment
	vpcLinks          []map[string]string // each link's tags
	quotas            map[string]float64  // "service/code" → applied value
	defaultQuotas     map[string]float64  // "service/code" → AWS default
	cloudwatchRoleArn string
	zones             []string            // the region's availability zones
	defaultSubnets    []string            // zones with a default subnet
	endpointServices  map[string][]string // endpoint service name → zones
	offerings         map[string][]string // instance type → zones
	vcpus             map[string]int      // instance type → default vCPUs
	running           []string            // instance types of running instances
	vpcCount          int
	addresses         int
	stacks            map[string]string // stack name → status
	existing          *fakeVpc
	prices            map[string]fakePrice // usage type suffix → price

	objects    map[string]bool // "bucket/key" of the S3 objects that exist
	secretArns map[string]bool // Secrets Manager secrets and SSM parameters that exist, by ARN

	denied map[string]bool          // "service:Action" answered AccessDenied
	delay  map[string]time.Duration // "service:Action" answered after this long
}

type fakePlatform struct {
	branch, branchState, lifecycle, status string
}

type fakeEnvironment struct {
	name, platformArn string
}

type fakePrice struct {
	usd, unit string
}

// fakeVpc is an existing VPC: its DNS attributes, its subnets (id → zone,
// route table), route tables (id → default route target, "" for none; the
// first one is the main table) and endpoints.
type fakeVpc struct {
	id                          string
	dnsSupport, dnsHostnames    bool
	subnets                     map[string][2]string
	routeTables                 [][2]string
	interfaceEndpoints          []string // service names
	gatewayEndpointRouteTables  []string // route tables with the S3 gateway endpoint
	interfaceEndpointPrivateDNS bool
}

const nodeBranch = "Node.js 24 running on 64bit Amazon Linux 2023"

// passingAccount is an account and region where dev deploys: bootstrapped,
// the default branch with one recommended version, room for VPC links,
// VPCs and vCPUs, a CloudWatch Logs role for API Gateway, and every
// service and instance type in both zones.
func passingAccount(t *testing.T) *fakeAWS {
	zones := []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	services := map[string][]string{}
	for _, s := range []string{"elasticbeanstalk", "elasticbeanstalk-health", "sqs", "cloudformation", "logs", "s3"} {
		services["com.amazonaws.eu-west-1."+s] = zones
	}
	return &fakeAWS{
		t: t, keys: map[string]string{}, form: map[string]url.Values{},
		account: "123456789012", region: "eu-west-1",
		bootstrapVersion: "30",
		branches:         map[string]string{nodeBranch: "supported"},
		recommended:      map[string][]string{nodeBranch: {"arn:aws:elasticbeanstalk:eu-west-1::platform/" + nodeBranch + "/6.11.0"}},
		platforms: map[string]fakePlatform{
			"arn:aws:elasticbeanstalk:eu-west-1::platform/" + nodeBranch + "/6.11.0": {nodeBranch, "supported", "recommended", "Ready"},
			"arn:aws:elasticbeanstalk:eu-west-1::platform/" + nodeBranch + "/6.10.0": {nodeBranch, "supported", "", "Ready"},
		},
		vpcLinks:          []map[string]string{{"aws:cloudformation:stack-name": "other-Api"}},
		quotas:            map[string]float64{"apigateway/L-A4C7274F": 20, "vpc/L-F678F1CE": 5, "ec2/L-0263D0A3": 5, "ec2/L-1216C47A": 32},
		defaultQuotas:     map[string]float64{},
		cloudwatchRoleArn: "arn:aws:iam::123456789012:role/ApiGatewayAccount-CloudWatchRole",
		zones:             zones,
		defaultSubnets:    zones,
		endpointServices:  services,
		offerings:         map[string][]string{"t3.small": zones, "t3.medium": zones, "t3a.medium": zones},
		vcpus:             map[string]int{"t3.small": 2, "t3.medium": 2, "t3a.medium": 2},
		running:           []string{"t3.small", "m5.large"},
		vpcCount:          1,
		stacks:            map[string]string{},
		prices: map[string]fakePrice{
			"VpcEndpoint-Hours":       {"0.0110000000", "Hrs"},
			"NatGateway-Hours":        {"0.0480000000", "Hrs"},
			"PublicIPv4:InUseAddress": {"0.0050000000", "Hrs"},
			"LoadBalancerUsage":       {"0.0252000000", "Hrs"},
			"BoxUsage:t3.small":       {"0.0228000000", "Hrs"},
			"BoxUsage:t3.medium":      {"0.0456000000", "Hrs"},
			"WebACLV2":                {"5.0000000000", "ACL"},
			"RuleV2":                  {"1.0000000000", "Rule"},
			"KMS-Keys":                {"1.0000000000", "Keys"},
			"CW:AlarmMonitorUsage":    {"0.1000000000", "Alarms"},
			"DashboardsUsageHour":     {"3.0000000000", "Dashboards"},
		},
		denied: map[string]bool{},
		delay:  map[string]time.Duration{},
	}
}

// serve starts the stand-in and returns its URL.
func (f *fakeAWS) serve() string {
	server := httptest.NewServer(f)
	f.t.Cleanup(server.Close)
	return server.URL
}

// signingName reads the access key, region and service from the SigV4
// credential scope, Credential=KEY/DATE/REGION/SERVICE/aws4_request.
var signingName = regexp.MustCompile(`Credential=([^/]+)/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request`)

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := signingName.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		f.t.Errorf("request %s %s is not signed with SigV4", r.Method, r.URL)
		http.Error(w, "unsigned", http.StatusForbidden)
		return
	}
	region, service := m[2], m[3]
	// The Price List API has endpoints in us-east-1, eu-central-1 and
	// ap-south-1 only; everything else is asked in the environment's region.
	if want := map[bool]string{true: "us-east-1", false: f.region}[service == "pricing"]; region != want {
		f.t.Errorf("%s request signed for region %s, want %s", service, region, want)
	}
	switch service {
	case "sts":
		f.query(w, r, service, "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/", stsActions)
	case "elasticbeanstalk":
		f.query(w, r, service, "2010-12-01", "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/", beanstalkActions)
	case "cloudformation":
		f.query(w, r, service, "2010-05-15", "http://cloudformation.amazonaws.com/doc/2010-05-15/", cloudformationActions)
	case "ec2":
		f.query(w, r, service, "2016-11-15", "http://ec2.amazonaws.com/doc/2016-11-15/", ec2Actions)
	case "ssm":
		f.json(w, r, service, "AmazonSSM", ssmActions)
	case "servicequotas":
		f.json(w, r, service, "ServiceQuotasV20190624", quotaActions)
	case "pricing":
		f.json(w, r, service, "AWSPriceListService", pricingActions)
	case "apigateway":
		f.rest(w, r)
	case "s3":
		f.s3(w, r)
	case "secretsmanager":
		f.json(w, r, service, "secretsmanager", secretsActions)
	default:
		f.t.Errorf("unexpected service %s", service)
		http.Error(w, "unexpected service", http.StatusBadRequest)
	}
}

// record notes a call and says how to answer it: false when it is denied
// (the caller then answers AccessDenied) or the client gave up waiting.
func (f *fakeAWS) record(r *http.Request, call string) bool {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.keys[call] = signingName.FindStringSubmatch(r.Header.Get("Authorization"))[1]
	if r.Form != nil {
		f.form[call] = r.Form
	}
	delay, denied := f.delay[call], f.denied[call]
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return false
		}
	}
	return !denied
}

// called reports how often an action was called.
func (f *fakeAWS) called(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == call {
			n++
		}
	}
	return n
}

// queryAction is one Query-protocol action: the parameter names its API
// reference lists (".N" for list members, whose index is checked too) and
// what it answers.
type queryAction struct {
	params []string
	answer func(f *fakeAWS, form url.Values) (string, *fakeError)
}

type fakeError struct {
	code, message string
}

// Request parameters as each API reference lists them.
var (
	ec2Filter  = []string{"Filter.N.Name", "Filter.N.Value.N", "MaxResults", "NextToken", "DryRun"}
	stsActions = map[string]queryAction{"GetCallerIdentity": {nil, (*fakeAWS).getCallerIdentity}, "AssumeRole": {[]string{"RoleArn", "RoleSessionName", "DurationSeconds", "ExternalId", "Policy", "SourceIdentity"}, (*fakeAWS).assumeRole}}
	ec2Actions = map[string]queryAction{
		"DescribeAvailabilityZones":     {append([]string{"ZoneName.N", "ZoneId.N", "AllAvailabilityZones"}, ec2Filter...), (*fakeAWS).describeAvailabilityZones},
		"DescribeSubnets":               {append([]string{"SubnetId.N"}, ec2Filter...), (*fakeAWS).describeSubnets},
		"DescribeVpcEndpointServices":   {append([]string{"ServiceName.N", "ServiceRegion.N"}, ec2Filter...), (*fakeAWS).describeVpcEndpointServices},
		"DescribeInstanceTypeOfferings": {append([]string{"LocationType"}, ec2Filter...), (*fakeAWS).describeInstanceTypeOfferings},
		"DescribeInstanceTypes":         {append([]string{"InstanceType.N"}, ec2Filter...), (*fakeAWS).describeInstanceTypes},
		"DescribeInstances":             {append([]string{"InstanceId.N"}, ec2Filter...), (*fakeAWS).describeInstances},
		"DescribeVpcs":                  {append([]string{"VpcId.N"}, ec2Filter...), (*fakeAWS).describeVpcs},
		"DescribeVpcAttribute":          {[]string{"VpcId", "Attribute", "DryRun"}, (*fakeAWS).describeVpcAttribute},
		"DescribeRouteTables":           {append([]string{"RouteTableId.N"}, ec2Filter...), (*fakeAWS).describeRouteTables},
		"DescribeVpcEndpoints":          {append([]string{"VpcEndpointId.N"}, ec2Filter...), (*fakeAWS).describeVpcEndpoints},
		"DescribeAddresses":             {[]string{"Filter.N.Name", "Filter.N.Value.N", "PublicIp.N", "AllocationId.N", "DryRun"}, (*fakeAWS).describeAddresses},
	}
	beanstalkActions = map[string]queryAction{
		"ListPlatformBranches":    {[]string{"Filters.member.N.Attribute", "Filters.member.N.Operator", "Filters.member.N.Values.member.N", "MaxRecords", "NextToken"}, (*fakeAWS).listPlatformBranches},
		"ListPlatformVersions":    {[]string{"Filters.member.N.Type", "Filters.member.N.Operator", "Filters.member.N.Values.member.N", "MaxRecords", "NextToken"}, (*fakeAWS).listPlatformVersions},
		"DescribePlatformVersion": {[]string{"PlatformArn"}, (*fakeAWS).describePlatformVersion},
		"DescribeEnvironments":    {[]string{"ApplicationName", "VersionLabel", "EnvironmentIds.member.N", "EnvironmentNames.member.N", "IncludeDeleted", "IncludedDeletedBackTo", "MaxRecords", "NextToken"}, (*fakeAWS).describeEnvironments},
	}
	cloudformationActions = map[string]queryAction{"DescribeStacks": {[]string{"StackName", "NextToken"}, (*fakeAWS).describeStacks}}
)

// paramName turns Filter.2.Value.1 into Filter.N.Value.N.
var listIndex = regexp.MustCompile(`\.[1-9][0-9]*(\.|$)`)

// query serves a Query-protocol (or EC2 query) request: a form-encoded POST
// with Action and Version ("Query requests", each API reference's Common
// Parameters), answered with ACTIONResponse/ACTIONResult in the service's
// namespace, or an ErrorResponse (Query) / Response/Errors (EC2) error
// ("Query API error responses"; "Error codes for the Amazon EC2 API").
func (f *fakeAWS) query(w http.ResponseWriter, r *http.Request, service, version, namespace string, actions map[string]queryAction) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		f.t.Errorf("%s: %s with Content-Type %q, want a form-encoded POST", service, r.Method, r.Header.Get("Content-Type"))
	}
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("%s: %v", service, err)
	}
	action, ok := actions[r.Form.Get("Action")]
	if !ok || r.Form.Get("Version") != version {
		f.t.Errorf("%s: Action %q Version %q is not one the stand-in knows (version %s)", service, r.Form.Get("Action"), r.Form.Get("Version"), version)
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	for key := range r.Form {
		if key == "Action" || key == "Version" {
			continue
		}
		if !slices.Contains(action.params, listIndex.ReplaceAllString(key, ".N$1")) {
			f.t.Errorf("%s %s: parameter %q is not in its API reference (%v)", service, r.Form.Get("Action"), key, action.params)
		}
	}
	name := r.Form.Get("Action")
	w.Header().Set("Content-Type", "text/xml")
	if !f.record(r, service+":"+name) {
		f.queryError(w, service, http.StatusForbidden, deniedCode(service), fmt.Sprintf("User: arn:aws:iam::%s:user/preflight is not authorized to perform: %s:%s", f.account, service, name))
		return
	}
	body, ferr := action.answer(f, r.Form)
	if ferr != nil {
		f.queryError(w, service, http.StatusBadRequest, ferr.code, ferr.message)
		return
	}
	if service == "ec2" {
		fmt.Fprintf(w, `<%sResponse xmlns="%s"><requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>%s</%sResponse>`, name, namespace, body, name)
		return
	}
	fmt.Fprintf(w, `<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>c5f1a1e4-5a7c-4a3e-9b6e-EXAMPLE</RequestId></ResponseMetadata></%sResponse>`, name, namespace, name, body, name, name)
}

func deniedCode(service string) string {
	if service == "ec2" {
		return "UnauthorizedOperation"
	}
	return "AccessDenied"
}

func (f *fakeAWS) queryError(w http.ResponseWriter, service string, status int, code, message string) {
	w.WriteHeader(status)
	if service == "ec2" {
		fmt.Fprintf(w, `<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-EXAMPLE</RequestID></Response>`, code, x(message))
		return
	}
	fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>42d59b56-7407-4c4a-be0f-EXAMPLE</RequestId></ErrorResponse>`, code, x(message))
}

// x escapes text for XML.
func x(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// values returns the members of a list parameter: Prefix.1, Prefix.2, ...
func values(form url.Values, prefix string) []string {
	var out []string
	for i := 1; form.Has(fmt.Sprintf("%s.%d", prefix, i)); i++ {
		out = append(out, form.Get(fmt.Sprintf("%s.%d", prefix, i)))
	}
	return out
}

// ec2Filters returns EC2 filters by name: Filter.N.Name, Filter.N.Value.M.
func ec2Filters(form url.Values) map[string][]string {
	out := map[string][]string{}
	for i := 1; form.Has(fmt.Sprintf("Filter.%d.Name", i)); i++ {
		out[form.Get(fmt.Sprintf("Filter.%d.Name", i))] = values(form, fmt.Sprintf("Filter.%d.Value", i))
	}
	return out
}

// STS: GetCallerIdentity and AssumeRole responses (STS API reference).
func (f *fakeAWS) getCallerIdentity(url.Values) (string, *fakeError) {
	return fmt.Sprintf(`<Arn>arn:aws:iam::%s:user/preflight</Arn><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>%s</Account>`, f.account, f.account), nil
}

func (f *fakeAWS) assumeRole(form url.Values) (string, *fakeError) {
	return fmt.Sprintf(`<Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey><SessionToken>session</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn><AssumedRoleId>AROA3XFRBF535PLBIFPI4:%s</AssumedRoleId></AssumedRoleUser>`,
		time.Now().Add(time.Hour).UTC().Format(time.RFC3339), f.account, form.Get("RoleArn")[strings.LastIndex(form.Get("RoleArn"), "/")+1:], form.Get("RoleSessionName"), form.Get("RoleSessionName")), nil
}

// Elastic Beanstalk: ListPlatformBranches (PlatformBranchSummaryList),
// ListPlatformVersions (PlatformSummaryList), DescribePlatformVersion
// (PlatformDescription) and DescribeEnvironments (Environments), as their
// API references show them.
func (f *fakeAWS) listPlatformBranches(form url.Values) (string, *fakeError) {
	if form.Get("Filters.member.1.Attribute") != "BranchName" || form.Get("Filters.member.1.Operator") != "=" {
		f.t.Errorf("ListPlatformBranches filters %v, want BranchName =", form)
	}
	branch := form.Get("Filters.member.1.Values.member.1")
	state, ok := f.branches[branch]
	if !ok {
		return "<PlatformBranchSummaryList/>", nil
	}
	return fmt.Sprintf(`<PlatformBranchSummaryList><member><PlatformName>Node.js</PlatformName><BranchName>%s</BranchName><LifecycleState>%s</LifecycleState><BranchOrder>1</BranchOrder><SupportedTierList><member>WebServer/Standard</member><member>Worker/SQS/HTTP</member></SupportedTierList></member></PlatformBranchSummaryList>`, x(branch), state), nil
}

func (f *fakeAWS) listPlatformVersions(form url.Values) (string, *fakeError) {
	filters := map[string]string{}
	for i := 1; form.Has(fmt.Sprintf("Filters.member.%d.Type", i)); i++ {
		if op := form.Get(fmt.Sprintf("Filters.member.%d.Operator", i)); op != "=" {
			f.t.Errorf("ListPlatformVersions filter operator %q", op)
		}
		filters[form.Get(fmt.Sprintf("Filters.member.%d.Type", i))] = form.Get(fmt.Sprintf("Filters.member.%d.Values.member.1", i))
	}
	if filters["PlatformLifecycleState"] != "recommended" || len(filters) != 2 {
		f.t.Errorf("ListPlatformVersions filters %v, want PlatformBranchName and PlatformLifecycleState = recommended", filters)
	}
	var members strings.Builder
	for _, arn := range f.recommended[filters["PlatformBranchName"]] {
		version := arn[strings.LastIndex(arn, "/")+1:]
		fmt.Fprintf(&members, `<member><PlatformArn>%s</PlatformArn><PlatformOwner>AWSElasticBeanstalk</PlatformOwner><PlatformStatus>Ready</PlatformStatus><PlatformCategory>Node.js</PlatformCategory><OperatingSystemName>Amazon Linux</OperatingSystemName><OperatingSystemVersion>2023</OperatingSystemVersion><PlatformLifecycleState>recommended</PlatformLifecycleState><PlatformVersion>%s</PlatformVersion><PlatformBranchName>%s</PlatformBranchName><PlatformBranchLifecycleState>supported</PlatformBranchLifecycleState></member>`, x(arn), version, x(filters["PlatformBranchName"]))
	}
	return "<PlatformSummaryList>" + members.String() + "</PlatformSummaryList>", nil
}

func (f *fakeAWS) describePlatformVersion(form url.Values) (string, *fakeError) {
	arn := form.Get("PlatformArn")
	p, ok := f.platforms[arn]
	if !ok {
		return "", &fakeError{"InvalidParameterValue", "No Platform found with ARN: " + arn}
	}
	lifecycle := ""
	if p.lifecycle != "" {
		lifecycle = "<PlatformLifecycleState>" + p.lifecycle + "</PlatformLifecycleState>"
	}
	return fmt.Sprintf(`<PlatformDescription><PlatformArn>%s</PlatformArn><PlatformOwner>AWSElasticBeanstalk</PlatformOwner><PlatformName>%s</PlatformName><PlatformVersion>%s</PlatformVersion><PlatformStatus>%s</PlatformStatus><PlatformBranchName>%s</PlatformBranchName><PlatformBranchLifecycleState>%s</PlatformBranchLifecycleState>%s</PlatformDescription>`,
		x(arn), x(p.branch), arn[strings.LastIndex(arn, "/")+1:], p.status, x(p.branch), p.branchState, lifecycle), nil
}

func (f *fakeAWS) describeEnvironments(form url.Values) (string, *fakeError) {
	if form.Get("IncludeDeleted") != "true" {
		f.t.Errorf("DescribeEnvironments without IncludeDeleted: %v", form)
	}
	back, err := time.Parse(time.RFC3339, form.Get("IncludedDeletedBackTo"))
	if err != nil || time.Since(back) < 29*24*time.Hour || time.Since(back) > 31*24*time.Hour {
		f.t.Errorf("IncludedDeletedBackTo %q is not 30 days ago", form.Get("IncludedDeletedBackTo"))
	}
	var members strings.Builder
	for _, e := range f.environments {
		fmt.Fprintf(&members, `<member><EnvironmentName>%s</EnvironmentName><EnvironmentId>e-abcdef0123</EnvironmentId><ApplicationName>app</ApplicationName><PlatformArn>%s</PlatformArn><Status>Terminated</Status><Health>Grey</Health></member>`, e.name, x(e.platformArn))
	}
	return "<Environments>" + members.String() + "</Environments>", nil
}

// CloudFormation: DescribeStacks (Stacks), and the ValidationError for a
// stack that does not exist (DescribeStacks API reference).
func (f *fakeAWS) describeStacks(form url.Values) (string, *fakeError) {
	name := form.Get("StackName")
	status, ok := f.stacks[name]
	if !ok {
		return "", &fakeError{"ValidationError", "Stack with id " + name + " does not exist"}
	}
	return fmt.Sprintf(`<Stacks><member><StackName>%s</StackName><StackId>arn:aws:cloudformation:%s:%s:stack/%s/1</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>%s</StackStatus></member></Stacks>`, name, f.region, f.account, name, status), nil
}

// EC2 responses, as the EC2 API reference shows them (lowercase element
// names, lists as item elements in ...Set).
func (f *fakeAWS) describeAvailabilityZones(form url.Values) (string, *fakeError) {
	if got := ec2Filters(form)["zone-type"]; !slices.Equal(got, []string{"availability-zone"}) {
		f.t.Errorf("DescribeAvailabilityZones zone-type filter %v", got)
	}
	var items strings.Builder
	for i, z := range f.zones {
		fmt.Fprintf(&items, `<item><zoneName>%s</zoneName><zoneState>available</zoneState><regionName>%s</regionName><zoneId>euw1-az%d</zoneId><zoneType>availability-zone</zoneType><optInStatus>opt-in-not-required</optInStatus><messageSet/></item>`, z, f.region, i+1)
	}
	return "<availabilityZoneInfo>" + items.String() + "</availabilityZoneInfo>", nil
}

func (f *fakeAWS) describeSubnets(form url.Values) (string, *fakeError) {
	var items strings.Builder
	subnet := func(id, vpc, zone string, isDefault bool) {
		fmt.Fprintf(&items, `<item><subnetId>%s</subnetId><state>available</state><vpcId>%s</vpcId><cidrBlock>10.0.0.0/24</cidrBlock><availableIpAddressCount>250</availableIpAddressCount><availabilityZone>%s</availabilityZone><defaultForAz>%t</defaultForAz><mapPublicIpOnLaunch>false</mapPublicIpOnLaunch></item>`, id, vpc, zone, isDefault)
	}
	if ids := values(form, "SubnetId"); len(ids) > 0 {
		for _, id := range ids {
			s, ok := f.existing.subnets[id]
			if !ok {
				return "", &fakeError{"InvalidSubnetID.NotFound", "The subnet ID '" + id + "' does not exist"}
			}
			subnet(id, f.existing.id, s[0], false)
		}
		return "<subnetSet>" + items.String() + "</subnetSet>", nil
	}
	if got := ec2Filters(form)["default-for-az"]; !slices.Equal(got, []string{"true"}) {
		f.t.Errorf("DescribeSubnets without subnet ids or the default-for-az filter: %v", form)
	}
	for i, z := range f.defaultSubnets {
		subnet(fmt.Sprintf("subnet-default%d", i), "vpc-default", z, true)
	}
	return "<subnetSet>" + items.String() + "</subnetSet>", nil
}

func (f *fakeAWS) describeVpcEndpointServices(form url.Values) (string, *fakeError) {
	names := values(form, "ServiceName")
	if len(names) != 1 {
		f.t.Errorf("DescribeVpcEndpointServices for %v, want one service", names)
	}
	zones, ok := f.endpointServices[names[0]]
	if !ok {
		return "", &fakeError{"InvalidServiceName", "The Vpc Endpoint Service '" + names[0] + "' does not exist"}
	}
	var azs strings.Builder
	for _, z := range zones {
		azs.WriteString("<item>" + z + "</item>")
	}
	return fmt.Sprintf(`<serviceNameSet><item>%s</item></serviceNameSet><serviceDetailSet><item><serviceName>%s</serviceName><serviceType><item><serviceType>Interface</serviceType></item></serviceType><availabilityZoneSet>%s</availabilityZoneSet><owner>amazon</owner><baseEndpointDnsNameSet><item>%s.amazonaws.com</item></baseEndpointDnsNameSet><vpcEndpointPolicySupported>true</vpcEndpointPolicySupported><acceptanceRequired>false</acceptanceRequired><managesVpcEndpoints>false</managesVpcEndpoints></item></serviceDetailSet>`,
		names[0], names[0], azs.String(), names[0]), nil
}

func (f *fakeAWS) describeInstanceTypeOfferings(form url.Values) (string, *fakeError) {
	if form.Get("LocationType") != "availability-zone" {
		f.t.Errorf("DescribeInstanceTypeOfferings LocationType %q", form.Get("LocationType"))
	}
	filters := ec2Filters(form)
	var items strings.Builder
	for _, t := range filters["instance-type"] {
		for _, z := range f.offerings[t] {
			if slices.Contains(filters["location"], z) {
				fmt.Fprintf(&items, `<item><instanceType>%s</instanceType><locationType>availability-zone</locationType><location>%s</location></item>`, t, z)
			}
		}
	}
	return "<instanceTypeOfferingSet>" + items.String() + "</instanceTypeOfferingSet>", nil
}

func (f *fakeAWS) describeInstanceTypes(form url.Values) (string, *fakeError) {
	var items strings.Builder
	for _, t := range values(form, "InstanceType") {
		fmt.Fprintf(&items, `<item><instanceType>%s</instanceType><currentGeneration>true</currentGeneration><vCpuInfo><defaultVCpus>%d</defaultVCpus><defaultCores>1</defaultCores><defaultThreadsPerCore>2</defaultThreadsPerCore></vCpuInfo></item>`, t, f.vcpus[t])
	}
	return "<instanceTypeSet>" + items.String() + "</instanceTypeSet>", nil
}

func (f *fakeAWS) describeInstances(form url.Values) (string, *fakeError) {
	if got := ec2Filters(form)["instance-state-name"]; !slices.Equal(got, []string{"pending", "running"}) {
		f.t.Errorf("DescribeInstances state filter %v", got)
	}
	var items strings.Builder
	for i, t := range f.running {
		cores := map[string]int{"m5.large": 1}[t]
		if cores == 0 {
			cores = f.vcpus[t] / 2
		}
		fmt.Fprintf(&items, `<item><instanceId>i-%017d</instanceId><instanceType>%s</instanceType><instanceState><code>16</code><name>running</name></instanceState><cpuOptions><coreCount>%d</coreCount><threadsPerCore>2</threadsPerCore></cpuOptions></item>`, i, t, cores)
	}
	return `<reservationSet><item><reservationId>r-1234567890abcdef0</reservationId><ownerId>` + f.account + `</ownerId><instancesSet>` + items.String() + `</instancesSet></item></reservationSet>`, nil
}

func (f *fakeAWS) describeVpcs(form url.Values) (string, *fakeError) {
	var items strings.Builder
	vpc := func(id string) {
		fmt.Fprintf(&items, `<item><vpcId>%s</vpcId><state>available</state><cidrBlock>10.0.0.0/16</cidrBlock><isDefault>false</isDefault></item>`, id)
	}
	if ids := values(form, "VpcId"); len(ids) > 0 {
		if f.existing == nil || ids[0] != f.existing.id {
			return "", &fakeError{"InvalidVpcID.NotFound", "The vpc ID '" + ids[0] + "' does not exist"}
		}
		vpc(ids[0])
	} else {
		for i := range f.vpcCount {
			vpc(fmt.Sprintf("vpc-%017d", i))
		}
	}
	return "<vpcSet>" + items.String() + "</vpcSet>", nil
}

func (f *fakeAWS) describeVpcAttribute(form url.Values) (string, *fakeError) {
	on := map[string]bool{"enableDnsSupport": f.existing.dnsSupport, "enableDnsHostnames": f.existing.dnsHostnames}
	attr := form.Get("Attribute")
	if _, ok := on[attr]; !ok {
		f.t.Errorf("DescribeVpcAttribute Attribute %q", attr)
	}
	return fmt.Sprintf(`<vpcId>%s</vpcId><%s><value>%t</value></%s>`, form.Get("VpcId"), attr, on[attr], attr), nil
}

func (f *fakeAWS) describeRouteTables(form url.Values) (string, *fakeError) {
	if got := ec2Filters(form)["vpc-id"]; !slices.Equal(got, []string{f.existing.id}) {
		f.t.Errorf("DescribeRouteTables vpc-id filter %v", got)
	}
	var items strings.Builder
	for i, t := range f.existing.routeTables {
		var assoc strings.Builder
		if i == 0 {
			assoc.WriteString(`<item><routeTableAssociationId>rtbassoc-main</routeTableAssociationId><routeTableId>` + t[0] + `</routeTableId><main>true</main></item>`)
		}
		for id, s := range f.existing.subnets {
			if s[1] == t[0] && i != 0 {
				assoc.WriteString(`<item><routeTableAssociationId>rtbassoc-` + id + `</routeTableAssociationId><routeTableId>` + t[0] + `</routeTableId><subnetId>` + id + `</subnetId><main>false</main></item>`)
			}
		}
		routes := `<item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state><origin>CreateRouteTable</origin></item>`
		switch target := t[1]; {
		case strings.HasPrefix(target, "nat-"):
			routes += `<item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><natGatewayId>` + target + `</natGatewayId><state>active</state><origin>CreateRoute</origin></item>`
		case target != "":
			routes += `<item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><gatewayId>` + target + `</gatewayId><state>active</state><origin>CreateRoute</origin></item>`
		}
		fmt.Fprintf(&items, `<item><routeTableId>%s</routeTableId><vpcId>%s</vpcId><ownerId>%s</ownerId><routeSet>%s</routeSet><associationSet>%s</associationSet></item>`, t[0], f.existing.id, f.account, routes, assoc.String())
	}
	return "<routeTableSet>" + items.String() + "</routeTableSet>", nil
}

func (f *fakeAWS) describeVpcEndpoints(form url.Values) (string, *fakeError) {
	var items strings.Builder
	for i, s := range f.existing.interfaceEndpoints {
		fmt.Fprintf(&items, `<item><vpcEndpointId>vpce-i%d</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType><vpcId>%s</vpcId><serviceName>%s</serviceName><state>available</state><privateDnsEnabled>%t</privateDnsEnabled></item>`, i, f.existing.id, s, f.existing.interfaceEndpointPrivateDNS)
	}
	if len(f.existing.gatewayEndpointRouteTables) > 0 {
		var tables strings.Builder
		for _, t := range f.existing.gatewayEndpointRouteTables {
			tables.WriteString("<item>" + t + "</item>")
		}
		fmt.Fprintf(&items, `<item><vpcEndpointId>vpce-s3</vpcEndpointId><vpcEndpointType>Gateway</vpcEndpointType><vpcId>%s</vpcId><serviceName>com.amazonaws.%s.s3</serviceName><state>available</state><routeTableIdSet>%s</routeTableIdSet><privateDnsEnabled>false</privateDnsEnabled></item>`, f.existing.id, f.region, tables.String())
	}
	return "<vpcEndpointSet>" + items.String() + "</vpcEndpointSet>", nil
}

func (f *fakeAWS) describeAddresses(form url.Values) (string, *fakeError) {
	var items strings.Builder
	for i := range f.addresses {
		fmt.Fprintf(&items, `<item><publicIp>203.0.113.%d</publicIp><allocationId>eipalloc-%d</allocationId><domain>vpc</domain></item>`, i+1, i)
	}
	return "<addressesSet>" + items.String() + "</addressesSet>", nil
}

// jsonAction is one JSON 1.1 action: the request members its API reference
// lists and what it answers.
type jsonAction struct {
	members []string
	answer  func(f *fakeAWS, body map[string]any) (any, *fakeError)
}

var (
	ssmActions   = map[string]jsonAction{"GetParameter": {[]string{"Name", "WithDecryption"}, (*fakeAWS).getParameter}}
	quotaActions = map[string]jsonAction{
		"GetServiceQuota":           {[]string{"ServiceCode", "QuotaCode", "ContextId"}, (*fakeAWS).getServiceQuota},
		"GetAWSDefaultServiceQuota": {[]string{"ServiceCode", "QuotaCode"}, (*fakeAWS).getAWSDefaultServiceQuota},
	}
	pricingActions = map[string]jsonAction{"GetProducts": {[]string{"ServiceCode", "Filters", "FormatVersion", "NextToken", "MaxResults"}, (*fakeAWS).getProducts}}
)

// json serves a JSON 1.1 request: a POST with Content-Type
// application/x-amz-json-1.1 and X-Amz-Target PREFIX.ACTION, answered with
// a JSON object, or an error as {"__type": CODE, "message": ...} with
// status 400 ("AWS JSON 1.1 protocol").
func (f *fakeAWS) json(w http.ResponseWriter, r *http.Request, service, prefix string, actions map[string]jsonAction) {
	target, name := r.Header.Get("X-Amz-Target"), ""
	if after, ok := strings.CutPrefix(target, prefix+"."); ok {
		name = after
	}
	action, ok := actions[name]
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" || !ok {
		f.t.Errorf("%s: %s, Content-Type %q, X-Amz-Target %q is not a JSON 1.1 action the stand-in knows", service, r.Method, r.Header.Get("Content-Type"), target)
		http.Error(w, "unknown target", http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		f.t.Errorf("%s %s: body %q is not a JSON object", service, name, data)
	}
	for member := range body {
		if !slices.Contains(action.members, member) {
			f.t.Errorf("%s %s: member %q is not in its API reference (%v)", service, name, member, action.members)
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if !f.record(r, service+":"+name) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"AccessDeniedException","message":"User: arn:aws:iam::%s:user/preflight is not authorized to perform: %s:%s"}`, f.account, service, name)
		return
	}
	answer, ferr := action.answer(f, body)
	if ferr != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": ferr.code, "message": ferr.message})
		return
	}
	_ = json.NewEncoder(w).Encode(answer)
}

// SSM GetParameter: {"Parameter": {...}}, or ParameterNotFound (SSM API
// reference).
func (f *fakeAWS) getParameter(body map[string]any) (any, *fakeError) {
	name, _ := body["Name"].(string)
	if strings.HasPrefix(name, "arn:") {
		return f.secretParameter(name)
	}
	if name != "/cdk-bootstrap/hnb659fds/version" {
		f.t.Errorf("GetParameter %q, want the bootstrap version parameter", name)
	}
	if f.bootstrapVersion == "" {
		return nil, &fakeError{"ParameterNotFound", ""}
	}
	return map[string]any{"Parameter": map[string]any{
		"Name": name, "Type": "String", "Value": f.bootstrapVersion, "Version": 3, "DataType": "text",
		"LastModifiedDate": 1.767e9, "ARN": "arn:aws:ssm:" + f.region + ":" + f.account + ":parameter" + name,
	}}, nil
}

// Service Quotas GetServiceQuota and GetAWSDefaultServiceQuota: {"Quota":
// {...}}, or NoSuchResourceException (Service Quotas API reference).
func (f *fakeAWS) getServiceQuota(body map[string]any) (any, *fakeError) {
	return f.quota(body, f.quotas)
}

func (f *fakeAWS) getAWSDefaultServiceQuota(body map[string]any) (any, *fakeError) {
	return f.quota(body, f.defaultQuotas)
}

func (f *fakeAWS) quota(body map[string]any, values map[string]float64) (any, *fakeError) {
	service, _ := body["ServiceCode"].(string)
	code, _ := body["QuotaCode"].(string)
	value, ok := values[service+"/"+code]
	if !ok {
		return nil, &fakeError{"NoSuchResourceException", "The request failed because the specified quota does not exist."}
	}
	return map[string]any{"Quota": map[string]any{
		"ServiceCode": service, "ServiceName": service, "QuotaCode": code, "QuotaName": code, "Value": value,
		"QuotaArn": "arn:aws:servicequotas:" + f.region + ":" + f.account + ":" + service + "/" + code, "Unit": "None", "Adjustable": true, "GlobalQuota": false,
	}}, nil
}

// Price List GetProducts: {"FormatVersion", "PriceList": [JSON documents]}
// (Price List API reference); each document is a product with its
// attributes and OnDemand terms, as in the service's offer file.
func (f *fakeAWS) getProducts(body map[string]any) (any, *fakeError) {
	if body["FormatVersion"] != "aws_v1" {
		f.t.Errorf("GetProducts FormatVersion %v", body["FormatVersion"])
	}
	filters := map[string]string{}
	list, _ := body["Filters"].([]any)
	for _, raw := range list {
		filter, _ := raw.(map[string]any)
		field, _ := filter["Field"].(string)
		value, _ := filter["Value"].(string)
		typ, _ := filter["Type"].(string)
		if !slices.Contains([]string{"TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF"}, typ) {
			f.t.Errorf("GetProducts filter type %q", typ)
		}
		filters[field] = value
	}
	if region, ok := filters["regionCode"]; ok && region != f.region {
		return map[string]any{"FormatVersion": "aws_v1", "PriceList": []string{}}, nil
	}
	usage := filters["usagetype"]
	price, ok := f.prices[usage]
	if !ok {
		return map[string]any{"FormatVersion": "aws_v1", "PriceList": []string{}}, nil
	}
	// A prefixed usage type that only contains the suffix must not be taken.
	decoy := map[string]any{
		"product": map[string]any{"productFamily": "decoy", "attributes": map[string]string{"usagetype": "EU-ShieldProtected-" + usage, "regionCode": f.region}, "sku": "DECOY"},
		"terms":   map[string]any{"OnDemand": map[string]any{"DECOY.JRTCKXETXF": map[string]any{"priceDimensions": map[string]any{"DECOY.JRTCKXETXF.6YS6EN2CT7": map[string]any{"unit": price.unit, "pricePerUnit": map[string]string{"USD": "999"}}}}}},
	}
	product := map[string]any{
		"product":     map[string]any{"productFamily": "fake", "attributes": map[string]string{"usagetype": "EU-" + usage, "regionCode": f.region, "servicecode": fmt.Sprint(body["ServiceCode"])}, "sku": "SKU1"},
		"serviceCode": body["ServiceCode"],
		"terms": map[string]any{"OnDemand": map[string]any{"SKU1.JRTCKXETXF": map[string]any{
			"offerTermCode": "JRTCKXETXF", "sku": "SKU1", "effectiveDate": "2026-01-01T00:00:00Z",
			"priceDimensions": map[string]any{
				"SKU1.JRTCKXETXF.6YS6EN2CT7": map[string]any{"unit": price.unit, "pricePerUnit": map[string]string{"USD": price.usd}, "beginRange": "10", "endRange": "Inf", "description": "after the free tier"},
				"SKU1.JRTCKXETXF.FREE":       map[string]any{"unit": price.unit, "pricePerUnit": map[string]string{"USD": "0.0000000000"}, "beginRange": "0", "endRange": "10", "description": "free tier"},
			},
		}}},
		"version": "20260101000000", "publicationDate": "2026-01-01T00:00:00Z",
	}
	var docs []string
	for _, p := range []any{decoy, product} {
		data, _ := json.Marshal(p)
		docs = append(docs, string(data))
	}
	return map[string]any{"FormatVersion": "aws_v1", "PriceList": docs}, nil
}

// rest serves API Gateway's REST-JSON API: GET /vpclinks?limit&position
// answers {"item": [VpcLink], "position"}; GET /account answers the
// Account resource; an error is a status with X-Amzn-ErrorType and
// {"message"} (API Gateway REST API reference: GetVpcLinks, GetAccount).
func (f *fakeAWS) rest(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodGet {
		f.t.Errorf("API Gateway %s %s, want only GET", r.Method, r.URL.Path)
	}
	var call string
	switch r.URL.Path {
	case "/vpclinks":
		call = "apigateway:GetVpcLinks"
		for key := range r.URL.Query() {
			if key != "limit" && key != "position" {
				f.t.Errorf("GetVpcLinks query parameter %q", key)
			}
		}
	case "/account":
		call = "apigateway:GetAccount"
	default:
		f.t.Errorf("API Gateway path %s", r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if !f.record(r, call) {
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"message":"User: arn:aws:iam::%s:user/preflight is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:%s::%s"}`, f.account, f.region, r.URL.Path)
		return
	}
	if call == "apigateway:GetAccount" {
		account := map[string]any{"throttleSettings": map[string]any{"burstLimit": 5000, "rateLimit": 10000}, "features": []string{"UsagePlans"}, "apiKeyVersion": "4"}
		if f.cloudwatchRoleArn != "" {
			account["cloudwatchRoleArn"] = f.cloudwatchRoleArn
		}
		_ = json.NewEncoder(w).Encode(account)
		return
	}
	var items []map[string]any
	for i, tags := range f.vpcLinks {
		items = append(items, map[string]any{"id": fmt.Sprintf("link%d", i), "name": fmt.Sprintf("link%d", i), "targetArns": []string{"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/n/1"}, "status": "AVAILABLE", "tags": tags})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"item": items})
}
