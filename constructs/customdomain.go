package constructs

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs/settings"
)

// CustomDomainProps configures a CustomDomain.
type CustomDomainProps struct {
	// DomainName is the name clients call, e.g. "api.example.com". Required.
	DomainName *string
	// CertificateArn is an ACM certificate for DomainName in the stack's
	// region. Required.
	CertificateArn *string
	// SecurityPolicy is the domain's TLS security policy. An enhanced one
	// ("SecurityPolicy_…") gets the STRICT endpoint access mode.
	// Default: "SecurityPolicy_TLS13_1_3_2025_09".
	SecurityPolicy *string
	// TruststoreUri turns mutual TLS on with the CA certificates of this S3
	// object ("s3://BUCKET/KEY"). Default: none (no mutual TLS).
	TruststoreUri *string
	// TruststoreVersion is the truststore object's version. Default: the
	// latest.
	TruststoreVersion *string
	// HostedZoneId is the Route 53 hosted zone that gets alias A and AAAA
	// records for DomainName. Default: none.
	HostedZoneId *string
	// RoutingRules lets routing rules (AddHeaderRoute) send requests before
	// the base path mappings do. Default: false (base path mappings only).
	RoutingRules bool
}

// CustomDomain is a regional custom domain name of REST API stages: the
// AWS::ApiGateway::DomainName ("Resource"), a base path mapping per stage
// (BasePathMapping-STAGE) and, with a hosted zone, its alias records.
type CustomDomain interface {
	cdkconstructs.IConstruct
	// Domain is the domain name resource.
	Domain() awsapigateway.CfnDomainName
	// MapStage serves stage, whose name is name, at basePath on the domain,
	// "" for its root.
	MapStage(name string, stage awsapigateway.Stage, basePath string)
	// AddHeaderRoute sends a request whose header has the value name to
	// stage (whose name is name), whatever the URL's base path among
	// basePaths (stripped), or with none of them; it panics unless the
	// domain has RoutingRules.
	AddHeaderRoute(name string, stage awsapigateway.Stage, header string, basePaths []string)
}

type customDomain struct {
	cdkconstructs.Construct
	domain       awsapigateway.CfnDomainName
	mapped       map[string]string
	routingRules bool
}

func (d *customDomain) Domain() awsapigateway.CfnDomainName { return d.domain }

// NewCustomDomain creates the domain and, with a hosted zone, its alias
// records. It panics, naming the problem, when props are invalid.
func NewCustomDomain(scope cdkconstructs.Construct, id string, props *CustomDomainProps) CustomDomain {
	var missing []string
	if props == nil {
		props = &CustomDomainProps{}
	}
	if props.DomainName == nil {
		missing = append(missing, "DomainName")
	}
	if props.CertificateArn == nil {
		missing = append(missing, "CertificateArn")
	}
	if props.TruststoreVersion != nil && props.TruststoreUri == nil {
		missing = append(missing, "TruststoreUri (TruststoreVersion is set)")
	}
	if len(missing) > 0 {
		panic(fmt.Sprintf("constructs.NewCustomDomain %q: props miss %s", id, strings.Join(missing, ", ")))
	}
	policy := "SecurityPolicy_TLS13_1_3_2025_09"
	if props.SecurityPolicy != nil {
		policy = *props.SecurityPolicy
	}
	enhanced := strings.HasPrefix(policy, "SecurityPolicy_")
	if enhanced && props.TruststoreUri != nil {
		// "You can't enable mutual TLS on a domain name that uses an
		// enhanced security policy" ("Choose a security policy for your
		// custom domain in API Gateway").
		panic(fmt.Sprintf("constructs.NewCustomDomain %q: mutual TLS needs a legacy security policy (TLS_1_2), not %s", id, policy))
	}
	d := &customDomain{mapped: map[string]string{}, routingRules: props.RoutingRules}
	cdkconstructs.NewConstruct_Override(d, scope, &id)
	domainProps := &awsapigateway.CfnDomainNameProps{
		DomainName: props.DomainName,
		// A regional domain takes a certificate in the API's region ("Set up
		// a Regional custom domain name in API Gateway").
		RegionalCertificateArn: props.CertificateArn,
		EndpointConfiguration:  &awsapigateway.CfnDomainName_EndpointConfigurationProperty{Types: jsii.Strings("REGIONAL")},
		SecurityPolicy:         jsii.String(policy),
	}
	if enhanced {
		// "When you use an enhanced security policy, you must also set the
		// endpoint access mode"; AWS recommends STRICT ("Security policies
		// for REST APIs in API Gateway", Endpoint access mode).
		domainProps.EndpointAccessMode = jsii.String("STRICT")
	}
	if props.TruststoreUri != nil {
		domainProps.MutualTlsAuthentication = &awsapigateway.CfnDomainName_MutualTlsAuthenticationProperty{
			TruststoreUri:     props.TruststoreUri,
			TruststoreVersion: props.TruststoreVersion,
		}
	}
	if props.RoutingRules {
		// AWS::ApiGateway::DomainName names the modes after base path
		// mappings: ROUTING_RULE_THEN_BASE_PATH_MAPPING is the console's
		// ROUTING_RULE_THEN_API_MAPPING, rules first ("Set the routing mode
		// for your custom domain name").
		domainProps.RoutingMode = jsii.String("ROUTING_RULE_THEN_BASE_PATH_MAPPING")
	}
	d.domain = awsapigateway.NewCfnDomainName(d, jsii.String("Resource"), domainProps)
	if props.HostedZoneId != nil {
		for _, recordType := range []string{"A", "AAAA"} {
			awsroute53.NewCfnRecordSet(d, jsii.String("Alias"+recordType), &awsroute53.CfnRecordSetProps{
				HostedZoneId: props.HostedZoneId,
				Name:         props.DomainName,
				Type:         jsii.String(recordType),
				// "The DNS record can be the CNAME or an A Alias record" to
				// the regional domain name ("Set up a Regional custom domain
				// name in API Gateway").
				AliasTarget: &awsroute53.CfnRecordSet_AliasTargetProperty{
					DnsName:      d.domain.AttrRegionalDomainName(),
					HostedZoneId: d.domain.AttrRegionalHostedZoneId(),
				},
			})
		}
	}
	return d
}

