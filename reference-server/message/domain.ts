import type { Connection } from '../bus.js';
import type { ServerContext } from '../context.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import {
  groupMemberIds, isGroupMember, privateMembersOf, resolveForRead, resolveForSend,
  type Conversation, type ConversationType,
} from './conversation.js';
import { isJsonText } from '../dialect.js';
import { MessageFanout } from './fanout.js';
import { MessageStatus, type MessageRow } from './shape.js';
import { rowOf, type StoreJob } from '../store/message-store.js';
import { newSortableId } from '../ids.js';
import { inlineWriter, walWriter, type MessageWriter } from '../store/writer.js';

/** What a client sends (WS `message.send` payload; gRPC SendMessage mapped to it). */
export interface SendPayload {
  conversationId: string;
  conversationType: string;
  contentType: string;
  content: string;
  replyTo?: string;
  atUsers?: string[];
  localId?: string;
}

export interface SendResult {
  message: MessageRow;
  /** true when (sender, conversation, localId) was already stored: nothing new was stored or delivered. */
  duplicate: boolean;
}

/** AsyncAPI contentType enum + the proto comment's `card` + README's `system` (contract-notes I4). */
export const CONTENT_TYPES = ['text', 'image', 'audio', 'video', 'file', 'location', 'custom', 'card', 'system'];
export { IDEMPOTENCY_WINDOW_MS } from '../store/message-store.js';
export const MAX_CONTENT_BYTES = 64 * 1024;
export const GET_MESSAGES_DEFAULT = 20;
export const GET_MESSAGES_MAX = 100;

interface PendingSend {
  job: StoreJob;
  resolve(r: SendResult): void;
  reject(e: unknown): void;
}

/**
 * Messages: per-conversation sequences (strictly increasing, gap-free, allocated inside the insert's transaction),
 * idempotency by (sender, conversation, localId), sessions updated in the same transaction, fan-out after commit.
 * Sends are validated here, then stored in batches by a MessageWriter (store/writer.ts): what arrives in one turn of
 * the event loop is one transaction, and the senders are answered once it is durable. On a file database the commit
 * does not wait for the disk: the WAL's fsync runs on the libuv pool (one at a time, shared by every batch committed
 * meanwhile), so the event loop goes on while the disk syncs.
 */
export class MessageDomain {
  private readonly stmt;
  private readonly fanout: MessageFanout;
  private readonly writer: MessageWriter;
  private pending: PendingSend[] = [];

