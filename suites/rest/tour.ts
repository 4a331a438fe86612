import { ConformanceFailure, fail } from '../../fixtures/failure.js';
import type { Recorder } from '../../fixtures/recorder.js';
import type { RestApi, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import type { Violation } from '../../fixtures/rest-validate.js';
import type { Target } from '../../fixtures/target.js';
import { firstLine, knownBroken, markBroken, PrerequisiteBroken } from '../../fixtures/prereq.js';
import { field, str } from '../../fixtures/read.js';
import { REGISTER } from '../../fixtures/rest.js';
import { adminClient, enumValue, loginBody, newDeviceId, registerUser } from '../../fixtures/users.js';
import type { WsConnector } from '../../fixtures/ws.js';
import { content, findRequest, opCite, requestIdOf } from './support.js';
import { findSession } from './world.js';

/**
 * The happy tour: every operation of the contract called once with a valid request, in an order where each has what
 * it needs. The api collects contract violations instead of throwing, so REST.HG1–HG4 each judge their own rule over
 * the same exchanges. A step whose call fails is recorded (and steps that needed its result fail after it).
 */
export interface TourResult {
  violations: Violation[];
  /** Operation → the failure of its step (an error envelope on a valid request, or a missing prerequisite). */
  stepFailures: Map<string, string>;
  /** Operations answered with a success envelope. */
  succeeded: Set<string>;
  /** Operations not attempted, with why (no admin credentials, no WebSocket, files upload off). */
  notRun: Map<string, string>;
  /** Set when the tour could not start (its users could not be registered): the checks judging it are blocked. */
  blocked?: { reason: string; owner: string };
}

type TourDeps = { api: RestApi; target: Target; worker: number; ws?: WsConnector; recorder: Recorder };

let shared: { promise: Promise<TourResult>; by: string } | undefined;

/**
 * The tour, run once per worker process and judged by each of REST.HG1–HG4 (it is ~80 exchanges and 4 registrations;
 * running it four times would be most of those checks' cost). Its exchanges are recorded in the check that ran it;
 * the others note which one that was, and every violation carries its own replay command.
 */
export async function sharedTour(deps: TourDeps, checkTitle: string): Promise<TourResult> {
  if (!shared) shared = { promise: runTour(deps), by: checkTitle };
  else deps.recorder.warn(`the happy tour's exchanges are recorded in "${shared.by}" (shared within this worker)`);
  return shared.promise;
}

export async function runTour(deps: TourDeps): Promise<TourResult> {
  const { target } = deps;
  const violations: Violation[] = [];
  const api = deps.api.collecting(violations);
  const result: TourResult = { violations, stepFailures: new Map(), succeeded: new Set(), notRun: new Map() };

  const call = async (who: TestUser | string | null, key: string, opts: Parameters<ReturnType<RestApi['as']>['call']>[1] = {}): Promise<RestResponse> => {
    try {
      const res = await api.as(who).call(key, { ...opts, expect: 'success' });
      result.succeeded.add(key);
      return res;
    } catch (e) {
      if (!result.stepFailures.has(key)) result.stepFailures.set(key, e instanceof ConformanceFailure ? e.detail.message : (e as Error).message);
      throw e;
    }
  };
  /** Run a group of dependent steps; a failure stops the group (later ops are recorded as blocked). */
  const steps = async (name: string, keys: string[], fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      const why = (e instanceof ConformanceFailure ? e.detail.message : (e as Error).message).split('\n')[0];
      for (const k of keys) if (!result.succeeded.has(k) && !result.stepFailures.has(k)) result.stepFailures.set(k, `not reached: an earlier step of "${name}" failed: ${why}`);
    }
  };
  /** A value the next steps need (an id the contract types but does not mark required, contract-notes I8). */
  const id = (res: RestResponse, path: string): string => {
    const v = str(res.data, path);
    if (v === undefined) fail({ message: `tour: data.${path} missing`, expected: `data.${path}`, observed: res.data ?? null, replay: res.replay });
    return v;
  };

  const reg = async () => {
    const u = await registerUser(api, target, deps.worker, { nickname: 'tour' });
    result.succeeded.add('POST /auth/register');
    return u;
  };
  let a!: TestUser, b!: TestUser, c!: TestUser, d!: TestUser;
  const known = knownBroken(REGISTER.key);
  if (known) return { ...result, blocked: { reason: known.reason, owner: known.owner } };
  try {
    [a, b, c, d] = await Promise.all([reg(), reg(), reg(), reg()]);
  } catch (e) {
    const [reason, owner] = e instanceof PrerequisiteBroken ? [e.reason, e.owner] : [`${REGISTER.what} failed: ${firstLine(e)}`, REGISTER.owner];
    markBroken({ ...REGISTER, owner, reason });
    return { ...result, blocked: { reason, owner } };
  }

  await steps('auth', ['POST /auth/login', 'POST /auth/refresh'], async () => {
    await call(null, 'POST /auth/login', { body: loginBody(target, a) });
    const second = await call(null, 'POST /auth/login', { body: loginBody(target, a, 'email', newDeviceId(target.runId)) });
    await call(null, 'POST /auth/refresh', { body: { refreshToken: str(second.data, 'refreshToken') } });
  });

  await steps('users', ['GET /users/me', 'PUT /users/me', 'GET /users/me/settings', 'PUT /users/me/settings', 'POST /users/me/push-token', 'GET /users/search', 'GET /users/{userId}'], async () => {
    await call(a, 'GET /users/me');
    await call(a, 'PUT /users/me', { body: { signature: 'on tour', gender: 1, birthday: '1991-02-03T00:00:00Z' } });
    await call(a, 'GET /users/me/settings');
    await call(a, 'PUT /users/me/settings', { body: { soundEnabled: false } });
    await call(a, 'POST /users/me/push-token', { body: { deviceId: a.deviceId, pushToken: 'tour-token', platform: enumValue('platform') } });
    await call(a, 'GET /users/search', { query: { keyword: b.nickname } });
    await call(a, 'GET /users/{userId}', { params: { userId: b.userId } });
  });

  await steps('friends', ['POST /friends/requests', 'GET /friends/requests', 'PUT /friends/requests/{id}', 'GET /friends', 'PUT /friends/{id}/remark', 'DELETE /friends/{id}'], async () => {
    const sent = await call(a, 'POST /friends/requests', { body: { userId: b.userId, message: 'tour', source: 'search' } });
    const list = await call(b, 'GET /friends/requests', { query: { type: 'received' } });
    const rid = requestIdOf(field(sent.data, 'requestId')) ?? requestIdOf(field(findRequest(list.data, a.userId), 'id'));
    await call(b, 'PUT /friends/requests/{id}', { params: { id: rid ?? 0 }, body: { action: 'accept' } });
    await call(a, 'GET /friends');
    await call(a, 'PUT /friends/{id}/remark', { params: { id: b.userId }, body: { remark: 'tour pal' } });
    await call(a, 'DELETE /friends/{id}', { params: { id: b.userId } });
  });
  await steps('blacklist', ['POST /friends/blacklist', 'GET /friends/blacklist', 'DELETE /friends/blacklist/{id}'], async () => {
    await call(a, 'POST /friends/blacklist', { body: { userId: c.userId } });
    await call(a, 'GET /friends/blacklist');
    await call(a, 'DELETE /friends/blacklist/{id}', { params: { id: c.userId } });
  });

  let g = '';
  const groupOps = ['POST /groups', 'GET /groups', 'GET /groups/{id}', 'PUT /groups/{id}', 'POST /groups/{id}/members', 'GET /groups/{id}/members', 'PUT /groups/{id}/members/{userId}/role', 'PUT /groups/{id}/nickname', 'DELETE /groups/{id}/members/{userId}'];
  await steps('group', groupOps, async () => {
    g = id(await call(a, 'POST /groups', { body: { name: 'tour group', memberIds: [b.userId], joinVerify: false } }), 'groupId');
    await call(b, 'GET /groups');
    await call(b, 'GET /groups/{id}', { params: { id: g } });
    await call(a, 'PUT /groups/{id}', { params: { id: g }, body: { announcement: 'tour announcement' } });
    await call(a, 'POST /groups/{id}/members', { params: { id: g }, body: { userIds: [c.userId] } });
    await call(a, 'GET /groups/{id}/members', { params: { id: g } });
    await call(a, 'PUT /groups/{id}/members/{userId}/role', { params: { id: g, userId: c.userId }, body: { role: 'admin' } });
    await call(b, 'PUT /groups/{id}/nickname', { params: { id: g }, body: { nickname: 'tourist' } });
    await call(a, 'DELETE /groups/{id}/members/{userId}', { params: { id: g, userId: c.userId } });
  });

  // Messaging happens over WebSocket only (contract-notes I11); sessions exist once a message was sent.
  const sessionOps = ['GET /sessions/{sessionId}', 'PUT /sessions/{sessionId}/pin', 'PUT /sessions/{sessionId}/mute', 'POST /sessions/{sessionId}/read', 'DELETE /sessions/{sessionId}'];
  let sid: string | undefined;
  if (deps.ws && g) {
    await steps('messages', sessionOps, async () => {
      const conn = await deps.ws!.connect(a);
      await conn.sendMessage({ conversationId: g, conversationType: 'group', content: content(target, 'tour message'), localId: `tour-${Date.now()}` });
      sid = await findSession(api, b, g);
      if (!sid) fail({ message: "no session for the group in B's GET /sessions after a message", expected: `a session with sessionId or targetId ${g}`, cite: opCite('GET /sessions') });
    });
  } else for (const k of sessionOps) result.notRun.set(k, deps.ws ? 'no group' : 'needs the WebSocket fixture to create a session');
  await steps('sessions', ['GET /sessions', 'GET /sessions/unread/total', ...(sid ? sessionOps : [])], async () => {
    await call(b, 'GET /sessions');
    await call(b, 'GET /sessions/unread/total');
    if (sid) {
      await call(b, 'GET /sessions/{sessionId}', { params: { sessionId: sid } });
      await call(b, 'PUT /sessions/{sessionId}/pin', { params: { sessionId: sid }, body: { pinned: true } });
      await call(b, 'PUT /sessions/{sessionId}/mute', { params: { sessionId: sid }, body: { muted: true } });
      await call(b, 'POST /sessions/{sessionId}/read', { params: { sessionId: sid } });
    }
  });
  await steps('sync', ['POST /sync', 'POST /sync/messages'], async () => {
    await call(b, 'POST /sync', { body: { lastSyncTime: 0 } });
    await call(b, 'POST /sync/messages', { body: { conversationSeqs: g ? [{ conversationId: g, conversationType: 'group', lastSeq: 0 }] : [] } });
    if (sid) await call(b, 'DELETE /sessions/{sessionId}', { params: { sessionId: sid } });
  });
  await steps('group end', ['POST /groups/{id}/quit', 'POST /groups/{id}/join', 'GET /groups/{id}/requests', 'PUT /groups/{id}/requests/{requestId}', 'POST /groups/{id}/transfer', 'DELETE /groups/{id}'], async () => {
    if (g) await call(b, 'POST /groups/{id}/quit', { params: { id: g } });
    const h = id(await call(a, 'POST /groups', { body: { name: 'tour verify group', memberIds: [b.userId], joinVerify: true } }), 'groupId');
    const join = await call(d, 'POST /groups/{id}/join', { params: { id: h }, body: { message: 'tour join' } });
    await call(a, 'GET /groups/{id}/requests', { params: { id: h }, query: { status: 'pending' } });
    await call(a, 'PUT /groups/{id}/requests/{requestId}', { params: { id: h, requestId: requestIdOf(field(join.data, 'requestId')) ?? 0 }, body: { accept: true } });
    await call(a, 'POST /groups/{id}/transfer', { params: { id: h }, body: { newOwnerId: d.userId } });
    await call(d, 'DELETE /groups/{id}', { params: { id: h } });
  });

  const fileOps = ['POST /files/{fileId}/complete', 'GET /files/{fileId}', 'GET /files/{fileId}/download', 'DELETE /files/{fileId}'];
  await steps('files', ['POST /files/upload-token', 'GET /files', ...(target.filesUpload ? fileOps : [])], async () => {
    const bytes = Buffer.from('anychat-conform tour file');
    const tok = await call(a, 'POST /files/upload-token', { body: { fileName: 'tour.txt', fileSize: bytes.length, mimeType: 'text/plain', fileType: 'file' } });
    await call(a, 'GET /files');
    if (!target.filesUpload) { for (const k of fileOps) result.notRun.set(k, 'files upload is off (ANYCHAT_FILES_UPLOAD)'); return; }
    const fileId = id(tok, 'fileId');
    await putBytes(id(tok, 'uploadUrl'), bytes, 'text/plain', target.timeoutMs, deps.recorder);
    await call(a, 'POST /files/{fileId}/complete', { params: { fileId } });
    await call(a, 'GET /files/{fileId}', { params: { fileId } });
    await call(a, 'GET /files/{fileId}/download', { params: { fileId } });
    await call(a, 'DELETE /files/{fileId}', { params: { fileId } });
  });

  await steps('calls', ['POST /rtc/calls', 'GET /rtc/calls/{callId}', 'POST /rtc/calls/{callId}/join', 'POST /rtc/calls/{callId}/end', 'POST /rtc/calls/{callId}/reject', 'GET /rtc/calls'], async () => {
    const c1 = id(await call(a, 'POST /rtc/calls', { body: { calleeId: b.userId, callType: 'video' } }), 'callId');
    await call(b, 'GET /rtc/calls/{callId}', { params: { callId: c1 } });
    await call(b, 'POST /rtc/calls/{callId}/join', { params: { callId: c1 } });
    await call(a, 'POST /rtc/calls/{callId}/end', { params: { callId: c1 } });
    const c2 = id(await call(a, 'POST /rtc/calls', { body: { calleeId: b.userId, callType: 'audio' } }), 'callId');
    await call(b, 'POST /rtc/calls/{callId}/reject', { params: { callId: c2 } });
    await call(a, 'GET /rtc/calls');
  });
  await steps('meetings', ['POST /rtc/meetings', 'GET /rtc/meetings', 'GET /rtc/meetings/{roomId}', 'POST /rtc/meetings/{roomId}/join', 'POST /rtc/meetings/{roomId}/end'], async () => {
    const m = id(await call(a, 'POST /rtc/meetings', { body: { title: 'tour meeting', maxParticipants: 5 } }), 'meeting.roomId');
    await call(b, 'GET /rtc/meetings');
    await call(b, 'GET /rtc/meetings/{roomId}', { params: { roomId: m } });
    await call(b, 'POST /rtc/meetings/{roomId}/join', { params: { roomId: m }, body: {} });
    await call(a, 'POST /rtc/meetings/{roomId}/end', { params: { roomId: m } });
  });

  await steps('auth end', ['POST /auth/password/change', 'POST /auth/logout'], async () => {
    await call(c, 'POST /auth/password/change', { body: { oldPassword: c.password, newPassword: `Dd4${c.password.slice(3)}` } });
    await call(d, 'POST /auth/logout', { body: { deviceId: d.deviceId } });
  });

  const adminOps = ['POST /admin/auth/login', 'GET /admin/stats/overview', 'GET /admin/users', 'GET /admin/users/{userId}', 'POST /admin/users/{userId}/ban', 'POST /admin/users/{userId}/unban', 'GET /admin/config', 'PUT /admin/config/{key}', 'GET /admin/admins', 'POST /admin/admins', 'PUT /admin/admins/{adminId}/status', 'GET /admin/audit-logs', 'GET /admin/groups/{groupId}', 'DELETE /admin/groups/{groupId}', 'POST /admin/auth/logout'];
  if (!target.admin) for (const k of adminOps) result.notRun.set(k, 'no admin credentials');
  else {
    await steps('admin', adminOps, async () => {
      const { token } = await adminClient(api, target);
      result.succeeded.add('POST /admin/auth/login');
      await call(token, 'GET /admin/stats/overview');
      await call(token, 'GET /admin/users', { query: { keyword: a.nickname, page: 1, pageSize: 20 } });
      await call(token, 'GET /admin/users/{userId}', { params: { userId: a.userId } });
      await call(token, 'POST /admin/users/{userId}/ban', { params: { userId: b.userId }, body: { reason: 'tour' } });
      await call(token, 'POST /admin/users/{userId}/unban', { params: { userId: b.userId } });
      await call(token, 'GET /admin/config');
      await call(token, 'PUT /admin/config/{key}', { params: { key: `conform.tour.${target.runId}` }, body: { value: 'on' } });
      const username = `tour${target.runId}${Date.now() % 1e6}`;
      await call(token, 'POST /admin/admins', { body: { username, password: 'Tour@123456', role: 'admin' } });
      const admins = await call(token, 'GET /admin/admins');
      const entry = findDeep(admins.data, (o) => str(o, 'username') === username);
      const adminId = str(entry, 'adminId') ?? str(entry, 'id');
      await call(token, 'PUT /admin/admins/{adminId}/status', { params: { adminId: String(adminId ?? 'unknown') }, body: { status: 1 } });
      await call(token, 'GET /admin/audit-logs', { query: { page: 1, pageSize: 20 } });
      const og = id(await call(a, 'POST /groups', { body: { name: 'tour admin group', memberIds: [b.userId] } }), 'groupId');
      await call(token, 'GET /admin/groups/{groupId}', { params: { groupId: og } });
      await call(token, 'DELETE /admin/groups/{groupId}', { params: { groupId: og } });
      await call(token, 'POST /admin/auth/logout');
    });
  }
  return result;
}

