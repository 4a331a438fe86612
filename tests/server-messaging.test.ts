/**
 * Reference server: the WebSocket gateway, messages, sessions and sync over REST, WS and gRPC, against a real server
 * (port 0, SQLite :memory:, real sockets). Users and groups come from POST /auth/register and POST /groups.
 * Every server frame is checked against the AsyncAPI subscribe messages and every REST response against the contract
 * (envelope, declared status, and the proto-derived shape for untyped `data`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { protoShape } from '../contracts/proto-shapes.js';
import { loadClientDefinition } from '../fixtures/grpc.js';
import { startServer, type RunningServer } from '../reference-server/server.js';

const TIMEOUT_MS = 5000;

interface User { userId: string; accessToken: string; phone: string; password: string }

// ---------- a test socket: transcript, contract check of every frame, waits with timeouts ----------

class Sock {
  readonly frames: any[] = [];
  /** AsyncAPI subscribe issues of received frames, as "<type>: <issue>". */
  readonly issues: string[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket, private readonly world: World) {
    ws.on('message', (raw) => {
      let f: any;
      try {
        f = JSON.parse(String(raw));
      } catch {
        f = { unparsable: String(raw) };
      }
      const { issues } = world.s.ctx.contracts.validators.wsFrame('subscribe')(f);
      for (const i of issues) this.issues.push(`${f?.type}: ${i.at} ${i.message}`);
      this.frames.push(f);
      for (const w of [...this.waiters]) w();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const w of [...this.waiters]) w();
    });
  }

  static open(world: World, token: string, path = '/api/v1/ws'): Promise<Sock> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${world.s.httpUrl.replace(/^http/, 'ws')}${path}?token=${encodeURIComponent(token)}`);
      const sock = new Sock(ws, world);
      const timer = setTimeout(() => reject(new Error('ws open timeout')), TIMEOUT_MS);
      ws.once('open', () => {
        clearTimeout(timer);
        world.sockets.push(sock);
        resolve(sock);
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame), { binary: Buffer.isBuffer(frame) });
  }

  sendMessage(p: { conversationId: string; conversationType?: string; content: string; localId?: string; atUsers?: string[] }): void {
    this.send({ type: 'message.send', payload: { conversationType: 'group', contentType: 'text', ...p } });
  }

  /** The first frame at index ≥ since matching pred; rejects after timeoutMs naming `what`. */
  waitFor(pred: (f: any) => boolean, what: string, opts: { since?: number; timeoutMs?: number } = {}): Promise<any> {
    const since = opts.since ?? 0;
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.frames.slice(since).find(pred);
        if (hit !== undefined || this.closed) {
          this.waiters.delete(check);
          clearTimeout(timer);
          if (hit !== undefined) resolve(hit);
          else reject(new Error(`socket closed (${this.closed?.code}) while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${opts.timeoutMs ?? TIMEOUT_MS} ms waiting for ${what}; last frames: ${JSON.stringify(this.frames.slice(-3))}`));
      }, opts.timeoutMs ?? TIMEOUT_MS);
      this.waiters.add(check);
      check();
    });
  }

  ack(localId: string): Promise<any> {
    return this.waitFor((f) => f.type === 'message.sent' && f.payload?.localId === localId, `message.sent for ${localId}`).then((f) => f.payload);
  }

  acks(): any[] {
    return this.frames.filter((f) => f.type === 'message.sent').map((f) => f.payload);
  }

  notifications(type: string): any[] {
    return this.frames.filter((f) => f.type === 'notification' && f.payload?.notificationType === type).map((f) => f.payload.data);
  }

  /**
   * Everything the server wrote to this socket before now has arrived: ping, then wait for the pong (TCP keeps order).
   * Fan-out is synchronous after commit, so once another socket saw a message, this one would have been sent it already.
   */
  async barrier(): Promise<void> {
    const since = this.frames.length;
    this.send({ type: 'ping' });
    await this.waitFor((f) => f.type === 'pong', 'pong (barrier)', { since });
  }

  close(): void {
    if (!this.closed) this.ws.close();
  }
}

// ---------- a server with helpers ----------

let counter = 0;

class World {
  readonly sockets: Sock[] = [];
  private readonly clients = new Map<string, grpc.Client>();
  private def: grpc.GrpcObject | undefined;

  private constructor(readonly s: RunningServer) {}

  static async start(faults: string[] = []): Promise<World> {
    return new World(await startServer({ port: 0, grpcPort: 0, db: ':memory:', faults }));
  }

  async close(): Promise<void> {
    for (const sock of this.sockets) sock.close();
    for (const c of this.clients.values()) c.close();
    await this.s.close();
  }

  /** Call contract op `key`; the body must match the contract for the status, which must be declared (or 200). */
  async call(user: User | null, key: string, opts: { params?: Record<string, string>; query?: Record<string, string | number>; body?: unknown } = {}): Promise<{ status: number; body: any; data: any }> {
    const op = this.s.ctx.contracts.catalogue.operationsByKey.get(key);
    assert.ok(op, `${key} is a contract op`);
    let path = op.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(opts.params?.[n] ?? `missing-${n}`));
    const q = new URLSearchParams(Object.entries(opts.query ?? {}).map(([k, v]) => [k, String(v)]));
    if ([...q].length) path += `?${q}`;
    const res = await fetch(`${this.s.baseUrl}${path}`, {
      method: op.method,
      headers: { ...(user ? { authorization: `Bearer ${user.accessToken}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body: any = await res.json();
    assert.ok(op.statuses.includes(res.status), `${key} answered undeclared status ${res.status}: ${JSON.stringify(body)}`);
    assert.deepEqual(this.s.ctx.contracts.validators.restResponse(key, res.status)(body), [], `${key} ${res.status} matches the contract`);
    if (res.status === 200 && body.code === 0) {
      const shape = protoShape(this.s.ctx.contracts, key);
      if (shape && this.s.ctx.faults.ids.length === 0) assert.deepEqual(shape.validate(body.data), [], `${key} data matches ${shape.cite}`);
    }
    return { status: res.status, body, data: body.data };
  }

  async ok(user: User | null, key: string, opts: Parameters<World['call']>[2] = {}): Promise<any> {
    const r = await this.call(user, key, opts);
    assert.equal(r.status, 200, `${key} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 0, `${key} → ${JSON.stringify(r.body)}`);
    return r.data;
  }

  async register(name = 'm'): Promise<User> {
    counter += 1;
    const tag = `${Date.now() % 1e6}${counter}`.padStart(9, '0').slice(-9);
    const phone = `13${tag}`;
    const password = 'Passw0rd123';
    const data = await this.ok(null, 'POST /auth/register', {
      body: { phoneNumber: phone, email: `msg${tag}${randomBytes(2).toString('hex')}@example.com`, password, verifyCode: '123456', deviceId: `dev-${counter}`, deviceType: 'ios', clientVersion: '1.0.0', nickname: `${name}${counter}` },
    });
    return { userId: data.userId, accessToken: data.accessToken, phone, password };
  }

  /** The same user on another device (a second login). */
  async otherDevice(u: User): Promise<User> {
    const data = await this.ok(null, 'POST /auth/login', { body: { account: u.phone, password: u.password, deviceId: `dev-b-${++counter}`, deviceType: 'android', clientVersion: '1.0.0' } });
    return { ...u, accessToken: data.accessToken };
  }

  async group(owner: User, members: User[]): Promise<string> {
    const data = await this.ok(owner, 'POST /groups', { body: { name: `g${++counter}`, memberIds: members.map((m) => m.userId) } });
    return data.groupId;
  }

  connect(u: User): Promise<Sock> {
    return Sock.open(this, u.accessToken);
  }

  /** Unary gRPC call with a deadline; rejects with the grpc error (code, details). */
  rpc(service: string, method: string, req: unknown): Promise<any> {
    let client = this.clients.get(service);
    if (!client) {
      this.def ??= loadClientDefinition(this.s.ctx.contracts);
      const Ctor = service.split('.').reduce((o: any, k) => o[k], this.def) as grpc.ServiceClientConstructor;
      client = new Ctor(this.s.grpcAddress!, grpc.credentials.createInsecure());
      this.clients.set(service, client);
    }
    return new Promise((resolve, reject) => {
      (client as any)[method](req, { deadline: Date.now() + TIMEOUT_MS }, (err: grpc.ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res)));
    });
  }
}

const MSG = 'anychat.message.MessageService';
const SESSION = 'anychat.session.SessionService';
const SYNC = 'anychat.sync.SyncService';

async function grpcCode(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    return (e as grpc.ServiceError).code;
  }
  return grpc.status.OK;
}

function assertConformant(...socks: Sock[]): void {
  for (const s of socks) assert.deepEqual(s.issues, [], 'every server frame matches the AsyncAPI subscribe messages');
}

// ====================================================================================================

describe('WebSocket gateway and messages', () => {
  let w: World;
  before(async () => {
    w = await World.start();
  });
  after(async () => {
    await w.close();
  });

  test('upgrade: missing or bad token refused before the upgrade with a 401 envelope; /ws alias works', async () => {
    for (const token of ['', 'not-a-jwt']) {
      const err: any = await Sock.open(w, token).then(() => null, (e) => e);
      assert.ok(err, `token '${token}' must be refused`);
      assert.equal(err.status, 401);
      const body = JSON.parse(err.body);
      assert.ok(body.code !== 0 && typeof body.message === 'string', `envelope: ${err.body}`);
    }
    const a = await w.register();
    const viaAlias = await Sock.open(w, a.accessToken, '/ws');
    await viaAlias.barrier();
    assertConformant(viaAlias);
  });

  test('ping → pong', async () => {
    const a = await w.register();
    const s = await w.connect(a);
    s.send({ type: 'ping' });
    const pong = await s.waitFor((f) => f.type === 'pong', 'pong');
    assert.ok(pong.payload === undefined || pong.payload === null);
    assertConformant(s);
  });

  test('message.send → message.sent with messageId, sequence, timestamp in seconds, localId echoed (and absent when not sent)', async () => {
    const [a, b] = [await w.register(), await w.register()];
    const g = await w.group(a, [b]);
    const s = await w.connect(a);
    s.sendMessage({ conversationId: g, content: 'hello', localId: 'ack-1' });
    const ack = await s.ack('ack-1');
    assert.match(ack.messageId, /\S/);
    assert.equal(ack.sequence, 1);
    assert.ok(Math.abs(ack.timestamp - Date.now() / 1000) < 60, `timestamp ${ack.timestamp} is Unix seconds`);
    const since = s.frames.length;
    s.sendMessage({ conversationId: g, content: 'no local id' });
    const ack2 = (await s.waitFor((f) => f.type === 'message.sent', 'ack without localId', { since })).payload;
    assert.equal(ack2.sequence, 2);
    assert.ok(!('localId' in ack2));
    assertConformant(s);
  });

  test('sequence: strictly increasing and gap-free under 50 concurrent sends from 3 sockets; fan-out in sequence order', async () => {
    const [a, b, c] = [await w.register(), await w.register(), await w.register()];
    const g = await w.group(a, [b, c]);
    const senders = [await w.connect(a), await w.connect(await w.otherDevice(a)), await w.connect(b)];
    const watcher = await w.connect(c);
    const sent = new Map<Sock, string[]>(senders.map((s) => [s, []]));
    for (let i = 0; i < 50; i++) {
      const s = senders[i % 3]!;
      s.sendMessage({ conversationId: g, content: `burst ${i}`, localId: `burst-${i}` });
      sent.get(s)!.push(`burst-${i}`);
    }
    const acks = new Map<string, any>();
    for (const [s, ids] of sent) {
      const mine = await Promise.all(ids.map((id) => s.ack(id)));
      const seqs = mine.map((a) => a.sequence);
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'one socket sees its acks in ascending sequence');
      ids.forEach((id, i) => acks.set(id, mine[i]));
    }
    const all = [...acks.values()].map((a) => a.sequence).sort((x, y) => x - y);
    assert.deepEqual(all, Array.from({ length: 50 }, (_, i) => i + 1), 'sequences 1..50, each once');
    assert.equal((await w.rpc(MSG, 'GetConversationSequence', { conversation_id: g })).current_seq, 50);

    await watcher.waitFor(() => watcher.notifications('message.new').length >= 50, '50 message.new');
    assert.deepEqual(watcher.notifications('message.new').map((d) => d.sequence), all, 'delivered once each, in sequence order');

    const synced = await w.ok(c, 'POST /sync/messages', { body: { conversationSeqs: [{ conversationId: g, conversationType: 'group', lastSeq: 0 }] } });
    const msgs = synced.conversations[0].messages;
    assert.deepEqual(msgs.map((m: any) => m.sequence), all);
    for (const m of msgs) assert.equal(acks.get(`burst-${m.content.split(' ')[1]}`).messageId, m.messageId);
    assertConformant(...senders, watcher);
  });

  test('idempotency: a resent localId returns the same ack, stores nothing and delivers nothing new', async () => {
    const [a, b] = [await w.register(), await w.register()];
    const g = await w.group(a, [b]);
    const [s, rb] = [await w.connect(a), await w.connect(b)];
    s.sendMessage({ conversationId: g, content: 'once', localId: 'local_1' });
    const first = await s.ack('local_1');
    s.sendMessage({ conversationId: g, content: 'once', localId: 'local_1' }); // a reconnecting client resends
    s.sendMessage({ conversationId: g, content: 'once', localId: 'local_1' });
    s.sendMessage({ conversationId: g, content: 'next', localId: 'local_2' });
    await s.ack('local_2');
    const resent = s.acks().filter((x) => x.localId === 'local_1');
    assert.equal(resent.length, 3);
    for (const r of resent) assert.deepEqual([r.messageId, r.sequence, r.timestamp], [first.messageId, first.sequence, first.timestamp]);
    assert.equal((await w.rpc(MSG, 'GetConversationSequence', { conversation_id: g })).current_seq, 2);
    // Two first sends of one localId in the same burst (one group commit) are still one message.
    s.sendMessage({ conversationId: g, content: 'twin', localId: 'local_3' });
    s.sendMessage({ conversationId: g, content: 'twin', localId: 'local_3' });
    await s.waitFor(() => s.acks().filter((x) => x.localId === 'local_3').length === 2, 'two acks for local_3');
    const twins = s.acks().filter((x) => x.localId === 'local_3');
    assert.deepEqual([twins[0].messageId, twins[0].sequence], [twins[1].messageId, 3]);
    await rb.waitFor(() => rb.notifications('message.new').some((d) => d.localId === 'local_3'), 'message.new local_3');
    await rb.barrier();
    assert.deepEqual(rb.notifications('message.new').map((d) => d.content), ['once', 'next', 'twin'], 'each message delivered once');
    // Another sender's localId is its own.
    const sb = await w.connect(b);
    sb.sendMessage({ conversationId: g, content: 'b', localId: 'local_1' });
    assert.notEqual((await sb.ack('local_1')).messageId, first.messageId);
    assertConformant(s, rb, sb);
  });

  test('fan-out: every device of every member incl. the sender\'s other device, not the sending socket, not non-members; mentions', async () => {
    const [a, b, c] = [await w.register(), await w.register(), await w.register()];
    const g = await w.group(a, [b]);
    const a1 = await w.connect(a);
    const a2 = await w.connect(await w.otherDevice(a));
    const b1 = await w.connect(b);
    const b2 = await w.connect(b);
    const c1 = await w.connect(c);
    a1.sendMessage({ conversationId: g, content: 'to all', localId: 'f1', atUsers: [b.userId, c.userId] });
    const ack = await a1.ack('f1');
    for (const s of [a2, b1, b2]) {
      const d = await s.waitFor((f) => f.payload?.data?.messageId === ack.messageId, 'message.new');
      assert.deepEqual(
        { ...d.payload.data },
        { messageId: ack.messageId, conversationId: g, conversationType: 'group', senderId: a.userId, contentType: 'text', content: 'to all', sequence: ack.sequence, timestamp: ack.timestamp, localId: 'f1', atUsers: [b.userId, c.userId] },
      );
    }
    await Promise.all([a1.barrier(), c1.barrier()]);
    assert.equal(a1.notifications('message.new').length, 0, 'the sending socket gets the ack, not message.new');
    assert.equal(c1.frames.filter((f) => f.type === 'notification').length, 0, 'a non-member gets nothing (not even the mention)');
    assert.equal(b1.notifications('message.mentioned')[0]?.messageId, ack.messageId);
    assert.equal(a2.notifications('message.mentioned').length, 0, 'the sender is not mentioned to itself');
    assertConformant(a1, a2, b1, b2, c1);
  });

  test('invalid frames are dropped, nothing is sent back, the connection survives', async () => {
    const [a, b, c] = [await w.register(), await w.register(), await w.register()];
    const g = await w.group(a, [b]);
    const s = await w.connect(a);
    const sc = await w.connect(c);
    s.send('{not json');
    s.send('[1,2,3]');
    s.send({ type: 'bogus.type', payload: {} });
    s.send({ type: 'message.send', payload: { conversationId: g, conversationType: 'group', contentType: 'text', localId: 'no-content' } });
    s.send({ type: 'message.send', payload: { conversationId: g, conversationType: 'single', contentType: 'text', content: 'x', localId: 'bad-enum' } });
    s.send({ type: 'message.send', payload: { conversationId: 'g_unknown', conversationType: 'group', contentType: 'text', content: 'x', localId: 'no-group' } });
    s.send(Buffer.from(JSON.stringify({ type: 'ping' }))); // binary
    s.sendMessage({ conversationId: g, content: 'x'.repeat(100 * 1024), localId: 'big-100k' });
    s.sendMessage({ conversationId: g, content: 'y'.repeat(1024 * 1024), localId: 'big-1m' });
    sc.sendMessage({ conversationId: g, content: 'not a member', localId: 'outsider' });
    s.sendMessage({ conversationId: g, content: 'fine', localId: 'valid' });
    const ok = await s.ack('valid');
    assert.equal(ok.sequence, 1, 'none of the bad frames consumed a sequence');
    await Promise.all([s.barrier(), sc.barrier()]);
    assert.deepEqual(s.frames.map((f) => f.type), ['message.sent', 'pong'], 'only the valid send is answered');
    assert.deepEqual(sc.frames.map((f) => f.type), ['pong']);
    assert.equal(s.closed, undefined);
    assertConformant(s, sc);
  });

  test('private chat: peer user id or canonical id, both parties\' sessions, blocked users refused', async () => {
    const [a, b, c] = [await w.register(), await w.register(), await w.register()];
    const [sa, sb] = [await w.connect(a), await w.connect(b)];
    sa.sendMessage({ conversationId: b.userId, conversationType: 'private', content: 'hi b', localId: 'p1' });
    const ack = await sa.ack('p1');
    const canonical = a.userId < b.userId ? `p_${a.userId}_${b.userId}` : `p_${b.userId}_${a.userId}`;
    assert.equal(ack.conversationId, canonical);
    const n = (await sb.waitFor((f) => f.payload?.notificationType === 'message.new', 'message.new')).payload.data;
    assert.equal(n.conversationId, canonical);
    assert.equal(n.conversationType, 'private');
    sb.sendMessage({ conversationId: canonical, conversationType: 'private', content: 'hi a', localId: 'p2' });
    assert.equal((await sb.ack('p2')).sequence, 2);
    sb.sendMessage({ conversationId: a.userId, conversationType: 'private', content: 'again', localId: 'p3' });
    assert.equal((await sb.ack('p3')).sequence, 3, 'the peer-id form lands in the same conversation');

    const sessA = await w.ok(a, 'GET /sessions/{sessionId}', { params: { sessionId: canonical } });
    assert.deepEqual([sessA.sessionType, sessA.targetId, sessA.unreadCount, sessA.lastMessageContent], ['private', b.userId, 2, 'again']);
    const sessB = await w.ok(b, 'GET /sessions/{sessionId}', { params: { sessionId: canonical } });
    assert.deepEqual([sessB.targetId, sessB.unreadCount], [a.userId, 1]);
    await w.call(c, 'GET /sessions/{sessionId}', { params: { sessionId: canonical } }).then((r) => assert.equal(r.status, 404));

    await w.ok(b, 'POST /friends/blacklist', { body: { userId: a.userId } });
    sa.sendMessage({ conversationId: b.userId, conversationType: 'private', content: 'blocked', localId: 'p4' });
    sa.sendMessage({ conversationId: a.userId, conversationType: 'private', content: 'to self', localId: 'p5' });
    await sa.barrier();
    await new Promise((r) => setImmediate(r));
    sa.sendMessage({ conversationId: c.userId, conversationType: 'private', content: 'to c', localId: 'p6' });
    await sa.ack('p6');
    assert.deepEqual(sa.acks().map((x) => x.localId), ['p1', 'p6'], 'blocked and self conversations are refused');
    assertConformant(sa, sb);
  });
});

// ====================================================================================================

describe('sessions (REST + notifications)', () => {
  let w: World;
  before(async () => {
    w = await World.start();
  });
  after(async () => {
    await w.close();
  });

  test('unread, read, mute (excluded from total), pin (first), delete (hidden until the next message), authz', async () => {
    const [a, b, c] = [await w.register(), await w.register(), await w.register()];
    const g = await w.group(a, [b]);
    const [sa, sb] = [await w.connect(a), await w.connect(b)];
    sa.sendMessage({ conversationId: g, content: 'one', localId: 's1' });
    sa.sendMessage({ conversationId: g, content: 'two', localId: 's2' });
    await sa.ack('s2');

    let mine = await w.ok(b, 'GET /sessions/{sessionId}', { params: { sessionId: g } });
    assert.deepEqual([mine.sessionId, mine.sessionType, mine.targetId, mine.userId, mine.unreadCount, mine.lastMessageContent], [g, 'group', g, b.userId, 2, 'two']);
    assert.match(mine.lastMessageTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal((await w.ok(a, 'GET /sessions/{sessionId}', { params: { sessionId: g } })).unreadCount, 0, 'the sender has no unread');
    assert.equal((await w.ok(b, 'GET /sessions/unread/total')).totalUnread, 2);

    await w.ok(b, 'POST /sessions/{sessionId}/read', { params: { sessionId: g } });
    assert.equal((await w.ok(b, 'GET /sessions/{sessionId}', { params: { sessionId: g } })).unreadCount, 0);
    assert.deepEqual(await sb.waitFor((f) => f.payload?.notificationType === 'session.unread_updated', 'session.unread_updated').then((f) => f.payload.data), { sessionId: g, unreadCount: 0, totalUnread: 0 });

    sa.sendMessage({ conversationId: g, content: 'three', localId: 's3' });
    await sa.ack('s3');
    await w.ok(b, 'PUT /sessions/{sessionId}/mute', { params: { sessionId: g }, body: { muted: true } });
    mine = await w.ok(b, 'GET /sessions/{sessionId}', { params: { sessionId: g } });
    assert.deepEqual([mine.isMuted, mine.unreadCount], [true, 1]);
    assert.equal((await w.ok(b, 'GET /sessions/unread/total')).totalUnread, 0, 'muted sessions are not counted');
    await sb.waitFor((f) => f.payload?.notificationType === 'session.mute_updated' && f.payload.data.isMuted === true, 'session.mute_updated');
    await w.ok(b, 'PUT /sessions/{sessionId}/mute', { params: { sessionId: g }, body: { muted: false } });
    assert.equal((await w.ok(b, 'GET /sessions/unread/total')).totalUnread, 1);

    // A newer private session would come first, unless the group session is pinned.
    const sc = await w.connect(c);
    sc.sendMessage({ conversationId: b.userId, conversationType: 'private', content: 'hey', localId: 'pc' });
    await sc.ack('pc');
    let list = await w.ok(b, 'GET /sessions');
    assert.equal(list.sessions[0].targetId, c.userId);
    await w.ok(b, 'PUT /sessions/{sessionId}/pin', { params: { sessionId: g }, body: { pinned: true } });
    list = await w.ok(b, 'GET /sessions');
    assert.deepEqual(list.sessions.map((x: any) => x.sessionId)[0], g);
    assert.equal(list.sessions[0].isPinned, true);
    assert.match(list.sessions[0].pinTime, /Z$/);
    await sb.waitFor((f) => f.payload?.notificationType === 'session.pin_updated', 'session.pin_updated');

    const page = await w.ok(b, 'GET /sessions', { query: { limit: 1 } });
    assert.deepEqual([page.sessions.length, page.hasMore], [1, true]);
    const cursor = Math.floor(Date.parse(list.sessions[1].updatedAt) / 1000) + 1;
    const older = await w.ok(b, 'GET /sessions', { query: { updatedBefore: cursor * 1000 } });
    for (const x of older.sessions) assert.ok(Date.parse(x.updatedAt) < cursor * 1000, 'updatedBefore (ms) is a backwards cursor');

    await w.ok(b, 'DELETE /sessions/{sessionId}', { params: { sessionId: g } });
    await sb.waitFor((f) => f.payload?.notificationType === 'session.deleted', 'session.deleted');
    assert.ok(!(await w.ok(b, 'GET /sessions')).sessions.some((x: any) => x.sessionId === g), 'hidden from the list');
    assert.equal((await w.call(b, 'GET /sessions/{sessionId}', { params: { sessionId: g } })).status, 404);
    const kept = await w.ok(b, 'POST /sync/messages', { body: { conversationSeqs: [{ conversationId: g, conversationType: 'group', lastSeq: 0 }] } });
    assert.equal(kept.conversations[0].messages.length, 3, 'messages are kept');
    sa.sendMessage({ conversationId: g, content: 'four', localId: 's4' });
    await sa.ack('s4');
    mine = await w.ok(b, 'GET /sessions/{sessionId}', { params: { sessionId: g } });
    assert.deepEqual([mine.unreadCount, mine.isPinned, mine.lastMessageContent], [1, false, 'four'], 'reappears with the new message only');

    assert.equal((await w.call(c, 'GET /sessions/{sessionId}', { params: { sessionId: g } })).status, 404, 'another user\'s session');
    assert.equal((await w.call(c, 'PUT /sessions/{sessionId}/pin', { params: { sessionId: g }, body: { pinned: true } })).status, 400);
    assert.equal((await w.ok(a, 'GET /sessions/{sessionId}', { params: { sessionId: g } })).isPinned, false, 'untouched by others');
    assert.equal((await w.call(b, 'PUT /sessions/{sessionId}/pin', { params: { sessionId: g }, body: { pinned: 'yes' } })).status, 400, 'body validated');
    assertConformant(sa, sb, sc);
  });
});

// ====================================================================================================

describe('sync (REST)', () => {
  let w: World;
  before(async () => {
    w = await World.start();
  });
  after(async () => {
    await w.close();
  });

  test('POST /sync: friends, groups, sessions, requested conversations, syncTime in seconds; incremental', async () => {
    const [a, b] = [await w.register(), await w.register()];
    const g = await w.group(a, [b]);
    const sa = await w.connect(a);
    for (const i of [1, 2, 3]) sa.sendMessage({ conversationId: g, content: `m${i}`, localId: `y${i}` });
    await sa.ack('y3');
    const full = await w.ok(b, 'POST /sync', { body: { lastSyncTime: 0, conversationSeqs: [{ conversationId: g, conversationType: 'group', lastSeq: 1 }] } });
    assert.ok(Math.abs(full.syncTime - Date.now() / 1000) < 60, 'syncTime is Unix seconds');
    assert.ok(full.groups.groups.some((x: any) => x.groupId === g));
    assert.equal(full.groups.total, full.groups.groups.length);
    assert.deepEqual(full.friends, { friends: [], total: 0 });
    assert.deepEqual(full.sessions.sessions.map((x: any) => x.sessionId), [g]);
    assert.deepEqual(full.conversations.map((c: any) => [c.conversationId, c.conversationType, c.messages.map((m: any) => m.sequence), c.hasMore]), [[g, 'group', [2, 3], false]]);
    const later = await w.ok(b, 'POST /sync', { body: { lastSyncTime: full.syncTime + 60 } });
    assert.deepEqual([later.sessions.sessions.length, later.groups.total, later.conversations.length], [0, 0, 0], 'nothing changed since');
  });

  test('POST /sync/messages: > lastSeq ascending, per-conversation limit (query wins), hasMore, members only', async () => {
    const [a, b, c] = [await w.register(), await w.register(), await w.register()];
    const g = await w.group(a, [b]);
    const sa = await w.connect(a);
    for (let i = 1; i <= 5; i++) sa.sendMessage({ conversationId: g, content: `n${i}`, localId: `n${i}` });
    sa.sendMessage({ conversationId: c.userId, conversationType: 'private', content: 'dm', localId: 'dm' });
    await sa.ack('dm');
    const seqs = (d: any) => d.conversations.map((x: any) => [x.messages.map((m: any) => m.sequence), x.hasMore]);
    const req = (lastSeq: number) => ({ conversationSeqs: [{ conversationId: g, conversationType: 'group', lastSeq }] });
    assert.deepEqual(seqs(await w.ok(b, 'POST /sync/messages', { body: req(2) })), [[[3, 4, 5], false]]);
    assert.deepEqual(seqs(await w.ok(b, 'POST /sync/messages', { body: req(5) })), [[[], false]]);
    assert.deepEqual(seqs(await w.ok(b, 'POST /sync/messages', { query: { limit: 1 }, body: req(0) })), [[[1], true]]);
    assert.deepEqual(seqs(await w.ok(b, 'POST /sync/messages', { body: { ...req(0), limitPerConversation: 2 } })), [[[1, 2], true]]);
    assert.deepEqual(seqs(await w.ok(b, 'POST /sync/messages', { query: { limit: 1 }, body: { ...req(0), limitPerConversation: 3 } })), [[[1], true]], 'query limit wins');
    const m = (await w.ok(b, 'POST /sync/messages', { body: req(0) })).conversations[0].messages[0];
    assert.deepEqual(Object.keys(m).sort(), ['atUsers', 'content', 'contentType', 'conversationId', 'conversationType', 'createdAt', 'messageId', 'senderId', 'sequence', 'status', 'updatedAt']);
    assert.deepEqual([m.senderId, m.content, m.status, m.conversationType], [a.userId, 'n1', 0, 'group']);
    assert.deepEqual((await w.ok(c, 'POST /sync/messages', { body: req(0) })).conversations, [], 'a non-member gets nothing');
    const dm = await w.ok(c, 'POST /sync/messages', { body: { conversationSeqs: [{ conversationId: a.userId, conversationType: 'private', lastSeq: 0 }] } });
    assert.deepEqual(dm.conversations[0].messages.map((x: any) => x.content), ['dm'], 'a private conversation by peer id');
    assert.equal((await w.call(b, 'POST /sync/messages', { body: { conversationSeqs: 'nope' } })).status, 400);
  });
});

// ====================================================================================================

describe('gRPC: MessageService (10), SessionService (9), SyncService (2)', () => {
  let w: World;
  let a: User, b: User, c: User, g: string, sa: Sock, sb: Sock;
  before(async () => {
    w = await World.start();
    [a, b, c] = [await w.register(), await w.register(), await w.register()];
    g = await w.group(a, [b]);
    [sa, sb] = [await w.connect(a), await w.connect(b)];
  });
  after(async () => {
    await w.close();
  });

  test('MessageService', async () => {
    const sent = await w.rpc(MSG, 'SendMessage', { sender_id: a.userId, conversation_id: g, conversation_type: 'group', content_type: 'text', content: 'grpc hello', local_id: 'g1' });
    assert.equal(sent.sequence, 1);
    assert.ok(sent.timestamp.seconds > 0);
    const again = await w.rpc(MSG, 'SendMessage', { sender_id: a.userId, conversation_id: g, conversation_type: 'group', content_type: 'text', content: 'grpc hello', local_id: 'g1' });
    assert.equal(again.message_id, sent.message_id, 'idempotent by local_id on gRPC too');
    await sb.waitFor((f) => f.payload?.data?.messageId === sent.message_id, 'message.new from a gRPC send');
    await sa.waitFor((f) => f.payload?.data?.messageId === sent.message_id, 'the sender\'s devices get a gRPC send too');
    for (const i of [2, 3, 4]) await w.rpc(MSG, 'SendMessage', { sender_id: a.userId, conversation_id: g, conversation_type: 'group', content_type: 'text', content: `m${i}` });
    const single = await w.rpc(MSG, 'SendMessage', { sender_id: a.userId, conversation_id: c.userId, conversation_type: 'single', content_type: 'text', content: 'dm' });
    assert.equal(single.sequence, 1);
    assert.equal(await grpcCode(w.rpc(MSG, 'SendMessage', { sender_id: c.userId, conversation_id: g, conversation_type: 'group', content_type: 'text', content: 'x' })), grpc.status.PERMISSION_DENIED);
    assert.equal(await grpcCode(w.rpc(MSG, 'SendMessage', { sender_id: a.userId, conversation_id: g, conversation_type: 'group', content_type: 'sticker', content: 'x' })), grpc.status.INVALID_ARGUMENT);

    const byId = await w.rpc(MSG, 'GetMessageById', { message_id: sent.message_id });
    assert.deepEqual([byId.sender_id, byId.conversation_id, byId.conversation_type, byId.content, byId.sequence, byId.status], [a.userId, g, 'group', 'grpc hello', 1, 0]);
    assert.ok(byId.created_at.seconds > 0);
    assert.equal(await grpcCode(w.rpc(MSG, 'GetMessageById', { message_id: 'm_nope' })), grpc.status.NOT_FOUND);

    const page = await w.rpc(MSG, 'GetMessages', { conversation_id: g, start_seq: 2, limit: 2 });
    assert.deepEqual([page.messages.map((m: any) => m.sequence), page.total, page.has_more], [[2, 3], 3, true]);
    const rev = await w.rpc(MSG, 'GetMessages', { conversation_id: g, reverse: true, limit: 2 });
    assert.deepEqual(rev.messages.map((m: any) => m.sequence), [4, 3]);
    const ranged = await w.rpc(MSG, 'GetMessages', { conversation_id: g, start_seq: 1, end_seq: 2 });
    assert.deepEqual(ranged.messages.map((m: any) => m.sequence), [1, 2]);
    const open = await w.rpc(MSG, 'GetMessages', { conversation_id: g, start_seq: 0, end_seq: 0, limit: 50 });
    assert.deepEqual(open.messages.map((m: any) => m.sequence), [1, 2, 3, 4], 'bounds of 0 are open');
    assert.equal((await w.rpc(MSG, 'GetConversationSequence', { conversation_id: g })).current_seq, 4);

    let unread = await w.rpc(MSG, 'GetUnreadCount', { conversation_id: g, user_id: b.userId });
    assert.deepEqual([unread.unread_count, unread.last_message_seq, unread.last_message.sequence], [4, 4, 4]);
    await w.rpc(MSG, 'MarkAsRead', { conversation_id: g, conversation_type: 'group', user_id: b.userId, last_read_seq: 3 });
    unread = await w.rpc(MSG, 'GetUnreadCount', { conversation_id: g, user_id: b.userId });
    assert.equal(unread.unread_count, 1);
    assert.equal((await w.ok(b, 'GET /sessions/{sessionId}', { params: { sessionId: g } })).unreadCount, 1, 'MarkAsRead updates the session');
    const receipt = await sa.waitFor((f) => f.payload?.notificationType === 'message.read_receipt', 'message.read_receipt');
    assert.deepEqual(receipt.payload.data, { conversationId: g, userId: b.userId, lastReadSeq: 3 });
    const receipts = await w.rpc(MSG, 'GetReadReceipts', { conversation_id: g, user_id: a.userId });
    assert.deepEqual(receipts.receipts.map((r: any) => [r.user_id, r.last_read_seq]), [[b.userId, 3]]);
    assert.equal(await grpcCode(w.rpc(MSG, 'MarkAsRead', { conversation_id: g, conversation_type: 'group', user_id: c.userId, last_read_seq: 1 })), grpc.status.PERMISSION_DENIED);

    const found = await w.rpc(MSG, 'SearchMessages', { user_id: b.userId, keyword: 'grpc', limit: 10 });
    assert.deepEqual([found.total, found.messages[0]?.message_id], [1, sent.message_id]);
    assert.equal((await w.rpc(MSG, 'SearchMessages', { user_id: c.userId, keyword: 'grpc' })).total, 0, 'only conversations the user belongs to');
    assert.equal((await w.rpc(MSG, 'SearchMessages', { user_id: c.userId, keyword: 'dm' })).total, 1);
    assert.equal((await w.rpc(MSG, 'SearchMessages', { user_id: b.userId, keyword: '%' })).total, 0, 'LIKE wildcards are literal');

    assert.equal(await grpcCode(w.rpc(MSG, 'RecallMessage', { message_id: sent.message_id, user_id: b.userId })), grpc.status.PERMISSION_DENIED);
    await w.rpc(MSG, 'RecallMessage', { message_id: sent.message_id, user_id: a.userId });
    assert.equal((await w.rpc(MSG, 'GetMessageById', { message_id: sent.message_id })).status, 1);
    const recalled = await sb.waitFor((f) => f.payload?.notificationType === 'message.recalled', 'message.recalled');
    assert.deepEqual(recalled.payload.data, { messageId: sent.message_id, conversationId: g, sequence: 1, recalledBy: a.userId });
    const m2 = page.messages[0].message_id;
    assert.equal(await grpcCode(w.rpc(MSG, 'DeleteMessage', { message_id: m2, user_id: b.userId })), grpc.status.PERMISSION_DENIED);
    await w.rpc(MSG, 'DeleteMessage', { message_id: m2, user_id: a.userId });
    assert.equal((await w.rpc(MSG, 'GetMessageById', { message_id: m2 })).status, 2);
    assertConformant(sa, sb);
  });

  test('SessionService over the same store as REST', async () => {
    const list = await w.rpc(SESSION, 'GetSessions', { user_id: b.userId, limit: 10 });
    const rest = await w.ok(b, 'GET /sessions');
    assert.deepEqual(list.sessions.map((x: any) => [x.session_id, x.unread_count]), rest.sessions.map((x: any) => [x.sessionId, x.unreadCount]));
    const one = await w.rpc(SESSION, 'GetSession', { user_id: b.userId, session_id: g });
    assert.deepEqual([one.session_type, one.target_id], ['group', g]);
    assert.ok(one.last_message_time.seconds > 0 && one.updated_at.seconds > 0);
    assert.equal(await grpcCode(w.rpc(SESSION, 'GetSession', { user_id: c.userId, session_id: g })), grpc.status.NOT_FOUND);

    const created = await w.rpc(SESSION, 'CreateOrUpdateSession', { session_type: 'single', user_id: b.userId, target_id: c.userId, last_message_id: 'm_x', last_message_content: 'made by rpc', last_message_timestamp: Math.floor(Date.now() / 1000) });
    assert.equal(created.session_type, 'single');
    assert.equal((await w.ok(b, 'GET /sessions/{sessionId}', { params: { sessionId: created.session_id } })).lastMessageContent, 'made by rpc');

    await w.rpc(SESSION, 'IncrUnread', { user_id: b.userId, session_id: created.session_id, count: 3 });
    await w.rpc(SESSION, 'SetPinned', { user_id: b.userId, session_id: created.session_id, pinned: true });
    await w.rpc(SESSION, 'SetMuted', { user_id: b.userId, session_id: g, muted: true });
    const after1 = await w.rpc(SESSION, 'GetSession', { user_id: b.userId, session_id: created.session_id });
    assert.deepEqual([after1.unread_count, after1.is_pinned, !!after1.pin_time], [3, true, true]);
    assert.equal((await w.rpc(SESSION, 'GetTotalUnread', { user_id: b.userId })).total_unread, 3, 'the muted group is excluded');
    assert.equal((await w.ok(b, 'GET /sessions/unread/total')).totalUnread, 3);
    await w.rpc(SESSION, 'ClearUnread', { user_id: b.userId, session_id: created.session_id });
    assert.equal((await w.rpc(SESSION, 'GetTotalUnread', { user_id: b.userId })).total_unread, 0);
    await w.rpc(SESSION, 'DeleteSession', { user_id: b.userId, session_id: created.session_id });
    assert.equal((await w.call(b, 'GET /sessions/{sessionId}', { params: { sessionId: created.session_id } })).status, 404);
    assert.equal(await grpcCode(w.rpc(SESSION, 'SetPinned', { user_id: c.userId, session_id: g, pinned: true })), grpc.status.NOT_FOUND);
    assert.equal(await grpcCode(w.rpc(SESSION, 'GetSessions', {})), grpc.status.INVALID_ARGUMENT);
  });

  test('SyncService agrees with REST', async () => {
    const body = { conversationSeqs: [{ conversationId: g, conversationType: 'group', lastSeq: 1 }] };
    const rest = await w.ok(b, 'POST /sync/messages', { body });
    const rpc = await w.rpc(SYNC, 'SyncMessages', { user_id: b.userId, conversation_seqs: [{ conversation_id: g, conversation_type: 'group', last_seq: 1 }], limit_per_conversation: 50 });
    assert.deepEqual(rpc.conversations.map((x: any) => x.messages.map((m: any) => [m.message_id, m.sequence])), rest.conversations.map((x: any) => x.messages.map((m: any) => [m.messageId, m.sequence])));
    assert.equal(rpc.conversations[0].conversation_type, 'group');
    const full = await w.rpc(SYNC, 'Sync', { user_id: b.userId, last_sync_time: 0, conversation_seqs: [{ conversation_id: a.userId, conversation_type: 'single', last_seq: 0 }] });
    assert.ok(full.groups.groups.some((x: any) => x.group_id === g));
    assert.ok(full.sessions.sessions.some((x: any) => x.session_id === g));
    assert.ok(Math.abs(full.sync_time - Date.now() / 1000) < 60);
    assert.deepEqual(full.conversations.map((x: any) => [x.conversation_type, x.messages.length]), [['single', 0]]);
  });
});

// ====================================================================================================

/** A fresh server with `faults` on, users A, B, C, group G = {A, B} and one socket each. */
async function faultWorld(faults: string[]) {
  const w = await World.start(faults);
  const [a, b, c] = [await w.register(), await w.register(), await w.register()];
  const g = await w.group(a, [b]);
  const [sa, sb, sc] = [await w.connect(a), await w.connect(b), await w.connect(c)];
  return { w, a, b, c, g, sa, sb, sc };
}

describe('fault hooks change behaviour', () => {
  const withFault = (id: string, fn: (x: Awaited<ReturnType<typeof faultWorld>>) => Promise<void>) =>
    test(id, async () => {
      const x = await faultWorld([id]);
      try {
        await fn(x);
      } finally {
        await x.w.close();
      }
    });

  withFault('ws.no-pong', async ({ sa, g }) => {
    sa.send({ type: 'ping' });
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'after-ping' });
    await sa.ack('after-ping'); // answered after the ping was processed
    assert.equal(sa.frames.filter((f) => f.type === 'pong').length, 0);
  });

  withFault('ws.ack-missing-sequence', async ({ sa, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l' });
    assert.ok(!('sequence' in (await sa.ack('l'))));
    assert.ok(sa.issues.some((i) => i.includes('sequence')), 'the ack fails the AsyncAPI MessageSent schema');
  });

  withFault('ws.ack-ms-timestamp', async ({ sa, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l' });
    assert.ok((await sa.ack('l')).timestamp > 1e12);
  });

  withFault('ws.localid-not-echoed', async ({ sa, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l' });
    const ack = (await sa.waitFor((f) => f.type === 'message.sent', 'ack')).payload;
    assert.ok(!('localId' in ack));
  });

  withFault('ws.notification-shape', async ({ sa, sb, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l' });
    const f = await sb.waitFor((x) => x.type === 'notification', 'notification');
    assert.equal(f.payload.type, 'message.new');
    assert.equal(f.payload.payload.conversation_id, g);
    assert.ok(sb.issues.length > 0, 'fails the AsyncAPI Notification schema');
  });

  withFault('ws.close-on-unknown-type', async ({ sa }) => {
    sa.send({ type: 'typing' });
    await sa.waitFor(() => false, 'close', { timeoutMs: TIMEOUT_MS }).catch(() => undefined);
    assert.equal(sa.closed?.code, 1003);
  });

  withFault('ws.bad-token-accepted', async ({ w }) => {
    const s = await Sock.open(w, 'garbage');
    await s.barrier();
  });

  withFault('ord.reordered-fanout', async ({ sa, sb, g }) => {
    for (let i = 1; i <= 4; i++) {
      sa.sendMessage({ conversationId: g, content: `r${i}`, localId: `r${i}` });
      await sa.ack(`r${i}`);
    }
    await sb.waitFor(() => sb.notifications('message.new').length === 4, '4 message.new');
    assert.deepEqual(sb.notifications('message.new').map((d) => d.sequence), [2, 1, 3, 4]);
  });

  withFault('ord.drop-one-member', async ({ w, a, b, c, sa, sb, sc }) => {
    const g3 = await w.group(a, [b, c]);
    sa.sendMessage({ conversationId: g3, content: 'x', localId: 'l' });
    await sa.ack('l');
    await Promise.all([sb.barrier(), sc.barrier()]);
    const [victim, other] = b.userId > c.userId ? [sb, sc] : [sc, sb];
    assert.equal(victim.notifications('message.new').length, 0);
    assert.equal(other.notifications('message.new').length, 1);
  });

  withFault('ord.duplicate-delivery', async ({ sa, sb, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l' });
    await sa.ack('l');
    await sb.barrier();
    assert.equal(sb.notifications('message.new').length, 2);
  });

  withFault('ord.sequence-reuse', async ({ w, a, sa, g }) => {
    const sa2 = await w.connect(await w.otherDevice(a));
    for (let i = 0; i < 30; i++) (i % 2 ? sa : sa2).sendMessage({ conversationId: g, content: `c${i}`, localId: `c${i}` });
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? sa : sa2).ack(`c${i}`)));
    const seqs = [...sa.acks(), ...sa2.acks()].map((x) => x.sequence);
    assert.ok(new Set(seqs).size < seqs.length, `some sequence was reused: ${seqs.join(',')}`);
  });

  withFault('ord.sequence-gaps', async ({ sa, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l1' });
    sa.sendMessage({ conversationId: g, content: 'y', localId: 'l2' });
    assert.deepEqual([(await sa.ack('l1')).sequence, (await sa.ack('l2')).sequence], [2, 4]);
  });

  withFault('ord.localid-not-idempotent', async ({ sa, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'same' });
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'same' });
    await sa.waitFor(() => sa.acks().length === 2, 'two acks');
    const [x, y] = sa.acks();
    assert.notEqual(x.messageId, y.messageId);
    assert.notEqual(x.sequence, y.sequence);
  });

  withFault('ord.cross-conversation-leak', async ({ w, a, c, sa, sc, g }) => {
    await w.group(a, [c]);
    sa.sendMessage({ conversationId: g, content: 'private to G', localId: 'l' });
    await sa.ack('l');
    await sc.barrier();
    assert.deepEqual(sc.notifications('message.new').map((d) => d.conversationId), [g], 'C is not in G yet receives its message');
  });

  withFault('ord.sync-off-by-one', async ({ w, b, sa, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l1' });
    sa.sendMessage({ conversationId: g, content: 'y', localId: 'l2' });
    await sa.ack('l2');
    const d = await w.ok(b, 'POST /sync/messages', { body: { conversationSeqs: [{ conversationId: g, conversationType: 'group', lastSeq: 1 }] } });
    assert.deepEqual(d.conversations[0].messages.map((m: any) => m.sequence), [1, 2]);
  });

  withFault('grpc.empty-field', async ({ w, sa, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l' });
    const ack = await sa.ack('l');
    assert.equal((await w.rpc(MSG, 'GetMessageById', { message_id: ack.messageId })).sender_id, '');
  });

  withFault('rest.snake-case', async ({ w, b, sa, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l' });
    await sa.ack('l');
    const d = await w.ok(b, 'GET /sessions');
    assert.ok('has_more' in d && d.sessions[0].session_id === g);
    assert.ok(protoShape(w.s.ctx.contracts, 'GET /sessions')!.inspect(d).snakeKeys.length > 0);
  });

  withFault('authz.sessions-cross-user', async ({ w, c, sa, g }) => {
    sa.sendMessage({ conversationId: g, content: 'x', localId: 'l' });
    await sa.ack('l');
    const d = await w.ok(c, 'GET /sessions/{sessionId}', { params: { sessionId: g } });
    assert.notEqual(d.userId, c.userId, 'C reads someone else\'s session');
  });
});
