/**
 * The dialect faults (issue 13): how the official AnyChat backend behaves where it reads the contract differently
 * (contract-notes §5). Each function is the one named point of its fault(s) and returns its input unchanged when
 * the fault is off.
 */
import type { RestOperation } from '../contracts/index.js';
import { toSnakeKeys } from './casing.js';
import type { ServerContext } from './context.js';
import { badRequest } from './errors.js';
import { timestampFromMs } from './ids.js';

/** deviceType as the backend spells it (contract-notes §5); the contract's enum is ios|android|web. */
export const BACKEND_DEVICE_TYPES = ['iOS', 'Android', 'Web', 'PC'] as const;

/**
 * The operations whose backend handler passes a proto response straight to Go's encoding/json (contract-notes §5
 * "Casing"): snake_case keys, omitempty, Timestamps as {seconds, nanos}. The hand-built ones (auth, users,
 * POST/GET /groups/{id}, join) keep the contract's camelCase.
 */
export function isPassthrough(op: Pick<RestOperation, 'method' | 'path'>): boolean {
  if (/^\/(friends|sessions|sync|files|rtc)(\/|$)/.test(op.path)) return true;
  return op.method === 'GET' && /^\/groups(\/\{id\}\/(members|requests))?$/.test(op.path);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function mapDeep(value: unknown, leaf: (v: unknown) => unknown, obj: (o: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => mapDeep(v, leaf, obj));
  if (value && typeof value === 'object') {
    return obj(Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, mapDeep(v, leaf, obj)])));
  }
  return leaf(value);
}

const same = <T>(v: T) => v;

/** What Go's `omitempty` (and proto3 JSON) leaves out: empty lists, zero numbers, false, '' and null. */
function isEmptyValue(v: unknown): boolean {
  return v === null || v === 0 || v === false || v === '' || (Array.isArray(v) && v.length === 0);
}

/**
 * REST `data` of a proto-passthrough operation as the backend writes it. Faults `dialect.proto-timestamps`
 * (RFC 3339 text → {seconds, nanos}), `dialect.omit-empty` (Go's omitempty: empty lists, 0, false, '' and null dropped)
 * and `dialect.snake-case` (every key snake_case), each checked here only.
 */
export function protoJsonData(ctx: ServerContext, op: RestOperation, data: unknown): unknown {
  if (data === undefined || !isPassthrough(op)) return data;
  let out: unknown = data;
  if (ctx.faults.on('dialect.proto-timestamps')) {
    out = mapDeep(out, (v) => (typeof v === 'string' && RFC3339.test(v) ? timestampFromMs(Date.parse(v)) : v), same);
  }
  if (ctx.faults.on('dialect.omit-empty')) {
    out = mapDeep(out, same, (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => !isEmptyValue(v))));
  }
  if (ctx.faults.on('dialect.snake-case')) out = toSnakeKeys(out);
  return out;
}

/**
 * Fault `dialect.device-type`: a request body's deviceType must be spelled the backend way (iOS|Android|Web|PC); the
 * contract's own values are refused with 400 naming the field. Returns `{ validate, body }`: the body to validate
 * against the contract (deviceType replaced by a contract value, so the rest is still judged) and the body the handler
 * gets (deviceType lowercased, as the domain stores it).
 */
export function backendDeviceType(ctx: ServerContext, body: unknown): { validate: unknown; body: unknown } {
  if (!ctx.faults.on('dialect.device-type') || !body || typeof body !== 'object' || !('deviceType' in body)) return { validate: body, body };
  const given = (body as Record<string, unknown>).deviceType;
  if (!(BACKEND_DEVICE_TYPES as readonly unknown[]).includes(given)) {
    throw badRequest('auth', `invalid field 'deviceType': must be one of ${BACKEND_DEVICE_TYPES.join(', ')} (got ${JSON.stringify(given)})`, 'deviceType');
  }
  return { validate: { ...body, deviceType: 'ios' }, body: { ...body, deviceType: String(given).toLowerCase() } };
}

/** Fault `dialect.json-content`: message content is stored as JSON, so it must parse as a JSON text. */
export function isJsonText(content: string): boolean {
  try {
    JSON.parse(content);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fault `dialect.service-500`: the RTC service is down. Every method of the domain throws an unexpected error, so REST
 * answers HTTP 500 (after authentication and request validation, as the backend's gateway does) and gRPC INTERNAL.
 */
export function serviceDown<T extends object>(ctx: ServerContext, name: string, domain: T): T {
  if (!ctx.faults.on('dialect.service-500')) return domain;
  return new Proxy(domain, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return () => {
        throw new Error(`fault dialect.service-500: the ${name} service is unavailable`);
      };
    },
  });
}
