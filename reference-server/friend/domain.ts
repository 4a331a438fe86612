import type { ServerContext } from '../context.js';
import { badRequest, conflict, forbidden, notFound } from '../errors.js';
import { nowMs } from '../ids.js';
import { friendToProto, friendToRest, type RestFriend } from './shapes.js';
import { friendVerifyRequired, userExists } from './users.js';

export const FRIEND_SOURCES = ['search', 'qrcode', 'group', 'contacts'] as const;
export type FriendSource = (typeof FRIEND_SOURCES)[number];
export type RequestStatus = 'pending' | 'accepted' | 'rejected';
export const REMARK_MAX = 50;

export interface FriendRow { user_id: string; friend_id: string; remark: string; created_at: number; updated_at: number }
export interface FriendRequestRow {
  id: number; from_user_id: string; to_user_id: string; message: string; source: string; status: RequestStatus;
  created_at: number; updated_at: number;
}
export interface BlockRow { id: number; user_id: string; blocked_user_id: string; created_at: number }

/**
 * Friendship, friend requests and the blacklist. Friendship is stored as two directed rows (each side has its own remark);
 * a friend request id is an integer (contract-notes I16). Times are epoch ms; adapters format them.
 */
export class FriendDomain {
  constructor(readonly ctx: ServerContext) {
    ctx.db.exec(`
      CREATE TABLE IF NOT EXISTS friendships (
        user_id TEXT NOT NULL, friend_id TEXT NOT NULL, remark TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (user_id, friend_id));
      CREATE INDEX IF NOT EXISTS friendships_updated ON friendships (user_id, updated_at);
      CREATE TABLE IF NOT EXISTS friend_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT, from_user_id TEXT NOT NULL, to_user_id TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, status TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS friend_requests_to ON friend_requests (to_user_id, status);
      CREATE INDEX IF NOT EXISTS friend_requests_from ON friend_requests (from_user_id, status);
      CREATE TABLE IF NOT EXISTS friend_blacklist (
        id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, blocked_user_id TEXT NOT NULL,
        created_at INTEGER NOT NULL, UNIQUE (user_id, blocked_user_id));
    `);
  }

  // ---- queries other services use ----

  friendIds(userId: string): string[] {
    return this.ctx.db.prepare('SELECT friend_id FROM friendships WHERE user_id = ? ORDER BY created_at').pluck().all(userId) as string[];
  }

  areFriends(a: string, b: string): boolean {
    return this.ctx.db.prepare('SELECT 1 FROM friendships WHERE user_id = ? AND friend_id = ?').get(a, b) !== undefined;
  }

  /** true when `a` has blocked `b`. */
  isBlocked(a: string, b: string): boolean {
    return this.ctx.db.prepare('SELECT 1 FROM friend_blacklist WHERE user_id = ? AND blocked_user_id = ?').get(a, b) !== undefined;
  }

  /** Number of friendships (each pair counted once). */
  count(): number {
    return Number(this.ctx.db.prepare('SELECT COUNT(*) FROM friendships WHERE user_id < friend_id').pluck().get());
  }

  /** The user's friends, optionally only those changed after `sinceMs`; rows ordered by when they became friends. */
  friendRows(userId: string, sinceMs?: number): FriendRow[] {
    const since = sinceMs && sinceMs > 0 ? sinceMs : -1;
    return this.ctx.db
      .prepare('SELECT * FROM friendships WHERE user_id = ? AND updated_at > ? ORDER BY created_at, friend_id')
      .all(userId, since) as FriendRow[];
  }

  /** REST shape (GET /friends items), also used by POST /sync. */
  listFriends(userId: string, sinceMs?: number): RestFriend[] {
    return this.friendRows(userId, sinceMs).map((r) => friendToRest(this.ctx, r));
  }

  /** proto anychat.friend.Friend items, for SyncService. */
  listFriendsProto(userId: string, sinceMs?: number): ReturnType<typeof friendToProto>[] {
    return this.friendRows(userId, sinceMs).map((r) => friendToProto(this.ctx, r));
  }

