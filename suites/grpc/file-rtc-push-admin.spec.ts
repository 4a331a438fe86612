import { arrayWith, arrayWithout, expectResponse, is, nonEmpty, positive, rpcCheck } from './rpc-check.js';
import { users, type GrpcUser } from './world.js';
import type { GrpcClient } from '../../fixtures/grpc.js';

const FILE = 'file.FileService';
const RTC = 'anychat.rtc.RTCService';
const PUSH = 'anychat.push.PushService';
const ADMIN = 'anychat.admin.AdminService';

const absoluteUrl = (v: any) => typeof v === 'string' && /^https?:\/\/\S+$/.test(v);
const CALL_STATUS = ['CALL_STATUS_RINGING', 'CALL_STATUS_CONNECTED', 'CALL_STATUS_ENDED', 'CALL_STATUS_REJECTED', 'CALL_STATUS_MISSED', 'CALL_STATUS_CANCELLED'];

async function uploadToken(grpc: GrpcClient, u: GrpcUser, name = 'pic.png') {
  return grpc.ok(`${FILE}/GenerateUploadToken`, { user_id: u.user_id, file_name: name, file_size: 5, mime_type: 'image/png', file_type: 'image', expires_hours: 0 });
}

/** Upload bytes to the presigned URL when the run allows it, then complete the upload. */
async function uploadedFile(grpc: GrpcClient, u: GrpcUser, allowUpload: boolean) {
  const t = await uploadToken(grpc, u);
  if (allowUpload) await fetch(t.upload_url, { method: 'PUT', body: 'hello', signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  await grpc.ok(`${FILE}/CompleteUpload`, { file_id: t.file_id, user_id: u.user_id });
  return t.file_id as string;
}

rpcCheck(`${FILE}/GenerateUploadToken`, 'GenerateUploadToken returns a file id and an absolute upload URL', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  const r = await uploadToken(grpc, u!);
  expectResponse(`${FILE}/GenerateUploadToken`, r, [['file_id', nonEmpty, 'non-empty'], ['upload_url', absoluteUrl, 'an absolute URL'], ['expires_in', positive, '> 0']]);
});

rpcCheck(`${FILE}/CompleteUpload`, 'CompleteUpload activates the file (status 1)', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  const t = await uploadToken(grpc, u!);
  if (target.filesUpload) await fetch(t.upload_url, { method: 'PUT', body: 'hello', signal: AbortSignal.timeout(10_000) });
  const r = await grpc.ok(`${FILE}/CompleteUpload`, { file_id: t.file_id, user_id: u!.user_id });
  expectResponse(`${FILE}/CompleteUpload`, r, [['file_id', is(t.file_id), t.file_id], ['user_id', is(u!.user_id), u!.user_id], ['status', is(1), '1 (active)'], ['created_at', positive, '> 0']]);
});

rpcCheck(`${FILE}/GenerateDownloadURL`, 'GenerateDownloadURL returns an absolute URL', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  const id = await uploadedFile(grpc, u!, target.filesUpload);
  const r = await grpc.ok(`${FILE}/GenerateDownloadURL`, { file_id: id, user_id: u!.user_id, expires_minutes: 10 });
  expectResponse(`${FILE}/GenerateDownloadURL`, r, [['download_url', absoluteUrl, 'an absolute URL'], ['expires_in', positive, '> 0']]);
});

rpcCheck(`${FILE}/GetFileInfo`, 'GetFileInfo returns the metadata given at upload', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  const id = await uploadedFile(grpc, u!, target.filesUpload);
  const r = await grpc.ok(`${FILE}/GetFileInfo`, { file_id: id, user_id: u!.user_id });
  expectResponse(`${FILE}/GetFileInfo`, r, [['file_id', is(id), id], ['file_name', is('pic.png'), 'pic.png'], ['mime_type', is('image/png'), 'image/png'], ['file_type', is('image'), 'image']]);
});

