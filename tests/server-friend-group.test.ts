/**
 * Reference server: friend and group services over REST, WebSocket notifications and gRPC, against a real server
 * (port 0, ':memory:' SQLite) — F1–F8, G1–G14, authorization, notification routing, and the fault hooks this area owns.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../reference-server/server.js';
import { loadPackageDefinition } from '../reference-server/grpc/host.js';
import { loadContracts } from '../contracts/index.js';

const loadContractsForCoverage = () => loadContracts().catalogue;

const TIMEOUT_MS = 5000;

interface User { userId: string; token: string; nickname: string }
interface Res { status: number; body: any; data: any; code: number }

let seq = 0;
const runTag = `${process.pid}${Date.now() % 100000}`;

/** One REST exchange by operation key; also asserts the status is one the operation declares and the envelope is R. */
async function call(s: RunningServer, user: User | null, key: string, opts: { params?: Record<string, string | number>; query?: Record<string, string | number>; body?: unknown } = {}): Promise<Res> {
  const op = s.ctx.contracts.catalogue.operationsByKey.get(key);
  assert.ok(op, `unknown operation ${key}`);
  const [method, pathTpl] = key.split(' ') as [string, string];
  const path = pathTpl.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(String(opts.params?.[n])));
  const qs = opts.query ? `?${new URLSearchParams(Object.entries(opts.query).map(([k, v]) => [k, String(v)]))}` : '';
  const headers: Record<string, string> = {};
  if (user) headers.authorization = `Bearer ${user.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${s.baseUrl}${path}${qs}`, {
    method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = await r.json();
  return { status: r.status, body, data: body?.data, code: body?.code };
}

/** REST ops and rpcs that answered successfully (and validly) at least once; checked against the catalogue at the end. */
const covered = new Set<string>();

/** Success: HTTP 200, code 0, and the body validates against the operation's declared 200 response. */
function ok(s: RunningServer, key: string, res: Res): any {
  assert.equal(res.status, 200, `${key}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.code, 0, `${key}: ${JSON.stringify(res.body)}`);
  const issues = s.ctx.contracts.validators.restResponse(key, 200)(res.body);
  assert.deepEqual(issues, [], `${key}: response violates the contract`);
  covered.add(key);
  return res.data;
}

/** Failure envelope with a status the operation declares, an area code, and (optionally) the expected status / code. */
function fails(s: RunningServer, key: string, res: Res, expect: { status?: number; code?: number; field?: RegExp } = {}): void {
  const op = s.ctx.contracts.catalogue.operationsByKey.get(key)!;
  assert.ok(op.statuses.includes(res.status), `${key}: HTTP ${res.status} is not declared (${op.statuses})`);
  assert.equal(typeof res.code, 'number');
  assert.notEqual(res.code, 0, `${key}: expected a failure, got ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body.message, 'string');
  if (expect.status !== undefined) assert.equal(res.status, expect.status, `${key}: ${JSON.stringify(res.body)}`);
  if (expect.code !== undefined) assert.equal(res.code, expect.code, `${key}: ${JSON.stringify(res.body)}`);
  if (expect.field) assert.match(res.body.message, expect.field);
}

async function register(s: RunningServer, nickname: string): Promise<User> {
  const n = ++seq;
  const phone = `13${String(Number(runTag) % 1e5).padStart(5, '0')}${String(n).padStart(4, '0')}`;
  const res = await call(s, null, 'POST /auth/register', {
    body: {
      phoneNumber: phone, email: `fg${runTag}.${n}@example.com`, password: `Passw0rd${n}x`, verifyCode: '123456',
      deviceType: 'web', deviceId: `fg-dev-${n}`, clientVersion: '1.0.0', nickname: `${nickname}${n}`,
    },
  });
  assert.equal(res.status, 200, `register: ${JSON.stringify(res.body)}`);
  return { userId: res.data.userId, token: res.data.accessToken, nickname: `${nickname}${n}` };
}

/** A user's live WebSocket: collects notification frames; waits always time out. */
class Inbox {
  readonly frames: any[] = [];
  private waiters: (() => void)[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      this.frames.push(JSON.parse(String(raw)));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(s: RunningServer, user: User): Promise<Inbox> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${s.wsUrl}?token=${encodeURIComponent(user.token)}`);
      const timer = setTimeout(() => { ws.terminate(); reject(new Error('ws connect timed out')); }, TIMEOUT_MS);
      const inbox = new Inbox(ws);
      ws.once('open', () => { clearTimeout(timer); resolve(inbox); });
      ws.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
  }

  notifications(type: string): any[] {
    return this.frames.filter((f) => f.type === 'notification' && f.payload?.notificationType === type).map((f) => f.payload.data);
  }

  async waitFor(type: string, pred: (data: any) => boolean = () => true): Promise<any> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const hit = this.notifications(type).find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type}; saw ${JSON.stringify(this.frames.map((f) => f.payload?.notificationType))}`);
      await new Promise<void>((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** Unary gRPC client for one contract service, every call with a deadline; responses are checked against the proto type. */
function grpcClient(s: RunningServer, fullService: string) {
  const def = loadPackageDefinition(s.ctx);
  const Ctor = grpc.makeGenericClientConstructor(def[fullService] as grpc.ServiceDefinition, fullService);
  const client = new Ctor(s.grpcAddress!, grpc.credentials.createInsecure()) as any;
  const invoke = async (rpc: string, req: unknown): Promise<any> => {
    const res = await new Promise<any>((resolve, reject) => {
      client[rpc](req, { deadline: Date.now() + TIMEOUT_MS }, (err: grpc.ServiceError | null, r: any) => (err ? reject(err) : resolve(r)));
    });
    const meta = s.ctx.contracts.catalogue.rpcs.find((r) => r.fullService === fullService && r.name === rpc)!;
    assert.deepEqual(s.ctx.contracts.validators.protoMessage(meta.responseType)(res), [], `${meta.path}: response does not verify as ${meta.responseType}`);
    covered.add(meta.path);
    return res;
  };
  return { invoke, close: () => client.close() };
}

async function rpcFails(p: Promise<unknown>, code: grpc.status): Promise<void> {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.code, code, `expected gRPC status ${grpc.status[code]}, got ${grpc.status[e.code]}: ${e.details}`);
    return true;
  });
}

