import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import type { RestApi, TestUser } from '../../fixtures/rest-client.js';
import { check } from '../check.js';
import { assumedSetup, enumIs, expectAuthRejection, makeGroup, members, opCite, requestIdOf, sampleRequest, securedOps, sweep } from '../rest/support.js';
import { putBytes } from '../rest/tour.js';
import { findSession } from '../rest/world.js';

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
  expectEqual(me.data.userId, x.userId, "userId of X's GET /users/me", opCite('GET /users/me'));
  const settings = await api.as(x).call('PUT /users/me/settings', { body: { soundEnabled: !yBefore.data.soundEnabled, language: 'en-US' }, expect: 'success' });
  expectThat(settings.data.userId === undefined || settings.data.userId === x.userId, { message: "X's settings update answers with another user's settings", expected: x.userId, observed: settings.data, cite: opCite('PUT /users/me/settings'), replay: settings.replay });
  await api.as(x).call('PUT /users/me', { body: { signature: 'x only' }, expect: 'success' });
  const yAfter = await api.as(y).call('GET /users/me/settings', { expect: 'success' });
  expectEqual(yAfter.data, yBefore.data, "Y's settings after X changed X's own", opCite('PUT /users/me/settings'));
  const yMe = await api.as(y).call('GET /users/me', { expect: 'success' });
  expectEqual(yMe.data.userId, y.userId, "userId of Y's GET /users/me", opCite('GET /users/me'));
  expectThat(yMe.data.signature !== 'x only', { message: "X's profile update changed Y's profile", expected: "Y's own signature", observed: yMe.data, cite: opCite('PUT /users/me'), replay: yMe.replay });
});

check({
  id: 'SEC.AUTHZ.files', level: 'MUST', assumed: true, cites: [opCite('GET /files/{fileId}', 'responses', '403'), opCite('DELETE /files/{fileId}', 'responses', '403'), opCite('GET /files/{fileId}/download', 'responses', '403')],
  title: "another user cannot read, download, complete or delete X's file, nor see it in GET /files",
}, async ({ api, target, recorder, newUser }) => {
  const [x, y] = await Promise.all([newUser(), newUser()]);
  const bytes = Buffer.from('private bytes');
  const tok = await assumedSetup('upload-token', () => api.as(x).call('POST /files/upload-token', { body: { fileName: 'secret.txt', fileSize: bytes.length, mimeType: 'text/plain', fileType: 'file' }, expect: 'success' }));
  const fileId = tok.data.fileId;
  if (target.filesUpload) {
    await putBytes(tok.data.uploadUrl, bytes, 'text/plain', target.timeoutMs, recorder);
    await api.as(x).call('POST /files/{fileId}/complete', { params: { fileId }, expect: 'success' });
  }
  await denied(api, y, 'GET /files/{fileId}', { params: { fileId } }, "for another user's file");
  await denied(api, y, 'GET /files/{fileId}/download', { params: { fileId } }, "for another user's file");
  await denied(api, y, 'DELETE /files/{fileId}', { params: { fileId } }, "for another user's file");
  if (!target.filesUpload) await denied(api, y, 'POST /files/{fileId}/complete', { params: { fileId } }, "for another user's file");
  const list = await api.as(y).call('GET /files', { expect: 'success' });
  expectThat(!(list.data.files ?? []).some((f: any) => f?.fileId === fileId), { message: "Y's GET /files lists X's file", expected: 'absent', observed: list.data, cite: opCite('GET /files'), replay: list.replay });
  const own = await api.as(x).call('GET /files/{fileId}', { params: { fileId }, expect: 'success', why: "after another user's attempts" });
  expectEqual(own.data.fileId, fileId, "X's file after Y's attempts", opCite('GET /files/{fileId}'));
});