  requestRows(userId: string, type: 'received' | 'sent'): FriendRequestRow[] {
    const col = type === 'sent' ? 'from_user_id' : 'to_user_id';
    return this.ctx.db.prepare(`SELECT * FROM friend_requests WHERE ${col} = ? ORDER BY id DESC`).all(userId) as FriendRequestRow[];
  }

  blacklistRows(userId: string): BlockRow[] {
    return this.ctx.db.prepare('SELECT * FROM friend_blacklist WHERE user_id = ? ORDER BY id').all(userId) as BlockRow[];
  }

  // ---- commands ----

  /** Send a friend request; a pending duplicate returns the existing one; no approval needed ⇒ friends at once. */
  sendRequest(fromUserId: string, toUserId: string, message = '', source: string = 'search'): { requestId: number; autoAccepted: boolean } {
    if (!toUserId) throw badRequest('friend', 'userId is required', 'userId');
    if (!(FRIEND_SOURCES as readonly string[]).includes(source)) {
      throw badRequest('friend', `source must be one of ${FRIEND_SOURCES.join('|')}`, 'source');
    }
    if (toUserId === fromUserId) throw badRequest('friend', 'userId is yourself: cannot send a friend request to yourself', 'userId');
    if (!userExists(this.ctx, fromUserId)) throw notFound('friend', `user ${fromUserId} not found`, 'fromUserId');
    if (!userExists(this.ctx, toUserId)) throw notFound('friend', `user ${toUserId} not found`, 'userId');
    if (this.areFriends(fromUserId, toUserId)) throw conflict('friend', 'already friends', 'userId');
    if (this.isBlocked(toUserId, fromUserId) || this.isBlocked(fromUserId, toUserId)) {
      throw forbidden('friend', 'a blacklist entry between the two users forbids friend requests', 'userId');
    }
    const pending = this.ctx.db
      .prepare("SELECT id FROM friend_requests WHERE from_user_id = ? AND to_user_id = ? AND status = 'pending'")
      .pluck().get(fromUserId, toUserId) as number | undefined;
    if (pending !== undefined) return { requestId: pending, autoAccepted: false };

    const autoAccepted = !friendVerifyRequired(this.ctx, toUserId);
    const now = nowMs();
    const requestId = this.ctx.db.transaction(() => {
      const id = Number(this.ctx.db
        .prepare('INSERT INTO friend_requests (from_user_id, to_user_id, message, source, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(fromUserId, toUserId, message, source, autoAccepted ? 'accepted' : 'pending', now, now).lastInsertRowid);
      if (autoAccepted) this.befriend(fromUserId, toUserId, now);
      return id;
    })();

    // Fault ws.notify-wrong-user: the request notification goes back to the sender.
    const target = this.ctx.faults.on('ws.notify-wrong-user') ? fromUserId : toUserId;
    this.ctx.bus.notify([target], 'friend.request', { requestId, fromUserId, message, source, ...(autoAccepted ? { autoAccepted } : {}) });
    if (autoAccepted) {
      this.ctx.bus.notify([fromUserId], 'friend.request_handled', { requestId, userId: toUserId, action: 'accept', accepted: true });
    }
    return { requestId, autoAccepted };
  }

  /** Accept or reject a pending request; only its target may. */
  handleRequest(userId: string, requestId: number, action: string): void {
    if (action !== 'accept' && action !== 'reject') throw badRequest('friend', "action must be 'accept' or 'reject'", 'action');
    const req = this.ctx.db.prepare('SELECT * FROM friend_requests WHERE id = ?').get(requestId) as FriendRequestRow | undefined;
    if (!req) throw notFound('friend', `friend request ${requestId} not found`, 'id');
    if (req.to_user_id !== userId) throw forbidden('friend', 'only the target of a friend request may handle it', 'id');
    if (req.status !== 'pending') throw conflict('friend', `friend request ${requestId} is already ${req.status}`, 'id');
    const accept = action === 'accept';
    if (accept && (this.isBlocked(req.to_user_id, req.from_user_id) || this.isBlocked(req.from_user_id, req.to_user_id))) {
      throw forbidden('friend', 'a blacklist entry between the two users forbids accepting', 'id');
    }
    const now = nowMs();
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare('UPDATE friend_requests SET status = ?, updated_at = ? WHERE id = ?').run(accept ? 'accepted' : 'rejected', now, requestId);
      if (accept) {
        // A crossing request in the other direction is settled by the same acceptance.
        this.ctx.db
          .prepare("UPDATE friend_requests SET status = 'accepted', updated_at = ? WHERE from_user_id = ? AND to_user_id = ? AND status = 'pending'")
          .run(now, req.to_user_id, req.from_user_id);
        this.befriend(req.from_user_id, req.to_user_id, now);
      }
    })();
    this.ctx.bus.notify([req.from_user_id], 'friend.request_handled', { requestId, userId, action, accepted: accept });
  }

