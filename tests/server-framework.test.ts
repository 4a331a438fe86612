/**
 * Reference server (issue 15): strict query integers, paging far past the end, router/framework errors in the envelope
 * with a declared status, 405 + Allow, and an empty JSON body read as no body — over real sockets against a real
 * server (port 0, SQLite :memory:). Also the contract-side helpers the coverage phase rests on: the path matcher and
 * the boundary generator's determinism.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, type RunningServer } from '../reference-server/server.js';
import { loadContracts } from '../contracts/index.js';
import { pathMatcher } from '../contracts/paths.js';
import { BoundaryValues } from '../contracts/boundaries.js';
import { uniqueIdentity } from './support/server-clients.js';

let s: RunningServer;
let token = '';

interface Raw { status: number; headers: http.IncomingHttpHeaders; body: any; text: string }

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  const u = new URL(`${s.baseUrl}${path}`);
  return new Promise((resolve, reject) => {
    const h = { authorization: `Bearer ${token}`, ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
    const req = http.request({ hostname: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method, headers: h, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: any;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode!, headers: res.headers, body: parsed, text });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const isEnvelope = (r: Raw) => Number.isInteger(r.body?.code) && r.body.code !== 0 && typeof r.body.message === 'string' && /json/.test(String(r.headers['content-type']));

before(async () => {
  s = await startServer({ port: 0, grpcPort: -1, db: ':memory:' });
  const id = uniqueIdentity();
  const reg = await raw('POST', '/auth/register', { 'content-type': 'application/json' }, JSON.stringify({
    phoneNumber: id.phone, email: id.email, password: 'Aa1bcdefgh', verifyCode: '123456', nickname: `fw${id.tag}`, deviceType: 'ios', deviceId: `d${id.tag}`, clientVersion: '1.0.0',
  }));
  token = reg.body.data.accessToken;
});

after(async () => s?.close());

test('query integers are strict: empty, "null", repeated, fractional and beyond int64 are 400 naming the parameter', async () => {
  for (const q of ['page=', 'page=null', 'page=1&page=2', 'page=1.5', 'pageSize=9223372036854775808']) {
    const r = await raw('GET', `/files?${q}`);
    assert.equal(r.status, 400, `GET /files?${q}: ${r.text}`);
    assert.ok(isEnvelope(r) && /page/i.test(r.body.message), `GET /files?${q} names the parameter: ${r.text}`);
  }
  const r = await raw('GET', '/friends?lastUpdateTime=9223372036854775808');
  assert.ok(isEnvelope(r) && /lastUpdateTime/.test(r.body.message), r.text);
  assert.equal((await raw('GET', '/friends?lastUpdateTime=9223372036854775807')).body.code, 0, 'int64 max itself is accepted');
});

test('paging far past the end is an empty page, never a 5xx', async () => {
  for (const path of ['/rtc/calls?pageSize=4194304&page=288230376151711745', '/rtc/meetings?page=9223372036854775807', '/files?page=9223372036854775807']) {
    const r = await raw('GET', path);
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    assert.equal(r.body.code, 0, `${path}: ${r.text}`);
  }
});

test('router and framework errors use the envelope and a declared status', async () => {
  const json = { 'content-type': 'application/json' };
  const cases: [string, Raw, number[]][] = [
    ['unknown route', await raw('GET', '/conform-no-such-route'), [404]],
    ['path parameter too long', await raw('GET', `/groups/${'x'.repeat(500)}`), [200, 400, 404]],
    ['malformed JSON', await raw('POST', '/groups', json, '{"name":'), [400]],
    ['wrong content type', await raw('POST', '/groups', { 'content-type': 'application/xml' }, '<a/>'), [400]],
    ['body too large', await raw('POST', '/groups', json, `{"pad":"${'x'.repeat(1_100_000)}"}`), [400]],
  ];
  for (const [what, r, statuses] of cases) {
    assert.ok(isEnvelope(r), `${what}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.ok(statuses.includes(r.status), `${what}: HTTP ${r.status}`);
  }
});

test('an undeclared method on a contract path is 405 with Allow listing the declared methods', async () => {
  for (const [method, path, allowed] of [['TRACE', '/groups', ['GET', 'POST']], ['PATCH', '/groups/g1', ['GET', 'PUT', 'DELETE']], ['QUERY', '/users/me', ['GET', 'PUT']]] as const) {
    const r = await raw(method, path);
    assert.equal(r.status, 405, `${method} ${path}: ${r.text}`);
    assert.ok(isEnvelope(r), r.text);
    const allow = String(r.headers.allow).split(',').map((m) => m.trim());
    for (const m of allowed) assert.ok(allow.includes(m), `${method} ${path}: Allow ${r.headers.allow} lacks ${m}`);
  }
});

test('Content-Type: application/json with an empty body is no body (bodiless operations are served)', async () => {
  for (const ct of ['application/json', 'application/json; charset=utf-8']) {
    const r = await raw('GET', '/users/me', { 'content-type': ct }, '');
    assert.equal(r.body?.code, 0, `GET /users/me with ${ct}: ${r.text}`);
  }
  const del = await raw('DELETE', '/friends/blacklist/u_nobody', { 'content-type': 'application/json' }, '');
  assert.ok(!/empty/i.test(del.body?.message ?? ''), `DELETE with an empty JSON body is not refused for the body: ${del.text}`);
  const reqBody = await raw('POST', '/groups', { 'content-type': 'application/json' }, '');
  assert.ok(isEnvelope(reqBody) && /body/i.test(reqBody.body.message), `an op that requires a body still says so: ${reqBody.text}`);
});

test('path matcher: literal templates first, methods unioned over every matching template', () => {
  const m = pathMatcher(loadContracts().catalogue);
  assert.equal(m.opFor('GET', '/friends/requests')?.key, 'GET /friends/requests');
  assert.equal(m.opFor('DELETE', '/friends/requests')?.key, 'DELETE /friends/{id}');
  assert.deepEqual(m.methodsFor('/groups'), ['GET', 'POST']);
  assert.deepEqual(m.methodsFor('/no-such-path'), []);
});

test('boundary cases are deterministic for a seed and cover query, path and body', () => {
  const b = new BoundaryValues(loadContracts());
  const base = { params: { id: 'g1' }, body: { name: 'n', announcement: 'a' } };
  assert.deepEqual(b.cases('PUT /groups/{id}', base, 5), b.cases('PUT /groups/{id}', base, 5));
  const files = b.cases('GET /files', { query: { page: 1 } }, 5);
  assert.ok(files.some((c) => c.target === 'page' && c.verdict === 'reject' && c.request.rawQuery === 'page='));
  assert.ok(files.some((c) => c.target === 'page' && c.request.rawQuery === 'page=1&page=1'));
  const put = b.cases('PUT /groups/{id}', base, 5);
  assert.ok(put.some((c) => c.where === 'path') && put.some((c) => c.where === 'body' && c.verdict === 'accept'));
});