check({
  id: 'SEC.AUTHZ.sessions', level: 'SHOULD', cites: [opCite('GET /sessions/{sessionId}'), 'anychat.session.Session.user_id'],
  title: "an outsider cannot read X's session, and pin/mute/read/delete by the outsider leave X's session unchanged",
}, async ({ api, ws, newUser }) => {
  const [x, z, y] = await Promise.all([newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, z, [x]);
  const conn = await ws.connect(z);
  await conn.sendMessage({ conversationId: g.groupId, conversationType: 'group', content: 'for members only', localId: `authz-${Date.now()}` });
  const sid = await findSession(api, x, g.groupId);
  if (!sid) fail({ message: "no session for the group in X's GET /sessions", expected: 'a session', cite: opCite('GET /sessions') });
  const before = await api.as(x).call('GET /sessions/{sessionId}', { params: { sessionId: sid }, expect: 'success' });
  await api.as(y).call('GET /sessions/{sessionId}', { params: { sessionId: sid }, expect: 'failure', why: "for another user's session", allowStatus: DENIED, cite: opCite('GET /sessions/{sessionId}') });
  for (const [key, body] of [['PUT /sessions/{sessionId}/pin', { pinned: true }], ['PUT /sessions/{sessionId}/mute', { muted: true }], ['POST /sessions/{sessionId}/read', undefined], ['DELETE /sessions/{sessionId}', undefined]] as const) {
    await api.as(y).call(key, { params: { sessionId: sid }, ...(body ? { body } : {}), allowStatus: DENIED });
  }
  const after = await api.as(x).call('GET /sessions/{sessionId}', { params: { sessionId: sid }, expect: 'success', why: "after an outsider's attempts" });
  for (const f of ['isPinned', 'isMuted', 'unreadCount'] as const) {
    expectEqual(after.data[f] ?? null, before.data[f] ?? null, `X's session ${f} after an outsider's pin/mute/read/delete`, opCite('GET /sessions/{sessionId}'));
  }
});

check({
  id: 'SEC.AUTHZ.calls', level: 'SHOULD', cites: [opCite('GET /rtc/calls/{callId}'), 'anychat.rtc.GetCallSessionRequest'],
  title: "a third user cannot read, join, reject or end a call between two others",
}, async ({ api, newUser }) => {
  const [a, b, c] = await Promise.all([newUser(), newUser(), newUser()]);
  const res = await api.as(a).call('POST /rtc/calls', { body: { calleeId: b.userId, callType: 'audio' }, expect: 'success' });
  const callId = res.data.callId;
  await denied(api, c, 'GET /rtc/calls/{callId}', { params: { callId } }, 'by a user who is not a party');
  await denied(api, c, 'POST /rtc/calls/{callId}/join', { params: { callId } }, 'by a user who is not the callee');
  await denied(api, c, 'POST /rtc/calls/{callId}/reject', { params: { callId } }, 'by a user who is not the callee');
  await denied(api, c, 'POST /rtc/calls/{callId}/end', { params: { callId } }, 'by a user who is not a party');
  const history = await api.as(c).call('GET /rtc/calls', { expect: 'success' });
  expectThat(!(history.data.sessions ?? []).some((s: any) => s?.callId === callId), { message: "a third user's call history lists the call", expected: 'absent', observed: history.data, cite: opCite('GET /rtc/calls'), replay: history.replay });
  const after = await api.as(a).call('GET /rtc/calls/{callId}', { params: { callId }, expect: 'success' });
  expectThat(enumIs('anychat.rtc.CallStatus', 'ringing', after.data.status), { message: "the call is no longer ringing after a third user's attempts", expected: 'RINGING', observed: after.data, cite: 'anychat.rtc.CallSession.status', replay: after.replay });
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
  const join = await api.as(d).call('POST /groups/{id}/join', { params: { id: g.groupId }, body: { message: 'authz' }, expect: 'success' });
  const rid = requestIdOf(join.data.requestId);
  for (const [who, what] of [[y, 'a non-member'], [b, 'a plain member']] as const) {
    await denied(api, who, 'GET /groups/{id}/requests', { params: { id: g.groupId } }, `by ${what}`);
    if (rid !== undefined) await denied(api, who, 'PUT /groups/{id}/requests/{requestId}', { params: { id: g.groupId, requestId: rid }, body: { accept: true } }, `by ${what}`);
  }
  const { list, res } = await members(api.as(a), g.groupId);
  expectThat(!list.some((m) => m?.userId === d.userId), { message: 'the join request was approved by someone without the right', expected: 'D not a member', observed: res.data, cite: opCite('PUT /groups/{id}/requests/{requestId}', 'responses', '403'), replay: res.replay });
});

check({
  id: 'SEC.AUTHZ.owner-actions', level: 'MUST', cites: [opCite('PUT /groups/{id}', 'responses', '403'), opCite('DELETE /groups/{id}', 'responses', '403'), opCite('POST /groups/{id}/transfer', 'responses', '403'), opCite('PUT /groups/{id}/members/{userId}/role', 'responses', '403'), opCite('DELETE /groups/{id}/members/{userId}', 'responses', '403')],
  title: 'a plain member cannot update, dissolve, transfer, change roles or remove members; an admin cannot take owner-only actions',
}, async ({ api, newUser }) => {
  const [o, adm, m, n] = await Promise.all([newUser(), newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, o, [adm, m, n]);
  await api.as(o).call('PUT /groups/{id}/members/{userId}/role', { params: { id: g.groupId, userId: adm.userId }, body: { role: 'admin' }, expect: 'success' });
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
  expectEqual(info.data.ownerId, o.userId, 'ownerId after the attempts', opCite('GET /groups/{id}'));
  const { list } = await members(api.as(o), id);
  expectEqual(list.find((x) => x?.userId === m.userId)?.role, 'member', "the plain member's role after the attempts", opCite('GET /groups/{id}/members'));
  expectThat(list.some((x) => x?.userId === n.userId), { message: 'a member was removed by someone without the right', expected: 'N still a member', observed: list, cite: opCite('DELETE /groups/{id}/members/{userId}', 'responses', '403') });
});

check({
  id: 'SEC.AUTHZ.admin', level: 'MUST', cites: securedOps(true).map((k) => opCite(k, 'security')),
  title: 'a user access token cannot call any admin route',
}, async ({ api, target, newUser }) => {
  const u = await newUser();
  await sweep(securedOps(true), (k) => k, async (key) => {
    const res = await api.as(u).call(key, { ...sampleRequest(key, target.seed), allowStatus: [401, 403] });
    expectAuthRejection(res, key, target, 'a user access token', opCite(key, 'security'));
  });
});
