package awsstandin

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// PlatformSummary is a platform version as ListPlatformVersions lists it
// (PlatformSummary, Elastic Beanstalk API reference).
type PlatformSummary struct {
	PlatformArn                  string
	PlatformOwner                string
	PlatformStatus               string
	PlatformCategory             string
	OperatingSystemName          string
	OperatingSystemVersion       string
	SupportedTierList            []string `xml:"SupportedTierList>member"`
	SupportedAddonList           []string `xml:"SupportedAddonList>member"`
	PlatformLifecycleState       string   `xml:",omitempty"`
	PlatformVersion              string
	PlatformBranchName           string
	PlatformBranchLifecycleState string
}

// BeanstalkEnvironment is an environment the stand-in knows, with the
// resources Beanstalk made for it.
type BeanstalkEnvironment struct {
	Name, ID, Application string
	LoadBalancerArn       string
}

// Beanstalk is a stand-in of Elastic Beanstalk's API, version 2010-12-01
// (Query protocol), answering ListPlatformVersions and
// DescribeEnvironmentResources from the platforms and environments it holds.
type Beanstalk struct {
	QueryService
	// Region and Account make the ARNs of environments.
	Region, Account string
	// PageSize is the most versions a ListPlatformVersions page lists when
	// the call names fewer or no MaxRecords; 0 lists every version on one
	// page.
	PageSize int
	// EmptyFirstPage makes the first page of every listing empty, with a
	// NextToken, as a paginated API may answer.
	EmptyFirstPage bool

	mu           sync.Mutex
	platforms    []PlatformSummary
	environments map[string]BeanstalkEnvironment
	// hideNext counts ListPlatformVersions calls still to answer with an
	// empty list, as AWS answers a caller that may not read the versions.
	hideNext int
}

// NewBeanstalk returns a stand-in holding the given platform versions.
func NewBeanstalk(region, account string, platforms []PlatformSummary) *Beanstalk {
	b := &Beanstalk{Region: region, Account: account, platforms: platforms, environments: map[string]BeanstalkEnvironment{}}
	b.QueryService = QueryService{
		SigningName: "elasticbeanstalk",
		IAMPrefix:   "elasticbeanstalk",
		Version:     "2010-12-01",
		Namespace:   "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/",
		Actions: map[string]*Action{
			// ListPlatformVersions, Elastic Beanstalk API reference; filter
			// types and operators from PlatformFilter.
			"ListPlatformVersions": {
				Params: []Param{
					{Name: "Filters.member.N.Type", Values: []string{"PlatformName", "PlatformVersion", "PlatformStatus", "PlatformBranchName",
						"PlatformLifecycleState", "PlatformOwner", "SupportedTier", "SupportedAddon", "ProgrammingLanguageName", "OperatingSystemName"}},
					{Name: "Filters.member.N.Operator", Values: []string{"=", "!=", "<", "<=", ">", ">=", "contains", "begins_with", "ends_with"}},
					{Name: "Filters.member.N.Values.member.N"},
					{Name: "MaxRecords"},
					{Name: "NextToken"},
				},
				Answer: b.listPlatformVersions,
				// "Lists the platform versions available for your account"
				// and answers only the versions the caller may read (API
				// reference): no AccessDenied, a shorter list.
				PerItem:  true,
				Resource: b.firstMatchingPlatform,
			},
			// DescribeEnvironmentResources, Elastic Beanstalk API reference.
			"DescribeEnvironmentResources": {
				Params:   []Param{{Name: "EnvironmentId"}, {Name: "EnvironmentName"}},
				Answer:   b.describeEnvironmentResources,
				Resource: b.environmentArn,
				// It fails with InsufficientPrivilegesException when the caller
				// lacks rights "for one or more downstream AWS services" (API
				// reference); public reports name these two reads.
				CallerReads: func(call Call) []Permission {
					return []Permission{
						{Action: "autoscaling:DescribeAutoScalingGroups", Resource: "*"},
						{Action: "cloudformation:DescribeStackResources", Resource: b.stackArn(call)},
					}
				},
				Downstream: &Error{Status: http.StatusForbidden, Code: "InsufficientPrivilegesException",
					Message: "The specified account does not have sufficient privileges for one or more AWS services."},
			},
		},
	}
	return b
}

// AddEnvironment makes the stand-in know an environment, as Beanstalk does
// once it has created it.
func (b *Beanstalk) AddEnvironment(env BeanstalkEnvironment) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.environments[env.Name] = env
}

// Recommended says whether arn is the recommended version of a supported
// platform branch that the stand-in offers.
func (b *Beanstalk) Recommended(arn string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.platforms {
		if p.PlatformArn == arn {
			return p.PlatformLifecycleState == "recommended" && p.PlatformBranchLifecycleState == "supported"
		}
	}
	return false
}

