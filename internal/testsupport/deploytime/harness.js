'use strict';
// Runs Lambda handlers the way the Lambda Node.js runtime calls them, for the
// deploy-time rehearsal in Go (lambda.go). One request per line on stdin:
//   {"handler": "/path/index.js", "export": "handler", "env": {...}, "event": {...}, "remainingMs": 300000,
//    "response": {"port": 443, "ca": "-----BEGIN CERTIFICATE-----..."}}
// one answer per line on file descriptor 3:
//   {"responseRequests": n, "sleeps": [ms, ...], "logs": [...], "elapsedMs": ms, "error": "..."}
// Only three things differ from Lambda: the PUT to the presigned S3 response
// URL goes, over a real TLS connection, to the loopback stand-in the
// request names ("response": {"port": ..., "ca": PEM}) instead of S3; the
// handler's own waits through timers/promises return at once (their lengths
// are reported); and a timeout through AbortSignal.timeout fires after at
// most TIMEOUT_CAP_MS, the invocation's clock moved to its deadline. So retries and
// timeouts cost no test time, and the remaining time the handler sees is
// what Lambda would show. The AWS SDK runs unchanged against the endpoints
// in env.
const events = require('events');
const fs = require('fs');
const https = require('https');
const readline = require('readline');
const timers = require('timers/promises');
const util = require('util');

let current = null; // the invocation under way

// Only the host's address changes: the handler's own options (agent,
// timeout, signal, headers) and Node's TLS checks of the stand-in's
// certificate, issued for *.s3.amazonaws.com, stay as they are.
const realHttpsRequest = https.request;
https.request = function request(...args) {
  let options = args[0];
  let rest = args.slice(1);
  if (typeof options === 'string' || options instanceof URL) {
    const url = new URL(options);
    options = { protocol: url.protocol, hostname: url.hostname, port: url.port, path: url.pathname + url.search };
    if (rest.length > 0 && typeof rest[0] !== 'function') options = { ...options, ...rest.shift() };
  }
  const host = options.hostname || options.host;
  if (!current || !current.response || !/^cloudformation-custom-resource-response-/.test(host)) {
    return realHttpsRequest.apply(https, args);
  }
  const loopback = (hostname, opts, callback) => {
    if (typeof opts === 'function') return opts(null, '127.0.0.1', 4);
    return opts && opts.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
  };
  current.responseRequests++;
  return realHttpsRequest.call(https, { ...options, hostname: host, host: undefined, port: current.response.port, ca: current.response.ca, lookup: loopback }, ...rest);
};

// Long enough for a request to the loopback stand-ins (a new TLS
// connection each) on a loaded machine.
const TIMEOUT_CAP_MS = 3000;
const realAbortTimeout = AbortSignal.timeout;
AbortSignal.timeout = (ms) => {
  if (!current || ms <= TIMEOUT_CAP_MS) return realAbortTimeout.call(AbortSignal, ms);
  const invocation = current;
  const deadline = elapsed(invocation) + ms;
  const signal = realAbortTimeout.call(AbortSignal, TIMEOUT_CAP_MS);
  // The signal fires whether or not its request is still under way; only
  // one that another listener (its request's) still waits on times
  // something out, and the invocation's clock then moves to its deadline.
  signal.addEventListener('abort', () => {
    if (current === invocation && events.getEventListeners(signal, 'abort').length > 1) {
      invocation.skipped += Math.max(0, deadline - elapsed(invocation));
    }
  });
  return signal;
};

// elapsed is an invocation's time as Lambda would count it: the real time,
// plus the waits that returned at once and what timeouts cut short.
function elapsed(invocation) {
  return Date.now() - invocation.started + invocation.skipped + invocation.sleeps.reduce((a, b) => a + b, 0);
}

timers.setTimeout = async (ms, value) => {
  if (current) current.sleeps.push(ms);
  return value;
};

for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => {
    if (current) current.logs.push(util.format(...args));
  };
}

const out = fs.createWriteStream(null, { fd: 3 });
const lines = readline.createInterface({ input: process.stdin });
const queue = [];
let busy = false;

lines.on('line', (line) => {
  queue.push(line);
  if (!busy) drain();
});

async function drain() {
  busy = true;
  while (queue.length > 0) {
    const answer = await invoke(JSON.parse(queue.shift()));
    out.write(JSON.stringify(answer) + '\n');
  }
  busy = false;
}

async function invoke(request) {
  const saved = { ...process.env };
  Object.assign(process.env, request.env || {});
  const invocation = { response: request.response, responseRequests: 0, sleeps: [], logs: [], skipped: 0, started: Date.now() };
  current = invocation;
  const context = {
    functionName: request.env && request.env.AWS_LAMBDA_FUNCTION_NAME,
    awsRequestId: 'rehearsal-' + invocation.started,
    logGroupName: '/aws/lambda/rehearsal',
    logStreamName: '2026/01/01/[$LATEST]rehearsal',
    getRemainingTimeInMillis: () => request.remainingMs - elapsed(invocation),
  };
  let error;
  try {
    const handler = require(request.handler)[request.export || 'handler'];
    await handler(request.event, context);
  } catch (e) {
    error = (e && e.stack) || String(e);
  }
  const answer = { responseRequests: invocation.responseRequests, sleeps: invocation.sleeps, logs: invocation.logs, elapsedMs: elapsed(invocation), error };
  current = null;
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  return answer;
}
