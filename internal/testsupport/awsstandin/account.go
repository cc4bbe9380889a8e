package awsstandin

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Account is a stand-in of one AWS account and region for every API that
// preflight calls, on one loopback server, each in the protocol the SDK
// speaks for it: the Query protocol for STS, Elastic Beanstalk and
// CloudFormation, EC2's own, JSON 1.1 for SSM, Service Quotas and the Price
// List API, REST-JSON for API Gateway; JSON 1.1 for Secrets Manager, ACM
// and Cognito, S3's REST for HeadObject, REST-XML for Route 53 and
// REST-JSON for Lambda. It tells the services apart by the
// SigV4 signing name of each request, so one endpoint serves them all.
// Set its fields before Start; the services are the package's stand-ins.
type Account struct {
	// Account and Region are the account's id and its region; the Price
	// List API is asked in us-east-1 ("Price List API endpoints").
	Account, Region string

	STS            *QueryService
	Beanstalk      *Beanstalk
	CloudFormation *CloudFormation
	EC2            *EC2
	SSM            *JSONService
	ServiceQuotas  *JSONService
	Pricing        *JSONService
	SecretsManager *JSONService
	ACM            *JSONService
	Cognito        *JSONService

	// BootstrapVersion is the CDK bootstrap's version parameter; empty, it
	// does not exist.
	BootstrapVersion string
	// Branches are the platform branches by name and lifecycle state.
	Branches map[string]string
	// Environments are Beanstalk environments terminated in the account.
	Environments []TerminatedEnvironment
	// VpcLinks are the tags of each REST API VPC link of the account.
	VpcLinks []map[string]string
	// VpcLinkTargets are the target load balancers of the VPC links
	// GetVpcLink is asked of, by id.
	VpcLinkTargets map[string][]string
	// RestAPIID is the id of the REST API whose stages DeployedStages are:
	// GetStage of another answers 404; empty, any REST API has them.
	RestAPIID string
	// DeployedStages are the REST API's deployed stages, by name.
	DeployedStages map[string]DeployedStage
	// RunningEnvironments are the application version label each running
	// Beanstalk environment runs, by environment name; AppVersions the
	// description of each application version, by label.
	RunningEnvironments, AppVersions map[string]string
	// Quotas are applied quota values, DefaultQuotas AWS's defaults, by
	// "service/code".
	Quotas, DefaultQuotas map[string]float64
	// CloudWatchRoleArn is API Gateway's logging role for the account; empty
	// when none is set.
	CloudWatchRoleArn string
	// Zones are the region's availability zones; DefaultSubnets the zones
	// with a default subnet.
	Zones, DefaultSubnets []string
	// EndpointServices are the zones of each VPC endpoint service, by name.
	EndpointServices map[string][]string
	// Offerings are the zones offering each instance type; VCPUs each
	// type's default vCPUs.
	Offerings map[string][]string
	VCPUs     map[string]int
	// Running are the instance types of the running instances; one stopped
	// instance is there besides.
	Running []string
	// VpcCount is how many VPCs the account has, Addresses how many
	// Elastic IP addresses.
	VpcCount, Addresses int
	// Existing is a VPC of the account that an environment uses; nil for none.
	Existing *ExistingVpc
	// Prices are the on-demand prices by usage type suffix.
	Prices map[string]Price
	// Certificates are the ACM certificates of the account's region.
	Certificates []Certificate
	// HostedZones are the account's Route 53 hosted zones.
	HostedZones []HostedZone
	// UserPools are the ids of the region's Cognito user pools.
	UserPools map[string]bool
	// Functions are the ARNs of the region's Lambda functions.
	Functions map[string]bool
	// Objects are the S3 objects that exist, as "bucket/key", or
	// "bucket/key@version" for a version of one.
	Objects map[string]bool
	// Secrets are the Secrets Manager secrets and SSM parameters that
	// exist, by ARN.
	Secrets map[string]bool
	// Denied are the calls ("service:Action") answered AccessDenied.
	Denied map[string]bool
	// Delay are the calls answered after this long.
	Delay map[string]time.Duration

	mu     sync.Mutex
	calls  []string
	keys   map[string]string
	forms  map[string]url.Values
	server *httptest.Server
}

// TerminatedEnvironment is a Beanstalk environment deleted, and the
// platform version it ran.
type TerminatedEnvironment struct {
	Name, PlatformArn string
	// DeletedAgo is how long ago it was deleted; zero stands for 20 days.
	DeletedAgo time.Duration
}

// ExistingVpc is a VPC of the account: its DNS attributes, its subnets (id
// → zone, route table), its route tables (id → default route target, ""
// for none; the first one is the main table) and its endpoints.
type ExistingVpc struct {
	ID                          string
	DNSSupport, DNSHostnames    bool
	Subnets                     map[string][2]string
	RouteTables                 [][2]string
	InterfaceEndpoints          []string // service names
	GatewayEndpointRouteTables  []string // route tables with the S3 gateway endpoint
	InterfaceEndpointPrivateDNS bool
}

// Price is an on-demand price in USD per unit.
type Price struct {
	USD, Unit string
}

