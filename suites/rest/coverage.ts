import fc from 'fast-check';
import { BoundaryValues, type BoundaryCase } from '../../contracts/boundaries.js';
import type { Contracts, RestOperation } from '../../contracts/index.js';
import { pathMatcher } from '../../contracts/paths.js';
import { ConformanceFailure, fail } from '../../fixtures/failure.js';
import type { FailureDetail } from '../../fixtures/recorder.js';
import type { RawResponse, RestApi, RestResponse } from '../../fixtures/rest-client.js';
import type { Violation } from '../../fixtures/rest-validate.js';
import type { Target } from '../../fixtures/target.js';
import { catalogue, opCite } from './support.js';
import type { ValidRequest, World } from './world.js';

/**
 * The REST coverage phase (issue 15): boundary values of every operation (contracts/boundaries.ts) and router/framework
 * requests (unknown route, undeclared method, over-long path, oversized / malformed / wrongly typed body), sent around
 * valid requests from the World, seeded by target.seed. Each check of coverage.spec.ts sends the part it judges.
 */

export const ANY_STATUS = Array.from({ length: 500 }, (_, i) => 100 + i);

/** Accepting a boundary value on these changes state other cases rest on: they run last, one at a time. */
const LAST = /^(DELETE |POST \/auth\/(logout|password)|POST \/admin\/auth\/logout|PUT \/admin\/admins|POST .*\/(quit|transfer|ban|unban|end|reject)$)/;
const LAST_OF_ALL = ['POST /admin/auth/logout', 'POST /auth/password/change', 'POST /auth/logout'];

/** The valid request of every operation that has one here (the /ws upgrade has none), in a safe order. */
export async function bases(world: World, keys = catalogue.operations.filter((o) => o.dataKind !== 'none').map((o) => o.key)): Promise<Map<string, ValidRequest>> {
  const ordered = [...keys].sort((x, y) => rankOf(x) - rankOf(y));
  const out = new Map<string, ValidRequest>();
  for (const key of ordered) {
    const req = await world.request(key);
    if (req) out.set(key, req);
  }
  return out;
}

const rankOf = (key: string) => (LAST_OF_ALL.includes(key) ? 2 + LAST_OF_ALL.indexOf(key) : LAST.test(key) ? 1 : 0);
export const isLast = (key: string) => rankOf(key) > 0;

export interface Sent<C> {
  c: C;
  res?: RestResponse;
  /** Transport error or timeout: no HTTP answer at all. */
  error?: FailureDetail;
  ms: number;
}

/** The `n` operations that took the most wall time, for the phase's budget line. */
export function slowest(sent: Sent<BoundaryCase>[], n = 4): string {
  const per = new Map<string, number>();
  for (const s of sent) per.set(s.c.op, (per.get(s.c.op) ?? 0) + s.ms);
  return [...per].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `${k} ${ms} ms`).join(', ');
}

/** Boundary cases of every op in `reqs`, in the order they must be sent. */
export function boundaryCases(contracts: Contracts, reqs: Map<string, ValidRequest>, seed: number, filter: (c: BoundaryCase) => boolean = () => true): (BoundaryCase & { as: ValidRequest['as'] })[] {
  const gen = new BoundaryValues(contracts);
  return [...reqs].flatMap(([key, req], i) => gen.cases(key, req.base, seed + i * 1000).filter(filter).map((c) => ({ ...c, as: req.as })));
}

/**
 * Send every case, `concurrency` at a time, except cases of operations that must run last (sequentially, at the end).
 * Envelope violations are collected, not thrown: each check judges only what it names.
 */
export async function sendAll<C extends BoundaryCase & { as: ValidRequest['as'] }>(api: RestApi, cases: C[], concurrency = 8): Promise<Sent<C>[]> {
  const collected: Violation[] = [];
  const lenient = api.collecting(collected);
  const send = async (c: C): Promise<Sent<C>> => {
    const t0 = Date.now();
    try {
      const res = await lenient.as(c.as).call(c.op, { ...c.request, allowStatus: ANY_STATUS, why: `(${c.where} ${c.target || 'body'}: ${c.edge})` });
      return { c, res, ms: Date.now() - t0 };
    } catch (e) {
      if (e instanceof ConformanceFailure) return { c, error: e.detail, ms: Date.now() - t0 };
      throw e;
    }
  };
  // By rank: the ordinary operations first, then those whose acceptance consumes state, then logout/password change
  // one operation at a time. Within a rank, cases run `concurrency` at a time (only "no 5xx"-style verdicts depend on them).
  const results: Sent<C>[] = [];
  const ranks = [...new Set(cases.map((c) => rankOf(c.op)))].sort((x, y) => x - y);
  for (const r of ranks) {
    const batch = cases.filter((c) => rankOf(c.op) === r);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, async () => {
      while (next < batch.length) results.push(await send(batch[next++]!));
    }));
  }
  return results;
}

