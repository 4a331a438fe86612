import type { ServerContext } from '../context.js';
import { userInfoToProto } from '../friend/shapes.js';
import { userFacts } from '../friend/users.js';
import { isoFromMs, timestampFromMs } from '../ids.js';
import type { GroupRow, JoinRequestRow, MemberRow } from './domain.js';

/**
 * Wire shapes of the group entities: REST follows the typed `github_com_anychat_server_internal_group_dto.*` schemas
 * (times RFC 3339), gRPC the anychat.group messages (Timestamps {seconds, nanos}).
 */
export interface RestGroup {
  groupId: string; name: string; avatar: string; announcement: string; ownerId: string;
  memberCount: number; maxMembers: number; joinVerify: boolean; isMuted: boolean; myRole: string;
  createdAt: string; updatedAt: string;
}

/** grp.GroupResponse; `myRole` is the viewer's role, '' for a non-member. */
export function groupToRest(ctx: ServerContext, g: GroupRow, viewer: string): RestGroup {
  const myRole = viewer ? ctx.domains.group.role(g.group_id, viewer) ?? '' : '';
  return {
    groupId: g.group_id,
    name: g.name,
    avatar: g.avatar,
    announcement: g.announcement,
    ownerId: g.owner_id,
    // Fault rest.typed-wrong-type: the integer is sent as a string.
    memberCount: ctx.faults.on('rest.typed-wrong-type') ? (String(g.member_count) as unknown as number) : g.member_count,
    maxMembers: g.max_members,
    joinVerify: g.join_verify === 1,
    isMuted: g.is_muted === 1,
    myRole,
    createdAt: isoFromMs(g.created_at),
    updatedAt: isoFromMs(g.updated_at),
  };
}

/** grp.UserInfo (note `bio`, called `signature` everywhere else). */
export function groupUserInfo(ctx: ServerContext, userId: string) {
  const u = userFacts(ctx, userId);
  return { userId, nickname: u?.nickname ?? '', avatar: u?.avatar ?? '', gender: u?.gender ?? 0, bio: u?.signature ?? '' };
}

export function memberToRest(ctx: ServerContext, m: MemberRow) {
  return {
    userId: m.user_id,
    role: m.role,
    groupNickname: m.group_nickname,
    isMuted: m.is_muted === 1,
    joinedAt: isoFromMs(m.joined_at),
    userInfo: groupUserInfo(ctx, m.user_id),
  };
}

export function joinRequestToRest(ctx: ServerContext, r: JoinRequestRow) {
  return {
    id: r.id,
    groupId: r.group_id,
    userId: r.user_id,
    inviterId: r.inviter_id,
    message: r.message,
    status: r.status,
    createdAt: isoFromMs(r.created_at),
    userInfo: groupUserInfo(ctx, r.user_id),
  };
}

export function groupInfoToProto(g: GroupRow) {
  return {
    group_id: g.group_id,
    name: g.name,
    avatar: g.avatar,
    announcement: g.announcement,
    owner_id: g.owner_id,
    member_count: g.member_count,
    max_members: g.max_members,
    join_verify: g.join_verify === 1,
    is_muted: g.is_muted === 1,
    status: g.status,
    created_at: timestampFromMs(g.created_at),
    updated_at: timestampFromMs(g.updated_at),
  };
}

/** anychat.group.GroupInfo (the brief list item of GetUserGroups and SyncService). */
export function groupBriefToProto(g: GroupRow) {
  return { group_id: g.group_id, name: g.name, avatar: g.avatar, member_count: g.member_count, updated_at: timestampFromMs(g.updated_at) };
}

export function memberToProto(ctx: ServerContext, m: MemberRow) {
  return {
    user_id: m.user_id,
    group_nickname: m.group_nickname,
    role: m.role,
    is_muted: m.is_muted === 1,
    joined_at: timestampFromMs(m.joined_at),
    user_info: userInfoToProto(ctx, m.user_id),
  };
}

export function joinRequestToProto(ctx: ServerContext, r: JoinRequestRow) {
  return {
    id: r.id,
    group_id: r.group_id,
    user_id: r.user_id,
    ...(r.inviter_id ? { inviter_id: r.inviter_id } : {}),
    message: r.message,
    status: r.status,
    created_at: timestampFromMs(r.created_at),
    user_info: userInfoToProto(ctx, r.user_id),
  };
}
