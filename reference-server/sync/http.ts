import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { contractRoutes } from '../http/routes.js';
import { restMessage } from '../message/shape.js';
import { restSession } from '../session/shape.js';
import { SYNC_LIMIT_DEFAULT, type ConversationMessages } from './domain.js';

function restConversation(c: ConversationMessages): Record<string, unknown> {
  return { conversationId: c.conversationId, conversationType: c.conversationType, messages: c.messages.map(restMessage), hasMore: c.hasMore };
}

/** REST routes of the sync area: proto SyncResponse / SyncMessagesResponse in camelCase (contract-notes I10). */
export default async function syncHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  contractRoutes(app, ctx, {
    'POST /sync': ({ caller, body }) => {
      const r = ctx.domains.sync.sync(caller.userId, Number(body?.lastSyncTime ?? 0) || 0, body?.conversationSeqs ?? []);
      const friends = ctx.domains.friend.listFriends(caller.userId, r.sinceMs);
      const groups = ctx.domains.group.listUserGroups(caller.userId, r.sinceMs);
      return {
        friends: { friends, total: friends.length },
        groups: { groups, total: groups.length },
        sessions: { sessions: r.sessions.map(restSession), hasMore: r.sessionsHasMore },
        conversations: r.conversations.map(restConversation),
        syncTime: r.syncTime,
      };
    },
    // Query `limit` wins over body `limitPerConversation` (contract-notes I24); default 50.
    'POST /sync/messages': ({ caller, body, query }) => {
      const limit = query.limit ?? body?.limitPerConversation ?? SYNC_LIMIT_DEFAULT;
      const conversations = ctx.domains.sync.syncMessages(caller.userId, body?.conversationSeqs ?? [], limit);
      return { conversations: conversations.map(restConversation) };
    },
  });
}