rpcCheck(`${FILE}/DeleteFile`, 'DeleteFile succeeds and the file is gone', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  const id = await uploadedFile(grpc, u!, target.filesUpload);
  const r = await grpc.ok(`${FILE}/DeleteFile`, { file_id: id, user_id: u!.user_id });
  const after = await grpc.call(`${FILE}/GetFileInfo`, { file_id: id, user_id: u!.user_id });
  expectResponse(`${FILE}/DeleteFile`, { success: r.success, after: after.ok ? after.response.status : after.status }, [['success', is(true), 'true'], ['after', (v) => v === 'NOT_FOUND' || v === 0, 'NOT_FOUND or status 0 (deleted)']]);
});

rpcCheck(`${FILE}/ListUserFiles`, 'ListUserFiles lists the user\'s active files', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  const id = await uploadedFile(grpc, u!, target.filesUpload);
  const r = await grpc.ok(`${FILE}/ListUserFiles`, { user_id: u!.user_id, file_type: '', page: 1, page_size: 20 });
  expectResponse(`${FILE}/ListUserFiles`, r, [['files', arrayWith((f) => f.file_id === id), `contains ${id}`], ['total', positive, '>= 1']]);
});

rpcCheck(`${FILE}/BatchGetFileInfo`, 'BatchGetFileInfo returns each requested file', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  const a = await uploadedFile(grpc, u!, target.filesUpload);
  const b = await uploadedFile(grpc, u!, target.filesUpload);
  const r = await grpc.ok(`${FILE}/BatchGetFileInfo`, { file_ids: [a, b], user_id: u!.user_id });
  expectResponse(`${FILE}/BatchGetFileInfo`, r, [['files', (v) => Array.isArray(v) && [a, b].every((id) => v.some((f: any) => f.file_id === id)), `both ${a} and ${b}`]]);
});

async function call(grpc: GrpcClient, target: any) {
  const [a, b, c] = await users(grpc, target, 3);
  const r = await grpc.ok(`${RTC}/InitiateCall`, { caller_id: a!.user_id, callee_id: b!.user_id, call_type: 'CALL_TYPE_VIDEO' });
  return { a: a!, b: b!, c: c!, callId: r.call_id as string, init: r };
}

rpcCheck(`${RTC}/InitiateCall`, 'InitiateCall returns a call id, a room and a token', async ({ grpc, target }) => {
  const { init } = await call(grpc, target);
  expectResponse(`${RTC}/InitiateCall`, init, [['call_id', nonEmpty, 'non-empty'], ['room_name', nonEmpty, 'non-empty'], ['token', nonEmpty, 'non-empty']]);
});

rpcCheck(`${RTC}/GetCallSession`, 'GetCallSession shows a ringing video call between caller and callee', async ({ grpc, target }) => {
  const { a, b, callId } = await call(grpc, target);
  const r = await grpc.ok(`${RTC}/GetCallSession`, { call_id: callId, user_id: b.user_id });
  expectResponse(`${RTC}/GetCallSession`, r, [['call_id', is(callId), callId], ['caller_id', is(a.user_id), a.user_id], ['callee_id', is(b.user_id), b.user_id], ['call_type', is('CALL_TYPE_VIDEO'), 'CALL_TYPE_VIDEO'], ['status', is('CALL_STATUS_RINGING'), 'CALL_STATUS_RINGING'], ['created_at', positive, '> 0']]);
});

rpcCheck(`${RTC}/JoinCall`, 'JoinCall by the callee connects the call and returns a token', async ({ grpc, target }) => {
  const { b, callId } = await call(grpc, target);
  const j = await grpc.ok(`${RTC}/JoinCall`, { call_id: callId, user_id: b.user_id });
  const s = await grpc.ok(`${RTC}/GetCallSession`, { call_id: callId, user_id: b.user_id });
  expectResponse(`${RTC}/JoinCall`, { token: j.token, status: s.status, connected_at: s.connected_at }, [['token', nonEmpty, 'non-empty'], ['status', is('CALL_STATUS_CONNECTED'), 'CALL_STATUS_CONNECTED'], ['connected_at', positive, '> 0']]);
});

