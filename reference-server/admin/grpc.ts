import type { ServerContext } from '../context.js';
import type { RpcHandlers } from '../grpc/host.js';
import { requiredString } from '../grpc/args.js';
import { GRPC_ACTOR } from './domain.js';

/** anychat.admin.AdminService: the same domain as /admin REST; audit entries name the actor `system:grpc`. */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const admin = ctx.domains.admin;
  const handlers: RpcHandlers = {
    GetSystemStats: () => {
      const s = admin.stats();
      return { total_users: s.totalUsers, active_users: s.activeUsers, total_groups: s.totalGroups, total_messages: s.totalMessages, banned_users: s.bannedUsers };
    },
    BanUser: (req) => {
      admin.banUser(GRPC_ACTOR, requiredString(req, 'user_id', 'admin'), req.reason);
      return {};
    },
    UnbanUser: (req) => {
      admin.unbanUser(GRPC_ACTOR, requiredString(req, 'user_id', 'admin'));
      return {};
    },
  };
  return { name: 'anychat.admin.AdminService', handlers };
}
