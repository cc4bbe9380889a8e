// The benchmark's JavaScript twin of the Go app: the same stages, stacks,
// constructs and cdk-nag checks, written directly against aws-cdk-lib, so
// that ./bench/run can time the Go app against the CDK's native language.
// It reads the configuration the Go config package resolved (defaults
// filled in, validated) from the file named by TWIN_CONFIG, and covers what
// that configuration uses: created VPCs, platform branches, WAF. ./bench/run
// checks that both apps synthesize the same templates before it times them.
// The Go app hands its props to the CDK through jsii, which serializes Go
// structs with their fields in alphabetical order; where a value ends up
// serialized inside a template (the custom resources' SDK calls, dashboard
// annotations), the twin writes its keys in that order too.
'use strict';

const fs = require('fs');
const cdk = require('aws-cdk-lib');
const { Construct } = require('constructs');
const { AwsSolutionsChecks, NagSuppressions } = require('cdk-nag');
const ec2 = require('aws-cdk-lib/aws-ec2');
const logs = require('aws-cdk-lib/aws-logs');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const sns = require('aws-cdk-lib/aws-sns');
const subscriptions = require('aws-cdk-lib/aws-sns-subscriptions');
const s3 = require('aws-cdk-lib/aws-s3');
const s3assets = require('aws-cdk-lib/aws-s3-assets');
const eb = require('aws-cdk-lib/aws-elasticbeanstalk');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const apigw = require('aws-cdk-lib/aws-apigateway');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const actions = require('aws-cdk-lib/aws-cloudwatch-actions');
const wafv2 = require('aws-cdk-lib/aws-wafv2');
const cr = require('aws-cdk-lib/custom-resources');
const codepipeline = require('aws-cdk-lib/aws-codepipeline');
const pipelines = require('aws-cdk-lib/pipelines');

// nag: Suppress, SuppressPath, ManagedPolicy, Regex of internal/nag.
function suppress(construct, id, reason, ...appliesTo) {
  NagSuppressions.addResourceSuppressions(construct, [suppression(id, reason, appliesTo)], true);
}
function suppressPath(stack, path, id, reason, ...appliesTo) {
  NagSuppressions.addResourceSuppressionsByPath(stack, '/' + stack.node.path + '/' + path, [suppression(id, reason, appliesTo)], true);
}
function suppression(id, reason, appliesTo) {
  return appliesTo.length > 0 ? { id, reason, appliesTo } : { id, reason };
}
const managedPolicy = (name) => 'Policy::arn:<AWS::Partition>:iam::aws:policy/' + name;
const regex = (pattern) => ({ regex: '/' + pattern + '/' });

// constructs/lookups.go
const lookupFunctionId = 'AWS679f53fac002430cb0da5b7982bd2287';
function newLookup(scope, id, call, statements) {
  const stack = cdk.Stack.of(scope);
  const existing = stack.node.tryFindChild('LookupLogs');
  const logGroup = existing || new logs.LogGroup(stack, 'LookupLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: cdk.RemovalPolicy.DESTROY });
  const resource = new cr.AwsCustomResource(scope, id, {
    onCreate: call,
    onUpdate: call,
    installLatestAwsSdk: false,
    logGroup,
    policy: cr.AwsCustomResourcePolicy.fromStatements(statements),
  });
  if (!existing) {
    suppressPath(stack, lookupFunctionId + '/ServiceRole/Resource', 'AwsSolutions-IAM4', "The CDK's AwsCustomResource function uses AWSLambdaBasicExecutionRole to write its own logs; its API permissions are separate inline policies, one per lookup, each limited to that lookup's calls.",
      managedPolicy('service-role/AWSLambdaBasicExecutionRole'));
  }
  return resource;
}

// constructs/platformarn.go
class PlatformArn extends Construct {
  constructor(scope, id, props) {
    super(scope, id);
    const stack = cdk.Stack.of(this);
    const filter = (attribute, value) => ({ Operator: '=', Type: attribute, Values: [value] });
    const path = 'PlatformSummaryList.0.PlatformArn';
    const call = {
      action: 'listPlatformVersions',
      outputPaths: [path],
      parameters: { Filters: [filter('PlatformBranchName', props.branch), filter('PlatformLifecycleState', 'recommended')] },
      physicalResourceId: cr.PhysicalResourceId.of(props.branch),
      service: 'ElasticBeanstalk',
    };
    const resource = newLookup(this, 'Resource', call, [new iam.PolicyStatement({
      actions: ['elasticbeanstalk:ListPlatformVersions'],
      resources: [stack.formatArn({ service: 'elasticbeanstalk', account: '', resource: 'platform', resourceName: props.branch + '/*' })],
    })]);
    if (props.refresh) {
      resource.node.findChild('Resource').node.defaultChild.addPropertyOverride('Refresh', props.refresh);
    }
    suppress(resource, 'AwsSolutions-IAM5', "ListPlatformVersions reads platform versions by ARN; an AWS-managed platform's versions are arn:...:elasticbeanstalk:REGION::platform/BRANCH/VERSION, and the wildcard covers the versions of this one branch only.",
      regex('^Resource::arn:.+:elasticbeanstalk:.+::platform/[^*]+/\\*$'));
    this.platformArn = resource.getResponseField(path);
  }
}

// constructs/loadbalancerarn.go
class LoadBalancerArn extends Construct {
  constructor(scope, id, props) {
    super(scope, id);
    const stack = cdk.Stack.of(this);
    const envName = props.environment.ref;
    const path = 'EnvironmentResources.LoadBalancers.0.Name';
    const call = {
      action: 'describeEnvironmentResources',
      outputPaths: [path],
      parameters: { EnvironmentName: envName },
      physicalResourceId: cr.PhysicalResourceId.of(envName),
      service: 'ElasticBeanstalk',
    };
    const resource = newLookup(this, 'Resource', call, [
      new iam.PolicyStatement({
        actions: ['elasticbeanstalk:DescribeEnvironmentResources'],
        resources: [stack.formatArn({ service: 'elasticbeanstalk', resource: 'environment', resourceName: cdk.Fn.join('/', [props.applicationName, envName]) })],
      }),
      new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStackResources'],
        resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'awseb-e-*' })],
      }),
      new iam.PolicyStatement({
        actions: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations',
          'autoscaling:DescribePolicies', 'ec2:DescribeInstances', 'ec2:DescribeLaunchTemplates', 'elasticloadbalancing:DescribeLoadBalancers'],
        resources: ['*'],
      }),
    ]);
    suppress(resource, 'AwsSolutions-IAM5', 'Beanstalk names the environment\'s CloudFormation stack awseb-e-<id>-stack at deploy time; the wildcard covers only those stacks, and only the two read actions DescribeEnvironmentResources needs there.',
      regex('^Resource::arn:.+:cloudformation:.+:stack/awseb-e-\\*$'));
    suppress(resource, 'AwsSolutions-IAM5', 'DescribeEnvironmentResources reads the environment\'s Auto Scaling group, instances, launch configuration or template, scaling policies and load balancer with the caller\'s rights; these Describe actions support no resource-level permissions, so IAM only accepts Resource "*" for them.',
      'Resource::*');
    resource.node.addDependency(props.environment);
    this.loadBalancerArn = resource.getResponseField(path);
  }
}

