import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import type { RestApi, TestUser } from '../../fixtures/rest-client.js';
import { check } from '../check.js';
import { assumedSetup, befriend, findRequest, friendIds, opCite, requestIdOf } from './support.js';

/** Friend bodies are untyped `{type: object}` in the contract; these checks use the field names of contract-notes I9. */

async function sendRequest(api: RestApi, from: TestUser, to: TestUser) {
  return api.as(from).call('POST /friends/requests', { body: { userId: to.userId, message: `hello from ${from.nickname}`, source: 'search' }, expect: 'success' });
}

async function friendList(api: RestApi, u: TestUser): Promise<{ ids: string[]; data: any; replay: string }> {
  const res = await api.as(u).call('GET /friends', { expect: 'success' });
  return { ids: friendIds(res.data), data: res.data, replay: res.replay };
}

function blockedIds(data: any): string[] {
  return (Array.isArray(data?.items) ? data.items : []).map((i: any) => i?.blockedUserId ?? i?.blocked_user_id ?? i?.blockedUserInfo?.userId);
}

check({
  id: 'REST.F1', level: 'SHOULD', assumed: true, cites: [opCite('POST /friends/requests'), 'anychat.friend.FriendService/SendFriendRequest'],
  title: 'POST /friends/requests {userId, message, source} succeeds and returns a requestId',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const res = await sendRequest(api, a, b);
  expectThat(requestIdOf(res.data?.requestId) !== undefined || res.data?.autoAccepted === true, {
    message: 'send friend request: data.requestId is not an integer', expected: 'data.requestId (int64: integer or numeric string, contract-notes I16)', observed: res.data, cite: 'anychat.friend.SendFriendRequestResponse', replay: res.replay,
  });
});

check({
  id: 'REST.F2', level: 'MUST', assumed: true, cites: [opCite('GET /friends/requests'), opCite('GET /friends/requests') + '/parameters/0/schema/default'],
  title: "B's received requests (the default type) hold A's request with an integer id; A's sent requests hold it too",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await assumedSetup('A sends B a friend request', () => sendRequest(api, a, b));
  const received = await api.as(b).call('GET /friends/requests', { expect: 'success', why: 'without type (default received)' });
  const r = findRequest(received.data, a.userId);
  expectThat(!!r, { message: "B's GET /friends/requests (default type) does not hold A's request", expected: `a request with fromUserId ${a.userId}`, observed: received.data, cite: opCite('GET /friends/requests'), replay: received.replay });
  expectThat(requestIdOf(r.id) !== undefined, { message: 'friend request id is not an integer', expected: 'integer id (path /friends/requests/{id} is integer)', observed: r.id, cite: opCite('PUT /friends/requests/{id}'), replay: received.replay });
  const sent = await api.as(a).call('GET /friends/requests', { query: { type: 'sent' }, expect: 'success' });
  const s = (sent.data?.requests ?? []).find((x: any) => (x?.toUserId ?? x?.to_user_id) === b.userId || String(x?.id) === String(r.id));
  expectThat(!!s, { message: "A's GET /friends/requests?type=sent does not hold the request to B", expected: `a request to ${b.userId}`, observed: sent.data, cite: opCite('GET /friends/requests'), replay: sent.replay });
});

check({
  id: 'REST.F3', level: 'MUST', assumed: true, cites: [opCite('PUT /friends/requests/{id}'), opCite('GET /friends'), 'anychat.friend.HandleFriendRequestRequest'],
  title: 'B accepts A\'s request; both friend lists then hold each other',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await assumedSetup('A sends B a friend request', () => sendRequest(api, a, b));
  const received = await api.as(b).call('GET /friends/requests', { query: { type: 'received' }, expect: 'success' });
  const rid = requestIdOf(findRequest(received.data, a.userId)?.id);
  if (rid === undefined) fail({ message: "B cannot see A's request id", expected: 'a received request with an integer id', observed: received.data, cite: opCite('GET /friends/requests'), replay: received.replay });
  await api.as(b).call('PUT /friends/requests/{id}', { params: { id: rid }, body: { action: 'accept' }, expect: 'success' });
  const la = await friendList(api, a);
  expectThat(la.ids.includes(b.userId), { message: "A's friend list lacks B after B accepted", expected: `friends[] with userId ${b.userId}`, observed: la.data, cite: opCite('GET /friends'), replay: la.replay });
  const lb = await friendList(api, b);
  expectThat(lb.ids.includes(a.userId), { message: "B's friend list lacks A after accepting", expected: `friends[] with userId ${a.userId}`, observed: lb.data, cite: opCite('GET /friends'), replay: lb.replay });
});

check({
  id: 'REST.F4', level: 'SHOULD', assumed: true, cites: [opCite('PUT /friends/{id}/remark'), 'anychat.friend.Friend'],
  title: "PUT /friends/{B}/remark shows the remark on B in A's friend list",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await assumedSetup('A and B become friends', () => befriend(api, a, b));
  const remark = `buddy ${b.nickname.slice(-6)}`;
  await api.as(a).call('PUT /friends/{id}/remark', { params: { id: b.userId }, body: { remark }, expect: 'success' });
  const la = await friendList(api, a);
  const entry = (la.data?.friends ?? []).find((f: any) => (f?.userId ?? f?.userInfo?.userId) === b.userId);
  expectEqual(entry?.remark, remark, "B's remark in A's friend list", 'anychat.friend.Friend.remark');
});