func (d *customDomain) MapStage(name string, stage awsapigateway.Stage, basePath string) {
	if _, ok := d.mapped[name]; ok {
		panic(fmt.Sprintf("constructs.CustomDomain.MapStage %q: the stage is mapped twice", name))
	}
	if other := slices.IndexFunc(slices.Sorted(maps.Keys(d.mapped)), func(s string) bool { return d.mapped[s] == basePath }); other >= 0 {
		panic(fmt.Sprintf("constructs.CustomDomain.MapStage %q: base path %q is taken", name, basePath))
	}
	d.mapped[name] = basePath
	mapping := &awsapigateway.CfnBasePathMappingProps{
		DomainName: d.domain.Ref(),
		RestApiId:  stage.RestApi().RestApiId(),
		Stage:      stage.StageName(),
	}
	if basePath != "" {
		mapping.BasePath = jsii.String(basePath)
	}
	awsapigateway.NewCfnBasePathMapping(d, jsii.String("BasePathMapping-"+name), mapping)
}

func (d *customDomain) AddHeaderRoute(name string, stage awsapigateway.Stage, header string, basePaths []string) {
	if !d.routingRules {
		panic(fmt.Sprintf("constructs.CustomDomain.AddHeaderRoute %q: the domain was made without RoutingRules", name))
	}
	match := &awsapigatewayv2.CfnRoutingRule_ConditionProperty{
		// Header names match case-insensitively, values literally
		// ("Match headers conditions").
		MatchHeaders: &awsapigatewayv2.CfnRoutingRule_MatchHeadersProperty{
			AnyOf: &[]*awsapigatewayv2.CfnRoutingRule_MatchHeaderValueProperty{{Header: jsii.String(header), ValueGlob: jsii.String(name)}},
		},
	}
	rule := func(id string, atRoot bool, conditions []*awsapigatewayv2.CfnRoutingRule_ConditionProperty) {
		awsapigatewayv2.NewCfnRoutingRule(d, jsii.String(id), &awsapigatewayv2.CfnRoutingRuleProps{
			DomainNameArn: d.domain.AttrDomainNameArn(),
			Priority:      jsii.Number(settings.RoutingRulePriority(name, atRoot)),
			Conditions:    &conditions,
			Actions: &[]*awsapigatewayv2.CfnRoutingRule_ActionProperty{{
				InvokeApi: &awsapigatewayv2.CfnRoutingRule_ActionInvokeApiProperty{
					ApiId:         stage.RestApi().RestApiId(),
					Stage:         stage.StageName(),
					StripBasePath: jsii.Bool(!atRoot),
				},
			}},
		})
	}
	var paths []*string
	for _, p := range basePaths {
		if p != "" {
			paths = append(paths, jsii.String(p))
		}
	}
	// A request at another stage's base path reaches this stage with that
	// base path stripped, as that stage would have seen the rest of the
	// path.
	if len(paths) > 0 {
		rule("HeaderRoute-"+name, false, []*awsapigatewayv2.CfnRoutingRule_ConditionProperty{
			match, {MatchBasePaths: &awsapigatewayv2.CfnRoutingRule_MatchBasePathsProperty{AnyOf: &paths}},
		})
	}
	// A request at the root, when a stage is served there, keeps its path.
	if len(paths) < len(basePaths) {
		rule("HeaderRouteAtRoot-"+name, true, []*awsapigatewayv2.CfnRoutingRule_ConditionProperty{match})
	}
}
