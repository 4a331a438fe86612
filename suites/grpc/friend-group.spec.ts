import { arrayWith, arrayWithout, expectResponse, is, nonEmpty, positive, rpcCheck } from './rpc-check.js';
import { createGroup, friends, timestampSet, users } from './world.js';

const FRIEND = 'anychat.friend.FriendService';
const GROUP = 'anychat.group.GroupService';

rpcCheck(`${FRIEND}/SendFriendRequest`, 'SendFriendRequest returns a request id the target sees as pending', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const r = await grpc.ok(`${FRIEND}/SendFriendRequest`, { from_user_id: a!.user_id, to_user_id: b!.user_id, message: 'hello', source: 'search' });
  expectResponse(`${FRIEND}/SendFriendRequest`, r, [['request_id', positive, '> 0']]);
});

rpcCheck(`${FRIEND}/GetFriendRequests`, 'GetFriendRequests lists a received request with its sender and status', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const sent = await grpc.ok(`${FRIEND}/SendFriendRequest`, { from_user_id: a!.user_id, to_user_id: b!.user_id, message: 'hello', source: 'search' });
  const r = await grpc.ok(`${FRIEND}/GetFriendRequests`, { user_id: b!.user_id, type: 'received' });
  expectResponse(`${FRIEND}/GetFriendRequests`, r, [
    ['requests', arrayWith((q) => Number(q.id) === Number(sent.request_id) && q.from_user_id === a!.user_id && q.to_user_id === b!.user_id && q.status === 'pending' && timestampSet(q.created_at)), `request ${sent.request_id} from ${a!.user_id}, status pending, created_at set`],
    ['total', positive, '>= 1'],
  ]);
});

rpcCheck(`${FRIEND}/HandleFriendRequest`, 'HandleFriendRequest accept makes both users friends', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  await friends(grpc, a!, b!);
  const r = await grpc.ok(`${FRIEND}/IsFriend`, { user_id: b!.user_id, friend_id: a!.user_id });
  expectResponse(`${FRIEND}/HandleFriendRequest`, r, [['is_friend', is(true), 'true']]);
});

rpcCheck(`${FRIEND}/GetFriendList`, 'GetFriendList holds the new friend with timestamps set', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  await friends(grpc, a!, b!);
  const r = await grpc.ok(`${FRIEND}/GetFriendList`, { user_id: a!.user_id, last_update_time: 0 });
  expectResponse(`${FRIEND}/GetFriendList`, r, [['friends', arrayWith((f) => f.user_id === b!.user_id && timestampSet(f.created_at)), `friend ${b!.user_id} with created_at set`], ['total', positive, '>= 1']]);
});

rpcCheck(`${FRIEND}/DeleteFriend`, 'DeleteFriend removes the friendship on both sides', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  await friends(grpc, a!, b!);
  await grpc.ok(`${FRIEND}/DeleteFriend`, { user_id: a!.user_id, friend_id: b!.user_id });
  const ab = await grpc.ok(`${FRIEND}/IsFriend`, { user_id: a!.user_id, friend_id: b!.user_id });
  const ba = await grpc.ok(`${FRIEND}/IsFriend`, { user_id: b!.user_id, friend_id: a!.user_id });
  expectResponse(`${FRIEND}/DeleteFriend`, { ab: ab.is_friend, ba: ba.is_friend }, [['ab', is(false), 'false'], ['ba', is(false), 'false']]);
});

rpcCheck(`${FRIEND}/UpdateRemark`, 'UpdateRemark shows in GetFriendList', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  await friends(grpc, a!, b!);
  await grpc.ok(`${FRIEND}/UpdateRemark`, { user_id: a!.user_id, friend_id: b!.user_id, remark: 'bestie' });
  const r = await grpc.ok(`${FRIEND}/GetFriendList`, { user_id: a!.user_id, last_update_time: 0 });
  expectResponse(`${FRIEND}/UpdateRemark`, r, [['friends', arrayWith((f) => f.user_id === b!.user_id && f.remark === 'bestie'), 'remark "bestie" on the friend']]);
});

