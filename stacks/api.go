package stacks

import (
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
	"privatebackend/constructs"
	"privatebackend/internal/nag"
	"privatebackend/internal/synthtiming"
)

// BackendTarget is what the API needs of a backend: its load balancer, and
// its alarms and widgets for the environment's dashboard.
type BackendTarget struct {
	// LoadBalancerArn is the ARN of the backend's Network Load Balancer.
	LoadBalancerArn *string
	// LoadBalancerDNSName is the load balancer's DNS name.
	LoadBalancerDNSName *string
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

// API is the REST API of one environment: a VPC link per backend and stages
// that point at backends through their variables.
type API struct {
	awscdk.Stack
	// RestAPI is the REST API.
	RestAPI awsapigateway.RestApi
	// Proxy holds the API's private, stage-variable-driven methods.
	Proxy constructs.StageVariableProxy
	// VpcLinks are the VPC links by backend name.
	VpcLinks map[string]awsapigateway.VpcLink
	// Stages are the API's stages by name.
	Stages map[string]awsapigateway.Stage
	// Dashboard shows every stage and backend of the environment.
	Dashboard awscloudwatch.Dashboard

	backends map[string]BackendTarget
}

// NewAPI creates the API stack.
func NewAPI(scope cdkconstructs.Construct, id string, props *APIProps) *API {
	defer synthtiming.Stack("Api")()
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	cfg := props.API
	a := &API{
		Stack:    stack,
		VpcLinks: map[string]awsapigateway.VpcLink{},
		Stages:   map[string]awsapigateway.Stage{},
		backends: props.Backends,
	}

	for _, name := range slices.Sorted(maps.Keys(props.Backends)) {
		target := props.Backends[name]
		nlb := awselasticloadbalancingv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(stack,
			jsii.String("LoadBalancer-"+name), &awselasticloadbalancingv2.NetworkLoadBalancerAttributes{
				LoadBalancerArn:     target.LoadBalancerArn,
				LoadBalancerDnsName: target.LoadBalancerDNSName,
			})
		a.VpcLinks[name] = awsapigateway.NewVpcLink(stack, jsii.String("VpcLink-"+name), &awsapigateway.VpcLinkProps{
			Description: jsii.String("To backend " + name + " of " + *stack.StackName()),
			Targets:     &[]awselasticloadbalancingv2.INetworkLoadBalancer{nlb},
		})
	}

	stageNames := slices.Sorted(maps.Keys(cfg.Stages))
	// The API's own deployment is the one whose logical id changes with the
	// methods, so a changed method always reaches the stages: its first stage
	// comes with it, the others share it.
	first := cfg.Stages[stageNames[0]]
	authorization := awsapigateway.AuthorizationType_IAM
	if cfg.Authorization == config.AuthorizationNone {
		authorization = awsapigateway.AuthorizationType_NONE
	}
	a.RestAPI = awsapigateway.NewRestApi(stack, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName:                 stack.StackName(),
		Description:                 jsii.String("Private backends of " + *stack.StackName() + ", reached through VPC links"),
		EndpointTypes:               &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		CloudWatchRole:              jsii.Bool(true),
		CloudWatchRoleRemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		Deploy:                      jsii.Bool(true),
		DeployOptions:               a.stageOptions(stack, first, cfg),
		DefaultMethodOptions: &awsapigateway.MethodOptions{
			AuthorizationType: authorization,
		},
	})
	a.Proxy = constructs.NewStageVariableProxy(stack, "Proxy", &constructs.StageVariableProxyProps{
		Api:    a.RestAPI,
		Routes: proxyRoutes(cfg.Routes),
		MethodOptions: &awsapigateway.MethodOptions{
			AuthorizationType: authorization,
			RequestValidator: awsapigateway.NewRequestValidator(stack, jsii.String("ParameterValidator"), &awsapigateway.RequestValidatorProps{
				RestApi:                   a.RestAPI,
				ValidateRequestParameters: jsii.Bool(true),
				ValidateRequestBody:       jsii.Bool(true),
			}),
		},
	})

	for _, m := range a.Proxy.Methods() {
		if cfg.Authorization == config.AuthorizationIAM {
			nag.Suppress(m, "AwsSolutions-COG4", "The method requires AWS_IAM (SigV4) authorization, chosen in api.authorization; a Cognito user pool is not the only sound authorizer.")
		} else {
			nag.Suppress(m, "AwsSolutions-APIG4", "api.authorization is \"none\" in this environment's configuration: the API is deliberately open; WAF and throttling still apply.")
			nag.Suppress(m, "AwsSolutions-COG4", "api.authorization is \"none\" in this environment's configuration: the API is deliberately open.")
		}
	}
	nag.SuppressPath(stack, "Api/CloudWatchRole/Resource", "AwsSolutions-IAM4", "AmazonAPIGatewayPushToCloudWatchLogs is the policy API Gateway documents for the account's logging role, needed for access and execution logs.",
		nag.ManagedPolicy("service-role/AmazonAPIGatewayPushToCloudWatchLogs"))

	a.Stages[first.Name] = a.RestAPI.DeploymentStage()
	for _, name := range stageNames[1:] {
		a.Stages[name] = awsapigateway.NewStage(stack, jsii.String("Stage-"+name), a.stageProps(stack, cfg.Stages[name], cfg))
	}
	var webACL awswafv2.CfnWebACL
	if cfg.Waf {
		webACL = newWebACL(stack)
	} else {
		nag.Suppress(stack, "AwsSolutions-APIG3", "api.waf is false in this environment's configuration; throttling and authorization still apply.")
	}
	for _, name := range stageNames {
		stage, stageCfg := a.Stages[name], cfg.Stages[name]
		if stageCfg.Canary != nil {
			cfnStage := stage.Node().DefaultChild().(awsapigateway.CfnStage)
			cfnStage.SetCanarySetting(&awsapigateway.CfnStage_CanarySettingProperty{
				DeploymentId:           a.RestAPI.LatestDeployment().DeploymentId(),
				PercentTraffic:         &stageCfg.Canary.Percent,
				StageVariableOverrides: a.variables(stageCfg.Canary.Backend),
				UseStageCache:          jsii.Bool(false),
			})
		}
		if webACL != nil {
			awswafv2.NewCfnWebACLAssociation(stack, jsii.String("WebAclAssociation-"+name), &awswafv2.CfnWebACLAssociationProps{
				ResourceArn: stage.StageArn(),
				WebAclArn:   webACL.AttrArn(),
			})
		}
		awscdk.NewCfnOutput(stack, jsii.String("Url-"+name), &awscdk.CfnOutputProps{
			Description: jsii.String("Invoke URL of stage " + name + " (backend " + stageCfg.Backend + ")"),
			Value:       stage.UrlForPath(jsii.String("/")),
		})
	}
	a.Dashboard = a.newDashboard(stack, stageNames, props)
	return a
}

