import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { loadContracts } from '../contracts/index.js';
import { RequestArbitraries } from '../contracts/arbitraries.js';
import { protoShape } from '../contracts/proto-shapes.js';
import { ConformanceFailure } from '../fixtures/failure.js';
import { Recorder } from '../fixtures/recorder.js';
import { RestApi } from '../fixtures/rest-client.js';
import { judgeRestResponse, typedTimeIssues, type Violation } from '../fixtures/rest-validate.js';

/**
 * The REST client's validation on deliberately broken responses. The server is a tiny node:http handler whose answer
 * is picked per test (not a mock of the reference server: it only produces the specific broken bodies each case needs).
 */
const contracts = loadContracts();
type Reply = { status?: number; type?: string | null; body: unknown; raw?: boolean; hang?: boolean };
let next: Reply = { body: {} };
let lastRequest: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string } | undefined;
let server: Server;
let base: string;

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      lastRequest = { method: req.method, url: req.url, headers: req.headers, body };
      const r = next;
      if (r.hang) return; // never answer: the client's timeout must fire
      const text = r.raw ? String(r.body) : JSON.stringify(r.body);
      res.writeHead(r.status ?? 200, r.type === null ? {} : { 'content-type': r.type ?? 'application/json; charset=utf-8' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function api(opts: { strict?: boolean; timeoutMs?: number; restBase?: string } = {}) {
  const recorder = new Recorder();
  return { recorder, api: new RestApi({ target: { restBase: opts.restBase ?? base, timeoutMs: opts.timeoutMs ?? 2000, strict: !!opts.strict }, contracts, recorder }) };
}

async function violationsOf(reply: Reply, key: string, opts: { strict?: boolean; params?: Record<string, string>; allowStatus?: number[] } = {}): Promise<Violation[]> {
  next = reply;
  const v: Violation[] = [];
  await api({ strict: opts.strict }).api.collecting(v).as('tok').call(key, { params: opts.params, allowStatus: opts.allowStatus });
  return v;
}

const GROUP = { groupId: 'g1', name: 'n', ownerId: 'u1', myRole: 'owner', memberCount: 2 };

test('a well-formed success passes and is recorded with a curl replay and coverage', async () => {
  next = { body: { code: 0, message: 'success', data: { userId: 'u1', nickname: 'n', createdAt: '2024-01-01T00:00:00Z' } } };
  const { api: a, recorder } = api();
  const res = await a.as('tok').call('GET /users/me', { expect: 'success' });
  assert.equal(res.ok, true);
  assert.equal(res.data.userId, 'u1');
  assert.equal(lastRequest?.headers.authorization, 'Bearer tok');
  const rec = recorder.toJSON();
  assert.deepEqual(rec.coverage, [{ kind: 'rest', key: 'GET /users/me', state: 'conformant' }]);
  assert.match(rec.exchanges[0]!.replay!, /^curl -sS -X GET '.*\/api\/v1\/users\/me' -H 'authorization: Bearer tok'$/);
});

test('coverage: only a validated answer covers; 404 (undeclared), 5xx or an invalid body is observed but nonconformant', async () => {
  const cover = async (reply: Reply) => {
    next = reply;
    const { api: a, recorder } = api();
    await a.collecting([]).as('tok').call('GET /users/me');
    return recorder.toJSON().coverage.map((c) => c.state);
  };
  assert.deepEqual(await cover({ status: 401, body: { code: 10401, message: 'unauthorized', data: null } }), ['conformant'], 'a declared error in a valid envelope');
  assert.deepEqual(await cover({ status: 404, body: '404 page not found', raw: true, type: 'text/plain' }), ['nonconformant']);
  assert.deepEqual(await cover({ status: 500, body: { code: 50000, message: 'internal', data: null } }), ['nonconformant']);
  assert.deepEqual(await cover({ body: '<html>', raw: true, type: 'text/html' }), ['nonconformant']);
});

test('HG1: a body that is not JSON fails', async () => {
  const v = await violationsOf({ body: '<html>oops</html>', raw: true, type: 'text/html' }, 'GET /users/me');
  assert.deepEqual(v.map((x) => x.rule), ['HG1']);
  assert.match(v[0]!.message, /not JSON/);
});

test('HG1: a JSON body served with another Content-Type fails', async () => {
  const v = await violationsOf({ body: { code: 0, message: 'ok', data: { userId: 'u' } }, type: 'text/plain' }, 'GET /users/me');
  assert.deepEqual(v.map((x) => x.rule), ['HG1']);
  assert.match(v[0]!.message, /Content-Type/);
});

test('HG1: a missing message and a non-integer code fail, citing the envelope schema', async () => {
  const v = await violationsOf({ body: { code: '0', data: {} } }, 'GET /friends');
  assert.ok(v.some((x) => x.rule === 'HG1' && /code is "0"/.test(x.message)));
  assert.ok(v.some((x) => x.rule === 'HG1' && /message is missing/.test(x.message)));
  assert.match(v[0]!.cite!, /github_com_anychat_server_pkg_response\.Response/);
});

test('HG1: an error status carrying code 0 fails (errors must not look like success)', async () => {
  const v = await violationsOf({ status: 400, body: { code: 0, message: 'bad' } }, 'POST /groups');
  assert.ok(v.some((x) => x.rule === 'HG1' && /code 0/.test(x.message)));
});

test('HG2: a success answered with HTTP 201 fails', async () => {
  const v = await violationsOf({ status: 201, body: { code: 0, message: 'ok', data: GROUP } }, 'POST /groups');
  assert.deepEqual(v.map((x) => x.rule), ['HG2']);
});

test('an undeclared error status fails unless tolerated; tolerated statuses become warnings', async () => {
  const v = await violationsOf({ status: 418, body: { code: 40418, message: 'teapot' } }, 'GET /groups/{id}', { params: { id: 'g' } });
  assert.deepEqual(v.map((x) => x.rule), ['STATUS']);
  next = { status: 401, body: { code: 12401, message: 'no token' } };
  const { api: a, recorder } = api();
  const res = await a.as(null).call('GET /admin/users', { allowStatus: [401] });
  assert.equal(res.ok, false);
  assert.ok(recorder.toJSON().warnings.some((w) => /HTTP 401 is not declared/.test(w)));
});

test('lenient: an error as HTTP 200 + code is accepted with a warning; strict: it fails where the op declares 400', async () => {
  next = { status: 200, body: { code: 40404, message: 'no such group' } };
  const { api: a, recorder } = api();
  const res = await a.as('t').call('GET /groups/{id}', { params: { id: 'x' } });
  assert.equal(res.ok, false);
  assert.ok(recorder.toJSON().warnings.some((w) => /HTTP 200/.test(w)));
  const strict = await violationsOf({ status: 200, body: { code: 40400, message: 'bad name' } }, 'POST /groups', { strict: true });
  assert.deepEqual(strict.map((x) => x.rule), ['STATUS'], 'POST /groups declares 400');
  const noStatus = await violationsOf({ status: 200, body: { code: 30400, message: 'bad lastUpdateTime' } }, 'GET /friends', { strict: true });
  assert.deepEqual(noStatus, [], 'GET /friends declares no 400: HTTP 200 + code is the only declared form');
});

test('README code ranges: deferred to REST.CODES — a warning in lenient mode, a failure in strict mode', async () => {
  const lenient = await violationsOf({ status: 404, body: { code: 404, message: 'nope' } }, 'GET /groups/{id}', { params: { id: 'x' } });
  assert.deepEqual(lenient.map((x) => [x.rule, x.deferred, x.warnOnly]), [['RANGE', true, true]]);
  const strict = await violationsOf({ status: 404, body: { code: 404, message: 'nope' } }, 'GET /groups/{id}', { strict: true, params: { id: 'x' } });
  assert.deepEqual(strict.map((x) => [x.rule, x.deferred, x.warnOnly]), [['RANGE', true, undefined]]);
  assert.match(strict[0]!.cite!, /Response\/properties\/code$/, 'cites the element (a pointer the applicability check resolves)');
  assert.match(strict[0]!.message, /bare integer and states no ranges/, 'says the bundle states no ranges');
  next = { status: 404, body: { code: 404, message: 'nope' } };
  const res = await api({ strict: true }).api.as('t').call('GET /groups/{id}', { params: { id: 'x' } });
  assert.equal(res.violations.length, 0, 'an ordinary call neither throws nor carries a deferred deviation');
  const ok = await violationsOf({ status: 401, body: { code: 10401, message: 'token' } }, 'GET /groups/{id}', { strict: true, params: { id: 'x' } });
  assert.deepEqual(ok, [], 'an auth-range code on a 401 is in range on any op');
  const admin = await violationsOf({ status: 401, body: { code: 12401, message: 'token' } }, 'GET /admin/users', { strict: true, allowStatus: [401] });
  assert.deepEqual(admin, [], 'the README gives no range for admin');
});

test('HG3: typed data with a wrong type fails, citing the component field', async () => {
  const v = await violationsOf({ body: { code: 0, message: 'ok', data: { ...GROUP, memberCount: '2' } } }, 'POST /groups');
  assert.deepEqual(v.map((x) => x.rule), ['HG3']);
  assert.match(v[0]!.cite!, /GroupResponse\/properties\/memberCount/);
});

test('HG3/HG4: data missing on an op that declares it fails', async () => {
  assert.deepEqual((await violationsOf({ body: { code: 0, message: 'ok' } }, 'GET /users/me')).map((x) => x.rule), ['HG3']);
  assert.deepEqual((await violationsOf({ body: { code: 0, message: 'ok', data: [] } }, 'GET /friends')).map((x) => x.rule), ['HG4']);
  assert.deepEqual(await violationsOf({ body: { code: 0, message: 'ok' } }, 'PUT /groups/{id}', { params: { id: 'g' } }), [], 'bare-envelope ops need no data');
});

test('HG4: snake_case keys and an omitted list are deferred deviations: lenient warns, strict fails', async () => {
  const body = { code: 0, message: 'ok', data: { has_more: false, sessions: [{ session_id: 's1' }] } };
  const v = await violationsOf({ body }, 'GET /sessions');
  assert.deepEqual(v.map((x) => [x.rule, x.deferred, x.warnOnly]), [['HG4', true, true]], 'the shape itself is judged on the normalised data: no other issue');
  assert.match(v[0]!.message, /snake_case keys in data: \/data\/sessions\/\*\/session_id, \/data\/has_more/);
  const strict = await violationsOf({ body }, 'GET /sessions', { strict: true });
  assert.deepEqual(strict.map((x) => [x.rule, x.warnOnly]), [['HG4', undefined]]);
  const missing = await violationsOf({ body: { code: 0, message: 'ok', data: { total: 0 } } }, 'GET /friends');
  assert.deepEqual(missing.map((x) => [x.rule, x.warnOnly]), [['HG4', true]]);
  assert.match(missing[0]!.message, /empty repeated field\(s\) omitted: \/data\/friends/);
  next = { body: { code: 0, message: 'ok', data: {} } };
  await api({ strict: true }).api.as('t').call('GET /friends', { expect: 'success' }); // never thrown by an ordinary call
});

test('HG4: time fields accept RFC 3339 / seconds / ms (reported), not {seconds, nanos}', async () => {
  const good = { code: 0, message: 'ok', data: { sessions: [{ sessionId: 's', createdAt: '2024-01-01T00:00:00Z', updatedAt: 1700000000, lastMessageTime: 1700000000000 }], hasMore: false } };
  next = { body: good };
  const { api: a, recorder } = api();
  await a.as('t').call('GET /sessions', { expect: 'success' });
  assert.ok(recorder.toJSON().warnings.some((w) => /milliseconds, rfc3339, seconds/.test(w)));
  const bad = await violationsOf({ body: { code: 0, message: 'ok', data: { sessions: [{ sessionId: 's', createdAt: { seconds: 1, nanos: 0 } }] } } }, 'GET /sessions');
  assert.deepEqual(bad.map((x) => [x.rule, x.deferred, x.warnOnly]), [['HG4', true, undefined]], 'a Timestamp object is a deviation in both profiles');
  assert.match(bad[0]!.message, /\{seconds, nanos\}: \/data\/sessions\/\*\/createdAt/);
});

test('proto shapes: int64 as numeric strings and enum spellings (name, short, number, absent) are accepted', () => {
  const call = protoShape(contracts, 'GET /rtc/calls/{callId}')!;
  for (const status of ['CALL_STATUS_RINGING', 'ringing', 'RINGING', 0, undefined]) assert.deepEqual(call.validate({ callId: 'c', status, createdAt: 1700000000 }), [], String(status));
  assert.notDeepEqual(call.validate({ callId: 'c', status: 'ringin' }), []);
  assert.deepEqual(protoShape(contracts, 'GET /friends')!.validate({ friends: [], total: '12' }), []);
  assert.equal(protoShape(contracts, 'GET /admin/users'), null, 'admin ops without an rpc have no proto shape');
});

test('expect: success throws on an error envelope naming op, code and message; expect: failure throws on success', async () => {
  next = { status: 400, body: { code: 40400, message: 'name is required' } };
  await assert.rejects(api().api.as('t').call('POST /groups', { body: {}, expect: 'success' }), (e: unknown) => {
    assert.ok(e instanceof ConformanceFailure);
    assert.match(e.message, /POST \/groups failed: HTTP 400, code 40400, message "name is required"/);
    assert.match(e.detail.replay!, /--data-raw '\{\}'/);
    return true;
  });
  next = { body: { code: 0, message: 'ok', data: GROUP } };
  await assert.rejects(api().api.as('t').call('POST /groups', { body: {}, expect: 'failure', why: 'without name' }), /POST \/groups accepted without name/);
});

test('violations throw a ConformanceFailure listing every problem (default mode)', async () => {
  next = { status: 201, body: { code: 0, data: GROUP } };
  await assert.rejects(api().api.as('t').call('POST /groups', { body: {} }), (e: unknown) => {
    assert.ok(e instanceof ConformanceFailure);
    assert.match(e.message, /REST\.HG1 envelope.*message is missing/);
    assert.match(e.message, /REST\.HG2 success.*HTTP 201/);
    return true;
  });
});

test('a server that never answers fails after the timeout; a closed port fails at once', async () => {
  next = { hang: true, body: null };
  const started = Date.now();
  await assert.rejects(api({ timeoutMs: 300 }).api.as(null).call('GET /users/me'), /no complete response within 300 ms/);
  assert.ok(Date.now() - started < 2000);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(api({ restBase: `http://127.0.0.1:${port}/api/v1` }).api.as(null).call('GET /users/me'), (e: unknown) => e instanceof ConformanceFailure && /ECONNREFUSED/.test(e.message));
});

test('authorization: a user, a bare token, a raw header value, or none', async () => {
  next = { body: { code: 0, message: 'ok', data: { userId: 'u' } } };
  const { api: a } = api();
  await a.as({ accessToken: 'AT' } as any).call('GET /users/me');
  assert.equal(lastRequest?.headers.authorization, 'Bearer AT');
  await a.as('Basic xyz').call('GET /users/me');
  assert.equal(lastRequest?.headers.authorization, 'Basic xyz');
  await a.as(null).call('GET /users/me');
  assert.equal(lastRequest?.headers.authorization, undefined);
  await a.as(null).call('GET /users/search', { query: { keyword: 'a b', page: 2, skip: undefined } });
  assert.equal(lastRequest?.url, '/api/v1/users/search?keyword=a+b&page=2');
});

test('HG16: typed time fields that are not RFC 3339 are reported; empty or absent ones are not', () => {
  const op = contracts.catalogue.operationsByKey.get('GET /users/me')!;
  assert.deepEqual(typedTimeIssues(contracts, op, { createdAt: '2024-01-01T00:00:00Z', birthday: '' }), []);
  const issues = typedTimeIssues(contracts, op, { createdAt: '2024/01/01 00:00:00' });
  assert.equal(issues.length, 1);
  assert.match(issues[0]!.cite!, /UserProfile\/properties\/createdAt/);
  const members = contracts.catalogue.operationsByKey.get('GET /groups/{id}/members')!;
  assert.equal(typedTimeIssues(contracts, members, { members: [{ joinedAt: '1700000000' }] }).length, 1);
});

test('judge: the verdict is pure and says success only for HTTP 200 + code 0', () => {
  const op = contracts.catalogue.operationsByKey.get('POST /auth/logout')!;
  const ok = judgeRestResponse(contracts, op, { status: 200, headers: { 'content-type': 'application/json' }, text: '{"code":0,"message":"ok","data":null}' }, { strict: false });
  assert.equal(ok.outcome, 'success');
  const err = judgeRestResponse(contracts, op, { status: 401, headers: { 'content-type': 'application/json' }, text: '{"code":10401,"message":"no"}' }, { strict: true });
  assert.equal(err.outcome, 'failure');
  assert.deepEqual(err.violations, []);
});

test('arbitraries: deterministic for a seed; one mutation per contract constraint', () => {
  const arbs = new RequestArbitraries(contracts);
  const base = { body: { name: 'g', memberIds: ['u1'] } };
  const a = arbs.examples('POST /groups', base, 7);
  assert.deepEqual(arbs.examples('POST /groups', base, 7), a);
  const kinds = a.map((c) => `${c.kind} ${c.target}`);
  for (const k of ['drop-required name', 'drop-required memberIds', 'too-long name', 'too-short name', 'too-few-items memberIds', 'wrong-type memberIds', 'malformed-json ', 'not-an-object ']) assert.ok(kinds.includes(k), k);
  assert.equal(a.find((c) => c.kind === 'text-plain')?.mustReject, false);
  const enumCase = fc.sample(arbs.invalid('PUT /groups/{id}/members/{userId}/role', { params: { id: 'g', userId: 'u' }, body: { role: 'admin' } }, arbs.specs('PUT /groups/{id}/members/{userId}/role', { body: { role: 'admin' } }).filter((s) => s.kind === 'out-of-enum'))!, { seed: 1, numRuns: 20 });
  for (const c of enumCase) assert.ok(!['admin', 'member'].includes(String((c.request.body as any).role).toLowerCase()));
  const unknown = arbs.examples('GET /groups/{id}', { params: { id: 'g' } }, 1).find((c) => c.kind === 'unknown-path-id')!;
  assert.equal(unknown.mustReject, true, 'GET /groups/{id} declares 404');
  assert.equal(arbs.examples('DELETE /groups/{id}', { params: { id: 'g' } }, 1).find((c) => c.kind === 'unknown-path-id')!.mustReject, false, 'no 404 declared');
  for (const v of fc.sample(arbs.valid('PUT /users/me'), { seed: 3, numRuns: 30 })) assert.deepEqual(contracts.validators.restRequest('PUT /users/me')(v.body), []);
});