// NewAccount returns a stand-in of an account with no resources, its
// services holding the given platform versions.
func NewAccount(account, region string, platforms []PlatformSummary) *Account {
	a := &Account{
		Account: account, Region: region,
		Beanstalk:      NewBeanstalk(region, account, platforms),
		CloudFormation: NewCloudFormation(region, account),
		EC2:            NewEC2(region, account),
		Branches:       map[string]string{},
		Quotas:         map[string]float64{}, DefaultQuotas: map[string]float64{},
		EndpointServices: map[string][]string{}, Offerings: map[string][]string{}, VCPUs: map[string]int{},
		Prices: map[string]Price{}, Denied: map[string]bool{}, Delay: map[string]time.Duration{},
		keys: map[string]string{}, forms: map[string]url.Values{},
	}
	a.STS = NewSTS(func() string { return a.Account })
	a.addBeanstalkReads()
	a.addApplicationVersions()
	a.addEC2Reads()
	a.addJSONServices()
	a.addServiceReads()
	a.addFrontDoorReads()
	return a
}

// PutStack makes the account hold a stack in a status.
func (a *Account) PutStack(name, status string) {
	a.CloudFormation.PutStack(Stack{StackName: name, StackStatus: status})
}

// Start serves the account on a loopback port and returns its URL.
func (a *Account) Start() string {
	a.server = httptest.NewServer(a)
	return a.server.URL
}

// Close stops the stand-in.
func (a *Account) Close() {
	if a.server != nil {
		a.server.Close()
	}
}

// Called reports how often a call ("service:Action") was made.
func (a *Account) Called(call string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, c := range a.calls {
		if c == call {
			n++
		}
	}
	return n
}

// Calls are the calls made so far ("service:Action"), in order.
func (a *Account) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

// SignedBy is the access key that signed the last call ("service:Action").
func (a *Account) SignedBy(call string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.keys[call]
}

// Form is the parameters of the last Query call ("service:Action").
func (a *Account) Form(call string) url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.forms[call]
}

// signingScope reads the access key, region and service from the SigV4
// credential scope, Credential=KEY/DATE/REGION/SERVICE/aws4_request.
var signingScope = regexp.MustCompile(`Credential=([^/]+)/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request`)

func (a *Account) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := signingScope.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		http.Error(w, "stand-in: the request is not SigV4-signed", http.StatusForbidden)
		return
	}
	key, region, service := m[1], m[2], m[3]
	// The Price List API has endpoints in us-east-1, eu-central-1 and
	// ap-south-1 only ("Price List API endpoints"); the other services are
	// asked in the account's region.
	want := a.Region
	if service == "pricing" {
		want = "us-east-1"
	}
	query := map[string]*QueryService{"sts": a.STS, "elasticbeanstalk": &a.Beanstalk.QueryService, "cloudformation": &a.CloudFormation.QueryService, "ec2": &a.EC2.QueryService}[service]
	jsonService := map[string]*JSONService{"ssm": a.SSM, "servicequotas": a.ServiceQuotas, "pricing": a.Pricing, "secretsmanager": a.SecretsManager, "acm": a.ACM, "cognito-idp": a.Cognito}[service]
	var action, id string
	switch {
	case query != nil:
		_ = r.ParseForm()
		action = r.PostForm.Get("Action")
	case jsonService != nil:
		_, action, _ = strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	case service == "apigateway":
		action = apiGatewayAction(r.URL.Path)
	case service == "s3" && r.Method == http.MethodHead:
		action = "HeadObject"
	case service == "route53" || service == "lambda":
		action, id = restAction(service, r)
	}
	call := service + ":" + action
	denied := &Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf("User: arn:aws:iam::%s:user/preflight is not authorized to perform: %s", a.Account, call)}
	if region != want {
		denied = &Error{Status: http.StatusBadRequest, Code: "ValidationError", Message: fmt.Sprintf("stand-in: %s signed for region %s, want %s", call, region, want)}
	} else if !a.record(r, call, key) {
		// Denied, or the client gave up waiting.
	} else {
		denied = nil
	}
	switch {
	case query != nil && denied != nil:
		if service == "ec2" && denied.Code == "AccessDenied" {
			// EC2 names a denial UnauthorizedOperation ("Error codes for the
			// Amazon EC2 API").
			denied.Code = "UnauthorizedOperation"
		}
		query.writeError(w, denied)
	case query != nil:
		query.ServeHTTP(w, r)
	case jsonService != nil && denied != nil:
		if denied.Code == "AccessDenied" {
			denied.Status, denied.Code = http.StatusBadRequest, "AccessDeniedException"
		}
		writeJSONError(w, denied)
	case jsonService != nil:
		jsonService.ServeHTTP(w, r)
	case service == "apigateway":
		a.apiGateway(w, r, action, denied)
	case service == "s3":
		a.s3(w, r, denied)
	case service == "route53":
		a.route53(w, id, denied)
	case service == "lambda":
		a.lambda(w, id, denied)
	default:
		http.Error(w, "stand-in: no service "+service, http.StatusBadRequest)
	}
}

// record notes a call and says whether to answer it: false when it is
// denied or the client gave up waiting for it.
func (a *Account) record(r *http.Request, call, key string) bool {
	a.mu.Lock()
	a.calls = append(a.calls, call)
	a.keys[call] = key
	if r.PostForm != nil {
		a.forms[call] = r.PostForm
	}
	delay, denied := a.Delay[call], a.Denied[call]
	a.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return false
		}
	}
	return !denied
}

// x escapes text for XML.
func x(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// members returns the members of a list parameter: PREFIX.1, PREFIX.2, ...
func members(params url.Values, prefix string) []string {
	var out []string
	for i := 1; params.Has(fmt.Sprintf("%s.%d", prefix, i)); i++ {
		out = append(out, params.Get(fmt.Sprintf("%s.%d", prefix, i)))
	}
	return out
}
