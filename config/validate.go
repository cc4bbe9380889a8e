package config

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"privatebackend/constructs/settings"
	"privatebackend/internal/ebplatform"
)

var (
	// An environment name becomes the prefix of CloudFormation stack names
	// ("dev-Network"), which allow letters, digits and hyphens.
	environmentName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,19}$`)
	// A backend name becomes part of a stack name ("dev-Backend-NAME") and a
	// construct id; stack names allow letters, digits and hyphens, starting
	// with a letter (AWS::CloudFormation::Stack, "CreateStack" StackName).
	backendName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	// API Gateway stage names allow letters, digits and underscores.
	accountID  = regexp.MustCompile(`^[0-9]{12}$`)
	regionName = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	vpcID      = regexp.MustCompile(`^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`)
)

// Bounds of the network settings, which the JSON Schema of cdk.json states too.
const (
	// A VPC's range is a /16 to a /24 here.
	widestVPCPrefix, narrowestVPCPrefix = 16, 24
	// A highly available backend spans at least two availability zones; no
	// region has more than six.
	fewestAzs, mostAzs = 2, 6
	// Where an environment-agnostic environment deploys is known only at
	// deploy time, so it can count on two availability zones only.
	agnosticAzs = 2
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
			p.add(bat, "backend name %q cannot be part of a stack name; use a lowercase letter followed by up to 19 lowercase letters, digits or hyphens, e.g. \"orders-blue\"", name)
		}
		b.validate(bat, e, p)
	}
	e.API.validate(at+".api", e, p)
	e.Monitoring.validate(at+".monitoring", p)
}

func (m *Monitoring) validate(at string, p *problems) {
	p.addAll(at, settings.EmailProblems(m.Emails))
	p.addAll(at, m.StageAlarms.Problems())
	p.addAll(at, m.AlarmSchedule.Problems())
}

func (n *Network) validate(at string, pinned bool, p *problems) {
	if n.VpcID != "" {
		n.validateLookup(at, pinned, p)
	} else {
		n.validateNew(at, pinned, p)
	}
	// Egress applies to an existing VPC too: it says what the VPC offers
	// the instances, which preflight checks.
	if n.Egress != EgressEndpoints && n.Egress != EgressNat {
		p.add(at+".egress", "%q is not an egress mode; use %q or %q", n.Egress, EgressEndpoints, EgressNat)
	}
	p.addAll(at, settings.LogRetentionProblems("flowLogRetentionDays", n.FlowLogRetentionDays))
}

// validateLookup checks the settings of an existing VPC, looked up by id.
func (n *Network) validateLookup(at string, pinned bool, p *problems) {
	if !vpcID.MatchString(n.VpcID) {
		p.add(at+".vpcId", "%q is not a VPC id; want e.g. \"vpc-0123456789abcdef0\"", n.VpcID)
	}
	if !pinned {
		p.add(at+".vpcId", "looking up an existing VPC needs a pinned environment; set account and region, or remove vpcId to create a VPC")
	}
	// The settings of a VPC the app creates mean nothing for an existing
	// one; set, they would be silently ignored.
	var created Network
	created.setDefaults()
	ignored := "describes a VPC the app creates, but vpcId uses an existing one; remove it"
	if n.Cidr != created.Cidr {
		p.add(at+".cidr", "%s", ignored)
	}
	if n.MaxAzs != created.MaxAzs {
		p.add(at+".maxAzs", "%s", ignored)
	}
	if n.NatGateways != nil {
		p.add(at+".natGateways", "%s", ignored)
	}
}

// validateNew checks the settings of the VPC the app creates.
func (n *Network) validateNew(at string, pinned bool, p *problems) {
	if prefix, err := netip.ParsePrefix(n.Cidr); err != nil || !prefix.Addr().Is4() {
		p.add(at+".cidr", "%q is not a valid IPv4 CIDR; use e.g. \"10.0.0.0/16\"", n.Cidr)
	} else if prefix.Bits() < widestVPCPrefix || prefix.Bits() > narrowestVPCPrefix {
		p.add(at+".cidr", "%q is a /%d; a VPC here must be between /%d and /%d", n.Cidr, prefix.Bits(), widestVPCPrefix, narrowestVPCPrefix)
	} else if prefix.Masked() != prefix {
		p.add(at+".cidr", "%q has host bits set; use the network address %q", n.Cidr, prefix.Masked().String())
	}
	switch {
	case n.MaxAzs < fewestAzs:
		p.add(at+".maxAzs", "%d is too few; a highly available backend needs at least %d availability zones", n.MaxAzs, fewestAzs)
	case n.MaxAzs > agnosticAzs && !pinned:
		p.add(at+".maxAzs", "%d is more than an environment-agnostic environment can use (%d); pin account and region to use more", n.MaxAzs, agnosticAzs)
	case n.MaxAzs > mostAzs:
		p.add(at+".maxAzs", "%d is more than any region has; use %d to %d", n.MaxAzs, fewestAzs, mostAzs)
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
	}
}

func (b *Backend) validate(at string, e *Environment, p *problems) {
	p.addAll(at, b.Beanstalk.Problems())
	// A platform version ARN names its region; Beanstalk offers platform
	// versions per region ("About Elastic Beanstalk platforms").
	if platform, err := ebplatform.Parse(b.Platform); err == nil && platform.Arn != "" && e.Pinned() && platform.Region != e.Region {
		p.add(at+".platform", "%q is a platform version in %s, but this environment deploys to %s", b.Platform, platform.Region, e.Region)
	}
	b.validateService(at, e, p)
}

func (a *API) validate(at string, e *Environment, p *problems) {
	if a.Authorization != AuthorizationIAM && a.Authorization != AuthorizationNone {
		p.add(at+".authorization", "%q is not supported; use %q or %q", a.Authorization, AuthorizationIAM, AuthorizationNone)
	}
	if a.VpcLinkQuota < 1 {
		p.add(at+".vpcLinkQuota", "%d is too small; the default REST API quota is 20 VPC links per account and region", a.VpcLinkQuota)
	}
	if a.AccessLogRetentionDays != nil {
		p.addAll(at, settings.LogRetentionProblems("accessLogRetentionDays", *a.AccessLogRetentionDays))
	}
	p.addAll(at+".routes", settings.RoutesProblems(a.Routes))
	if len(a.Stages) == 0 {
		p.add(at+".stages", "is missing or empty; define at least one stage, e.g. {\"live\": {\"backend\": \"blue\"}}")
	}
	for _, name := range e.StageNames() {
		s := a.Stages[name]
		sat := at + ".stages." + name
		validateBackendRef(sat+".backend", s.Backend, e, p)
		p.addAll(sat, s.Stage.Problems(name))
		if s.Canary != nil && s.Canary.Backend != "" {
			validateBackendRef(sat+".canary.backend", s.Canary.Backend, e, p)
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
