import fc from 'fast-check';
import type { Json } from './bundle.js';
import type { RestOperation, RestParam } from './catalogue.js';
import type { Contracts } from './index.js';
import { resolvePointer } from './pointer.js';

/**
 * fast-check arbitraries derived from the contract's request schemas (bodies, path and query parameters):
 * valid requests (REST.NEG2) and single mutations of a valid request (REST.NEG1). Nothing here knows an operation
 * by name: types, required lists, enums, lengths, defaults, examples and description hints all come from openapi.json.
 */

export interface RequestParts {
  params?: Record<string, string | number>;
  query?: Record<string, string | number>;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
}

export type MutationKind =
  | 'drop-required' | 'wrong-type' | 'wrong-item-type' | 'out-of-enum' | 'too-long' | 'too-short' | 'too-few-items'
  | 'not-an-object' | 'malformed-json' | 'missing-query' | 'unknown-path-id' | 'non-integer-path' | 'wrong-type-query'
  | 'text-plain';

export interface InvalidCase {
  op: string;
  kind: MutationKind;
  /** The body field / parameter mutated ('' for the whole body). */
  target: string;
  /**
   * true: the contract makes the input invalid, so it must be rejected. false: the contract does not settle it
   * (an unknown id on an op without a 404, a non-JSON content type, a malformed optional query value): the server must
   * only not crash (no 5xx) and answer with an envelope.
   */
  mustReject: boolean;
  request: RequestParts;
}

const RFC3339_EXAMPLE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Follow $ref (one level at a time) inside the OpenAPI document. */
export function deref(doc: Json, schema: Json | undefined): Json | undefined {
  let s = schema;
  for (let i = 0; i < 8 && typeof s?.$ref === 'string' && s.$ref.startsWith('#/'); i++) s = resolvePointer(doc, s.$ref.slice(1)) as Json;
  return s;
}

/** 'image/video/audio/file' or 'received(收到的)/sent(发送的)' in a description → the listed words. */
export function descriptionChoices(description: string | undefined): string[] | undefined {
  if (!description) return undefined;
  const paren = String.raw`(?:\([^)]*\)|（[^）]*）)?`;
  const m = description.match(new RegExp(String.raw`[a-z]+${paren}(?:\/[a-z]+${paren})+`));
  return m ? m[0].replace(/\([^)]*\)|（[^）]*）/g, '').split('/') : undefined;
}

const ALNUM = 'abcdefghijkmnpqrstuvwxyz23456789';
const TEXT_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ', ...'你好世界群组测试北京'];

function textArb(min: number, max: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...TEXT_CHARS), { minLength: Math.max(min, 1), maxLength: Math.max(min, 1, Math.min(max, 20)) })
    .map((cs) => cs.join(''))
    .filter((s) => s.trim().length > 0 && s === s.trim());
}

const alnumArb = (min = 3, max = 10) => fc.array(fc.constantFrom(...ALNUM), { minLength: min, maxLength: max }).map((cs) => cs.join(''));

/** A past RFC 3339 date-time (1950–2005), second precision, UTC. */
const pastDateTimeArb = fc.integer({ min: Date.UTC(1950, 0, 1) / 1000, max: Date.UTC(2005, 11, 31) / 1000 }).map((s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));

const isTimeName = (name: string) => /time|before|after|since/i.test(name);

/**
 * A valid value for a schema: the declared type, within enum/length limits, shaped like the contract's example where it
 * has one (date-time, URL, a code such as 'zh-CN'), or one of the words its description lists.
 */
