package config

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"privatebackend/constructs/settings"
)

// The API as a team's front door (issue 27): several services behind one
// API. Its keys live in this file until the configuration model declares
// each key once.

// validateFrontDoor checks what the API's services, domain, authorizers and
// usage plans say together with the rest of the environment.
func (a *API) validateFrontDoor(at string, e *Environment, p *problems) {
	a.validateServices(at, e, p)
	a.validateDomain(at, e, p)
}

// validateServices checks that every stage serves every service the routes
// name, with backends of this environment, and its canary overrides only
// those services. The VPC link quota needs nothing more: a link is made per
// backend, however many services and stages use it.
func (a *API) validateServices(at string, e *Environment, p *problems) {
	// A service name that is not valid is reported with its route, once.
	services := slices.DeleteFunc(settings.Services(a.Routes), func(s string) bool { return !settings.ServiceNamePattern.MatchString(s) })
	known := strings.Join(services, ", ")
	if known == "" {
		known = "none (no route names a service)"
	}
	example := "blue"
	if names := e.BackendNames(); len(names) > 0 {
		example = names[0]
	}
	for _, name := range e.StageNames() {
		s := a.Stages[name]
		sat := at + ".stages." + name
		for _, service := range services {
			if _, ok := s.Backends[service]; !ok {
				p.add(sat+".backends", "has no backend for service %q; a stage serves every service the routes name (%s), e.g. {%q: %q}", service, known, service, example)
			}
		}
		check := func(key string, backends map[string]string) {
			for _, service := range slices.Sorted(maps.Keys(backends)) {
				if !slices.Contains(services, service) {
					p.add(key+"."+service, "no route names service %q; services: %s", service, known)
					continue
				}
				validateBackendRef(key+"."+service, backends[service], e, p)
			}
		}
		check(sat+".backends", s.Backends)
		if s.Canary != nil {
			check(sat+".canary.backends", s.Canary.Backends)
		}
	}
}

// Domain is the REST API's regional custom domain name.
type Domain struct {
	// Name is the domain name clients call, e.g. "api.example.com":
	// lowercase labels of letters, digits and hyphens. Required.
	Name string `json:"name"`
	// CertificateArn is the ACM certificate for name, in the environment's
	// region and partition. Required.
	CertificateArn string `json:"certificateArn"`
	// HostedZoneID is the Route 53 public hosted zone that gets alias A and
	// AAAA records for name. Default: none (point DNS at the domain's
	// regional name, an output of the Api stack, yourself).
	HostedZoneID string `json:"hostedZoneId"`
	// SecurityPolicy is the TLS policy of the domain: "TLS_1_2" or one of
	// the enhanced "SecurityPolicy_…" policies for regional domains.
	// Default: "SecurityPolicy_TLS13_1_3_2025_09" (TLS 1.3 only, with the
	// STRICT endpoint access mode), or "TLS_1_2" with mutualTls, which an
	// enhanced policy does not allow.
	SecurityPolicy string `json:"securityPolicy"`
	// BasePaths map each stage to the base path it is served at on the
	// domain: a path segment, or "/" for the domain's root. Default: each
	// stage at its own name (https://NAME/live/), as on the execute-api
	// URL, so that clients only change the host and no stage is the root
	// by accident.
	BasePaths map[string]string `json:"basePaths"`
	// MutualTLS makes clients present a certificate that the truststore
	// trusts. Default: none.
	MutualTLS *MutualTLS `json:"mutualTls"`
}

// MutualTLS is the mutual TLS authentication of a custom domain.
type MutualTLS struct {
	// TruststoreURI is the S3 object holding the trusted CA certificates,
	// "s3://BUCKET/KEY". Required.
	TruststoreURI string `json:"truststoreUri"`
	// TruststoreVersion is the S3 object version of the truststore, from a
	// versioned bucket. Default: the latest version.
	TruststoreVersion string `json:"truststoreVersion"`
}

// Security policies of a regional REST API custom domain.
const (
	// SecurityPolicyTLS12 is the legacy TLS 1.2 policy, the only kind that
	// mutual TLS allows.
	SecurityPolicyTLS12 = "TLS_1_2"
	// SecurityPolicyTLS13 accepts TLS 1.3 only: the strongest policy for
	// regional domains that is not restricted to FIPS ciphers.
	SecurityPolicyTLS13 = "SecurityPolicy_TLS13_1_3_2025_09"
)

// RegionalSecurityPolicies are the security policies a regional REST API
// custom domain takes ("Supported security policies", API Gateway developer
// guide: the table for regional and private APIs and custom domain names);
// TLS_1_0 is left out on purpose.
var RegionalSecurityPolicies = []string{
	SecurityPolicyTLS12,
	SecurityPolicyTLS13,
	"SecurityPolicy_TLS13_1_3_FIPS_2025_09",
	"SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09",
	"SecurityPolicy_TLS13_1_2_2021_06",
}

// EnhancedSecurityPolicy reports whether policy is an enhanced one, which
// needs an endpoint access mode and cannot have mutual TLS ("Choose a
// security policy for your custom domain in API Gateway", Considerations).
func EnhancedSecurityPolicy(policy string) bool {
	return strings.HasPrefix(policy, "SecurityPolicy_")
}

// Policy returns the domain's security policy, its default applied.
func (d *Domain) Policy() string {
	switch {
	case d.SecurityPolicy != "":
		return d.SecurityPolicy
	case d.MutualTLS != nil:
		return SecurityPolicyTLS12
	default:
		return SecurityPolicyTLS13
	}
}

