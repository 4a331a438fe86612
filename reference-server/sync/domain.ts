import type { ServerContext } from '../context.js';
import type { ConversationType } from '../message/conversation.js';
import type { MessageRow } from '../message/shape.js';
import type { SessionRow } from '../session/domain.js';
import { SESSION_LIST_MAX } from '../session/domain.js';

/** One entry of conversationSeqs: the newest sequence the client already has. */
export interface ConversationSeq {
  conversationId: string;
  conversationType?: string;
  lastSeq?: number;
}

export interface ConversationMessages {
  conversationId: string;
  conversationType: ConversationType;
  messages: MessageRow[];
  hasMore: boolean;
}

export interface SyncResult {
  /** Friends and groups are listed by each protocol adapter in its own shape (friend/group domains) from this instant. */
  sinceMs: number;
  sessions: SessionRow[];
  sessionsHasMore: boolean;
  conversations: ConversationMessages[];
  /** Server time in Unix seconds: the client's next lastSyncTime. */
  syncTime: number;
}

export const SYNC_LIMIT_DEFAULT = 50;
export const SYNC_LIMIT_MAX = 200;

/** Sync: changes since lastSyncTime (friends, groups, sessions) plus gap-fill of messages by per-conversation sequence. */
export class SyncDomain {
  constructor(readonly ctx: ServerContext) {}

  /** lastSyncTime in seconds or ms (0 = full sync); conversations are filled only for those listed in `seqs`. */
  sync(userId: string, lastSyncTime: number, seqs: readonly ConversationSeq[]): SyncResult {
    const syncTime = Math.floor(Date.now() / 1000);
    const sinceMs = lastSyncTime > 0 ? (lastSyncTime > 1e12 ? lastSyncTime : lastSyncTime * 1000) : 0;
    const { sessions, hasMore } = this.ctx.domains.session.changedSince(userId, sinceMs, SESSION_LIST_MAX);
    return {
      sinceMs,
      sessions,
      sessionsHasMore: hasMore,
      conversations: this.syncMessages(userId, seqs, SYNC_LIMIT_DEFAULT),
      syncTime,
    };
  }

  /**
   * Per listed conversation the caller belongs to: messages with sequence > lastSeq, ascending, at most `limit`.
   * Conversations the caller does not belong to (or that do not exist) are left out rather than failing the batch.
   */
  syncMessages(userId: string, seqs: readonly ConversationSeq[], limit: number): ConversationMessages[] {
    const n = Math.floor(Number(limit));
    const perConversation = n > 0 ? Math.min(n, SYNC_LIMIT_MAX) : SYNC_LIMIT_DEFAULT;
    const out: ConversationMessages[] = [];
    const seen = new Set<string>();
    for (const s of seqs) {
      if (!s || typeof s.conversationId !== 'string' || s.conversationId === '') continue;
      const conv = this.ctx.domains.message.readable(userId, s.conversationId, s.conversationType || undefined);
      if (!conv || seen.has(conv.id)) continue;
      seen.add(conv.id);
      const lastSeq = Math.max(0, Math.floor(Number(s.lastSeq ?? 0)) || 0);
      const { messages, hasMore } = this.ctx.domains.message.messagesAfter(conv.id, lastSeq, perConversation);
      out.push({ conversationId: conv.id, conversationType: conv.type, messages, hasMore });
    }
    return out;
  }
}
