import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

/** STUB — the WebSocket channel /api/v1/ws. */
export default async function wsGateway(_app: FastifyInstance, _opts: { ctx: ServerContext }): Promise<void> {}
