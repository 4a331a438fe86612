import type { ServerContext } from '../context.js';
import type { RpcHandlers } from '../grpc/host.js';
import { protoType } from '../message/conversation.js';
import { requiredString } from '../grpc/args.js';
import { grpcMessage } from '../message/shape.js';
import { grpcSession } from '../session/shape.js';
import { SYNC_LIMIT_DEFAULT, type ConversationMessages, type ConversationSeq } from './domain.js';

function seqsFrom(list: unknown): ConversationSeq[] {
  return ((list as any[]) ?? []).map((s) => ({ conversationId: s.conversation_id, conversationType: s.conversation_type, lastSeq: Number(s.last_seq ?? 0) }));
}

function grpcConversation(c: ConversationMessages): Record<string, unknown> {
  return { conversation_id: c.conversationId, conversation_type: protoType(c.conversationType), messages: c.messages.map(grpcMessage), has_more: c.hasMore };
}

/** anychat.sync.SyncService over the same SyncDomain as REST. */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const handlers: RpcHandlers = {
    Sync(req) {
      const userId = requiredString(req, 'user_id', 'sync');
      const r = ctx.domains.sync.sync(userId, Number(req.last_sync_time ?? 0), seqsFrom(req.conversation_seqs));
      const friends = ctx.domains.friend.listFriendsProto(userId, r.sinceMs);
      const groups = ctx.domains.group.listUserGroupsProto(userId, r.sinceMs);
      return {
        friends: { friends, total: friends.length },
        groups: { groups, total: groups.length },
        sessions: { sessions: r.sessions.map(grpcSession), has_more: r.sessionsHasMore },
        conversations: r.conversations.map(grpcConversation),
        sync_time: r.syncTime,
      };
    },
    SyncMessages(req) {
      const limit = Number(req.limit_per_conversation ?? 0) || SYNC_LIMIT_DEFAULT;
      const conversations = ctx.domains.sync.syncMessages(requiredString(req, 'user_id', 'sync'), seqsFrom(req.conversation_seqs), limit);
      return { conversations: conversations.map(grpcConversation) };
    },
  };
  return { name: 'anychat.sync.SyncService', handlers };
}
