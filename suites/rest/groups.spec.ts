import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import { field, findBy, num, str } from '../../fixtures/read.js';
import type { RestApi, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import type { Target } from '../../fixtures/target.js';
import { check } from '../check.js';
import { createGroup, expectStrictStatus, idsOf, makeGroup, member, members, opCite, block, owns, P, requestIdOf, schemaCite, visibleList } from './support.js';

const GROUP = schemaCite('grp.GroupResponse');
const MEMBER = schemaCite('grp.GroupMemberResponse');

const groupIdOf = (g: unknown) => str(g, 'groupId');
const roleOf = (m: unknown) => str(m, 'role') ?? null;

/** The group ids of `u`'s GET /groups (blocked, citing REST.HG3, when the list cannot be read). */
async function myGroupIds(api: RestApi, u: TestUser): Promise<{ ids: string[]; res: RestResponse }> {
  const res = await api.as(u).call('GET /groups', { expect: 'success' });
  return { ids: idsOf(visibleList(res, 'GET /groups', 'groups', groupIdOf, 'groupId'), groupIdOf), res };
}

/** A failure that the contract declares as 403: any failure envelope; strict mode also wants the 403. */
async function expectForbidden(api: RestApi, target: Target, u: TestUser, key: string, opts: { params: Record<string, string | number>; body?: unknown; why: string }): Promise<void> {
  const res = await api.as(u).call(key, { ...opts, expect: 'failure', cite: opCite(key, 'responses', '403') });
  expectStrictStatus(target, res, key, 403, opts.why);
}

check({
  id: 'REST.G1', level: 'MUST', cites: [opCite('POST /groups'), GROUP],
  title: 'POST /groups returns the group: groupId, ownerId = creator, myRole owner, memberCount 2, name echoed',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const name = `G1 ${a.nickname.slice(-8)}`;
  const g = await owns(P.group, () => createGroup(api, a, [b], { name }));
  expectEqual(str(g.data, 'ownerId') ?? null, a.userId, 'ownerId', schemaCite('grp.GroupResponse', 'properties', 'ownerId'));
  expectEqual(str(g.data, 'myRole') ?? null, 'owner', "creator's myRole", schemaCite('grp.GroupResponse', 'properties', 'myRole'));
  expectEqual(num(g.data, 'memberCount') ?? null, 2, 'memberCount (creator + 1)', schemaCite('grp.GroupResponse', 'properties', 'memberCount'));
  expectEqual(str(g.data, 'name') ?? null, name, 'name', schemaCite('grp.GroupResponse', 'properties', 'name'));
});

check({
  id: 'REST.G2', level: 'SHOULD', cites: [opCite('POST /groups'), schemaCite('grp.CreateGroupRequest', 'properties', 'memberIds')],
  title: 'POST /groups with no other member fails (at least 2 members including the creator)',
}, async ({ api, newUser }) => {
  const a = await newUser();
  await api.as(a).call('POST /groups', { body: { name: 'lonely', memberIds: [] }, expect: 'failure', why: 'with memberIds: []' });
});

check({
  id: 'REST.G3', level: 'MUST', cites: [opCite('GET /groups/{id}'), opCite('GET /groups')],
  title: 'a member sees myRole "member" on GET /groups/{id}; GET /groups lists the group for owner and member',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  const info = await api.as(b).call('GET /groups/{id}', { params: { id: g.groupId }, expect: 'success' });
  expectEqual(str(info.data, 'groupId') ?? null, g.groupId, 'groupId', GROUP);
  expectEqual(str(info.data, 'myRole') ?? null, 'member', "member's myRole", schemaCite('grp.GroupResponse', 'properties', 'myRole'));
  for (const u of [a, b]) {
    const mine = await myGroupIds(api, u);
    expectThat(mine.ids.includes(g.groupId), { message: `GET /groups of ${u === a ? 'the owner' : 'the member'} does not list the group`, expected: `groups[] with groupId ${g.groupId}`, observed: mine.res.data, cite: opCite('GET /groups'), replay: mine.res.replay });
  }
});

check({
  id: 'REST.G4', level: 'MUST', cites: [opCite('GET /groups/{id}/members'), schemaCite('grp.GroupMemberListResponse')],
  title: 'GET /groups/{id}/members lists the owner (role owner) and the member (role member), total 2',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  const { res, list } = await members(api.as(b), g.groupId);
  expectThat(!!member(list, a.userId) && !!member(list, b.userId), { message: 'the members list lacks the owner or the member', expected: `members[] with userIds ${a.userId} and ${b.userId}`, observed: res.data, cite: schemaCite('grp.GroupMemberListResponse', 'properties', 'members'), replay: res.replay });
  expectEqual(roleOf(member(list, a.userId)), 'owner', "owner's role in members", schemaCite('grp.GroupMemberResponse', 'properties', 'role'));
  expectEqual(roleOf(member(list, b.userId)), 'member', "member's role in members", schemaCite('grp.GroupMemberResponse', 'properties', 'role'));
  expectEqual(num(res.data, 'total') ?? null, 2, 'members total', schemaCite('grp.GroupMemberListResponse', 'properties', 'total'));
});

check({
  id: 'REST.G5', level: 'MUST', cites: [opCite('POST /groups/{id}/members'), schemaCite('grp.InviteMembersRequest')],
  title: 'inviting C adds C to the members and memberCount becomes 3',
}, async ({ api, newUser }) => {
  const [a, b, c] = await Promise.all([newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  await api.as(a).call('POST /groups/{id}/members', { params: { id: g.groupId }, body: { userIds: [c.userId] }, expect: 'success' });
  const { list, res } = await members(api.as(a), g.groupId);
  expectThat(!!member(list, c.userId), { message: 'C is not among the members after the invite', expected: `members[] with userId ${c.userId}`, observed: res.data, cite: opCite('POST /groups/{id}/members'), replay: res.replay });
  const info = await api.as(a).call('GET /groups/{id}', { params: { id: g.groupId }, expect: 'success' });
  expectEqual(num(info.data, 'memberCount') ?? null, 3, 'memberCount after inviting C', schemaCite('grp.GroupResponse', 'properties', 'memberCount'));
});

check({
  id: 'REST.G6', level: 'MUST', cites: [opCite('PUT /groups/{id}/members/{userId}/role'), schemaCite('grp.UpdateMemberRoleRequest')],
  title: 'the owner makes C admin (members show it); a plain member cannot change roles (403)',
}, async ({ api, target, newUser }) => {
  const [a, b, c] = await Promise.all([newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, a, [b, c]);
  await expectForbidden(api, target, b, 'PUT /groups/{id}/members/{userId}/role', { params: { id: g.groupId, userId: c.userId }, body: { role: 'admin' }, why: 'by a plain member' });
  await owns(P.role, () => api.as(a).call('PUT /groups/{id}/members/{userId}/role', { params: { id: g.groupId, userId: c.userId }, body: { role: 'admin' }, expect: 'success' }));
  const { list, res } = await members(api.as(a), g.groupId);
  expectThat(!!member(list, c.userId), { message: 'C is not in the members list after the role change', expected: `members[] with userId ${c.userId}`, observed: res.data, cite: MEMBER, replay: res.replay });
  expectEqual(roleOf(member(list, c.userId)), 'admin', "C's role after the owner set it", MEMBER);
});

check({
  id: 'REST.G7', level: 'MUST', cites: [opCite('PUT /groups/{id}'), opCite('PUT /groups/{id}', 'responses', '403'), schemaCite('grp.UpdateGroupRequest')],
  title: 'a plain member cannot update the group (403); the owner updates name and announcement and GET shows them',
}, async ({ api, target, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  await expectForbidden(api, target, b, 'PUT /groups/{id}', { params: { id: g.groupId }, body: { name: 'hijacked' }, why: 'by a plain member' });
  const update = { name: `renamed ${a.nickname.slice(-6)}`, announcement: 'conformance announcement' };
  await api.as(a).call('PUT /groups/{id}', { params: { id: g.groupId }, body: update, expect: 'success' });
  const info = await api.as(b).call('GET /groups/{id}', { params: { id: g.groupId }, expect: 'success' });
  expectEqual(str(info.data, 'name') ?? null, update.name, 'name after the owner updated it', schemaCite('grp.GroupResponse', 'properties', 'name'));
  expectEqual(str(info.data, 'announcement') ?? null, update.announcement, 'announcement after the owner updated it', schemaCite('grp.GroupResponse', 'properties', 'announcement'));
});

check({
  id: 'REST.G8', level: 'MUST', cites: [opCite('PUT /groups/{id}/nickname'), schemaCite('grp.GroupMemberResponse', 'properties', 'groupNickname')],
  title: "a member's PUT /groups/{id}/nickname shows as that member's groupNickname",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  const nickname = `nick-${b.nickname.slice(-6)}`;
  await api.as(b).call('PUT /groups/{id}/nickname', { params: { id: g.groupId }, body: { nickname }, expect: 'success' });
  const { list, res } = await members(api.as(a), g.groupId);
  expectThat(!!member(list, b.userId), { message: 'B is not in the members list', expected: `members[] with userId ${b.userId}`, observed: res.data, cite: MEMBER, replay: res.replay });
  expectEqual(str(member(list, b.userId), 'groupNickname') ?? null, nickname, "B's groupNickname", schemaCite('grp.GroupMemberResponse', 'properties', 'groupNickname'));
});

check({
  id: 'REST.G9', level: 'MUST', cites: [opCite('DELETE /groups/{id}/members/{userId}'), opCite('DELETE /groups/{id}/members/{userId}', 'responses', '403')],
  title: 'the owner removes C (C gone); a plain member cannot remove the owner (403)',
}, async ({ api, target, newUser }) => {
  const [a, b, c] = await Promise.all([newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, a, [b, c]);
  await expectForbidden(api, target, b, 'DELETE /groups/{id}/members/{userId}', { params: { id: g.groupId, userId: a.userId }, why: 'by a plain member removing the owner' });
  await api.as(a).call('DELETE /groups/{id}/members/{userId}', { params: { id: g.groupId, userId: c.userId }, expect: 'success' });
  const { list, res } = await members(api.as(a), g.groupId);
  expectThat(!!member(list, a.userId), { message: 'the owner is gone from the members', expected: 'owner present', observed: res.data, cite: opCite('DELETE /groups/{id}/members/{userId}'), replay: res.replay });
  expectThat(!member(list, c.userId), { message: 'C is still a member after removal', expected: 'C absent', observed: res.data, cite: opCite('DELETE /groups/{id}/members/{userId}'), replay: res.replay });
});

check({
  id: 'REST.G10', level: 'MUST', cites: opCite('POST /groups/{id}/quit'),
  title: "a member who quits is gone from the members and from the member's GET /groups",
}, async ({ api, newUser }) => {
  const [a, b, c] = await Promise.all([newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, a, [b, c]);
  const before = await myGroupIds(api, b);
  if (!before.ids.includes(g.groupId)) block("B's GET /groups does not list B's group even before B quits, so its absence afterwards proves nothing", 'REST.G3');
  await api.as(b).call('POST /groups/{id}/quit', { params: { id: g.groupId }, expect: 'success' });
  const { list, res } = await members(api.as(a), g.groupId);
  // Absence means something only in a list where the remaining members are seen.
  if (!member(list, a.userId) || !member(list, c.userId)) block('the members list does not show the members who stayed, so the absence of B proves nothing', 'REST.G4');
  expectThat(!member(list, b.userId), { message: 'B is still a member after quitting', expected: 'B absent', observed: res.data, cite: opCite('POST /groups/{id}/quit'), replay: res.replay });
  const mine = await myGroupIds(api, b);
  expectThat(!mine.ids.includes(g.groupId), { message: "the group is still in B's GET /groups after quitting", expected: 'group absent', observed: mine.res.data, cite: opCite('GET /groups'), replay: mine.res.replay });
});

check({
  id: 'REST.G11', level: 'MUST', cites: [opCite('POST /groups/{id}/join'), opCite('GET /groups/{id}/requests'), opCite('PUT /groups/{id}/requests/{requestId}'), schemaCite('grp.JoinRequestResponse')],
  title: 'joinVerify group: a join needs approval; the owner sees the pending request, a plain member cannot (403), approving adds the user',
}, async ({ api, target, newUser }) => {
  const [a, b, d] = await Promise.all([newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, a, [b], { joinVerify: true });
  const join = await owns(P.joinVerify, () => api.as(d).call('POST /groups/{id}/join', { params: { id: g.groupId }, body: { message: 'let me in' }, expect: 'success' }));
  expectEqual(field(join.data, 'needVerify') ?? null, true, 'needVerify on a joinVerify group', schemaCite('grp.JoinGroupResponse', 'properties', 'needVerify'));
  const rid = requestIdOf(field(join.data, 'requestId'));
  if (rid === undefined) fail({ message: 'join on a joinVerify group returned no integer requestId', expected: 'integer requestId', observed: join.data, cite: schemaCite('grp.JoinGroupResponse', 'properties', 'requestId'), replay: join.replay });
  const pending = await api.as(a).call('GET /groups/{id}/requests', { params: { id: g.groupId }, query: { status: 'pending' }, expect: 'success' });
  const requests = visibleList(pending, 'GET /groups/{id}/requests', 'requests', (x) => str(x, 'id'), 'id');
  const r = findBy(requests, 'id', rid);
  expectThat(!!r, { message: "the owner's pending join requests do not hold D's request", expected: `requests[] with id ${rid}`, observed: pending.data, cite: opCite('GET /groups/{id}/requests'), replay: pending.replay });
  expectEqual(str(r, 'userId') ?? null, d.userId, 'userId of the join request', schemaCite('grp.JoinRequestResponse', 'properties', 'userId'));
  expectEqual(str(r, 'status') ?? null, 'pending', 'status of the join request', schemaCite('grp.JoinRequestResponse', 'properties', 'status'));
  await expectForbidden(api, target, b, 'GET /groups/{id}/requests', { params: { id: g.groupId }, why: 'by a plain member' });
  await api.as(a).call('PUT /groups/{id}/requests/{requestId}', { params: { id: g.groupId, requestId: rid }, body: { accept: true }, expect: 'success' });
  const { list, res } = await members(api.as(a), g.groupId);
  expectThat(!!member(list, d.userId), { message: 'D is not a member after the owner approved', expected: `members[] with ${d.userId}`, observed: res.data, cite: opCite('PUT /groups/{id}/requests/{requestId}'), replay: res.replay });
});

check({
  id: 'REST.G12', level: 'SHOULD', cites: [opCite('POST /groups/{id}/join'), schemaCite('grp.JoinGroupResponse')],
  title: 'joining a group without joinVerify answers needVerify false and makes the user a member at once',
}, async ({ api, newUser }) => {
  const [a, b, d] = await Promise.all([newUser(), newUser(), newUser()]);
  const g = await makeGroup(api, a, [b], { joinVerify: false });
  const join = await owns(P.joinOpen, () => api.as(d).call('POST /groups/{id}/join', { params: { id: g.groupId }, body: {}, expect: 'success' }));
  expectEqual(field(join.data, 'needVerify') ?? false, false, 'needVerify on an open group', schemaCite('grp.JoinGroupResponse', 'properties', 'needVerify'));
  const { list, res } = await members(api.as(a), g.groupId);
  expectThat(!!member(list, d.userId), { message: 'D is not a member right after joining an open group', expected: `members[] with ${d.userId}`, observed: res.data, cite: opCite('POST /groups/{id}/join'), replay: res.replay });
});

check({
  id: 'REST.G13', level: 'MUST', cites: [opCite('POST /groups/{id}/transfer'), schemaCite('grp.TransferOwnershipRequest')],
  title: 'transfer: ownerId becomes the new owner and the old owner is no longer owner',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  await api.as(a).call('POST /groups/{id}/transfer', { params: { id: g.groupId }, body: { newOwnerId: b.userId }, expect: 'success' });
  const info = await api.as(a).call('GET /groups/{id}', { params: { id: g.groupId }, expect: 'success' });
  expectEqual(str(info.data, 'ownerId') ?? null, b.userId, 'ownerId after transfer', schemaCite('grp.GroupResponse', 'properties', 'ownerId'));
  const myRole = str(info.data, 'myRole');
  expectThat(myRole !== undefined && myRole !== 'owner', { message: `the old owner's myRole after transfer is ${JSON.stringify(myRole ?? null)}`, expected: 'myRole admin or member', observed: info.data, cite: schemaCite('grp.GroupResponse', 'properties', 'myRole'), replay: info.replay });
  const { list, res } = await members(api.as(a), g.groupId);
  expectThat(!!member(list, b.userId), { message: 'the new owner is not in the members list', expected: `members[] with userId ${b.userId}`, observed: res.data, cite: MEMBER, replay: res.replay });
  expectEqual(roleOf(member(list, b.userId)), 'owner', "new owner's role in members", MEMBER);
});

check({
  id: 'REST.G14', level: 'MUST', cites: [opCite('DELETE /groups/{id}'), opCite('DELETE /groups/{id}', 'responses', '403'), opCite('GET /groups/{id}', 'responses', '404')],
  title: 'a non-owner cannot dissolve (403); the owner can, after which GET /groups/{id} fails (404) and GET /groups omits it',
}, async ({ api, target, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const g = await makeGroup(api, a, [b]);
  for (const u of [a, b]) {
    const mine = await myGroupIds(api, u);
    if (!mine.ids.includes(g.groupId)) block('GET /groups does not list the group even before it is dissolved, so its absence afterwards proves nothing', 'REST.G3');
  }
  await expectForbidden(api, target, b, 'DELETE /groups/{id}', { params: { id: g.groupId }, why: 'by a plain member' });
  await api.as(a).call('DELETE /groups/{id}', { params: { id: g.groupId }, expect: 'success' });
  const gone = await api.as(a).call('GET /groups/{id}', { params: { id: g.groupId }, expect: 'failure', why: 'for a dissolved group' });
  expectStrictStatus(target, gone, 'GET /groups/{id}', 404, 'for a dissolved group');
  for (const u of [a, b]) {
    const mine = await myGroupIds(api, u);
    expectThat(!mine.ids.includes(g.groupId), { message: 'a dissolved group is still listed by GET /groups', expected: 'group absent', observed: mine.res.data, cite: opCite('DELETE /groups/{id}'), replay: mine.res.replay });
  }
});
