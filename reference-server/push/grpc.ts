import type { ServerContext } from '../context.js';
import type { RpcHandlers } from '../grpc/host.js';

/** anychat.push.PushService. */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const push = ctx.domains.push;
  const handlers: RpcHandlers = {
    SendPush: (req) => {
      const r = push.send({ userIds: req.user_ids ?? [], title: req.title, content: req.content, pushType: req.push_type, extras: req.extras ?? {} });
      return { success_count: r.successCount, failure_count: r.failureCount, msg_id: r.msgId };
    },
  };
  return { name: 'anychat.push.PushService', handlers };
}
