import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import type { RestApi, TestUser } from '../../fixtures/rest-client.js';
import type { WsConnector } from '../../fixtures/ws.js';
import { check } from '../check.js';
import { makeGroup, opCite } from './support.js';
import { findSession } from './world.js';

/**
 * Sessions and sync after messages. The contract has no REST send (contract-notes I11): messages go over the
 * WebSocket `message.send` into a group conversation (conversationId = groupId), and the REST side is read here.
 */

const SESSION = 'anychat.session.Session';

interface Chat { a: TestUser; b: TestUser; groupId: string; sequences: number[]; contents: string[]; sessionId: string }

/** A and B in a group; A sends `n` messages over WebSocket; B's session for the group is found in GET /sessions. */
async function chat(api: RestApi, ws: WsConnector, newUser: () => Promise<TestUser>, n: number): Promise<Chat> {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  const conn = await ws.connect(a);
  const sequences: number[] = [];
  const contents: string[] = [];
  for (let i = 0; i < n; i++) {
    const content = `m${i} ${g.groupId.slice(-6)} 你好`;
    const ack = await conn.sendMessage({ conversationId: g.groupId, conversationType: 'group', content, localId: `l${i}-${Date.now()}` });
    sequences.push(Number(ack.sequence));
    contents.push(content);
  }
  const sessionId = await findSession(api, b, g.groupId);
  if (!sessionId) {
    const res = await api.as(b).call('GET /sessions', { expect: 'success' });
    fail({ message: "no session for the group in B's GET /sessions after A's messages", expected: `a session with sessionId or targetId ${g.groupId}`, observed: res.data, cite: opCite('GET /sessions'), replay: res.replay });
  }
  return { a, b, groupId: g.groupId, sequences, contents, sessionId };
}

async function totalUnread(api: RestApi, u: TestUser): Promise<number> {
  const res = await api.as(u).call('GET /sessions/unread/total', { expect: 'success' });
  const t = res.data?.totalUnread;
  expectThat(Number.isInteger(Number(t)), { message: 'GET /sessions/unread/total has no integer totalUnread', expected: 'data.totalUnread: integer', observed: res.data, cite: 'anychat.session.GetTotalUnreadResponse.total_unread', replay: res.replay });
  return Number(t);
}

async function session(api: RestApi, u: TestUser, sessionId: string) {
  return api.as(u).call('GET /sessions/{sessionId}', { params: { sessionId }, expect: 'success' });
}

check({
  id: 'REST.M1', level: 'SHOULD', cites: [opCite('GET /sessions'), opCite('GET /sessions/unread/total'), SESSION],
  title: "after a group message, the recipient's GET /sessions holds the group's session with unread ≥ 1 and the total is ≥ 1",
}, async ({ api, ws, newUser }) => {
  const c = await chat(api, ws, newUser, 2);
  const s = await session(api, c.b, c.sessionId);
  expectThat(Number(s.data.unreadCount) >= 1, { message: "the recipient's session has no unread messages", expected: 'unreadCount ≥ 1', observed: s.data, cite: `${SESSION}.unread_count`, replay: s.replay });
  expectThat(s.data.targetId === undefined || s.data.targetId === c.groupId, { message: "the session's targetId is not the group", expected: c.groupId, observed: s.data.targetId, cite: `${SESSION}.target_id`, replay: s.replay });
  expectThat((await totalUnread(api, c.b)) >= 1, { message: 'total unread is 0 after two unread messages', expected: '≥ 1', observed: 0, cite: opCite('GET /sessions/unread/total') });
});

check({
  id: 'REST.M2', level: 'SHOULD', cites: [opCite('POST /sessions/{sessionId}/read'), opCite('GET /sessions/unread/total')],
  title: 'POST /sessions/{id}/read clears that session\'s unread count and the total drops',
}, async ({ api, ws, newUser }) => {
  const c = await chat(api, ws, newUser, 2);
  const before = await totalUnread(api, c.b);
  await api.as(c.b).call('POST /sessions/{sessionId}/read', { params: { sessionId: c.sessionId }, expect: 'success' });
  const s = await session(api, c.b, c.sessionId);
  expectEqual(Number(s.data.unreadCount ?? 0), 0, 'unreadCount after read', `${SESSION}.unread_count`);
  const after = await totalUnread(api, c.b);
  expectThat(after < before, { message: 'total unread did not drop after reading a session', expected: `< ${before}`, observed: after, cite: opCite('POST /sessions/{sessionId}/read') });
});

