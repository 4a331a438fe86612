import type { Db } from './db.js';
import type { ConversationType } from '../message/conversation.js';
import { MessageStatus, type MessageRow } from '../message/shape.js';

/** A resent localId is answered from the store for this long (clients restart their localIds per process). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

/**
 * One validated send, as the message domain hands it to the store: plain data only (it may cross to the writer
 * thread). The fault-driven variations are decided by the caller at their named points and arrive here as values.
 */
export interface StoreJob {
  /** Made by the caller in arrival order (newSortableId), with the arrival time: stored as given unless a duplicate. */
  messageId: string;
  createdAt: number;
  conversationId: string;
  conversationType: ConversationType;
  senderId: string;
  contentType: string;
  content: string;
  replyTo: string | null;
  /** JSON array text */
  atUsers: string;
  localId: string | null;
  /** Who sees the conversation now, and what each one's session points at (same order). */
  members: string[];
  targets: string[];
  /** false only under ord.localid-not-idempotent */
  idempotent: boolean;
  /** 1, or 2 under ord.sequence-gaps */
  seqStep: number;
  /** Set only by ord.sequence-reuse: the sequence read before an await. */
  forcedSeq?: number;
}

/**
 * Per job: the sequence it was stored under (the rest of the row is the job's: rowOf), the message stored earlier
 * under the same localId (nothing new stored), or why its transaction failed (nothing stored).
 */
export type StoreResult = { sequence: number } | { duplicate: MessageRow } | { error: string };

/** The row a job is stored as, once it has its sequence. */
export function rowOf(job: StoreJob, sequence: number): MessageRow {
  return {
    message_id: job.messageId,
    conversation_id: job.conversationId,
    conversation_type: job.conversationType,
    sender_id: job.senderId,
    content_type: job.contentType,
    content: job.content,
    sequence,
    reply_to: job.replyTo,
    at_users: job.atUsers,
    status: MessageStatus.normal,
    local_id: job.localId,
    created_at: job.createdAt,
    updated_at: job.createdAt,
  };
}

const COLUMNS = ['message_id', 'conversation_id', 'conversation_type', 'sender_id', 'content_type', 'content', 'sequence',
  'reply_to', 'at_users', 'status', 'local_id', 'created_at', 'updated_at'] as const;
/** Rows per multi-row INSERT (13 parameters each, far below SQLite's 32766). */
const INSERT_CHUNK = 32;

/**
 * The write path of messages: one transaction per batch of sends, holding every new message, its conversation's
 * sequence and its members' sessions. Per batch: one idempotency lookup per send with a localId, one sequence
 * allocation per conversation (a range, strictly increasing and gap-free, inside the transaction), multi-row inserts,
 * and one session upsert per (member, conversation) — the batch's last message and its summed unread increment,
 * exactly what applying the messages one by one would leave.
 *
 * Used on a connection of its own for a file DB (store/writer.ts: walWriter, the fsync of each commit off the event
 * loop) and on the server's own connection for :memory: and the TEMP tables of durability.memory-only.
 */
export class MessageStore {
  private readonly stmt;
  private readonly insertMany;
  private readonly batchTx: (jobs: StoreJob[]) => StoreResult[];

  constructor(private readonly db: Db) {
    this.stmt = {
      ensureConversation: db.prepare(`INSERT OR IGNORE INTO conversations (conversation_id, conversation_type) VALUES (?, ?)`),
      allocSeq: db.prepare(`UPDATE conversations SET current_seq = current_seq + ? WHERE conversation_id = ? RETURNING current_seq`),
      raiseSeq: db.prepare(`UPDATE conversations SET current_seq = MAX(current_seq, ?) WHERE conversation_id = ?`),
      // No ORDER BY: it would make the planner walk the (conversation, sequence) index instead of the localId one.
      byLocalId: db.prepare(`SELECT * FROM messages INDEXED BY messages_by_local_id_sender
                             WHERE local_id = ? AND sender_id = ? AND conversation_id = ? AND created_at >= ? LIMIT 1`),
      insertOne: db.prepare(insertSql(1)),
      upsertSession: db.prepare(`
        INSERT INTO sessions (user_id, session_id, session_type, target_id, last_message_id, last_message_content,
                              last_message_time, unread_count, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (user_id, session_id) DO UPDATE SET
          last_message_id = excluded.last_message_id,
          last_message_content = excluded.last_message_content,
          last_message_time = excluded.last_message_time,
          unread_count = CASE WHEN hidden = 1 THEN 0 ELSE unread_count END + excluded.unread_count,
          hidden = 0,
          updated_at = excluded.updated_at`),
    };
    this.insertMany = db.prepare(insertSql(INSERT_CHUNK));
    this.batchTx = db.transaction((jobs: StoreJob[]) => this.apply(jobs));
  }

  /**
   * Store a batch in one transaction. If it fails (rare: sends are validated before), it has rolled back and each
   * job is retried in its own transaction, so only the bad one gets an error (it is never acked).
   */
  storeBatch(jobs: StoreJob[]): StoreResult[] {
    try {
      return this.batchTx(jobs);
    } catch {
      return jobs.map((job) => {
        try {
          return this.batchTx([job])[0]!;
        } catch (err) {
          return { error: String((err as Error)?.message ?? err) };
        }
      });
    }
  }

