'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { createServer } = require('../app/app.js');

async function get(server, path) {
  const { port } = server.address();
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json() };
}

test('GET / names the backend and its version; /health answers 200', async (t) => {
  const server = createServer('blue', '7').listen(0, '127.0.0.1');
  t.after(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));

  assert.deepStrictEqual(await get(server, '/'), { status: 200, body: { backend: 'blue', version: '7' } });
  assert.deepStrictEqual(await get(server, '/health'), { status: 200, body: { status: 'ok' } });
  assert.strictEqual((await get(server, '/nope')).status, 404);
});