// RecommendedPlatforms are platform versions as Beanstalk lists them in
// region: for each branch, its recommended version and the one that
// version superseded.
func RecommendedPlatforms(region string, branches ...string) []PlatformSummary {
	var out []PlatformSummary
	for _, branch := range branches {
		for _, v := range []struct{ version, lifecycle string }{{"6.10.0", ""}, {"6.11.0", "recommended"}} {
			out = append(out, PlatformSummary{
				PlatformArn:   fmt.Sprintf("arn:aws:elasticbeanstalk:%s::platform/%s/%s", region, branch, v.version),
				PlatformOwner: "AWSElasticBeanstalk", PlatformStatus: "Ready", PlatformCategory: "Node.js",
				OperatingSystemName: "Amazon Linux", OperatingSystemVersion: "2023",
				SupportedTierList:      []string{"WebServer/Standard", "Worker/SQS/HTTP"},
				SupportedAddonList:     []string{"Log/S3", "Monitoring/Healthd", "WorkerDaemon/SQSD"},
				PlatformLifecycleState: v.lifecycle, PlatformVersion: v.version,
				PlatformBranchName: branch, PlatformBranchLifecycleState: "supported",
			})
		}
	}
	return out
}

// HidePlatformsNext makes the next n ListPlatformVersions calls answer an
// empty list: "ListPlatformVersions ... returns only the platform versions
// the caller is authorized to access" (API reference), so that is how a
// denial still propagating through IAM looks.
func (b *Beanstalk) HidePlatformsNext(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hideNext = n
}

type platformFilter struct {
	attribute, operator, value string
}

func (b *Beanstalk) listPlatformVersions(call Call) (any, *Error) {
	filters, err := parseFilters(call)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var list []PlatformSummary
	if b.hideNext > 0 {
		b.hideNext--
	} else {
		for _, p := range b.platforms {
			ok, err := matchesAll(p, filters)
			if err != nil {
				return nil, err
			}
			if ok && b.Allows("elasticbeanstalk:ListPlatformVersions", p.PlatformArn) {
				list = append(list, p)
			}
		}
	}
	return b.page(call, list)
}

// page answers one page of list: ListPlatformVersions takes MaxRecords and
// NextToken, a token from a previous page, with "all other parameter values
// identical to the ones specified in the initial request", and answers
// PlatformSummaryList and, while versions remain, NextToken (API reference).
func (b *Beanstalk) page(call Call, list []PlatformSummary) (any, *Error) {
	others := url.Values{}
	for key, values := range call.Params {
		if key != "NextToken" {
			others[key] = values
		}
	}
	request := others.Encode()
	start := 0
	if token := call.Params.Get("NextToken"); token != "" {
		offset, params, ok := strings.Cut(token, ":")
		n, err := strconv.Atoi(offset)
		if !ok || err != nil || params != fmt.Sprintf("%x", sha256.Sum256([]byte(request))) || n > len(list) {
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameterValue", Message: "stand-in: NextToken " + strconv.Quote(token) + " is not a token of a previous page of this same request"}
		}
		start = n
	}
	size := len(list) - start
	if b.PageSize > 0 {
		size = min(size, b.PageSize)
	}
	if max, err := strconv.Atoi(call.Params.Get("MaxRecords")); err == nil && max < size {
		size = max
	}
	if b.EmptyFirstPage && call.Params.Get("NextToken") == "" {
		size = 0
	}
	result := struct {
		PlatformSummaryList []PlatformSummary `xml:"PlatformSummaryList>member"`
		NextToken           string            `xml:",omitempty"`
	}{PlatformSummaryList: list[start : start+size]}
	if start+size < len(list) {
		result.NextToken = fmt.Sprintf("%d:%x", start+size, sha256.Sum256([]byte(request)))
	}
	return result, nil
}

// ReleaseVersion makes version the recommended version of branch, as AWS
// does when it releases one: the version it supersedes stays listed, no
// longer recommended.
func (b *Beanstalk) ReleaseVersion(branch, version string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, p := range b.platforms {
		if p.PlatformBranchName == branch && p.PlatformLifecycleState == "recommended" {
			released := p
			released.PlatformVersion = version
			released.PlatformArn = p.PlatformArn[:strings.LastIndex(p.PlatformArn, "/")+1] + version
			b.platforms[i].PlatformLifecycleState = ""
			b.platforms = append(b.platforms, released)
			return
		}
	}
}

// firstMatchingPlatform is the ARN of the first version the call's filters
// select, the one a caller must be allowed to read to see it.
func (b *Beanstalk) firstMatchingPlatform(call Call) string {
	filters, _ := parseFilters(call)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.platforms {
		if ok, _ := matchesAll(p, filters); ok {
			return p.PlatformArn
		}
	}
	return "*"
}