const isTimestamp = (t: any) => typeof t?.seconds === 'number' && t.seconds > 1e9 && typeof t.nanos === 'number';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe('friend service', () => {
  let s: RunningServer;
  let A: User, B: User, C: User, D: User, E: User;
  let inboxA: Inbox, inboxB: Inbox, inboxC: Inbox;

  before(async () => {
    s = await startServer({ port: 0, grpcPort: 0, db: ':memory:' });
    [A, B, C, D, E] = await Promise.all(['fa', 'fb', 'fc', 'fd', 'fe'].map((n) => register(s, n)));
    [inboxA, inboxB, inboxC] = await Promise.all([A, B, C].map((u) => Inbox.open(s, u)));
  });
  after(async () => {
    for (const i of [inboxA, inboxB, inboxC]) i?.close();
    await s?.close();
  });

  test('F1–F3: request → listed received/sent → accept → friends on both sides; notifications to the right users', async () => {
    const sent = ok(s, 'POST /friends/requests', await call(s, A, 'POST /friends/requests', { body: { userId: B.userId, message: 'hi B', source: 'search' } }));
    assert.ok(Number.isInteger(sent.requestId) && sent.requestId > 0);
    assert.equal(sent.autoAccepted, false);
    const n = await inboxB.waitFor('friend.request', (d) => d.requestId === sent.requestId);
    assert.deepEqual({ fromUserId: n.fromUserId, message: n.message, source: n.source }, { fromUserId: A.userId, message: 'hi B', source: 'search' });

    const dup = ok(s, 'POST /friends/requests', await call(s, A, 'POST /friends/requests', { body: { userId: B.userId } }));
    assert.equal(dup.requestId, sent.requestId, 'a pending duplicate returns the existing request');

    const received = ok(s, 'GET /friends/requests', await call(s, B, 'GET /friends/requests'));
    const r = received.requests.find((x: any) => x.id === sent.requestId);
    assert.ok(r, 'B sees the request with the default type=received');
    assert.equal(received.total, received.requests.length);
    assert.deepEqual([r.fromUserId, r.toUserId, r.status, r.source, r.fromUserInfo.userId], [A.userId, B.userId, 'pending', 'search', A.userId]);
    assert.match(r.createdAt, RFC3339);
    const sentList = ok(s, 'GET /friends/requests', await call(s, A, 'GET /friends/requests', { query: { type: 'sent' } }));
    assert.ok(sentList.requests.some((x: any) => x.id === sent.requestId));
    fails(s, 'GET /friends/requests', await call(s, A, 'GET /friends/requests', { query: { type: 'both' } }), { field: /type/ });

    fails(s, 'PUT /friends/requests/{id}', await call(s, C, 'PUT /friends/requests/{id}', { params: { id: sent.requestId }, body: { action: 'accept' } }), { status: 400, code: 30403 });
    fails(s, 'PUT /friends/requests/{id}', await call(s, B, 'PUT /friends/requests/{id}', { params: { id: sent.requestId }, body: { action: 'maybe' } }), { status: 400, field: /action/ });
    fails(s, 'PUT /friends/requests/{id}', await call(s, B, 'PUT /friends/requests/{id}', { params: { id: 999999 }, body: { action: 'accept' } }), { status: 400, code: 30404 });
    ok(s, 'PUT /friends/requests/{id}', await call(s, B, 'PUT /friends/requests/{id}', { params: { id: sent.requestId }, body: { action: 'accept' } }));
    const handled = await inboxA.waitFor('friend.request_handled', (d) => d.requestId === sent.requestId);
    assert.deepEqual(handled, { requestId: sent.requestId, userId: B.userId, action: 'accept', accepted: true });
    fails(s, 'PUT /friends/requests/{id}', await call(s, B, 'PUT /friends/requests/{id}', { params: { id: sent.requestId }, body: { action: 'reject' } }), { status: 400, code: 30409 });

    const listA = ok(s, 'GET /friends', await call(s, A, 'GET /friends'));
    const fb = listA.friends.find((f: any) => f.userId === B.userId);
    assert.ok(fb, 'A lists B');
    assert.equal(fb.userInfo.nickname, B.nickname);
    assert.match(fb.createdAt, RFC3339);
    assert.equal(listA.total, listA.friends.length);
    assert.ok(ok(s, 'GET /friends', await call(s, B, 'GET /friends')).friends.some((f: any) => f.userId === A.userId), 'B lists A');
    fails(s, 'POST /friends/requests', await call(s, A, 'POST /friends/requests', { body: { userId: B.userId } }), { status: 400, code: 30409 });
    assert.equal(s.ctx.domains.friend.areFriends(A.userId, B.userId), true);
    assert.ok(s.ctx.domains.friend.friendIds(A.userId).includes(B.userId));
    assert.ok(s.ctx.domains.friend.count() >= 1);
  });

  test('untyped request bodies are validated with the field named (I9), aliases accepted', async () => {
    const k = 'POST /friends/requests';
    fails(s, k, await call(s, A, k, { body: {} }), { status: 400, field: /userId/ });
    fails(s, k, await call(s, A, k, { body: { userId: 42 } }), { status: 400, field: /userId/ });
    fails(s, k, await call(s, A, k, { body: { userId: A.userId } }), { status: 400, field: /yourself/ });
    fails(s, k, await call(s, A, k, { body: { userId: 'u_nobody' } }), { status: 400, code: 30404 });
    fails(s, k, await call(s, A, k, { body: { userId: C.userId, source: 'radio' } }), { status: 400, field: /source/ });
    const viaAlias = ok(s, k, await call(s, D, k, { body: { toUserId: C.userId, source: 'qrcode' } }));
    assert.ok(viaAlias.requestId > 0);
    fails(s, 'POST /friends/blacklist', await call(s, A, 'POST /friends/blacklist', { body: {} }), { status: 400, field: /userId/ });
    fails(s, 'PUT /friends/{id}/remark', await call(s, A, 'PUT /friends/{id}/remark', { params: { id: B.userId }, body: {} }), { status: 400, field: /remark/ });
  });

  test('F4: remark shows in GET /friends, notifies own devices; lastUpdateTime in seconds or ms', async () => {
    const before = Date.now() - 1;
    ok(s, 'PUT /friends/{id}/remark', await call(s, A, 'PUT /friends/{id}/remark', { params: { id: B.userId }, body: { remark: 'Bobby' } }));
    assert.equal((await inboxA.waitFor('friend.remark_updated', (d) => d.friendId === B.userId)).remark, 'Bobby');
    const list = ok(s, 'GET /friends', await call(s, A, 'GET /friends'));
    assert.equal(list.friends.find((f: any) => f.userId === B.userId).remark, 'Bobby');
    fails(s, 'PUT /friends/{id}/remark', await call(s, A, 'PUT /friends/{id}/remark', { params: { id: B.userId }, body: { remark: 'x'.repeat(51) } }), { status: 400, field: /remark/ });
    fails(s, 'PUT /friends/{id}/remark', await call(s, A, 'PUT /friends/{id}/remark', { params: { id: E.userId }, body: { remark: 'stranger' } }), { status: 400, code: 30404 });

    const sinceMs = ok(s, 'GET /friends', await call(s, A, 'GET /friends', { query: { lastUpdateTime: before } }));
    assert.ok(sinceMs.friends.some((f: any) => f.userId === B.userId), 'ms lastUpdateTime includes the remarked friend');
    const sinceSec = ok(s, 'GET /friends', await call(s, A, 'GET /friends', { query: { lastUpdateTime: Math.floor(before / 1000) } }));
    assert.ok(sinceSec.friends.some((f: any) => f.userId === B.userId), 'seconds lastUpdateTime includes it too');
    const future = ok(s, 'GET /friends', await call(s, A, 'GET /friends', { query: { lastUpdateTime: Math.floor(Date.now() / 1000) + 3600 } }));
    assert.deepEqual([future.friends, future.total], [[], 0]);
    assert.ok(s.ctx.domains.friend.listFriends(A.userId, before).some((f) => f.userId === B.userId && f.remark === 'Bobby'));
  });

  test('F5: reject → status rejected, not friends, requester notified', async () => {
    const r = ok(s, 'POST /friends/requests', await call(s, C, 'POST /friends/requests', { body: { userId: A.userId, message: 'C here' } }));
    ok(s, 'PUT /friends/requests/{id}', await call(s, A, 'PUT /friends/requests/{id}', { params: { id: r.requestId }, body: { action: 'reject' } }));
    const n = await inboxC.waitFor('friend.request_handled', (d) => d.requestId === r.requestId);
    assert.deepEqual([n.action, n.accepted, n.userId], ['reject', false, A.userId]);
    const sent = ok(s, 'GET /friends/requests', await call(s, C, 'GET /friends/requests', { query: { type: 'sent' } }));
    assert.equal(sent.requests.find((x: any) => x.id === r.requestId).status, 'rejected');
    assert.equal(s.ctx.domains.friend.areFriends(A.userId, C.userId), false);
  });

  test('F6: delete removes both sides and notifies the other user', async () => {
    ok(s, 'DELETE /friends/{id}', await call(s, A, 'DELETE /friends/{id}', { params: { id: B.userId } }));
    assert.equal((await inboxB.waitFor('friend.deleted')).userId, A.userId);
    assert.ok(!ok(s, 'GET /friends', await call(s, A, 'GET /friends')).friends.some((f: any) => f.userId === B.userId));
    assert.ok(!ok(s, 'GET /friends', await call(s, B, 'GET /friends')).friends.some((f: any) => f.userId === A.userId));
    ok(s, 'DELETE /friends/{id}', await call(s, A, 'DELETE /friends/{id}', { params: { id: B.userId } })); // idempotent
  });

  test('F7/F8: blacklist add/list/remove; requests refused either way while blocked', async () => {
    ok(s, 'POST /friends/blacklist', await call(s, A, 'POST /friends/blacklist', { body: { userId: C.userId } }));
    assert.deepEqual(await inboxA.waitFor('friend.blacklist_changed', (d) => d.blocked === true), { userId: C.userId, blocked: true });
    const bl = ok(s, 'GET /friends/blacklist', await call(s, A, 'GET /friends/blacklist'));
    const item = bl.items.find((i: any) => i.blockedUserId === C.userId);
    assert.ok(item && Number.isInteger(item.id) && item.userId === A.userId && item.blockedUserInfo.userId === C.userId);
    assert.equal(bl.total, bl.items.length);
    assert.equal(s.ctx.domains.friend.isBlocked(A.userId, C.userId), true);
    assert.equal(s.ctx.domains.friend.isBlocked(C.userId, A.userId), false);
    fails(s, 'POST /friends/requests', await call(s, C, 'POST /friends/requests', { body: { userId: A.userId } }), { status: 400, code: 30403 });
    fails(s, 'POST /friends/requests', await call(s, A, 'POST /friends/requests', { body: { userId: C.userId } }), { status: 400, code: 30403 });
    fails(s, 'POST /friends/blacklist', await call(s, A, 'POST /friends/blacklist', { body: { userId: A.userId } }), { status: 400 });

    ok(s, 'POST /friends/blacklist', await call(s, A, 'POST /friends/blacklist', { body: { blockedUserId: D.userId } }));
    assert.ok(s.ctx.domains.friend.isBlocked(A.userId, D.userId), 'alias blockedUserId accepted');
    ok(s, 'DELETE /friends/blacklist/{id}', await call(s, A, 'DELETE /friends/blacklist/{id}', { params: { id: D.userId } }));
    ok(s, 'DELETE /friends/blacklist/{id}', await call(s, A, 'DELETE /friends/blacklist/{id}', { params: { id: C.userId } }));
    assert.deepEqual(await inboxA.waitFor('friend.blacklist_changed', (d) => d.blocked === false && d.userId === C.userId), { userId: C.userId, blocked: false });
    assert.ok(!ok(s, 'GET /friends/blacklist', await call(s, A, 'GET /friends/blacklist')).items.some((i: any) => i.blockedUserId === C.userId));
    ok(s, 'POST /friends/requests', await call(s, C, 'POST /friends/requests', { body: { userId: A.userId } }));
  });

  test('a target with friendVerifyRequired=false is befriended at once (autoAccepted)', async () => {
    ok(s, 'PUT /users/me/settings', await call(s, E, 'PUT /users/me/settings', { body: { friendVerifyRequired: false } }));
    const r = ok(s, 'POST /friends/requests', await call(s, D, 'POST /friends/requests', { body: { userId: E.userId } }));
    assert.equal(r.autoAccepted, true);
    assert.ok(ok(s, 'GET /friends', await call(s, E, 'GET /friends')).friends.some((f: any) => f.userId === D.userId));
    const sent = ok(s, 'GET /friends/requests', await call(s, D, 'GET /friends/requests', { query: { type: 'sent' } }));
    assert.equal(sent.requests.find((x: any) => x.id === r.requestId).status, 'accepted');
  });

  test('FriendService: all 12 rpcs over the same state as REST', async () => {
    const c = grpcClient(s, 'anychat.friend.FriendService');
    try {
      const [P, Q] = await Promise.all([register(s, 'gp'), register(s, 'gq')]);
      const sent = await c.invoke('SendFriendRequest', { from_user_id: P.userId, to_user_id: Q.userId, message: 'grpc hi', source: 'contacts' });
      assert.ok(sent.request_id > 0);
      assert.equal(sent.auto_accepted, false);
      const reqs = await c.invoke('GetFriendRequests', { user_id: Q.userId, type: 'received' });
      const fr = reqs.requests.find((x: any) => x.id === sent.request_id);
      assert.deepEqual([fr.from_user_id, fr.status, fr.source, fr.from_user_info.user_id], [P.userId, 'pending', 'contacts', P.userId]);
      assert.ok(isTimestamp(fr.created_at));
      await rpcFails(c.invoke('HandleFriendRequest', { user_id: P.userId, request_id: sent.request_id, action: 'accept' }), grpc.status.PERMISSION_DENIED);
      await c.invoke('HandleFriendRequest', { user_id: Q.userId, request_id: sent.request_id, action: 'accept' });

      const list = await c.invoke('GetFriendList', { user_id: P.userId });
      assert.equal(list.total, 1);
      assert.equal(list.friends[0].user_id, Q.userId);
      assert.ok(isTimestamp(list.friends[0].created_at) && isTimestamp(list.friends[0].updated_at));
      assert.equal(list.friends[0].user_info.nickname, Q.nickname);
      assert.equal((await c.invoke('GetFriendList', { user_id: P.userId, last_update_time: Math.floor(Date.now() / 1000) + 3600 })).total, 0);
      assert.ok(ok(s, 'GET /friends', await call(s, P, 'GET /friends')).friends.some((f: any) => f.userId === Q.userId), 'REST sees the gRPC friendship');

      assert.equal((await c.invoke('IsFriend', { user_id: P.userId, friend_id: Q.userId })).is_friend, true);
      assert.deepEqual((await c.invoke('BatchCheckFriend', { user_id: P.userId, friend_ids: [Q.userId, A.userId] })).results, { [Q.userId]: true, [A.userId]: false });
      await c.invoke('UpdateRemark', { user_id: P.userId, friend_id: Q.userId, remark: 'q!' });
      assert.equal((await c.invoke('GetFriendList', { user_id: P.userId })).friends[0].remark, 'q!');

      await c.invoke('AddToBlacklist', { user_id: P.userId, blocked_user_id: A.userId });
      assert.equal((await c.invoke('IsBlocked', { user_id: P.userId, target_user_id: A.userId })).is_blocked, true);
      assert.equal((await c.invoke('IsBlocked', { user_id: A.userId, target_user_id: P.userId })).is_blocked, false);
      const bl = await c.invoke('GetBlacklist', { user_id: P.userId });
      assert.deepEqual([bl.total, bl.items[0].blocked_user_id, bl.items[0].blocked_user_info.user_id], [1, A.userId, A.userId]);
      await c.invoke('RemoveFromBlacklist', { user_id: P.userId, blocked_user_id: A.userId });
      assert.equal((await c.invoke('GetBlacklist', { user_id: P.userId })).total, 0);

      await c.invoke('DeleteFriend', { user_id: P.userId, friend_id: Q.userId });
      assert.equal((await c.invoke('IsFriend', { user_id: Q.userId, friend_id: P.userId })).is_friend, false);

      await rpcFails(c.invoke('SendFriendRequest', {}), grpc.status.INVALID_ARGUMENT);
      await rpcFails(c.invoke('SendFriendRequest', { from_user_id: P.userId, to_user_id: 'u_nobody' }), grpc.status.NOT_FOUND);
      await rpcFails(c.invoke('HandleFriendRequest', { user_id: Q.userId, request_id: 424242, action: 'accept' }), grpc.status.NOT_FOUND);
      await rpcFails(c.invoke('GetFriendRequests', { user_id: P.userId, type: 'all' }), grpc.status.INVALID_ARGUMENT);
    } finally {
      c.close();
    }
  });
});

