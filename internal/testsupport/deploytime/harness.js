'use strict';
// Runs Lambda handlers the way the Lambda Node.js runtime calls them, for the
// deploy-time rehearsal in Go (lambda.go). One request per line on stdin:
//   {"handler": "/path/index.js", "export": "handler", "env": {...}, "event": {...}, "remainingMs": 300000}
// one answer per line on file descriptor 3:
//   {"response": {...what the handler PUT to the event's ResponseURL...}, "sleeps": [ms, ...], "logs": [...], "error": "..."}
// Only two things differ from Lambda: the PUT to the presigned S3 response
// URL is captured instead of sent, and the handler's own waits through
// timers/promises return at once (their lengths are reported), so retries
// cost no test time. The AWS SDK runs unchanged against the endpoints in env.
const fs = require('fs');
const https = require('https');
const readline = require('readline');
const timers = require('timers/promises');
const util = require('util');
const { Writable } = require('stream');

let current = null; // the invocation under way

const realHttpsRequest = https.request;
https.request = function request(options, callback) {
  const host = typeof options === 'string' ? new URL(options).hostname : options.hostname || options.host;
  if (!current || !/^cloudformation-custom-resource-response-/.test(host)) {
    return realHttpsRequest.apply(https, arguments);
  }
  const chunks = [];
  const request = new Writable({
    write(chunk, encoding, done) { chunks.push(Buffer.from(chunk, encoding)); done(); },
  });
  request.setTimeout = () => request;
  request.on('finish', () => {
    current.puts.push({
      host,
      path: options.path,
      method: options.method,
      headers: options.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const response = new Writable({ write(c, e, d) { d(); } });
    response.statusCode = 200;
    response.resume = () => response;
    response.setEncoding = () => response;
    if (callback) callback(response);
    response.emit('end');
  });
  return request;
};

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
  current = { puts: [], sleeps: [], logs: [] };
  const started = Date.now();
  const context = {
    functionName: request.env && request.env.AWS_LAMBDA_FUNCTION_NAME,
    awsRequestId: 'rehearsal-' + started,
    logGroupName: '/aws/lambda/rehearsal',
    logStreamName: '2026/01/01/[$LATEST]rehearsal',
    getRemainingTimeInMillis: () => request.remainingMs - (Date.now() - started) - current.sleeps.reduce((a, b) => a + b, 0),
  };
  let error;
  try {
    const handler = require(request.handler)[request.export || 'handler'];
    await handler(request.event, context);
  } catch (e) {
    error = (e && e.stack) || String(e);
  }
  const answer = { puts: current.puts, sleeps: current.sleeps, logs: current.logs, error };
  current = null;
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  return answer;
}