rpcCheck(`${FRIEND}/AddToBlacklist`, 'AddToBlacklist shows in GetBlacklist and IsBlocked', async ({ grpc, target }) => {
  const [a, c] = await users(grpc, target, 2);
  await grpc.ok(`${FRIEND}/AddToBlacklist`, { user_id: a!.user_id, blocked_user_id: c!.user_id });
  const list = await grpc.ok(`${FRIEND}/GetBlacklist`, { user_id: a!.user_id });
  expectResponse(`${FRIEND}/AddToBlacklist`, list, [['items', arrayWith((i) => i.blocked_user_id === c!.user_id), `blocked ${c!.user_id}`]]);
});

rpcCheck(`${FRIEND}/GetBlacklist`, 'GetBlacklist items carry the blocked user and a created_at', async ({ grpc, target }) => {
  const [a, c] = await users(grpc, target, 2);
  await grpc.ok(`${FRIEND}/AddToBlacklist`, { user_id: a!.user_id, blocked_user_id: c!.user_id });
  const list = await grpc.ok(`${FRIEND}/GetBlacklist`, { user_id: a!.user_id });
  expectResponse(`${FRIEND}/GetBlacklist`, list, [['items', arrayWith((i) => i.blocked_user_id === c!.user_id && i.user_id === a!.user_id && timestampSet(i.created_at)), 'item with user_id, blocked_user_id and created_at'], ['total', positive, '>= 1']]);
});

rpcCheck(`${FRIEND}/RemoveFromBlacklist`, 'RemoveFromBlacklist unblocks', async ({ grpc, target }) => {
  const [a, c] = await users(grpc, target, 2);
  await grpc.ok(`${FRIEND}/AddToBlacklist`, { user_id: a!.user_id, blocked_user_id: c!.user_id });
  await grpc.ok(`${FRIEND}/RemoveFromBlacklist`, { user_id: a!.user_id, blocked_user_id: c!.user_id });
  const r = await grpc.ok(`${FRIEND}/IsBlocked`, { user_id: a!.user_id, target_user_id: c!.user_id });
  expectResponse(`${FRIEND}/RemoveFromBlacklist`, r, [['is_blocked', is(false), 'false']]);
});

rpcCheck(`${FRIEND}/IsFriend`, 'IsFriend is false for strangers and true for friends', async ({ grpc, target }) => {
  const [a, b, c] = await users(grpc, target, 3);
  await friends(grpc, a!, b!);
  const yes = await grpc.ok(`${FRIEND}/IsFriend`, { user_id: a!.user_id, friend_id: b!.user_id });
  const no = await grpc.ok(`${FRIEND}/IsFriend`, { user_id: a!.user_id, friend_id: c!.user_id });
  expectResponse(`${FRIEND}/IsFriend`, { friend: yes.is_friend, stranger: no.is_friend }, [['friend', is(true), 'true'], ['stranger', is(false), 'false']]);
});

rpcCheck(`${FRIEND}/IsBlocked`, 'IsBlocked is true after AddToBlacklist', async ({ grpc, target }) => {
  const [a, c] = await users(grpc, target, 2);
  await grpc.ok(`${FRIEND}/AddToBlacklist`, { user_id: a!.user_id, blocked_user_id: c!.user_id });
  const r = await grpc.ok(`${FRIEND}/IsBlocked`, { user_id: a!.user_id, target_user_id: c!.user_id });
  expectResponse(`${FRIEND}/IsBlocked`, r, [['is_blocked', is(true), 'true']]);
});

rpcCheck(`${FRIEND}/BatchCheckFriend`, 'BatchCheckFriend maps each id to its friendship', async ({ grpc, target }) => {
  const [a, b, c] = await users(grpc, target, 3);
  await friends(grpc, a!, b!);
  const r = await grpc.ok(`${FRIEND}/BatchCheckFriend`, { user_id: a!.user_id, friend_ids: [b!.user_id, c!.user_id] });
  expectResponse(`${FRIEND}/BatchCheckFriend`, r, [[`results.${b!.user_id}`, is(true), 'true'], [`results.${c!.user_id}`, (v) => v === false || v === undefined, 'false']]);
});

