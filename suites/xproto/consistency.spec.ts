import { test } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { messageContent } from '../../fixtures/content.js';
import { fail } from '../../fixtures/failure.js';
import { field, findBy, list, str } from '../../fixtures/read.js';
import { notificationOf, type Frame } from '../../fixtures/ws-client.js';
import { sendAcked } from '../../fixtures/ws.js';
import { check, type CheckArgs } from '../check.js';
import { setupCall } from '../grpc/world.js';
import { befriend, setup } from '../ws/support.js';
import { diffViews, expectConsistent } from './diff.js';

type Api = CheckArgs['api'];

/** A group over REST as setup (blocked citing REST.G1 when it fails); returns its groupId. */
async function group(api: Api, owner: { accessToken: string }, name: string, memberIds: string[]): Promise<string> {
  return setup('POST /groups', async () => {
    const res = await api.as(owner as any).call('POST /groups', { body: { name, memberIds, joinVerify: false }, expect: 'success' });
    const id = str(res.data, 'groupId');
    if (!id) throw new Error(`POST /groups returned no groupId (data: ${JSON.stringify(res.data)?.slice(0, 200)})`);
    return id;
  });
}

/** A REST read as the view of one protocol: a failure of the call itself is the operation owner's business (blocked). */
const read = (op: string, fn: () => Promise<{ data: any }>) => setup(op, async () => (await fn()).data);

/** The notification of `type` whose data names `messageId` (either frame shape; WS.8 judges the shape). */
const notif = (type: string, pred: (data: Record<string, any>) => boolean = () => true) => (f: Frame) => {
  const n = notificationOf(f.data);
  return n?.type === type && pred(n.data);
};

const MESSAGE_SENT = 'websocket/asyncapi.yaml#/components/messages/MessageSent';
const NOTIFICATION = 'websocket/asyncapi.yaml#/components/messages/Notification';
const SYNC_MESSAGES = 'http/openapi.json#/paths/~1sync~1messages/post';
const GET_SESSIONS = 'http/openapi.json#/paths/~1sessions/get';

