import { test } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { fail } from '../../fixtures/failure.js';
import { check } from '../check.js';
import { diffViews, expectConsistent } from './diff.js';

const MESSAGE_SENT = 'websocket/asyncapi.yaml#/components/messages/MessageSent';
const NOTIFICATION = 'websocket/asyncapi.yaml#/components/messages/Notification';
const SYNC_MESSAGES = 'http/openapi.json#/paths/~1sync~1messages/post';
const GET_SESSIONS = 'http/openapi.json#/paths/~1sessions/get';

check({
  id: 'XPROTO.1', level: 'SHOULD',
  cites: [MESSAGE_SENT, NOTIFICATION, SYNC_MESSAGES, GET_SESSIONS, 'anychat.message.MessageService/GetMessages', 'anychat.message.MessageService/GetMessageById'],
  title: 'one WS message is identical in the ack, every message.new, /sync/messages, the session, and gRPC GetMessages/GetMessageById',
}, async ({ api, newUser, ws, grpc }) => {
  const [a, b, c] = [await newUser(), await newUser(), await newUser()];
  const group = await api.as(a).call('POST /groups', { body: { name: `xproto-${randomBytes(3).toString('hex')}`, memberIds: [b.userId, c.userId] }, expect: 'success' });
  const groupId = group.data.groupId as string;
  const [wa, wb, wc] = [await ws.connect(a), await ws.connect(b), await ws.connect(c)];
  const content = `cross-protocol ✓ ${randomBytes(4).toString('hex')}`;
  const marks = [wb.mark(), wc.mark()];
  const ack = await wa.sendMessage({ conversationId: groupId, conversationType: 'group', contentType: 'text', content, localId: `x-${randomBytes(4).toString('hex')}` });
  const isNew = (f: any) => f.data?.type === 'notification' && f.data?.payload?.notificationType === 'message.new' && f.data.payload.data?.messageId === ack.messageId;
  const newB = (await wb.waitFor(isNew, { what: `message.new ${ack.messageId} at B`, since: marks[0] })).data.payload.data;
  const newC = (await wc.waitFor(isNew, { what: `message.new ${ack.messageId} at C`, since: marks[1] })).data.payload.data;
  const synced = await api.as(b).call('POST /sync/messages', { body: { conversationSeqs: [{ conversationId: groupId, conversationType: 'group', lastSeq: 0 }] }, expect: 'success' });
  const syncMsg = (synced.data.conversations ?? []).flatMap((cv: any) => cv.messages ?? []).find((m: any) => m.messageId === ack.messageId);
  const session = await api.as(b).call('GET /sessions/{sessionId}', { params: { sessionId: groupId }, expect: 'any' });
  const views: Record<string, any> = { ack: { ...ack, senderId: a.userId, content, contentType: 'text' }, 'message.new@B': newB, 'message.new@C': newC, '/sync/messages': syncMsg };
  if (session.ok) views['GET /sessions/{id}'] = session.data;
  const fields: Record<string, Record<string, (v: any) => unknown>> = {
    messageId: { ack: (v) => v.messageId, 'message.new@B': (v) => v.messageId, 'message.new@C': (v) => v.messageId, '/sync/messages': (v) => v.messageId, 'GET /sessions/{id}': (v) => v.lastMessageId },
    sequence: { ack: (v) => v.sequence, 'message.new@B': (v) => v.sequence, 'message.new@C': (v) => v.sequence, '/sync/messages': (v) => v.sequence },
    senderId: { ack: (v) => v.senderId, 'message.new@B': (v) => v.senderId, 'message.new@C': (v) => v.senderId, '/sync/messages': (v) => v.senderId },
    content: { ack: (v) => v.content, 'message.new@B': (v) => v.content, 'message.new@C': (v) => v.content, '/sync/messages': (v) => v.content, 'GET /sessions/{id}': (v) => v.lastMessageContent },
    contentType: { ack: (v) => v.contentType, 'message.new@B': (v) => v.contentType, 'message.new@C': (v) => v.contentType, '/sync/messages': (v) => v.contentType },
  };
  if (!syncMsg) fail({ message: `/sync/messages does not return message ${ack.messageId}`, expected: ack, observed: synced.data, cite: SYNC_MESSAGES, replay: synced.replay });
  if (grpc.unavailable('anychat.message.MessageService') === null) {
    const byId = await grpc.ok('anychat.message.MessageService/GetMessageById', { message_id: ack.messageId });
    const list = await grpc.ok('anychat.message.MessageService/GetMessages', { conversation_id: groupId, start_seq: 0, end_seq: 0, limit: 50, reverse: false });
    views.GetMessageById = byId;
    views.GetMessages = (list.messages ?? []).find((m: any) => m.message_id === ack.messageId) ?? {};
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
  await api.as(u).call('PUT /users/me', { body: { nickname: `${u.nickname}-x`, signature: 'same everywhere', gender: 1, region: 'Atlantis' }, expect: 'success' });
  const rest = (await api.as(u).call('GET /users/me', { expect: 'success' })).data;
  const rpc = await grpc.ok('anychat.user.UserService/GetProfile', { user_id: u.userId });
  const f = (restKey: string, rpcKey: string) => ({ rest: (v: any) => v[restKey], rpc: (v: any) => v[rpcKey] });
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
  await api.as(a).call('POST /friends/requests', { body: { userId: b.userId, message: 'hi', source: 'search' }, expect: 'success' });
  const reqs = await api.as(b).call('GET /friends/requests', { query: { type: 'received' }, expect: 'success' });
  const req = (reqs.data.requests ?? []).find((r: any) => r.fromUserId === a.userId);
  if (!req) fail({ message: 'the friend request is not listed for the target', expected: `a request from ${a.userId}`, observed: reqs.data, cite: 'http/openapi.json#/paths/~1friends~1requests/get' });
  await api.as(b).call('PUT /friends/requests/{id}', { params: { id: req.id }, body: { action: 'accept' }, expect: 'success' });
  const isFriend = await grpc.ok('anychat.friend.FriendService/IsFriend', { user_id: a.userId, friend_id: b.userId });
  const list = await grpc.ok('anychat.friend.FriendService/GetFriendList', { user_id: a.userId, last_update_time: 0 });
  const batch = await grpc.ok('anychat.friend.FriendService/BatchCheckFriend', { user_id: a.userId, friend_ids: [b.userId, c.userId] });
  const restList = (await api.as(a).call('GET /friends', { expect: 'success' })).data;
  expectConsistent(`friendship ${a.userId}–${b.userId}`, diffViews(
    { rest: restList, isFriend, list, batch },
    { friendOfA: { rest: (v) => (v.friends ?? []).some((f: any) => f.userId === b.userId), isFriend: (v) => v.is_friend, list: (v) => (v.friends ?? []).some((f: any) => f.user_id === b.userId), batch: (v) => v.results?.[b.userId] === true } },
  ), 'anychat.friend.FriendService/IsFriend');
});

check({
  id: 'XPROTO.4', level: 'SHOULD', cites: ['http/openapi.json#/paths/~1groups~1{id}~1members/get', 'anychat.group.GroupService/IsMember', 'anychat.group.GroupService/GetGroupMembers'],
  title: 'group membership and roles set over REST read the same over gRPC (IsMember, GetGroupMembers)',
}, async ({ api, newUser, grpc }) => {
  test.skip(grpc.unavailable('anychat.group.GroupService') !== null, grpc.unavailable('anychat.group.GroupService') ?? '');
  const [a, b, c] = [await newUser(), await newUser(), await newUser()];
  const g = (await api.as(a).call('POST /groups', { body: { name: 'xproto members', memberIds: [b.userId, c.userId] }, expect: 'success' })).data.groupId;
  await api.as(a).call('PUT /groups/{id}/members/{userId}/role', { params: { id: g, userId: c.userId }, body: { role: 'admin' }, expect: 'success' });
  const rest = (await api.as(a).call('GET /groups/{id}/members', { params: { id: g }, expect: 'success' })).data;
  const rpc = await grpc.ok('anychat.group.GroupService/GetGroupMembers', { group_id: g, page: 1, page_size: 20, user_id: a.userId });
  const roleOf = (members: any[], id: string, key: string) => members?.find((m) => m[key] === id)?.role;
  const views: Record<string, any> = { rest, rpc };
  for (const u of [a, b, c]) views[`IsMember ${u.nickname}`] = await grpc.ok('anychat.group.GroupService/IsMember', { group_id: g, user_id: u.userId });
  const fields: Record<string, Record<string, (v: any) => unknown>> = { total: { rest: (v) => v.total, rpc: (v) => v.total } };
  for (const u of [a, b, c]) {
    fields[`role of ${u.userId}`] = { rest: (v) => roleOf(v.members, u.userId, 'userId'), rpc: (v) => roleOf(v.members, u.userId, 'user_id'), [`IsMember ${u.nickname}`]: (v) => v.role };
  }
  expectConsistent(`group ${g}`, diffViews(views, fields), 'anychat.group.GroupService/GetGroupMembers');
});

check({
  id: 'XPROTO.5', level: 'SHOULD', cites: ['http/openapi.json#/paths/~1rtc~1calls~1{callId}/get', 'anychat.rtc.RTCService/GetCallSession'],
  title: 'a call started and answered over REST reads the same over gRPC GetCallSession',
}, async ({ api, newUser, grpc }) => {
  test.skip(grpc.unavailable('anychat.rtc.RTCService') !== null, grpc.unavailable('anychat.rtc.RTCService') ?? '');
  const [a, b] = [await newUser(), await newUser()];
  const call = (await api.as(a).call('POST /rtc/calls', { body: { calleeId: b.userId, callType: 'video' }, expect: 'success' })).data;
  await api.as(b).call('POST /rtc/calls/{callId}/join', { params: { callId: call.callId }, expect: 'success' });
  const rest = (await api.as(a).call('GET /rtc/calls/{callId}', { params: { callId: call.callId }, expect: 'success' })).data;
  const rpc = await grpc.ok('anychat.rtc.RTCService/GetCallSession', { call_id: call.callId, user_id: a.userId });
  const enumName = (v: unknown) => String(v ?? '').toLowerCase().replace(/^call_(type|status)_/, '');
  expectConsistent(`call ${call.callId}`, diffViews({ rest, rpc }, {
    callId: { rest: (v) => v.callId, rpc: (v) => v.call_id },
    callerId: { rest: (v) => v.callerId, rpc: (v) => v.caller_id },
    calleeId: { rest: (v) => v.calleeId, rpc: (v) => v.callee_id },
    callType: { rest: (v) => enumName(v.callType), rpc: (v) => enumName(v.call_type) },
    status: { rest: (v) => enumName(v.status), rpc: (v) => enumName(v.status) },
    roomName: { rest: (v) => v.roomName, rpc: (v) => v.room_name },
  }), 'anychat.rtc.RTCService/GetCallSession');
});

check({
  id: 'XPROTO.6', level: 'SHOULD', cites: ['anychat.message.MessageService/RecallMessage', NOTIFICATION],
  title: 'a message recalled over gRPC is announced over WS (message.recalled) to the members',
}, async ({ api, newUser, ws, grpc }) => {
  test.skip(grpc.unavailable('anychat.message.MessageService') !== null, grpc.unavailable('anychat.message.MessageService') ?? '');
  const [a, b] = [await newUser(), await newUser()];
  const g = (await api.as(a).call('POST /groups', { body: { name: 'xproto recall', memberIds: [b.userId] }, expect: 'success' })).data.groupId;
  const [wa, wb] = [await ws.connect(a), await ws.connect(b)];
  const ack = await wa.sendMessage({ conversationId: g, conversationType: 'group', contentType: 'text', content: 'take it back', localId: `r-${randomBytes(3).toString('hex')}` });
  const mark = wb.mark();
  await grpc.ok('anychat.message.MessageService/RecallMessage', { message_id: ack.messageId, user_id: a.userId });
  const f = await wb.waitFor((x) => x.data?.payload?.notificationType === 'message.recalled', { what: `message.recalled for ${ack.messageId}`, since: mark, cite: NOTIFICATION });
  const data = f.data.payload.data ?? {};
  if (data.messageId !== ack.messageId) fail({ message: 'message.recalled names another message', expected: { messageId: ack.messageId }, observed: data, cite: NOTIFICATION });
});

check({
  id: 'XPROTO.7', level: 'SHOULD', cites: ['http/openapi.json#/paths/~1sessions/get', 'anychat.session.SessionService/GetSessions', 'anychat.session.SessionService/GetTotalUnread'],
  title: 'sessions and unread totals read the same over REST and gRPC',
}, async ({ api, newUser, ws, grpc }) => {
  test.skip(grpc.unavailable('anychat.session.SessionService') !== null, grpc.unavailable('anychat.session.SessionService') ?? '');
  const [a, b] = [await newUser(), await newUser()];
  const g = (await api.as(a).call('POST /groups', { body: { name: 'xproto sessions', memberIds: [b.userId] }, expect: 'success' })).data.groupId;
  const wa = await ws.connect(a);
  for (let i = 0; i < 3; i++) await wa.sendMessage({ conversationId: g, conversationType: 'group', contentType: 'text', content: `u${i}`, localId: `u${i}-${randomBytes(3).toString('hex')}` });
  await api.as(b).call('PUT /sessions/{sessionId}/pin', { params: { sessionId: g }, body: { pinned: true }, expect: 'success' });
  const restList = (await api.as(b).call('GET /sessions', { expect: 'success' })).data;
  const restTotal = (await api.as(b).call('GET /sessions/unread/total', { expect: 'success' })).data;
  const rpcList = await grpc.ok('anychat.session.SessionService/GetSessions', { user_id: b.userId, limit: 20, updated_before: 0 });
  const rpcTotal = await grpc.ok('anychat.session.SessionService/GetTotalUnread', { user_id: b.userId });
  const pick = (list: any[], key: string) => list?.find((s) => s[key] === g);
  expectConsistent(`sessions of ${b.userId}`, diffViews({ rest: { s: pick(restList.sessions, 'targetId'), t: restTotal }, rpc: { s: pick(rpcList.sessions, 'target_id'), t: rpcTotal } }, {
    unreadCount: { rest: (v) => v.s?.unreadCount, rpc: (v) => v.s?.unread_count },
    isPinned: { rest: (v) => v.s?.isPinned, rpc: (v) => v.s?.is_pinned },
    lastMessageId: { rest: (v) => v.s?.lastMessageId, rpc: (v) => v.s?.last_message_id },
    totalUnread: { rest: (v) => v.t?.totalUnread, rpc: (v) => v.t?.total_unread },
  }), 'anychat.session.SessionService/GetSessions');
});

check({
  id: 'XPROTO.8', level: 'MAY', cites: ['anychat.message.MessageService/MarkAsRead', NOTIFICATION],
  title: 'a read marked over gRPC MarkAsRead reaches the other members over WS as message.read_receipt',
}, async ({ api, newUser, ws, grpc }) => {
  test.skip(grpc.unavailable('anychat.message.MessageService') !== null, grpc.unavailable('anychat.message.MessageService') ?? '');
  const [a, b] = [await newUser(), await newUser()];
  const g = (await api.as(a).call('POST /groups', { body: { name: 'xproto receipts', memberIds: [b.userId] }, expect: 'success' })).data.groupId;
  const wa = await ws.connect(a);
  const ack = await wa.sendMessage({ conversationId: g, conversationType: 'group', contentType: 'text', content: 'read me', localId: `rr-${randomBytes(3).toString('hex')}` });
  const mark = wa.mark();
  await grpc.ok('anychat.message.MessageService/MarkAsRead', { conversation_id: g, conversation_type: 'group', user_id: b.userId, last_read_seq: ack.sequence, last_read_message_id: ack.messageId });
  const f = await wa.waitFor((x) => x.data?.payload?.notificationType === 'message.read_receipt', { what: `message.read_receipt from ${b.userId} in ${g}`, since: mark, cite: NOTIFICATION });
  const data = f.data.payload.data ?? {};
  if (data.conversationId !== g || data.userId !== b.userId) fail({ message: 'message.read_receipt names another conversation or reader', expected: { conversationId: g, userId: b.userId }, observed: data, cite: NOTIFICATION });
});
