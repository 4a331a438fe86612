import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import { field, findBy, list, num, str } from '../../fixtures/read.js';
import type { RestApi, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import type { Target } from '../../fixtures/target.js';
import type { WsConnector } from '../../fixtures/ws.js';
import { check } from '../check.js';
import { block, content, idsOf, makeGroup, opCite, owns, P, prereq, visibleList } from './support.js';
import { findSession } from './world.js';

/**
 * Sessions and sync after messages. The contract has no REST send (contract-notes I11): messages go over the
 * WebSocket `message.send` into a group conversation (conversationId = groupId), and the REST side is read here.
 */

const SESSION = 'anychat.session.Session';

interface Chat { a: TestUser; b: TestUser; groupId: string; sequences: number[]; contents: string[]; sessionId: string }

/** A and B in a group; A sends `n` messages over WebSocket; B's session for the group is found in GET /sessions. */
async function chat(api: RestApi, ws: WsConnector, target: Target, newUser: () => Promise<TestUser>, n: number, ownSession = false): Promise<Chat> {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  const { sequences, contents } = await prereq(P.wsSend, async () => {
    const conn = await ws.connect(a);
    const out = { sequences: [] as number[], contents: [] as string[] };
    for (let i = 0; i < n; i++) {
      const text = content(target, `m${i} ${g.groupId.slice(-6)} 你好`);
      const ack = await conn.sendMessage({ conversationId: g.groupId, conversationType: 'group', content: text, localId: `l${i}-${Date.now()}` });
      out.sequences.push(Number(num(ack, 'sequence')));
      out.contents.push(text);
    }
    return out;
  });
  const find = async () => {
    const sessionId = await findSession(api, b, g.groupId);
    if (!sessionId) {
      const res = await api.as(b).call('GET /sessions', { expect: 'success' });
      fail({ message: "no session for the group in B's GET /sessions after A's messages", expected: `a session with sessionId or targetId ${g.groupId}`, observed: res.data ?? null, cite: opCite('GET /sessions'), replay: res.replay });
    }
    return sessionId;
  };
  const sessionId = ownSession ? await owns(P.session, find) : await prereq(P.session, find);
  return { a, b, groupId: g.groupId, sequences, contents, sessionId };
}

async function totalUnread(api: RestApi, u: TestUser): Promise<number> {
  const res = await api.as(u).call('GET /sessions/unread/total', { expect: 'success' });
  const t = num(res.data, 'totalUnread') ?? (res.data && typeof res.data === 'object' && field(res.data, 'totalUnread') === undefined ? 0 : undefined);
  expectThat(t !== undefined && Number.isInteger(t), { message: 'GET /sessions/unread/total has no integer totalUnread', expected: 'data.totalUnread: integer (absent = 0 in proto3 JSON)', observed: res.data ?? null, cite: 'anychat.session.GetTotalUnreadResponse.total_unread', replay: res.replay });
  return t!;
}

async function session(api: RestApi, u: TestUser, sessionId: string) {
  return api.as(u).call('GET /sessions/{sessionId}', { params: { sessionId }, expect: 'success' });
}

check({
  id: 'REST.M1', level: 'SHOULD', cites: [opCite('GET /sessions'), opCite('GET /sessions/unread/total'), SESSION],
  title: "after a group message, the recipient's GET /sessions holds the group's session with unread ≥ 1 and the total is ≥ 1",
}, async ({ api, ws, target, newUser }) => {
  const c = await chat(api, ws, target, newUser, 2, true);
  const s = await session(api, c.b, c.sessionId);
  expectThat((num(s.data, 'unreadCount') ?? 0) >= 1, { message: "the recipient's session has no unread messages", expected: 'unreadCount ≥ 1', observed: s.data ?? null, cite: `${SESSION}.unread_count`, replay: s.replay });
  const targetId = str(s.data, 'targetId');
  expectThat(targetId === undefined || targetId === c.groupId, { message: "the session's targetId is not the group", expected: c.groupId, observed: targetId ?? null, cite: `${SESSION}.target_id`, replay: s.replay });
  expectThat((await totalUnread(api, c.b)) >= 1, { message: 'total unread is 0 after two unread messages', expected: '≥ 1', observed: 0, cite: opCite('GET /sessions/unread/total') });
});

check({
  id: 'REST.M2', level: 'SHOULD', cites: [opCite('POST /sessions/{sessionId}/read'), opCite('GET /sessions/unread/total')],
  title: 'POST /sessions/{id}/read clears that session\'s unread count and the total drops',
}, async ({ api, ws, target, newUser }) => {
  const c = await chat(api, ws, target, newUser, 2);
  const before = await totalUnread(api, c.b);
  await api.as(c.b).call('POST /sessions/{sessionId}/read', { params: { sessionId: c.sessionId }, expect: 'success' });
  const s = await session(api, c.b, c.sessionId);
  expectEqual(num(s.data, 'unreadCount') ?? 0, 0, 'unreadCount after read', `${SESSION}.unread_count`);
  const after = await totalUnread(api, c.b);
  expectThat(after < before, { message: 'total unread did not drop after reading a session', expected: `< ${before}`, observed: after, cite: opCite('POST /sessions/{sessionId}/read') });
});

check({
  id: 'REST.M3', level: 'SHOULD', cites: [opCite('PUT /sessions/{sessionId}/pin'), opCite('PUT /sessions/{sessionId}/mute'), opCite('GET /sessions/unread/total')],
  title: 'pin and mute show on GET /sessions/{id}; a muted session\'s unread is left out of the total',
}, async ({ api, ws, target, newUser }) => {
  const c = await chat(api, ws, target, newUser, 1);
  expectThat((await totalUnread(api, c.b)) >= 1, { message: 'no unread before muting', expected: '≥ 1', observed: 0, cite: opCite('GET /sessions/unread/total') });
  await api.as(c.b).call('PUT /sessions/{sessionId}/pin', { params: { sessionId: c.sessionId }, body: { pinned: true }, expect: 'success' });
  await api.as(c.b).call('PUT /sessions/{sessionId}/mute', { params: { sessionId: c.sessionId }, body: { muted: true }, expect: 'success' });
  const s = await session(api, c.b, c.sessionId);
  expectEqual(field(s.data, 'isPinned') ?? false, true, 'isPinned after pin', `${SESSION}.is_pinned`);
  expectEqual(field(s.data, 'isMuted') ?? false, true, 'isMuted after mute', `${SESSION}.is_muted`);
  expectEqual(await totalUnread(api, c.b), 0, "total unread with the only unread session muted (the op's description excludes muted sessions)", opCite('GET /sessions/unread/total', 'description'));
  await api.as(c.b).call('PUT /sessions/{sessionId}/pin', { params: { sessionId: c.sessionId }, body: { pinned: false }, expect: 'success' });
  const s2 = await session(api, c.b, c.sessionId);
  expectEqual(field(s2.data, 'isPinned') ?? false, false, 'isPinned after unpin', `${SESSION}.is_pinned`);
});

check({
  id: 'REST.M4', level: 'SHOULD', cites: [opCite('DELETE /sessions/{sessionId}'), opCite('POST /sync/messages')],
  title: 'DELETE /sessions/{id} hides the session from GET /sessions while its messages still come back from /sync/messages',
}, async ({ api, ws, target, newUser }) => {
  const c = await chat(api, ws, target, newUser, 1);
  await api.as(c.b).call('DELETE /sessions/{sessionId}', { params: { sessionId: c.sessionId }, expect: 'success' });
  const listed = await api.as(c.b).call('GET /sessions', { expect: 'success' });
  const sid = (x: unknown) => str(x, 'sessionId');
  const still = idsOf(visibleList(listed, 'GET /sessions', 'sessions', sid, 'sessionId'), sid).includes(c.sessionId);
  expectThat(!still, { message: 'the deleted session is still listed', expected: `no session ${c.sessionId}`, observed: listed.data ?? null, cite: opCite('DELETE /sessions/{sessionId}'), replay: listed.replay });
  const sync = await api.as(c.b).call('POST /sync/messages', { body: { conversationSeqs: [{ conversationId: c.groupId, conversationType: 'group', lastSeq: 0 }] }, expect: 'success' });
  const contents = messagesOf(sync, c.groupId).map((m) => str(m, 'content'));
  expectThat(contents.includes(c.contents[0]), { message: "the deleted session's messages are gone from /sync/messages", expected: c.contents[0], observed: sync.data, cite: opCite('DELETE /sessions/{sessionId}', 'description'), replay: sync.replay });
});

check({
  id: 'REST.M5', level: 'SHOULD', cites: [opCite('POST /sync'), 'anychat.sync.SyncResponse'],
  title: 'POST /sync {lastSyncTime: 0} returns friends, groups, sessions, conversations and an integer syncTime',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  const res = await api.as(a).call('POST /sync', { body: { lastSyncTime: 0 }, expect: 'success' });
  // The user has a group, so groups must be there; friends and sessions may be omitted when empty (proto3 JSON; the
  // spelling and omission are REST.HG4's to judge), but when present they are objects.
  for (const f of ['friends', 'groups', 'sessions']) {
    const v = field(res.data, f);
    expectThat((v === undefined && f !== 'groups') || (!!v && typeof v === 'object' && !Array.isArray(v)), { message: `POST /sync data.${f} is ${v === undefined ? 'missing' : JSON.stringify(v).slice(0, 80)}`, expected: `an object (anychat.sync.Sync*Data)`, observed: res.data ?? null, cite: `anychat.sync.SyncResponse.${f}`, replay: res.replay });
  }
  expectThat(list(res.data, 'conversations') !== undefined, { message: 'POST /sync data.conversations is not a list', expected: 'array (omitted = empty)', observed: field(res.data, 'conversations') ?? null, cite: 'anychat.sync.SyncResponse.conversations', replay: res.replay });
  const syncTime = num(res.data, 'syncTime');
  expectThat(syncTime !== undefined && Number.isInteger(syncTime) && syncTime > 0, { message: `POST /sync syncTime is ${JSON.stringify(field(res.data, 'syncTime') ?? null)}, not a positive integer`, expected: 'a positive integer', observed: field(res.data, 'syncTime') ?? null, cite: 'anychat.sync.SyncResponse.sync_time', replay: res.replay });
  const gid = (x: unknown) => str(x, 'groupId');
  const groupItems = list(res.data, 'groups.groups');
  if (!groupItems) block('POST /sync data.groups.groups cannot be read, so presence in it cannot be judged', 'REST.HG4');
  if (groupItems.length > 0 && !groupItems.some((x) => gid(x) !== undefined)) block('no item of POST /sync data.groups.groups has a readable groupId', 'REST.HG4');
  const groups = idsOf(groupItems, gid);
  expectThat(groups.includes(g.groupId), { message: "a full sync does not list the user's group", expected: g.groupId, observed: field(res.data, 'groups') ?? null, cite: 'anychat.sync.SyncGroupData.groups', replay: res.replay });
});

/** The messages of one conversation in a /sync/messages answer (blocked, citing REST.HG4, when they cannot be read). */
function messagesOf(res: RestResponse, conversationId: string): unknown[] {
  const convs = visibleList(res, 'POST /sync/messages', 'conversations', (c) => str(c, 'conversationId'), 'conversationId');
  const conv = findBy(convs, 'conversationId', conversationId);
  if (conv === undefined) return [];
  const msgs = list(conv, 'messages');
  if (!msgs) block(`POST /sync/messages: conversations[].messages of ${conversationId} cannot be read`, 'REST.HG4');
  return msgs;
}

check({
  id: 'REST.M6', level: 'MUST', cites: [opCite('POST /sync/messages'), 'http/openapi.json#/components/schemas/internal_gateway_handler.syncMessagesRequest'],
  title: '/sync/messages returns the group\'s messages after lastSeq in ascending sequence; none after the latest; ?limit=1 gives at most 1',
}, async ({ api, ws, target, newUser }) => {
  const c = await chat(api, ws, target, newUser, 3);
  const body = (lastSeq: number) => ({ conversationSeqs: [{ conversationId: c.groupId, conversationType: 'group', lastSeq }] });
  const all = await api.as(c.b).call('POST /sync/messages', { body: body(0), expect: 'success' });
  const msgs = messagesOf(all, c.groupId);
  const seqs = msgs.map((m) => num(m, 'sequence') ?? null);
  expectEqual(seqs, c.sequences, 'sequences of the synced messages (lastSeq 0)', opCite('POST /sync/messages'));
  expectEqual(msgs.map((m) => str(m, 'content') ?? null), c.contents, 'contents of the synced messages', 'anychat.message.Message.content');
  const after1 = await api.as(c.b).call('POST /sync/messages', { body: body(c.sequences[0]!), expect: 'success' });
  expectEqual(messagesOf(after1, c.groupId).map((m) => num(m, 'sequence') ?? null), c.sequences.slice(1), `sequences after lastSeq ${c.sequences[0]}`, opCite('POST /sync/messages'));
  const latest = Math.max(...c.sequences);
  const none = await api.as(c.b).call('POST /sync/messages', { body: body(latest), expect: 'success' });
  expectEqual(messagesOf(none, c.groupId).length, 0, 'messages after the latest sequence', opCite('POST /sync/messages'));
  const one = await api.as(c.b).call('POST /sync/messages', { query: { limit: 1 }, body: body(0), expect: 'success' });
  expectThat(messagesOf(one, c.groupId).length <= 1, { message: '?limit=1 returned more than one message', expected: '≤ 1', observed: messagesOf(one, c.groupId).length, cite: opCite('POST /sync/messages', 'parameters', '0'), replay: one.replay });
  const perConv = await api.as(c.b).call('POST /sync/messages', { body: { ...body(0), limitPerConversation: 2 }, expect: 'success' });
  expectThat(messagesOf(perConv, c.groupId).length <= 2, { message: 'limitPerConversation 2 returned more than two messages', expected: '≤ 2', observed: messagesOf(perConv, c.groupId).length, cite: 'http/openapi.json#/components/schemas/internal_gateway_handler.syncMessagesRequest/properties/limitPerConversation', replay: perConv.replay });
});