// constructs/privatebeanstalkenvironment.go
class PrivateBeanstalkEnvironment extends Construct {
  constructor(scope, id, cfg) {
    super(scope, id);
    if (cfg.platform.startsWith('arn:')) throw new Error('the twin covers platform branches only');
    const instanceRole = new iam.Role(this, 'InstanceRole', {
      description: 'Elastic Beanstalk instances of ' + this.node.path,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AWSElasticBeanstalkWebTier')],
    });
    suppress(instanceRole, 'AwsSolutions-IAM4', "AWSElasticBeanstalkWebTier is the policy Beanstalk documents for the instance profile of a web server environment (log and health uploads to Beanstalk's own bucket and streams); AWS keeps it in step with the platform.",
      managedPolicy('AWSElasticBeanstalkWebTier'));
    const instanceProfile = new iam.InstanceProfile(this, 'InstanceProfile', { role: instanceRole });
    const serviceRole = new iam.Role(this, 'ServiceRole', {
      description: 'Elastic Beanstalk service role of ' + this.node.path,
      assumedBy: new iam.ServicePrincipal('elasticbeanstalk.amazonaws.com', { conditions: { StringEquals: { 'sts:ExternalId': 'elasticbeanstalk' } } }),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSElasticBeanstalkEnhancedHealth'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy'),
      ],
    });
    suppress(serviceRole, 'AwsSolutions-IAM4', 'AWSElasticBeanstalkEnhancedHealth and AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy are the policies Beanstalk documents for its service role (enhanced health, managed platform updates); AWS keeps them in step with the service.',
      managedPolicy('service-role/AWSElasticBeanstalkEnhancedHealth'), managedPolicy('AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy'));
    this.platformArn = new PlatformArn(this, 'Platform', { branch: cfg.platform, refresh: cfg.platformRefresh }).platformArn;

    const subnets = cdk.Fn.join(',', cfg.subnets.map((s) => s.subnetId));
    const settings = [];
    const set = (namespace, optionName, value) => settings.push({ namespace, optionName, value });
    set('aws:elasticbeanstalk:environment', 'EnvironmentType', 'LoadBalanced');
    set('aws:elasticbeanstalk:environment', 'LoadBalancerType', 'network');
    set('aws:elasticbeanstalk:environment', 'ServiceRole', serviceRole.roleArn);
    set('aws:ec2:vpc', 'VPCId', cfg.vpc.vpcId);
    set('aws:ec2:vpc', 'Subnets', subnets);
    set('aws:ec2:vpc', 'ELBSubnets', subnets);
    set('aws:ec2:vpc', 'ELBScheme', 'internal');
    set('aws:ec2:vpc', 'AssociatePublicIpAddress', 'false');
    set('aws:autoscaling:launchconfiguration', 'IamInstanceProfile', instanceProfile.instanceProfileName);
    set('aws:autoscaling:launchconfiguration', 'DisableIMDSv1', 'true');
    set('aws:autoscaling:launchconfiguration', 'DisableDefaultEC2SecurityGroup', 'false');
    set('aws:ec2:instances', 'InstanceTypes', cfg.instanceTypes.join(','));
    set('aws:autoscaling:asg', 'MinSize', String(cfg.minInstances));
    set('aws:autoscaling:asg', 'MaxSize', String(cfg.maxInstances));
    set('aws:autoscaling:updatepolicy:rollingupdate', 'RollingUpdateEnabled', 'true');
    set('aws:autoscaling:updatepolicy:rollingupdate', 'RollingUpdateType', 'Health');
    set('aws:elasticbeanstalk:command', 'DeploymentPolicy', cfg.deploymentPolicy);
    if (cfg.deploymentPolicy === 'Rolling') {
      set('aws:elasticbeanstalk:command', 'BatchSizeType', 'Fixed');
      set('aws:elasticbeanstalk:command', 'BatchSize', '1');
    }
    set('aws:elasticbeanstalk:healthreporting:system', 'SystemType', 'enhanced');
    set('aws:elasticbeanstalk:managedactions', 'ManagedActionsEnabled', 'true');
    set('aws:elasticbeanstalk:managedactions', 'PreferredStartTime', cfg.updateWindow);
    set('aws:elasticbeanstalk:managedactions:platformupdate', 'UpdateLevel', 'minor');
    set('aws:elbv2:listener:default', 'Protocol', 'TCP');
    set('aws:elasticbeanstalk:environment:process:default', 'Port', '80');
    set('aws:elasticbeanstalk:environment:process:default', 'Protocol', 'TCP');
    set('aws:elasticbeanstalk:environment:process:default', 'HealthCheckInterval', '10');
    const retention = String(cfg.logRetentionDays);
    set('aws:elasticbeanstalk:hostmanager', 'LogPublicationControl', 'true');
    set('aws:elasticbeanstalk:cloudwatch:logs', 'StreamLogs', 'true');
    set('aws:elasticbeanstalk:cloudwatch:logs', 'DeleteOnTerminate', 'false');
    set('aws:elasticbeanstalk:cloudwatch:logs', 'RetentionInDays', retention);
    set('aws:elasticbeanstalk:cloudwatch:logs:health', 'HealthStreamingEnabled', 'true');
    set('aws:elasticbeanstalk:cloudwatch:logs:health', 'DeleteOnTerminate', 'false');
    set('aws:elasticbeanstalk:cloudwatch:logs:health', 'RetentionInDays', retention);
    for (const name of Object.keys(cfg.environmentVariables).sort()) {
      set('aws:elasticbeanstalk:application:environment', name, cfg.environmentVariables[name]);
    }
    this.environment = new eb.CfnEnvironment(this, 'Resource', {
      applicationName: cfg.applicationName,
      description: cfg.description,
      platformArn: this.platformArn,
      versionLabel: cfg.versionLabel,
      tier: { name: 'WebServer', type: 'Standard' },
      optionSettings: settings,
    });
    this.loadBalancerArn = new LoadBalancerArn(this, 'LoadBalancer', { applicationName: cfg.applicationName, environment: this.environment }).loadBalancerArn;
  }
}

