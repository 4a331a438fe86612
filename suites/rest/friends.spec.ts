import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import { field, findBy, str } from '../../fixtures/read.js';
import type { RestApi, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import { check } from '../check.js';
import { befriend, block, friendId, idsOf, opCite, owns, P, prereq, receivedRequestId, requestIdOf, sendFriendRequest, visibleList } from './support.js';

/** Friend bodies are untyped `{type: object}` in the contract; these checks use the field names of contract-notes I9. */

async function friendList(api: RestApi, u: TestUser): Promise<{ ids: string[]; items: unknown[]; data: any; replay: string }> {
  const res = await api.as(u).call('GET /friends', { expect: 'success' });
  const items = visibleList(res, 'GET /friends', 'friends', friendId, 'userId');
  return { ids: idsOf(items, friendId), items, data: res.data, replay: res.replay };
}

const blockedId = (i: unknown) => str(i, 'blockedUserId') ?? str(i, 'blockedUserInfo.userId');

function blacklist(res: RestResponse): string[] {
  return idsOf(visibleList(res, 'GET /friends/blacklist', 'items', blockedId, 'blockedUserId'), blockedId);
}

/** The requests of a GET /friends/requests answer (blocked when unreadable). */
const requestsOf = (res: RestResponse) => visibleList(res, 'GET /friends/requests', 'requests', (r) => str(r, 'id'), 'id');

check({
  id: 'REST.F1', level: 'SHOULD', assumed: true, cites: [opCite('POST /friends/requests'), 'anychat.friend.FriendService/SendFriendRequest'],
  title: 'POST /friends/requests {userId, message, source} succeeds and returns a requestId',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const res = await owns(P.friendRequest, () => sendFriendRequest(api, a, b));
  expectThat(requestIdOf(field(res.data, 'requestId')) !== undefined || field(res.data, 'autoAccepted') === true, {
    message: 'send friend request: data.requestId is not an integer', expected: 'data.requestId (int64: integer or numeric string, contract-notes I16)', observed: res.data ?? null, cite: 'anychat.friend.SendFriendRequestResponse', replay: res.replay,
  });
});

check({
  id: 'REST.F2', level: 'MUST', assumed: true, cites: [opCite('GET /friends/requests'), opCite('GET /friends/requests') + '/parameters/0/schema/default'],
  title: "B's received requests (the default type) hold A's request with an integer id; A's sent requests hold it too",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await prereq(P.friendRequest, () => sendFriendRequest(api, a, b));
  await owns(P.friendRequestList, async () => {
    const received = await api.as(b).call('GET /friends/requests', { expect: 'success', why: 'without type (default received)' });
    const r = findBy(visibleList(received, 'GET /friends/requests', 'requests', (x) => str(x, 'fromUserId'), 'fromUserId'), 'fromUserId', a.userId);
    expectThat(!!r, { message: "B's GET /friends/requests (default type) does not hold A's request", expected: `a request with fromUserId ${a.userId}`, observed: received.data ?? null, cite: opCite('GET /friends/requests'), replay: received.replay });
    const rid = requestIdOf(field(r, 'id'));
    expectThat(rid !== undefined, { message: 'friend request id is not an integer', expected: 'integer id (path /friends/requests/{id} is integer)', observed: field(r, 'id') ?? null, cite: opCite('PUT /friends/requests/{id}'), replay: received.replay });
    const sent = await api.as(a).call('GET /friends/requests', { query: { type: 'sent' }, expect: 'success' });
    const s = requestsOf(sent).find((x) => str(x, 'toUserId') === b.userId || str(x, 'id') === String(rid));
    expectThat(!!s, { message: "A's GET /friends/requests?type=sent does not hold the request to B", expected: `a request to ${b.userId}`, observed: sent.data ?? null, cite: opCite('GET /friends/requests'), replay: sent.replay });
  });
});

check({
  id: 'REST.F3', level: 'MUST', assumed: true, cites: [opCite('PUT /friends/requests/{id}'), opCite('GET /friends'), 'anychat.friend.HandleFriendRequestRequest'],
  title: 'B accepts A\'s request; both friend lists then hold each other',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const sent = await prereq(P.friendRequest, () => sendFriendRequest(api, a, b));
  const rid = requestIdOf(field(sent.data, 'requestId')) ?? (await prereq(P.friendRequestList, () => receivedRequestId(api, b, a)));
  await owns(P.friendAccept, () => api.as(b).call('PUT /friends/requests/{id}', { params: { id: rid }, body: { action: 'accept' }, expect: 'success' }));
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
  await befriend(api, a, b);
  const remark = `buddy ${b.nickname.slice(-6)}`;
  await api.as(a).call('PUT /friends/{id}/remark', { params: { id: b.userId }, body: { remark }, expect: 'success' });
  const la = await friendList(api, a);
  const entry = la.items.find((f) => friendId(f) === b.userId);
  expectThat(!!entry, { message: "B is not in A's friend list", expected: `friends[] with userId ${b.userId}`, observed: la.data ?? null, cite: opCite('GET /friends'), replay: la.replay });
  expectEqual(str(entry, 'remark') ?? null, remark, "B's remark in A's friend list", 'anychat.friend.Friend.remark');
});

check({
  id: 'REST.F5', level: 'SHOULD', assumed: true, cites: [opCite('PUT /friends/requests/{id}'), 'anychat.friend.FriendRequest.status'],
  title: 'a rejected request leaves both unfriended and shows status "rejected"',
}, async ({ api, newUser }) => {
  const [a, c] = await Promise.all([newUser(), newUser()]);
  const sent0 = await prereq(P.friendRequest, () => sendFriendRequest(api, c, a));
  const rid = requestIdOf(field(sent0.data, 'requestId')) ?? (await prereq(P.friendRequestList, () => receivedRequestId(api, a, c)));
  await api.as(a).call('PUT /friends/requests/{id}', { params: { id: rid }, body: { action: 'reject' }, expect: 'success' });
  const la = await friendList(api, a);
  expectThat(!la.ids.includes(c.userId), { message: "C is in A's friend list after A rejected C's request", expected: 'C absent', observed: la.data, cite: opCite('PUT /friends/requests/{id}'), replay: la.replay });
  const sent = await api.as(c).call('GET /friends/requests', { query: { type: 'sent' }, expect: 'success' });
  const r = findBy(requestsOf(sent), 'id', rid);
  expectThat(!!r, { message: "C's sent requests do not hold the rejected request", expected: `a request with id ${rid}`, observed: sent.data ?? null, cite: opCite('GET /friends/requests'), replay: sent.replay });
  expectEqual((str(r, 'status') ?? '').toLowerCase(), 'rejected', "status of C's rejected request (type=sent)", 'anychat.friend.FriendRequest.status');
});

check({
  id: 'REST.F6', level: 'MUST', assumed: true, cites: opCite('DELETE /friends/{id}'),
  title: "DELETE /friends/{B} removes B from A's friend list",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await befriend(api, a, b);
  if (!(await friendList(api, a)).ids.includes(b.userId)) block("A's friend list does not show B even before the delete, so B's absence afterwards proves nothing", 'REST.F3');
  await api.as(a).call('DELETE /friends/{id}', { params: { id: b.userId }, expect: 'success' });
  const la = await friendList(api, a);
  expectThat(!la.ids.includes(b.userId), { message: "B is still in A's friend list after DELETE /friends/{B}", expected: 'B absent', observed: la.data, cite: opCite('DELETE /friends/{id}'), replay: la.replay });
});

check({
  id: 'REST.F6-MUTUAL', level: 'SHOULD', assumed: true, cites: opCite('DELETE /friends/{id}'),
  title: "after A deletes B, A is gone from B's friend list too",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await befriend(api, a, b);
  if (!(await friendList(api, b)).ids.includes(a.userId)) block("B's friend list does not show A even before the delete, so A's absence afterwards proves nothing", 'REST.F3');
  await api.as(a).call('DELETE /friends/{id}', { params: { id: b.userId }, expect: 'success' });
  const lb = await friendList(api, b);
  expectThat(!lb.ids.includes(a.userId), { message: "A is still in B's friend list after A deleted B", expected: 'A absent', observed: lb.data, cite: opCite('DELETE /friends/{id}'), replay: lb.replay });
});

check({
  id: 'REST.F7', level: 'MUST', assumed: true, cites: [opCite('POST /friends/blacklist'), opCite('GET /friends/blacklist'), opCite('DELETE /friends/blacklist/{id}')],
  title: 'blocking C lists C in the blacklist; unblocking removes C',
}, async ({ api, newUser }) => {
  const [a, c] = await Promise.all([newUser(), newUser()]);
  await owns(P.blacklist, () => api.as(a).call('POST /friends/blacklist', { body: { userId: c.userId }, expect: 'success' }));
  const listed = await api.as(a).call('GET /friends/blacklist', { expect: 'success' });
  expectThat(blacklist(listed).includes(c.userId), { message: "C is not in A's blacklist after blocking", expected: `items[] with blockedUserId ${c.userId}`, observed: listed.data, cite: opCite('GET /friends/blacklist'), replay: listed.replay });
  await api.as(a).call('DELETE /friends/blacklist/{id}', { params: { id: c.userId }, expect: 'success' });
  const after = await api.as(a).call('GET /friends/blacklist', { expect: 'success' });
  expectThat(!blacklist(after).includes(c.userId), { message: "C is still in A's blacklist after DELETE /friends/blacklist/{C}", expected: 'C absent', observed: after.data, cite: opCite('DELETE /friends/blacklist/{id}'), replay: after.replay });
});

check({
  id: 'REST.F8', level: 'MAY', assumed: true, cites: [opCite('POST /friends/blacklist'), 'anychat.friend.FriendService/IsBlocked'],
  title: 'a blocked user cannot send a friend request to the blocker (beyond the contract)',
}, async ({ api, newUser }) => {
  const [a, c] = await Promise.all([newUser(), newUser()]);
  await prereq(P.blacklist, () => api.as(a).call('POST /friends/blacklist', { body: { userId: c.userId }, expect: 'success' }));
  await api.as(c).call('POST /friends/requests', { body: { userId: a.userId, message: 'let me in', source: 'search' }, expect: 'failure', why: 'from a user the target has blocked' });
});
