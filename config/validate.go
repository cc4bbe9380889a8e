package config

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"privatebackend/constructs/settings"
	"privatebackend/internal/ebplatform"
	"privatebackend/internal/model"
)

// The forms and lists the configuration's keys name in their tags; the
// constructs' own are in package settings.
var (
	// An environment name becomes the prefix of CloudFormation stack names
	// ("dev-Network"), which allow letters, digits and hyphens.
	environmentName = model.NewPattern(model.Pattern{Name: "environmentName", Expr: `^[A-Za-z][A-Za-z0-9]{0,19}$`,
		What: "an environment name that can be part of a stack name", Want: `a letter followed by up to 19 letters or digits, e.g. "dev"`})
	accountID = model.NewPattern(model.Pattern{Name: "accountId", Expr: `^[0-9]{12}$`,
		What: "an AWS account id", Want: `12 digits, e.g. "123456789012"`})
	regionName = model.NewPattern(model.Pattern{Name: "region", Expr: `^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`,
		What: "a region name", Want: `e.g. "eu-west-1"`})
	_ = model.NewPattern(model.Pattern{Name: "vpcId", Expr: `^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`,
		What: "a VPC id", Want: `e.g. "vpc-0123456789abcdef0"`})
	// The schema states the exact set of ranges as a regular expression;
	// the app says which part of a range is wrong.
	_ = model.NewPattern(model.Pattern{Name: "vpcCidr", Expr: vpcCidrPattern(), Check: checkVpcCidr})

	_ = model.NewEnum("egress", "an egress mode", EgressEndpoints, EgressNat)
)

// Bounds of the network settings beyond the keys' own.
const (
	// A VPC's range is a /16 to a /24 here.
	widestVPCPrefix, narrowestVPCPrefix = 16, 24
	// Where an environment-agnostic environment deploys is known only at
	// deploy time, so it can count on two availability zones only.
	agnosticAzs = 2
)

// checkVpcCidr says what is wrong with a VPC range, if anything.
func checkVpcCidr(cidr string) error {
	prefix, err := netip.ParsePrefix(cidr)
	switch {
	case err != nil || !prefix.Addr().Is4():
		return fmt.Errorf("%q is not a valid IPv4 CIDR; use e.g. \"10.0.0.0/16\"", cidr)
	case prefix.Bits() < widestVPCPrefix || prefix.Bits() > narrowestVPCPrefix:
		return fmt.Errorf("%q is a /%d; a VPC here must be between /%d and /%d", cidr, prefix.Bits(), widestVPCPrefix, narrowestVPCPrefix)
	case prefix.Masked() != prefix:
		return fmt.Errorf("%q has host bits set; use the network address %q", cidr, prefix.Masked().String())
	}
	return nil
}

// Rules are the environment's cross-key rules.
func (e *Environment) Rules() model.Problems {
	var ps model.Problems
	n := e.Network
	if n.VpcID != "" && !e.Pinned() {
		ps.Add("network.vpcId", "looking up an existing VPC needs a pinned environment; set account and region, or remove vpcId to create a VPC")
	}
	if n.VpcID == "" && n.MaxAzs > agnosticAzs && !e.Pinned() {
		ps.Add("network.maxAzs", "%d is more than an environment-agnostic environment can use (%d); pin account and region to use more", n.MaxAzs, agnosticAzs)
	}
	for _, name := range e.BackendNames() {
		b := e.Backends[name]
		// A platform version ARN names its region; Beanstalk offers
		// platform versions per region ("About Elastic Beanstalk platforms").
		if region, arn := ebplatform.ArnRegion(b.Platform); arn && e.Pinned() && region != e.Region {
			ps.Add("backends."+name+".platform", "%q is a platform version in %s, but this environment deploys to %s", b.Platform, region, e.Region)
		}
	}
	ps = append(ps, e.serviceRules()...)
	for _, name := range e.StageNames() {
		s := e.API.Stages[name]
		e.backendRef(&ps, "api.stages."+name+".backend", s.Backend)
		if s.Canary != nil && s.Canary.Backend != "" {
			e.backendRef(&ps, "api.stages."+name+".canary.backend", s.Canary.Backend)
		}
	}
	return append(ps, e.frontDoorRules()...)
}

// backendRef checks that a stage names one of the backends, once there
// are any.
func (e *Environment) backendRef(ps *model.Problems, at, name string) {
	_, ok := e.Backends[name]
	switch {
	case len(e.Backends) == 0 || ok:
	case name == "":
		ps.Add(at, "is missing; name one of the backends: %s", strings.Join(e.BackendNames(), ", "))
	case settings.BackendNamePattern.MatchString(name):
		ps.Add(at, "%q is not a backend of this environment; defined backends: %s", name, strings.Join(e.BackendNames(), ", "))
	}
}

// Rules are the network's cross-key rules.
func (n *Network) Rules() model.Problems {
	var ps model.Problems
	if n.VpcID != "" {
		// The settings of a VPC the app creates mean nothing for an
		// existing one (the excludes tag of vpcId).
		return ps
	}
	switch {
	case n.NatGateways == nil:
	case n.Egress == EgressEndpoints:
		ps.Add("natGateways", "is set but egress is %q; remove it or set egress to %q", EgressEndpoints, EgressNat)
	case n.Egress == EgressNat && *n.NatGateways > n.MaxAzs:
		ps.Add("natGateways", "%d is out of range; use 1 to maxAzs (%d)", *n.NatGateways, n.MaxAzs)
	}
	return ps
}

// Rules are the API's cross-key rules: the routes together.
func (a *API) Rules() model.Problems {
	return settings.RouteConflicts(a.Routes).Within("routes")
}

// Rules are the configuration's cross-environment rules: the VPC links
// of every environment pinned to one account and region, and the
// environments a pipeline deploys; and what to write when there are no
// environments at all.
func (f *File) Rules() model.Problems {
	var ps model.Problems
	if f.Environments == nil {
		ps.Add(EnvironmentsKey, "is missing; add an \"environments\" object to the context in cdk.json, e.g. {\"dev\": {\"backends\": {\"blue\": {}}, \"api\": {\"stages\": {\"live\": {\"backend\": \"blue\"}}}}}")
	}
	envs := f.SortedEnvironments()
	ps = append(ps, vpcLinkQuota(envs)...)
	if f.Pipeline != nil {
		ps = append(ps, f.Pipeline.environmentRules(envs).Within(PipelineKey)...)
	}
	return ps
}

// vpcLinkQuota checks that the VPC links of all environments that deploy
// to one account and region (one per backend) fit that account's quota.
// Environment-agnostic environments are counted on their own: where they
// deploy is only known at deploy time.
func vpcLinkQuota(envs []*Environment) model.Problems {
	var ps model.Problems
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
				ps.Add("environments."+e.Name+".backends", "needs %d VPC links in %s, more than the quota of %d (api.vpcLinkQuota); remove backends or raise the quota with AWS and set api.vpcLinkQuota", links, where, e.API.VpcLinkQuota)
			}
		}
	}
	return ps
}
