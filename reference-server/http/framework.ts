import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { pathMatcher, type PathMatcher } from '../../contracts/paths.js';
import type { ServerContext } from '../context.js';
import { AppError, CODE_BASE } from '../errors.js';
import { toDeclared } from './declared.js';
import { sendError, toAppError } from './envelope.js';
import { errorAreaOfUrl } from './routes.js';

/**
 * Router- and framework-level answers, in the contract envelope like every other error: unknown route (404), a method
 * the contract does not declare on a contract path (405 + Allow, RFC 9110 §15.5.6), and errors raised before a contract
 * handler runs (path parameter too long, body too large, malformed JSON, unsupported content type), answered with a
 * status the operation declares (http/declared.ts). An empty body sent as application/json — what SDKs do on every
 * bodiless call — is treated as no body.
 */

const PREFIX = '/api/v1';
const matchers = new WeakMap<ServerContext, PathMatcher>();

function matcher(ctx: ServerContext): PathMatcher {
  let m = matchers.get(ctx);
  if (!m) matchers.set(ctx, (m = pathMatcher(ctx.contracts.catalogue)));
  return m;
}

/** The request path relative to the REST base, or undefined when it is outside /api/v1. */
function contractPath(url: string): string | undefined {
  const path = url.split('?')[0]!;
  return path === PREFIX || path.startsWith(`${PREFIX}/`) ? path.slice(PREFIX.length) || '/' : undefined;
}

/** Fastify's own error body ({error, code, message, statusCode}): what a server without an envelope for these sends. */
function sendRaw(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).type('application/json').send({ error: 'Bad Request', code, message, statusCode: status });
}

/** Any error that reached Fastify's error handler or its router (`frameworkErrors`): envelope + declared status. */
export function frameworkError(ctx: ServerContext, err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = err as { statusCode?: number; code?: string; message?: string };
  // A body error on a request no route takes (QUERY /groups without Content-Type): the routing answer comes first.
  if (req.is404) return notFound(ctx, req, reply);
  if (ctx.faults.on('rest.framework-error-raw') && typeof e?.code === 'string' && e.code.startsWith('FST_')) {
    return sendRaw(reply, e.statusCode ?? 400, e.code, e.message ?? '');
  }
  const area = errorAreaOfUrl(req.url);
  const appErr = e?.code === 'FST_ERR_MAX_PARAM_LENGTH' || e?.code === 'FST_ERR_BAD_URL'
    ? new AppError(400, CODE_BASE[area] + 400, e.code === 'FST_ERR_BAD_URL' ? 'malformed request path' : 'path parameter too long')
    : toAppError(err, req.log, area);
  const path = contractPath(req.url);
  const op = path === undefined ? undefined : matcher(ctx).opFor(req.method, path);
  return sendError(ctx, reply, op ? toDeclared(op, appErr) : appErr);
}

/** No route: 405 + Allow when the path is a contract path and only the method is wrong, else 404. */
export function notFound(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = contractPath(req.url);
  const area = errorAreaOfUrl(req.url);
  const methods = path === undefined ? [] : matcher(ctx).methodsFor(path);
  const pathOnly = req.url.split('?')[0];
  if (methods.length > 0 && !methods.includes(req.method) && !ctx.faults.on('rest.404-undeclared-method')) {
    // HEAD comes with every GET route (Fastify exposeHeadRoutes); OPTIONS is answered by the CORS plugin.
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    return reply.status(405).header('allow', allow).type('application/json')
      .send({ code: CODE_BASE[area] + 405, message: `method ${req.method} is not allowed on ${pathOnly} (allowed: ${allow})` });
  }
  return reply.status(404).type('application/json').send({ code: CODE_BASE[area] + 404, message: `no route ${req.method} ${pathOnly}` });
}

/** Errors the HTTP parser raises before Fastify sees a request (header section too large, malformed request line). */
export function clientError(ctx: ServerContext) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (!socket.writable) return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const text = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    const body = ctx.faults.on('rest.framework-error-raw')
      ? JSON.stringify({ error: text, code: err.code ?? 'HPE_INVALID', message: err.message, statusCode: status })
      : JSON.stringify({ code: CODE_BASE.message + 400, message: `${text.toLowerCase()}: ${err.code ?? err.message}` });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
}

/** application/json with an empty body means "no body" (SDKs set the header on every call); anything else is parsed as JSON. */
export function registerJsonParser(app: FastifyInstance, ctx: ServerContext): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text.trim().length === 0 && !ctx.faults.on('rest.empty-json-400')) return done(null, undefined);
    return parseJson(req, text, done);
  });
}