check({
  id: 'XPROTO.1', level: 'SHOULD',
  cites: [MESSAGE_SENT, NOTIFICATION, SYNC_MESSAGES, GET_SESSIONS, 'anychat.message.MessageService/GetMessages', 'anychat.message.MessageService/GetMessageById'],
  title: 'one WS message is identical in the ack, every message.new, /sync/messages, the session, and gRPC GetMessages/GetMessageById',
}, async ({ api, newUser, ws, grpc, target }) => {
  const [a, b, c] = [await newUser(), await newUser(), await newUser()];
  const groupId = await group(api, a, `xproto-${randomBytes(3).toString('hex')}`, [b.userId, c.userId]);
  const [wa, wb, wc] = [await ws.connect(a), await ws.connect(b), await ws.connect(c)];
  const content = messageContent(target, `cross-protocol ✓ ${randomBytes(4).toString('hex')}`);
  const marks = [wb.mark(), wc.mark()];
  const ack = await sendAcked(wa, { conversationId: groupId, conversationType: 'group', contentType: 'text', content, localId: `x-${randomBytes(4).toString('hex')}` });
  const isNew = notif('message.new', (d) => str(d, 'messageId') === ack.messageId);
  const newB = notificationOf((await wb.waitFor(isNew, { what: `message.new ${ack.messageId} at B`, since: marks[0] })).data)!.data;
  const newC = notificationOf((await wc.waitFor(isNew, { what: `message.new ${ack.messageId} at C`, since: marks[1] })).data)!.data;
  const synced = await read('POST /sync/messages', () => api.as(b).call('POST /sync/messages', { body: { conversationSeqs: [{ conversationId: groupId, conversationType: 'group', lastSeq: 0 }] }, expect: 'success' }));
  const convs = list(synced, 'conversations') ?? [];
  const syncMsg = findBy(convs.flatMap((cv) => list(cv, 'messages') ?? []), 'messageId', ack.messageId);
  const session = await api.as(b).call('GET /sessions/{sessionId}', { params: { sessionId: groupId }, expect: 'any' });
  const views: Record<string, any> = { ack: { ...ack, senderId: a.userId, content, contentType: 'text' }, 'message.new@B': newB, 'message.new@C': newC, '/sync/messages': syncMsg };
  if (session.ok) views['GET /sessions/{id}'] = session.data;
  const f = (name: string) => (v: any) => field(v, name);
  const fields: Record<string, Record<string, (v: any) => unknown>> = {
    messageId: { ack: f('messageId'), 'message.new@B': f('messageId'), 'message.new@C': f('messageId'), '/sync/messages': f('messageId'), 'GET /sessions/{id}': f('lastMessageId') },
    sequence: { ack: f('sequence'), 'message.new@B': f('sequence'), 'message.new@C': f('sequence'), '/sync/messages': f('sequence') },
    senderId: { ack: f('senderId'), 'message.new@B': f('senderId'), 'message.new@C': f('senderId'), '/sync/messages': f('senderId') },
    content: { ack: f('content'), 'message.new@B': f('content'), 'message.new@C': f('content'), '/sync/messages': f('content'), 'GET /sessions/{id}': f('lastMessageContent') },
    contentType: { ack: f('contentType'), 'message.new@B': f('contentType'), 'message.new@C': f('contentType'), '/sync/messages': f('contentType') },
  };
  if (!syncMsg) fail({ message: `/sync/messages does not return message ${ack.messageId}`, expected: ack, observed: synced, cite: SYNC_MESSAGES });
  if (grpc.unavailable('anychat.message.MessageService') === null) {
    const byId = await setupCall(grpc, 'anychat.message.MessageService/GetMessageById', { message_id: ack.messageId });
    const got = await setupCall(grpc, 'anychat.message.MessageService/GetMessages', { conversation_id: groupId, start_seq: 0, end_seq: 0, limit: 50, reverse: false });
    views.GetMessageById = byId;
    views.GetMessages = (got.messages ?? []).find((m: any) => m.message_id === ack.messageId) ?? {};
    for (const view of ['GetMessageById', 'GetMessages']) {
      fields.messageId![view] = (v) => v.message_id;
      fields.sequence![view] = (v) => v.sequence;
      fields.senderId![view] = (v) => v.sender_id;
      fields.content![view] = (v) => v.content;
      fields.contentType![view] = (v) => v.content_type;
    }
  }
  expectConsistent(`message ${ack.messageId}`, diffViews(views, fields), [MESSAGE_SENT, SYNC_MESSAGES]);
});

check({
  id: 'XPROTO.2', level: 'SHOULD', cites: ['http/openapi.json#/paths/~1users~1me/get', 'anychat.user.UserService/GetProfile'],
  title: 'a user created and updated over REST reads the same over gRPC',
}, async ({ api, newUser, grpc }) => {
  test.skip(grpc.unavailable('anychat.user.UserService') !== null, grpc.unavailable('anychat.user.UserService') ?? '');
  const u = await newUser();
  // A short nickname (≤ 16 characters): the contract sets no limit, real servers do.
  const nickname = `x${randomBytes(5).toString('hex')}`;
  await setup('PUT /users/me', () => api.as(u).call('PUT /users/me', { body: { nickname, signature: 'same everywhere', gender: 1, region: 'Atlantis' }, expect: 'success' }));
  const rest = await read('GET /users/me', () => api.as(u).call('GET /users/me', { expect: 'success' }));
  const rpc = await setupCall(grpc, 'anychat.user.UserService/GetProfile', { user_id: u.userId });
  const f = (restKey: string, rpcKey: string) => ({ rest: (v: any) => field(v, restKey), rpc: (v: any) => v[rpcKey] });
  expectConsistent(`user ${u.userId}`, diffViews({ rest, rpc }, {
    userId: f('userId', 'user_id'), nickname: f('nickname', 'nickname'), signature: f('signature', 'signature'), gender: f('gender', 'gender'), region: f('region', 'region'), phone: f('phone', 'phone'), email: f('email', 'email'),
  }), ['http/openapi.json#/components/schemas/internal_gateway_handler.UserProfile', 'anychat.user.UserService/GetProfile']);
});

