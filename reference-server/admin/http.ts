import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { contractRoutes } from '../http/routes.js';
import { pageArgs } from '../user/domain.js';

/**
 * REST routes of the admin area (15 ops under /api/v1/admin). The contract declares only 200 on the 14 secured ops
 * (a contract defect `contracts lint` reports). A bad or missing admin token still answers 401; every other failure
 * (invalid input, not a super_admin, unknown id, duplicate) answers HTTP 200 with an admin-range code, 12000 + the
 * natural status (http/declared.ts) — the only failure form both declared and accepted in lenient mode.
 */
export default async function adminHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  const admin = ctx.domains.admin;
  const page = (q: Record<string, any>) => pageArgs(q.page, q.pageSize, 'admin');

  contractRoutes(app, ctx, {
    'POST /admin/auth/login': ({ body }) => admin.login(body.username, body.password),
    'POST /admin/auth/logout': ({ caller }) => admin.logout(caller),
    'GET /admin/admins': () => admin.listAdmins(),
    'POST /admin/admins': async ({ caller, body }) => { await admin.createAdmin(caller.userId, body); },
    'PUT /admin/admins/{adminId}/status': ({ caller, params, body }) => admin.setAdminStatus(caller.userId, params.adminId, body.status),
    'GET /admin/users': ({ query }) => {
      const p = page(query);
      return admin.listUsers(query.keyword, p.page, p.pageSize);
    },
    'GET /admin/users/{userId}': ({ params }) => admin.userDetail(params.userId),
    'POST /admin/users/{userId}/ban': ({ caller, params, body }) => admin.banUser(caller.userId, params.userId, body?.reason),
    'POST /admin/users/{userId}/unban': ({ caller, params }) => admin.unbanUser(caller.userId, params.userId),
    'GET /admin/config': () => admin.config(),
    'PUT /admin/config/{key}': ({ caller, params, body }) => admin.setConfig(caller.userId, params.key, body.value),
    'GET /admin/groups/{groupId}': ({ params }) => admin.group(params.groupId),
    'DELETE /admin/groups/{groupId}': ({ caller, params }) => admin.dissolveGroup(caller.userId, params.groupId),
    'GET /admin/stats/overview': () => admin.stats(),
    'GET /admin/audit-logs': ({ query }) => {
      const p = page(query);
      return admin.auditLogs({ adminId: query.adminId, action: query.action }, p.page, p.pageSize);
    },
  });
}
