'use strict';
// The deploy-time lookups of a stack (constructs/lookups.go): CloudFormation
// custom resources served by one Lambda function, which calls Elastic
// Beanstalk or Elastic Load Balancing with the AWS SDK for JavaScript that
// the Lambda Node.js runtime includes, and answers CloudFormation itself
// ("Custom resource response objects", CloudFormation user guide).
const crypto = require('crypto');
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
// The answer's PUT: each attempt bounded, retried after a connection error
// or a 5xx, within the 30 s the lookups leave.
const PUT_TIMEOUT_MS = 10000;
const PUT_RETRY_DELAYS_MS = [500, 1000, 2000, 4000];
const ROLE = process.env.ROLE_ARN || 'of this function';

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
    answer.status = 'SUCCESS';
  } catch (e) {
    console.log('failed', e);
    const reason = `${e.message} (log stream ${context.logStreamName})`.slice(0, 1000);
    answer = { status: 'FAILED', reason, id: event.PhysicalResourceId || context.logStreamName, data: {} };
  }
  // Outside the try: the answer is settled, and sending it cannot turn it
  // into another.
  await respond(event, context, answer);
};

// platformVersion finds the recommended version of a platform branch, and
// keeps it: its physical id is the version's ARN and, after "#", a
// fingerprint of the branch and refresh token it was found for. An Update
// for the same branch and token answers that version again without a call,
// whatever OldResourceProperties say: a rollback's Update carries the failed
// update's properties there (aws-powertools/powertools-lambda-java#1082,
// aws/aws-cdk#17040, #29581).
async function platformVersion({ Branch, Filters, Refresh }, context, event) {
  const kept = keptVersion(event, Branch, Refresh);
  if (kept) return kept;
  const client = new eb.ElasticBeanstalkClient({});
  const region = await client.config.region();
  // ListPlatformVersions "only returns information about platform versions
  // that the calling principle has IAM permissions to access" (API
  // reference): while the function's permission propagates the list is
  // empty, exactly as for a branch that does not exist, so an empty list is
  // tried again too before it counts as an answer.
  const versions = await retry(context, async () => {
    const found = await listVersions(client, { Filters }, false);
    return found.length > 0 ? found : undefined;
  });
  if (!versions) {
    // One more call, for any version at all: none means a denial, not a
    // missing branch.
    if ((await listVersions(client, { MaxRecords: 1 }, true)).length === 0) {
      throw new Error(`ListPlatformVersions lists no platform version at all in ${region}, which is how it answers a caller ` +
        `that may not read them: allow the role ${ROLE} elasticbeanstalk:ListPlatformVersions on "*", and check that no ` +
        `service control policy or permissions boundary denies it (branch "${Branch}")`);
    }
    throw new Error(`platform branch "${Branch}" has no recommended version in ${region} that this function may read: ` +
      `check the branch name with "aws elasticbeanstalk list-platform-branches --region ${region}" (a retired branch has none)`);
  }
  const newest = versions.reduce((a, b) => (compareVersions(b.PlatformVersion, a.PlatformVersion) > 0 ? b : a));
  const { PlatformArn, PlatformVersion } = newest;
  return { id: `${PlatformArn}#${fingerprint(Branch, Refresh)}`, data: { PlatformArn, PlatformVersion } };
}

// keptVersion is the answer of an Update whose branch and refresh token are
// those the resource's version was found for, else undefined.
function keptVersion(event, Branch, Refresh) {
  const id = String(event.PhysicalResourceId);
  if (event.RequestType !== 'Update' || !id.startsWith('arn:')) return undefined;
  const mark = id.lastIndexOf('#');
  const PlatformArn = mark < 0 ? id : id.slice(0, mark);
  let same;
  if (mark >= 0) {
    same = id.slice(mark + 1) === fingerprint(Branch, Refresh);
  } else {
    // A bare ARN, as this function answered before it added fingerprints,
    // is kept as it is (another id would make CloudFormation replace the
    // resource): for the branch the ARN names, or the one the previous
    // properties had, and the previous properties' refresh token.
    const old = event.OldResourceProperties || {};
    const named = PlatformArn.slice(PlatformArn.indexOf('/') + 1, PlatformArn.lastIndexOf('/'));
    same = (named === Branch || old.Branch === Branch) && old.Refresh === Refresh;
  }
  if (!same) return undefined;
  return { id, data: { PlatformArn, PlatformVersion: PlatformArn.split('/').pop() } };
}

