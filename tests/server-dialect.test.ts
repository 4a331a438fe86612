/**
 * The dialect faults and the prerequisite breakers of the reference server (issues 12, 13), checked directly with
 * real HTTP, WebSocket and gRPC calls: each does what its catalogue entry says, the whole `dialect` profile runs
 * together without breaking the server, and every one of them is off by default.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { FAULTS, FAULT_PROFILES, profileFaults } from '../reference-server/faults.js';
import { startServer, type RunningServer } from '../reference-server/server.js';
import { grpcClient, rejectsWith, uniqueIdentity } from './support/server-clients.js';

interface Raw {
  status: number;
  type: string;
  body: any;
}

async function http(s: RunningServer, method: string, path: string, opts: { token?: string; body?: unknown; base?: string } = {}): Promise<Raw> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${opts.base ?? s.baseUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body };
}

interface User {
  userId: string;
  accessToken: string;
  refreshToken: string;
  deviceId: string;
}

async function register(s: RunningServer, deviceType: string): Promise<Raw & { user?: User }> {
  const id = uniqueIdentity();
  const body = { phoneNumber: id.phone, email: id.email, password: 'Passw0rd123', verifyCode: '123456', deviceId: `dev-${id.tag}`, deviceType, clientVersion: '1.0.0', nickname: `n${id.tag}` };
  const r = await http(s, 'POST', '/auth/register', { body });
  const d = r.body?.data;
  return { ...r, user: r.status === 200 && r.body.code === 0 ? { userId: d.userId, accessToken: d.accessToken, refreshToken: d.refreshToken, deviceId: body.deviceId } : undefined };
}

async function user(s: RunningServer, deviceType = 'ios'): Promise<User> {
  const r = await register(s, deviceType);
  assert.ok(r.user, `register (${deviceType}) → ${r.status} ${JSON.stringify(r.body)}`);
  return r.user!;
}

/** A socket with its frames, its close, and bounded waits. */
async function socket(s: RunningServer, token: string) {
  const ws = new WebSocket(`${s.wsUrl}?token=${encodeURIComponent(token)}`);
  const frames: any[] = [];
  let closed: { code: number; reason: string } | undefined;
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  ws.on('close', (code, reason) => (closed = { code, reason: String(reason) }));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('ws open timed out')), 5000);
    ws.once('open', () => (clearTimeout(t), resolve()));
    ws.once('error', (e) => (clearTimeout(t), reject(e)));
  });
  const until = async <T>(get: () => T | undefined, ms: number): Promise<T | undefined> => {
    const end = Date.now() + ms;
    for (let v = get(); ; v = get()) {
      if (v !== undefined || Date.now() > end) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    frames,
    send: (f: unknown) => ws.send(JSON.stringify(f)),
    until,
    closed: (ms = 3000) => until(() => closed, ms),
    ack: (localId: string, ms = 3000) => until(() => frames.find((f) => f.type === 'message.sent' && f.payload?.localId === localId)?.payload, ms),
    close: () => ws.close(),
  };
}

async function groupOf(s: RunningServer, owner: User, member: User): Promise<string> {
  const r = await http(s, 'POST', '/groups', { token: owner.accessToken, body: { name: 'dialect', memberIds: [member.userId] } });
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.data.groupId;
}

const send = (conversationId: string, content: string, localId: string) => ({
  type: 'message.send',
  payload: { conversationId, conversationType: 'group', contentType: 'text', content, localId },
});

test('the catalogue: every profile names known faults; dialect faults are documented with their checks', () => {
  const known = new Set(FAULTS.map((f) => f.id));
  for (const [name, ids] of Object.entries(FAULT_PROFILES)) for (const id of ids) assert.ok(known.has(id), `profile ${name}: unknown fault ${id}`);
  assert.deepEqual(profileFaults('dialect'), [...FAULT_PROFILES.dialect!]);
  assert.throws(() => profileFaults('nope'), /unknown fault profile "nope" \(profiles: dialect\)/);
  for (const id of ['ws.never-ack', 'auth.register-refused', ...FAULT_PROFILES.dialect!]) {
    const f = FAULTS.find((x) => x.id === id)!;
    assert.ok(f.description.length > 20 && f.catches.length > 0 && f.suites.length > 0, id);
  }
});

