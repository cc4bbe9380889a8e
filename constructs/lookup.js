'use strict';
// The deploy-time lookups of a stack (constructs/lookups.go): CloudFormation
// custom resources served by one Lambda function, which calls Elastic
// Beanstalk or Elastic Load Balancing with the AWS SDK for JavaScript that
// the Lambda Node.js runtime includes, and answers CloudFormation itself
// ("Custom resource response objects", CloudFormation user guide).
const https = require('https');
const { setTimeout: sleep } = require('timers/promises');
const eb = require('@aws-sdk/client-elastic-beanstalk');
const elb = require('@aws-sdk/client-elastic-load-balancing-v2');

// IAM changes reach every endpoint only after a while ("Changes that I make
// are not always immediately visible", IAM user guide), so a call denied
// right after its role was created is tried again, for up to about four
// minutes, within the function's five.
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000, 30000, 30000, 30000];
const DENIED = ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'InsufficientPrivilegesException'];

const lookups = {
  'Custom::PlatformVersion': platformVersion,
  'Custom::EnvironmentLoadBalancer': environmentLoadBalancer,
  'Custom::LoadBalancerTargetGroup': loadBalancerTargetGroup,
};

exports.handler = async (event, context) => {
  let answer;
  try {
    if (event.RequestType === 'Delete') {
      // A lookup creates nothing, so there is nothing to delete.
      answer = { id: event.PhysicalResourceId, data: {} };
    } else {
      const lookup = lookups[event.ResourceType];
      if (!lookup) throw new Error(`no lookup serves resource type ${event.ResourceType}`);
      answer = await lookup(event.ResourceProperties, context, event);
    }
    console.log('answer', JSON.stringify(answer));
    await respond(event, 'SUCCESS', '', answer.id, answer.data);
  } catch (e) {
    console.log('failed', e);
    const reason = `${e.message} (log stream ${context.logStreamName})`.slice(0, 1000);
    await respond(event, 'FAILED', reason, event.PhysicalResourceId || context.logStreamName, {});
  }
};

// platformVersion finds the recommended version of a platform branch. Its
// answer is kept: an update that changes neither the branch nor the refresh
// token answers the version found before (the resource's physical id), so a
// platform never moves unless asked to.
async function platformVersion({ Branch, Filters, Refresh }, context, event) {
  const old = event.OldResourceProperties;
  if (event.RequestType === 'Update' && old && old.Branch === Branch && old.Refresh === Refresh &&
      String(event.PhysicalResourceId).startsWith('arn:')) {
    const PlatformArn = event.PhysicalResourceId;
    return { id: PlatformArn, data: { PlatformArn, PlatformVersion: PlatformArn.split('/').pop() } };
  }
  const client = new eb.ElasticBeanstalkClient({});
  const region = await client.config.region();
  // ListPlatformVersions "only returns information about platform versions
  // that the calling principle has IAM permissions to access" (API
  // reference): while the function's permission propagates the list is
  // empty, exactly as for a branch that does not exist, so an empty list is
  // tried again too before it counts as an answer.
  const versions = await retry(context, async () => {
    const found = [];
    let NextToken;
    do {
      const page = await client.send(new eb.ListPlatformVersionsCommand({ Filters, NextToken }));
      found.push(...(page.PlatformSummaryList || []));
      NextToken = page.NextToken;
    } while (NextToken);
    return found.length > 0 ? found : undefined;
  });
  if (!versions) {
    throw new Error(`platform branch "${Branch}" has no recommended version in ${region}: ` +
      `check the branch name with "aws elasticbeanstalk list-platform-branches --region ${region}" (a retired branch has none)`);
  }
  const newest = versions.reduce((a, b) => (compareVersions(b.PlatformVersion, a.PlatformVersion) > 0 ? b : a));
  return { id: newest.PlatformArn, data: { PlatformArn: newest.PlatformArn, PlatformVersion: newest.PlatformVersion } };
}

// environmentLoadBalancer finds the load balancer Beanstalk made for an
// environment: for an Application or Network Load Balancer its Name is the
// ARN (what the EB CLI passes on to DescribeTargetGroups).
async function environmentLoadBalancer({ EnvironmentName }, context) {
  const client = new eb.ElasticBeanstalkClient({});
  const out = await retry(context, () => client.send(new eb.DescribeEnvironmentResourcesCommand({ EnvironmentName })));
  const loadBalancers = (out.EnvironmentResources && out.EnvironmentResources.LoadBalancers) || [];
  if (loadBalancers.length !== 1 || !loadBalancers[0].Name) {
    throw new Error(`environment ${EnvironmentName} has ${loadBalancers.length} load balancers; a load-balanced environment has one`);
  }
  return { id: EnvironmentName, data: { LoadBalancerArn: loadBalancers[0].Name } };
}

// loadBalancerTargetGroup finds the target group of a load balancer that
// Beanstalk made: one, for the environment's default process.
async function loadBalancerTargetGroup({ LoadBalancerArn }, context) {
  const client = new elb.ElasticLoadBalancingV2Client({});
  const out = await retry(context, () => client.send(new elb.DescribeTargetGroupsCommand({ LoadBalancerArn })));
  const groups = out.TargetGroups || [];
  if (groups.length !== 1) {
    throw new Error(`load balancer ${LoadBalancerArn} has ${groups.length} target groups; a Beanstalk environment's has one, for its default process`);
  }
  return { id: LoadBalancerArn, data: { TargetGroupArn: groups[0].TargetGroupArn } };
}

// retry calls attempt until it returns a value, trying again after a denial
// or an undefined answer while the function has time left; it then throws
// the last denial, or returns undefined.
async function retry(context, attempt) {
  for (let i = 0; ; i++) {
    let denial;
    try {
      const result = await attempt();
      if (result !== undefined) return result;
    } catch (e) {
      if (!DENIED.includes(e.name) && !DENIED.includes(e.Code)) throw e;
      denial = e;
    }
    const delay = RETRY_DELAYS_MS[i];
    if (delay === undefined || context.getRemainingTimeInMillis() < delay + 30000) {
      if (denial) throw denial;
      return undefined;
    }
    console.log(denial ? `denied (${denial.name}); trying again in ${delay} ms` : `nothing found yet; trying again in ${delay} ms`);
    await sleep(delay);
  }
}

function compareVersions(a, b) {
  const x = String(a).split('.').map(Number);
  const y = String(b).split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] || 0) - (y[i] || 0);
    if (d !== 0) return d;
  }
  return 0;
}

// respond sends CloudFormation the answer with a PUT to the event's
// presigned ResponseURL, the way the cfn-response module does.
function respond(event, status, reason, physicalId, data) {
  const body = JSON.stringify({
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: data,
  });
  const url = new URL(event.ResponseURL);
  return new Promise((resolve, reject) => {
    const request = https.request({
      hostname: url.hostname,
      path: url.pathname + url.search,
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      response.on('end', resolve);
      response.resume();
    });
    request.on('error', reject);
    request.end(body);
  });
}