rpcCheck(`${RTC}/RejectCall`, 'RejectCall by the callee marks the call rejected', async ({ grpc, target }) => {
  const { b, callId } = await call(grpc, target);
  await grpc.ok(`${RTC}/RejectCall`, { call_id: callId, user_id: b.user_id });
  const s = await grpc.ok(`${RTC}/GetCallSession`, { call_id: callId, user_id: b.user_id });
  expectResponse(`${RTC}/RejectCall`, s, [['status', is('CALL_STATUS_REJECTED'), 'CALL_STATUS_REJECTED']]);
});

rpcCheck(`${RTC}/EndCall`, 'EndCall after connecting ends the call with ended_at set', async ({ grpc, target }) => {
  const { a, b, callId } = await call(grpc, target);
  await grpc.ok(`${RTC}/JoinCall`, { call_id: callId, user_id: b.user_id });
  await grpc.ok(`${RTC}/EndCall`, { call_id: callId, user_id: a.user_id });
  const s = await grpc.ok(`${RTC}/GetCallSession`, { call_id: callId, user_id: a.user_id });
  expectResponse(`${RTC}/EndCall`, s, [['status', is('CALL_STATUS_ENDED'), 'CALL_STATUS_ENDED'], ['ended_at', positive, '> 0'], ['status', (v) => CALL_STATUS.includes(v), 'a CallStatus value']]);
});

rpcCheck(`${RTC}/ListCallLogs`, 'ListCallLogs lists the call for both parties', async ({ grpc, target }) => {
  const { a, b, callId } = await call(grpc, target);
  const ra = await grpc.ok(`${RTC}/ListCallLogs`, { user_id: a.user_id, page: 1, page_size: 20 });
  const rb = await grpc.ok(`${RTC}/ListCallLogs`, { user_id: b.user_id, page: 1, page_size: 20 });
  expectResponse(`${RTC}/ListCallLogs`, { ra, rb }, [['ra.sessions', arrayWith((s) => s.call_id === callId), `caller sees ${callId}`], ['rb.sessions', arrayWith((s) => s.call_id === callId), `callee sees ${callId}`]]);
});

async function meeting(grpc: GrpcClient, target: any, password = '') {
  const [a, b] = await users(grpc, target, 2);
  const r = await grpc.ok(`${RTC}/CreateMeeting`, { creator_id: a!.user_id, title: 'standup', password, max_participants: 0 });
  return { a: a!, b: b!, room: r.meeting?.room_id as string, created: r };
}

rpcCheck(`${RTC}/CreateMeeting`, 'CreateMeeting returns an active meeting and a token', async ({ grpc, target }) => {
  const { a, created } = await meeting(grpc, target, 'secret');
  expectResponse(`${RTC}/CreateMeeting`, created, [['meeting.room_id', nonEmpty, 'non-empty'], ['meeting.creator_id', is(a.user_id), a.user_id], ['meeting.has_password', is(true), 'true'], ['meeting.status', is('MEETING_STATUS_ACTIVE'), 'MEETING_STATUS_ACTIVE'], ['token', nonEmpty, 'non-empty']]);
});

rpcCheck(`${RTC}/JoinMeeting`, 'JoinMeeting with the right password returns a token; a wrong one fails', async ({ grpc, target }) => {
  const { b, room } = await meeting(grpc, target, 'secret');
  const ok = await grpc.ok(`${RTC}/JoinMeeting`, { user_id: b.user_id, room_id: room, password: 'secret' });
  const bad = await grpc.call(`${RTC}/JoinMeeting`, { user_id: b.user_id, room_id: room, password: 'nope' });
  expectResponse(`${RTC}/JoinMeeting`, { token: ok.token, wrong: bad.ok ? 'accepted' : 'rejected' }, [['token', nonEmpty, 'non-empty'], ['wrong', is('rejected'), 'rejected']]);
});