function fingerprint(branch, refresh) {
  return crypto.createHash('sha256').update(JSON.stringify([branch, refresh || ''])).digest('hex').slice(0, 16);
}

// listVersions follows NextToken through every page (ListPlatformVersions,
// API reference: a page may hold fewer than MaxRecords), or, with one, until
// a page lists a version.
async function listVersions(client, input, one) {
  const found = [];
  let NextToken;
  do {
    const page = await client.send(new eb.ListPlatformVersionsCommand({ ...input, NextToken }));
    found.push(...(page.PlatformSummaryList || []));
    NextToken = page.NextToken;
  } while (NextToken && !(one && found.length > 0));
  return found;
}

// environmentLoadBalancer finds the load balancer Beanstalk made for an
// environment: for an Application or Network Load Balancer its Name is the
// ARN (what the EB CLI passes on to DescribeTargetGroups).
async function environmentLoadBalancer({ EnvironmentName }, context) {
  const client = new eb.ElasticBeanstalkClient({});
  let out;
  try {
    out = await retry(context, () => client.send(new eb.DescribeEnvironmentResourcesCommand({ EnvironmentName })));
  } catch (e) {
    if (e.name !== 'InsufficientPrivilegesException') throw e;
    // Beanstalk reads the environment's resources with the caller's rights,
    // failing "for one or more downstream AWS services" (API reference)
    // without naming them; public reports name these two.
    throw new Error(`${e.message} Beanstalk reads environment ${EnvironmentName}'s resources with the caller's rights: allow the role ${ROLE} ` +
      'autoscaling:DescribeAutoScalingGroups and cloudformation:DescribeStackResources on the stack awseb-e-*-stack, and the other ' +
      'reads of the AWSElasticBeanstalkReadOnly policy (EC2 instances and launch templates, Auto Scaling, load balancers)');
  }
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
// presigned S3 ResponseURL. A connection error, a timeout or a 5xx is tried
// again after a wait while the function has time; any other status is
// final. Every failure is logged with its status and body, and none is
// thrown: the answer is settled.
async function respond(event, context, answer) {
  const body = JSON.stringify({
    Status: answer.status,
    Reason: answer.reason || '',
    PhysicalResourceId: answer.id,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: answer.data,
  });
  const url = new URL(event.ResponseURL);
  for (let i = 0; ; i++) {
    let failure;
    try {
      const { status, text } = await put(url, body, Math.floor(Math.max(1000, Math.min(PUT_TIMEOUT_MS, context.getRemainingTimeInMillis() - 1000))));
      if (status >= 200 && status < 300) return;
      failure = `status ${status}: ${text}`;
      if (status < 500) {
        console.log(`the response URL refused the ${answer.status} answer, for good: ${failure}`);
        return;
      }
    } catch (e) {
      failure = `${e.code || e.name}: ${e.message}`;
    }
    const delay = PUT_RETRY_DELAYS_MS[i];
    if (delay === undefined || context.getRemainingTimeInMillis() < delay + 2000) {
      console.log(`the ${answer.status} answer did not reach CloudFormation: ${failure}`);
      return;
    }
    console.log(`sending the ${answer.status} answer failed (${failure}); trying again in ${delay} ms`);
    await sleep(delay);
  }
}

// put sends one PUT on a connection of its own, never a kept-alive socket
// the server may have closed, and resolves with the status and body.
function put(url, body, timeout) {
  return new Promise((resolve, reject) => {
    const request = https.request({
      hostname: url.hostname,
      path: url.pathname + url.search,
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      agent: false,
      signal: AbortSignal.timeout(timeout),
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8').slice(0, 1000) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