rpcCheck(`${GROUP}/CreateGroup`, 'CreateGroup returns the group with the creator as owner', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const r = await grpc.ok(`${GROUP}/CreateGroup`, { user_id: a!.user_id, name: 'rpc group', avatar: '', member_ids: [b!.user_id], join_verify: false });
  expectResponse(`${GROUP}/CreateGroup`, r, [['group_id', nonEmpty, 'non-empty'], ['owner_id', is(a!.user_id), a!.user_id], ['member_count', is(2), '2'], ['name', is('rpc group'), 'rpc group'], ['created_at', timestampSet, 'a set Timestamp']]);
});

rpcCheck(`${GROUP}/GetGroupInfo`, 'GetGroupInfo returns the group state', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!], { name: 'info group' });
  const r = await grpc.ok(`${GROUP}/GetGroupInfo`, { group_id: g });
  expectResponse(`${GROUP}/GetGroupInfo`, r, [['group_id', is(g), g], ['owner_id', is(a!.user_id), a!.user_id], ['member_count', is(2), '2'], ['name', is('info group'), 'info group'], ['created_at', timestampSet, 'set'], ['updated_at', timestampSet, 'set']]);
});

rpcCheck(`${GROUP}/GetGroupMembers`, 'GetGroupMembers lists owner and member with roles and joined_at', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const r = await grpc.ok(`${GROUP}/GetGroupMembers`, { group_id: g, page: 1, page_size: 20, user_id: a!.user_id });
  expectResponse(`${GROUP}/GetGroupMembers`, r, [
    ['members', arrayWith((m) => m.user_id === a!.user_id && m.role === 'owner' && timestampSet(m.joined_at)), 'owner with joined_at'],
    ['members', arrayWith((m) => m.user_id === b!.user_id && m.role === 'member'), 'member'],
    ['total', is(2), '2'],
  ]);
});

rpcCheck(`${GROUP}/IsMember`, 'IsMember reports membership and role', async ({ grpc, target }) => {
  const [a, b, c] = await users(grpc, target, 3);
  const g = await createGroup(grpc, a!, [b!]);
  const owner = await grpc.ok(`${GROUP}/IsMember`, { group_id: g, user_id: a!.user_id });
  const outsider = await grpc.ok(`${GROUP}/IsMember`, { group_id: g, user_id: c!.user_id });
  expectResponse(`${GROUP}/IsMember`, { owner, outsider }, [['owner.is_member', is(true), 'true'], ['owner.role', is('owner'), 'owner'], ['outsider.is_member', is(false), 'false']]);
});

rpcCheck(`${GROUP}/GetUserGroups`, 'GetUserGroups lists the group for every member', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const r = await grpc.ok(`${GROUP}/GetUserGroups`, { user_id: b!.user_id, last_update_time: 0 });
  expectResponse(`${GROUP}/GetUserGroups`, r, [['groups', arrayWith((x) => x.group_id === g), `contains ${g}`], ['total', positive, '>= 1'], ['update_time', positive, '> 0']]);
});

rpcCheck(`${GROUP}/UpdateGroup`, 'UpdateGroup by the owner changes the info', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  await grpc.ok(`${GROUP}/UpdateGroup`, { user_id: a!.user_id, group_id: g, name: 'renamed', announcement: 'news', avatar: '', join_verify: false });
  const r = await grpc.ok(`${GROUP}/GetGroupInfo`, { group_id: g });
  expectResponse(`${GROUP}/UpdateGroup`, r, [['name', is('renamed'), 'renamed'], ['announcement', is('news'), 'news']]);
});