describe('the dialect profile, all faults at once', () => {
  let s: RunningServer;
  before(async () => {
    s = await startServer({ port: 0, grpcPort: 0, db: ':memory:', faults: profileFaults('dialect') });
  });
  after(() => s?.close());

  test('dialect.device-type: the contract\'s ios is refused naming deviceType; iOS and PC are accepted, also at login', async () => {
    const refused = await register(s, 'ios');
    assert.equal(refused.status, 400);
    assert.notEqual(refused.body.code, 0);
    assert.match(refused.body.message, /deviceType.*iOS, Android, Web, PC.*"ios"/);
    for (const t of ['web', 'android', 'Ios']) assert.equal((await register(s, t)).status, 400, t);
    const u = await user(s, 'iOS');
    await user(s, 'PC');
    const id = uniqueIdentity();
    const body = { phoneNumber: id.phone, password: 'Passw0rd123', verifyCode: '123456', deviceId: 'd1', deviceType: 'Android', clientVersion: '1.0.0' };
    const android = await http(s, 'POST', '/auth/register', { body });
    assert.equal(android.body.code, 0, JSON.stringify(android.body));
    const login = await http(s, 'POST', '/auth/login', { body: { account: id.phone, password: 'Passw0rd123', deviceId: 'd2', deviceType: 'Web', clientVersion: '1.0.0' } });
    assert.equal(login.body.code, 0, JSON.stringify(login.body));
    const loginIos = await http(s, 'POST', '/auth/login', { body: { account: id.phone, password: 'Passw0rd123', deviceId: 'd2', deviceType: 'ios', clientVersion: '1.0.0' } });
    assert.equal(loginIos.status, 400);
    // the other fields are still judged against the contract
    const bad = await http(s, 'POST', '/auth/register', { body: { password: 'Passw0rd123', deviceType: 'iOS', phoneNumber: 5 } });
    assert.equal(bad.status, 400);
    assert.ok(u.accessToken);
  });

  test('dialect.snake-case, omit-empty, proto-timestamps: passthrough data is proto-JSON; hand-built data stays camelCase RFC 3339', async () => {
    const a = await user(s, 'iOS');
    const b = await user(s, 'iOS');
    const empty = await http(s, 'GET', '/friends?lastUpdateTime=0', { token: a.accessToken });
    assert.deepEqual(empty.body, { code: 0, message: 'success', data: {} });
    const req = await http(s, 'POST', '/friends/requests', { token: a.accessToken, body: { userId: b.userId, message: 'hi', source: 'search' } });
    assert.equal(req.body.code, 0, JSON.stringify(req.body));
    assert.ok('request_id' in req.body.data || Object.keys(req.body.data).every((k) => !/[A-Z]/.test(k)), JSON.stringify(req.body.data));
    const received = await http(s, 'GET', '/friends/requests', { token: b.accessToken });
    const item = received.body.data.requests[0];
    assert.equal(item.from_user_id, a.userId);
    assert.equal(typeof item.created_at.seconds, 'number', JSON.stringify(item)); // nanos 0 is omitted too (omitempty)
    assert.ok(item.from_user_info && !('fromUserInfo' in item));
    assert.equal((await http(s, 'PUT', `/friends/requests/${item.id}`, { token: b.accessToken, body: { action: 'accept' } })).body.code, 0);
    const friends = await http(s, 'GET', '/friends', { token: a.accessToken });
    const f = friends.body.data.friends[0];
    assert.equal(f.user_id, b.userId);
    assert.equal(typeof f.created_at.seconds, 'number');
    assert.ok(Math.abs(f.created_at.seconds - Date.now() / 1000) < 300);
    // typed list: GET /groups
    const groupId = await groupOf(s, a, b);
    const groups = await http(s, 'GET', '/groups', { token: a.accessToken });
    const g = groups.body.data.groups.find((x: any) => x.group_id === groupId);
    assert.ok(g, JSON.stringify(groups.body.data));
    assert.equal(g.owner_id, a.userId);
    const members = await http(s, 'GET', `/groups/${groupId}/members`, { token: a.accessToken });
    assert.ok(members.body.data.members.every((m: any) => 'user_id' in m && !('userId' in m)), JSON.stringify(members.body.data));
    // hand-built: POST/GET /groups/{id} and /users/me keep the contract's spelling
    const one = await http(s, 'GET', `/groups/${groupId}`, { token: a.accessToken });
    assert.equal(one.body.data.groupId, groupId);
    const me = await http(s, 'GET', '/users/me', { token: a.accessToken });
    assert.equal(me.body.data.userId, a.userId);
    assert.match(me.body.data.createdAt, /^\d{4}-\d{2}-\d{2}T/);
  });

  test('dialect.admin-elsewhere: admin answers under /api/admin; /api/v1/admin is a plain-text 404', async () => {
    assert.equal(s.adminUrl, `${s.httpUrl}/api/admin`);
    const login = await http(s, 'POST', '/auth/login', { base: s.adminUrl, body: { username: 'admin', password: 'Admin@123456' } });
    assert.equal(login.body.code, 0, JSON.stringify(login.body));
    const stats = await http(s, 'GET', '/stats/overview', { base: s.adminUrl, token: login.body.data.token });
    assert.equal(stats.body.code, 0, JSON.stringify(stats.body));
    const old = await http(s, 'POST', '/admin/auth/login', { body: { username: 'admin', password: 'Admin@123456' } });
    assert.equal(old.status, 404);
    assert.equal(old.body, '404 page not found');
    assert.match(old.type, /text\/plain/);
  });

  test('dialect.json-content: plain text is never acked and burns a sequence; a JSON text is acked', async () => {
    const a = await user(s, 'iOS');
    const b = await user(s, 'iOS');
    const groupId = await groupOf(s, a, b);
    const ws = await socket(s, a.accessToken);
    try {
      ws.send(send(groupId, 'plain text', 'p1'));
      assert.equal(await ws.ack('p1', 800), undefined, 'a plain-text send was acked');
      ws.send(send(groupId, JSON.stringify({ text: 'hi' }), 'j1'));
      const ack = await ws.ack('j1');
      assert.ok(ack, 'a JSON-content send was not acked');
      assert.equal(ack.sequence, 2, 'the plain-text send should have burnt sequence 1');
      const sync = await http(s, 'POST', '/sync/messages', { token: a.accessToken, body: { conversations: [{ conversationId: groupId, lastSeq: 0 }] } });
      assert.equal(sync.body.code, 0, JSON.stringify(sync.body));
      assert.ok(!JSON.stringify(sync.body.data).includes('plain text'), 'the plain-text message was stored');
    } finally {
      ws.close();
    }
    const g = grpcClient(s, 'anychat.message.MessageService');
    try {
      await rejectsWith(g.call('SendMessage', { sender_id: a.userId, conversation_id: groupId, conversation_type: 'group', content_type: 'text', content: 'plain' }), grpc.status.INVALID_ARGUMENT);
    } finally {
      g.close();
    }
  });

  test('dialect.single-socket: a second connect of the same user closes the first with 1000 "replaced by new connection"', async () => {
    const a = await user(s, 'iOS');
    const first = await socket(s, a.accessToken);
    const second = await socket(s, a.accessToken);
    try {
      assert.deepEqual(await first.closed(), { code: 1000, reason: 'replaced by new connection' });
      assert.equal(await second.closed(300), undefined, 'the new connection was closed too');
      second.send({ type: 'ping' });
      assert.ok(await second.until(() => second.frames.find((f) => f.type === 'pong'), 3000));
    } finally {
      second.close();
    }
  });

  test('ws.notification-shape: notifications use the backend frame {type, payload:{notification_id, type, timestamp, payload}}', async () => {
    const a = await user(s, 'iOS');
    const b = await user(s, 'iOS');
    const ws = await socket(s, b.accessToken);
    try {
      await http(s, 'POST', '/friends/requests', { token: a.accessToken, body: { userId: b.userId, message: 'hi', source: 'search' } });
      const f = await ws.until(() => ws.frames.find((x) => x.type === 'notification'), 3000);
      assert.ok(f, 'no notification');
      assert.equal(f.payload.type, 'friend.request');
      assert.equal(typeof f.payload.notification_id, 'string');
      assert.equal(typeof f.payload.timestamp, 'number');
      assert.equal(f.payload.payload.from_user_id, a.userId);
      assert.ok(!('notificationType' in f.payload));
    } finally {
      ws.close();
    }
  });

  test('dialect.access-alive-after-logout: the access token still works, the refresh token does not', async () => {
    const a = await user(s, 'iOS');
    assert.equal((await http(s, 'POST', '/auth/logout', { token: a.accessToken, body: { deviceId: a.deviceId } })).body.code, 0);
    assert.equal((await http(s, 'GET', '/users/me', { token: a.accessToken })).body.code, 0);
    const refresh = await http(s, 'POST', '/auth/refresh', { body: { refreshToken: a.refreshToken } });
    assert.equal(refresh.status, 401);
  });

  test('dialect.service-500: every RTC call answers 500 (REST, after auth) and INTERNAL (gRPC); other services work', async () => {
    const a = await user(s, 'iOS');
    const b = await user(s, 'iOS');
    const call = await http(s, 'POST', '/rtc/calls', { token: a.accessToken, body: { calleeId: b.userId, callType: 'audio' } });
    assert.equal(call.status, 500);
    assert.notEqual(call.body.code, 0);
    assert.equal((await http(s, 'GET', '/rtc/meetings', { token: a.accessToken })).status, 500);
    assert.equal((await http(s, 'GET', '/rtc/meetings')).status, 401, 'authentication comes first');
    const g = grpcClient(s, 'anychat.rtc.RTCService');
    try {
      await rejectsWith(g.call('ListMeetings', { page: 1, page_size: 10 }), grpc.status.INTERNAL);
    } finally {
      g.close();
    }
    assert.equal((await http(s, 'GET', '/sessions', { token: a.accessToken })).body.code, 0);
  });

  test('the server survives the whole profile', async () => {
    assert.equal((await http(s, 'GET', '/health', { base: s.httpUrl })).body.status, 'ok');
  });
});