export function validValueArb(doc: Json, schema: Json | undefined, name = '', description?: string): fc.Arbitrary<unknown> {
  const s = deref(doc, schema) ?? {};
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const choices = descriptionChoices(s.description ?? description);
  switch (s.type) {
    case 'string': {
      if (choices) return fc.constantFrom(...choices);
      const ex = s.example;
      if (typeof ex === 'string' && RFC3339_EXAMPLE.test(ex)) return pastDateTimeArb;
      if (typeof ex === 'string' && /^https?:\/\//.test(ex)) return alnumArb(4, 12).map((p) => `https://example.com/${p}.jpg`);
      if (typeof ex === 'string' && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})+$/.test(ex)) return fc.constant(ex);
      return textArb(s.minLength ?? 1, s.maxLength ?? 20);
    }
    case 'integer': {
      if (isTimeName(name)) return fc.integer({ min: 0, max: Math.floor(Date.now() / 1000) });
      const min = typeof s.minimum === 'number' ? s.minimum : 1;
      const max = typeof s.maximum === 'number' ? s.maximum : Math.max(min, 20);
      return fc.integer({ min, max });
    }
    case 'number':
      return fc.double({ min: 0, max: 100, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValueArb(doc, s.items), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, 2) });
    case 'object':
    default: {
      const props = Object.entries<Json>(s.properties ?? {});
      if (props.length === 0) return fc.constant({});
      const required = new Set<string>(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, p] of props) record[k] = validValueArb(doc, p, k);
      return fc.record(record, { requiredKeys: [...required] });
    }
  }
}

/** Values of another JSON type than the schema declares (null is left out: many servers read it as "absent"). */
export function wrongTypeArb(doc: Json, schema: Json | undefined): fc.Arbitrary<unknown> {
  const s = deref(doc, schema) ?? {};
  switch (s.type) {
    case 'string': return fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant([]), fc.constant({ v: 1 }));
    case 'integer': return fc.oneof(alnumArb(1, 6), fc.boolean(), fc.constantFrom(1.5, -2.25, 3.75), fc.constant([1]));
    case 'number': return fc.oneof(alnumArb(1, 6), fc.boolean(), fc.constant({}));
    case 'boolean': return fc.oneof(alnumArb(2, 6), fc.integer({ min: 2, max: 99 }), fc.constant([true]));
    case 'array': return fc.oneof(alnumArb(1, 6), fc.integer(), fc.constant({ v: 1 }));
    default: return fc.oneof(alnumArb(1, 6), fc.integer(), fc.constant([1, 2]));
  }
}

function outOfEnumArb(values: unknown[]): fc.Arbitrary<unknown> {
  if (values.every((v) => typeof v === 'number')) return fc.integer({ min: -50, max: 500 }).filter((n) => !values.includes(n));
  const lower = values.map((v) => String(v).toLowerCase());
  // Case variants of a listed value are left out: contract-notes I5 lets servers accept them.
  return alnumArb(3, 10).filter((v) => !lower.includes(v.toLowerCase()));
}

interface Spec {
  kind: MutationKind;
  target: string;
  mustReject: boolean;
  make: (base: RequestParts) => fc.Arbitrary<RequestParts>;
}

const withBody = (base: RequestParts, body: unknown): RequestParts => ({ ...base, body, rawBody: undefined });

export class RequestArbitraries {
  private readonly doc: Json;

  constructor(private readonly contracts: Contracts) {
    this.doc = contracts.bundle.openapi;
  }

  private op(key: string): RestOperation {
    const op = this.contracts.catalogue.operationsByKey.get(key);
    if (!op) throw new Error(`arbitraries: unknown operation ${key}`);
    return op;
  }

  /** The request body schema with $refs resolved, or undefined when the op takes no body. */
  bodySchema(key: string): Json | undefined {
    const op = this.op(key);
    return op.requestBody ? deref(this.doc, op.requestBody.schema) : undefined;
  }

