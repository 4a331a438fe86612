import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { areaOfPath, type RestOperation } from '../../contracts/index.js';
import type { ServerContext } from '../context.js';
import { AppError, badRequest, type ErrorArea } from '../errors.js';
import { backendDeviceType, protoJsonData } from '../dialect.js';
import { toDeclared } from './declared.js';
import { sendError, sendOk, toAppError } from './envelope.js';

/** Who is calling: filled from the verified access token (or admin token on /admin routes). */
export interface Caller {
  userId: string;
  deviceId: string;
  deviceType: string;
  /** Auth session id (one per device login); logout revokes it. */
  sid: string;
  token: string;
}

export interface RouteRequest {
  /** Present on secured operations (always, there); absent on open ones. */
  caller: Caller;
  body: any;
  /** Path params, integers already coerced where the contract types them integer. */
  params: Record<string, any>;
  /** Query params, typed and defaulted from the contract's parameter schemas. */
  query: Record<string, any>;
  raw: FastifyRequest;
  reply: FastifyReply;
}

/** Returns the `data` of the success envelope (undefined for bare-envelope ops). */
export type RouteHandler = (req: RouteRequest) => unknown | Promise<unknown>;

const AREA_TO_ERROR: Record<string, ErrorArea> = {
  auth: 'auth', user: 'user', friend: 'friend', group: 'group', session: 'session', sync: 'sync', file: 'file',
  rtc: 'rtc', admin: 'admin', ws: 'message', message: 'message', push: 'push',
};

export function errorArea(op: Pick<RestOperation, 'area'>): ErrorArea {
  return AREA_TO_ERROR[op.area] ?? 'message';
}

/** The error area of a raw request URL ('/api/v1/groups/g1?x' → group), for errors raised before routing (body parsing). */
export function errorAreaOfUrl(url: string, prefix = '/api/v1'): ErrorArea {
  const path = url.split('?')[0]!;
  return errorArea({ area: areaOfPath(path.startsWith(prefix) ? path.slice(prefix.length) : path) });
}

function fieldName(at: string): string {
  return at.replace(/^\//, '').replace(/\//g, '.') || 'body';
}

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  // Integers without a format are stored as SQLite int64 too: beyond that range nothing can be looked up or paged.
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * A path or query value typed by its contract schema. Strict: a repeated parameter, an empty or non-numeric value for
 * an integer/number, or an integer outside its format's range (int64 when none is given) is a 400 naming the parameter.
 */
function coerceParam(ctx: ServerContext, op: RestOperation, name: string, raw: unknown, schema: any, where: string): unknown {
  const numeric = schema?.type === 'integer' || schema?.type === 'number';
  if (ctx.faults.on('rest.lax-query') && where === 'query') {
    // The lax reading schemathesis found on real servers: last value wins, empty means absent, no range check.
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (v === undefined || v === '' || (numeric && !/^-?\d+(\.\d+)?$/.test(String(v)))) return schema?.default;
    return numeric ? Number(v) : String(v);
  }
  if (Array.isArray(raw)) throw badRequest(errorArea(op), `${where} parameter '${name}' must be given once (got ${raw.length} values)`, name);
  if (raw === undefined || (raw === '' && !numeric)) return schema?.default;
  if (numeric) {
    const s = String(raw);
    if (!(schema.type === 'integer' ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/).test(s)) {
      throw badRequest(errorArea(op), `${where} parameter '${name}' must be an ${schema.type} (got ${JSON.stringify(s.slice(0, 40))})`, name);
    }
    if (schema.type === 'integer') {
      const [min, max] = INT_RANGE[schema.format === 'int32' ? 'int32' : 'int64']!;
      const n = BigInt(s);
      if (n < min || n > max) throw badRequest(errorArea(op), `${where} parameter '${name}' is outside the ${schema.format ?? 'int64'} range`, name);
    }
    return Number(s);
  }
  return String(raw);
}

/**
 * Register contract operations on a Fastify instance: method + path from the contract, auth when the op is secured,
 * path/query/body validated against the contract schemas (400 naming the field), result wrapped in the envelope,
 * every error answered with a status the operation declares (http/declared.ts).
 */
export function contractRoutes(app: FastifyInstance, ctx: ServerContext, handlers: Record<string, RouteHandler>): void {
  for (const [key, handler] of Object.entries(handlers)) {
    const op = ctx.contracts.catalogue.operationsByKey.get(key);
    if (!op) throw new Error(`reference server: ${key} is not a contract operation`);
    const validateBody = ctx.contracts.validators.restRequest(key);
    const area = errorArea(op);
    app.route({
      method: op.method,
      url: op.path.replace(/\{(\w+)\}/g, ':$1'),
      handler: async (raw, reply) => {
        try {
          const caller = op.secured ? authenticate(ctx, op, raw) : (undefined as unknown as Caller);
          const params: Record<string, unknown> = {};
          const query: Record<string, unknown> = {};
          const rawParams = (raw.params ?? {}) as Record<string, string>;
          const rawQuery = (raw.query ?? {}) as Record<string, string>;
          for (const p of op.params) {
            if (p.in === 'path') params[p.name] = coerceParam(ctx, op, p.name, rawParams[p.name], p.schema, 'path');
            if (p.in === 'query') {
              const v = coerceParam(ctx, op, p.name, rawQuery[p.name], p.schema, 'query');
              if (p.required && v === undefined) throw badRequest(area, `query parameter '${p.name}' is required`, p.name);
              query[p.name] = v;
            }
          }
          let body = raw.body;
          if (op.requestBody) {
            const skip = key === 'POST /groups' && ctx.faults.on('rest.invalid-accepted');
            if (body === undefined || body === null) {
              if (op.requestBody.required && !skip) throw badRequest(area, 'request body is required', 'body');
              body = {};
            } else if (!skip) {
              if (key === 'POST /groups' && ctx.faults.on('rest.5xx-on-invalid') && !Array.isArray((body as any).memberIds)) {
                throw new Error('fault rest.5xx-on-invalid: memberIds.map is not a function');
              }
              const dialect = backendDeviceType(ctx, body); // fault dialect.device-type
              body = dialect.body;
              const issues = validateBody(dialect.validate);
              if (issues.length > 0) {
                const first = issues[0]!;
                const field = first.message.match(/field '([^']+)'/)?.[1] ?? fieldName(first.at);
                throw badRequest(area, `invalid field '${field}': ${first.message}`, field);
              }
            }
          }
          const data = await handler({ caller, body, params, query, raw, reply });
          if (reply.sent) return reply;
          return sendOk(ctx, reply, protoJsonData(ctx, op, data)); // faults dialect.snake-case, omit-empty, proto-timestamps
        } catch (err) {
          return sendError(ctx, reply, toDeclared(op, toAppError(err, raw.log, area)));
        }
      },
    });
  }
}

function authenticate(ctx: ServerContext, op: RestOperation, raw: FastifyRequest): Caller {
  const header = raw.headers.authorization;
  if (op.area === 'admin') return ctx.domains.admin.authenticate(header);
  if (op.area === 'friend' && ctx.faults.on('auth.header-ignored-friends')) {
    try {
      return ctx.domains.auth.authenticate(header);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return { userId: 'anonymous', deviceId: '', deviceType: '', sid: '', token: '' };
    }
  }
  return ctx.domains.auth.authenticate(header);
}
