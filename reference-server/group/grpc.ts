import type { ServerContext } from '../context.js';
import { badRequest } from '../errors.js';
import { requiredString } from '../grpc/args.js';
import type { RpcHandlers } from '../grpc/host.js';
import { nowSec, timestampFromMs, toMs } from '../ids.js';
import { groupInfoToProto, joinRequestToProto, memberToProto } from './shapes.js';

/** The protos carry the acting user in the request (no auth metadata); an rpc without it is INVALID_ARGUMENT. */
const need = (r: Record<string, unknown>, field: string) => requiredString(r, field, 'group');

/** proto3 `optional` fields arrive only when set. */
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** anychat.group.GroupService — all 18 rpcs over the same GroupDomain as REST. */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const groups = () => ctx.domains.group;
  const handlers: RpcHandlers = {
    GetGroupInfo: (r) => groupInfoToProto(groups().get(need(r, 'group_id'))),

    // Without page_size every member is returned (the internal callers want the whole list); user_id, when set, must be a member.
    GetGroupMembers: (r) => {
      const pageSize = opt<number>(r.page_size) || undefined;
      const { rows, total } = groups().members(need(r, 'group_id'), r.user_id || null, opt<number>(r.page) || 1, pageSize);
      return { members: rows.map((m) => memberToProto(ctx, m)), total };
    },

    IsMember: (r) => {
      const role = groups().exists(need(r, 'group_id')) ? groups().role(r.group_id, need(r, 'user_id')) : null;
      return { is_member: role !== null, role: role === null ? '' : ctx.faults.on('grpc.role-stale') ? 'member' : role };
    },

    GetUserGroups: (r) => {
      const since = opt<number>(r.last_update_time) ? toMs(r.last_update_time) : undefined;
      const list = groups().listUserGroupsProto(need(r, 'user_id'), since);
      return { groups: list, update_time: nowSec(), total: list.length };
    },

    CreateGroup: (r) => {
      const g = groups().create(need(r, 'user_id'), {
        name: r.name, avatar: opt(r.avatar), memberIds: r.member_ids ?? [], joinVerify: opt(r.join_verify),
      });
      return {
        group_id: g.group_id, name: g.name, avatar: g.avatar, owner_id: g.owner_id, member_count: g.member_count,
        created_at: timestampFromMs(g.created_at),
      };
    },

    UpdateGroup: (r) => {
      groups().update(need(r, 'group_id'), need(r, 'user_id'), {
        name: opt(r.name), avatar: opt(r.avatar), announcement: opt(r.announcement), joinVerify: opt(r.join_verify),
      });
      return {};
    },

    DissolveGroup: (r) => {
      groups().dissolve(need(r, 'group_id'), need(r, 'user_id'));
      return {};
    },

    InviteMembers: (r) => {
      groups().invite(need(r, 'group_id'), need(r, 'user_id'), r.invitee_ids ?? []);
      return {};
    },

    RemoveMember: (r) => {
      groups().removeMember(need(r, 'group_id'), need(r, 'user_id'), need(r, 'target_user_id'));
      return {};
    },

    QuitGroup: (r) => {
      groups().quit(need(r, 'group_id'), need(r, 'user_id'));
      return {};
    },

    UpdateMemberRole: (r) => {
      groups().setRole(need(r, 'group_id'), need(r, 'user_id'), need(r, 'target_user_id'), r.role);
      return {};
    },

    UpdateMemberNickname: (r) => {
      groups().setNickname(need(r, 'group_id'), need(r, 'user_id'), r.nickname ?? '');
      return {};
    },

    TransferOwnership: (r) => {
      groups().transfer(need(r, 'group_id'), need(r, 'user_id'), need(r, 'new_owner_id'));
      return {};
    },

    JoinGroup: (r) => {
      const res = groups().join(need(r, 'group_id'), need(r, 'user_id'), opt(r.message) ?? '', opt(r.inviter_id) ?? '');
      return { need_verify: res.needVerify, ...(res.requestId !== undefined ? { request_id: res.requestId } : {}) };
    },

    HandleJoinRequest: (r) => {
      if (!(Number(r.request_id) > 0)) throw badRequest('group', 'request_id is required', 'request_id');
      groups().handleJoinRequest(need(r, 'user_id'), Number(r.request_id), r.accept === true);
      return {};
    },

    // The request names no caller, so this internal rpc cannot (and does not) check the caller's role.
    GetJoinRequests: (r) => {
      const requests = groups().joinRequests(need(r, 'group_id'), null, opt(r.status)).map((x) => joinRequestToProto(ctx, x));
      return { requests, total: requests.length };
    },

    UpdateGroupSettings: (r) => {
      groups().updateSettings(need(r, 'group_id'), need(r, 'user_id'), {
        allowMemberInvite: opt(r.allow_member_invite),
        allowViewHistory: opt(r.allow_view_history),
        allowAddFriend: opt(r.allow_add_friend),
        showMemberNickname: opt(r.show_member_nickname),
      });
      return {};
    },

    GetGroupSettings: (r) => {
      const s = groups().settings(need(r, 'group_id'));
      return {
        group_id: r.group_id,
        allow_member_invite: s.allowMemberInvite,
        allow_view_history: s.allowViewHistory,
        allow_add_friend: s.allowAddFriend,
        show_member_nickname: s.showMemberNickname,
      };
    },
  };
  return { name: 'anychat.group.GroupService', handlers };
}