  constructor(readonly ctx: ServerContext) {
    const db = ctx.db;
    // durability.memory-only: the message tables live in the connection's TEMP schema, which shadows main and dies with the process.
    const memoryOnly = ctx.faults.on('durability.memory-only');
    const table = memoryOnly ? 'TEMP TABLE' : 'TABLE';
    const ix = memoryOnly ? 'temp.' : '';
    db.exec(`
      CREATE ${table} IF NOT EXISTS conversations (
        conversation_id TEXT PRIMARY KEY,
        conversation_type TEXT NOT NULL,
        current_seq INTEGER NOT NULL DEFAULT 0
      );
      CREATE ${table} IF NOT EXISTS messages (
        message_id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        conversation_type TEXT NOT NULL,
        sender_id TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        reply_to TEXT,
        at_users TEXT NOT NULL DEFAULT '[]',
        status INTEGER NOT NULL DEFAULT 0,
        local_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- localId first: an entry is a third of (sender, conversation, localId)'s size, and the localIds of one client's
      -- sends (a counter, or ids made in order) sort together whatever the sender, so a batch's inserts share leaves:
      -- 46.8 → 34.3 pages written per commit of 45 messages, writer CPU 16.2 → 12.0 µs per message. The index it
      -- replaces is dropped from a file made before.
      DROP INDEX IF EXISTS ${ix}messages_by_local_id;
      CREATE INDEX IF NOT EXISTS ${ix}messages_by_local_id_sender ON messages (local_id, sender_id) WHERE local_id IS NOT NULL;
      CREATE ${table} IF NOT EXISTS read_markers (
        conversation_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        last_read_seq INTEGER NOT NULL,
        last_read_message_id TEXT,
        read_at INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, user_id)
      );
    `);
    // The unique index is a second line of defence behind the transaction; ord.sequence-reuse needs it absent to show reuse.
    db.exec(ctx.faults.on('ord.sequence-reuse')
      ? `CREATE INDEX IF NOT EXISTS ${ix}messages_by_seq_nonunique ON messages (conversation_id, sequence)`
      : `CREATE UNIQUE INDEX IF NOT EXISTS ${ix}messages_by_seq ON messages (conversation_id, sequence)`);

    this.stmt = {
      currentSeq: db.prepare(`SELECT current_seq FROM conversations WHERE conversation_id = ?`),
      conversationType: db.prepare(`SELECT conversation_type FROM conversations WHERE conversation_id = ?`),
      byId: db.prepare(`SELECT * FROM messages WHERE message_id = ?`),
      range: db.prepare(`SELECT * FROM messages WHERE conversation_id = @conv AND sequence >= @from AND sequence <= @to
                         ORDER BY sequence ASC LIMIT @limit`),
      rangeDesc: db.prepare(`SELECT * FROM messages WHERE conversation_id = @conv AND sequence >= @from AND sequence <= @to
                             ORDER BY sequence DESC LIMIT @limit`),
      rangeCount: db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE conversation_id = @conv AND sequence >= @from AND sequence <= @to`),
      last: db.prepare(`SELECT * FROM messages WHERE conversation_id = ? ORDER BY sequence DESC LIMIT 1`),
      setStatus: db.prepare(`UPDATE messages SET status = ?, updated_at = ? WHERE message_id = ?`),
      unreadFromOthers: db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND sequence > ? AND sender_id <> ? AND status <> 2`),
      marker: db.prepare(`SELECT * FROM read_markers WHERE conversation_id = ? AND user_id = ?`),
      markers: db.prepare(`SELECT * FROM read_markers WHERE conversation_id = ? AND user_id <> ? ORDER BY user_id`),
      upsertMarker: db.prepare(`INSERT INTO read_markers (conversation_id, user_id, last_read_seq, last_read_message_id, read_at)
                                VALUES (@conv, @userId, @seq, @messageId, @now)
                                ON CONFLICT (conversation_id, user_id) DO UPDATE SET
                                  last_read_seq = MAX(last_read_seq, excluded.last_read_seq),
                                  last_read_message_id = CASE WHEN excluded.last_read_seq >= last_read_seq
                                    THEN excluded.last_read_message_id ELSE last_read_message_id END,
                                  read_at = excluded.read_at`),
      search: db.prepare(`SELECT * FROM messages WHERE content LIKE @pattern ESCAPE '\\' AND status = 0
                            AND (@conv IS NULL OR conversation_id = @conv) AND (@type IS NULL OR content_type = @type)
                          ORDER BY created_at DESC, sequence DESC LIMIT 5000`),
      count: db.prepare(`SELECT COUNT(*) AS n FROM messages`),
    };

