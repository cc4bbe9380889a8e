package config

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"privatebackend/internal/ebplatform"
)

var (
	// An environment name becomes the prefix of CloudFormation stack names
	// ("dev-Network"), which allow letters, digits and hyphens.
	environmentName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,19}$`)
	// A backend name becomes part of a stack name and a construct id.
	backendName = regexp.MustCompile(`^[a-z][a-z0-9]{0,19}$`)
	// API Gateway stage names allow letters, digits and underscores.
	stageName         = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	accountID         = regexp.MustCompile(`^[0-9]{12}$`)
	regionName        = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	vpcID             = regexp.MustCompile(`^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`)
	instanceType      = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	updateWindow      = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01][0-9]|2[0-3]):[0-5][0-9]$`)
	routePath         = regexp.MustCompile(`^(/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\}))+$`)
	emailAddress      = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	latencyPercentile = regexp.MustCompile(`^p(50|75|90|95|99|99\.9)$`)
	// alarmPeriods are the periods, in minutes, that monitoring.periodMinutes accepts.
	alarmPeriods = []int{1, 5, 10, 15, 30, 60}
	// platformRefresh ends up as a custom resource property; keep it short and plain.
	platformRefresh = regexp.MustCompile(`^[A-Za-z0-9._-]{0,64}$`)
	httpMethods     = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
)

func (e *Environment) validate(p *problems) {
	at := "environments." + e.Name
	if !environmentName.MatchString(e.Name) {
		p.add(at, "environment name %q cannot be part of a stack name; use a letter followed by up to 19 letters or digits, e.g. \"dev\"", e.Name)
	}
	switch {
	case e.Account != "" && !accountID.MatchString(e.Account):
		p.add(at+".account", "%q is not an AWS account id; want 12 digits, e.g. \"123456789012\"", e.Account)
	case e.Account != "" && e.Region == "":
		p.add(at+".region", "is missing; an environment with an account also needs a region, e.g. \"eu-west-1\"")
	}
	switch {
	case e.Region != "" && !regionName.MatchString(e.Region):
		p.add(at+".region", "%q is not a region name; want e.g. \"eu-west-1\"", e.Region)
	case e.Region != "" && e.Account == "":
		p.add(at+".account", "is missing; an environment with a region also needs an account (12 digits)")
	}
	e.Network.validate(at+".network", e.Pinned(), p)
	if len(e.Backends) == 0 {
		p.add(at+".backends", "is missing or empty; define at least one backend, e.g. {\"blue\": {}}")
	}
	for _, name := range e.BackendNames() {
		b := e.Backends[name]
		bat := at + ".backends." + name
		if !backendName.MatchString(name) {
			p.add(bat, "backend name %q cannot be part of a stack name; use a lowercase letter followed by up to 19 lowercase letters or digits, e.g. \"blue\"", name)
		}
		b.validate(bat, e, p)
	}
	e.API.validate(at+".api", e, p)
	e.Monitoring.validate(at+".monitoring", p)
}

func (m *Monitoring) validate(at string, p *problems) {
	for i, email := range m.Emails {
		if !emailAddress.MatchString(email) {
			p.add(fmt.Sprintf("%s.emails[%d]", at, i), "%q is not an email address; want e.g. \"oncall@example.com\"", email)
		}
	}
	if m.ErrorRatePercent <= 0 || m.ErrorRatePercent > 100 {
		p.add(at+".errorRatePercent", "%v is out of range; use a percentage above 0 and at most 100", m.ErrorRatePercent)
	}
	if m.MinRequests < 1 {
		p.add(at+".minRequests", "%d is too small; use at least 1 request per period", m.MinRequests)
	}
	if !latencyPercentile.MatchString(m.LatencyPercentile) {
		p.add(at+".latencyPercentile", "%q is not a latency percentile; use one of p50, p75, p90, p95, p99, p99.9", m.LatencyPercentile)
	}
	// API Gateway's integration timeout is at most 29 seconds by default
	// ("Quotas for configuring and running a REST API in API Gateway").
	if m.LatencyThresholdMs < 1 || m.LatencyThresholdMs > 29000 {
		p.add(at+".latencyThresholdMs", "%d is out of range; use 1 to 29000 milliseconds", m.LatencyThresholdMs)
	}
	if !slices.Contains(alarmPeriods, m.PeriodMinutes) {
		p.add(at+".periodMinutes", "%d is not an alarm period here; use one of %s", m.PeriodMinutes, strings.Trim(fmt.Sprint(alarmPeriods), "[]"))
	}
	// EvaluationPeriods times Period cannot exceed 86,400 seconds (PutMetricAlarm API reference).
	switch {
	case m.EvaluationPeriods < 1:
		p.add(at+".evaluationPeriods", "%d is too small; use at least 1", m.EvaluationPeriods)
	case m.EvaluationPeriods*m.PeriodMinutes > 24*60:
		p.add(at+".evaluationPeriods", "%d periods of %d minutes is more than the one day an alarm can evaluate", m.EvaluationPeriods, m.PeriodMinutes)
	}
}