  private apply(jobs: StoreJob[]): StoreResult[] {
    const now = Date.now();
    const results: StoreResult[] = new Array(jobs.length);
    const seqs: number[] = new Array(jobs.length);
    // 1. Idempotency: a localId already stored answers with the stored message; one sent earlier in this batch, with
    //    that one once it has its sequence (step 5).
    const firstInBatch = new Map<string, number>();
    const repeats: Array<[number, number]> = [];
    const fresh: number[] = [];
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      if (job.localId && job.idempotent) {
        const key = `${job.senderId}\u0000${job.conversationId}\u0000${job.localId}`;
        const earlier = firstInBatch.get(key);
        if (earlier !== undefined) {
          repeats.push([i, earlier]);
          continue;
        }
        const prior = this.stmt.byLocalId.get(job.localId, job.senderId, job.conversationId, now - IDEMPOTENCY_WINDOW_MS) as MessageRow | undefined;
        if (prior) {
          results[i] = { duplicate: prior };
          continue;
        }
        firstInBatch.set(key, i);
      }
      fresh.push(i);
    }
    // 2. Sequences: one range per (conversation, step) in arrival order; forced ones (fault) as given.
    const groups = new Map<string, number[]>();
    for (const i of fresh) {
      const job = jobs[i]!;
      if (job.forcedSeq !== undefined) {
        this.stmt.ensureConversation.run(job.conversationId, job.conversationType);
        this.stmt.raiseSeq.run(job.forcedSeq, job.conversationId);
        seqs[i] = job.forcedSeq;
        continue;
      }
      const key = `${job.seqStep}\u0000${job.conversationId}`;
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(i);
    }
    for (const list of groups.values()) {
      const { conversationId, conversationType, seqStep } = jobs[list[0]!]!;
      let top = this.stmt.allocSeq.get(seqStep * list.length, conversationId) as { current_seq: number } | undefined;
      if (!top) {
        this.stmt.ensureConversation.run(conversationId, conversationType); // first message of the conversation
        top = this.stmt.allocSeq.get(seqStep * list.length, conversationId) as { current_seq: number };
      }
      let seq = top.current_seq - seqStep * list.length;
      for (const i of list) seqs[i] = seq += seqStep;
    }
    // 3. Rows, in chunks.
    let at = 0;
    for (; at + INSERT_CHUNK <= fresh.length; at += INSERT_CHUNK) this.insertMany.run(flatten(jobs, seqs, fresh, at, INSERT_CHUNK));
    for (; at < fresh.length; at++) this.stmt.insertOne.run(flatten(jobs, seqs, fresh, at, 1));
    // 4. Sessions: per (member, conversation) the last message and the number of messages from others.
    const sessions = new Map<string, { job: StoreJob; target: string; user: string; incr: number }>();
    for (const i of fresh) {
      const job = jobs[i]!;
      results[i] = { sequence: seqs[i]! };
      for (let m = 0; m < job.members.length; m++) {
        const user = job.members[m]!;
        const key = `${user}\u0000${job.conversationId}`;
        const s = sessions.get(key);
        const incr = user === job.senderId ? 0 : 1;
        if (s) {
          s.job = job;
          s.target = job.targets[m]!;
          s.incr += incr;
        } else {
          sessions.set(key, { job, target: job.targets[m]!, user, incr });
        }
      }
    }
    for (const s of sessions.values()) {
      this.stmt.upsertSession.run(s.user, s.job.conversationId, s.job.conversationType, s.target, s.job.messageId,
        s.job.content, s.job.createdAt, s.incr, now, now);
    }
    // 5. Repeats within the batch: the message their first send was stored as.
    for (const [i, earlier] of repeats) results[i] = { duplicate: rowOf(jobs[earlier]!, seqs[earlier]!) };
    return results;
  }
}

function insertSql(rows: number): string {
  const one = `(${COLUMNS.map(() => '?').join(', ')})`;
  return `INSERT INTO messages (${COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, () => one).join(', ')}`;
}

/** The insert parameters of jobs[fresh[from]] … jobs[fresh[from + n - 1]], in COLUMNS order. */
function flatten(jobs: StoreJob[], seqs: number[], fresh: number[], from: number, n: number): unknown[] {
  const out: unknown[] = new Array(n * COLUMNS.length);
  let k = 0;
  for (let r = from; r < from + n; r++) {
    const i = fresh[r]!;
    const job = jobs[i]!;
    out[k++] = job.messageId;
    out[k++] = job.conversationId;
    out[k++] = job.conversationType;
    out[k++] = job.senderId;
    out[k++] = job.contentType;
    out[k++] = job.content;
    out[k++] = seqs[i];
    out[k++] = job.replyTo;
    out[k++] = job.atUsers;
    out[k++] = MessageStatus.normal;
    out[k++] = job.localId;
    out[k++] = job.createdAt;
    out[k++] = job.createdAt;
  }
  return out;
}