check({
  id: 'XPROTO.3', level: 'SHOULD', cites: ['http/openapi.json#/paths/~1friends~1requests/post', 'anychat.friend.FriendService/IsFriend', 'anychat.friend.FriendService/GetFriendList'],
  title: 'a friendship made over REST reads the same over gRPC (IsFriend, GetFriendList, BatchCheckFriend)',
}, async ({ api, newUser, grpc }) => {
  test.skip(grpc.unavailable('anychat.friend.FriendService') !== null, grpc.unavailable('anychat.friend.FriendService') ?? '');
  const [a, b, c] = [await newUser(), await newUser(), await newUser()];
  await befriend(api, a, b);
  const isFriend = await setupCall(grpc, 'anychat.friend.FriendService/IsFriend', { user_id: a.userId, friend_id: b.userId });
  const friendList = await setupCall(grpc, 'anychat.friend.FriendService/GetFriendList', { user_id: a.userId, last_update_time: 0 });
  const batch = await setupCall(grpc, 'anychat.friend.FriendService/BatchCheckFriend', { user_id: a.userId, friend_ids: [b.userId, c.userId] });
  const restList = await read('GET /friends', () => api.as(a).call('GET /friends', { expect: 'success' }));
  // The REST list read through fixtures/read.ts (any key spelling; an omitted empty list is empty); unreadable → absent.
  const restFriends = list(restList, 'friends');
  expectConsistent(`friendship ${a.userId}–${b.userId}`, diffViews(
    { rest: restList, isFriend, list: friendList, batch },
    { friendOfA: { rest: () => (restFriends ? findBy(restFriends, 'userId', b.userId) !== undefined : undefined), isFriend: (v) => v.is_friend, list: (v) => (v.friends ?? []).some((f: any) => f.user_id === b.userId), batch: (v) => v.results?.[b.userId] === true } },
  ), 'anychat.friend.FriendService/IsFriend');
});

check({
  id: 'XPROTO.4', level: 'SHOULD', cites: ['http/openapi.json#/paths/~1groups~1{id}~1members/get', 'anychat.group.GroupService/IsMember', 'anychat.group.GroupService/GetGroupMembers'],
  title: 'group membership and roles set over REST read the same over gRPC (IsMember, GetGroupMembers)',
}, async ({ api, newUser, grpc }) => {
  test.skip(grpc.unavailable('anychat.group.GroupService') !== null, grpc.unavailable('anychat.group.GroupService') ?? '');
  const [a, b, c] = [await newUser(), await newUser(), await newUser()];
  const g = await group(api, a, 'xproto members', [b.userId, c.userId]);
  await setup('PUT /groups/{id}/members/{userId}/role', () => api.as(a).call('PUT /groups/{id}/members/{userId}/role', { params: { id: g, userId: c.userId }, body: { role: 'admin' }, expect: 'success' }));
  const rest = await read('GET /groups/{id}/members', () => api.as(a).call('GET /groups/{id}/members', { params: { id: g }, expect: 'success' }));
  const rpc = await setupCall(grpc, 'anychat.group.GroupService/GetGroupMembers', { group_id: g, page: 1, page_size: 20, user_id: a.userId });
  const views: Record<string, any> = { rest, rpc };
  for (const u of [a, b, c]) views[`IsMember ${u.nickname}`] = await setupCall(grpc, 'anychat.group.GroupService/IsMember', { group_id: g, user_id: u.userId });
  const fields: Record<string, Record<string, (v: any) => unknown>> = { total: { rest: (v) => field(v, 'total'), rpc: (v) => v.total } };
  for (const u of [a, b, c]) {
    fields[`role of ${u.userId}`] = {
      rest: (v) => field(findBy(list(v, 'members') ?? [], 'userId', u.userId), 'role'),
      rpc: (v) => (v.members ?? []).find((m: any) => m.user_id === u.userId)?.role,
      [`IsMember ${u.nickname}`]: (v) => v.role,
    };
  }
  expectConsistent(`group ${g}`, diffViews(views, fields), 'anychat.group.GroupService/GetGroupMembers');
});

