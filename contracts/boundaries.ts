import fc from 'fast-check';
import { deref, descriptionChoices, validValueArb, wrongTypeArb, type RequestParts } from './arbitraries.js';
import type { Json } from './bundle.js';
import type { RestOperation, RestParam } from './catalogue.js';
import type { Contracts } from './index.js';
import { resolvePointer } from './pointer.js';

/**
 * Boundary and edge values of every path/query parameter and body field of an operation, derived from its schema
 * (type, format, minimum/maximum, minLength/maxLength, enum, required), each one defect or one edge away from a valid
 * request. Complements REST.NEG1's mutations (contracts/arbitraries.ts: drop-required, wrong type, out of enum,
 * ±1 length, malformed JSON…), which are not repeated here; the random parts (which wrong-typed value, which unicode
 * text) are drawn with the arbitraries of that module, from `seed`, so a case list is the same for the same seed.
 *
 * Each case carries a verdict the contract settles, or says it does not:
 * - `reject`: the value violates the schema (an empty/non-integer/repeated integer query value, an integer beyond its
 *   format's range or its declared minimum/maximum);
 * - `accept`: a schema-valid edge (an integer at its declared bounds or the int64 limit, a string of exactly maxLength
 *   characters, ASCII or CJK, every enum value, an unknown property — additionalProperties is never false, I23);
 * - `open`: the contract does not say (huge unbounded integers, paging far past the end, empty / very long / control-
 *   character strings, null, 1000-item arrays, over-long path ids): only "no 5xx, an envelope" applies.
 */

export type BoundaryVerdict = 'reject' | 'accept' | 'open';

export interface BoundaryRequest extends RequestParts {
  /** Appended verbatim to the query string (repeated or empty parameters, which a record cannot express). */
  rawQuery?: string;
}

export interface BoundaryCase {
  op: string;
  where: 'query' | 'path' | 'body';
  /** The parameter or body field. */
  target: string;
  /** The edge, for messages: 'empty', 'int64 max + 1', 'maxLength (CJK)'… */
  edge: string;
  verdict: BoundaryVerdict;
  request: BoundaryRequest;
}

export const INT64_MAX = '9223372036854775807';
export const INT64_MAX_PLUS_1 = '9223372036854775808';
export const INT64_MIN_MINUS_1 = '-9223372036854775809';
const INT32_MAX_PLUS_1 = 2147483648;
const CJK = '测试边界值你好世界群组';
const CONTROL = 'a\u0000b\u0007c\u001b[31md\u202eé\uFEFF';
const UNKNOWN_FIELD = 'xConformUnknownField';

/** A string of exactly `n` code points (ajv counts code points, as JSON Schema says). */
const repeatTo = (alphabet: string, n: number) => Array.from({ length: n }, (_, i) => [...alphabet][i % [...alphabet].length]).join('');

/** Name-based hints that a string is an identifier or code, not free text: its accepted values depend on state or a format. */
const looksLikeId = (name: string) => /(^id$|Id$|Ids$|token|password|code|device|phone|email|url|avatar|key|language|time|type|platform|version|mime)/i.test(name);

function pick<T>(arb: fc.Arbitrary<T>, seed: number): T {
  return fc.sample(arb, { seed, numRuns: 1 })[0]!;
}

export class BoundaryValues {
  private readonly doc: Json;

  constructor(private readonly contracts: Contracts) {
    this.doc = contracts.bundle.openapi as Json;
  }

  private op(key: string): RestOperation {
    const op = this.contracts.catalogue.operationsByKey.get(key);
    if (!op) throw new Error(`boundaries: unknown operation ${key}`);
    return op;
  }

  private paramSchema(op: RestOperation, p: RestParam): Json {
    const params = resolvePointer(this.doc, `${op.pointer}/parameters`) as Json[] | undefined;
    const declared = params?.find((x) => x.name === p.name && x.in === p.in);
    return { ...(deref(this.doc, p.schema) ?? {}), description: declared?.description };
  }

