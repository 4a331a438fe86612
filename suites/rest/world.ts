import type { RequestParts } from '../../contracts/arbitraries.js';
import { fail } from '../../fixtures/failure.js';
import { firstLine, knownBroken, markBroken, PrerequisiteBroken, type Prereq } from '../../fixtures/prereq.js';
import { field, list, str } from '../../fixtures/read.js';
import { REGISTER } from '../../fixtures/rest.js';
import type { RestApi, TestUser } from '../../fixtures/rest-client.js';
import type { Target } from '../../fixtures/target.js';
import { ADMIN_LOGIN, adminClient, contractEnum, enumValue, loginBody, registerBody, registerUser, userSeed } from '../../fixtures/users.js';
import type { WsConnector } from '../../fixtures/ws.js';
import { block, content, createGroup, isSkip, opCite, P, receivedRequestId, requestIdOf, sendFriendRequest } from './support.js';

/** A world value a check cannot do without: blocked (citing the owner of the broken step) when it is unavailable. */
export async function orBlock<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof Unavailable) block(e.reason, e.owner);
    throw e;
  }
}

/** A world-building step that could not be done: which prerequisite broke, and the check that owns it. */
export class Unavailable extends Error {
  constructor(readonly reason: string, readonly owner: string) {
    super(`${reason} — see ${owner}`);
    this.name = 'Unavailable';
  }
}

export type UserName = 'a' | 'b' | 'c' | 'd' | 'victim' | 'banned';
type Auth = TestUser | string | null;

/** A valid request for an operation in this world: who sends it and its parts. */
export interface ValidRequest {
  as: Auth;
  base: RequestParts;
}

/**
 * The state the generic and negative checks need, built lazily and once per check: users, a group with members,
 * a join-verify group with a pending request, an open group, a friendship, a file, a call, a meeting, a session
 * (when a WebSocket fixture can send a message) and an admin token (when credentials are given).
 * `request(key)` returns a valid request for any operation, the base that negative checks mutate one defect at a time.
 */
export class World {
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Operations whose valid request could not be built, with the reason and the check that owns the broken step. */
  readonly unavailable = new Map<string, { reason: string; owner: string }>();