check({
  id: 'XPROTO.5', level: 'SHOULD', cites: ['http/openapi.json#/paths/~1rtc~1calls~1{callId}/get', 'anychat.rtc.RTCService/GetCallSession'],
  title: 'a call started and answered over REST reads the same over gRPC GetCallSession',
}, async ({ api, newUser, grpc }) => {
  test.skip(grpc.unavailable('anychat.rtc.RTCService') !== null, grpc.unavailable('anychat.rtc.RTCService') ?? '');
  const [a, b] = [await newUser(), await newUser()];
  const callId = await setup('POST /rtc/calls', async () => {
    const d = (await api.as(a).call('POST /rtc/calls', { body: { calleeId: b.userId, callType: 'video' }, expect: 'success' })).data;
    const id = str(d, 'callId');
    if (!id) throw new Error(`POST /rtc/calls returned no callId (data: ${JSON.stringify(d)?.slice(0, 200)})`);
    return id;
  });
  await setup('POST /rtc/calls/{callId}/join', () => api.as(b).call('POST /rtc/calls/{callId}/join', { params: { callId }, expect: 'success' }));
  const rest = await read('GET /rtc/calls/{callId}', () => api.as(a).call('GET /rtc/calls/{callId}', { params: { callId }, expect: 'success' }));
  const rpc = await setupCall(grpc, 'anychat.rtc.RTCService/GetCallSession', { call_id: callId, user_id: a.userId });
  const enumName = (v: unknown) => String(v ?? '').toLowerCase().replace(/^call_(type|status)_/, '');
  expectConsistent(`call ${callId}`, diffViews({ rest, rpc }, {
    callId: { rest: (v) => field(v, 'callId'), rpc: (v) => v.call_id },
    callerId: { rest: (v) => field(v, 'callerId'), rpc: (v) => v.caller_id },
    calleeId: { rest: (v) => field(v, 'calleeId'), rpc: (v) => v.callee_id },
    callType: { rest: (v) => enumName(field(v, 'callType')), rpc: (v) => enumName(v.call_type) },
    status: { rest: (v) => enumName(field(v, 'status')), rpc: (v) => enumName(v.status) },
    roomName: { rest: (v) => field(v, 'roomName'), rpc: (v) => v.room_name },
  }), 'anychat.rtc.RTCService/GetCallSession');
});

check({
  id: 'XPROTO.6', level: 'SHOULD', cites: ['anychat.message.MessageService/RecallMessage', NOTIFICATION],
  title: 'a message recalled over gRPC is announced over WS (message.recalled) to the members',
}, async ({ api, newUser, ws, grpc, target }) => {
  test.skip(grpc.unavailable('anychat.message.MessageService') !== null, grpc.unavailable('anychat.message.MessageService') ?? '');
  const [a, b] = [await newUser(), await newUser()];
  const g = await group(api, a, 'xproto recall', [b.userId]);
  const [wa, wb] = [await ws.connect(a), await ws.connect(b)];
  const ack = await sendAcked(wa, { conversationId: g, conversationType: 'group', contentType: 'text', content: messageContent(target, 'take it back'), localId: `r-${randomBytes(3).toString('hex')}` });
  const mark = wb.mark();
  await setupCall(grpc, 'anychat.message.MessageService/RecallMessage', { message_id: ack.messageId, user_id: a.userId });
  const f = await wb.waitFor(notif('message.recalled'), { what: `message.recalled for ${ack.messageId}`, since: mark, cite: NOTIFICATION });
  const data = notificationOf(f.data)!.data;
  if (str(data, 'messageId') !== ack.messageId) fail({ message: 'message.recalled names another message', expected: { messageId: ack.messageId }, observed: data, cite: NOTIFICATION });
});

