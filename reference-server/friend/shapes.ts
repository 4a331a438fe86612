import type { ServerContext } from '../context.js';
import { isoFromMs, timestampFromMs } from '../ids.js';
import type { BlockRow, FriendRequestRow, FriendRow } from './domain.js';
import { basicInfo, userFacts } from './users.js';

/**
 * Wire shapes of the friend entities. REST `data` is untyped in the contract, so it carries the lowerCamelCase form of
 * the proto messages (contract-notes I10, §3.2) with Timestamps as RFC 3339 strings (proto3 JSON mapping);
 * gRPC carries the proto field names with Timestamps as {seconds, nanos}.
 */
export interface RestUserInfo { userId: string; nickname: string; avatar: string }
export interface RestFriend { userId: string; remark: string; createdAt: string; updatedAt: string; userInfo: RestUserInfo }

export function friendToRest(ctx: ServerContext, r: FriendRow): RestFriend {
  return {
    userId: r.friend_id,
    remark: r.remark,
    createdAt: isoFromMs(r.created_at),
    updatedAt: isoFromMs(r.updated_at),
    userInfo: basicInfo(ctx, r.friend_id),
  };
}

export function requestToRest(ctx: ServerContext, r: FriendRequestRow) {
  return {
    id: r.id,
    fromUserId: r.from_user_id,
    toUserId: r.to_user_id,
    message: r.message,
    source: r.source,
    status: r.status,
    createdAt: isoFromMs(r.created_at),
    fromUserInfo: basicInfo(ctx, r.from_user_id),
  };
}

export function blockToRest(ctx: ServerContext, r: BlockRow) {
  return {
    id: r.id,
    userId: r.user_id,
    blockedUserId: r.blocked_user_id,
    createdAt: isoFromMs(r.created_at),
    blockedUserInfo: basicInfo(ctx, r.blocked_user_id),
  };
}

/** proto anychat.common.UserInfo (phone/email are proto3 optional: present only when known). */
export function userInfoToProto(ctx: ServerContext, userId: string) {
  const u = userFacts(ctx, userId);
  return {
    user_id: userId,
    nickname: u?.nickname ?? '',
    avatar: u?.avatar ?? '',
    ...(u?.phone ? { phone: u.phone } : {}),
    ...(u?.email ? { email: u.email } : {}),
  };
}

export function friendToProto(ctx: ServerContext, r: FriendRow) {
  return {
    user_id: r.friend_id,
    remark: r.remark,
    created_at: timestampFromMs(r.created_at),
    updated_at: timestampFromMs(r.updated_at),
    user_info: userInfoToProto(ctx, r.friend_id),
  };
}

export function requestToProto(ctx: ServerContext, r: FriendRequestRow) {
  return {
    id: r.id,
    from_user_id: r.from_user_id,
    to_user_id: r.to_user_id,
    message: r.message,
    source: r.source,
    status: r.status,
    created_at: timestampFromMs(r.created_at),
    from_user_info: userInfoToProto(ctx, r.from_user_id),
  };
}

export function blockToProto(ctx: ServerContext, r: BlockRow) {
  return {
    id: r.id,
    user_id: r.user_id,
    blocked_user_id: r.blocked_user_id,
    created_at: timestampFromMs(r.created_at),
    blocked_user_info: userInfoToProto(ctx, r.blocked_user_id),
  };
}