rpcCheck(`${GROUP}/DissolveGroup`, 'DissolveGroup by the owner removes the group', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  await grpc.ok(`${GROUP}/DissolveGroup`, { user_id: a!.user_id, group_id: g });
  const r = await grpc.call(`${GROUP}/GetGroupInfo`, { group_id: g });
  expectResponse(`${GROUP}/DissolveGroup`, { after: r.ok ? (r.response.status ? 'dissolved-status' : 'still there') : r.status }, [['after', (v) => v === 'NOT_FOUND' || v === 'dissolved-status', 'NOT_FOUND (or a non-zero status)']]);
});

rpcCheck(`${GROUP}/InviteMembers`, 'InviteMembers adds the invitee', async ({ grpc, target }) => {
  const [a, b, c] = await users(grpc, target, 3);
  const g = await createGroup(grpc, a!, [b!]);
  await grpc.ok(`${GROUP}/InviteMembers`, { user_id: a!.user_id, group_id: g, invitee_ids: [c!.user_id] });
  const r = await grpc.ok(`${GROUP}/IsMember`, { group_id: g, user_id: c!.user_id });
  expectResponse(`${GROUP}/InviteMembers`, r, [['is_member', is(true), 'true']]);
});

rpcCheck(`${GROUP}/RemoveMember`, 'RemoveMember by the owner removes the member', async ({ grpc, target }) => {
  const [a, b, c] = await users(grpc, target, 3);
  const g = await createGroup(grpc, a!, [b!, c!]);
  await grpc.ok(`${GROUP}/RemoveMember`, { user_id: a!.user_id, group_id: g, target_user_id: c!.user_id });
  const r = await grpc.ok(`${GROUP}/GetGroupMembers`, { group_id: g, page: 1, page_size: 20, user_id: a!.user_id });
  expectResponse(`${GROUP}/RemoveMember`, r, [['members', arrayWithout((m) => m.user_id === c!.user_id), `no ${c!.user_id}`], ['total', is(2), '2']]);
});

rpcCheck(`${GROUP}/QuitGroup`, 'QuitGroup removes the member who quits', async ({ grpc, target }) => {
  const [a, b, c] = await users(grpc, target, 3);
  const g = await createGroup(grpc, a!, [b!, c!]);
  await grpc.ok(`${GROUP}/QuitGroup`, { user_id: b!.user_id, group_id: g });
  const r = await grpc.ok(`${GROUP}/IsMember`, { group_id: g, user_id: b!.user_id });
  expectResponse(`${GROUP}/QuitGroup`, r, [['is_member', is(false), 'false']]);
});

rpcCheck(`${GROUP}/UpdateMemberRole`, 'UpdateMemberRole makes a member admin', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  await grpc.ok(`${GROUP}/UpdateMemberRole`, { user_id: a!.user_id, group_id: g, target_user_id: b!.user_id, role: 'admin' });
  const r = await grpc.ok(`${GROUP}/IsMember`, { group_id: g, user_id: b!.user_id });
  expectResponse(`${GROUP}/UpdateMemberRole`, r, [['role', is('admin'), 'admin']]);
});

rpcCheck(`${GROUP}/UpdateMemberNickname`, 'UpdateMemberNickname shows in the member list', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  await grpc.ok(`${GROUP}/UpdateMemberNickname`, { user_id: b!.user_id, group_id: g, nickname: 'bee' });
  const r = await grpc.ok(`${GROUP}/GetGroupMembers`, { group_id: g, page: 1, page_size: 20, user_id: a!.user_id });
  expectResponse(`${GROUP}/UpdateMemberNickname`, r, [['members', arrayWith((m) => m.user_id === b!.user_id && m.group_nickname === 'bee'), 'group_nickname "bee"']]);
});

rpcCheck(`${GROUP}/TransferOwnership`, 'TransferOwnership moves the owner role', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  await grpc.ok(`${GROUP}/TransferOwnership`, { user_id: a!.user_id, group_id: g, new_owner_id: b!.user_id });
  const info = await grpc.ok(`${GROUP}/GetGroupInfo`, { group_id: g });
  const old = await grpc.ok(`${GROUP}/IsMember`, { group_id: g, user_id: a!.user_id });
  expectResponse(`${GROUP}/TransferOwnership`, { owner_id: info.owner_id, oldRole: old.role }, [['owner_id', is(b!.user_id), b!.user_id], ['oldRole', (v) => v !== 'owner', 'not owner']]);
});