export const describeCase = (c: BoundaryCase) => `${c.op} ${c.where} ${c.target || '(body)'} = ${c.edge}`;

/** Fail once with every failure listed (the first one's citation and replay lead). */
export function failAll(failures: FailureDetail[], total: number, what: string, seed: number): void {
  if (failures.length === 0) return;
  const lines = failures.slice(0, 25).map((f) => `  - ${f.message.split('\n')[0]}${f.replay ? `\n      replay: ${f.replay.length > 400 ? `${f.replay.slice(0, 400)}…` : f.replay}` : ''}`);
  if (failures.length > 25) lines.push(`  … and ${failures.length - 25} more (every exchange is in the report)`);
  fail({ ...failures[0]!, message: `${failures.length} of ${total} ${what} failed (seed ${seed}):\n${lines.join('\n')}` });
}

/** The contract envelope of a failure: a JSON object with an integer code ≠ 0 and a string message. */
export function isFailureEnvelope(body: unknown): boolean {
  const b = body as { code?: unknown; message?: unknown } | undefined;
  return !!b && typeof b === 'object' && !Array.isArray(b) && Number.isInteger(b.code) && b.code !== 0 && typeof b.message === 'string';
}

// ---------------------------------------------------------------------------------------------------------------
// Router- and framework-level requests

export type FrameworkKind = 'unknown-route' | 'undeclared-method' | 'path-too-long' | 'url-too-long' | 'body-too-large' | 'malformed-json' | 'wrong-content-type' | 'empty-json-body';

export interface FrameworkCase {
  kind: FrameworkKind;
  /** The contract op the request names (undefined for unknown routes and undeclared methods). */
  op?: RestOperation;
  /** Methods the contract declares on this path (undeclared-method cases). */
  declared?: string[];
  as: ValidRequest['as'];
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  replayData?: string;
  /** Statuses that fit this condition besides the op's declared ones (RFC 9110). */
  fitting: number[];
}

const matcher = pathMatcher(catalogue);
const OTHER_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const EXOTIC_METHODS = ['PATCH', 'TRACE', 'QUERY'];

function fill(op: RestOperation, params: Record<string, string | number> | undefined, override?: [string, string]): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(override?.[0] === name ? override[1] : params?.[name] ?? 'x')));
}