describe('prerequisite breakers', () => {
  test('ws.never-ack: message.send is never acked nor stored; ping still answered', async () => {
    const s = await startServer({ port: 0, grpcPort: -1, db: ':memory:', faults: ['ws.never-ack'] });
    try {
      const a = await user(s);
      const b = await user(s);
      const groupId = await groupOf(s, a, b);
      const ws = await socket(s, a.accessToken);
      ws.send(send(groupId, 'hello', 'n1'));
      ws.send({ type: 'ping' });
      assert.ok(await ws.until(() => ws.frames.find((f) => f.type === 'pong'), 3000));
      assert.equal(await ws.ack('n1', 500), undefined);
      ws.close();
      const sync = await http(s, 'POST', '/sync/messages', { token: a.accessToken, body: { conversations: [{ conversationId: groupId, lastSeq: 0 }] } });
      assert.ok(!JSON.stringify(sync.body.data).includes('hello'));
    } finally {
      await s.close();
    }
  });

  test('auth.register-refused: every registration is refused; login of the seeded admin still works', async () => {
    const s = await startServer({ port: 0, grpcPort: -1, db: ':memory:', faults: ['auth.register-refused'] });
    try {
      const r = await register(s, 'ios');
      assert.notEqual(r.status, 200);
      assert.notEqual(r.body.code, 0);
      assert.match(r.body.message, /registration is closed/);
      const admin = await http(s, 'POST', '/admin/auth/login', { body: { username: 'admin', password: 'Admin@123456' } });
      assert.equal(admin.body.code, 0);
    } finally {
      await s.close();
    }
  });
});