describe('group service', () => {
  let s: RunningServer;
  let A: User, B: User, C: User, D: User, E: User;
  let inbox: Record<'A' | 'B' | 'C' | 'D', Inbox>;
  let G: string;

  before(async () => {
    s = await startServer({ port: 0, grpcPort: 0, db: ':memory:' });
    [A, B, C, D, E] = await Promise.all(['ga', 'gb', 'gc', 'gd', 'ge'].map((n) => register(s, n)));
    const [ia, ib, ic, id] = await Promise.all([A, B, C, D].map((u) => Inbox.open(s, u)));
    inbox = { A: ia!, B: ib!, C: ic!, D: id! };
  });
  after(async () => {
    for (const i of Object.values(inbox ?? {})) i.close();
    await s?.close();
  });

  const members = async (u: User, id = G) => ok(s, 'GET /groups/{id}/members', await call(s, u, 'GET /groups/{id}/members', { params: { id } }));
  const roleOf = async (userId: string, id = G) => (await members(A, id)).members.find((m: any) => m.userId === userId)?.role;

  test('G1: create → GroupResponse (owner, myRole, memberCount 2); invitees get group.invited', async () => {
    const g = ok(s, 'POST /groups', await call(s, A, 'POST /groups', { body: { name: 'Team One', memberIds: [B.userId], joinVerify: false } }));
    G = g.groupId;
    assert.deepEqual([g.ownerId, g.myRole, g.memberCount, g.name, g.maxMembers, g.joinVerify, g.isMuted], [A.userId, 'owner', 2, 'Team One', 500, false, false]);
    assert.match(g.createdAt, RFC3339);
    assert.match(g.updatedAt, RFC3339);
    assert.deepEqual(await inbox.B.waitFor('group.invited', (d) => d.groupId === G), { groupId: G, inviterId: A.userId, groupName: 'Team One' });
    assert.equal(s.ctx.domains.group.role(G, A.userId), 'owner');
  });

  test('G2: a group needs another existing member; the schema and the rules name the field', async () => {
    const k = 'POST /groups';
    fails(s, k, await call(s, A, k, { body: { name: 'Solo', memberIds: [] } }), { status: 400, field: /memberIds/ });
    fails(s, k, await call(s, A, k, { body: { name: 'Solo', memberIds: [A.userId] } }), { status: 400, field: /memberIds/ });
    fails(s, k, await call(s, A, k, { body: { name: 'Ghosts', memberIds: ['u_ghost'] } }), { status: 400, field: /memberIds/ });
    fails(s, k, await call(s, A, k, { body: { memberIds: [B.userId] } }), { status: 400, field: /name/ });
    fails(s, k, await call(s, A, k, { body: { name: 'x'.repeat(101), memberIds: [B.userId] } }), { status: 400, field: /name/ });
  });

  test('G3: GET /groups/{id} for a member, a non-member (myRole "") and GET /groups for both members', async () => {
    assert.equal(ok(s, 'GET /groups/{id}', await call(s, B, 'GET /groups/{id}', { params: { id: G } })).myRole, 'member');
    assert.equal(ok(s, 'GET /groups/{id}', await call(s, D, 'GET /groups/{id}', { params: { id: G } })).myRole, '');
    fails(s, 'GET /groups/{id}', await call(s, A, 'GET /groups/{id}', { params: { id: 'g_unknown' } }), { status: 404, code: 40404 });
    for (const u of [A, B]) {
      const list = ok(s, 'GET /groups', await call(s, u, 'GET /groups'));
      assert.ok(list.groups.some((g: any) => g.groupId === G), `${u.nickname} lists the group`);
      assert.equal(list.total, list.groups.length);
      assert.ok(Number.isInteger(list.updateTime) && Math.abs(list.updateTime - Date.now() / 1000) < 300, 'updateTime is Unix seconds');
    }
    const later = ok(s, 'GET /groups', await call(s, A, 'GET /groups', { query: { lastUpdateTime: Math.floor(Date.now() / 1000) + 3600 } }));
    assert.deepEqual(later.groups, []);
    assert.ok(ok(s, 'GET /groups', await call(s, A, 'GET /groups', { query: { lastUpdateTime: Date.now() - 60_000 } })).groups.some((g: any) => g.groupId === G));
    assert.equal(ok(s, 'GET /groups', await call(s, D, 'GET /groups')).total, 0);
  });

  test('G4: members list (owner first, total, page) for members only; paging defaults and limits', async () => {
    const m = await members(B);
    assert.deepEqual(m.members.map((x: any) => [x.userId, x.role]), [[A.userId, 'owner'], [B.userId, 'member']]);
    assert.deepEqual([m.total, m.page], [2, 1]);
    assert.equal(m.members[1].userInfo.nickname, B.nickname);
    assert.match(m.members[0].joinedAt, RFC3339);
    const p2 = ok(s, 'GET /groups/{id}/members', await call(s, A, 'GET /groups/{id}/members', { params: { id: G }, query: { page: 2, pageSize: 1 } }));
    assert.deepEqual([p2.members.length, p2.members[0].userId, p2.page, p2.total], [1, B.userId, 2, 2]);
    fails(s, 'GET /groups/{id}/members', await call(s, D, 'GET /groups/{id}/members', { params: { id: G } }), { status: 404 });
  });

  test('G5: invite adds members (existing ignored), invitee gets group.invited, members get group.member_joined', async () => {
    ok(s, 'POST /groups/{id}/members', await call(s, B, 'POST /groups/{id}/members', { params: { id: G }, body: { userIds: [C.userId, B.userId] } }));
    assert.deepEqual(await inbox.C.waitFor('group.invited', (d) => d.groupId === G), { groupId: G, inviterId: B.userId, groupName: 'Team One' });
    const joined = await inbox.A.waitFor('group.member_joined', (d) => d.groupId === G);
    assert.deepEqual([joined.userId, joined.userIds], [C.userId, [C.userId]]);
    assert.equal(ok(s, 'GET /groups/{id}', await call(s, A, 'GET /groups/{id}', { params: { id: G } })).memberCount, 3);
    assert.equal(await roleOf(C.userId), 'member');
    fails(s, 'POST /groups/{id}/members', await call(s, D, 'POST /groups/{id}/members', { params: { id: G }, body: { userIds: [E.userId] } }), { status: 400, code: 40403 });
    fails(s, 'POST /groups/{id}/members', await call(s, A, 'POST /groups/{id}/members', { params: { id: G }, body: { userIds: ['u_ghost'] } }), { status: 400, field: /userIds/ });
    fails(s, 'POST /groups/{id}/members', await call(s, A, 'POST /groups/{id}/members', { params: { id: G }, body: {} }), { status: 400, field: /userIds/ });
  });

  test('G6: only the owner sets roles; members see group.role_changed', async () => {
    fails(s, 'PUT /groups/{id}/members/{userId}/role', await call(s, B, 'PUT /groups/{id}/members/{userId}/role', { params: { id: G, userId: C.userId }, body: { role: 'admin' } }), { status: 403 });
    fails(s, 'PUT /groups/{id}/members/{userId}/role', await call(s, A, 'PUT /groups/{id}/members/{userId}/role', { params: { id: G, userId: C.userId }, body: { role: 'owner' } }), { status: 400, field: /role/ });
    ok(s, 'PUT /groups/{id}/members/{userId}/role', await call(s, A, 'PUT /groups/{id}/members/{userId}/role', { params: { id: G, userId: C.userId }, body: { role: 'admin' } }));
    assert.deepEqual(await inbox.B.waitFor('group.role_changed', (d) => d.userId === C.userId), { groupId: G, userId: C.userId, role: 'admin', operatorId: A.userId });
    assert.equal(await roleOf(C.userId), 'admin');
    fails(s, 'PUT /groups/{id}/members/{userId}/role', await call(s, C, 'PUT /groups/{id}/members/{userId}/role', { params: { id: G, userId: B.userId }, body: { role: 'admin' } }), { status: 403 });
  });

  test('G7: a plain member cannot update the group; owner and admin can; members get group.info_updated', async () => {
    fails(s, 'PUT /groups/{id}', await call(s, B, 'PUT /groups/{id}', { params: { id: G }, body: { name: 'Hijacked' } }), { status: 403, code: 40403 });
    fails(s, 'PUT /groups/{id}', await call(s, D, 'PUT /groups/{id}', { params: { id: G }, body: { name: 'Outsider' } }), { status: 403 });
    ok(s, 'PUT /groups/{id}', await call(s, A, 'PUT /groups/{id}', { params: { id: G }, body: { name: 'Team Uno', announcement: 'standup at 10' } }));
    const n = await inbox.B.waitFor('group.info_updated', (d) => d.name === 'Team Uno');
    assert.deepEqual([n.groupId, n.announcement, n.joinVerify, n.avatar], [G, 'standup at 10', false, '']);
    ok(s, 'PUT /groups/{id}', await call(s, C, 'PUT /groups/{id}', { params: { id: G }, body: { avatar: 'https://example.com/a.png' } }));
    const g = ok(s, 'GET /groups/{id}', await call(s, B, 'GET /groups/{id}', { params: { id: G } }));
    assert.deepEqual([g.name, g.announcement, g.avatar], ['Team Uno', 'standup at 10', 'https://example.com/a.png']);
    fails(s, 'PUT /groups/{id}', await call(s, A, 'PUT /groups/{id}', { params: { id: G }, body: { announcement: 'a'.repeat(1001) } }), { status: 400, field: /announcement/ });
  });

  test('G8: members set their own group nickname', async () => {
    ok(s, 'PUT /groups/{id}/nickname', await call(s, B, 'PUT /groups/{id}/nickname', { params: { id: G }, body: { nickname: 'Bee' } }));
    assert.equal((await members(A)).members.find((m: any) => m.userId === B.userId).groupNickname, 'Bee');
    fails(s, 'PUT /groups/{id}/nickname', await call(s, D, 'PUT /groups/{id}/nickname', { params: { id: G }, body: { nickname: 'Dee' } }), { status: 400 });
    fails(s, 'PUT /groups/{id}/nickname', await call(s, B, 'PUT /groups/{id}/nickname', { params: { id: G }, body: { nickname: 'n'.repeat(51) } }), { status: 400, field: /nickname/ });
  });

  test('G9: removal rules (admin vs owner), removed user and members get group.member_left', async () => {
    const k = 'DELETE /groups/{id}/members/{userId}';
    fails(s, k, await call(s, B, k, { params: { id: G, userId: A.userId } }), { status: 403 });
    fails(s, k, await call(s, C, k, { params: { id: G, userId: A.userId } }), { status: 403 });
    fails(s, k, await call(s, A, k, { params: { id: G, userId: D.userId } }), { status: 403, code: 40404 });
    ok(s, k, await call(s, A, k, { params: { id: G, userId: C.userId } }));
    assert.deepEqual(await inbox.C.waitFor('group.member_left', (d) => d.userId === C.userId), { groupId: G, userId: C.userId, reason: 'removed', operatorId: A.userId });
    assert.equal((await inbox.B.waitFor('group.member_left', (d) => d.userId === C.userId)).reason, 'removed');
    assert.equal(s.ctx.domains.group.isMember(G, C.userId), false);
  });

  test('G12: joinVerify=false → joined at once; a second join fails', async () => {
    const j = ok(s, 'POST /groups/{id}/join', await call(s, D, 'POST /groups/{id}/join', { params: { id: G }, body: { message: 'hi' } }));
    assert.equal(j.needVerify, false);
    assert.equal(j.requestId, undefined);
    assert.equal(s.ctx.domains.group.role(G, D.userId), 'member');
    assert.equal((await inbox.A.waitFor('group.member_joined', (d) => d.userId === D.userId)).groupId, G);
    fails(s, 'POST /groups/{id}/join', await call(s, D, 'POST /groups/{id}/join', { params: { id: G }, body: {} }), { status: 400, code: 40409 });
    fails(s, 'POST /groups/{id}/join', await call(s, D, 'POST /groups/{id}/join', { params: { id: 'g_unknown' }, body: {} }), { status: 400, code: 40404 });
  });

  test('G10: a member quits (gone everywhere, members notified); the owner must transfer first', async () => {
    ok(s, 'POST /groups/{id}/quit', await call(s, B, 'POST /groups/{id}/quit', { params: { id: G } }));
    assert.deepEqual(await inbox.A.waitFor('group.member_left', (d) => d.userId === B.userId), { groupId: G, userId: B.userId, reason: 'quit' });
    assert.ok(!(await members(A)).members.some((m: any) => m.userId === B.userId));
    assert.ok(!ok(s, 'GET /groups', await call(s, B, 'GET /groups')).groups.some((g: any) => g.groupId === G));
    // POST /groups/{id}/quit declares only 200 and 401: the failure is HTTP 200 with the group code (see http/declared.ts).
    fails(s, 'POST /groups/{id}/quit', await call(s, A, 'POST /groups/{id}/quit', { params: { id: G } }), { status: 200, code: 40400, field: /transfer/ });
    fails(s, 'POST /groups/{id}/quit', await call(s, B, 'POST /groups/{id}/quit', { params: { id: G } }), { status: 200, code: 40404 });
  });

  test('G11: joinVerify=true → pending request; admins list and handle it; accept adds the member, reject does not', async () => {
    const g2 = ok(s, 'POST /groups', await call(s, A, 'POST /groups', { body: { name: 'Gated', memberIds: [B.userId], joinVerify: true } })).groupId;
    const j = ok(s, 'POST /groups/{id}/join', await call(s, C, 'POST /groups/{id}/join', { params: { id: g2 }, body: { message: 'please' } }));
    assert.equal(j.needVerify, true);
    assert.ok(Number.isInteger(j.requestId) && j.requestId > 0);
    assert.equal(ok(s, 'POST /groups/{id}/join', await call(s, C, 'POST /groups/{id}/join', { params: { id: g2 }, body: {} })).requestId, j.requestId, 'pending duplicate');
    assert.equal(s.ctx.domains.group.isMember(g2, C.userId), false);

    const list = ok(s, 'GET /groups/{id}/requests', await call(s, A, 'GET /groups/{id}/requests', { params: { id: g2 }, query: { status: 'pending' } }));
    const r = list.requests.find((x: any) => x.id === j.requestId);
    assert.deepEqual([r.userId, r.status, r.groupId, r.message, r.userInfo.userId], [C.userId, 'pending', g2, 'please', C.userId]);
    assert.match(r.createdAt, RFC3339);
    fails(s, 'GET /groups/{id}/requests', await call(s, B, 'GET /groups/{id}/requests', { params: { id: g2 } }), { status: 403 });
    fails(s, 'PUT /groups/{id}/requests/{requestId}', await call(s, B, 'PUT /groups/{id}/requests/{requestId}', { params: { id: g2, requestId: j.requestId }, body: { accept: true } }), { status: 403 });
    fails(s, 'PUT /groups/{id}/requests/{requestId}', await call(s, A, 'PUT /groups/{id}/requests/{requestId}', { params: { id: G, requestId: j.requestId }, body: { accept: true } }), { status: 400, code: 40404 });
    ok(s, 'PUT /groups/{id}/requests/{requestId}', await call(s, A, 'PUT /groups/{id}/requests/{requestId}', { params: { id: g2, requestId: j.requestId }, body: { accept: true } }));
    assert.equal((await inbox.C.waitFor('group.member_joined', (d) => d.groupId === g2)).userId, C.userId);
    assert.ok((await members(C, g2)).members.some((m: any) => m.userId === C.userId));
    assert.ok(ok(s, 'GET /groups', await call(s, C, 'GET /groups')).groups.some((g: any) => g.groupId === g2));
    fails(s, 'PUT /groups/{id}/requests/{requestId}', await call(s, A, 'PUT /groups/{id}/requests/{requestId}', { params: { id: g2, requestId: j.requestId }, body: { accept: false } }), { status: 400, code: 40409 });

    const e = ok(s, 'POST /groups/{id}/join', await call(s, E, 'POST /groups/{id}/join', { params: { id: g2 }, body: {} }));
    ok(s, 'PUT /groups/{id}/requests/{requestId}', await call(s, A, 'PUT /groups/{id}/requests/{requestId}', { params: { id: g2, requestId: e.requestId }, body: { accept: false } }));
    assert.equal(s.ctx.domains.group.isMember(g2, E.userId), false);
    const rejected = ok(s, 'GET /groups/{id}/requests', await call(s, A, 'GET /groups/{id}/requests', { params: { id: g2 }, query: { status: 'rejected' } }));
    assert.deepEqual(rejected.requests.map((x: any) => x.id), [e.requestId]);
  });

  test('G13: only the owner transfers; the new owner owns, the old one is a member', async () => {
    const k = 'POST /groups/{id}/transfer';
    fails(s, k, await call(s, D, k, { params: { id: G }, body: { newOwnerId: D.userId } }), { status: 403 });
    fails(s, k, await call(s, A, k, { params: { id: G }, body: { newOwnerId: E.userId } }), { status: 400, field: /newOwnerId/ });
    fails(s, k, await call(s, A, k, { params: { id: G }, body: {} }), { status: 400, field: /newOwnerId/ });
    ok(s, k, await call(s, A, k, { params: { id: G }, body: { newOwnerId: D.userId } }));
    assert.equal(ok(s, 'GET /groups/{id}', await call(s, A, 'GET /groups/{id}', { params: { id: G } })).ownerId, D.userId);
    assert.equal(await roleOf(A.userId), 'member');
    assert.equal(await roleOf(D.userId), 'owner');
    assert.equal((await inbox.A.waitFor('group.role_changed', (d) => d.userId === D.userId)).role, 'owner');
  });

  test('G14: non-owner dissolve → 403; owner dissolves → members notified, 404 everywhere, gone from lists', async () => {
    fails(s, 'DELETE /groups/{id}', await call(s, A, 'DELETE /groups/{id}', { params: { id: G } }), { status: 403 });
    ok(s, 'DELETE /groups/{id}', await call(s, D, 'DELETE /groups/{id}', { params: { id: G } }));
    assert.equal((await inbox.A.waitFor('group.disbanded', (d) => d.groupId === G)).groupId, G);
    fails(s, 'GET /groups/{id}', await call(s, A, 'GET /groups/{id}', { params: { id: G } }), { status: 404 });
    fails(s, 'GET /groups/{id}/members', await call(s, D, 'GET /groups/{id}/members', { params: { id: G } }), { status: 404 });
    fails(s, 'PUT /groups/{id}', await call(s, D, 'PUT /groups/{id}', { params: { id: G }, body: { name: 'zombie' } }), { code: 40404 });
    fails(s, 'POST /groups/{id}/join', await call(s, E, 'POST /groups/{id}/join', { params: { id: G }, body: {} }), { code: 40404 });
    for (const u of [A, D]) assert.ok(!ok(s, 'GET /groups', await call(s, u, 'GET /groups')).groups.some((g: any) => g.groupId === G));
    assert.equal(s.ctx.domains.group.exists(G), false);
    assert.deepEqual(s.ctx.domains.group.memberIds(G), []);
  });

  test('GroupDomain API for other services (sync, message, admin)', async () => {
    const gd = s.ctx.domains.group;
    const g = ok(s, 'POST /groups', await call(s, B, 'POST /groups', { body: { name: 'Api', memberIds: [C.userId, D.userId] } })).groupId;
    assert.deepEqual(new Set(gd.memberIds(g)), new Set([B.userId, C.userId, D.userId]));
    assert.ok(gd.groupIdsOf(C.userId).includes(g));
    assert.equal(gd.role(g, E.userId), null);
    const info = gd.getGroupInfo(g)!;
    assert.deepEqual([info.groupId, info.ownerId, info.memberCount, info.myRole], [g, B.userId, 3, '']);
    assert.equal(gd.getGroupInfo('g_unknown'), null);
    const items = gd.listUserGroups(C.userId);
    assert.equal(items.find((x) => x.groupId === g)?.myRole, 'member');
    assert.deepEqual(s.ctx.contracts.validators.component('github_com_anychat_server_internal_group_dto.GroupResponse')(items[0]), []);
    const before = gd.count();
    gd.dissolve(g, 'admin');
    assert.equal(gd.count(), before - 1);
    assert.equal(gd.getGroupInfo(g), null);
    assert.equal((await inbox.C.waitFor('group.disbanded', (d) => d.groupId === g)).operatorId, 'admin');
  });

  test('GroupService: all 18 rpcs over the same state as REST', async () => {
    const c = grpcClient(s, 'anychat.group.GroupService');
    try {
      const created = await c.invoke('CreateGroup', { user_id: A.userId, name: 'Via gRPC', member_ids: [B.userId], join_verify: true });
      const gid = created.group_id;
      assert.deepEqual([created.owner_id, created.member_count, created.name], [A.userId, 2, 'Via gRPC']);
      assert.ok(isTimestamp(created.created_at));
      assert.equal(ok(s, 'GET /groups/{id}', await call(s, B, 'GET /groups/{id}', { params: { id: gid } })).joinVerify, true, 'REST sees the gRPC group');

      const info = await c.invoke('GetGroupInfo', { group_id: gid });
      assert.deepEqual([info.owner_id, info.member_count, info.max_members, info.join_verify, info.status], [A.userId, 2, 500, true, 1]);
      assert.ok(isTimestamp(info.updated_at));
      assert.deepEqual(await c.invoke('IsMember', { group_id: gid, user_id: B.userId }), { is_member: true, role: 'member' });
      assert.deepEqual(await c.invoke('IsMember', { group_id: gid, user_id: E.userId }), { is_member: false, role: '' });

      await c.invoke('InviteMembers', { user_id: A.userId, group_id: gid, invitee_ids: [C.userId] });
      await c.invoke('UpdateMemberRole', { user_id: A.userId, group_id: gid, target_user_id: C.userId, role: 'admin' });
      await c.invoke('UpdateMemberNickname', { user_id: B.userId, group_id: gid, nickname: 'bee' });
      const all = await c.invoke('GetGroupMembers', { group_id: gid });
      assert.equal(all.total, 3);
      assert.deepEqual(all.members.map((m: any) => m.role), ['owner', 'admin', 'member']);
      assert.equal(all.members[2].group_nickname, 'bee');
      assert.ok(isTimestamp(all.members[0].joined_at));
      assert.equal(all.members[0].user_info.user_id, A.userId);
      assert.equal((await members(A, gid)).total, all.total, 'REST and gRPC agree on the member total');
      const page = await c.invoke('GetGroupMembers', { group_id: gid, page: 2, page_size: 2, user_id: B.userId });
      assert.deepEqual([page.members.length, page.total], [1, 3]);
      await rpcFails(c.invoke('GetGroupMembers', { group_id: gid, user_id: E.userId }), grpc.status.NOT_FOUND);

      await c.invoke('UpdateGroup', { user_id: C.userId, group_id: gid, announcement: 'from grpc' });
      assert.equal((await c.invoke('GetGroupInfo', { group_id: gid })).announcement, 'from grpc');
      await rpcFails(c.invoke('UpdateGroup', { user_id: B.userId, group_id: gid, name: 'no' }), grpc.status.PERMISSION_DENIED);

      const ug = await c.invoke('GetUserGroups', { user_id: B.userId });
      const item = ug.groups.find((x: any) => x.group_id === gid);
      assert.ok(item && item.member_count === 3 && isTimestamp(item.updated_at));
      assert.equal(ug.total, ug.groups.length);
      assert.ok(Math.abs(ug.update_time - Date.now() / 1000) < 300);

      const jr = await c.invoke('JoinGroup', { user_id: D.userId, group_id: gid, message: 'knock' });
      assert.equal(jr.need_verify, true);
      assert.ok(jr.request_id > 0);
      const reqs = await c.invoke('GetJoinRequests', { group_id: gid, status: 'pending' });
      assert.deepEqual([reqs.total, reqs.requests[0].id, reqs.requests[0].user_id, reqs.requests[0].message], [1, jr.request_id, D.userId, 'knock']);
      await rpcFails(c.invoke('HandleJoinRequest', { user_id: B.userId, request_id: jr.request_id, accept: true }), grpc.status.PERMISSION_DENIED);
      await c.invoke('HandleJoinRequest', { user_id: C.userId, request_id: jr.request_id, accept: true });
      assert.equal((await c.invoke('IsMember', { group_id: gid, user_id: D.userId })).is_member, true);

      assert.deepEqual(await c.invoke('GetGroupSettings', { group_id: gid }), {
        group_id: gid, allow_member_invite: true, allow_view_history: true, allow_add_friend: true, show_member_nickname: true,
      });
      await rpcFails(c.invoke('UpdateGroupSettings', { user_id: B.userId, group_id: gid, allow_member_invite: false }), grpc.status.PERMISSION_DENIED);
      await c.invoke('UpdateGroupSettings', { user_id: A.userId, group_id: gid, allow_member_invite: false });
      const st = await c.invoke('GetGroupSettings', { group_id: gid });
      assert.deepEqual([st.allow_member_invite, st.allow_view_history], [false, true], 'absent fields keep their value');
      await rpcFails(c.invoke('InviteMembers', { user_id: B.userId, group_id: gid, invitee_ids: [E.userId] }), grpc.status.PERMISSION_DENIED);
      fails(s, 'POST /groups/{id}/members', await call(s, B, 'POST /groups/{id}/members', { params: { id: gid }, body: { userIds: [E.userId] } }), { status: 400, code: 40403 });

      await c.invoke('RemoveMember', { user_id: A.userId, group_id: gid, target_user_id: D.userId });
      await c.invoke('QuitGroup', { user_id: B.userId, group_id: gid });
      await rpcFails(c.invoke('QuitGroup', { user_id: A.userId, group_id: gid }), grpc.status.INVALID_ARGUMENT);
      await c.invoke('TransferOwnership', { user_id: A.userId, group_id: gid, new_owner_id: C.userId });
      assert.equal((await c.invoke('GetGroupInfo', { group_id: gid })).owner_id, C.userId);
      await rpcFails(c.invoke('DissolveGroup', { user_id: A.userId, group_id: gid }), grpc.status.PERMISSION_DENIED);
      await c.invoke('DissolveGroup', { user_id: C.userId, group_id: gid });
      await rpcFails(c.invoke('GetGroupInfo', { group_id: gid }), grpc.status.NOT_FOUND);
      await rpcFails(c.invoke('CreateGroup', { user_id: A.userId, name: 'lonely', member_ids: [] }), grpc.status.INVALID_ARGUMENT);
      await rpcFails(c.invoke('GetGroupInfo', {}), grpc.status.INVALID_ARGUMENT);
    } finally {
      c.close();
    }
  });
});

