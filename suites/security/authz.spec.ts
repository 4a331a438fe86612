import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import { field, str } from '../../fixtures/read.js';
import type { RestApi, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import { check } from '../check.js';
import { block, content, requireAdminConfigured, enumIs, expectAuthRejection, idsOf, makeGroup, member, members, opCite, P, prereq, requestIdOf, sampleRequest, securedOps, sweep, visibleList } from '../rest/support.js';
import { putBytes } from '../rest/tour.js';
import { findSession } from '../rest/world.js';
import { adminScope } from './scope.js';

/**
 * SEC.AUTHZ.<area>: a properly authenticated user cannot read or change what belongs to another user, a non-member
 * cannot see a group's members or join requests, a member cannot take owner actions, a user cannot call admin routes.
 * A denial is any failure envelope (403 or 404 where declared; undeclared 403/404 tolerated with a warning); where an
 * operation may legitimately answer success as a no-op, the check verifies the victim's state did not change.
 */

const DENIED = [403, 404];

async function denied(api: RestApi, who: TestUser, key: string, opts: { params?: Record<string, string | number>; body?: unknown; query?: Record<string, string | number> }, why: string): Promise<void> {
  await api.as(who).call(key, { ...opts, expect: 'failure', why, allowStatus: DENIED, cite: opCite(key) });
}

check({
  id: 'SEC.AUTHZ.profile', level: 'MUST', cites: [opCite('GET /users/me'), opCite('GET /users/me/settings'), opCite('PUT /users/me/settings')],
  title: "/users/me and /users/me/settings are the caller's own: X's calls return X and never change Y",
}, async ({ api, newUser }) => {
  const [x, y] = await Promise.all([newUser(), newUser()]);
  const yBefore = await api.as(y).call('GET /users/me/settings', { expect: 'success' });
  const me = await api.as(x).call('GET /users/me', { expect: 'success' });
  expectEqual(str(me.data, 'userId') ?? null, x.userId, "userId of X's GET /users/me", opCite('GET /users/me'));
  const settings = await api.as(x).call('PUT /users/me/settings', { body: { soundEnabled: !(field(yBefore.data, 'soundEnabled') ?? false), language: 'en-US' }, expect: 'success' });
  const settingsUser = str(settings.data, 'userId');
  expectThat(settingsUser === undefined || settingsUser === x.userId, { message: "X's settings update answers with another user's settings", expected: x.userId, observed: settings.data ?? null, cite: opCite('PUT /users/me/settings'), replay: settings.replay });
  await api.as(x).call('PUT /users/me', { body: { signature: 'x only' }, expect: 'success' });
  const yAfter = await api.as(y).call('GET /users/me/settings', { expect: 'success' });
  expectEqual(yAfter.data, yBefore.data, "Y's settings after X changed X's own", opCite('PUT /users/me/settings'));
  const yMe = await api.as(y).call('GET /users/me', { expect: 'success' });
  expectEqual(str(yMe.data, 'userId') ?? null, y.userId, "userId of Y's GET /users/me", opCite('GET /users/me'));
  expectThat(str(yMe.data, 'signature') !== 'x only', { message: "X's profile update changed Y's profile", expected: "Y's own signature", observed: yMe.data, cite: opCite('PUT /users/me'), replay: yMe.replay });
});

check({
  id: 'SEC.AUTHZ.files', level: 'MUST', assumed: true, cites: [opCite('GET /files/{fileId}', 'responses', '403'), opCite('DELETE /files/{fileId}', 'responses', '403'), opCite('GET /files/{fileId}/download', 'responses', '403')],
  title: "another user cannot read, download, complete or delete X's file, nor see it in GET /files",
}, async ({ api, target, recorder, newUser }) => {
  const [x, y] = await Promise.all([newUser(), newUser()]);
  const bytes = Buffer.from('private bytes');
  const tok = await prereq(P.uploadToken, async () => {
    const res = await api.as(x).call('POST /files/upload-token', { body: { fileName: 'secret.txt', fileSize: bytes.length, mimeType: 'text/plain', fileType: 'file' }, expect: 'success' });
    const id = str(res.data, 'fileId');
    if (!id) fail({ message: 'POST /files/upload-token returned no fileId', expected: 'data.fileId', observed: res.data ?? null, cite: opCite('POST /files/upload-token'), replay: res.replay });
    return { fileId: id, uploadUrl: str(res.data, 'uploadUrl') ?? '' };
  });
  const fileId = tok.fileId;
  if (target.filesUpload) {
    await prereq(P.fileUpload, async () => {
      await putBytes(tok.uploadUrl, bytes, 'text/plain', target.timeoutMs, recorder);
      await api.as(x).call('POST /files/{fileId}/complete', { params: { fileId }, expect: 'success' });
    });
  }
  await denied(api, y, 'GET /files/{fileId}', { params: { fileId } }, "for another user's file");
  await denied(api, y, 'GET /files/{fileId}/download', { params: { fileId } }, "for another user's file");
  await denied(api, y, 'DELETE /files/{fileId}', { params: { fileId } }, "for another user's file");
  if (!target.filesUpload) await denied(api, y, 'POST /files/{fileId}/complete', { params: { fileId } }, "for another user's file");
  const list = await api.as(y).call('GET /files', { expect: 'success' });
  const fid = (f: unknown) => str(f, 'fileId');
  expectThat(!idsOf(visibleList(list, 'GET /files', 'files', fid, 'fileId'), fid).includes(fileId), { message: "Y's GET /files lists X's file", expected: 'absent', observed: list.data ?? null, cite: opCite('GET /files'), replay: list.replay });
  const own = await api.as(x).call('GET /files/{fileId}', { params: { fileId }, expect: 'success', why: "after another user's attempts" });
  expectEqual(str(own.data, 'fileId') ?? null, fileId, "X's file after Y's attempts", opCite('GET /files/{fileId}'));
});

check({
  id: 'SEC.AUTHZ.sessions', level: 'SHOULD', cites: [opCite('GET /sessions/{sessionId}'), 'anychat.session.Session.user_id'],
  title: "an outsider cannot read X's session, and pin/mute/read/delete by the outsider leave X's session unchanged",
}, async ({ api, ws, target, newUser }) => {
  const [x, z, y] = await Promise.all([newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, z, [x]);
  await prereq(P.wsSend, async () => {
    const conn = await ws.connect(z);
    await conn.sendMessage({ conversationId: g.groupId, conversationType: 'group', content: content(target, 'for members only'), localId: `authz-${Date.now()}` });
  });
  const sid = await prereq(P.session, async () => {
    const found = await findSession(api, x, g.groupId);
    if (!found) fail({ message: "no session for the group in X's GET /sessions", expected: 'a session', cite: opCite('GET /sessions') });
    return found;
  });
  const before = await api.as(x).call('GET /sessions/{sessionId}', { params: { sessionId: sid }, expect: 'success' });
  await api.as(y).call('GET /sessions/{sessionId}', { params: { sessionId: sid }, expect: 'failure', why: "for another user's session", allowStatus: DENIED, cite: opCite('GET /sessions/{sessionId}') });
  for (const [key, body] of [['PUT /sessions/{sessionId}/pin', { pinned: true }], ['PUT /sessions/{sessionId}/mute', { muted: true }], ['POST /sessions/{sessionId}/read', undefined], ['DELETE /sessions/{sessionId}', undefined]] as const) {
    await api.as(y).call(key, { params: { sessionId: sid }, ...(body ? { body } : {}), allowStatus: DENIED });
  }
  const after = await api.as(x).call('GET /sessions/{sessionId}', { params: { sessionId: sid }, expect: 'success', why: "after an outsider's attempts" });
  for (const f of ['isPinned', 'isMuted', 'unreadCount'] as const) {
    expectEqual(field(after.data, f) ?? null, field(before.data, f) ?? null, `X's session ${f} after an outsider's pin/mute/read/delete`, opCite('GET /sessions/{sessionId}'));
  }
});

check({
  id: 'SEC.AUTHZ.calls', level: 'SHOULD', cites: [opCite('GET /rtc/calls/{callId}'), 'anychat.rtc.GetCallSessionRequest'],
  title: "a third user cannot read, join, reject or end a call between two others",
}, async ({ api, newUser }) => {
  const [a, b, c] = await Promise.all([newUser(), newUser(), newUser()]);
  const callId = await prereq(P.call, async () => {
    const res = await api.as(a).call('POST /rtc/calls', { body: { calleeId: b.userId, callType: 'audio' }, expect: 'success' });
    const id = str(res.data, 'callId');
    if (!id) fail({ message: 'POST /rtc/calls returned no callId', expected: 'data.callId', observed: res.data ?? null, cite: opCite('POST /rtc/calls'), replay: res.replay });
    return id;
  });
  await denied(api, c, 'GET /rtc/calls/{callId}', { params: { callId } }, 'by a user who is not a party');
  await denied(api, c, 'POST /rtc/calls/{callId}/join', { params: { callId } }, 'by a user who is not the callee');
  await denied(api, c, 'POST /rtc/calls/{callId}/reject', { params: { callId } }, 'by a user who is not the callee');
  await denied(api, c, 'POST /rtc/calls/{callId}/end', { params: { callId } }, 'by a user who is not a party');
  const history = await api.as(c).call('GET /rtc/calls', { expect: 'success' });
  const cid = (c: unknown) => str(c, 'callId');
  expectThat(!idsOf(visibleList(history, 'GET /rtc/calls', 'sessions', cid, 'callId'), cid).includes(callId), { message: "a third user's call history lists the call", expected: 'absent', observed: history.data ?? null, cite: opCite('GET /rtc/calls'), replay: history.replay });
  const after = await api.as(a).call('GET /rtc/calls/{callId}', { params: { callId }, expect: 'success' });
  expectThat(enumIs('anychat.rtc.CallStatus', 'ringing', field(after.data, 'status')), { message: "the call is no longer ringing after a third user's attempts", expected: 'RINGING', observed: after.data ?? null, cite: 'anychat.rtc.CallSession.status', replay: after.replay });
});

check({
  id: 'SEC.AUTHZ.group-members', level: 'SHOULD', cites: opCite('GET /groups/{id}/members'),
  title: "a non-member cannot read a group's member list",
}, async ({ api, newUser }) => {
  const [a, b, y] = await Promise.all([newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  await denied(api, y, 'GET /groups/{id}/members', { params: { id: g.groupId } }, 'by a non-member');
});

check({
  id: 'SEC.AUTHZ.group-requests', level: 'MUST', cites: [opCite('GET /groups/{id}/requests', 'responses', '403'), opCite('PUT /groups/{id}/requests/{requestId}', 'responses', '403')],
  title: 'neither a non-member nor a plain member can list or handle join requests',
}, async ({ api, newUser }) => {
  const [a, b, d, y] = await Promise.all([newUser(), newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, a, [b], { joinVerify: true });
  const join = await prereq(P.joinVerify, () => api.as(d).call('POST /groups/{id}/join', { params: { id: g.groupId }, body: { message: 'authz' }, expect: 'success' }));
  const rid = requestIdOf(field(join.data, 'requestId'));
  for (const [who, what] of [[y, 'a non-member'], [b, 'a plain member']] as const) {
    await denied(api, who, 'GET /groups/{id}/requests', { params: { id: g.groupId } }, `by ${what}`);
    if (rid !== undefined) await denied(api, who, 'PUT /groups/{id}/requests/{requestId}', { params: { id: g.groupId, requestId: rid }, body: { accept: true } }, `by ${what}`);
  }
  const { list, res } = await members(api.as(a), g.groupId);
  if (!member(list, a.userId)) block('the members list does not show the owner, so the absence of D proves nothing', 'REST.G4');
  expectThat(!member(list, d.userId), { message: 'the join request was approved by someone without the right', expected: 'D not a member', observed: res.data, cite: opCite('PUT /groups/{id}/requests/{requestId}', 'responses', '403'), replay: res.replay });
});

check({
  id: 'SEC.AUTHZ.owner-actions', level: 'MUST', cites: [opCite('PUT /groups/{id}', 'responses', '403'), opCite('DELETE /groups/{id}', 'responses', '403'), opCite('POST /groups/{id}/transfer', 'responses', '403'), opCite('PUT /groups/{id}/members/{userId}/role', 'responses', '403'), opCite('DELETE /groups/{id}/members/{userId}', 'responses', '403')],
  title: 'a plain member cannot update, dissolve, transfer, change roles or remove members; an admin cannot take owner-only actions',
}, async ({ api, newUser }) => {
  const [o, adm, m, n] = await Promise.all([newUser(), newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, o, [adm, m, n]);
  await prereq(P.role, () => api.as(o).call('PUT /groups/{id}/members/{userId}/role', { params: { id: g.groupId, userId: adm.userId }, body: { role: 'admin' }, expect: 'success' }));
  const id = g.groupId;
  await denied(api, m, 'PUT /groups/{id}', { params: { id }, body: { name: 'taken over' } }, 'by a plain member');
  await denied(api, m, 'DELETE /groups/{id}', { params: { id } }, 'by a plain member');
  await denied(api, m, 'POST /groups/{id}/transfer', { params: { id }, body: { newOwnerId: m.userId } }, 'by a plain member');
  await denied(api, m, 'PUT /groups/{id}/members/{userId}/role', { params: { id, userId: m.userId }, body: { role: 'admin' } }, 'by a plain member (self-promotion)');
  await denied(api, m, 'DELETE /groups/{id}/members/{userId}', { params: { id, userId: n.userId } }, 'by a plain member');
  await denied(api, adm, 'DELETE /groups/{id}', { params: { id } }, 'by an admin (owner only)');
  await denied(api, adm, 'POST /groups/{id}/transfer', { params: { id }, body: { newOwnerId: adm.userId } }, 'by an admin (owner only)');
  await denied(api, adm, 'PUT /groups/{id}/members/{userId}/role', { params: { id, userId: n.userId }, body: { role: 'admin' } }, 'by an admin (owner only)');
  const info = await api.as(o).call('GET /groups/{id}', { params: { id }, expect: 'success' });
  expectEqual(str(info.data, 'ownerId') ?? null, o.userId, 'ownerId after the attempts', opCite('GET /groups/{id}'));
  const { list, res } = await members(api.as(o), id);
  if (!member(list, o.userId)) block('the members list does not show the owner, so the members after the attempts cannot be judged', 'REST.G4');
  expectThat(!!member(list, m.userId), { message: 'the plain member is gone from the members list after the attempts', expected: `members[] with ${m.userId}`, observed: res.data ?? null, cite: opCite('GET /groups/{id}/members'), replay: res.replay });
  expectEqual(str(member(list, m.userId), 'role') ?? null, 'member', "the plain member's role after the attempts", opCite('GET /groups/{id}/members'));
  expectThat(!!member(list, n.userId), { message: 'a member was removed by someone without the right', expected: 'N still a member', observed: res.data ?? null, cite: opCite('DELETE /groups/{id}/members/{userId}', 'responses', '403'), replay: res.replay });
});

check({
  id: 'SEC.AUTHZ.admin', level: 'MUST', cites: securedOps(true).map((k) => opCite(k, 'security')),
  title: 'a user access token cannot call any admin route',
}, async ({ api, target, recorder, newUser }) => {
  // Admin operations are in scope only when admin is configured (else skipped) and reachable (else blocked by REST.AD1).
  requireAdminConfigured(target);
  const scope = await adminScope({ api, target, recorder });
  if (!('token' in scope)) block(`admin operations are out of scope: ${scope.reason}`, scope.owner ?? 'REST.AD1');
  const ops = securedOps(true);
  const u = await newUser();
  await sweep(ops, (k) => k, async (key) => {
    const res = await api.as(u).call(key, { ...sampleRequest(key, target.seed), allowStatus: [401, 403] });
    expectAuthRejection(res, key, target, 'a user access token', opCite(key, 'security'));
  });
});
