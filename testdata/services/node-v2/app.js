'use strict';
// Version 2 of a Node.js service: different code from backend/app, to show
// that blue and green deploy different bundles.
const http = require('node:http');

http.createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  const body = path === '/health' ? { status: 'ok' } : { backend: process.env.BACKEND_NAME, version: process.env.BACKEND_VERSION, v2: true };
  res.writeHead(path === '/health' || path === '/' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}).listen(Number(process.env.PORT || 8080));