    this.fanout = new MessageFanout(ctx);
    // TEMP tables (the fault) and :memory: exist only on the server's own connection: stored in-thread there.
    this.writer = memoryOnly || db.memory ? inlineWriter(db) : walWriter(db, db.name);
  }

  /**
   * Store a message and deliver it. Resolves only after the commit (the caller acks then); a resend of a stored
   * localId resolves to the stored message with duplicate=true. `origin` is the sending socket (not notified).
   */
  async send(senderId: string, _deviceId: string, payload: SendPayload, origin?: Connection): Promise<SendResult> {
    const conv = resolveForSend(this.ctx, senderId, payload.conversationId, payload.conversationType);
    validatePayload(payload);
    if (this.ctx.faults.on('dialect.json-content') && !isJsonText(payload.content)) {
      // the backend's insert into a JSON column fails after the sequence was taken: the number is burnt, nothing acked
      const db = this.ctx.db; // prepared here only: free when the fault is off (the writer's connection owns the hot path)
      db.prepare(`INSERT OR IGNORE INTO conversations (conversation_id, conversation_type) VALUES (?, ?)`).run(conv.id, conv.type);
      db.prepare(`UPDATE conversations SET current_seq = current_seq + 1 WHERE conversation_id = ?`).run(conv.id);
      throw badRequest('message', "invalid field 'content': must be a JSON text (fault dialect.json-content)", 'content');
    }
    let forcedSeq: number | undefined;
    if (this.ctx.faults.on('ord.sequence-reuse')) {
      forcedSeq = this.currentSeq(conv.id) + 1;
      await new Promise((r) => setTimeout(r, 5)); // the window in which a concurrent send reads the same sequence
    }
    const job: StoreJob = {
      messageId: newSortableId('m'), // in arrival order: the primary-key index is appended to, not scattered
      createdAt: Date.now(),
      conversationId: conv.id,
      conversationType: conv.type,
      senderId,
      contentType: payload.contentType,
      content: payload.content,
      replyTo: payload.replyTo || null,
      atUsers: JSON.stringify(payload.atUsers ?? []),
      localId: payload.localId || null,
      members: conv.members,
      targets: conv.members.map((u) => conv.targetFor(u)),
      idempotent: !this.ctx.faults.on('ord.localid-not-idempotent'),
      seqStep: this.ctx.faults.on('ord.sequence-gaps') ? 2 : 1,
      forcedSeq,
    };
    const result = await new Promise<SendResult>((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
    if (!result.duplicate) this.fanout.deliverNew(result.message, conv, origin);
    return result;
  }

  /** Stop the writer once every send queued is stored (server shutdown). */
  async close(): Promise<void> {
    while (this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.writer.close();
  }

  /**
   * Store everything that arrived in this turn of the event loop as one batch (one transaction); the senders are
   * answered once the writer says the commit is durable, while later batches are already being committed.
   */
  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.writer.write(batch.map((p) => p.job)).then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const r = results[i]!;
          if ('error' in r) batch[i]!.reject(new Error(r.error)); // not committed: never acked
          else if ('duplicate' in r) batch[i]!.resolve({ message: r.duplicate, duplicate: true });
          else batch[i]!.resolve({ message: rowOf(batch[i]!.job, r.sequence), duplicate: false });
        }
      },
      (err) => { for (const p of batch) p.reject(err); },
    );
  }

  // ---- reads ----

  getById(messageId: string): MessageRow {
    const row = this.stmt.byId.get(messageId) as MessageRow | undefined;
    if (!row) throw notFound('message', `message '${messageId}' not found`, 'messageId');
    return row;
  }

  /** History of one conversation by sequence range (inclusive; a bound ≤ 0 is open), ascending unless `reverse`. */
  getMessages(q: { conversationId: string; startSeq?: number; endSeq?: number; limit?: number; reverse?: boolean }): { messages: MessageRow[]; total: number; hasMore: boolean } {
    if (!q.conversationId) throw badRequest('message', `invalid field 'conversation_id': must not be empty`, 'conversation_id');
    const limit = !q.limit || q.limit <= 0 ? GET_MESSAGES_DEFAULT : Math.min(q.limit, GET_MESSAGES_MAX);
    // 0 (or unset) bounds mean "no bound": sequences start at 1, and proto3 clients often send 0 for "not set".
    const args = { conv: q.conversationId, from: q.startSeq ?? 0, to: q.endSeq && q.endSeq > 0 ? q.endSeq : Number.MAX_SAFE_INTEGER, limit: limit + 1 };
    const rows = (q.reverse ? this.stmt.rangeDesc : this.stmt.range).all(args) as MessageRow[];
    const total = (this.stmt.rangeCount.get(args) as { n: number }).n;
    return { messages: rows.slice(0, limit), total, hasMore: rows.length > limit };
  }

  /** Messages with sequence > lastSeq, ascending, at most `limit` (sync gap-fill). */
  messagesAfter(conversationId: string, lastSeq: number, limit: number): { messages: MessageRow[]; hasMore: boolean } {
    const from = this.ctx.faults.on('ord.sync-off-by-one') ? lastSeq : lastSeq + 1;
    const rows = this.stmt.range.all({ conv: conversationId, from, to: Number.MAX_SAFE_INTEGER, limit: limit + 1 }) as MessageRow[];
    return { messages: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  currentSeq(conversationId: string): number {
    return (this.stmt.currentSeq.get(conversationId) as { current_seq: number } | undefined)?.current_seq ?? 0;
  }

  storedType(conversationId: string): ConversationType | undefined {
    return (this.stmt.conversationType.get(conversationId) as { conversation_type: ConversationType } | undefined)?.conversation_type;
  }

  /** Total stored messages (admin stats). */
  count(): number {
    return (this.stmt.count.get() as { n: number }).n;
  }

  /** The conversation `userId` may read, whichever id form was given; undefined when the caller does not belong to it. */
  readable(userId: string, conversationId: string, type?: unknown): Conversation | undefined {
    return resolveForRead(this.ctx, userId, conversationId, type, this.storedType(conversationId));
  }

  /** Messages whose content contains `keyword`, newest first, only from conversations `userId` belongs to now. */
  search(userId: string, keyword: string, opts: { conversationId?: string; contentType?: string; limit?: number; offset?: number }): { messages: MessageRow[]; total: number } {
    if (!keyword) throw badRequest('message', `invalid field 'keyword': must not be empty`, 'keyword');
    const pattern = `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.stmt.search.all({ pattern, conv: opts.conversationId || null, type: opts.contentType || null }) as MessageRow[];
    const allowed = new Map<string, boolean>();
    const visible = rows.filter((r) => {
      let ok = allowed.get(r.conversation_id);
      if (ok === undefined) {
        ok = r.conversation_type === 'group'
          ? isGroupMember(this.ctx, r.conversation_id, userId)
          : privateMembersOf(r.conversation_id, userId) !== undefined;
        allowed.set(r.conversation_id, ok);
      }
      return ok;
    });
    const offset = Math.max(0, opts.offset ?? 0);
    const limit = !opts.limit || opts.limit <= 0 ? GET_MESSAGES_DEFAULT : Math.min(opts.limit, GET_MESSAGES_MAX);
    return { messages: visible.slice(offset, offset + limit), total: visible.length };
  }

  // ---- changes ----

  /** Sender only; status 1; `message.recalled` to every member's devices. */
  recall(messageId: string, userId: string): MessageRow {
    const row = this.getById(messageId);
    if (row.sender_id !== userId) throw forbidden('message', 'only the sender may recall a message', 'userId');
    if (row.status === MessageStatus.deleted) throw badRequest('message', 'message was deleted', 'messageId');
    if (row.status !== MessageStatus.recalled) this.stmt.setStatus.run(MessageStatus.recalled, Date.now(), messageId);
    this.ctx.bus.notify(this.membersOf(row), 'message.recalled', {
      messageId, conversationId: row.conversation_id, sequence: row.sequence, recalledBy: userId,
    });
    return this.getById(messageId);
  }

  /** Sender only; status 2 for everyone (the history keeps its sequence, so gap-fill stays gap-free). */
  delete(messageId: string, userId: string): void {
    const row = this.getById(messageId);
    if (row.sender_id !== userId) throw forbidden('message', 'only the sender may delete a message', 'userId');
    this.stmt.setStatus.run(MessageStatus.deleted, Date.now(), messageId);
  }

  /**
   * Move the user's read marker forward (never back), recompute that session's unread count and send
   * `message.read_receipt` to the other members.
   */
  markAsRead(userId: string, conversationId: string, type: unknown, lastReadSeq: number, lastReadMessageId?: string): void {
    const conv = this.readable(userId, conversationId, type);
    if (!conv) throw forbidden('message', `not a member of conversation '${conversationId}'`, 'conversationId');
    const seq = Math.max(0, Math.min(lastReadSeq, this.currentSeq(conv.id)));
    this.stmt.upsertMarker.run({ conv: conv.id, userId, seq, messageId: lastReadMessageId ?? null, now: Date.now() });
    const marker = this.stmt.marker.get(conv.id, userId) as { last_read_seq: number };
    this.ctx.domains.session.setUnread(userId, conv.id, this.unreadFromOthers(conv.id, userId, marker.last_read_seq));
    if (!this.ctx.faults.on('ws.no-read-receipt')) this.ctx.bus.notify(conv.members.filter((u) => u !== userId), 'message.read_receipt', {
      conversationId: conv.id, userId, lastReadSeq: marker.last_read_seq,
      ...(lastReadMessageId ? { lastReadMessageId } : {}),
    });
  }

  /** Everything read (POST /sessions/{id}/read): marker to the conversation's current sequence. */
  markAllRead(userId: string, conversationId: string): void {
    const seq = this.currentSeq(conversationId);
    if (seq > 0) this.stmt.upsertMarker.run({ conv: conversationId, userId, seq, messageId: null, now: Date.now() });
  }

  unreadCount(conversationId: string, userId: string, lastReadSeq?: number): { unread: number; lastSeq: number; last?: MessageRow } {
    const marker = this.stmt.marker.get(conversationId, userId) as { last_read_seq: number } | undefined;
    const from = lastReadSeq ?? marker?.last_read_seq ?? 0;
    const last = this.stmt.last.get(conversationId) as MessageRow | undefined;
    return { unread: this.unreadFromOthers(conversationId, userId, from), lastSeq: this.currentSeq(conversationId), last };
  }

  readReceipts(conversationId: string, exceptUserId: string): Array<{ user_id: string; last_read_seq: number; last_read_message_id: string | null; read_at: number }> {
    return this.stmt.markers.all(conversationId, exceptUserId) as any[];
  }

  private unreadFromOthers(conversationId: string, userId: string, afterSeq: number): number {
    return (this.stmt.unreadFromOthers.get(conversationId, afterSeq, userId) as { n: number }).n;
  }

  /** Who sees a stored message now: the group's current members, or the two users of a private conversation. */
  private membersOf(row: MessageRow): string[] {
    if (row.conversation_type === 'group') return groupMemberIds(this.ctx, row.conversation_id);
    return privateMembersOf(row.conversation_id, row.sender_id) ?? [row.sender_id];
  }
}

function validatePayload(p: SendPayload): void {
  if (typeof p.contentType !== 'string' || !CONTENT_TYPES.includes(p.contentType)) {
    throw badRequest('message', `invalid field 'contentType': must be one of ${CONTENT_TYPES.join(', ')}`, 'contentType');
  }
  if (typeof p.content !== 'string') throw badRequest('message', `invalid field 'content': must be a string`, 'content');
  if (Buffer.byteLength(p.content) > MAX_CONTENT_BYTES) throw badRequest('message', `invalid field 'content': longer than ${MAX_CONTENT_BYTES} bytes`, 'content');
  if (p.atUsers !== undefined && (!Array.isArray(p.atUsers) || p.atUsers.some((u) => typeof u !== 'string'))) {
    throw badRequest('message', `invalid field 'atUsers': must be an array of user ids`, 'atUsers');
  }
  if (p.localId !== undefined && typeof p.localId !== 'string') throw badRequest('message', `invalid field 'localId': must be a string`, 'localId');
  if (p.replyTo !== undefined && typeof p.replyTo !== 'string') throw badRequest('message', `invalid field 'replyTo': must be a string`, 'replyTo');
}