rpcCheck(`${GROUP}/JoinGroup`, 'JoinGroup joins an open group at once and queues a request on a verified one', async ({ grpc, target }) => {
  const [a, b, d] = await users(grpc, target, 3);
  const open = await createGroup(grpc, a!, [b!], { join_verify: false });
  const closed = await createGroup(grpc, a!, [b!], { join_verify: true });
  const j1 = await grpc.ok(`${GROUP}/JoinGroup`, { user_id: d!.user_id, group_id: open, message: 'hi', inviter_id: '' });
  const j2 = await grpc.ok(`${GROUP}/JoinGroup`, { user_id: d!.user_id, group_id: closed, message: 'hi', inviter_id: '' });
  expectResponse(`${GROUP}/JoinGroup`, { j1, j2 }, [['j1.need_verify', is(false), 'false'], ['j2.need_verify', is(true), 'true'], ['j2.request_id', positive, '> 0']]);
});

rpcCheck(`${GROUP}/GetJoinRequests`, 'GetJoinRequests lists a pending request', async ({ grpc, target }) => {
  const [a, b, d] = await users(grpc, target, 3);
  const g = await createGroup(grpc, a!, [b!], { join_verify: true });
  const j = await grpc.ok(`${GROUP}/JoinGroup`, { user_id: d!.user_id, group_id: g, message: 'let me in', inviter_id: '' });
  const r = await grpc.ok(`${GROUP}/GetJoinRequests`, { group_id: g, status: 'pending' });
  expectResponse(`${GROUP}/GetJoinRequests`, r, [['requests', arrayWith((q) => Number(q.id) === Number(j.request_id) && q.user_id === d!.user_id && q.status === 'pending' && timestampSet(q.created_at)), 'the pending request with created_at'], ['total', positive, '>= 1']]);
});

rpcCheck(`${GROUP}/HandleJoinRequest`, 'HandleJoinRequest accept adds the applicant', async ({ grpc, target }) => {
  const [a, b, d] = await users(grpc, target, 3);
  const g = await createGroup(grpc, a!, [b!], { join_verify: true });
  const j = await grpc.ok(`${GROUP}/JoinGroup`, { user_id: d!.user_id, group_id: g, message: '', inviter_id: '' });
  await grpc.ok(`${GROUP}/HandleJoinRequest`, { user_id: a!.user_id, request_id: j.request_id, accept: true });
  const r = await grpc.ok(`${GROUP}/IsMember`, { group_id: g, user_id: d!.user_id });
  expectResponse(`${GROUP}/HandleJoinRequest`, r, [['is_member', is(true), 'true']]);
});

rpcCheck(`${GROUP}/UpdateGroupSettings`, 'UpdateGroupSettings persists and GetGroupSettings agrees', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const before = await grpc.ok(`${GROUP}/GetGroupSettings`, { group_id: g });
  const want = { allow_member_invite: !before.allow_member_invite, allow_view_history: !before.allow_view_history, allow_add_friend: !before.allow_add_friend, show_member_nickname: !before.show_member_nickname };
  await grpc.ok(`${GROUP}/UpdateGroupSettings`, { user_id: a!.user_id, group_id: g, ...want });
  const after = await grpc.ok(`${GROUP}/GetGroupSettings`, { group_id: g });
  expectResponse(`${GROUP}/UpdateGroupSettings`, after, Object.entries(want).map(([k, v]) => [k, is(v), String(v)]));
});

rpcCheck(`${GROUP}/GetGroupSettings`, 'GetGroupSettings returns the settings of that group', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  const g = await createGroup(grpc, a!, [b!]);
  const r = await grpc.ok(`${GROUP}/GetGroupSettings`, { group_id: g });
  expectResponse(`${GROUP}/GetGroupSettings`, r, [['group_id', is(g), g]]);
});
