import type { ServerContext } from '../context.js';
import { badRequest } from '../errors.js';
import type { RpcHandlers } from '../grpc/host.js';
import { toMs } from '../ids.js';
import { normaliseType } from '../message/conversation.js';
import { optional, requiredString } from '../grpc/args.js';
import { grpcSession } from './shape.js';

/** anychat.session.SessionService over the same SessionDomain as REST; user ids come from the request (trusted). */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const sessions = () => ctx.domains.session;
  const user = (req: any) => requiredString(req, 'user_id', 'session');
  const sessionId = (req: any) => requiredString(req, 'session_id', 'session');
  const handlers: RpcHandlers = {
    GetSessions(req) {
      const before = optional<number>(req, 'updated_before');
      const r = sessions().list(user(req), { limit: req.limit, updatedBeforeMs: before ? toMs(before) : undefined });
      return { sessions: r.sessions.map(grpcSession), has_more: r.hasMore };
    },
    GetSession: (req) => grpcSession(sessions().get(user(req), sessionId(req))),
    CreateOrUpdateSession(req) {
      const type = normaliseType(req.session_type);
      if (!type) throw badRequest('session', `invalid field 'session_type': must be single or group`, 'session_type');
      const ts = Number(req.last_message_timestamp ?? 0);
      return grpcSession(sessions().createOrUpdate({
        userId: user(req),
        sessionType: type,
        targetId: requiredString(req, 'target_id', 'session'),
        lastMessageId: req.last_message_id ?? '',
        lastMessageContent: req.last_message_content ?? '',
        lastMessageTimeMs: ts > 0 ? toMs(ts) : Date.now(),
      }));
    },
    DeleteSession(req) {
      sessions().delete(user(req), sessionId(req));
      return {};
    },
    SetPinned(req) {
      sessions().setPinned(user(req), sessionId(req), req.pinned === true);
      return {};
    },
    SetMuted(req) {
      sessions().setMuted(user(req), sessionId(req), req.muted === true);
      return {};
    },
    ClearUnread(req) {
      sessions().clearUnread(user(req), sessionId(req));
      return {};
    },
    GetTotalUnread: (req) => ({ total_unread: ctx.faults.on('grpc.unread-stale') ? 0 : sessions().totalUnread(user(req)) }),
    IncrUnread(req) {
      const count = Number(req.count ?? 0) || 1; // proto3 cannot tell an absent count from 0: both mean one new message
      sessions().incrUnread(user(req), sessionId(req), count);
      return {};
    },
  };
  return { name: 'anychat.session.SessionService', handlers };
}