  /**
   * A valid request: every required query parameter and body field, a random subset of the optional ones.
   * `fixed` pins values the generator cannot know (ids of existing things, the caller's deviceId); `omit` drops
   * optional names whose acceptance depends on state.
   */
  valid(key: string, opts: { params?: Record<string, string | number>; fixed?: Record<string, unknown>; omit?: string[] } = {}): fc.Arbitrary<RequestParts> {
    const op = this.op(key);
    const fixed = opts.fixed ?? {};
    const omit = new Set(opts.omit ?? []);
    const query: Record<string, fc.Arbitrary<unknown>> = {};
    const requiredQuery: string[] = [];
    for (const p of op.params.filter((x) => x.in === 'query' && !omit.has(x.name))) {
      query[p.name] = p.name in fixed ? fc.constant(fixed[p.name]) : this.paramValueArb(op, p);
      if (p.required || p.name in fixed) requiredQuery.push(p.name);
    }
    const schema = this.bodySchema(key);
    let body: fc.Arbitrary<unknown> = fc.constant(undefined);
    if (schema) {
      const props = Object.entries<Json>(schema.properties ?? {}).filter(([k]) => !omit.has(k));
      const required = new Set<string>([...(schema.required ?? []), ...Object.keys(fixed).filter((k) => props.some(([p]) => p === k))]);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, p] of props) record[k] = k in fixed ? fc.constant(fixed[k]) : validValueArb(this.doc, p, k);
      body = props.length > 0 ? fc.record(record, { requiredKeys: [...required] }) : fc.constant({});
    }
    return fc.record({ query: fc.record(query, { requiredKeys: requiredQuery }), body }).map(({ query: q, body: b }) => ({
      params: opts.params,
      query: q as Record<string, string | number>,
      ...(b !== undefined ? { body: b } : {}),
    }));
  }

  private paramValueArb(op: RestOperation, p: RestParam): fc.Arbitrary<unknown> {
    if (p.schema.type === 'integer' && /limit/i.test(p.name)) return fc.integer({ min: 1, max: 50 });
    if (p.schema.type === 'integer' && /page$/i.test(p.name)) return fc.integer({ min: 1, max: 5 });
    if (p.schema.type === 'string' && !descriptionChoices(this.paramDescription(op, p))) return alnumArb(4, 12);
    return validValueArb(this.doc, p.schema, p.name, this.paramDescription(op, p));
  }

  private paramDescription(op: RestOperation, p: RestParam): string | undefined {
    const params = resolvePointer(this.doc, `${op.pointer}/parameters`) as Json[] | undefined;
    return params?.find((x) => x.name === p.name && x.in === p.in)?.description;
  }

  /** Every mutation the contract supports for this op, each one defect away from `base` (a valid request). */
  specs(key: string, base: RequestParts): Spec[] {
    const op = this.op(key);
    const specs: Spec[] = [];
    const schema = this.bodySchema(key);
    const baseBody = (base.body ?? {}) as Json;
    if (op.requestBody && schema) {
      const props = schema.properties as Json | undefined;
      if (props) {
        for (const field of (schema.required ?? []) as string[]) {
          specs.push({ kind: 'drop-required', target: field, mustReject: true, make: (b) => fc.constant(withBody(b, omitKey(baseBody, field))) });
        }
        for (const [field, p0] of Object.entries<Json>(props)) {
          const p = deref(this.doc, p0) ?? {};
          specs.push({ kind: 'wrong-type', target: field, mustReject: true, make: (b) => wrongTypeArb(this.doc, p).map((v) => withBody(b, { ...baseBody, [field]: v })) });
          if (Array.isArray(p.enum)) specs.push({ kind: 'out-of-enum', target: field, mustReject: true, make: (b) => outOfEnumArb(p.enum).map((v) => withBody(b, { ...baseBody, [field]: v })) });
          if (typeof p.maxLength === 'number') specs.push({ kind: 'too-long', target: field, mustReject: true, make: (b) => fc.integer({ min: p.maxLength + 1, max: p.maxLength + 40 }).map((n) => withBody(b, { ...baseBody, [field]: 'x'.repeat(n) })) });
          if (typeof p.minLength === 'number' && p.minLength > 0) specs.push({ kind: 'too-short', target: field, mustReject: true, make: (b) => fc.constant(withBody(b, { ...baseBody, [field]: 'x'.repeat(p.minLength - 1) })) });
          if (p.type === 'array' && typeof p.minItems === 'number' && p.minItems > 0) specs.push({ kind: 'too-few-items', target: field, mustReject: true, make: (b) => fc.constant(withBody(b, { ...baseBody, [field]: [] })) });
          const items = deref(this.doc, p.items);
          if (p.type === 'array' && items?.type && items.type !== 'object') {
            specs.push({ kind: 'wrong-item-type', target: `${field}[]`, mustReject: true, make: (b) => wrongTypeArb(this.doc, items).map((v) => withBody(b, { ...baseBody, [field]: [v] })) });
          }
        }
      }
      specs.push({ kind: 'not-an-object', target: '', mustReject: true, make: (b) => fc.oneof(fc.constant([] as unknown), alnumArb(1, 8), fc.integer()).map((v) => withBody(b, v)) });
      specs.push({
        kind: 'malformed-json', target: '', mustReject: true,
        make: (b) => fc.integer({ min: 1, max: 1000 }).map((n) => {
          const text = JSON.stringify(baseBody);
          return { ...b, body: undefined, rawBody: text.length > 1 ? text.slice(0, Math.max(1, n % text.length)) : '{' };
        }),
      });
      specs.push({ kind: 'text-plain', target: '', mustReject: false, make: (b) => fc.constant({ ...b, body: undefined, rawBody: JSON.stringify(baseBody), contentType: 'text/plain' }) });
    }
    for (const p of op.params) {
      if (p.in === 'query' && p.required) {
        specs.push({ kind: 'missing-query', target: p.name, mustReject: true, make: (b) => fc.constant({ ...b, query: omitKey(b.query ?? {}, p.name) as Record<string, string | number> }) });
      }
      if (p.in === 'query' && p.schema.type === 'integer') {
        specs.push({ kind: 'wrong-type-query', target: p.name, mustReject: false, make: (b) => alnumArb(2, 6).map((v) => ({ ...b, query: { ...(b.query ?? {}), [p.name]: v } })) });
      }
      if (p.in === 'path' && p.schema.type === 'integer') {
        specs.push({ kind: 'non-integer-path', target: p.name, mustReject: false, make: (b) => alnumArb(2, 8).map((v) => ({ ...b, params: { ...(b.params ?? {}), [p.name]: `x${v}` } })) });
      }
      if (p.in === 'path') {
        const unknown = p.schema.type === 'integer' ? fc.integer({ min: 900_000_000, max: 2_000_000_000 }) : alnumArb(8, 16).map((v) => `nx-${v}`);
        specs.push({ kind: 'unknown-path-id', target: p.name, mustReject: op.statuses.includes(404), make: (b) => unknown.map((v) => ({ ...b, params: { ...(b.params ?? {}), [p.name]: v } })) });
      }
    }
    return specs;
  }

  /** One arbitrary invalid case of `key`, mutating `base`. */
  invalid(key: string, base: RequestParts, specs = this.specs(key, base)): fc.Arbitrary<InvalidCase> | undefined {
    if (specs.length === 0) return undefined;
    return fc.constantFrom(...specs).chain((spec) =>
      spec.make(base).map((request): InvalidCase => ({ op: key, kind: spec.kind, target: spec.target, mustReject: spec.mustReject, request })),
    );
  }

  /** One deterministic case per mutation the op supports (the systematic part of REST.NEG1). */
  examples(key: string, base: RequestParts, seed: number): InvalidCase[] {
    return this.specs(key, base).map((spec, i) => {
      const [request] = fc.sample(spec.make(base), { seed: seed + i, numRuns: 1 });
      return { op: key, kind: spec.kind, target: spec.target, mustReject: spec.mustReject, request: request! };
    });
  }
}

function omitKey(obj: Json, key: string): Json {
  const { [key]: _, ...rest } = obj;
  return rest;
}