describe('every fault is off by default', () => {
  let s: RunningServer;
  before(async () => {
    s = await startServer({ port: 0, grpcPort: 0, db: ':memory:' });
  });
  after(() => s?.close());

  test('contract deviceType and spelling, empty lists kept, admin under /api/v1, registration open', async () => {
    assert.equal((await register(s, 'iOS')).status, 400);
    const a = await user(s, 'ios');
    const friends = await http(s, 'GET', '/friends?lastUpdateTime=0', { token: a.accessToken });
    assert.deepEqual(friends.body.data.friends, []);
    const b = await user(s, 'ios');
    const groupId = await groupOf(s, a, b);
    const groups = await http(s, 'GET', '/groups', { token: a.accessToken });
    const g = groups.body.data.groups.find((x: any) => x.groupId === groupId);
    assert.match(g.createdAt, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(s.adminUrl, `${s.baseUrl}/admin`);
    assert.equal((await http(s, 'POST', '/admin/auth/login', { body: { username: 'admin', password: 'Admin@123456' } })).body.code, 0);
    assert.equal((await http(s, 'POST', '/auth/login', { base: `${s.httpUrl}/api/admin`, body: { username: 'admin', password: 'Admin@123456' } })).status, 404);
    assert.equal((await http(s, 'POST', '/rtc/calls', { token: a.accessToken, body: { calleeId: b.userId, callType: 'audio' } })).body.code, 0);
  });

  test('plain text acked from two sockets of one user; notifications in the AsyncAPI shape; logout revokes the access token', async () => {
    const a = await user(s);
    const b = await user(s);
    const groupId = await groupOf(s, a, b);
    const one = await socket(s, a.accessToken);
    const two = await socket(s, a.accessToken);
    const bws = await socket(s, b.accessToken);
    try {
      one.send(send(groupId, 'plain text', 'p1'));
      assert.equal((await one.ack('p1'))?.sequence, 1);
      assert.equal(await one.closed(200), undefined);
      await http(s, 'POST', '/friends/requests', { token: a.accessToken, body: { userId: b.userId, message: 'hi', source: 'search' } });
      const f = await bws.until(() => bws.frames.find((x) => x.type === 'notification' && x.payload?.notificationType === 'friend.request'), 3000);
      assert.ok(f?.payload.data, JSON.stringify(bws.frames));
    } finally {
      one.close();
      two.close();
      bws.close();
    }
    assert.equal((await http(s, 'POST', '/auth/logout', { token: a.accessToken, body: { deviceId: a.deviceId } })).body.code, 0);
    assert.equal((await http(s, 'GET', '/users/me', { token: a.accessToken })).status, 401);
  });
});
