package stacks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/constructs"
	"privatebackend/internal/nag"
)

// BackendTarget is what the API needs of a backend: its load balancer, and
// its alarms and widgets for the environment's dashboard.
type BackendTarget struct {
	// LoadBalancer is the backend's internal Network Load Balancer.
	LoadBalancer awselasticloadbalancingv2.INetworkLoadBalancer
	// Monitoring holds the backend's alarms and dashboard widgets.
	Monitoring constructs.BackendMonitoring
}

// APIProps configures the API stack.
type APIProps struct {
	awscdk.StackProps
	// API is the environment's validated API configuration.
	API config.API
	// Backends are the environment's backends by name.
	Backends map[string]BackendTarget
	// AlarmTopic is notified by the stages' alarms.
	AlarmTopic awssns.ITopic
	// Monitoring is the environment's validated monitoring configuration.
	Monitoring config.Monitoring
	// DashboardName names the environment's dashboard.
	DashboardName string
}

// API is the REST API of one environment, its stages' alarms and the
// environment's dashboard.
type API struct {
	awscdk.Stack
	// Api is the private REST API: its VPC links, methods and stages.
	Api constructs.PrivateRestApi
	// Stages are the API's stages by name.
	Stages map[string]awsapigateway.Stage
	// Dashboard shows every stage and backend of the environment.
	Dashboard awscloudwatch.Dashboard
}