// constructs/monitoring.go
function newAlarm(scope, id, spec, schedule, topic) {
  const props = {
    alarmName: spec.name,
    alarmDescription: spec.description,
    metric: spec.metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    evaluationPeriods: schedule.evaluationPeriods,
    datapointsToAlarm: schedule.evaluationPeriods,
    treatMissingData: spec.missingData,
  };
  if (spec.lowSampleCountPercentile) props.evaluateLowSampleCountPercentile = spec.lowSampleCountPercentile;
  const alarm = new cloudwatch.Alarm(scope, id, props);
  const action = new actions.SnsAction(topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}
function graph(title, left, ...annotations) {
  const props = { title, left, width: 12, height: 6 };
  if (annotations.length > 0) props.leftAnnotations = annotations;
  return new cloudwatch.GraphWidget(props);
}

// constructs/alarmtopic.go
class AlarmTopic extends Construct {
  constructor(scope, id, props) {
    super(scope, id);
    const stack = cdk.Stack.of(this);
    const key = new kms.Key(this, 'Key', { description: 'Encrypts the alarm notifications of ' + this.node.path, enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    this.topic = new sns.Topic(this, 'Resource', { displayName: props.displayName, masterKey: key, enforceSSL: true });
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    for (const email of props.emails || []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}

// constructs/backendmonitoring.go
class BackendMonitoring extends Construct {
  constructor(scope, id, props) {
    super(scope, id);
    const stack = cdk.Stack.of(this);
    const schedule = props.schedule;
    const prefix = stack.stackName;
    this.targetGroupArn = lookUpTargetGroup(this, props.loadBalancerArn);
    let healthSchedule = schedule;
    const seconds = schedule.period.toSeconds();
    if (seconds < 300) {
      healthSchedule = { period: cdk.Duration.minutes(5), evaluationPeriods: Math.floor((schedule.evaluationPeriods * seconds + 299) / 300) };
    }
    const health = new cloudwatch.Metric({
      namespace: 'AWS/ElasticBeanstalk',
      metricName: 'EnvironmentHealth',
      dimensionsMap: { EnvironmentName: props.environmentName },
      statistic: 'Maximum',
      period: healthSchedule.period,
      label: 'environment health (0 OK, 15 Warning, 20 Degraded, 25 Severe)',
    });
    const targetGroup = elbv2.NetworkTargetGroup.fromTargetGroupAttributes(this, 'TargetGroup', {
      targetGroupArn: this.targetGroupArn,
      loadBalancerArns: props.loadBalancerArn,
    });
    const hostMetric = (m, statistic, label) => m.call(targetGroup.metrics, { statistic, period: schedule.period, label });
    const unhealthy = hostMetric(targetGroup.metrics.unHealthyHostCount, 'Maximum', 'unhealthy hosts');
    this.alarms = [
      newAlarm(this, 'Health', {
        name: prefix + '-health-degraded',
        description: `Backend ${props.name}'s enhanced health is Degraded or Severe.`,
        metric: health,
        threshold: 20,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missingData: cloudwatch.TreatMissingData.BREACHING,
      }, healthSchedule, props.topic),
      newAlarm(this, 'UnhealthyHosts', {
        name: prefix + '-unhealthy-hosts',
        description: `Backend ${props.name}'s load balancer sees an instance failing its health checks.`,
        metric: unhealthy,
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }, schedule, props.topic),
    ];
    this.widgets = [
      graph('Backend ' + props.name + ': environment health', [health],
        { label: 'Warning', value: 15 }, { label: 'Degraded', value: 20 }),
      graph('Backend ' + props.name + ': load balancer hosts', [
        hostMetric(targetGroup.metrics.healthyHostCount, 'Minimum', 'healthy hosts'),
        unhealthy,
      ]),
    ];
  }
}
function lookUpTargetGroup(scope, loadBalancerArn) {
  const path = 'TargetGroups.0.TargetGroupArn';
  const call = {
    action: 'describeTargetGroups',
    outputPaths: [path],
    parameters: { LoadBalancerArn: loadBalancerArn },
    physicalResourceId: cr.PhysicalResourceId.of(loadBalancerArn),
    service: 'ElasticLoadBalancingV2',
  };
  const resource = newLookup(scope, 'TargetGroupLookup', call, [new iam.PolicyStatement({
    actions: ['elasticloadbalancing:DescribeTargetGroups'],
    resources: ['*'],
  })]);
  suppress(resource, 'AwsSolutions-IAM5', 'elasticloadbalancing:DescribeTargetGroups supports no resource-level permissions (Service Authorization Reference for Elastic Load Balancing V2), so IAM only accepts Resource "*"; it is read-only.',
    'Resource::*');
  return resource.getResponseField(path);
}

// constructs/stagemonitoring.go
class StageMonitoring extends Construct {
  constructor(scope, id, props) {
    super(scope, id);
    const schedule = props.schedule;
    const stageName = props.name;
    const prefix = cdk.Stack.of(this).stackName + '-' + stageName;
    const stage = props.stage;
    const metric = (m, statistic, label) => m.call(stage, { statistic, period: schedule.period, label });
    const errors = metric(stage.metricServerError, 'Sum', '5XX');
    const requests = metric(stage.metricCount, 'SampleCount', 'requests');
    const errorRate = new cloudwatch.MathExpression({
      expression: `IF(requests >= ${props.minRequests}, 100 * errors / requests, 0)`,
      usingMetrics: { errors, requests },
      label: '5XX rate (%)',
      period: schedule.period,
    });
    const latency = metric(stage.metricLatency, props.latencyPercentile, 'latency ' + props.latencyPercentile);
    const thresholdMs = props.latencyThreshold.toMilliseconds();
    this.alarms = [
      newAlarm(this, 'ErrorRate', {
        name: prefix + '-5xx-rate',
        description: `Stage ${stageName} answers more than ${props.errorRatePercent}% of its requests with 5XX (judged when a period has at least ${props.minRequests} requests).`,
        metric: errorRate,
        threshold: props.errorRatePercent,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        missingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }, schedule, props.topic),
      newAlarm(this, 'Latency', {
        name: prefix + '-latency-' + props.latencyPercentile,
        description: `Stage ${stageName}'s ${props.latencyPercentile} latency is above ${thresholdMs} ms.`,
        metric: latency,
        threshold: thresholdMs,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        missingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        lowSampleCountPercentile: 'ignore',
      }, schedule, props.topic),
    ];
    const latencies = [metric(stage.metricLatency, 'p50', 'p50'), metric(stage.metricLatency, 'p99', 'p99')];
    if (props.latencyPercentile !== 'p50' && props.latencyPercentile !== 'p99') latencies.push(latency);
    this.widgets = [
      graph('Stage ' + stageName + ': requests and errors', [requests, metric(stage.metricClientError, 'Sum', '4XX'), errors]),
      graph('Stage ' + stageName + ': latency (ms)', latencies, { label: props.latencyPercentile + ' alarm', value: thresholdMs }),
    ];
  }
}

// constructs/stagevariableproxy.go
class StageVariableProxy extends Construct {
  constructor(scope, id, props) {
    super(scope, id);
    this.methods = [];
    const vpcLink = apigw.VpcLink.fromVpcLinkId(this, 'VpcLink', '${stageVariables.vpcLinkId}');
    const root = props.api.root;
    this.add(root, 'ANY', '/', vpcLink, props.methodOptions);
    this.add(root.addResource('{proxy+}'), 'ANY', '/{proxy+}', vpcLink, props.methodOptions);
    for (const r of props.routes) {
      const resource = root.resourceForPath(r.path);
      for (const m of r.methods) this.add(resource, m, r.path, vpcLink, props.methodOptions);
    }
  }
  add(resource, httpMethod, path, vpcLink, base) {
    const methodParams = {};
    const integrationParams = {};
    let backendPath = path;
    for (const match of path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)) {
      const name = match[1];
      methodParams['method.request.path.' + name] = true;
      integrationParams['integration.request.path.' + name] = 'method.request.path.' + name;
      backendPath = backendPath.replace(match[0], '{' + name + '}');
    }
    const integration = new apigw.Integration({
      type: apigw.IntegrationType.HTTP_PROXY,
      integrationHttpMethod: httpMethod,
      uri: 'http://${stageVariables.backendHost}' + backendPath,
      options: { connectionType: apigw.ConnectionType.VPC_LINK, vpcLink, requestParameters: integrationParams },
    });
    this.methods.push(resource.addMethod(httpMethod, integration, { ...base, requestParameters: methodParams }));
  }
}

// stacks/network.go
function newNetwork(scope, id, description, cfg) {
  if (cfg.vpcId) throw new Error('the twin covers created VPCs only');
  const stack = new cdk.Stack(scope, id, { description });
  const nat = cfg.egress === 'nat';
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(cfg.cidr),
    maxAzs: cfg.maxAzs,
    restrictDefaultSecurityGroup: true,
    natGateways: nat ? (cfg.natGateways ?? cfg.maxAzs) : 0,
    subnetConfiguration: nat
      ? [{ name: 'Egress', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }]
      : [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  suppressPath(stack, 'Custom::VpcRestrictDefaultSGCustomResourceProvider/Role', 'AwsSolutions-IAM4',
    "The CDK's provider that strips the default security group's rules writes its own logs through AWSLambdaBasicExecutionRole; the CDK offers no way to replace this singleton's role, and its inline policy names only this VPC's default security group.",
    managedPolicy('service-role/AWSLambdaBasicExecutionRole'));
  const subnets = nat ? vpc.privateSubnets : vpc.isolatedSubnets;
  if (!nat) {
    const selection = { subnets };
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [selection] });
    for (const [endpointId, service] of [
      ['ElasticBeanstalk', ec2.InterfaceVpcEndpointAwsService.ELASTIC_BEANSTALK],
      ['ElasticBeanstalkHealth', ec2.InterfaceVpcEndpointAwsService.ELASTIC_BEANSTALK_HEALTH],
      ['Sqs', ec2.InterfaceVpcEndpointAwsService.SQS],
      ['CloudFormation', ec2.InterfaceVpcEndpointAwsService.CLOUDFORMATION],
      ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ]) {
      const endpoint = vpc.addInterfaceEndpoint(endpointId, { service, subnets: selection });
      suppress(endpoint, 'CdkNagValidationFailure', "EC23 cannot read the ingress source, the VPC's CIDR (a CloudFormation attribute); the endpoint admits HTTPS from inside the VPC only.");
    }
  }
  stack.exportValue(vpc.vpcId);
  stack.exportValue(vpc.vpcCidrBlock);
  for (const s of subnets) stack.exportValue(s.subnetId);
  new ec2.FlowLog(stack, 'FlowLog', {
    resourceType: ec2.FlowLogResourceType.fromVpc(vpc),
    trafficType: ec2.FlowLogTrafficType.ALL,
    destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(stack, 'FlowLogGroup', {
      retention: cfg.flowLogRetentionDays,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    })),
  });
  return { stack, vpc, subnets };
}

// stacks/alerts.go
function newAlerts(scope, id, description, monitoring) {
  const stack = new cdk.Stack(scope, id, { description });
  const topic = new AlarmTopic(stack, 'AlarmTopic', { displayName: stack.stackName + ' alarms', emails: monitoring.emails }).topic;
  stack.exportValue(topic.topicArn);
  return { stack, topic };
}
const alarmSchedule = (m) => ({ period: cdk.Duration.minutes(m.periodMinutes), evaluationPeriods: m.evaluationPeriods });

// stacks/backend.go
function newBackend(scope, id, props) {
  const stack = new cdk.Stack(scope, id, { description: props.description });
  const cfg = props.backend;
  const bundle = new s3assets.Asset(stack, 'Bundle', { path: props.bundlePath });
  const app = new eb.CfnApplication(stack, 'Application', { description: 'Backend ' + cfg.name + ' (' + stack.stackName + ')' });
  const version = new eb.CfnApplicationVersion(stack, 'Version', {
    applicationName: app.ref,
    sourceBundle: { s3Bucket: bundle.s3BucketName, s3Key: bundle.s3ObjectKey },
  });
  const env = new PrivateBeanstalkEnvironment(stack, 'Environment', {
    applicationName: app.ref,
    versionLabel: version.ref,
    description: 'Backend ' + cfg.name + ': private, behind an internal Network Load Balancer',
    vpc: props.vpc,
    subnets: props.subnets,
    platform: cfg.platform,
    platformRefresh: cfg.platformRefresh,
    instanceTypes: cfg.instanceTypes,
    minInstances: cfg.minInstances,
    maxInstances: cfg.maxInstances,
    deploymentPolicy: cfg.deploymentPolicy,
    logRetentionDays: cfg.logRetentionDays,
    updateWindow: cfg.updateWindow,
    environmentVariables: { BACKEND_NAME: cfg.name, BACKEND_VERSION: cfg.appVersion },
  });
  const loadBalancerDnsName = env.environment.attrEndpointUrl;
  const monitoring = new BackendMonitoring(stack, 'Monitoring', {
    name: cfg.name,
    environmentName: env.environment.ref,
    loadBalancerArn: env.loadBalancerArn,
    topic: props.alarmTopic,
    schedule: alarmSchedule(props.monitoring),
  });
  for (const value of [env.loadBalancerArn, loadBalancerDnsName, env.environment.ref, monitoring.targetGroupArn]) stack.exportValue(value);
  for (const alarm of monitoring.alarms) stack.exportValue(alarm.alarmArn);
  return { stack, loadBalancerArn: env.loadBalancerArn, loadBalancerDnsName, monitoring };
}

// stacks/api.go
function newApi(scope, id, props) {
  const stack = new cdk.Stack(scope, id, { description: props.description });
  const cfg = props.api;
  const vpcLinks = {};
  for (const name of Object.keys(props.backends).sort()) {
    const target = props.backends[name];
    const nlb = elbv2.NetworkLoadBalancer.fromNetworkLoadBalancerAttributes(stack, 'LoadBalancer-' + name, {
      loadBalancerArn: target.loadBalancerArn,
      loadBalancerDnsName: target.loadBalancerDnsName,
    });
    vpcLinks[name] = new apigw.VpcLink(stack, 'VpcLink-' + name, { description: 'To backend ' + name + ' of ' + stack.stackName, targets: [nlb] });
  }
  const variables = (backend) => ({ vpcLinkId: vpcLinks[backend].vpcLinkId, backendHost: props.backends[backend].loadBalancerDnsName });
  const stageOptions = (name, s) => {
    const accessLogs = new logs.LogGroup(stack, 'AccessLogs-' + name, { retention: cfg.accessLogRetentionDays, removalPolicy: cdk.RemovalPolicy.RETAIN });
    return {
      stageName: name,
      description: 'Points at backend ' + s.backend,
      variables: variables(s.backend),
      accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
      accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
        caller: true, httpMethod: true, ip: true, protocol: true, requestTime: true, resourcePath: true, responseLength: true, status: true, user: true,
      }),
      tracingEnabled: true,
      methodOptions: {
        '/*/*': {
          throttlingRateLimit: s.rateLimit,
          throttlingBurstLimit: s.burstLimit,
          metricsEnabled: true,
          loggingLevel: apigw.MethodLoggingLevel.ERROR,
          dataTraceEnabled: false,
        },
      },
    };
  };
  const stageNames = Object.keys(cfg.stages).sort();
  const authorizationType = cfg.authorization === 'none' ? apigw.AuthorizationType.NONE : apigw.AuthorizationType.IAM;
  const restApi = new apigw.RestApi(stack, 'Api', {
    restApiName: stack.stackName,
    description: 'Private backends of ' + stack.stackName + ', reached through VPC links',
    endpointTypes: [apigw.EndpointType.REGIONAL],
    cloudWatchRole: true,
    cloudWatchRoleRemovalPolicy: cdk.RemovalPolicy.RETAIN,
    deploy: true,
    deployOptions: stageOptions(stageNames[0], cfg.stages[stageNames[0]]),
    defaultMethodOptions: { authorizationType },
  });
  const proxy = new StageVariableProxy(stack, 'Proxy', {
    api: restApi,
    routes: cfg.routes || [],
    methodOptions: {
      authorizationType,
      requestValidator: new apigw.RequestValidator(stack, 'ParameterValidator', { restApi, validateRequestParameters: true, validateRequestBody: true }),
    },
  });
  for (const m of proxy.methods) {
    if (cfg.authorization === 'iam') {
      suppress(m, 'AwsSolutions-COG4', 'The method requires AWS_IAM (SigV4) authorization, chosen in api.authorization; a Cognito user pool is not the only sound authorizer.');
    } else {
      suppress(m, 'AwsSolutions-APIG4', 'api.authorization is "none" in this environment\'s configuration: the API is deliberately open; WAF and throttling still apply.');
      suppress(m, 'AwsSolutions-COG4', 'api.authorization is "none" in this environment\'s configuration: the API is deliberately open.');
    }
  }
  suppressPath(stack, 'Api/CloudWatchRole/Resource', 'AwsSolutions-IAM4', 'AmazonAPIGatewayPushToCloudWatchLogs is the policy API Gateway documents for the account\'s logging role, needed for access and execution logs.',
    managedPolicy('service-role/AmazonAPIGatewayPushToCloudWatchLogs'));

  const stages = { [stageNames[0]]: restApi.deploymentStage };
  for (const name of stageNames.slice(1)) {
    stages[name] = new apigw.Stage(stack, 'Stage-' + name, { deployment: restApi.latestDeployment, ...stageOptions(name, cfg.stages[name]) });
  }
  let webAcl;
  if (cfg.waf) {
    webAcl = newWebAcl(stack);
  } else {
    suppress(stack, 'AwsSolutions-APIG3', "api.waf is false in this environment's configuration; throttling and authorization still apply.");
  }
  for (const name of stageNames) {
    const stage = stages[name];
    const s = cfg.stages[name];
    if (s.canary) {
      stage.node.defaultChild.canarySetting = {
        deploymentId: restApi.latestDeployment.deploymentId,
        percentTraffic: s.canary.percent,
        stageVariableOverrides: variables(s.canary.backend),
        useStageCache: false,
      };
    }
    if (webAcl) new wafv2.CfnWebACLAssociation(stack, 'WebAclAssociation-' + name, { resourceArn: stage.stageArn, webAclArn: webAcl.attrArn });
    new cdk.CfnOutput(stack, 'Url-' + name, { description: 'Invoke URL of stage ' + name + ' (backend ' + s.backend + ')', value: stage.urlForPath('/') });
  }

  const m = props.monitoring;
  const alarms = [];
  const rows = [];
  for (const name of stageNames) {
    const monitoring = new StageMonitoring(stack, 'Monitoring-' + name, {
      stage: stages[name],
      name,
      topic: props.alarmTopic,
      errorRatePercent: m.errorRatePercent,
      minRequests: m.minRequests,
      latencyPercentile: m.latencyPercentile,
      latencyThreshold: cdk.Duration.millis(m.latencyThresholdMs),
      schedule: alarmSchedule(m),
    });
    alarms.push(...monitoring.alarms);
    rows.push(monitoring.widgets);
  }
  for (const name of Object.keys(props.backends).sort()) {
    alarms.push(...props.backends[name].monitoring.alarms);
    rows.push(props.backends[name].monitoring.widgets);
  }
  const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', { dashboardName: props.dashboardName });
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 2 + Math.floor(alarms.length / 4) }));
  for (const row of rows) dashboard.addWidgets(...row);
  return { stack };
}
function newWebAcl(stack) {
  const visibility = (metricName) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
  const managed = (name, priority) => ({
    name,
    priority,
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    overrideAction: { none: {} },
    visibilityConfig: visibility(name),
  });
  return new wafv2.CfnWebACL(stack, 'WebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('WebAcl'),
    rules: [
      managed('AWSManagedRulesCommonRuleSet', 1),
      managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
      {
        name: 'RateLimitPerClient',
        priority: 3,
        statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
        action: { block: {} },
        visibilityConfig: visibility('RateLimitPerClient'),
      },
    ],
  });
}

