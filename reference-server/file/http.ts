import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { contractRoutes } from '../http/routes.js';

/** STUB — REST routes of the file area. */
export default async function fileHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  contractRoutes(app, opts.ctx, {});
}