// NewAPI creates the API stack.
func NewAPI(scope cdkconstructs.Construct, id string, props *APIProps) *API {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	cfg := props.API
	authorization := awsapigateway.AuthorizationType_IAM
	if cfg.Authorization == config.AuthorizationNone {
		authorization = awsapigateway.AuthorizationType_NONE
	}
	authorizers := newAuthorizers(stack, cfg.Authorizers)
	apiProps := &constructs.PrivateRestApiProps{
		Description:            jsii.String("Private backends of " + *stack.StackName() + ", reached through VPC links"),
		AuthorizationType:      authorization,
		Authorizers:            authorizers,
		Routes:                 cfg.Routes,
		AccessLogRetentionDays: cfg.AccessLogRetentionDays,
		// A key of this stack's own: AWS Control Tower's CT.CLOUDWATCH.PR.3
		// accepts a KmsKeyId that names a key of the same template, and an
		// imported one is not.
		AccessLogEncryptionKey:    constructs.NewLogEncryptionKey(stack, "AccessLogKey", "Encrypts the stages' access logs of "+*stack.StackName()),
		DisableExecuteApiEndpoint: cfg.DisableExecuteApiEndpoint,
	}
	if _, ok := authorizers[cfg.Authorization]; ok {
		apiProps.Authorizer = cfg.Authorization
	}
	if cfg.Waf {
		apiProps.WebAclArn = newWebACL(stack).AttrArn()
	} else {
		nag.Suppress(stack, "AwsSolutions-APIG3", "api.waf is false in this environment's configuration; throttling and authorization still apply.")
	}
	// The id "Default" leaves the API's resources with the logical ids they
	// had at the stack's top level before the construct existed: CDK drops
	// a "Default" from the paths it derives logical ids from.
	a := &API{Stack: stack, Stages: map[string]awsapigateway.Stage{}, Api: constructs.NewPrivateRestApi(stack, "Default", apiProps)}
	// cdk-nag's APIG4 wants an authorization and COG4 a Cognito user pools
	// authorizer on every method: a method with a Cognito authorizer needs
	// no suppression, the others say why.
	for _, m := range a.Api.Methods() {
		// CloudFormation's values, not the Go enum's member names.
		switch *m.Node().DefaultChild().(awsapigateway.CfnMethod).AuthorizationType() {
		case "AWS_IAM":
			nag.Suppress(m, "AwsSolutions-COG4", "The method requires AWS_IAM (SigV4) authorization, chosen in api.authorization; a Cognito user pool is not the only sound authorizer.")
		case "CUSTOM":
			nag.Suppress(m, "AwsSolutions-COG4", "The method uses a Lambda authorizer chosen in the configuration (api.authorization or the route's authorization); a Cognito user pool is not the only sound authorizer.")
		case "NONE":
			nag.Suppress(m, "AwsSolutions-APIG4", "The method's authorization is \"none\" in this environment's configuration (api.authorization or the route's): it is deliberately open; WAF and throttling still apply.")
			nag.Suppress(m, "AwsSolutions-COG4", "The method's authorization is \"none\" in this environment's configuration: it is deliberately open.")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(props.Backends)) {
		a.Api.AddBackend(name, props.Backends[name].LoadBalancer)
	}
	stageNames := slices.Sorted(maps.Keys(cfg.Stages))
	domain := newDomain(stack, a.Api.RestApi(), cfg.Domain)
	for _, name := range stageNames {
		s := cfg.Stages[name]
		a.Stages[name] = a.Api.AddStage(name, &constructs.StageOptions{Backend: s.Backend, Backends: s.Backends, Stage: s.Stage})
		url := a.Stages[name].UrlForPath(jsii.String("/"))
		if domain != nil {
			domain.MapStage(name, a.Stages[name], cfg.Domain.BasePath(name))
			url = jsii.String(cfg.Domain.StageURL(name))
		}
		awscdk.NewCfnOutput(stack, jsii.String(config.StageURLOutputID(name)), &awscdk.CfnOutputProps{
			Description: jsii.String("Invoke URL of stage " + name + " (backend " + s.Backend + serviceBackends(s.Backends) + ")"),
			Value:       url,
		})
		if s.UsagePlan != nil {
			newUsagePlan(stack, name, a.Stages[name], s.UsagePlan)
		}
	}
	if domain != nil && cfg.Domain.RouteHeader != nil {
		var basePaths []string
		for _, name := range stageNames {
			basePaths = append(basePaths, cfg.Domain.BasePath(name))
		}
		for _, name := range stageNames {
			domain.AddHeaderRoute(name, a.Stages[name], cfg.Domain.RouteHeader.Name, basePaths)
		}
	}
	a.Dashboard = a.newDashboard(stack, stageNames, props)
	return a
}

// newAuthorizers creates the API's authorizers by name. A Lambda
// authorizer grants API Gateway the right to invoke its function for this
// authorizer of this API only: the CDK's authorizer adds the function
// permission with SourceArn arn:PARTITION:execute-api:REGION:ACCOUNT:
// API_ID/authorizers/AUTHORIZER_ID ("Control access to REST APIs using
// Lambda authorizers"; re:Post "http authorizer lambda permissions").
func newAuthorizers(stack awscdk.Stack, authorizers map[string]*config.Authorizer) map[string]awsapigateway.IAuthorizer {
	out := map[string]awsapigateway.IAuthorizer{}
	for _, name := range slices.Sorted(maps.Keys(authorizers)) {
		az, id := authorizers[name], "Authorizer-"+name
		ttl := awscdk.Duration_Seconds(jsii.Number(az.ResultTTLSeconds))
		switch az.Type {
		case config.AuthorizerCognito:
			var pools []awscognito.IUserPool
			for i, arn := range az.UserPoolArns {
				pools = append(pools, awscognito.UserPool_FromUserPoolArn(stack, jsii.String(fmt.Sprintf("%s-UserPool%d", id, i)), jsii.String(arn)))
			}
			out[name] = awsapigateway.NewCognitoUserPoolsAuthorizer(stack, jsii.String(id), &awsapigateway.CognitoUserPoolsAuthorizerProps{
				CognitoUserPools: &pools,
				IdentitySource:   jsii.String(az.IdentitySource),
				ResultsCacheTtl:  ttl,
			})
		case config.AuthorizerLambda:
			// The function is the environment's own (config checks its
			// account and region when pinned), so the stack may add its
			// permission.
			handler := awslambda.Function_FromFunctionAttributes(stack, jsii.String(id+"-Function"), &awslambda.FunctionAttributes{
				FunctionArn:     jsii.String(az.FunctionArn),
				SameEnvironment: jsii.Bool(true),
			})
			if az.Kind == config.LambdaRequest {
				var sources []*string
				for _, source := range strings.Split(az.IdentitySource, ",") {
					sources = append(sources, jsii.String(strings.TrimSpace(source)))
				}
				out[name] = awsapigateway.NewRequestAuthorizer(stack, jsii.String(id), &awsapigateway.RequestAuthorizerProps{
					Handler: handler, IdentitySources: &sources, ResultsCacheTtl: ttl,
				})
			} else {
				out[name] = awsapigateway.NewTokenAuthorizer(stack, jsii.String(id), &awsapigateway.TokenAuthorizerProps{
					Handler: handler, IdentitySource: jsii.String(az.IdentitySource), ResultsCacheTtl: ttl,
				})
			}
			// The permission also names this account: AWS Control Tower's
			// CT.LAMBDA.PR.2 reads a literal SourceAccount, not the
			// Fn::Join of SourceArn (its guard rule accepts a string or a
			// Ref or GetAtt of the template's own resources).
			for _, child := range *handler.Node().Children() {
				if permission, ok := child.(awscdk.CfnResource); ok && *permission.CfnResourceType() == "AWS::Lambda::Permission" {
					permission.AddPropertyOverride(jsii.String("SourceAccount"), stack.Account())
				}
			}
		}
	}
	return out
}

// newUsagePlan creates a stage's usage plan and outputs its id. The stacks
// create no API keys: a key's value is a secret the template would show, so
// operators create each partner's key and add it to the plan
// (aws apigateway create-api-key, then create-usage-plan-key), and its
// value lives in API Gateway only.
func newUsagePlan(stack awscdk.Stack, stageName string, stage awsapigateway.Stage, u *config.UsagePlan) {
	props := &awsapigateway.CfnUsagePlanProps{
		Description: jsii.String("API keys of stage " + stageName + " of " + *stack.StackName()),
		ApiStages: &[]*awsapigateway.CfnUsagePlan_ApiStageProperty{{
			ApiId: stage.RestApi().RestApiId(),
			Stage: stage.StageName(),
		}},
		Throttle: &awsapigateway.CfnUsagePlan_ThrottleSettingsProperty{
			RateLimit:  jsii.Number(u.RateLimit),
			BurstLimit: jsii.Number(u.BurstLimit),
		},
	}
	if q := u.Quota; q != nil {
		// Period: DAY, WEEK or MONTH (QuotaSettings, API Gateway REST API
		// reference).
		props.Quota = &awsapigateway.CfnUsagePlan_QuotaSettingsProperty{Limit: jsii.Number(q.Limit), Period: jsii.String(q.Period)}
	}
	plan := awsapigateway.NewCfnUsagePlan(stack, jsii.String("UsagePlan-"+stageName), props)
	awscdk.NewCfnOutput(stack, jsii.String("UsagePlanId-"+stageName), &awscdk.CfnOutputProps{
		Description: jsii.String("Usage plan of stage " + stageName + ": add a partner's API key with aws apigateway create-usage-plan-key --usage-plan-id THIS --key-type API_KEY --key-id KEY_ID"),
		Value:       plan.Ref(),
	})
}

// newDomain creates the API's custom domain, or returns nil without one.
func newDomain(stack awscdk.Stack, api awsapigateway.IRestApi, d *config.Domain) constructs.CustomDomain {
	if d == nil {
		return nil
	}
	props := &constructs.CustomDomainProps{
		DomainName:     jsii.String(d.Name),
		CertificateArn: jsii.String(d.CertificateArn),
		SecurityPolicy: jsii.String(d.Policy()),
		RoutingRules:   d.RouteHeader != nil,
	}
	if d.HostedZoneID != "" {
		props.HostedZoneId = jsii.String(d.HostedZoneID)
	}
	if m := d.MutualTLS; m != nil {
		props.TruststoreUri = jsii.String(m.TruststoreURI)
		if m.TruststoreVersion != "" {
			props.TruststoreVersion = jsii.String(m.TruststoreVersion)
		}
	}
	domain := constructs.NewCustomDomain(stack, "Domain", props)
	awscdk.NewCfnOutput(stack, jsii.String(config.RestAPIIDOutput), &awscdk.CfnOutputProps{
		Description: jsii.String("The REST API's id, which the domain's stage URLs do not show"),
		Value:       api.RestApiId(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("DomainTarget"), &awscdk.CfnOutputProps{
		Description: jsii.String("The regional name that " + d.Name + " points at (an alias or CNAME target)"),
		Value:       domain.Domain().AttrRegionalDomainName(),
	})
	return domain
}

// serviceBackends says which backend serves each service, after the
// default service's, in a stage's description.
func serviceBackends(backends map[string]string) string {
	out := ""
	for _, service := range slices.Sorted(maps.Keys(backends)) {
		out += "; " + service + ": " + backends[service]
	}
	return out
}

// newDashboard creates the environment's dashboard: the status of every
// alarm, then a row per stage (with its alarms) and a row per backend.
func (a *API) newDashboard(stack awscdk.Stack, stageNames []string, props *APIProps) awscloudwatch.Dashboard {
	m := props.Monitoring
	var alarms []interfacesawscloudwatch.IAlarmRef
	var rows [][]awscloudwatch.IWidget
	for _, name := range stageNames {
		monitoring := constructs.NewStageMonitoring(stack, "Monitoring-"+name, &constructs.StageMonitoringProps{
			Stage:       a.Stages[name],
			Name:        name,
			Topic:       props.AlarmTopic,
			StageAlarms: m.StageAlarms,
			Schedule:    m.AlarmSchedule,
		})
		for _, alarm := range monitoring.Alarms() {
			alarms = append(alarms, alarm)
		}
		rows = append(rows, monitoring.Widgets())
	}
	for _, name := range slices.Sorted(maps.Keys(props.Backends)) {
		monitoring := props.Backends[name].Monitoring
		for _, alarm := range monitoring.Alarms() {
			alarms = append(alarms, alarm)
		}
		rows = append(rows, monitoring.Widgets())
	}
	dashboard := awscloudwatch.NewDashboard(stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(props.DashboardName),
	})
	dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title:  jsii.String("Alarms"),
		Alarms: &alarms,
		Width:  jsii.Number(24),
		Height: jsii.Number(2 + len(alarms)/4),
	}))
	for _, row := range rows {
		dashboard.AddWidgets(row...)
	}
	return dashboard
}

