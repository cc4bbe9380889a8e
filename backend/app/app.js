'use strict';
// The sample backend: answers GET / with JSON naming the backend and its
// version, and GET /health with 200. No dependencies, so nothing is installed
// on the instances. Beanstalk's nginx proxies port 80 to PORT (8080).
const http = require('node:http');

function createServer(backend, version) {
  return http.createServer((req, res) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(405, { error: 'method not allowed' });
    } else if (path === '/health') {
      reply(200, { status: 'ok' });
    } else if (path === '/') {
      reply(200, { backend, version });
    } else {
      reply(404, { error: 'not found', path });
    }
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT || 8080);
  createServer(process.env.BACKEND_NAME || 'sample', process.env.BACKEND_VERSION || 'dev')
    .listen(port, () => console.log(`listening on ${port}`));
}

module.exports = { createServer };
