import type { FastifyReply } from 'fastify';
import type { ServerContext } from '../context.js';
import { AppError, CODE_BASE, type ErrorArea } from '../errors.js';

/** Success envelope {code: 0, message, data}. Bare-envelope ops get `data: {}` (parseable by every SDK). */
export function sendOk(ctx: ServerContext, reply: FastifyReply, data: unknown): FastifyReply {
  const body: Record<string, unknown> = { code: 0, message: 'success', data: data === undefined ? {} : data };
  if (ctx.faults.on('rest.envelope-no-message')) delete body.message;
  return reply.status(200).type('application/json').send(body);
}

/** Error envelope {code, message} with the declared HTTP status; `data` omitted (an SDK cannot parse `data: null`). */
export function sendError(ctx: ServerContext, reply: FastifyReply, err: AppError): FastifyReply {
  const body: Record<string, unknown> = { code: ctx.faults.on('rest.code-zero-on-error') ? 0 : err.code, message: err.message };
  if (ctx.faults.on('rest.envelope-no-message')) delete body.message;
  return reply.status(err.status).type('application/json').send(body);
}

/** Map anything thrown by a handler to an AppError: unexpected errors become 500 with a generic message. */
export function toAppError(err: unknown, log?: { error: (o: unknown, m?: string) => void }, area: ErrorArea = 'message'): AppError {
  if (err instanceof AppError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e?.statusCode === 400 || e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e?.statusCode === 415) {
    return new AppError(400, CODE_BASE[area] + 400, `invalid request: ${e.message ?? 'bad body'}`);
  }
  if (e?.statusCode === 413) return new AppError(400, CODE_BASE[area] + 400, 'request body too large');
  log?.error(err, 'unhandled error');
  return new AppError(500, CODE_BASE[area] + 500, 'internal server error');
}