func parseFilters(call Call) ([]platformFilter, *Error) {
	var filters []platformFilter
	for i := 1; call.Params.Has(fmt.Sprintf("Filters.member.%d.Type", i)); i++ {
		at := fmt.Sprintf("Filters.member.%d.", i)
		values := call.Params[at+"Values.member.1"]
		if len(values) != 1 || call.Params.Has(at+"Values.member.2") {
			// "Only one value is supported for all current operators" (PlatformFilter).
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameterValue", Message: "stand-in: a platform filter takes exactly one value"}
		}
		filters = append(filters, platformFilter{call.Params.Get(at + "Type"), call.Params.Get(at + "Operator"), values[0]})
	}
	return filters, nil
}

func matchesAll(p PlatformSummary, filters []platformFilter) (bool, *Error) {
	for _, f := range filters {
		got, modeled := map[string]string{
			"PlatformBranchName":     p.PlatformBranchName,
			"PlatformLifecycleState": p.PlatformLifecycleState,
			"PlatformVersion":        p.PlatformVersion,
			"PlatformStatus":         p.PlatformStatus,
			"PlatformOwner":          p.PlatformOwner,
		}[f.attribute]
		if !modeled {
			return false, &Error{Status: http.StatusBadRequest, Code: "InvalidParameterValue", Message: "stand-in: filter type " + f.attribute + " is not modeled here"}
		}
		var ok bool
		switch f.operator {
		case "=":
			ok = got == f.value
		case "!=":
			ok = got != f.value
		case "contains":
			ok = strings.Contains(got, f.value)
		case "begins_with":
			ok = strings.HasPrefix(got, f.value)
		case "ends_with":
			ok = strings.HasSuffix(got, f.value)
		default:
			ok = compareVersions(got, f.value, f.operator)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// compareVersions applies <, <=, > or >= to dotted version numbers.
func compareVersions(a, b, operator string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	c := 0
	for i := 0; i < max(len(as), len(bs)) && c == 0; i++ {
		x, y := 0, 0
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		c = x - y
	}
	switch operator {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default:
		return c >= 0
	}
}

func (b *Beanstalk) environment(call Call) (BeanstalkEnvironment, *Error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	name, id := call.Params.Get("EnvironmentName"), call.Params.Get("EnvironmentId")
	for _, env := range b.environments {
		if (name != "" && env.Name == name) || (id != "" && env.ID == id) {
			return env, nil
		}
	}
	return BeanstalkEnvironment{}, &Error{Status: http.StatusBadRequest, Code: "InvalidParameterValue",
		Message: fmt.Sprintf("No Environment found for EnvironmentName = '%s'.", name)}
}

// environmentArn is arn:aws:elasticbeanstalk:REGION:ACCOUNT:environment/APP/ENV
// ("Amazon resource name format for Elastic Beanstalk").
func (b *Beanstalk) environmentArn(call Call) string {
	env, err := b.environment(call)
	if err != nil {
		return "*"
	}
	return fmt.Sprintf("arn:aws:elasticbeanstalk:%s:%s:environment/%s/%s", b.Region, b.Account, env.Application, env.Name)
}

// stackArn is the environment's own CloudFormation stack, awseb-e-ID-stack.
func (b *Beanstalk) stackArn(call Call) string {
	env, _ := b.environment(call)
	return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/awseb-%s-stack/00000000-0000-4000-8000-000000000000", b.Region, b.Account, env.ID)
}

type resourceName struct {
	Name string
}

type resourceID struct {
	ID string `xml:"Id"`
}

// environmentResourceDescription is EnvironmentResourceDescription,
// Elastic Beanstalk API reference.
type environmentResourceDescription struct {
	EnvironmentName      string
	AutoScalingGroups    []resourceName `xml:"AutoScalingGroups>member"`
	Instances            []resourceID   `xml:"Instances>member"`
	LaunchConfigurations []resourceName `xml:"LaunchConfigurations>member"`
	LaunchTemplates      []resourceID   `xml:"LaunchTemplates>member"`
	LoadBalancers        []resourceName `xml:"LoadBalancers>member"`
	Triggers             []resourceName `xml:"Triggers>member"`
	Queues               []resourceName `xml:"Queues>member"`
}

func (b *Beanstalk) describeEnvironmentResources(call Call) (any, *Error) {
	env, err := b.environment(call)
	if err != nil {
		return nil, err
	}
	return struct {
		EnvironmentResources environmentResourceDescription
	}{environmentResourceDescription{
		EnvironmentName:   env.Name,
		AutoScalingGroups: []resourceName{{"awseb-" + env.ID + "-stack-AWSEBAutoScalingGroup-0A1B2C3D4E5F"}},
		Instances:         []resourceID{{"i-0123456789abcdef0"}, {"i-0123456789abcdef1"}},
		LaunchTemplates:   []resourceID{{"lt-0123456789abcdef0"}},
		LoadBalancers:     []resourceName{{env.LoadBalancerArn}},
	}}, nil
}
