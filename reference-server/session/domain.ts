import type { ServerContext } from '../context.js';
import { notFound } from '../errors.js';
import type { ConversationType } from '../message/conversation.js';
import { canonicalPrivateId } from '../message/conversation.js';

/** One user's view of one conversation. sessionId == conversationId (contract-notes I11); times are epoch ms. */
export interface SessionRow {
  user_id: string;
  session_id: string;
  session_type: ConversationType;
  /** The peer's user id (private) or the group id. */
  target_id: string;
  last_message_id: string;
  last_message_content: string;
  last_message_time: number;
  unread_count: number;
  is_pinned: 0 | 1;
  pin_time: number | null;
  is_muted: 0 | 1;
  /** 1 after DELETE /sessions/{id}: left out of lists until the next message in the conversation. */
  hidden: 0 | 1;
  created_at: number;
  updated_at: number;
}

export const SESSION_LIST_DEFAULT = 20;
export const SESSION_LIST_MAX = 100;

/**
 * Sessions: created/updated by every stored message (inside the message's transaction: store/message-store.ts writes
 * them with the message), listed pinned-first then by
 * updatedAt desc, hidden by DELETE until the next message. Every change notifies the owner's devices.
 */
export class SessionDomain {
  private readonly stmt;

  constructor(readonly ctx: ServerContext) {
    ctx.db.exec(`
      CREATE TABLE IF NOT EXISTS sessions (
        user_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        session_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        last_message_id TEXT NOT NULL DEFAULT '',
        last_message_content TEXT NOT NULL DEFAULT '',
        last_message_time INTEGER NOT NULL DEFAULT 0,
        unread_count INTEGER NOT NULL DEFAULT 0,
        is_pinned INTEGER NOT NULL DEFAULT 0,
        pin_time INTEGER,
        is_muted INTEGER NOT NULL DEFAULT 0,
        hidden INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, session_id)
      );
      CREATE INDEX IF NOT EXISTS sessions_by_user_updated ON sessions (user_id, updated_at);
    `);
    const db = ctx.db;
    this.stmt = {
      get: db.prepare(`SELECT * FROM sessions WHERE user_id = ? AND session_id = ? AND hidden = 0`),
      getAnyUser: db.prepare(`SELECT * FROM sessions WHERE session_id = ? AND hidden = 0 ORDER BY updated_at DESC LIMIT 1`),
      list: db.prepare(`
        SELECT * FROM sessions WHERE user_id = @userId AND hidden = 0 AND updated_at < @before
        ORDER BY is_pinned DESC, COALESCE(pin_time, 0) DESC, updated_at DESC, session_id LIMIT @limit`),
      changedSince: db.prepare(`
        SELECT * FROM sessions WHERE user_id = @userId AND hidden = 0 AND updated_at >= @since
        ORDER BY is_pinned DESC, COALESCE(pin_time, 0) DESC, updated_at DESC, session_id LIMIT @limit`),
      hide: db.prepare(`UPDATE sessions SET hidden = 1, unread_count = 0, is_pinned = 0, pin_time = NULL, updated_at = @now
                        WHERE user_id = @userId AND session_id = @sessionId AND hidden = 0`),
      setPinned: db.prepare(`UPDATE sessions SET is_pinned = @pinned, pin_time = CASE WHEN @pinned = 1 THEN @now ELSE NULL END,
                             updated_at = @now WHERE user_id = @userId AND session_id = @sessionId AND hidden = 0`),
      setMuted: db.prepare(`UPDATE sessions SET is_muted = @muted, updated_at = @now
                            WHERE user_id = @userId AND session_id = @sessionId AND hidden = 0`),
      setUnread: db.prepare(`UPDATE sessions SET unread_count = @count, updated_at = @now
                             WHERE user_id = @userId AND session_id = @sessionId AND hidden = 0`),
      incrUnread: db.prepare(`UPDATE sessions SET unread_count = MAX(0, unread_count + @count), updated_at = @now
                              WHERE user_id = @userId AND session_id = @sessionId AND hidden = 0`),
      totalUnread: db.prepare(`SELECT COALESCE(SUM(unread_count), 0) AS n FROM sessions WHERE user_id = ? AND hidden = 0 AND is_muted = 0`),
      upsertManual: db.prepare(`
        INSERT INTO sessions (user_id, session_id, session_type, target_id, last_message_id, last_message_content,
                              last_message_time, created_at, updated_at)
        VALUES (@userId, @sessionId, @sessionType, @targetId, @messageId, @content, @time, @now, @now)
        ON CONFLICT (user_id, session_id) DO UPDATE SET
          last_message_id = excluded.last_message_id,
          last_message_content = excluded.last_message_content,
          last_message_time = excluded.last_message_time,
          hidden = 0,
          updated_at = excluded.updated_at`),
    };
  }