check({
  id: 'XPROTO.7', level: 'SHOULD', cites: ['http/openapi.json#/paths/~1sessions/get', 'anychat.session.SessionService/GetSessions', 'anychat.session.SessionService/GetTotalUnread'],
  title: 'sessions and unread totals read the same over REST and gRPC',
}, async ({ api, newUser, ws, grpc, target }) => {
  test.skip(grpc.unavailable('anychat.session.SessionService') !== null, grpc.unavailable('anychat.session.SessionService') ?? '');
  const [a, b] = [await newUser(), await newUser()];
  const g = await group(api, a, 'xproto sessions', [b.userId]);
  const wa = await ws.connect(a);
  for (let i = 0; i < 3; i++) await sendAcked(wa, { conversationId: g, conversationType: 'group', contentType: 'text', content: messageContent(target, `u${i}`), localId: `u${i}-${randomBytes(3).toString('hex')}` });
  await setup('PUT /sessions/{sessionId}/pin', () => api.as(b).call('PUT /sessions/{sessionId}/pin', { params: { sessionId: g }, body: { pinned: true }, expect: 'success' }));
  const restList = await read('GET /sessions', () => api.as(b).call('GET /sessions', { expect: 'success' }));
  const restTotal = await read('GET /sessions/unread/total', () => api.as(b).call('GET /sessions/unread/total', { expect: 'success' }));
  const rpcList = await setupCall(grpc, 'anychat.session.SessionService/GetSessions', { user_id: b.userId, limit: 20, updated_before: 0 });
  const rpcTotal = await setupCall(grpc, 'anychat.session.SessionService/GetTotalUnread', { user_id: b.userId });
  const restSession = findBy(list(restList, 'sessions') ?? [], 'targetId', g);
  const rpcSession = (rpcList.sessions ?? []).find((s: any) => s.target_id === g);
  expectConsistent(`sessions of ${b.userId}`, diffViews({ rest: { s: restSession, t: restTotal }, rpc: { s: rpcSession, t: rpcTotal } }, {
    unreadCount: { rest: (v) => field(v.s, 'unreadCount'), rpc: (v) => v.s?.unread_count },
    isPinned: { rest: (v) => field(v.s, 'isPinned'), rpc: (v) => v.s?.is_pinned },
    lastMessageId: { rest: (v) => field(v.s, 'lastMessageId'), rpc: (v) => v.s?.last_message_id },
    totalUnread: { rest: (v) => field(v.t, 'totalUnread'), rpc: (v) => v.t?.total_unread },
  }), 'anychat.session.SessionService/GetSessions');
});

check({
  id: 'XPROTO.8', level: 'MAY', cites: ['anychat.message.MessageService/MarkAsRead', NOTIFICATION],
  title: 'a read marked over gRPC MarkAsRead reaches the other members over WS as message.read_receipt',
}, async ({ api, newUser, ws, grpc, target }) => {
  test.skip(grpc.unavailable('anychat.message.MessageService') !== null, grpc.unavailable('anychat.message.MessageService') ?? '');
  const [a, b] = [await newUser(), await newUser()];
  const g = await group(api, a, 'xproto receipts', [b.userId]);
  const wa = await ws.connect(a);
  const ack = await sendAcked(wa, { conversationId: g, conversationType: 'group', contentType: 'text', content: messageContent(target, 'read me'), localId: `rr-${randomBytes(3).toString('hex')}` });
  const mark = wa.mark();
  await setupCall(grpc, 'anychat.message.MessageService/MarkAsRead', { conversation_id: g, conversation_type: 'group', user_id: b.userId, last_read_seq: ack.sequence, last_read_message_id: ack.messageId });
  const f = await wa.waitFor(notif('message.read_receipt'), { what: `message.read_receipt from ${b.userId} in ${g}`, since: mark, cite: NOTIFICATION });
  const data = notificationOf(f.data)!.data;
  if (str(data, 'conversationId') !== g || str(data, 'userId') !== b.userId) fail({ message: 'message.read_receipt names another conversation or reader', expected: { conversationId: g, userId: b.userId }, observed: data, cite: NOTIFICATION });
});