check({
  id: 'REST.F5', level: 'SHOULD', assumed: true, cites: [opCite('PUT /friends/requests/{id}'), 'anychat.friend.FriendRequest.status'],
  title: 'a rejected request leaves both unfriended and shows status "rejected"',
}, async ({ api, newUser }) => {
  const [a, c] = await Promise.all([newUser(), newUser()]);
  await assumedSetup('C sends A a friend request', () => sendRequest(api, c, a));
  const received = await api.as(a).call('GET /friends/requests', { query: { type: 'received' }, expect: 'success' });
  const rid = requestIdOf(findRequest(received.data, c.userId)?.id);
  if (rid === undefined) fail({ message: "A cannot see C's request id", expected: 'a received request with an integer id', observed: received.data, cite: opCite('GET /friends/requests'), replay: received.replay });
  await api.as(a).call('PUT /friends/requests/{id}', { params: { id: rid }, body: { action: 'reject' }, expect: 'success' });
  const la = await friendList(api, a);
  expectThat(!la.ids.includes(c.userId), { message: "C is in A's friend list after A rejected C's request", expected: 'C absent', observed: la.data, cite: opCite('PUT /friends/requests/{id}'), replay: la.replay });
  const sent = await api.as(c).call('GET /friends/requests', { query: { type: 'sent' }, expect: 'success' });
  const r = (sent.data?.requests ?? []).find((x: any) => String(x?.id) === String(rid));
  expectEqual(String(r?.status ?? '').toLowerCase(), 'rejected', "status of C's rejected request (type=sent)", 'anychat.friend.FriendRequest.status');
});

check({
  id: 'REST.F6', level: 'MUST', assumed: true, cites: opCite('DELETE /friends/{id}'),
  title: "DELETE /friends/{B} removes B from A's friend list",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await assumedSetup('A and B become friends', () => befriend(api, a, b));
  await api.as(a).call('DELETE /friends/{id}', { params: { id: b.userId }, expect: 'success' });
  const la = await friendList(api, a);
  expectThat(!la.ids.includes(b.userId), { message: "B is still in A's friend list after DELETE /friends/{B}", expected: 'B absent', observed: la.data, cite: opCite('DELETE /friends/{id}'), replay: la.replay });
});

check({
  id: 'REST.F6-MUTUAL', level: 'SHOULD', assumed: true, cites: opCite('DELETE /friends/{id}'),
  title: "after A deletes B, A is gone from B's friend list too",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await assumedSetup('A and B become friends', () => befriend(api, a, b));
  await api.as(a).call('DELETE /friends/{id}', { params: { id: b.userId }, expect: 'success' });
  const lb = await friendList(api, b);
  expectThat(!lb.ids.includes(a.userId), { message: "A is still in B's friend list after A deleted B", expected: 'A absent', observed: lb.data, cite: opCite('DELETE /friends/{id}'), replay: lb.replay });
});

check({
  id: 'REST.F7', level: 'MUST', assumed: true, cites: [opCite('POST /friends/blacklist'), opCite('GET /friends/blacklist'), opCite('DELETE /friends/blacklist/{id}')],
  title: 'blocking C lists C in the blacklist; unblocking removes C',
}, async ({ api, newUser }) => {
  const [a, c] = await Promise.all([newUser(), newUser()]);
  await api.as(a).call('POST /friends/blacklist', { body: { userId: c.userId }, expect: 'success' });
  const listed = await api.as(a).call('GET /friends/blacklist', { expect: 'success' });
  expectThat(blockedIds(listed.data).includes(c.userId), { message: "C is not in A's blacklist after blocking", expected: `items[] with blockedUserId ${c.userId}`, observed: listed.data, cite: opCite('GET /friends/blacklist'), replay: listed.replay });
  await api.as(a).call('DELETE /friends/blacklist/{id}', { params: { id: c.userId }, expect: 'success' });
  const after = await api.as(a).call('GET /friends/blacklist', { expect: 'success' });
  expectThat(!blockedIds(after.data).includes(c.userId), { message: "C is still in A's blacklist after DELETE /friends/blacklist/{C}", expected: 'C absent', observed: after.data, cite: opCite('DELETE /friends/blacklist/{id}'), replay: after.replay });
});

check({
  id: 'REST.F8', level: 'MAY', assumed: true, cites: [opCite('POST /friends/blacklist'), 'anychat.friend.FriendService/IsBlocked'],
  title: 'a blocked user cannot send a friend request to the blocker',
}, async ({ api, newUser }) => {
  const [a, c] = await Promise.all([newUser(), newUser()]);
  await assumedSetup('A blocks C', () => api.as(a).call('POST /friends/blacklist', { body: { userId: c.userId }, expect: 'success' }));
  await api.as(c).call('POST /friends/requests', { body: { userId: a.userId, message: 'let me in', source: 'search' }, expect: 'failure', why: 'from a user the target has blocked' });
});