  /** Remove the friendship on both sides; removing a non-friend is a no-op. */
  deleteFriend(userId: string, friendId: string): void {
    if (!friendId) throw badRequest('friend', 'friendId is required', 'friendId');
    const removed = this.ctx.db.transaction(() =>
      this.ctx.db.prepare('DELETE FROM friendships WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)')
        .run(userId, friendId, friendId, userId).changes,
    )();
    if (removed > 0) this.ctx.bus.notify([friendId], 'friend.deleted', { userId });
  }

  updateRemark(userId: string, friendId: string, remark: string): void {
    if (typeof remark !== 'string') throw badRequest('friend', 'remark must be a string', 'remark');
    if ([...remark].length > REMARK_MAX) throw badRequest('friend', `remark must be at most ${REMARK_MAX} characters`, 'remark');
    const changed = this.ctx.db.prepare('UPDATE friendships SET remark = ?, updated_at = ? WHERE user_id = ? AND friend_id = ?')
      .run(remark, nowMs(), userId, friendId).changes;
    if (changed === 0) throw notFound('friend', `${friendId} is not your friend`, 'id');
    this.ctx.bus.notify([userId], 'friend.remark_updated', { friendId, remark });
  }

  /** Block a user (idempotent). The friendship, if any, is kept; requests between them are refused while blocked. */
  block(userId: string, blockedUserId: string): void {
    if (!blockedUserId) throw badRequest('friend', 'userId is required', 'userId');
    if (blockedUserId === userId) throw badRequest('friend', 'userId is yourself: cannot blacklist yourself', 'userId');
    if (!userExists(this.ctx, blockedUserId)) throw notFound('friend', `user ${blockedUserId} not found`, 'userId');
    const added = this.ctx.db
      .prepare('INSERT OR IGNORE INTO friend_blacklist (user_id, blocked_user_id, created_at) VALUES (?, ?, ?)')
      .run(userId, blockedUserId, nowMs()).changes;
    if (added > 0) this.ctx.bus.notify([userId], 'friend.blacklist_changed', { userId: blockedUserId, blocked: true });
  }

  /** Unblock (idempotent). */
  unblock(userId: string, blockedUserId: string): void {
    if (!blockedUserId) throw badRequest('friend', 'blockedUserId is required', 'id');
    const removed = this.ctx.db.prepare('DELETE FROM friend_blacklist WHERE user_id = ? AND blocked_user_id = ?').run(userId, blockedUserId).changes;
    if (removed > 0) this.ctx.bus.notify([userId], 'friend.blacklist_changed', { userId: blockedUserId, blocked: false });
  }

  private befriend(a: string, b: string, now: number): void {
    const ins = this.ctx.db.prepare(
      "INSERT INTO friendships (user_id, friend_id, remark, created_at, updated_at) VALUES (?, ?, '', ?, ?) ON CONFLICT DO NOTHING",
    );
    ins.run(a, b, now, now);
    ins.run(b, a, now, now);
  }
}
