package stacks

import (
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
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
	defer synthtiming.Stack("Api")()
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	cfg := props.API
	authorization := awsapigateway.AuthorizationType_IAM
	if cfg.Authorization == config.AuthorizationNone {
		authorization = awsapigateway.AuthorizationType_NONE
	}
	apiProps := &constructs.PrivateRestApiProps{
		Description:            jsii.String("Private backends of " + *stack.StackName() + ", reached through VPC links"),
		AuthorizationType:      authorization,
		Routes:                 cfg.Routes,
		AccessLogRetentionDays: cfg.AccessLogRetentionDays,
		// A key of this stack's own: AWS Control Tower's CT.CLOUDWATCH.PR.3
		// accepts a KmsKeyId that names a key of the same template, and an
		// imported one is not.
		AccessLogEncryptionKey: constructs.NewLogEncryptionKey(stack, "AccessLogKey", "Encrypts the stages' access logs of "+*stack.StackName()),
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
	for _, m := range a.Api.Methods() {
		if cfg.Authorization == config.AuthorizationIAM {
			nag.Suppress(m, "AwsSolutions-COG4", "The method requires AWS_IAM (SigV4) authorization, chosen in api.authorization; a Cognito user pool is not the only sound authorizer.")
		} else {
			nag.Suppress(m, "AwsSolutions-APIG4", "api.authorization is \"none\" in this environment's configuration: the API is deliberately open; WAF and throttling still apply.")
			nag.Suppress(m, "AwsSolutions-COG4", "api.authorization is \"none\" in this environment's configuration: the API is deliberately open.")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(props.Backends)) {
		a.Api.AddBackend(name, props.Backends[name].LoadBalancer)
	}
	stageNames := slices.Sorted(maps.Keys(cfg.Stages))
	for _, name := range stageNames {
		s := cfg.Stages[name]
		a.Stages[name] = a.Api.AddStage(name, &constructs.StageOptions{Backend: s.Backend, Stage: s.Stage})
		awscdk.NewCfnOutput(stack, jsii.String(config.StageURLOutputID(name)), &awscdk.CfnOutputProps{
			Description: jsii.String("Invoke URL of stage " + name + " (backend " + s.Backend + ")"),
			Value:       a.Stages[name].UrlForPath(jsii.String("/")),
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
