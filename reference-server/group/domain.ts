import type { ServerContext } from '../context.js';
import { badRequest, conflict, forbidden, notFound } from '../errors.js';
import { userExists } from '../friend/users.js';
import { newId, nowMs } from '../ids.js';
import { groupBriefToProto, groupToRest, type RestGroup } from './shapes.js';
import { pageOffset } from '../store/paging.js';

export type Role = 'owner' | 'admin' | 'member';
export type JoinStatus = 'pending' | 'accepted' | 'rejected';
export const MAX_MEMBERS = 500;
export const NAME_MAX = 100;
export const ANNOUNCEMENT_MAX = 1000;
export const NICKNAME_MAX = 50;
export const JOIN_MESSAGE_MAX = 200;
/** proto GetGroupInfoResponse.status: ours, the contract gives no values. */
export const GROUP_STATUS = { active: 1, dissolved: 2 } as const;

export interface GroupRow {
  group_id: string; name: string; avatar: string; announcement: string; owner_id: string; max_members: number;
  join_verify: number; is_muted: number; status: number;
  allow_member_invite: number; allow_view_history: number; allow_add_friend: number; show_member_nickname: number;
  created_at: number; updated_at: number; member_count: number;
}
export interface MemberRow { group_id: string; user_id: string; role: Role; group_nickname: string; is_muted: number; joined_at: number }
export interface JoinRequestRow {
  id: number; group_id: string; user_id: string; inviter_id: string; message: string; status: JoinStatus;
  created_at: number; updated_at: number;
}
export interface GroupSettings { allowMemberInvite: boolean; allowViewHistory: boolean; allowAddFriend: boolean; showMemberNickname: boolean }

const SETTING_COLUMNS: Record<keyof GroupSettings, string> = {
  allowMemberInvite: 'allow_member_invite',
  allowViewHistory: 'allow_view_history',
  allowAddFriend: 'allow_add_friend',
  showMemberNickname: 'show_member_nickname',
};

const GROUP_SELECT = `SELECT g.*, (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.group_id) AS member_count FROM chat_groups g`;

function checkLength(value: string | undefined, field: string, max: number, min = 0): void {
  if (value === undefined) return;
  const n = [...value].length;
  if (n < min || n > max) throw badRequest('group', `${field} must be ${min}..${max} characters`, field);
}

/**
 * Groups, members, roles and join requests. Dissolved groups stay as rows (status 2) without members and answer 404
 * everywhere. Times are epoch ms; adapters format them. A group's updated_at moves whenever its GroupResponse changes
 * (info, owner, member count), so GET /groups?lastUpdateTime returns every group whose list item changed.
 * `group.muted` has no trigger: no REST op or rpc (UpdateGroupSettings included) can change a group's or a member's mute state.
 */
export class GroupDomain {
  constructor(readonly ctx: ServerContext) {
    ctx.db.exec(`
      CREATE TABLE IF NOT EXISTS chat_groups (
        group_id TEXT PRIMARY KEY, name TEXT NOT NULL, avatar TEXT NOT NULL DEFAULT '', announcement TEXT NOT NULL DEFAULT '',
        owner_id TEXT NOT NULL, max_members INTEGER NOT NULL, join_verify INTEGER NOT NULL DEFAULT 0,
        is_muted INTEGER NOT NULL DEFAULT 0, status INTEGER NOT NULL DEFAULT 1,
        allow_member_invite INTEGER NOT NULL DEFAULT 1, allow_view_history INTEGER NOT NULL DEFAULT 1,
        allow_add_friend INTEGER NOT NULL DEFAULT 1, show_member_nickname INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS group_members (
        group_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL, group_nickname TEXT NOT NULL DEFAULT '',
        is_muted INTEGER NOT NULL DEFAULT 0, joined_at INTEGER NOT NULL, PRIMARY KEY (group_id, user_id));
      CREATE INDEX IF NOT EXISTS group_members_user ON group_members (user_id);
      CREATE TABLE IF NOT EXISTS group_join_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id TEXT NOT NULL, user_id TEXT NOT NULL, inviter_id TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS group_join_requests_group ON group_join_requests (group_id, status);
    `);
  }

  // ---- queries other services use ----

  /** An active (not dissolved) group, or undefined. */
  find(groupId: string): GroupRow | undefined {
    return this.ctx.db.prepare(`${GROUP_SELECT} WHERE g.group_id = ? AND g.status = ${GROUP_STATUS.active}`).get(groupId) as GroupRow | undefined;
  }