// stacks/environment.go
function newEnvironment(stage, name, e, bundlePath) {
  const network = newNetwork(stage, 'Network', name + ': VPC and private subnets', e.network);
  const alerts = newAlerts(stage, 'Alerts', name + ': the alarm topic', e.monitoring);
  const targets = {};
  for (const backendName of Object.keys(e.backends).sort()) {
    targets[backendName] = newBackend(stage, 'Backend-' + backendName, {
      description: name + ': Elastic Beanstalk backend ' + backendName,
      backend: { name: backendName, ...e.backends[backendName] },
      vpc: network.vpc,
      subnets: network.subnets,
      bundlePath,
      alarmTopic: alerts.topic,
      monitoring: e.monitoring,
    });
  }
  newApi(stage, 'Api', {
    description: name + ': REST API, VPC links, stages and the dashboard',
    api: e.api,
    backends: targets,
    alarmTopic: alerts.topic,
    monitoring: e.monitoring,
    dashboardName: name + '-private-backends',
  });
}

// stacks/pipeline.go
function newPipeline(scope, id, props) {
  const stack = new cdk.Stack(scope, id, props.stackProps);
  const cfg = props.pipeline;
  const source = pipelines.CodePipelineSource.connection(cfg.source.repository, cfg.source.branch, { connectionArn: cfg.source.connectionArn });
  const crossAccount = cfg.waves.some((w) => w.environments.some((n) => {
    const e = props.environments[n];
    return e.account && e.region && e.account !== cfg.account;
  }));
  const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
    pipelineName: stack.stackName,
    pipelineType: codepipeline.PipelineType.V2,
    synth: new pipelines.ShellStep('Synth', {
      input: source,
      commands: ['./scripts/test', './scripts/synth'],
      env: { GOTOOLCHAIN: 'auto' },
      primaryOutputDirectory: 'cdk.out',
    }),
    crossAccountKeys: crossAccount,
    enableKeyRotation: true,
    cliVersion: props.cliVersion,
  });
  for (const w of cfg.waves) {
    const options = {};
    if (w.approval) options.pre = [new pipelines.ManualApprovalStep('Approve-' + w.name, { comment: 'Deploy ' + w.name + '?' })];
    const wave = pipeline.addWave(w.name, options);
    for (const env of w.environments) wave.addStage(props.stages[env]);
  }
  pipeline.buildPipeline();
  const artifacts = pipeline.pipeline.artifactBucket;
  const accessLogs = new s3.Bucket(stack, 'ArtifactAccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: cdk.Duration.days(365) }],
    removalPolicy: cdk.RemovalPolicy.RETAIN,
  });
  accessLogs.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'S3ServerAccessLogsPolicy',
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [accessLogs.arnForObjects('artifacts/*')],
    conditions: { ArnLike: { 'aws:SourceArn': artifacts.bucketArn }, StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  artifacts.node.defaultChild.loggingConfiguration = { destinationBucketName: accessLogs.bucketName, logFilePrefix: 'artifacts/' };
  suppress(accessLogs, 'AwsSolutions-S1', "This bucket holds the artifact bucket's server access logs; logging its own access would log every log delivery.");
  const sourceAction = cfg.source.repository.replaceAll('/', '_');
  for (const [path, reason] of Object.entries({
    'Pipeline/Pipeline/Role/DefaultPolicy/Resource': "The pipeline role's policy, written by CDK Pipelines:",
    ['Pipeline/Pipeline/Source/' + sourceAction + '/CodePipelineActionRole/DefaultPolicy/Resource']: "The source action role's policy, written by CDK Pipelines:",
    'Pipeline/Pipeline/Build/Synth/CdkBuildProject/Role/DefaultPolicy/Resource': "The synth project role's policy, written by CDK Pipelines:",
    'Pipeline/UpdatePipeline/SelfMutation/Role/DefaultPolicy/Resource': "The self-mutation project role's policy, written by CDK Pipelines: it assumes the target accounts' cdk bootstrap roles (only roles tagged aws-cdk:bootstrap-role) and reads stacks and buckets to run cdk deploy on the pipeline itself;",
    'Pipeline/Assets/FileRole/DefaultPolicy/Resource': "The asset publishing role's policy, written by CDK Pipelines:",
  })) {
    suppressPath(stack, path, 'AwsSolutions-IAM5', reason + " the S3 and KMS wildcards come from the CDK's grantRead/grantReadWrite on the pipeline's own artifact bucket and key, the log-group and report-group wildcards are CodeBuild's per-project names, and CDK Pipelines offers no way to narrow them.",
      regex('^Action::s3:(Abort|DeleteObject|GetBucket|GetObject|List)\\*$'),
      regex('^Action::kms:(ReEncrypt|GenerateDataKey)\\*$'),
      regex('^Resource::<PipelineArtifactsBucket[0-9A-F]{8}\\.Arn>/\\*$'),
      regex('^Resource::arn:.+:logs:.+:log-group:/aws/codebuild/.+$'),
      regex('^Resource::arn:.+:codebuild:.+:report-group/.+$'),
      regex('^Resource::arn:\\*:iam::[0-9]{12}:role/\\*$'),
      'Resource::*');
  }
  return stack;
}

// app.go
function attachGates(scope) {
  cdk.Aspects.of(scope).add(new AwsSolutionsChecks({ reports: true, verbose: true }));
}

function main() {
  const config = JSON.parse(fs.readFileSync(process.env.TWIN_CONFIG, 'utf8'));
  const app = new cdk.App();
  const stages = {};
  const byName = {};
  for (const { name, environment: e } of config.environments) {
    byName[name] = e;
    const stage = new cdk.Stage(app, name, { env: e.account && e.region ? { account: e.account, region: e.region } : undefined });
    attachGates(stage);
    newEnvironment(stage, name, e, config.bundlePath);
    stages[name] = stage;
  }
  if (config.pipeline) {
    const p = config.pipeline;
    const stack = newPipeline(app, 'Pipeline', {
      stackProps: { description: 'Deploys the environments from ' + p.source.repository, env: { account: p.account, region: p.region } },
      pipeline: p,
      environments: byName,
      stages,
      cliVersion: config.cliVersion,
    });
    attachGates(stack);
  }
  app.synth();
}

main();