  /** Every boundary case of `key` around `base` (a valid request for it). Deterministic for a seed. */
  cases(key: string, base: RequestParts, seed: number): BoundaryCase[] {
    const op = this.op(key);
    const out: BoundaryCase[] = [];
    let n = 0;
    const add = (where: BoundaryCase['where'], target: string, edge: string, verdict: BoundaryVerdict, request: BoundaryRequest) =>
      out.push({ op: key, where, target, edge, verdict, request });
    const rand = <T>(arb: fc.Arbitrary<T>) => pick(arb, seed + n++);

    for (const p of op.params) {
      const s = this.paramSchema(op, p);
      if (p.in === 'query') this.queryCases(p, s, base, rand, (edge, verdict, request) => add('query', p.name, edge, verdict, request));
      if (p.in === 'path') this.pathCases(p, s, base, (edge, verdict, request) => add('path', p.name, edge, verdict, request));
    }
    const body = op.requestBody ? deref(this.doc, op.requestBody.schema) : undefined;
    if (body) this.bodyCases(body, base, rand, (target, edge, verdict, request) => add('body', target, edge, verdict, request));
    return out;
  }

  private queryCases(p: RestParam, s: Json, base: RequestParts, rand: <T>(a: fc.Arbitrary<T>) => T, add: (edge: string, v: BoundaryVerdict, r: BoundaryRequest) => void): void {
    const others = Object.fromEntries(Object.entries(base.query ?? {}).filter(([k]) => k !== p.name));
    const set = (v: string | number) => ({ ...base, query: { ...others, [p.name]: v } });
    const raw = (q: string) => ({ ...base, query: others, rawQuery: q });
    const enc = encodeURIComponent(p.name);
    if (s.type === 'integer' || s.type === 'number') {
      const ok = String(base.query?.[p.name] ?? s.default ?? 1);
      add('empty', 'reject', raw(`${enc}=`));
      add('"null"', 'reject', set('null'));
      add('repeated', 'reject', raw(`${enc}=${ok}&${enc}=${ok}`));
      add('not a number', 'reject', set(String(rand(wrongTypeArb(this.doc, { type: 'integer' }).filter((v) => typeof v === 'string' && !/^\d+$/.test(v))))));
      if (s.type === 'integer') add('fraction', 'reject', set('1.5'));
      if (typeof s.minimum === 'number') { add('minimum', 'accept', set(s.minimum)); add('minimum - 1', 'reject', set(s.minimum - 1)); }
      if (typeof s.maximum === 'number') { add('maximum', 'accept', set(s.maximum)); add('maximum + 1', 'reject', set(s.maximum + 1)); }
      if (s.default !== undefined) add('default', 'accept', set(s.default));
      if (s.format === 'int64') {
        add('int64 max', 'accept', set(INT64_MAX));
        add('int64 max + 1', 'reject', set(INT64_MAX_PLUS_1));
        add('int64 min - 1', 'reject', set(INT64_MIN_MINUS_1));
      } else if (s.format === 'int32') {
        add('int32 max + 1', 'reject', set(INT32_MAX_PLUS_1));
      } else {
        // An integer without a format has no bound in the contract: whether 2^63 is too large is not settled.
        add('int64 max', 'open', set(INT64_MAX));
        add('int64 max + 1', 'open', set(INT64_MAX_PLUS_1));
      }
      add('0', 'open', set(0));
      add('-1', 'open', set(-1));
      add('2^31', 'open', set(INT32_MAX_PLUS_1));
      add('2^58 + 1 (page far past the end)', 'open', set('288230376151711745'));
      return;
    }
    if (Array.isArray(s.enum)) for (const v of s.enum.slice(0, 6)) add(`enum ${JSON.stringify(v)}`, 'accept', set(String(v)));
    add('empty', 'open', raw(`${enc}=`));
    add('repeated', 'open', raw(`${enc}=a&${enc}=b`));
    add('4096 characters', 'open', set('q'.repeat(4096)));
    add('unicode and control characters', 'open', set(CONTROL + CJK));
    const choices = descriptionChoices(s.description);
    if (choices) add('a word outside the described ones', 'open', set(rand(fc.constantFrom('zzz', 'other', 'ALL'))));
  }