// newDashboard creates the environment's dashboard: the status of every
// alarm, then a row per stage (with its alarms) and a row per backend.
func (a *API) newDashboard(stack awscdk.Stack, stageNames []string, props *APIProps) awscloudwatch.Dashboard {
	m := props.Monitoring
	var alarms []interfacesawscloudwatch.IAlarmRef
	var rows [][]awscloudwatch.IWidget
	for _, name := range stageNames {
		monitoring := constructs.NewStageMonitoring(stack, "Monitoring-"+name, &constructs.StageMonitoringProps{
			Stage:             a.Stages[name],
			Name:              name,
			Topic:             props.AlarmTopic,
			ErrorRatePercent:  m.ErrorRatePercent,
			MinRequests:       m.MinRequests,
			LatencyPercentile: m.LatencyPercentile,
			LatencyThreshold:  awscdk.Duration_Millis(jsii.Number(m.LatencyThresholdMs)),
			Schedule:          alarmSchedule(m),
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

// stageOptions are the settings of one stage: the variables that point it at
// its backend, throttling, access logs and metrics.
func (a *API) stageOptions(stack awscdk.Stack, s *config.Stage, cfg config.API) *awsapigateway.StageOptions {
	logs := awslogs.NewLogGroup(stack, jsii.String("AccessLogs-"+s.Name), &awslogs.LogGroupProps{
		Retention:     retention(cfg.AccessLogRetentionDays),
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	return &awsapigateway.StageOptions{
		StageName:            jsii.String(s.Name),
		Description:          jsii.String("Points at backend " + s.Backend),
		Variables:            a.variables(s.Backend),
		AccessLogDestination: awsapigateway.NewLogGroupLogDestination(logs),
		AccessLogFormat:      awsapigateway.AccessLogFormat_JsonWithStandardFields(standardLogFields),
		TracingEnabled:       jsii.Bool(true),
		MethodOptions: &map[string]*awsapigateway.MethodDeploymentOptions{
			"/*/*": {
				ThrottlingRateLimit:  &s.RateLimit,
				ThrottlingBurstLimit: jsii.Number(s.BurstLimit),
				MetricsEnabled:       jsii.Bool(true),
				LoggingLevel:         awsapigateway.MethodLoggingLevel_ERROR,
				DataTraceEnabled:     jsii.Bool(false),
			},
		},
	}
}

func (a *API) stageProps(stack awscdk.Stack, s *config.Stage, cfg config.API) *awsapigateway.StageProps {
	o := a.stageOptions(stack, s, cfg)
	return &awsapigateway.StageProps{
		Deployment:           a.RestAPI.LatestDeployment(),
		StageName:            o.StageName,
		Description:          o.Description,
		Variables:            o.Variables,
		AccessLogDestination: o.AccessLogDestination,
		AccessLogFormat:      o.AccessLogFormat,
		TracingEnabled:       o.TracingEnabled,
		MethodOptions:        o.MethodOptions,
	}
}

// variables returns the stage variables that send requests to a backend.
func (a *API) variables(backend string) *map[string]*string {
	return constructs.StageVariables(a.VpcLinks[backend].VpcLinkId(), a.backends[backend].LoadBalancerDNSName)
}

// standardLogFields are the fields of every access log entry.
var standardLogFields = &awsapigateway.JsonWithStandardFieldProps{
	Caller: jsii.Bool(true), HttpMethod: jsii.Bool(true), Ip: jsii.Bool(true), Protocol: jsii.Bool(true),
	RequestTime: jsii.Bool(true), ResourcePath: jsii.Bool(true), ResponseLength: jsii.Bool(true),
	Status: jsii.Bool(true), User: jsii.Bool(true),
}

func proxyRoutes(routes []config.Route) []constructs.ProxyRoute {
	out := make([]constructs.ProxyRoute, len(routes))
	for i, r := range routes {
		out[i] = constructs.ProxyRoute{Path: r.Path, Methods: r.Methods}
	}
	return out
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