  /** An active group; 404 otherwise. */
  get(groupId: string): GroupRow {
    const g = this.find(groupId);
    if (!g) throw notFound('group', `group ${groupId} not found`, 'id');
    return g;
  }

  exists(groupId: string): boolean {
    return this.find(groupId) !== undefined;
  }

  member(groupId: string, userId: string): MemberRow | undefined {
    return this.ctx.db.prepare('SELECT * FROM group_members WHERE group_id = ? AND user_id = ?').get(groupId, userId) as MemberRow | undefined;
  }

  isMember(groupId: string, userId: string): boolean {
    return this.member(groupId, userId) !== undefined;
  }

  /** 'owner' | 'admin' | 'member', or null for a non-member. */
  role(groupId: string, userId: string): Role | null {
    return this.member(groupId, userId)?.role ?? null;
  }

  // This runs for every message sent into a group (message domain): the statement is prepared once and committed member
  // lists are cached, dropped by every membership write (addMembers, dropMember, dissolve). Reads inside a transaction
  // bypass the cache so an uncommitted (possibly rolled back) membership never lands in it.
  private memberIdsStmt: ReturnType<ServerContext['db']['prepare']> | undefined;
  private readonly memberIdsCache = new Map<string, string[]>();
  memberIds(groupId: string): string[] {
    const cached = this.memberIdsCache.get(groupId);
    if (cached) return [...cached];
    this.memberIdsStmt ??= this.ctx.db.prepare('SELECT user_id FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id').pluck();
    const ids = this.memberIdsStmt.all(groupId) as string[];
    if (!this.ctx.db.inTransaction) this.memberIdsCache.set(groupId, ids);
    return [...ids];
  }

  groupIdsOf(userId: string): string[] {
    return this.ctx.db.prepare('SELECT group_id FROM group_members WHERE user_id = ? ORDER BY joined_at').pluck().all(userId) as string[];
  }

  /** Number of active groups. */
  count(): number {
    return Number(this.ctx.db.prepare(`SELECT COUNT(*) FROM chat_groups WHERE status = ${GROUP_STATUS.active}`).pluck().get());
  }

  /** The user's groups, optionally only those whose list item changed (or that the user joined) after `sinceMs`. */
  userGroupRows(userId: string, sinceMs?: number): GroupRow[] {
    const since = sinceMs && sinceMs > 0 ? sinceMs : -1;
    return this.ctx.db.prepare(
      `${GROUP_SELECT} JOIN group_members me ON me.group_id = g.group_id AND me.user_id = ?
       WHERE g.status = ${GROUP_STATUS.active} AND MAX(g.updated_at, me.joined_at) > ? ORDER BY me.joined_at, g.group_id`,
    ).all(userId, since) as GroupRow[];
  }

  /** GroupResponse items (GET /groups), also used by POST /sync. */
  listUserGroups(userId: string, sinceMs?: number): RestGroup[] {
    return this.userGroupRows(userId, sinceMs).map((g) => groupToRest(this.ctx, g, userId));
  }

  /** proto anychat.group.GroupInfo items, for GetUserGroups and SyncService. */
  listUserGroupsProto(userId: string, sinceMs?: number): ReturnType<typeof groupBriefToProto>[] {
    return this.userGroupRows(userId, sinceMs).map(groupBriefToProto);
  }

  /** GroupResponse as seen by nobody in particular (myRole ''), for the admin area; null when unknown or dissolved. */
  getGroupInfo(groupId: string): (RestGroup & { status: number }) | null {
    const g = this.find(groupId);
    return g ? { ...groupToRest(this.ctx, g, ''), status: g.status } : null;
  }

  settings(groupId: string): GroupSettings {
    const g = this.get(groupId);
    return {
      allowMemberInvite: g.allow_member_invite === 1,
      allowViewHistory: g.allow_view_history === 1,
      allowAddFriend: g.allow_add_friend === 1,
      showMemberNickname: g.show_member_nickname === 1,
    };
  }