/** The framework cases for this run: every contract path once with an undeclared method, the rest sampled by seed. */
export function frameworkCases(reqs: Map<string, ValidRequest>, seed: number, anyUser: ValidRequest['as']): FrameworkCase[] {
  const rnd = <T>(arb: fc.Arbitrary<T>, i: number) => fc.sample(arb, { seed: seed + i, numRuns: 1 })[0]!;
  const out: FrameworkCase[] = [];
  const safe = [...reqs].filter(([k]) => !isLast(k));
  const json = { 'content-type': 'application/json' };
  // Unknown routes (checked against the contract's templates so none is a contract path).
  for (const [i, path] of [`/conform-no-such-route-${seed}`, `/groups/x/conform-${seed}/y/z`, `/users/me/conform-${seed}`].entries()) {
    if (matcher.opsFor(path).length > 0) continue;
    out.push({ kind: 'unknown-route', as: anyUser, method: i === 1 ? 'POST' : 'GET', path, ...(i === 1 ? { headers: json, body: '{}' } : {}), fitting: [404] });
  }
  // Undeclared methods: one per contract path (a common one), plus a seeded rarer one on every third path.
  const byPath = new Map<string, RestOperation>();
  for (const op of catalogue.operations) if (op.dataKind !== 'none' && !byPath.has(op.path)) byPath.set(op.path, op);
  [...byPath.values()].forEach((op, i) => {
    const path = fill(op, reqs.get(op.key)?.base.params);
    const declared = matcher.methodsFor(path);
    const undeclared = OTHER_METHODS.filter((m) => !declared.includes(m));
    const as = reqs.get(op.key)?.as ?? anyUser;
    if (undeclared.length > 0) out.push({ kind: 'undeclared-method', declared, as, method: rnd(fc.constantFrom(...undeclared), i), path, fitting: [404, 405, 501] });
    const exotic = EXOTIC_METHODS.filter((m) => !declared.includes(m));
    if (i % 3 === 0 && exotic.length > 0) out.push({ kind: 'undeclared-method', declared, as, method: rnd(fc.constantFrom(...exotic), 100 + i), path, fitting: [404, 405, 501] });
  });
  // Sampled per seed: over-long path ids, oversized / malformed / wrongly typed / empty JSON bodies.
  const withStringParam = safe.filter(([k]) => catalogue.operationsByKey.get(k)!.params.some((p) => p.in === 'path' && p.schema.type !== 'integer'));
  const withBody = safe.filter(([k]) => catalogue.operationsByKey.get(k)!.requestBody);
  const sample = <T>(items: T[], n: number, salt: number) => (items.length === 0 ? [] : rnd(fc.shuffledSubarray(items, { minLength: Math.min(n, items.length), maxLength: Math.min(n, items.length) }), salt));
  for (const [key, req] of sample(withStringParam, 3, 200)) {
    const op = catalogue.operationsByKey.get(key)!;
    const param = op.params.find((p) => p.in === 'path' && p.schema.type !== 'integer')!.name;
    out.push({ kind: 'path-too-long', op, as: req.as, method: op.method, path: fill(op, req.base.params, [param, 'L'.repeat(5000)]), ...(op.requestBody ? { headers: json, body: JSON.stringify(req.base.body ?? {}) } : {}), fitting: [404, 414] });
  }
  const [longKey, longReq] = sample(withStringParam, 1, 201)[0] ?? [];
  if (longKey && longReq) {
    const op = catalogue.operationsByKey.get(longKey)!;
    const param = op.params.find((p) => p.in === 'path' && p.schema.type !== 'integer')!.name;
    out.push({ kind: 'url-too-long', op, as: longReq.as, method: op.method, path: fill(op, longReq.base.params, [param, 'U'.repeat(40000)]), fitting: [404, 414, 431] });
  }
  const PAD = 2 * 1024 * 1024;
  for (const [i, [key, req]] of sample(withBody, 3, 300).entries()) {
    const op = catalogue.operationsByKey.get(key)!;
    const path = fill(op, req.base.params);
    const text = JSON.stringify(req.base.body ?? {});
    if (i === 0) {
      out.push({ kind: 'body-too-large', op, as: req.as, method: op.method, path, headers: json, body: `{"pad":"${'x'.repeat(PAD)}"}`, replayData: `--data-binary @<(printf '{"pad":"%s"}' "$(head -c ${PAD} /dev/zero | tr '\\0' x)")`, fitting: [413] });
    }
    out.push({ kind: 'malformed-json', op, as: req.as, method: op.method, path, headers: json, body: text.slice(0, Math.max(1, Math.floor(text.length / 2))), fitting: [] });
    out.push({ kind: 'wrong-content-type', op, as: req.as, method: op.method, path, headers: { 'content-type': i % 2 ? 'application/x-www-form-urlencoded' : 'application/xml' }, body: i % 2 ? 'a=1&b=2' : '<a>1</a>', fitting: [415] });
    if (op.requestBody?.required) out.push({ kind: 'empty-json-body', op, as: req.as, method: op.method, path, headers: json, body: '', fitting: [] });
  }
  return out;
}

export async function sendFramework(api: RestApi, cases: FrameworkCase[], concurrency = 6): Promise<{ c: FrameworkCase; res: RawResponse }[]> {
  const results: { c: FrameworkCase; res: RawResponse }[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      results.push({ c, res: await api.as(c.as).raw({ method: c.method, path: c.path, headers: c.headers, body: c.body, replayData: c.replayData, label: `${c.kind}: ${c.method} ${c.op?.key ?? c.path.slice(0, 60)}` }) });
    }
  }));
  return results;
}

export const describeFramework = (c: FrameworkCase) => `${c.kind}: ${c.method} ${c.op?.key ?? c.path.slice(0, 80)}`;

export function frameworkCite(c: FrameworkCase): string {
  return c.op ? c.op.cite : opCite(catalogue.operations.find((o) => c.path.startsWith(o.path.split('{')[0]!))?.key ?? 'GET /users/me');
}

export type { Target };