func (n *Network) validate(at string, pinned bool, p *problems) {
	if n.VpcID != "" {
		if !vpcID.MatchString(n.VpcID) {
			p.add(at+".vpcId", "%q is not a VPC id; want e.g. \"vpc-0123456789abcdef0\"", n.VpcID)
		}
		if !pinned {
			p.add(at+".vpcId", "looking up an existing VPC needs a pinned environment; set account and region, or remove vpcId to create a VPC")
		}
		return
	}
	if prefix, err := netip.ParsePrefix(n.Cidr); err != nil || !prefix.Addr().Is4() {
		p.add(at+".cidr", "%q is not a valid IPv4 CIDR; use e.g. \"10.0.0.0/16\"", n.Cidr)
	} else if prefix.Bits() < 16 || prefix.Bits() > 24 {
		p.add(at+".cidr", "%q is a /%d; a VPC here must be between /16 and /24", n.Cidr, prefix.Bits())
	} else if prefix.Masked() != prefix {
		p.add(at+".cidr", "%q has host bits set; use the network address %q", n.Cidr, prefix.Masked().String())
	}
	maxAzs := 6
	if !pinned {
		maxAzs = 2
	}
	switch {
	case n.MaxAzs < 2:
		p.add(at+".maxAzs", "%d is too few; a highly available backend needs at least 2 availability zones", n.MaxAzs)
	case n.MaxAzs > maxAzs && !pinned:
		p.add(at+".maxAzs", "%d is more than an environment-agnostic environment can use (2); pin account and region to use more", n.MaxAzs)
	case n.MaxAzs > maxAzs:
		p.add(at+".maxAzs", "%d is more than any region has; use 2 to 6", n.MaxAzs)
	}
	switch n.Egress {
	case EgressEndpoints:
		if n.NatGateways != nil {
			p.add(at+".natGateways", "is set but egress is %q; remove it or set egress to %q", EgressEndpoints, EgressNat)
		}
	case EgressNat:
		if n.NatGateways != nil && (*n.NatGateways < 1 || *n.NatGateways > n.MaxAzs) {
			p.add(at+".natGateways", "%d is out of range; use 1 to maxAzs (%d)", *n.NatGateways, n.MaxAzs)
		}
	default:
		p.add(at+".egress", "%q is not an egress mode; use %q or %q", n.Egress, EgressEndpoints, EgressNat)
	}
	validateRetention(at+".flowLogRetentionDays", n.FlowLogRetentionDays, p)
}

func (b *Backend) validate(at string, e *Environment, p *problems) {
	b.validatePlatform(at, e, p)
	if len(b.InstanceTypes) == 0 {
		p.add(at+".instanceTypes", "is empty; list at least one instance type, e.g. [\"t3.small\"]")
	}
	for i, t := range b.InstanceTypes {
		if !instanceType.MatchString(t) {
			p.add(fmt.Sprintf("%s.instanceTypes[%d]", at, i), "%q is not an instance type; want e.g. \"t3.small\"", t)
		}
	}
	if len(b.InstanceTypes) > 40 {
		p.add(at+".instanceTypes", "lists %d types; Beanstalk accepts at most 40", len(b.InstanceTypes))
	}
	switch {
	case b.MinInstances < 1:
		p.add(at+".minInstances", "%d is too small; use at least 1 (2 or more to serve from two availability zones)", b.MinInstances)
	case b.MaxInstances < 1:
		p.add(at+".maxInstances", "%d is too small; use at least 1", b.MaxInstances)
	case b.MinInstances > b.MaxInstances:
		p.add(at+".minInstances", "%d is greater than maxInstances (%d); raise maxInstances or lower minInstances", b.MinInstances, b.MaxInstances)
	case b.MaxInstances > 10000:
		p.add(at+".maxInstances", "%d is more than Auto Scaling allows (10000)", b.MaxInstances)
	}
	if b.DeploymentPolicy != DeploymentRolling && b.DeploymentPolicy != DeploymentImmutable {
		p.add(at+".deploymentPolicy", "%q is not supported; use %q or %q", b.DeploymentPolicy, DeploymentRolling, DeploymentImmutable)
	}
	if strings.TrimSpace(b.AppVersion) == "" {
		p.add(at+".appVersion", "is empty; use e.g. \"1\"")
	}
	validateRetention(at+".logRetentionDays", b.LogRetentionDays, p)
	if !updateWindow.MatchString(b.UpdateWindow) {
		p.add(at+".updateWindow", "%q is not a weekly window; want \"Day:HH:MM\" in UTC, e.g. \"Sun:03:00\"", b.UpdateWindow)
	}
}