describe('friend/group fault hooks change behaviour when on', () => {
  let s: RunningServer;
  let A: User, B: User;
  let inboxA: Inbox, inboxB: Inbox;

  before(async () => {
    s = await startServer({
      port: 0, grpcPort: 0, db: ':memory:',
      faults: ['rest.wrong-status', 'rest.typed-wrong-type', 'rest.404-as-200', 'authz.member-owner-actions', 'ws.notify-wrong-user', 'ws.notify-missing', 'rest.snake-case'],
    });
    [A, B] = await Promise.all([register(s, 'xa'), register(s, 'xb')]);
    [inboxA, inboxB] = await Promise.all([Inbox.open(s, A), Inbox.open(s, B)]);
  });
  after(async () => {
    inboxA?.close();
    inboxB?.close();
    await s?.close();
  });

  test('rest.wrong-status + rest.typed-wrong-type (POST /groups → 201, memberCount string); ws.notify-missing (no group.invited)', async () => {
    const res = await call(s, A, 'POST /groups', { body: { name: 'Faulty', memberIds: [B.userId] } });
    assert.equal(res.status, 201);
    assert.equal(res.data.memberCount, '2');
    assert.ok(s.ctx.contracts.validators.restResponse('POST /groups', 200)(res.body).length > 0, 'the contract validator sees the wrong type');
    const gid = res.data.groupId;
    // Barrier: group.info_updated is sent after the (missing) group.invited would have been.
    const upd = await call(s, A, 'PUT /groups/{id}', { params: { id: gid }, body: { name: 'Faulty 2' } });
    assert.equal(upd.status, 200);
    await inboxB.waitFor('group.info_updated', (d) => d.groupId === gid);
    assert.deepEqual(inboxB.notifications('group.invited'), []);
  });

  test('rest.404-as-200: an unknown group answers 200 with empty data', async () => {
    const res = await call(s, A, 'GET /groups/{id}', { params: { id: 'g_unknown' } });
    assert.deepEqual([res.status, res.code, res.data], [200, 0, {}]);
  });

  test('authz.member-owner-actions: a plain member updates and dissolves the group', async () => {
    const gid = (await call(s, A, 'POST /groups', { body: { name: 'Weak', memberIds: [B.userId] } })).data.groupId;
    assert.equal((await call(s, B, 'PUT /groups/{id}', { params: { id: gid }, body: { name: 'Taken over' } })).code, 0);
    assert.equal((await call(s, B, 'DELETE /groups/{id}', { params: { id: gid } })).code, 0);
    assert.equal(s.ctx.domains.group.exists(gid), false);
  });

  test('ws.notify-wrong-user: friend.request goes to the sender; rest.snake-case: GET /friends keys', async () => {
    const r = await call(s, A, 'POST /friends/requests', { body: { userId: B.userId, message: 'm' } });
    assert.equal(r.code, 0);
    assert.equal((await inboxA.waitFor('friend.request')).requestId, r.data.requestId);
    assert.equal((await call(s, B, 'PUT /friends/requests/{id}', { params: { id: r.data.requestId }, body: { action: 'accept' } })).code, 0);
    const gid = (await call(s, A, 'POST /groups', { body: { name: 'Barrier', memberIds: [B.userId] } })).data.groupId;
    await call(s, A, 'PUT /groups/{id}', { params: { id: gid }, body: { announcement: 'barrier' } });
    await inboxB.waitFor('group.info_updated', (d) => d.groupId === gid);
    assert.deepEqual(inboxB.notifications('friend.request'), [], 'the target got nothing');

    const list = await call(s, A, 'GET /friends');
    assert.equal(list.data.friends[0].user_id, B.userId);
    assert.ok('created_at' in list.data.friends[0] && 'user_info' in list.data.friends[0]);
    assert.equal(list.data.friends[0].userId, undefined);
  });
});

test('coverage: every friend/group REST operation and rpc answered successfully at least once', () => {
  const { operations, rpcs } = loadContractsForCoverage();
  const expected = [
    ...operations.filter((o) => o.area === 'friend' || o.area === 'group').map((o) => o.key),
    ...rpcs.filter((r) => r.fullService === 'anychat.friend.FriendService' || r.fullService === 'anychat.group.GroupService').map((r) => r.path),
  ];
  assert.equal(expected.length, 24 + 30);
  assert.deepEqual(expected.filter((k) => !covered.has(k)), []);
});
