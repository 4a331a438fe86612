import { messageContent } from '../../fixtures/content.js';
import { arrayWith, arrayWithout, expectResponse, is, nonEmpty, positive, rpcCheck } from './rpc-check.js';
import { createGroup, sendMessage, timestampSet, users } from './world.js';

const MSG = 'anychat.message.MessageService';
const SES = 'anychat.session.SessionService';
const SYNC = 'anychat.sync.SyncService';

rpcCheck(`${MSG}/SendMessage`, 'SendMessage returns an id, the next sequence and a timestamp', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const r1 = await grpc.ok(`${MSG}/SendMessage`, { sender_id: a!.user_id, conversation_id: g, conversation_type: 'group', content_type: 'text', content: messageContent(target, 'one'), local_id: 'x1' });
  const r2 = await grpc.ok(`${MSG}/SendMessage`, { sender_id: b!.user_id, conversation_id: g, conversation_type: 'group', content_type: 'text', content: messageContent(target, 'two'), local_id: 'x2' });
  expectResponse(`${MSG}/SendMessage`, { r1, r2 }, [['r1.message_id', nonEmpty, 'non-empty'], ['r1.sequence', positive, '>= 1'], ['r1.timestamp', timestampSet, 'a set Timestamp'], ['r2.sequence', (v) => v > r1.sequence, `> ${r1.sequence}`]]);
});

rpcCheck(`${MSG}/GetMessages`, 'GetMessages returns the conversation in ascending sequence with content intact', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const sent = [await sendMessage(grpc, target, a!, g, 'alpha'), await sendMessage(grpc, target, b!, g, 'beta ✓ 你好')];
  const r = await grpc.ok(`${MSG}/GetMessages`, { conversation_id: g, start_seq: 0, end_seq: 0, limit: 50, reverse: false });
  const got = (r.messages ?? []).map((m: any) => `${m.message_id}#${m.sequence}#${m.content}`);
  expectResponse(`${MSG}/GetMessages`, { got, ts: (r.messages ?? []).every((m: any) => timestampSet(m.created_at)) }, [
    ['got', (v) => JSON.stringify(v) === JSON.stringify(sent.map((m) => `${m.message_id}#${m.sequence}#${m.content}`)), 'the two messages, ascending, content byte-exact'],
    ['ts', is(true), 'created_at set on every message'],
  ]);
});

rpcCheck(`${MSG}/GetMessageById`, 'GetMessageById round-trips a message with its sender', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const s = await sendMessage(grpc, target, a!, g, 'by id');
  const m = await grpc.ok(`${MSG}/GetMessageById`, { message_id: s.message_id });
  expectResponse(`${MSG}/GetMessageById`, m, [['message_id', is(s.message_id), s.message_id], ['sender_id', is(a!.user_id), a!.user_id], ['conversation_id', is(g), g], ['sequence', is(s.sequence), String(s.sequence)], ['content', is(s.content), s.content], ['created_at', timestampSet, 'set']]);
});

rpcCheck(`${MSG}/RecallMessage`, 'RecallMessage by the sender marks the message recalled (status 1)', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const s = await sendMessage(grpc, target, a!, g, 'oops');
  await grpc.ok(`${MSG}/RecallMessage`, { message_id: s.message_id, user_id: a!.user_id });
  const m = await grpc.ok(`${MSG}/GetMessageById`, { message_id: s.message_id });
  expectResponse(`${MSG}/RecallMessage`, m, [['status', is(1), '1 (recalled, per message.proto)']]);
});

rpcCheck(`${MSG}/DeleteMessage`, 'DeleteMessage succeeds for the sender', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const s = await sendMessage(grpc, target, a!, g, 'delete me');
  await grpc.ok(`${MSG}/DeleteMessage`, { message_id: s.message_id, user_id: a!.user_id });
  const m = await grpc.call(`${MSG}/GetMessageById`, { message_id: s.message_id });
  expectResponse(`${MSG}/DeleteMessage`, { after: m.ok ? m.response.status : m.status }, [['after', (v) => v === 2 || v === 'NOT_FOUND', 'status 2 (deleted) or NOT_FOUND']]);
});

rpcCheck(`${MSG}/MarkAsRead`, 'MarkAsRead records a read receipt', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const s = await sendMessage(grpc, target, a!, g, 'read me');
  await grpc.ok(`${MSG}/MarkAsRead`, { conversation_id: g, conversation_type: 'group', user_id: b!.user_id, last_read_seq: s.sequence, last_read_message_id: s.message_id });
  const r = await grpc.ok(`${MSG}/GetReadReceipts`, { conversation_id: g, user_id: a!.user_id });
  expectResponse(`${MSG}/MarkAsRead`, r, [['receipts', arrayWith((x) => x.user_id === b!.user_id && Number(x.last_read_seq) === s.sequence), `receipt of ${b!.user_id} at ${s.sequence}`]]);
});