check({
  id: 'REST.M3', level: 'SHOULD', cites: [opCite('PUT /sessions/{sessionId}/pin'), opCite('PUT /sessions/{sessionId}/mute'), opCite('GET /sessions/unread/total')],
  title: 'pin and mute show on GET /sessions/{id}; a muted session\'s unread is left out of the total',
}, async ({ api, ws, newUser }) => {
  const c = await chat(api, ws, newUser, 1);
  expectThat((await totalUnread(api, c.b)) >= 1, { message: 'no unread before muting', expected: '≥ 1', observed: 0, cite: opCite('GET /sessions/unread/total') });
  await api.as(c.b).call('PUT /sessions/{sessionId}/pin', { params: { sessionId: c.sessionId }, body: { pinned: true }, expect: 'success' });
  await api.as(c.b).call('PUT /sessions/{sessionId}/mute', { params: { sessionId: c.sessionId }, body: { muted: true }, expect: 'success' });
  const s = await session(api, c.b, c.sessionId);
  expectEqual(s.data.isPinned, true, 'isPinned after pin', `${SESSION}.is_pinned`);
  expectEqual(s.data.isMuted, true, 'isMuted after mute', `${SESSION}.is_muted`);
  expectEqual(await totalUnread(api, c.b), 0, "total unread with the only unread session muted (the op's description excludes muted sessions)", opCite('GET /sessions/unread/total', 'description'));
  await api.as(c.b).call('PUT /sessions/{sessionId}/pin', { params: { sessionId: c.sessionId }, body: { pinned: false }, expect: 'success' });
  const s2 = await session(api, c.b, c.sessionId);
  expectEqual(s2.data.isPinned ?? false, false, 'isPinned after unpin', `${SESSION}.is_pinned`);
});

check({
  id: 'REST.M4', level: 'SHOULD', cites: [opCite('DELETE /sessions/{sessionId}'), opCite('POST /sync/messages')],
  title: 'DELETE /sessions/{id} hides the session from GET /sessions while its messages still come back from /sync/messages',
}, async ({ api, ws, newUser }) => {
  const c = await chat(api, ws, newUser, 1);
  await api.as(c.b).call('DELETE /sessions/{sessionId}', { params: { sessionId: c.sessionId }, expect: 'success' });
  const list = await api.as(c.b).call('GET /sessions', { expect: 'success' });
  const still = (list.data.sessions ?? []).some((s: any) => s?.sessionId === c.sessionId);
  expectThat(!still, { message: 'the deleted session is still listed', expected: `no session ${c.sessionId}`, observed: list.data, cite: opCite('DELETE /sessions/{sessionId}'), replay: list.replay });
  const sync = await api.as(c.b).call('POST /sync/messages', { body: { conversationSeqs: [{ conversationId: c.groupId, conversationType: 'group', lastSeq: 0 }] }, expect: 'success' });
  const contents = messagesOf(sync.data, c.groupId).map((m: any) => m?.content);
  expectThat(contents.includes(c.contents[0]), { message: "the deleted session's messages are gone from /sync/messages", expected: c.contents[0], observed: sync.data, cite: opCite('DELETE /sessions/{sessionId}', 'description'), replay: sync.replay });
});