// BasePath returns the base path stage is served at: "" for the root.
func (d *Domain) BasePath(stage string) string {
	path, ok := d.BasePaths[stage]
	switch {
	case !ok:
		return stage
	case path == "/":
		return ""
	default:
		return path
	}
}

// StageURL returns the URL of stage on the domain, ending in "/".
func (d *Domain) StageURL(stage string) string {
	if path := d.BasePath(stage); path != "" {
		return "https://" + d.Name + "/" + path + "/"
	}
	return "https://" + d.Name + "/"
}

var (
	// A domain name of lowercase labels ("Uppercase letters are not
	// supported", aws-cdk-lib DomainNameOptions.domainName).
	domainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	// An ACM certificate ARN: arn:PARTITION:acm:REGION:ACCOUNT:certificate/ID.
	certificateArn = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):acm:([a-z0-9-]+):([0-9]{12}):certificate/[A-Za-z0-9-]+$`)
	// A Route 53 hosted zone id, e.g. "Z0123456789ABCDEFGHIJ".
	hostedZoneID = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	// A truststore object: "An Amazon S3 URL ... for example
	// s3://bucket-name/key-name" (AWS::ApiGateway::DomainName
	// MutualTlsAuthentication).
	truststoreURI = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$`)
	// A base path is one URL path segment here (multi-level base paths need
	// API mappings of the V2 API).
	basePath = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,128}$`)
)

// partitionOf returns the partition of a region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	default:
		return "aws"
	}
}

// validateDomain checks the custom domain and what needs one.
func (a *API) validateDomain(at string, e *Environment, p *problems) {
	if a.Domain == nil {
		if a.DisableExecuteApiEndpoint {
			p.add(at+".disableExecuteApiEndpoint", "is true but api.domain is not set; clients would have no way in; set api.domain or remove the key")
		}
		return
	}
	d, dat := a.Domain, at+".domain"
	switch {
	case d.Name == "":
		p.add(dat+".name", "is missing; set the domain name clients call, e.g. \"api.example.com\"")
	case len(d.Name) > 253 || !domainName.MatchString(d.Name):
		p.add(dat+".name", "%q is not a domain name; use lowercase labels of letters, digits and hyphens, e.g. \"api.example.com\"", d.Name)
	}
	if d.CertificateArn == "" {
		p.add(dat+".certificateArn", "is missing; name the ACM certificate for the domain, in the environment's region")
	} else if m := certificateArn.FindStringSubmatch(d.CertificateArn); m == nil {
		p.add(dat+".certificateArn", "%q is not an ACM certificate ARN; want arn:aws:acm:REGION:ACCOUNT:certificate/ID", d.CertificateArn)
	} else if e.Pinned() {
		// "You must provide a Region-specific ACM certificate. This
		// certificate must be in the same Region as your API" ("Set up a
		// Regional custom domain name in API Gateway").
		if m[2] != e.Region {
			p.add(dat+".certificateArn", "is a certificate in %s, but this environment deploys to %s; a regional domain needs a certificate in the API's region", m[2], e.Region)
		} else if m[1] != partitionOf(e.Region) {
			p.add(dat+".certificateArn", "is in partition %s, but %s is in %s", m[1], e.Region, partitionOf(e.Region))
		}
	}
	if d.HostedZoneID != "" && !hostedZoneID.MatchString(d.HostedZoneID) {
		p.add(dat+".hostedZoneId", "%q is not a Route 53 hosted zone id; want e.g. \"Z0123456789ABCDEFGHIJ\"", d.HostedZoneID)
	}
	if d.SecurityPolicy != "" && !slices.Contains(RegionalSecurityPolicies, d.SecurityPolicy) {
		p.add(dat+".securityPolicy", "%q is not a security policy of a regional REST API domain; use one of %s", d.SecurityPolicy, strings.Join(RegionalSecurityPolicies, ", "))
	}
	if m := d.MutualTLS; m != nil {
		switch {
		case m.TruststoreURI == "":
			p.add(dat+".mutualTls.truststoreUri", "is missing; mutual TLS needs a truststore, e.g. \"s3://my-bucket/truststore.pem\"")
		case !truststoreURI.MatchString(m.TruststoreURI):
			p.add(dat+".mutualTls.truststoreUri", "%q is not an S3 object URL; want \"s3://BUCKET/KEY\"", m.TruststoreURI)
		}
		if EnhancedSecurityPolicy(d.SecurityPolicy) {
			// "You can't enable mutual TLS on a domain name that uses an
			// enhanced security policy" ("Choose a security policy for your
			// custom domain in API Gateway").
			p.add(dat+".securityPolicy", "%q is an enhanced security policy, which mutual TLS does not allow; use %q or remove mutualTls", d.SecurityPolicy, SecurityPolicyTLS12)
		}
	}
	used := map[string]string{}
	for _, stage := range e.StageNames() {
		path := d.BasePath(stage)
		if other, ok := used[path]; ok {
			p.add(dat+".basePaths."+stage, "serves stage %s at the base path %q of stage %s; give each stage its own", stage, "/"+path, other)
		}
		used[path] = stage
	}
	for _, stage := range slices.Sorted(maps.Keys(d.BasePaths)) {
		path := d.BasePaths[stage]
		if _, ok := a.Stages[stage]; !ok {
			p.add(dat+".basePaths."+stage, "names no stage of this environment; stages: %s", strings.Join(e.StageNames(), ", "))
		} else if path != "/" && !basePath.MatchString(path) {
			p.add(dat+".basePaths."+stage, "%q is not a base path; use one path segment of letters, digits and ._~- (no slash), or \"/\" for the domain's root", path)
		}
	}
}
