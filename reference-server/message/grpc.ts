import type { ServerContext } from '../context.js';
import { optional, requiredString } from '../grpc/args.js';
import type { RpcHandlers } from '../grpc/host.js';
import { timestampFromMs } from '../ids.js';
import { grpcMessage } from './shape.js';

/** anychat.message.MessageService over the same MessageDomain as the WebSocket gateway. Callers' user ids are trusted (no auth metadata in the protos). */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const messages = () => ctx.domains.message;
  const handlers: RpcHandlers = {
    async SendMessage(req) {
      const senderId = requiredString(req, 'sender_id', 'message');
      const { message } = await messages().send(senderId, '', {
        conversationId: requiredString(req, 'conversation_id', 'message'),
        conversationType: requiredString(req, 'conversation_type', 'message'),
        contentType: requiredString(req, 'content_type', 'message'),
        content: req.content ?? '',
        replyTo: optional<string>(req, 'reply_to'),
        atUsers: req.at_users ?? [],
        localId: optional<string>(req, 'local_id'),
      });
      return { message_id: message.message_id, sequence: message.sequence, timestamp: timestampFromMs(message.created_at) };
    },
    GetMessages(req) {
      const r = messages().getMessages({
        conversationId: requiredString(req, 'conversation_id', 'message'),
        startSeq: optional<number>(req, 'start_seq'),
        endSeq: optional<number>(req, 'end_seq'),
        limit: req.limit,
        reverse: req.reverse === true,
      });
      return { messages: r.messages.map(grpcMessage), total: r.total, has_more: r.hasMore };
    },
    GetMessageById(req) {
      const m = grpcMessage(messages().getById(requiredString(req, 'message_id', 'message')));
      if (ctx.faults.on('grpc.empty-field')) m.sender_id = '';
      return m;
    },
    RecallMessage(req) {
      messages().recall(requiredString(req, 'message_id', 'message'), requiredString(req, 'user_id', 'message'));
      return {};
    },
    DeleteMessage(req) {
      messages().delete(requiredString(req, 'message_id', 'message'), requiredString(req, 'user_id', 'message'));
      return {};
    },
    MarkAsRead(req) {
      messages().markAsRead(
        requiredString(req, 'user_id', 'message'),
        requiredString(req, 'conversation_id', 'message'),
        req.conversation_type || undefined,
        Number(req.last_read_seq ?? 0),
        optional<string>(req, 'last_read_message_id'),
      );
      return {};
    },
    GetUnreadCount(req) {
      const r = messages().unreadCount(
        requiredString(req, 'conversation_id', 'message'),
        requiredString(req, 'user_id', 'message'),
        optional<number>(req, 'last_read_seq'),
      );
      return { unread_count: r.unread, last_message_seq: r.lastSeq, ...(r.last ? { last_message: grpcMessage(r.last) } : {}) };
    },
    GetReadReceipts(req) {
      const receipts = messages().readReceipts(requiredString(req, 'conversation_id', 'message'), req.user_id ?? '');
      return {
        receipts: receipts.map((r) => ({
          user_id: r.user_id,
          last_read_seq: r.last_read_seq,
          ...(r.last_read_message_id ? { last_read_message_id: r.last_read_message_id } : {}),
          read_at: timestampFromMs(r.read_at),
        })),
      };
    },
    GetConversationSequence(req) {
      return { current_seq: messages().currentSeq(requiredString(req, 'conversation_id', 'message')) };
    },
    SearchMessages(req) {
      const r = messages().search(requiredString(req, 'user_id', 'message'), requiredString(req, 'keyword', 'message'), {
        conversationId: optional<string>(req, 'conversation_id'),
        contentType: optional<string>(req, 'content_type'),
        limit: req.limit,
        offset: req.offset,
      });
      return { messages: r.messages.map(grpcMessage), total: r.total };
    },
  };
  return { name: 'anychat.message.MessageService', handlers };
}