check({
  id: 'REST.M5', level: 'SHOULD', cites: [opCite('POST /sync'), 'anychat.sync.SyncResponse'],
  title: 'POST /sync {lastSyncTime: 0} returns friends, groups, sessions, conversations and an integer syncTime',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  const res = await api.as(a).call('POST /sync', { body: { lastSyncTime: 0 }, expect: 'success' });
  for (const f of ['friends', 'groups', 'sessions']) {
    expectThat(!!res.data?.[f] && typeof res.data[f] === 'object', { message: `POST /sync data.${f} is missing`, expected: `an object (anychat.sync.Sync*Data)`, observed: res.data, cite: `anychat.sync.SyncResponse.${f}`, replay: res.replay });
  }
  expectThat(Array.isArray(res.data.conversations), { message: 'POST /sync data.conversations is not an array', expected: 'array', observed: res.data.conversations, cite: 'anychat.sync.SyncResponse.conversations', replay: res.replay });
  expectThat(Number.isInteger(Number(res.data.syncTime)) && Number(res.data.syncTime) > 0, { message: 'POST /sync has no integer syncTime', expected: 'a positive integer', observed: res.data.syncTime, cite: 'anychat.sync.SyncResponse.sync_time', replay: res.replay });
  const groups = (res.data.groups.groups ?? []).map((x: any) => x?.groupId);
  expectThat(groups.includes(g.groupId), { message: "a full sync does not list the user's group", expected: g.groupId, observed: res.data.groups, cite: 'anychat.sync.SyncGroupData.groups', replay: res.replay });
});

function messagesOf(data: any, conversationId: string): any[] {
  const conv = (data?.conversations ?? []).find((c: any) => c?.conversationId === conversationId);
  return Array.isArray(conv?.messages) ? conv.messages : [];
}

check({
  id: 'REST.M6', level: 'MUST', cites: [opCite('POST /sync/messages'), 'http/openapi.json#/components/schemas/internal_gateway_handler.syncMessagesRequest'],
  title: '/sync/messages returns the group\'s messages after lastSeq in ascending sequence; none after the latest; ?limit=1 gives at most 1',
}, async ({ api, ws, newUser }) => {
  const c = await chat(api, ws, newUser, 3);
  const body = (lastSeq: number) => ({ conversationSeqs: [{ conversationId: c.groupId, conversationType: 'group', lastSeq }] });
  const all = await api.as(c.b).call('POST /sync/messages', { body: body(0), expect: 'success' });
  const msgs = messagesOf(all.data, c.groupId);
  const seqs = msgs.map((m) => Number(m?.sequence));
  expectEqual(seqs, c.sequences, 'sequences of the synced messages (lastSeq 0)', opCite('POST /sync/messages'));
  expectEqual(msgs.map((m) => m?.content), c.contents, 'contents of the synced messages', 'anychat.message.Message.content');
  const after1 = await api.as(c.b).call('POST /sync/messages', { body: body(c.sequences[0]!), expect: 'success' });
  expectEqual(messagesOf(after1.data, c.groupId).map((m) => Number(m?.sequence)), c.sequences.slice(1), `sequences after lastSeq ${c.sequences[0]}`, opCite('POST /sync/messages'));
  const latest = Math.max(...c.sequences);
  const none = await api.as(c.b).call('POST /sync/messages', { body: body(latest), expect: 'success' });
  expectEqual(messagesOf(none.data, c.groupId).length, 0, 'messages after the latest sequence', opCite('POST /sync/messages'));
  const one = await api.as(c.b).call('POST /sync/messages', { query: { limit: 1 }, body: body(0), expect: 'success' });
  expectThat(messagesOf(one.data, c.groupId).length <= 1, { message: '?limit=1 returned more than one message', expected: '≤ 1', observed: messagesOf(one.data, c.groupId).length, cite: opCite('POST /sync/messages', 'parameters', '0'), replay: one.replay });
  const perConv = await api.as(c.b).call('POST /sync/messages', { body: { ...body(0), limitPerConversation: 2 }, expect: 'success' });
  expectThat(messagesOf(perConv.data, c.groupId).length <= 2, { message: 'limitPerConversation 2 returned more than two messages', expected: '≤ 2', observed: messagesOf(perConv.data, c.groupId).length, cite: 'http/openapi.json#/components/schemas/internal_gateway_handler.syncMessagesRequest/properties/limitPerConversation', replay: perConv.replay });
});