rpcCheck(`${MSG}/GetUnreadCount`, 'GetUnreadCount counts messages after last_read_seq', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const first = await sendMessage(grpc, target, a!, g, '1');
  await sendMessage(grpc, target, a!, g, '2');
  const last = await sendMessage(grpc, target, a!, g, '3');
  const r = await grpc.ok(`${MSG}/GetUnreadCount`, { conversation_id: g, user_id: b!.user_id, last_read_seq: first.sequence });
  expectResponse(`${MSG}/GetUnreadCount`, r, [['unread_count', is(2), '2'], ['last_message_seq', is(last.sequence), String(last.sequence)]]);
});

rpcCheck(`${MSG}/GetReadReceipts`, 'GetReadReceipts returns receipts with read_at set', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const s = await sendMessage(grpc, target, a!, g, 'x');
  await grpc.ok(`${MSG}/MarkAsRead`, { conversation_id: g, conversation_type: 'group', user_id: b!.user_id, last_read_seq: s.sequence, last_read_message_id: s.message_id });
  const r = await grpc.ok(`${MSG}/GetReadReceipts`, { conversation_id: g, user_id: a!.user_id });
  expectResponse(`${MSG}/GetReadReceipts`, r, [['receipts', arrayWith((x) => x.user_id === b!.user_id && timestampSet(x.read_at)), 'a receipt with read_at set']]);
});

rpcCheck(`${MSG}/GetConversationSequence`, 'GetConversationSequence equals the last acked sequence', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  await sendMessage(grpc, target, a!, g, '1');
  const last = await sendMessage(grpc, target, b!, g, '2');
  const r = await grpc.ok(`${MSG}/GetConversationSequence`, { conversation_id: g });
  expectResponse(`${MSG}/GetConversationSequence`, r, [['current_seq', is(last.sequence), String(last.sequence)]]);
});

rpcCheck(`${MSG}/SearchMessages`, 'SearchMessages finds a message by a unique keyword', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const word = `needle${Date.now()}`;
  const s = await sendMessage(grpc, target, a!, g, `hay ${word} hay`);
  const r = await grpc.ok(`${MSG}/SearchMessages`, { user_id: b!.user_id, keyword: word, conversation_id: '', content_type: '', limit: 20, offset: 0 });
  expectResponse(`${MSG}/SearchMessages`, r, [['messages', arrayWith((m) => m.message_id === s.message_id), `contains ${s.message_id}`], ['total', positive, '>= 1']]);
});

rpcCheck(`${SES}/GetSessions`, 'GetSessions holds the conversation of a received message with unread ≥ 1', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const s = await sendMessage(grpc, target, a!, g, 'session');
  const r = await grpc.ok(`${SES}/GetSessions`, { user_id: b!.user_id, limit: 20, updated_before: 0 });
  expectResponse(`${SES}/GetSessions`, r, [['sessions', arrayWith((x) => x.target_id === g && x.unread_count >= 1 && x.last_message_id === s.message_id && timestampSet(x.updated_at)), `session for ${g} with unread >= 1 and last message ${s.message_id}`]]);
});

rpcCheck(`${SES}/GetSession`, 'GetSession returns one session of that user', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  await sendMessage(grpc, target, a!, g, 'x');
  const list = await grpc.ok(`${SES}/GetSessions`, { user_id: b!.user_id, limit: 20, updated_before: 0 });
  const sid = list.sessions?.find((x: any) => x.target_id === g)?.session_id;
  const r = await grpc.ok(`${SES}/GetSession`, { user_id: b!.user_id, session_id: sid ?? g });
  expectResponse(`${SES}/GetSession`, r, [['target_id', is(g), g], ['user_id', is(b!.user_id), b!.user_id], ['created_at', timestampSet, 'set']]);
});

rpcCheck(`${SES}/CreateOrUpdateSession`, 'CreateOrUpdateSession creates a session readable by GetSession', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const r = await grpc.ok(`${SES}/CreateOrUpdateSession`, { session_type: 'single', user_id: a!.user_id, target_id: b!.user_id, last_message_id: 'm-1', last_message_content: 'hi', last_message_timestamp: Math.floor(Date.now() / 1000) });
  expectResponse(`${SES}/CreateOrUpdateSession`, r, [['session_id', nonEmpty, 'non-empty'], ['user_id', is(a!.user_id), a!.user_id], ['target_id', is(b!.user_id), b!.user_id], ['last_message_content', is('hi'), 'hi']]);
});

async function receivedSession(grpc: any, target: any) {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  await sendMessage(grpc, target, a!, g, 's1');
  await sendMessage(grpc, target, a!, g, 's2');
  const list = await grpc.ok(`${SES}/GetSessions`, { user_id: b!.user_id, limit: 20, updated_before: 0 });
  const session = list.sessions?.find((x: any) => x.target_id === g);
  return { a: a!, b: b!, g, sid: (session?.session_id as string) ?? g };
}

rpcCheck(`${SES}/DeleteSession`, 'DeleteSession hides the session from GetSessions', async ({ grpc, target }) => {
  const { b, g, sid } = await receivedSession(grpc, target);
  await grpc.ok(`${SES}/DeleteSession`, { user_id: b.user_id, session_id: sid });
  const r = await grpc.ok(`${SES}/GetSessions`, { user_id: b.user_id, limit: 20, updated_before: 0 });
  expectResponse(`${SES}/DeleteSession`, r, [['sessions', arrayWithout((x) => x.target_id === g), `no session for ${g}`]]);
});