  constructor(
    readonly api: RestApi,
    readonly target: Target,
    private readonly worker: number,
    private readonly ws?: WsConnector,
  ) {}

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) this.memo.set(key, (p = make()));
    return p;
  }

  /**
   * One setup step resting on behaviour `p.owner` judges. Never fails the check: a step known broken in this run,
   * or failing now (recorded for the rest of the run), makes the operations that need it unavailable.
   */
  private async step<T>(p: Prereq, fn: () => Promise<T>): Promise<T> {
    const known = knownBroken(p.key);
    if (known) throw new Unavailable(known.reason, known.owner);
    try {
      return await fn();
    } catch (e) {
      if (isSkip(e) || e instanceof Unavailable) throw e;
      // A broken prerequisite met inside the step keeps its own owner (e.g. a 5xx to a valid request: REST.HG2's).
      const [reason, owner] = e instanceof PrerequisiteBroken ? [e.reason, e.owner] : [`${p.what} failed: ${firstLine(e)}`, p.owner];
      markBroken({ key: p.key, owner, reason });
      throw new Unavailable(reason, owner);
    }
  }

  user(name: UserName): Promise<TestUser> {
    return this.once(`user ${name}`, () => this.step(REGISTER, () => registerUser(this.api, this.target, this.worker, { nickname: `w${name}` })));
  }

  private async makeGroup(members: UserName[], extra: Record<string, unknown> = {}): Promise<string> {
    const a = await this.user('a');
    const others = await Promise.all(members.map((m) => this.user(m)));
    return (await this.step(P.group, () => createGroup(this.api, a, others, extra))).groupId;
  }

  /** G: a owns it, b and c are members. */
  group(): Promise<string> {
    return this.once('group', () => this.makeGroup(['b', 'c']));
  }

  /** O: an open group of a and b; d is not a member. */
  openGroup(): Promise<string> {
    return this.once('open group', () => this.makeGroup(['b'], { joinVerify: false }));
  }

  /** H: a join-verify group of a and b, with d's pending join request. */
  verifyGroup(): Promise<{ groupId: string; requestId: number | string }> {
    return this.once('verify group', async () => {
      const groupId = await this.makeGroup(['b'], { joinVerify: true });
      const d = await this.user('d');
      const requestId = await this.step(P.joinVerify, async () => {
        const join = await this.api.as(d).call('POST /groups/{id}/join', { params: { id: groupId }, body: { message: 'please' }, expect: 'success' });
        const rid = requestIdOf(field(join.data, 'requestId'));
        if (rid === undefined) fail({ message: 'join on a joinVerify group returned no integer requestId', expected: 'integer requestId', observed: join.data ?? null, cite: opCite('POST /groups/{id}/join'), replay: join.replay });
        return rid;
      });
      return { groupId, requestId };
    });
  }

  /** `from`'s friend request to `to`, and its id (assumed bodies, contract-notes I9). */
  private async friendRequest(from: TestUser, to: TestUser): Promise<number | string> {
    const sent = await this.step(P.friendRequest, () => sendFriendRequest(this.api, from, to));
    return requestIdOf(field(sent.data, 'requestId')) ?? this.step(P.friendRequestList, () => receivedRequestId(this.api, to, from));
  }

  /** a and b are friends (assumed bodies, contract-notes I9). */
  friends(): Promise<void> {
    return this.once('friends', async () => {
      const [a, b] = [await this.user('a'), await this.user('b')];
      const rid = await this.friendRequest(a, b);
      await this.step(P.friendAccept, () => this.api.as(b).call('PUT /friends/requests/{id}', { params: { id: rid }, body: { action: 'accept' }, expect: 'success' }));
    });
  }

  /** c's pending friend request to a (assumed body). */
  pendingFriendRequest(): Promise<number | string> {
    return this.once('pending friend request', async () => this.friendRequest(await this.user('c'), await this.user('a')));
  }

  /** An id the step's answer must carry (an id the contract types but does not mark required, contract-notes I8). */
  private static need(res: { data: unknown; replay: string }, path: string, key: string): string {
    const id = str(res.data, path);
    if (!id) fail({ message: `${key} returned no ${path}`, expected: `data.${path}: a non-empty string`, observed: res.data ?? null, cite: opCite(key), replay: res.replay });
    return id;
  }

  /** A file of a's (upload-token only; assumed body). */
  file(): Promise<string> {
    return this.once('file', async () => {
      const a = await this.user('a');
      return this.step(P.uploadToken, async () => World.need(await this.api.as(a).call('POST /files/upload-token', { body: { fileName: 'world.png', fileSize: 16, mimeType: 'image/png', fileType: 'image' }, expect: 'success' }), 'fileId', 'POST /files/upload-token'));
    });
  }

  /** A ringing call from a to b. */
  call(): Promise<string> {
    return this.once('call', async () => {
      const [a, b] = [await this.user('a'), await this.user('b')];
      return this.step(P.call, async () => World.need(await this.api.as(a).call('POST /rtc/calls', { body: { calleeId: b.userId, callType: 'audio' }, expect: 'success' }), 'callId', 'POST /rtc/calls'));
    });
  }

  /** An active meeting created by a, no password. */
  meeting(): Promise<string> {
    return this.once('meeting', async () => {
      const a = await this.user('a');
      return this.step(P.meeting, async () => World.need(await this.api.as(a).call('POST /rtc/meetings', { body: { title: 'world meeting' }, expect: 'success' }), 'meeting.roomId', 'POST /rtc/meetings'));
    });
  }

  /** b's session for G after a sent one message over WebSocket; undefined without a WebSocket fixture. */
  session(): Promise<string | undefined> {
    return this.once('session', async () => {
      if (!this.ws) return undefined;
      const g = await this.group();
      const [a, b] = [await this.user('a'), await this.user('b')];
      await this.step(P.wsSend, async () => {
        const conn = await this.ws!.connect(a);
        await conn.sendMessage({ conversationId: g, conversationType: 'group', content: content(this.target, 'world message'), localId: `w-${Date.now()}` });
      });
      return this.step(P.session, async () => {
        const sid = await findSession(this.api, b, g);
        if (!sid) fail({ message: "no session for the group in B's GET /sessions after a message", expected: `a session with sessionId or targetId ${g}`, cite: opCite('GET /sessions') });
        return sid;
      });
    });
  }

  /** The admin token (only when credentials are configured). */
  admin(): Promise<string> {
    return this.once('admin', async () => this.step(ADMIN_LOGIN, async () => (await adminClient(this.api, this.target)).token));
  }

  /**
   * A valid request for `key` in this world, or undefined when the op needs what this run cannot provide
   * (admin credentials, a WebSocket for sessions) or an assumed setup step failed (recorded in `unavailable`).
   */
  async request(key: string): Promise<ValidRequest | undefined> {
    try {
      return await this.build(key);
    } catch (e) {
      if (e instanceof Unavailable) {
        this.unavailable.set(key, { reason: e.reason, owner: e.owner });
        return undefined;
      }
      throw e;
    }
  }

  /** The first reason an operation was unavailable (to block a check that could judge none). */
  firstUnavailable(): { reason: string; owner: string } | undefined {
    return this.unavailable.values().next().value;
  }

  private async build(key: string): Promise<ValidRequest | undefined> {
    const t = this.target;
    const u = (n: UserName) => this.user(n);
    const seq = async () => ({ conversationSeqs: [{ conversationId: await this.group(), conversationType: 'group', lastSeq: 0 }] });
    const adminOnly = async (base: RequestParts): Promise<ValidRequest | undefined> => {
      if (!t.admin) { this.unavailable.set(key, { reason: 'no admin credentials were given', owner: 'REST.AD1' }); return undefined; }
      return { as: await this.admin(), base };
    };
    const sessionOp = async (body?: unknown): Promise<ValidRequest | undefined> => {
      const sid = await this.session();
      if (!sid) { this.unavailable.set(key, { reason: 'no session: needs the WebSocket fixture to send a message', owner: 'REST.M1' }); return undefined; }
      return { as: await u('b'), base: { params: { sessionId: sid }, ...(body !== undefined ? { body } : {}) } };
    };
    switch (key) {
      case 'POST /auth/register': return { as: null, base: { body: registerBody(t, userSeed(t, this.worker, { nickname: 'wreg' })) } };
      case 'POST /auth/login': return { as: null, base: { body: loginBody(t, await u('a')) } };
      case 'POST /auth/refresh': return { as: null, base: { body: { refreshToken: (await u('victim')).refreshToken } } };
      case 'POST /auth/logout': return { as: await u('victim'), base: { body: { deviceId: (await u('victim')).deviceId } } };
      case 'POST /auth/password/change': { const v = await u('victim'); return { as: v, base: { body: { oldPassword: v.password, newPassword: `Cc3${v.password.slice(3)}` } } }; }
      case 'GET /users/me': case 'GET /users/me/settings': return { as: await u('a'), base: {} };
      case 'PUT /users/me': return { as: await u('a'), base: { body: { signature: 'world', gender: 1 } } };
      case 'PUT /users/me/settings': return { as: await u('a'), base: { body: { soundEnabled: true, language: 'en-US' } } };
      case 'POST /users/me/push-token': { const a = await u('a'); return { as: a, base: { body: { deviceId: a.deviceId, pushToken: 'world-token', platform: enumValue('platform') } } }; }
      case 'GET /users/search': return { as: await u('a'), base: { query: { keyword: (await u('b')).nickname } } };
      case 'GET /users/{userId}': return { as: await u('a'), base: { params: { userId: (await u('b')).userId } } };
      case 'GET /friends': case 'GET /friends/blacklist': return { as: await u('a'), base: {} };
      case 'GET /friends/requests': return { as: await u('a'), base: { query: { type: 'received' } } };
      case 'POST /friends/requests': return { as: await u('a'), base: { body: { userId: (await u('d')).userId, message: 'hi', source: 'search' } } };
      case 'PUT /friends/requests/{id}': return { as: await u('a'), base: { params: { id: await this.pendingFriendRequest() }, body: { action: 'accept' } } };
      case 'DELETE /friends/{id}': await this.friends(); return { as: await u('a'), base: { params: { id: (await u('b')).userId } } };
      case 'PUT /friends/{id}/remark': await this.friends(); return { as: await u('a'), base: { params: { id: (await u('b')).userId }, body: { remark: 'pal' } } };
      case 'POST /friends/blacklist': return { as: await u('a'), base: { body: { userId: (await u('d')).userId } } };
      case 'DELETE /friends/blacklist/{id}': return { as: await u('a'), base: { params: { id: (await u('d')).userId } } };
      case 'GET /groups': return { as: await u('a'), base: {} };
      case 'POST /groups': return { as: await u('a'), base: { body: { name: 'world group', memberIds: [(await u('b')).userId] } } };
      case 'GET /groups/{id}': case 'GET /groups/{id}/members': return { as: await u('a'), base: { params: { id: await this.group() } } };
      case 'PUT /groups/{id}': return { as: await u('a'), base: { params: { id: await this.group() }, body: { name: 'world group 2', announcement: 'hello' } } };
      case 'DELETE /groups/{id}': return { as: await u('a'), base: { params: { id: await this.openGroup() } } };
      case 'POST /groups/{id}/join': return { as: await u('d'), base: { params: { id: await this.openGroup() }, body: { message: 'hello' } } };
      case 'POST /groups/{id}/members': return { as: await u('a'), base: { params: { id: await this.group() }, body: { userIds: [(await u('d')).userId] } } };
      case 'DELETE /groups/{id}/members/{userId}': return { as: await u('a'), base: { params: { id: await this.group(), userId: (await u('c')).userId } } };
      case 'PUT /groups/{id}/members/{userId}/role': return { as: await u('a'), base: { params: { id: await this.group(), userId: (await u('c')).userId }, body: { role: 'admin' } } };
      case 'PUT /groups/{id}/nickname': return { as: await u('b'), base: { params: { id: await this.group() }, body: { nickname: 'bee' } } };
      case 'POST /groups/{id}/quit': return { as: await u('b'), base: { params: { id: await this.openGroup() } } };
      case 'GET /groups/{id}/requests': return { as: await u('a'), base: { params: { id: (await this.verifyGroup()).groupId }, query: { status: 'pending' } } };
      case 'PUT /groups/{id}/requests/{requestId}': { const h = await this.verifyGroup(); return { as: await u('a'), base: { params: { id: h.groupId, requestId: h.requestId }, body: { accept: true } } }; }
      case 'POST /groups/{id}/transfer': return { as: await u('a'), base: { params: { id: await this.group() }, body: { newOwnerId: (await u('b')).userId } } };
      case 'GET /sessions': return { as: await u('b'), base: { query: { limit: 20 } } };
      case 'GET /sessions/unread/total': return { as: await u('b'), base: {} };
      case 'GET /sessions/{sessionId}': case 'DELETE /sessions/{sessionId}': case 'POST /sessions/{sessionId}/read': return sessionOp();
      case 'PUT /sessions/{sessionId}/mute': return sessionOp({ muted: true });
      case 'PUT /sessions/{sessionId}/pin': return sessionOp({ pinned: true });
      case 'POST /sync': return { as: await u('a'), base: { body: { lastSyncTime: 0 } } };
      case 'POST /sync/messages': return { as: await u('a'), base: { body: await seq() } };
      case 'GET /files': return { as: await u('a'), base: { query: { page: 1, pageSize: 20 } } };
      case 'POST /files/upload-token': return { as: await u('a'), base: { body: { fileName: 'n.png', fileSize: 10, mimeType: 'image/png', fileType: 'image' } } };
      case 'GET /files/{fileId}': case 'DELETE /files/{fileId}': case 'POST /files/{fileId}/complete': case 'GET /files/{fileId}/download':
        return { as: await u('a'), base: { params: { fileId: await this.file() } } };
      case 'GET /rtc/calls': case 'GET /rtc/meetings': return { as: await u('a'), base: { query: { page: 1, pageSize: 20 } } };
      case 'POST /rtc/calls': return { as: await u('a'), base: { body: { calleeId: (await u('c')).userId, callType: 'audio' } } };
      case 'GET /rtc/calls/{callId}': case 'POST /rtc/calls/{callId}/end': return { as: await u('a'), base: { params: { callId: await this.call() } } };
      case 'POST /rtc/calls/{callId}/join': case 'POST /rtc/calls/{callId}/reject': return { as: await u('b'), base: { params: { callId: await this.call() } } };
      case 'POST /rtc/meetings': return { as: await u('a'), base: { body: { title: 'neg meeting' } } };
      case 'GET /rtc/meetings/{roomId}': case 'POST /rtc/meetings/{roomId}/end': return { as: await u('a'), base: { params: { roomId: await this.meeting() } } };
      case 'POST /rtc/meetings/{roomId}/join': return { as: await u('b'), base: { params: { roomId: await this.meeting() }, body: {} } };
      case 'POST /admin/auth/login': return t.admin ? { as: null, base: { body: { username: t.admin.user, password: t.admin.password } } } : { as: null, base: { body: { username: 'admin', password: 'wrong-password-1' } } };
      case 'POST /admin/auth/logout': case 'GET /admin/admins': case 'GET /admin/config': case 'GET /admin/stats/overview': return adminOnly({});
      case 'GET /admin/audit-logs': case 'GET /admin/users': return adminOnly({ query: { page: 1, pageSize: 20 } });
      case 'POST /admin/admins': return adminOnly({ body: { username: `cf${t.runId}${Date.now() % 1e6}`, password: 'Admin@1234567', role: 'admin' } });
      case 'PUT /admin/admins/{adminId}/status': return adminOnly({ params: { adminId: 'nx-admin' }, body: { status: 1 } });
      case 'PUT /admin/config/{key}': return adminOnly({ params: { key: `conform.${t.runId}` }, body: { value: 'v' } });
      case 'GET /admin/groups/{groupId}': case 'DELETE /admin/groups/{groupId}': return adminOnly({ params: { groupId: t.admin ? await this.openGroup() : 'nx' } });
      case 'GET /admin/users/{userId}': case 'POST /admin/users/{userId}/unban': return adminOnly({ params: { userId: t.admin ? (await u('banned')).userId : 'nx' } });
      case 'POST /admin/users/{userId}/ban': return adminOnly({ params: { userId: t.admin ? (await u('banned')).userId : 'nx' }, body: { reason: 'conformance' } });
      default: return undefined;
    }
  }
}

/** The session of conversation `conversationId` in `u`'s GET /sessions (sessionId or targetId match), polled briefly. */
export async function findSession(api: RestApi, u: TestUser, conversationId: string, timeoutMs = 3000): Promise<string | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.as(u).call('GET /sessions', { expect: 'success' });
    const sessions = list(res.data, 'sessions') ?? [];
    const s = sessions.find((x) => str(x, 'sessionId') === conversationId || str(x, 'targetId') === conversationId);
    if (s) return str(s, 'sessionId');
    if (Date.now() > until) return undefined;
    await new Promise((r) => setTimeout(r, 150));
  }
}
