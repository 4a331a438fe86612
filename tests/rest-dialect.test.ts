/**
 * Dialect-tolerant reading, strict judging (issues 12/13), on the shapes the official AnyChat backend was recorded
 * sending (contract-notes §5): proto structs passed through encoding/json — snake_case keys, omitempty (empty lists
 * and zero values dropped), Timestamps as {seconds, nanos}, enums as ints. Plus the REST-side fixtures that make
 * a run judge such a server on its behaviour: admin base URL, contract enum first, conservative nicknames, sweeps.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadContracts } from '../contracts/index.js';
import { ConformanceFailure } from '../fixtures/failure.js';
import { findBy, list, str, timeMs } from '../fixtures/read.js';
import { Recorder } from '../fixtures/recorder.js';
import { baseFor, RestApi } from '../fixtures/rest-client.js';
import { judgeRestResponse, typedSpellingIssues, typedTimeIssues } from '../fixtures/rest-validate.js';
import type { Target } from '../fixtures/target.js';
import { contractEnum, enumValue, MAX_NICKNAME, nicknameKeyword, registerUser, userSeed } from '../fixtures/users.js';

process.env.ANYCHAT_TARGET ??= 'http://127.0.0.1:1';
const { sweepFailure } = await import('../suites/rest/support.js');

const contracts = loadContracts();
const op = (key: string) => contracts.catalogue.operationsByKey.get(key)!;
const judge = (key: string, body: unknown, strict = false) =>
  judgeRestResponse(contracts, op(key), { status: 200, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body) }, { strict });

// Recorded shapes (official backend, contract-notes §5).
const MEMBERS = { code: 0, message: 'success', data: { members: [
  { user_id: 'u-owner', role: 'owner', joined_at: { seconds: 1733100000, nanos: 120000000 } },
  { user_id: 'u-b', role: 'member', group_nickname: 'bee', joined_at: { seconds: 1733100001 } },
], total: 2 } };
const FRIENDS_EMPTY = { code: 0, message: 'success', data: {} };
const FRIEND_REQUESTS = { code: 0, message: 'success', data: { requests: [
  { id: 17, from_user_id: 'u-a', to_user_id: 'u-b', message: 'hi', source: 'search', status: 'pending', created_at: { seconds: 1733100000 } },
], total: 1 } };
const GROUPS = { code: 0, message: 'success', data: { groups: [{ group_id: 'g-1', name: 'n', owner_id: 'u-owner', member_count: 2 }], total: 1 } };

test('reader: members under user_id are found by id, roles read; Timestamps read as instants', () => {
  const members = list(MEMBERS.data, 'members')!;
  assert.equal(str(findBy(members, 'userId', 'u-b'), 'role'), 'member');
  assert.equal(str(findBy(members, 'userId', 'u-owner'), 'role'), 'owner');
  assert.equal(findBy(members, 'userId', 'u-gone'), undefined);
  assert.equal(str(findBy(members, 'userId', 'u-b'), 'groupNickname'), 'bee');
  assert.equal(timeMs(findBy(members, 'userId', 'u-owner') && (findBy(members, 'userId', 'u-owner') as any).joined_at), 1733100000120);
  assert.equal(str(findBy(list(FRIEND_REQUESTS.data, 'requests')!, 'fromUserId', 'u-a'), 'id'), '17');
});

test('reader: an omitted list reads as empty; an unreadable one as undefined (the caller blocks)', () => {
  assert.deepEqual(list(FRIENDS_EMPTY.data, 'friends'), []);
  assert.equal(list({ members: 'nope' }, 'members'), undefined);
  assert.equal(list(null, 'members'), undefined);
  assert.equal(list([], 'members'), undefined);
});

test('HG3: typed data with declared properties only under another spelling fails in both profiles (deferred to HG3)', () => {
  for (const strict of [false, true]) {
    const v = judge('GET /groups/{id}/members', MEMBERS, strict);
    const hg3 = v.violations.filter((x) => x.rule === 'HG3');
    assert.ok(hg3.length > 0 && hg3.every((x) => x.deferred && !x.warnOnly), JSON.stringify(v.violations));
    assert.ok(hg3.some((x) => /\/data\/members\/0\/user_id is the declared property 'userId'/.test(x.message)));
  }
  const groups = judge('GET /groups', GROUPS).violations.filter((x) => x.rule === 'HG3');
  assert.ok(groups.some((x) => /group_id is the declared property 'groupId'/.test(x.message)));
});

test('HG3: typed data holding none of its declared properties fails; a well-spelled one passes', () => {
  const issues = typedSpellingIssues(contracts, op('GET /users/me'), { foo: 1 });
  assert.equal(issues.length, 1);
  assert.match(issues[0]!.message, /holds none of the properties/);
  assert.deepEqual(typedSpellingIssues(contracts, op('GET /users/me'), { userId: 'u', nickname: 'n' }), []);
  assert.deepEqual(typedSpellingIssues(contracts, op('GET /groups/{id}/members'), { members: [{ userId: 'u', role: 'owner' }], total: 1 }), []);
});

test('HG16: a typed time field under another spelling is judged', () => {
  const me = typedTimeIssues(contracts, op('GET /users/me'), { user_id: 'u', created_at: '2024/01/01 00:00:00' });
  assert.equal(me.length, 1);
});

test('HG4: untyped proto dialect — lenient warns once per deviation, strict fails; Timestamps fail in both', () => {
  const lenient = judge('GET /friends/requests', FRIEND_REQUESTS).violations;
  const kinds = lenient.map((x) => [x.rule, !!x.warnOnly, x.message.replace(/^.*?: /, '').slice(0, 30)]);
  assert.ok(lenient.every((x) => x.deferred), JSON.stringify(kinds));
  assert.equal(lenient.filter((x) => x.warnOnly).length, 1, 'one snake_case deviation for the whole list');
  assert.ok(lenient.some((x) => !x.warnOnly && /\{seconds, nanos\}/.test(x.message)));
  const strict = judge('GET /friends/requests', FRIEND_REQUESTS, true).violations;
  assert.ok(strict.every((x) => !x.warnOnly) && strict.length === lenient.length);
  const empty = judge('GET /friends', FRIENDS_EMPTY).violations;
  assert.deepEqual(empty.map((x) => [x.rule, x.warnOnly]), [['HG4', true]]);
});

// ---- fixtures against a tiny scripted server ----

let server: Server;
let root: string;
const seen: { url: string; body: any }[] = [];
before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = text ? JSON.parse(text) : undefined;
      seen.push({ url: req.url ?? '', body });
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/auth/register')) {
        // The official backend's enum: iOS|Android|Web|PC only (contract-notes §5).
        if (body.deviceType !== 'iOS') return res.end(JSON.stringify({ code: 400, message: 'invalid deviceType' }));
        return res.end(JSON.stringify({ code: 0, message: 'success', data: { user_id: 'u1', access_token: 'at', refresh_token: 'rt', expires_in: 3600 } }));
      }
      res.end(JSON.stringify({ code: 0, message: 'success', data: { token: 'adm' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function target(over: Partial<Target> = {}): Target {
  return { url: root, restBase: `${root}/api/v1`, adminBase: `${root}/api/v1/admin`, timeoutMs: 2000, strict: false, runId: 'abcd1234', verifyCode: '123456', clientVersion: '1.0.0', deviceType: 'ios', admin: null, ...over } as Target;
}

test('admin operations go to the admin base URL; the rest stays under the REST base', async () => {
  assert.equal(baseFor(target(), '/users/me'), `${root}/api/v1/users/me`);
  assert.equal(baseFor(target(), '/admin/users'), `${root}/api/v1/admin/users`);
  const t = target({ adminBase: `${root}/api/admin` });
  assert.equal(baseFor(t, '/admin/users/{userId}'), `${root}/api/admin/users/{userId}`);
  const api = new RestApi({ target: t, contracts, recorder: new Recorder() });
  seen.length = 0;
  await api.as(null).call('POST /admin/auth/login', { body: { username: 'a', password: 'b' } });
  assert.equal(seen[0]!.url, '/api/admin/auth/login');
});

test("contract enum first: 'ios' is tried; refused with --device-type iOS, the run continues with the override", async () => {
  assert.deepEqual(contractEnum('deviceType'), ['ios', 'android', 'web']);
  assert.equal(enumValue('deviceType', { deviceType: 'iOS' }), 'ios', 'nothing refused yet');
  const api = new RestApi({ target: target(), contracts, recorder: new Recorder() });
  await assert.rejects(registerUser(api, target(), 0), (e: unknown) => e instanceof ConformanceFailure && /invalid deviceType/.test(e.message), 'no override: the refusal is the failure');
  seen.length = 0;
  const u = await registerUser(api, target({ deviceType: 'iOS' }), 0);
  assert.deepEqual(seen.map((s) => s.body.deviceType), ['ios', 'iOS']);
  assert.equal(u.userId, 'u1', 'the answer is read under snake_case keys too');
  assert.equal(u.accessToken, 'at');
  assert.equal(enumValue('deviceType', { deviceType: 'iOS' }), 'iOS', 'recorded: later requests use the override at once');
  seen.length = 0;
  await registerUser(api, target({ deviceType: 'iOS' }), 0);
  assert.deepEqual(seen.map((s) => s.body.deviceType), ['iOS']);
});

test('nicknames stay within 16 characters and share a searchable head per prefix', () => {
  for (const prefix of [undefined, 'tour', 'wvictim', 'pgab12', 'a-very-long-prefix']) {
    const s = userSeed({ runId: 'abcd1234' }, 3, { nickname: prefix });
    assert.ok(s.nickname.length <= MAX_NICKNAME, s.nickname);
    assert.ok(s.nickname.startsWith(nicknameKeyword({ runId: 'abcd1234' }, prefix)), s.nickname);
  }
  assert.notEqual(userSeed({ runId: 'r' }, 0).nickname, userSeed({ runId: 'r' }, 0).nickname);
});

test('sweep failure: the first line names every failed item; each item gets its first line', () => {
  const d = sweepFailure([
    { item: 'GET /admin/users', detail: { message: 'GET /admin/users accepted no token\n  expected: x' } },
    { item: 'GET /admin/config', detail: { message: '[REST.HG1 envelope] GET /admin/config: HTTP 404 body is not JSON\nmore' } },
  ], 73);
  const [head, ...lines] = d.message.split('\n');
  assert.equal(head, '2 of 73 failed: GET /admin/users; GET /admin/config');
  assert.deepEqual(lines, ['  - GET /admin/users: accepted no token', '  - GET /admin/config: [REST.HG1 envelope] GET /admin/config: HTTP 404 body is not JSON']);
});