// newWebACL creates a regional web ACL with AWS's common and known-bad-input
// rule sets and a per-client rate limit.
func newWebACL(stack awscdk.Stack) awswafv2.CfnWebACL {
	visibility := func(metric string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(metric),
			SampledRequestsEnabled:   jsii.Bool(true),
		}
	}
	managed := func(name string, priority int) *awswafv2.CfnWebACL_RuleProperty {
		return &awswafv2.CfnWebACL_RuleProperty{
			Name:     jsii.String(name),
			Priority: jsii.Number(priority),
			Statement: &awswafv2.CfnWebACL_StatementProperty{
				ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{
					VendorName: jsii.String("AWS"),
					Name:       jsii.String(name),
				},
			},
			OverrideAction:   &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			VisibilityConfig: visibility(name),
		}
	}
	return awswafv2.NewCfnWebACL(stack, jsii.String("WebAcl"), &awswafv2.CfnWebACLProps{
		Scope:            jsii.String("REGIONAL"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: map[string]any{}},
		VisibilityConfig: visibility("WebAcl"),
		Rules: &[]*awswafv2.CfnWebACL_RuleProperty{
			managed("AWSManagedRulesCommonRuleSet", 1),
			managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
			{
				Name:     jsii.String("RateLimitPerClient"),
				Priority: jsii.Number(3),
				Statement: &awswafv2.CfnWebACL_StatementProperty{
					RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
						Limit:            jsii.Number(2000),
						AggregateKeyType: jsii.String("IP"),
					},
				},
				Action:           &awswafv2.CfnWebACL_RuleActionProperty{Block: map[string]any{}},
				VisibilityConfig: visibility("RateLimitPerClient"),
			},
		},
	})
}