// validatePlatform checks that platform names a branch or a platform
// version ARN (in the environment's own region when it is pinned), and that
// platformRefresh is only used with a branch.
func (b *Backend) validatePlatform(at string, e *Environment, p *problems) {
	platform, err := ebplatform.Parse(b.Platform)
	switch {
	case err != nil:
		p.add(at+".platform", "%v", err)
	case platform.Arn != "" && e.Pinned() && platform.Region != e.Region:
		p.add(at+".platform", "%q is a platform version in %s, but this environment deploys to %s", b.Platform, platform.Region, e.Region)
	case platform.Arn != "" && b.PlatformRefresh != "":
		p.add(at+".platformRefresh", "is set but platform is a platform version ARN, which is never looked up; remove platformRefresh or name a platform branch")
	}
	if !platformRefresh.MatchString(b.PlatformRefresh) {
		p.add(at+".platformRefresh", "%q is not a refresh token; use up to 64 letters, digits, dots, dashes or underscores, e.g. today's date \"2026-11-26\"", b.PlatformRefresh)
	}
}

func (a *API) validate(at string, e *Environment, p *problems) {
	if a.Authorization != AuthorizationIAM && a.Authorization != AuthorizationNone {
		p.add(at+".authorization", "%q is not supported; use %q or %q", a.Authorization, AuthorizationIAM, AuthorizationNone)
	}
	if a.VpcLinkQuota < 1 {
		p.add(at+".vpcLinkQuota", "%d is too small; the default REST API quota is 20 VPC links per account and region", a.VpcLinkQuota)
	}
	validateRetention(at+".accessLogRetentionDays", a.AccessLogRetentionDays, p)
	for i, r := range a.Routes {
		rat := fmt.Sprintf("%s.routes[%d]", at, i)
		if !routePath.MatchString(r.Path) || r.Path == "/{proxy+}" {
			p.add(rat+".path", "%q is not a route path; want e.g. \"/orders/{id}\" (the catch-all proxy is always there)", r.Path)
		}
		if len(r.Methods) == 0 {
			p.add(rat+".methods", "is empty; list at least one of %s", strings.Join(httpMethods, ", "))
		}
		for j, m := range r.Methods {
			if !slices.Contains(httpMethods, m) {
				p.add(fmt.Sprintf("%s.methods[%d]", rat, j), "%q is not an HTTP method; use one of %s", m, strings.Join(httpMethods, ", "))
			}
		}
	}
	if len(a.Stages) == 0 {
		p.add(at+".stages", "is missing or empty; define at least one stage, e.g. {\"live\": {\"backend\": \"blue\"}}")
	}
	for _, name := range e.StageNames() {
		s := a.Stages[name]
		sat := at + ".stages." + name
		if !stageName.MatchString(name) {
			p.add(sat, "stage name %q is not valid; use letters, digits and underscores", name)
		}
		validateBackendRef(sat+".backend", s.Backend, e, p)
		if s.RateLimit <= 0 {
			p.add(sat+".rateLimit", "%v is not a rate; use a number of requests per second above 0", s.RateLimit)
		}
		if s.BurstLimit < 1 {
			p.add(sat+".burstLimit", "%d is too small; use at least 1", s.BurstLimit)
		}
		if s.Canary != nil {
			validateBackendRef(sat+".canary.backend", s.Canary.Backend, e, p)
			if s.Canary.Percent <= 0 || s.Canary.Percent >= 100 {
				p.add(sat+".canary.percent", "%v is out of range; use a percentage above 0 and below 100", s.Canary.Percent)
			}
		}
	}
}

func validateBackendRef(at, name string, e *Environment, p *problems) {
	if name == "" {
		p.add(at, "is missing; name one of the backends: %s", strings.Join(e.BackendNames(), ", "))
		return
	}
	if _, ok := e.Backends[name]; !ok {
		p.add(at, "%q is not a backend of this environment; defined backends: %s", name, strings.Join(e.BackendNames(), ", "))
	}
}

// retentionDays are the values CloudWatch Logs accepts for a log group.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func validateRetention(at string, days int, p *problems) {
	if !slices.Contains(retentionDays, days) {
		p.add(at, "%d is not a CloudWatch Logs retention; use one of %s", days, strings.Trim(fmt.Sprint(retentionDays), "[]"))
	}
}

// validateVpcLinkQuota checks that the VPC links of all environments that
// deploy to one account and region (one per backend) fit that account's
// quota. Environment-agnostic environments are counted on their own: where
// they deploy is only known at deploy time.
func validateVpcLinkQuota(envs []*Environment, p *problems) {
	groups := map[string][]*Environment{}
	for _, e := range envs {
		key := "agnostic:" + e.Name
		if e.Pinned() {
			key = e.Account + "/" + e.Region
		}
		groups[key] = append(groups[key], e)
	}
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		group := groups[key]
		links, names := 0, make([]string, len(group))
		for i, e := range group {
			links += len(e.Backends)
			names[i] = e.Name
		}
		for _, e := range group {
			if links > e.API.VpcLinkQuota {
				where := "its account and region"
				if e.Pinned() {
					where = fmt.Sprintf("account %s in %s (environments %s)", e.Account, e.Region, strings.Join(names, ", "))
				}
				p.add("environments."+e.Name+".backends", "needs %d VPC links in %s, more than the quota of %d (api.vpcLinkQuota); remove backends or raise the quota with AWS and set api.vpcLinkQuota", links, where, e.API.VpcLinkQuota)
			}
		}
	}
}
