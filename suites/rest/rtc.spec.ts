import { expectThat } from '../../fixtures/failure.js';
import type { RestApi, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import { field, str } from '../../fixtures/read.js';
import { check } from '../check.js';
import { enumIs, expectFields, idsOf, opCite, owns, P, prereq, visibleList } from './support.js';

/** Calls and meetings (contract-notes W11, W12). Response data is untyped; fields follow the rtc.proto messages. */

const CALL = 'anychat.rtc.CallSession';
const STATUS = 'anychat.rtc.CallStatus';

/** A ringing call as setup (blocked, citing REST.R1, when calls cannot be started). */
async function startCall(api: RestApi, a: TestUser, b: TestUser, callType = 'video'): Promise<string> {
  return prereq(P.call, async () => {
    const res = await api.as(a).call('POST /rtc/calls', { body: { calleeId: b.userId, callType }, expect: 'success' });
    expectFields(res, ['callId'], 'POST /rtc/calls', 'anychat.rtc.InitiateCallResponse.call_id');
    return str(res.data, 'callId')!;
  });
}

function expectStatus(res: RestResponse, status: string, what: string): void {
  const observed = field(res.data, 'status');
  expectThat(enumIs(STATUS, status, observed), { message: `${what}: call status is ${JSON.stringify(observed ?? null)}, not ${status}`, expected: `${status} (name in any case, or its number; contract-notes I5)`, observed: res.data ?? null, cite: `${CALL}.status`, replay: res.replay });
}

const callIdOf = (s: unknown) => str(s, 'callId');

async function callIds(api: RestApi, u: TestUser): Promise<{ ids: string[]; res: RestResponse }> {
  const res = await api.as(u).call('GET /rtc/calls', { expect: 'success' });
  return { ids: idsOf(visibleList(res, 'GET /rtc/calls', 'sessions', callIdOf, 'callId'), callIdOf), res };
}

check({
  id: 'REST.R1', level: 'SHOULD', cites: [opCite('POST /rtc/calls'), 'anychat.rtc.InitiateCallResponse'],
  title: 'POST /rtc/calls returns callId, roomName and a token',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await owns(P.call, async () => {
    const res = await api.as(a).call('POST /rtc/calls', { body: { calleeId: b.userId, callType: 'video' }, expect: 'success' });
    expectFields(res, ['callId', 'roomName', 'token'], 'POST /rtc/calls', opCite('POST /rtc/calls', 'description'));
  });
});

check({
  id: 'REST.R2', level: 'SHOULD', cites: [opCite('GET /rtc/calls/{callId}'), CALL],
  title: 'caller and callee read the ringing call (callerId, calleeId); a third user cannot',
}, async ({ api, newUser }) => {
  const [a, b, c] = await Promise.all([newUser(), newUser(), newUser()]);
  const callId = await startCall(api, a, b);
  for (const u of [a, b]) {
    const res = await api.as(u).call('GET /rtc/calls/{callId}', { params: { callId }, expect: 'success' });
    expectThat(str(res.data, 'callerId') === a.userId && str(res.data, 'calleeId') === b.userId, { message: 'callerId/calleeId do not name the two parties', expected: { callerId: a.userId, calleeId: b.userId }, observed: res.data ?? null, cite: CALL, replay: res.replay });
    expectStatus(res, 'ringing', 'a new call');
    expectThat(enumIs('anychat.rtc.CallType', 'video', field(res.data, 'callType')), { message: 'callType of a video call', expected: 'VIDEO / video / 1', observed: field(res.data, 'callType') ?? null, cite: `${CALL}.call_type`, replay: res.replay });
  }
  await api.as(c).call('GET /rtc/calls/{callId}', { params: { callId }, expect: 'failure', why: 'by a user who is not a party to the call' });
});

check({
  id: 'REST.R3', level: 'SHOULD', cites: [opCite('POST /rtc/calls/{callId}/join'), opCite('POST /rtc/calls/{callId}/end'), opCite('GET /rtc/calls')],
  title: 'the callee joins (token; status connected), the caller ends (status ended); both histories list the call',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const callId = await startCall(api, a, b);
  const join = await api.as(b).call('POST /rtc/calls/{callId}/join', { params: { callId }, expect: 'success' });
  expectFields(join, ['token'], 'join call', 'anychat.rtc.JoinCallResponse.token');
  expectStatus(await api.as(a).call('GET /rtc/calls/{callId}', { params: { callId }, expect: 'success' }), 'connected', 'after the callee joined');
  await api.as(a).call('POST /rtc/calls/{callId}/end', { params: { callId }, expect: 'success' });
  expectStatus(await api.as(b).call('GET /rtc/calls/{callId}', { params: { callId }, expect: 'success' }), 'ended', 'after the caller ended it');
  for (const u of [a, b]) {
    const h = await callIds(api, u);
    expectThat(h.ids.includes(callId), { message: 'GET /rtc/calls does not list the ended call', expected: callId, observed: h.res.data, cite: opCite('GET /rtc/calls'), replay: h.res.replay });
  }
});

check({
  id: 'REST.R4', level: 'SHOULD', cites: [opCite('POST /rtc/calls/{callId}/reject'), opCite('GET /rtc/calls/{callId}', 'responses', '404')],
  title: 'a rejected call has status rejected; an unknown callId fails (404)',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const callId = await startCall(api, a, b, 'audio');
  await api.as(b).call('POST /rtc/calls/{callId}/reject', { params: { callId }, expect: 'success' });
  expectStatus(await api.as(a).call('GET /rtc/calls/{callId}', { params: { callId }, expect: 'success' }), 'rejected', 'after the callee rejected');
  await api.as(b).call('POST /rtc/calls/{callId}/reject', { params: { callId: `nx-${callId}` }, expect: 'failure', why: 'for an unknown callId' });
});

check({
  id: 'REST.R5', level: 'SHOULD', cites: [opCite('POST /rtc/meetings'), opCite('POST /rtc/meetings/{roomId}/join', 'responses', '403'), opCite('POST /rtc/meetings/{roomId}/end', 'responses', '403'), opCite('GET /rtc/meetings')],
  title: 'password meeting: wrong password fails (403), right one gives a token; only the creator ends it; ended meetings are not listed',
}, async ({ api, target, recorder, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const { created, roomId } = await owns(P.meeting, async () => {
    const res = await api.as(a).call('POST /rtc/meetings', { body: { title: 'conformance meeting', password: 'sesame42', maxParticipants: 4 }, expect: 'success' });
    expectFields(res, ['meeting', 'token'], 'create meeting', 'anychat.rtc.CreateMeetingResponse');
    const id = str(res.data, 'meeting.roomId');
    expectThat(id !== undefined, { message: 'meeting.roomId missing', expected: 'meeting.roomId', observed: res.data ?? null, cite: 'anychat.rtc.MeetingRoom.room_id', replay: res.replay });
    return { created: res, roomId: id! };
  });
  void created;
  const roomIdOf = (m: unknown) => str(m, 'roomId');
  const listed = async () => idsOf(visibleList(await api.as(b).call('GET /rtc/meetings', { expect: 'success' }), 'GET /rtc/meetings', 'meetings', roomIdOf, 'roomId'), roomIdOf).includes(roomId);
  expectThat(await listed(), { message: 'a new meeting is not in GET /rtc/meetings', expected: roomId, observed: 'absent', cite: opCite('GET /rtc/meetings') });
  await api.as(b).call('POST /rtc/meetings/{roomId}/join', { params: { roomId }, body: { password: 'wrong' }, expect: 'failure', why: 'with a wrong password', cite: opCite('POST /rtc/meetings/{roomId}/join', 'responses', '403') });
  const join = await api.as(b).call('POST /rtc/meetings/{roomId}/join', { params: { roomId }, body: { password: 'sesame42' }, expect: 'success' });
  expectFields(join, ['token'], 'join meeting', 'anychat.rtc.JoinMeetingResponse.token');
  await api.as(b).call('POST /rtc/meetings/{roomId}/end', { params: { roomId }, expect: 'failure', why: 'by a participant who did not create it', cite: opCite('POST /rtc/meetings/{roomId}/end', 'responses', '403') });
  await api.as(a).call('POST /rtc/meetings/{roomId}/end', { params: { roomId }, expect: 'success' });
  if (await listed()) {
    // contract-notes I26: the description says "active meetings"; lenient mode only warns, strict fails.
    recorder.warn('an ended meeting is still listed by GET /rtc/meetings (contract-notes I26)');
    expectThat(!target.strict, { message: 'an ended meeting is still listed as active', expected: `no meeting ${roomId}`, observed: 'listed', cite: opCite('GET /rtc/meetings', 'description') });
  }
});