  /** Members ordered owner, admins, members, then by join time. `viewer` (when given) must be a member: else 404. */
  members(groupId: string, viewer: string | null, page?: number, pageSize?: number): { rows: MemberRow[]; total: number } {
    this.get(groupId);
    if (viewer !== null && !this.isMember(groupId, viewer)) throw notFound('group', `group ${groupId} not found among your groups`, 'id');
    const order = `ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, joined_at, user_id`;
    const total = Number(this.ctx.db.prepare('SELECT COUNT(*) FROM group_members WHERE group_id = ?').pluck().get(groupId));
    if (pageSize === undefined) {
      return { rows: this.ctx.db.prepare(`SELECT * FROM group_members WHERE group_id = ? ${order}`).all(groupId) as MemberRow[], total };
    }
    const p = Math.max(1, page ?? 1);
    const size = Math.min(100, Math.max(1, pageSize));
    const rows = this.ctx.db.prepare(`SELECT * FROM group_members WHERE group_id = ? ${order} LIMIT ? OFFSET ?`)
      .all(groupId, size, pageOffset(p, size)) as MemberRow[];
    return { rows, total };
  }

  /** Join requests of a group, newest first; `actor` (when given) must be owner or admin. An unknown status filter matches nothing. */
  joinRequests(groupId: string, actor: string | null, status?: string): JoinRequestRow[] {
    const g = this.get(groupId);
    if (actor !== null) this.authorize(g, actor, ['owner', 'admin'], 'read join requests');
    if (status) {
      return this.ctx.db.prepare('SELECT * FROM group_join_requests WHERE group_id = ? AND status = ? ORDER BY id DESC').all(groupId, status) as JoinRequestRow[];
    }
    return this.ctx.db.prepare('SELECT * FROM group_join_requests WHERE group_id = ? ORDER BY id DESC').all(groupId) as JoinRequestRow[];
  }

  // ---- commands ----