  /** Sessions of `userId` updated strictly before `beforeMs`, pinned first, then most recently updated. */
  list(userId: string, opts: { limit?: number; updatedBeforeMs?: number } = {}): { sessions: SessionRow[]; hasMore: boolean } {
    const limit = clampLimit(opts.limit, SESSION_LIST_DEFAULT, SESSION_LIST_MAX);
    const rows = this.stmt.list.all({ userId, before: opts.updatedBeforeMs ?? Number.MAX_SAFE_INTEGER, limit: limit + 1 }) as SessionRow[];
    return { sessions: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /** Sessions changed at or after `sinceMs` (for /sync), at most `limit`. */
  changedSince(userId: string, sinceMs: number, limit = SESSION_LIST_MAX): { sessions: SessionRow[]; hasMore: boolean } {
    const rows = this.stmt.changedSince.all({ userId, since: sinceMs, limit: limit + 1 }) as SessionRow[];
    return { sessions: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /** The caller's own session; another user's or an unknown id is 404 (fault authz.sessions-cross-user: anyone's). */
  get(userId: string, sessionId: string): SessionRow {
    let row = this.stmt.get.get(userId, sessionId) as SessionRow | undefined;
    if (!row && this.ctx.faults.on('authz.sessions-cross-user')) row = this.stmt.getAnyUser.get(sessionId) as SessionRow | undefined;
    if (!row) throw notFound('session', `session '${sessionId}' not found`, 'sessionId');
    return row;
  }

  find(userId: string, sessionId: string): SessionRow | undefined {
    return this.stmt.get.get(userId, sessionId) as SessionRow | undefined;
  }

  /** Hide the session (messages are kept); false when the caller has no such session. */
  delete(userId: string, sessionId: string): boolean {
    const changed = this.stmt.hide.run({ userId, sessionId, now: Date.now() }).changes > 0;
    if (changed) this.ctx.bus.notify([userId], 'session.deleted', { sessionId });
    return changed;
  }

  setPinned(userId: string, sessionId: string, pinned: boolean): SessionRow {
    this.requireChange(this.stmt.setPinned.run({ userId, sessionId, pinned: pinned ? 1 : 0, now: Date.now() }).changes, sessionId);
    const row = this.get(userId, sessionId);
    this.ctx.bus.notify([userId], 'session.pin_updated', { sessionId, isPinned: pinned, ...(row.pin_time ? { pinTime: Math.floor(row.pin_time / 1000) } : {}) });
    return row;
  }

  setMuted(userId: string, sessionId: string, muted: boolean): SessionRow {
    this.requireChange(this.stmt.setMuted.run({ userId, sessionId, muted: muted ? 1 : 0, now: Date.now() }).changes, sessionId);
    this.ctx.bus.notify([userId], 'session.mute_updated', { sessionId, isMuted: muted });
    return this.get(userId, sessionId);
  }

  /** Set unread to 0 (and move the read marker to the conversation's end); false when there is no such session. */
  clearUnread(userId: string, sessionId: string): boolean {
    const changed = this.stmt.setUnread.run({ userId, sessionId, count: 0, now: Date.now() }).changes > 0;
    if (changed) {
      this.ctx.domains.message.markAllRead(userId, sessionId);
      this.notifyUnread(userId, sessionId, 0);
    }
    return changed;
  }

  /** Set one session's unread count (MarkAsRead recomputes it); no-op when there is no such session. */
  setUnread(userId: string, sessionId: string, count: number): void {
    if (this.stmt.setUnread.run({ userId, sessionId, count, now: Date.now() }).changes > 0) this.notifyUnread(userId, sessionId, count);
  }

  incrUnread(userId: string, sessionId: string, count: number): SessionRow {
    this.requireChange(this.stmt.incrUnread.run({ userId, sessionId, count, now: Date.now() }).changes, sessionId);
    const row = this.get(userId, sessionId);
    this.notifyUnread(userId, sessionId, row.unread_count);
    return row;
  }

  /** Sum of unread over the user's visible, unmuted sessions. */
  totalUnread(userId: string): number {
    return (this.stmt.totalUnread.get(userId) as { n: number }).n;
  }

  /** SessionService.CreateOrUpdateSession: private sessions are keyed by the canonical pair id, group ones by the group id. */
  createOrUpdate(p: { userId: string; sessionType: ConversationType; targetId: string; lastMessageId: string; lastMessageContent: string; lastMessageTimeMs: number }): SessionRow {
    const sessionId = p.sessionType === 'group' ? p.targetId : canonicalPrivateId(p.userId, p.targetId);
    this.stmt.upsertManual.run({
      userId: p.userId, sessionId, sessionType: p.sessionType, targetId: p.targetId,
      messageId: p.lastMessageId, content: p.lastMessageContent, time: p.lastMessageTimeMs, now: Date.now(),
    });
    return this.get(p.userId, sessionId);
  }

  private notifyUnread(userId: string, sessionId: string, unreadCount: number): void {
    this.ctx.bus.notify([userId], 'session.unread_updated', { sessionId, unreadCount, totalUnread: this.totalUnread(userId) });
  }

  private requireChange(changes: number, sessionId: string): void {
    if (changes === 0) throw notFound('session', `session '${sessionId}' not found`, 'sessionId');
  }
}

export function clampLimit(value: number | undefined, dflt: number, max: number): number {
  if (value === undefined || value === null || !Number.isFinite(value) || value <= 0) return dflt;
  return Math.min(Math.floor(value), max);
}