rpcCheck(`${RTC}/GetMeeting`, 'GetMeeting returns the meeting', async ({ grpc, target }) => {
  const { a, room } = await meeting(grpc, target);
  const r = await grpc.ok(`${RTC}/GetMeeting`, { room_id: room });
  expectResponse(`${RTC}/GetMeeting`, r, [['room_id', is(room), room], ['creator_id', is(a.user_id), a.user_id], ['title', is('standup'), 'standup'], ['created_at', positive, '> 0']]);
});

rpcCheck(`${RTC}/ListMeetings`, 'ListMeetings lists an active meeting', async ({ grpc, target }) => {
  const { room } = await meeting(grpc, target);
  const r = await grpc.ok(`${RTC}/ListMeetings`, { page: 1, page_size: 100 });
  expectResponse(`${RTC}/ListMeetings`, r, [['meetings', arrayWith((m) => m.room_id === room), `contains ${room}`], ['total', positive, '>= 1']]);
});

rpcCheck(`${RTC}/EndMeeting`, 'EndMeeting by the creator ends it and it is no longer listed', async ({ grpc, target }) => {
  const { a, room } = await meeting(grpc, target);
  await grpc.ok(`${RTC}/EndMeeting`, { room_id: room, creator_id: a.user_id });
  const got = await grpc.ok(`${RTC}/GetMeeting`, { room_id: room });
  const list = await grpc.ok(`${RTC}/ListMeetings`, { page: 1, page_size: 100 });
  expectResponse(`${RTC}/EndMeeting`, { status: got.status, list }, [['status', is('MEETING_STATUS_ENDED'), 'MEETING_STATUS_ENDED'], ['list.meetings', arrayWithout((m) => m.room_id === room), `not listing ${room}`]]);
});

rpcCheck(`${PUSH}/SendPush`, 'SendPush reports non-negative counts and a message id', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  const r = await grpc.ok(`${PUSH}/SendPush`, { user_ids: [u!.user_id], title: 'hello', content: 'world', push_type: 'message', extras: { k: 'v' } });
  expectResponse(`${PUSH}/SendPush`, r, [['success_count', (v) => v >= 0, '>= 0'], ['failure_count', (v) => v >= 0, '>= 0'], ['msg_id', nonEmpty, 'non-empty']]);
});

rpcCheck(`${ADMIN}/GetSystemStats`, 'GetSystemStats counts at least the users this run registered', async ({ grpc, target }) => {
  await users(grpc, target, 2);
  const r = await grpc.ok(`${ADMIN}/GetSystemStats`, {});
  expectResponse(`${ADMIN}/GetSystemStats`, r, [['total_users', (v) => v >= 2, '>= 2'], ['banned_users', (v) => v >= 0, '>= 0']]);
});

rpcCheck(`${ADMIN}/BanUser`, 'BanUser stops the user from logging in', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  await grpc.ok(`${ADMIN}/BanUser`, { user_id: u!.user_id, reason: 'conformance test' });
  const login = await grpc.call('anychat.auth.AuthService/Login', { account: u!.email, password: u!.password, device_type: target.deviceType, device_id: u!.device_id, client_version: target.clientVersion });
  expectResponse(`${ADMIN}/BanUser`, { login: login.ok ? 'accepted' : 'rejected' }, [['login', is('rejected'), 'rejected']]);
});

rpcCheck(`${ADMIN}/UnbanUser`, 'UnbanUser lets the user log in again', async ({ grpc, target }) => {
  const [u] = await users(grpc, target, 1);
  await grpc.ok(`${ADMIN}/BanUser`, { user_id: u!.user_id, reason: 'x' });
  await grpc.ok(`${ADMIN}/UnbanUser`, { user_id: u!.user_id });
  const login = await grpc.call('anychat.auth.AuthService/Login', { account: u!.email, password: u!.password, device_type: target.deviceType, device_id: u!.device_id, client_version: target.clientVersion });
  expectResponse(`${ADMIN}/UnbanUser`, { login: login.ok ? 'accepted' : login.status }, [['login', is('accepted'), 'accepted']]);
});
