import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { contractRoutes } from '../http/routes.js';

/** STUB — REST routes of the friend area. */
export default async function friendHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  contractRoutes(app, opts.ctx, {});
}