  private pathCases(p: RestParam, s: Json, base: RequestParts, add: (edge: string, v: BoundaryVerdict, r: BoundaryRequest) => void): void {
    const set = (v: string | number) => ({ ...base, params: { ...(base.params ?? {}), [p.name]: v } });
    if (s.type === 'integer') {
      for (const [edge, v] of [['0', 0], ['-1', -1], ['int64 max', INT64_MAX], ['int64 max + 1', INT64_MAX_PLUS_1], ['fraction', '1.5']] as const) add(edge, 'open', set(v));
      return;
    }
    add('300 characters', 'open', set('p'.repeat(300)));
    add('unicode and control characters', 'open', set(CONTROL + CJK));
    add('reserved characters', 'open', set('a/../b?c#d%'));
  }

  private bodyCases(schema: Json, base: RequestParts, rand: <T>(a: fc.Arbitrary<T>) => T, add: (target: string, edge: string, v: BoundaryVerdict, r: BoundaryRequest) => void): void {
    const baseBody = (base.body && typeof base.body === 'object' && !Array.isArray(base.body) ? base.body : {}) as Json;
    const set = (field: string, v: unknown) => ({ ...base, body: { ...baseBody, [field]: v } });
    /** A body whose `field` is the JSON number `literal`, written as text (beyond what a JS number holds exactly). */
    const rawNumber = (field: string, literal: string) => {
      const marker = '"__conform_number__"';
      return { ...base, body: undefined, rawBody: JSON.stringify({ ...baseBody, [field]: '__conform_number__' }).replace(marker, literal) };
    };
    add('', 'unknown property', 'accept', { ...base, body: { ...baseBody, [UNKNOWN_FIELD]: 'x' } });
    for (const [field, p0] of Object.entries<Json>(schema.properties ?? {})) {
      const p = deref(this.doc, p0) ?? {};
      add(field, 'null', 'open', set(field, null));
      switch (p.type) {
        case 'string': {
          if (Array.isArray(p.enum)) for (const v of p.enum.slice(0, 6)) add(field, `enum ${JSON.stringify(v)}`, 'accept', set(field, v));
          const freeText = !p.enum && !p.pattern && !p.format && !descriptionChoices(p.description) && !looksLikeId(field);
          if (typeof p.maxLength === 'number' && freeText) {
            add(field, 'maxLength (ASCII)', 'accept', set(field, repeatTo('abcxyz', p.maxLength)));
            add(field, 'maxLength (CJK)', 'accept', set(field, repeatTo(CJK, p.maxLength)));
          }
          if (typeof p.maxLength !== 'number') add(field, '65536 characters', 'open', set(field, 's'.repeat(65536)));
          if (!(p.minLength > 0)) add(field, 'empty', 'open', set(field, ''));
          add(field, 'control characters and bidi overrides', 'open', set(field, CONTROL));
          break;
        }
        case 'integer': {
          if (typeof p.minimum === 'number') { add(field, 'minimum', 'accept', set(field, p.minimum)); add(field, 'minimum - 1', 'reject', set(field, p.minimum - 1)); }
          if (typeof p.maximum === 'number') { add(field, 'maximum', 'accept', set(field, p.maximum)); add(field, 'maximum + 1', 'reject', set(field, p.maximum + 1)); }
          if (p.format === 'int32') add(field, 'int32 max + 1', 'reject', set(field, INT32_MAX_PLUS_1));
          if (p.format === 'int64') {
            add(field, 'int64 max + 1', 'reject', rawNumber(field, INT64_MAX_PLUS_1));
            add(field, 'int64 min - 1', 'reject', rawNumber(field, INT64_MIN_MINUS_1));
          } else {
            add(field, 'int64 max + 1', 'open', rawNumber(field, INT64_MAX_PLUS_1));
          }
          add(field, '-1', 'open', set(field, -1));
          add(field, '2^53 + 1', 'open', rawNumber(field, '9007199254740993'));
          add(field, '1e308', 'open', rawNumber(field, '1e308'));
          break;
        }
        case 'number':
          add(field, '-1e308', 'open', set(field, -1e308));
          add(field, '1e308', 'open', set(field, 1e308));
          break;
        case 'array': {
          const items = deref(this.doc, p.items);
          const item = rand(validValueArb(this.doc, items));
          add(field, '1000 items', 'open', set(field, Array.from({ length: 1000 }, () => item)));
          if (!(p.minItems > 0)) add(field, 'empty array', 'open', set(field, []));
          break;
        }
        default:
          break;
      }
    }
  }
}
