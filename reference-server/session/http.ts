import type { FastifyInstance } from 'fastify';
import { toSnakeKeys } from '../casing.js';
import type { ServerContext } from '../context.js';
import { AppError, badRequest } from '../errors.js';
import { contractRoutes } from '../http/routes.js';
import { toMs } from '../ids.js';
import { restSession } from './shape.js';

/**
 * REST routes of the session area. sessionId == conversationId. Unknown sessions: GET → 404 (declared);
 * pin/mute → 400 (404 is not declared there); DELETE and read → no-op success (idempotent; only 200/401/500 declared).
 * A missing `pinned`/`muted` reads as false (proto3 default; the schemas require neither).
 */
export default async function sessionHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  const sessions = () => ctx.domains.session;
  const missingAs400 = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw badRequest('session', err.message, 'sessionId');
      throw err;
    }
  };
  contractRoutes(app, ctx, {
    'GET /sessions': ({ caller, query }) => {
      const before = typeof query.updatedBefore === 'number' && query.updatedBefore > 0 ? toMs(query.updatedBefore) : undefined;
      const { sessions: rows, hasMore } = sessions().list(caller.userId, { limit: query.limit, updatedBeforeMs: before });
      const data = { sessions: rows.map(restSession), hasMore };
      return ctx.faults.on('rest.snake-case') ? toSnakeKeys(data) : data;
    },
    'GET /sessions/unread/total': ({ caller }) => ({ totalUnread: sessions().totalUnread(caller.userId) }),
    'GET /sessions/{sessionId}': ({ caller, params }) => restSession(sessions().get(caller.userId, params.sessionId)),
    'DELETE /sessions/{sessionId}': ({ caller, params }) => {
      sessions().delete(caller.userId, params.sessionId);
    },
    'PUT /sessions/{sessionId}/pin': ({ caller, params, body }) => {
      missingAs400(() => sessions().setPinned(caller.userId, params.sessionId, body?.pinned === true));
    },
    'PUT /sessions/{sessionId}/mute': ({ caller, params, body }) => {
      missingAs400(() => sessions().setMuted(caller.userId, params.sessionId, body?.muted === true));
    },
    'POST /sessions/{sessionId}/read': ({ caller, params }) => {
      sessions().clearUnread(caller.userId, params.sessionId);
    },
  });
}
