import type { ServerContext } from '../context.js';
import { badRequest } from '../errors.js';
import { requiredString } from '../grpc/args.js';
import type { RpcHandlers } from '../grpc/host.js';
import { toMs } from '../ids.js';
import { blockToProto, requestToProto } from './shapes.js';

/** The protos carry the acting user in the request (no auth metadata); an rpc without it is INVALID_ARGUMENT. */
const need = (r: Record<string, unknown>, field: string) => requiredString(r, field, 'friend');

/** anychat.friend.FriendService — all 12 rpcs over the same FriendDomain as REST. */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const friends = () => ctx.domains.friend;
  const handlers: RpcHandlers = {
    GetFriendList: (r) => {
      const since = r.last_update_time > 0 ? toMs(r.last_update_time) : undefined;
      const list = friends().listFriendsProto(need(r, 'user_id'), since);
      return { friends: list, total: list.length };
    },
    SendFriendRequest: (r) => {
      const res = friends().sendRequest(need(r, 'from_user_id'), need(r, 'to_user_id'), r.message ?? '', r.source || 'search');
      return { request_id: res.requestId, auto_accepted: res.autoAccepted };
    },
    HandleFriendRequest: (r) => {
      friends().handleRequest(need(r, 'user_id'), Number(r.request_id), r.action);
      return {};
    },
    GetFriendRequests: (r) => {
      const type = r.type || 'received';
      if (type !== 'received' && type !== 'sent') throw badRequest('friend', "type must be 'received' or 'sent'", 'type');
      const requests = friends().requestRows(need(r, 'user_id'), type).map((x) => requestToProto(ctx, x));
      return { requests, total: requests.length };
    },
    DeleteFriend: (r) => {
      friends().deleteFriend(need(r, 'user_id'), need(r, 'friend_id'));
      return {};
    },
    UpdateRemark: (r) => {
      friends().updateRemark(need(r, 'user_id'), need(r, 'friend_id'), r.remark ?? '');
      return {};
    },
    AddToBlacklist: (r) => {
      friends().block(need(r, 'user_id'), need(r, 'blocked_user_id'));
      return {};
    },
    RemoveFromBlacklist: (r) => {
      friends().unblock(need(r, 'user_id'), need(r, 'blocked_user_id'));
      return {};
    },
    GetBlacklist: (r) => {
      const items = friends().blacklistRows(need(r, 'user_id')).map((x) => blockToProto(ctx, x));
      return { items, total: items.length };
    },
    IsFriend: (r) => ({ is_friend: !ctx.faults.on('grpc.friendship-stale') && friends().areFriends(need(r, 'user_id'), need(r, 'friend_id')) }),
    // "检查是否被拉黑": read as "has user_id blocked target_user_id" (the direction the blacklist rows are stored in).
    IsBlocked: (r) => ({ is_blocked: friends().isBlocked(need(r, 'user_id'), need(r, 'target_user_id')) }),
    BatchCheckFriend: (r) => {
      const userId = need(r, 'user_id');
      const results: Record<string, boolean> = {};
      for (const id of (r.friend_ids ?? []) as string[]) results[id] = friends().areFriends(userId, id);
      return { results };
    },
  };
  return { name: 'anychat.friend.FriendService', handlers };
}