  create(creatorId: string, p: { name: string; avatar?: string; memberIds: string[]; joinVerify?: boolean }): GroupRow {
    if (typeof p.name !== 'string' || p.name.trim() === '') throw badRequest('group', 'name is required', 'name');
    checkLength(p.name, 'name', NAME_MAX, 1);
    if (!Array.isArray(p.memberIds)) throw badRequest('group', 'memberIds must be an array of user ids', 'memberIds');
    const others = [...new Set(p.memberIds)].filter((id) => id !== creatorId);
    if (others.length === 0) {
      throw badRequest('group', 'memberIds must name at least one other user (a group has at least 2 members including the creator)', 'memberIds');
    }
    if (others.length + 1 > MAX_MEMBERS) throw badRequest('group', `a group has at most ${MAX_MEMBERS} members`, 'memberIds');
    if (!userExists(this.ctx, creatorId)) throw notFound('group', `user ${creatorId} not found`, 'userId');
    const unknown = others.filter((id) => typeof id !== 'string' || !userExists(this.ctx, id));
    if (unknown.length > 0) throw badRequest('group', `memberIds holds unknown users: ${unknown.join(', ')}`, 'memberIds');

    const groupId = newId('g');
    const now = nowMs();
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare(
        `INSERT INTO chat_groups (group_id, name, avatar, owner_id, max_members, join_verify, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(groupId, p.name, p.avatar ?? '', creatorId, MAX_MEMBERS, p.joinVerify ? 1 : 0, now, now);
      this.addMembers(groupId, [creatorId], 'owner', now);
      this.addMembers(groupId, others, 'member', now);
    })();
    const g = this.get(groupId);
    this.notifyInvited(g, creatorId, others);
    return g;
  }

  update(groupId: string, actor: string, p: { name?: string; avatar?: string; announcement?: string; joinVerify?: boolean }): GroupRow {
    const g = this.get(groupId);
    this.authorize(g, actor, ['owner', 'admin'], 'update the group', true);
    if (p.name !== undefined && (typeof p.name !== 'string' || p.name.trim() === '')) throw badRequest('group', 'name must not be empty', 'name');
    checkLength(p.name, 'name', NAME_MAX, 1);
    checkLength(p.announcement, 'announcement', ANNOUNCEMENT_MAX);
    const sets: string[] = [];
    const values: unknown[] = [];
    if (p.name !== undefined) { sets.push('name = ?'); values.push(p.name); }
    if (p.avatar !== undefined) { sets.push('avatar = ?'); values.push(p.avatar); }
    if (p.announcement !== undefined) { sets.push('announcement = ?'); values.push(p.announcement); }
    if (p.joinVerify !== undefined) { sets.push('join_verify = ?'); values.push(p.joinVerify ? 1 : 0); }
    if (sets.length === 0) return g;
    this.ctx.db.prepare(`UPDATE chat_groups SET ${sets.join(', ')}, updated_at = ? WHERE group_id = ?`).run(...values, nowMs(), groupId);
    const updated = this.get(groupId);
    this.ctx.bus.notify(this.memberIds(groupId), 'group.info_updated', {
      groupId, name: updated.name, announcement: updated.announcement, avatar: updated.avatar, joinVerify: updated.join_verify === 1,
      operatorId: actor,
    });
    return updated;
  }

  /** Dissolve: owner only, or the admin area (`'admin'`). Members are notified, then removed. */
  dissolve(groupId: string, actor: string | 'admin'): void {
    const g = this.get(groupId);
    if (actor !== 'admin') this.authorize(g, actor, ['owner'], 'dissolve the group', true);
    const members = this.memberIds(groupId);
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare('UPDATE chat_groups SET status = ?, updated_at = ? WHERE group_id = ?').run(GROUP_STATUS.dissolved, nowMs(), groupId);
      this.ctx.db.prepare('DELETE FROM group_members WHERE group_id = ?').run(groupId);
      this.memberIdsCache.delete(groupId);
      this.ctx.db.prepare("UPDATE group_join_requests SET status = 'rejected', updated_at = ? WHERE group_id = ? AND status = 'pending'").run(nowMs(), groupId);
    })();
    this.ctx.bus.notify(members, 'group.disbanded', { groupId, operatorId: actor });
  }

  /** Join: at once when the group needs no verification, else a pending request (a pending duplicate is returned). */
  join(groupId: string, userId: string, message = '', inviterId = ''): { needVerify: boolean; requestId?: number; message: string } {
    const g = this.get(groupId);
    checkLength(message, 'message', JOIN_MESSAGE_MAX);
    if (this.isMember(groupId, userId)) throw conflict('group', 'you are already a member of this group', 'id');
    if (g.member_count >= g.max_members) throw badRequest('group', 'the group is full', 'id');
    if (g.join_verify !== 1) {
      this.addMembers(groupId, [userId], 'member', nowMs());
      this.notifyJoined(groupId, [userId], inviterId || undefined);
      return { needVerify: false, message: 'joined the group' };
    }
    const pending = this.ctx.db
      .prepare("SELECT id FROM group_join_requests WHERE group_id = ? AND user_id = ? AND status = 'pending'")
      .pluck().get(groupId, userId) as number | undefined;
    if (pending !== undefined) return { needVerify: true, requestId: pending, message: 'a join request is already pending' };
    const now = nowMs();
    const requestId = Number(this.ctx.db.prepare(
      "INSERT INTO group_join_requests (group_id, user_id, inviter_id, message, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
    ).run(groupId, userId, inviterId, message, now, now).lastInsertRowid);
    return { needVerify: true, requestId, message: 'join request submitted, waiting for approval' };
  }

  /** Accept or reject a pending join request (owner/admin). `groupId`, when given (REST path), must be the request's group. */
  handleJoinRequest(actor: string, requestId: number, accept: boolean, groupId?: string): void {
    const req = this.ctx.db.prepare('SELECT * FROM group_join_requests WHERE id = ?').get(requestId) as JoinRequestRow | undefined;
    if (groupId !== undefined) this.get(groupId);
    if (!req || (groupId !== undefined && req.group_id !== groupId)) throw notFound('group', `join request ${requestId} not found`, 'requestId');
    const g = this.get(req.group_id);
    this.authorize(g, actor, ['owner', 'admin'], 'handle join requests');
    if (req.status !== 'pending') throw conflict('group', `join request ${requestId} is already ${req.status}`, 'requestId');
    const alreadyIn = this.isMember(g.group_id, req.user_id);
    if (accept && !alreadyIn && g.member_count >= g.max_members) throw badRequest('group', 'the group is full', 'requestId');
    const now = nowMs();
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare('UPDATE group_join_requests SET status = ?, updated_at = ? WHERE id = ?').run(accept ? 'accepted' : 'rejected', now, requestId);
      if (accept && !alreadyIn) this.addMembers(g.group_id, [req.user_id], 'member', now);
    })();
    if (accept && !alreadyIn) this.notifyJoined(g.group_id, [req.user_id], req.inviter_id || undefined, true);
  }

  /** Invite users (any member; only owner/admin when allow_member_invite is off). Existing members are ignored. */
  invite(groupId: string, actor: string, userIds: string[]): string[] {
    const g = this.get(groupId);
    const me = this.member(groupId, actor);
    if (!me) throw forbidden('group', 'only members may invite', 'id');
    if (g.allow_member_invite !== 1 && me.role === 'member') throw forbidden('group', 'only the owner and admins may invite in this group', 'id');
    if (!Array.isArray(userIds)) throw badRequest('group', 'userIds must be an array of user ids', 'userIds');
    const unknown = userIds.filter((id) => typeof id !== 'string' || !userExists(this.ctx, id));
    if (unknown.length > 0) throw badRequest('group', `userIds holds unknown users: ${unknown.join(', ')}`, 'userIds');
    const fresh = [...new Set(userIds)].filter((id) => !this.isMember(groupId, id));
    if (fresh.length === 0) return [];
    if (g.member_count + fresh.length > g.max_members) throw badRequest('group', `a group has at most ${g.max_members} members`, 'userIds');
    const now = nowMs();
    this.ctx.db.transaction(() => {
      this.addMembers(groupId, fresh, 'member', now);
      const settle = this.ctx.db.prepare("UPDATE group_join_requests SET status = 'accepted', updated_at = ? WHERE group_id = ? AND user_id = ? AND status = 'pending'");
      for (const id of fresh) settle.run(now, groupId, id);
    })();
    this.notifyInvited(g, actor, fresh);
    this.notifyJoined(groupId, fresh, actor);
    return fresh;
  }

  /** Remove a member: owner removes anyone else; an admin removes plain members only. */
  removeMember(groupId: string, actor: string, target: string): void {
    const g = this.get(groupId);
    const me = this.authorize(g, actor, ['owner', 'admin'], 'remove members');
    const victim = this.member(groupId, target);
    if (!victim) throw notFound('group', `${target} is not a member of this group`, 'userId');
    if (target === actor) throw badRequest('group', 'use quit to leave the group yourself', 'userId');
    if (me.role === 'admin' && victim.role !== 'member') throw forbidden('group', 'an admin may remove plain members only', 'userId');
    this.dropMember(groupId, target);
    this.ctx.bus.notify([...this.memberIds(groupId), target], 'group.member_left', { groupId, userId: target, reason: 'removed', operatorId: actor });
  }

  /** Leave the group; the owner must transfer ownership first. */
  quit(groupId: string, userId: string): void {
    this.get(groupId);
    const me = this.member(groupId, userId);
    if (!me) throw notFound('group', 'you are not a member of this group', 'id');
    if (me.role === 'owner') throw badRequest('group', 'the owner must transfer ownership (or dissolve the group) before quitting', 'id');
    this.dropMember(groupId, userId);
    this.ctx.bus.notify([...this.memberIds(groupId), userId], 'group.member_left', { groupId, userId, reason: 'quit' });
  }

  /** Owner only: make a member an admin or an admin a member. */
  setRole(groupId: string, actor: string, target: string, role: string): void {
    if (role !== 'admin' && role !== 'member') throw badRequest('group', "role must be 'admin' or 'member'", 'role');
    const g = this.get(groupId);
    this.authorize(g, actor, ['owner'], 'change member roles');
    const m = this.member(groupId, target);
    if (!m) throw notFound('group', `${target} is not a member of this group`, 'userId');
    if (m.role === 'owner') throw badRequest('group', "the owner's role changes only by transfer", 'userId');
    if (m.role === role) return;
    this.ctx.db.prepare('UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?').run(role, groupId, target);
    this.ctx.bus.notify(this.memberIds(groupId), 'group.role_changed', { groupId, userId: target, role, operatorId: actor });
  }

  /** A member sets their own nickname in the group ('' clears it). */
  setNickname(groupId: string, userId: string, nickname: string): void {
    this.get(groupId);
    if (typeof nickname !== 'string') throw badRequest('group', 'nickname must be a string', 'nickname');
    checkLength(nickname, 'nickname', NICKNAME_MAX);
    const changed = this.ctx.db.prepare('UPDATE group_members SET group_nickname = ? WHERE group_id = ? AND user_id = ?').run(nickname, groupId, userId).changes;
    if (changed === 0) throw notFound('group', 'you are not a member of this group', 'id');
  }

  /** Owner only: hand the group to another member; the old owner becomes a plain member. */
  transfer(groupId: string, actor: string, newOwnerId: string): void {
    const g = this.get(groupId);
    this.authorize(g, actor, ['owner'], 'transfer ownership');
    if (!newOwnerId) throw badRequest('group', 'newOwnerId is required', 'newOwnerId');
    if (newOwnerId === actor) throw badRequest('group', 'newOwnerId is you: you already own this group', 'newOwnerId');
    if (!this.isMember(groupId, newOwnerId)) throw badRequest('group', `newOwnerId ${newOwnerId} is not a member of this group`, 'newOwnerId');
    const now = nowMs();
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare("UPDATE group_members SET role = 'member' WHERE group_id = ? AND user_id = ?").run(groupId, actor);
      this.ctx.db.prepare("UPDATE group_members SET role = 'owner' WHERE group_id = ? AND user_id = ?").run(groupId, newOwnerId);
      this.ctx.db.prepare('UPDATE chat_groups SET owner_id = ?, updated_at = ? WHERE group_id = ?').run(newOwnerId, now, groupId);
    })();
    const members = this.memberIds(groupId);
    this.ctx.bus.notify(members, 'group.role_changed', { groupId, userId: newOwnerId, role: 'owner', operatorId: actor });
    this.ctx.bus.notify(members, 'group.role_changed', { groupId, userId: actor, role: 'member', operatorId: actor });
  }

  /** GroupService.UpdateGroupSettings: owner/admin; absent fields keep their value. */
  updateSettings(groupId: string, actor: string, patch: Partial<GroupSettings>): GroupSettings {
    const g = this.get(groupId);
    this.authorize(g, actor, ['owner', 'admin'], 'change group settings');
    const entries = (Object.keys(SETTING_COLUMNS) as (keyof GroupSettings)[]).filter((k) => typeof patch[k] === 'boolean');
    if (entries.length > 0) {
      this.ctx.db.prepare(`UPDATE chat_groups SET ${entries.map((k) => `${SETTING_COLUMNS[k]} = ?`).join(', ')} WHERE group_id = ?`)
        .run(...entries.map((k) => (patch[k] ? 1 : 0)), groupId);
    }
    return this.settings(groupId);
  }

  // ---- internals ----

  /**
   * The actor's membership when their role is allowed; 403 otherwise (non-members too).
   * Fault authz.member-owner-actions: on the actions marked `memberFault` (update, dissolve) a plain member passes.
   */
  private authorize(g: GroupRow, actor: string, allowed: Role[], what: string, memberFault = false): MemberRow {
    const me = this.member(g.group_id, actor);
    if (me && allowed.includes(me.role)) return me;
    if (me && memberFault && this.ctx.faults.on('authz.member-owner-actions')) return me;
    throw forbidden('group', `only the ${allowed.join(' or ')} may ${what}`, 'id');
  }

  private addMembers(groupId: string, userIds: string[], role: Role, now: number): void {
    const ins = this.ctx.db.prepare(
      "INSERT INTO group_members (group_id, user_id, role, group_nickname, is_muted, joined_at) VALUES (?, ?, ?, '', 0, ?) ON CONFLICT DO NOTHING",
    );
    for (const id of userIds) ins.run(groupId, id, role, now);
    this.memberIdsCache.delete(groupId);
    this.ctx.db.prepare('UPDATE chat_groups SET updated_at = ? WHERE group_id = ?').run(now, groupId);
  }

  private dropMember(groupId: string, userId: string): void {
    this.ctx.db.prepare('DELETE FROM group_members WHERE group_id = ? AND user_id = ?').run(groupId, userId);
    this.memberIdsCache.delete(groupId);
    this.ctx.db.prepare('UPDATE chat_groups SET updated_at = ? WHERE group_id = ?').run(nowMs(), groupId);
  }

  /** group.invited to each invitee, with the AsyncAPI example's keys. Fault ws.notify-missing: never sent. */
  private notifyInvited(g: GroupRow, inviterId: string, invitees: string[]): void {
    if (invitees.length === 0 || this.ctx.faults.on('ws.notify-missing')) return;
    this.ctx.bus.notify(invitees, 'group.invited', { groupId: g.group_id, inviterId, groupName: g.name });
  }

  /** group.member_joined to the members who were there before (and, for an accepted join request, to the new member too). */
  private notifyJoined(groupId: string, joined: string[], inviterId?: string, includeJoined = false): void {
    const to = this.memberIds(groupId).filter((id) => includeJoined || !joined.includes(id));
    this.ctx.bus.notify(to, 'group.member_joined', {
      groupId, userId: joined[0], userIds: joined, ...(inviterId ? { inviterId } : {}),
    });
  }
}