/** The first object anywhere inside `v` satisfying `pred` (for untyped admin data). */
export function findDeep(v: unknown, pred: (o: any) => boolean, depth = 0): any {
  if (!v || typeof v !== 'object' || depth > 6) return undefined;
  if (!Array.isArray(v) && pred(v)) return v;
  for (const x of Object.values(v)) {
    const r = findDeep(x, pred, depth + 1);
    if (r) return r;
  }
  return undefined;
}

/** PUT bytes to a presigned upload URL (not a contract operation): recorded, with a timeout. */
export async function putBytes(url: string, bytes: Buffer, contentType: string, timeoutMs: number, recorder: Recorder): Promise<void> {
  const started = Date.now();
  const replay = `curl -sS -X PUT '${url}' -H 'Content-Type: ${contentType}' --data-binary @file`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-type': contentType }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    recorder.exchange({ protocol: 'rest', label: 'PUT uploadUrl', request: { url }, status: 'error', replay, durationMs: Date.now() - started });
    fail({ message: `PUT to the uploadUrl failed: ${(e as Error).message}`, expected: 'a 2xx answer from the presigned upload URL', observed: (e as Error).message, cite: opCite('POST /files/upload-token'), replay });
  }
  recorder.exchange({ protocol: 'rest', label: 'PUT uploadUrl', request: { url, bytes: bytes.length }, response: await res.text().catch(() => ''), status: res.status, replay, durationMs: Date.now() - started });
  if (res.status < 200 || res.status >= 300) fail({ message: `PUT to the uploadUrl answered HTTP ${res.status}`, expected: 'HTTP 2xx', observed: res.status, cite: opCite('POST /files/upload-token'), replay });
}