rpcCheck(`${SES}/SetPinned`, 'SetPinned shows in GetSession', async ({ grpc, target }) => {
  const { b, sid } = await receivedSession(grpc, target);
  await grpc.ok(`${SES}/SetPinned`, { user_id: b.user_id, session_id: sid, pinned: true });
  const r = await grpc.ok(`${SES}/GetSession`, { user_id: b.user_id, session_id: sid });
  expectResponse(`${SES}/SetPinned`, r, [['is_pinned', is(true), 'true'], ['pin_time', timestampSet, 'set']]);
});

rpcCheck(`${SES}/SetMuted`, 'SetMuted shows in GetSession and removes it from the total unread', async ({ grpc, target }) => {
  const { b, sid } = await receivedSession(grpc, target);
  const before = await grpc.ok(`${SES}/GetTotalUnread`, { user_id: b.user_id });
  await grpc.ok(`${SES}/SetMuted`, { user_id: b.user_id, session_id: sid, muted: true });
  const r = await grpc.ok(`${SES}/GetSession`, { user_id: b.user_id, session_id: sid });
  const after = await grpc.ok(`${SES}/GetTotalUnread`, { user_id: b.user_id });
  expectResponse(`${SES}/SetMuted`, { is_muted: r.is_muted, drop: before.total_unread - after.total_unread }, [['is_muted', is(true), 'true'], ['drop', is(2), '2 (the muted session no longer counts)']]);
});

rpcCheck(`${SES}/ClearUnread`, 'ClearUnread sets the session unread count to 0', async ({ grpc, target }) => {
  const { b, sid } = await receivedSession(grpc, target);
  await grpc.ok(`${SES}/ClearUnread`, { user_id: b.user_id, session_id: sid });
  const r = await grpc.ok(`${SES}/GetSession`, { user_id: b.user_id, session_id: sid });
  expectResponse(`${SES}/ClearUnread`, r, [['unread_count', (v) => v === 0 || v === undefined, '0']]);
});

rpcCheck(`${SES}/GetTotalUnread`, 'GetTotalUnread sums the unread counts', async ({ grpc, target }) => {
  const { b } = await receivedSession(grpc, target);
  const r = await grpc.ok(`${SES}/GetTotalUnread`, { user_id: b.user_id });
  expectResponse(`${SES}/GetTotalUnread`, r, [['total_unread', is(2), '2']]);
});

rpcCheck(`${SES}/IncrUnread`, 'IncrUnread raises the unread count by the given amount', async ({ grpc, target }) => {
  const { b, sid } = await receivedSession(grpc, target);
  await grpc.ok(`${SES}/IncrUnread`, { user_id: b.user_id, session_id: sid, count: 3 });
  const r = await grpc.ok(`${SES}/GetSession`, { user_id: b.user_id, session_id: sid });
  expectResponse(`${SES}/IncrUnread`, r, [['unread_count', is(5), '5 (2 messages + 3)']]);
});

rpcCheck(`${SYNC}/Sync`, 'Sync (full) returns friends, groups, sessions, conversations and a sync_time', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const s = await sendMessage(grpc, target, a!, g, 'sync me');
  const r = await grpc.ok(`${SYNC}/Sync`, { user_id: b!.user_id, last_sync_time: 0, conversation_seqs: [{ conversation_id: g, conversation_type: 'group', last_seq: 0 }] });
  expectResponse(`${SYNC}/Sync`, r, [
    ['groups.groups', arrayWith((x) => x.group_id === g), `contains group ${g}`],
    ['sessions.sessions', arrayWith((x) => x.target_id === g), `session for ${g}`],
    ['conversations', arrayWith((c) => c.conversation_id === g && (c.messages ?? []).some((m: any) => m.message_id === s.message_id)), `conversation ${g} with ${s.message_id}`],
    ['sync_time', positive, '> 0'],
  ]);
});

rpcCheck(`${SYNC}/SyncMessages`, 'SyncMessages returns exactly the messages after last_seq, ascending', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const m1 = await sendMessage(grpc, target, a!, g, '1');
  const m2 = await sendMessage(grpc, target, a!, g, '2');
  const m3 = await sendMessage(grpc, target, b!, g, '3');
  const r = await grpc.ok(`${SYNC}/SyncMessages`, { user_id: b!.user_id, conversation_seqs: [{ conversation_id: g, conversation_type: 'group', last_seq: m1.sequence }], limit_per_conversation: 50 });
  const seqs = (r.conversations ?? []).find((c: any) => c.conversation_id === g)?.messages?.map((m: any) => Number(m.sequence));
  expectResponse(`${SYNC}/SyncMessages`, { seqs }, [['seqs', (v) => JSON.stringify(v) === JSON.stringify([m2.sequence, m3.sequence]), `[${m2.sequence}, ${m3.sequence}]`]]);
});
