import fc from 'fast-check';
import type { InvalidCase, RequestParts } from '../../contracts/arbitraries.js';
import { ConformanceFailure, fail } from '../../fixtures/failure.js';
import type { FailureDetail } from '../../fixtures/recorder.js';
import { PrerequisiteBroken } from '../../fixtures/prereq.js';
import type { RestApi } from '../../fixtures/rest-client.js';
import type { Target } from '../../fixtures/target.js';
import { check } from '../check.js';
import { arbitraries, block, catalogue, opCite } from './support.js';
import { Unavailable, World, type ValidRequest } from './world.js';

/**
 * Generated negative input (REST.NEG1) and generated valid input (REST.NEG2), from the request schemas
 * (contracts/arbitraries.ts). Deterministic for a seed (ANYCHAT_SEED): every mutation the contract supports is sent
 * once, then fast-check draws more with that seed; a failure names the seed and the fast-check path to replay it.
 */

const FOUR_XX = Array.from({ length: 100 }, (_, i) => 400 + i);
/** Run last: a wrongly accepted mutation here logs the world's victim out. */
const DESTRUCTIVE = ['POST /auth/password/change', 'POST /auth/logout'];
const RANDOM_RUNS = 60;

type Outcome = { ok: true } | { ok: false; detail: FailureDetail };

async function judgeInvalid(api: RestApi, target: Target, as: ValidRequest['as'], c: InvalidCase): Promise<Outcome> {
  const what = `${c.kind}${c.target ? ` ${c.target}` : ''}`;
  try {
    const res = await api.as(as).call(c.op, { ...c.request, allowStatus: FOUR_XX, why: `(${what})` });
    if (res.status >= 500) {
      return { ok: false, detail: { message: `${c.op} (${what}): HTTP ${res.status} on invalid input`, expected: 'a 4xx failure envelope, never 5xx', observed: { status: res.status, body: res.body, request: c.request }, cite: c.op ? opCite(c.op) : undefined, replay: res.replay } };
    }
    if (c.mustReject && res.ok) {
      return { ok: false, detail: { message: `${c.op} accepted invalid input (${what})`, expected: `a failure envelope (4xx${target.strict ? '' : ' or 200 with code ≠ 0'})`, observed: { status: res.status, body: res.body, request: c.request }, cite: opCite(c.op, 'requestBody'), replay: res.replay } };
    }
    if (!res.ok && res.status !== 200 && (res.status < 400 || res.status >= 500)) {
      return { ok: false, detail: { message: `${c.op} (${what}): failure with HTTP ${res.status}`, expected: 'a 4xx status', observed: { status: res.status, body: res.body }, cite: opCite(c.op), replay: res.replay } };
    }
    return { ok: true };
  } catch (e) {
    if (e instanceof ConformanceFailure) return { ok: false, detail: { ...e.detail, message: `${c.op} (${what}): ${e.detail.message}` } };
    throw e;
  }
}

function report(failures: FailureDetail[], random: { seed: number; path?: string; detail?: FailureDetail }, total: number): void {
  const all = [...failures, ...(random.detail ? [random.detail] : [])];
  if (all.length === 0) return;
  const lines = failures.map((f) => `  - ${f.message.split('\n')[0]}`);
  if (random.detail) lines.push(`  - random case (seed ${random.seed}, path "${random.path}"): ${random.detail.message.split('\n')[0]}`);
  fail({ ...all[0]!, message: `${all.length} of ${total} generated cases failed (seed ${random.seed}${random.path ? `, path "${random.path}"` : ''}):\n${lines.join('\n')}` });
}

check({
  id: 'REST.NEG1', level: 'MUST', cites: [opCite('POST /groups', 'requestBody'), 'http/openapi.json#/components/schemas'],
  title: 'generated invalid input (missing field, wrong type, out of enum/length, malformed JSON, unknown id) fails with 4xx, never 5xx or success',
}, async ({ api, target, recorder, ws }, testInfo) => {
  const world = new World(api, target, testInfo.workerIndex, ws);
  const ops = catalogue.operations.filter((o) => o.dataKind !== 'none' && (o.requestBody || o.params.length > 0)).map((o) => o.key)
    .sort((x, y) => Number(DESTRUCTIVE.includes(x)) - Number(DESTRUCTIVE.includes(y)));
  // Building the world is setup: an operation whose valid request cannot be built is not mutated (and says why);
  // NEG1 judges only the invalid inputs it actually sends, and is blocked when it can send none.
  const bases = new Map<string, ValidRequest>();
  for (const key of ops) {
    const req = await world.request(key);
    if (req) bases.set(key, req);
  }
  for (const [k, u] of world.unavailable) recorder.warn(`${k}: not mutated (${u.reason} — see ${u.owner})`);
  if (bases.size === 0) {
    const first = world.firstUnavailable();
    block(`no valid request could be built to mutate${first ? `: ${first.reason}` : ''}`, first?.owner ?? 'REST.HG2');
  }

  const systematic = [...bases].flatMap(([key, req], i) => arbitraries.examples(key, req.base, target.seed + i * 100));
  const failures: FailureDetail[] = [];
  for (const c of systematic) {
    const out = await judgeInvalid(api, target, bases.get(c.op)!.as, c);
    if (!out.ok) failures.push(out.detail);
  }

  const randomOps = [...bases.keys()].filter((k) => !DESTRUCTIVE.includes(k));
  const arbs = randomOps.map((k) => arbitraries.invalid(k, bases.get(k)!.base)).filter((a): a is fc.Arbitrary<InvalidCase> => !!a);
  let randomFailure: FailureDetail | undefined;
  const details = arbs.length === 0 ? { numRuns: 0, failed: false, counterexamplePath: null } : await fc.check(fc.asyncProperty(fc.oneof(...arbs), async (c) => {
    const out = await judgeInvalid(api, target, bases.get(c.op)!.as, c);
    if (!out.ok) randomFailure = out.detail;
    return out.ok;
  }), { seed: target.seed, numRuns: RANDOM_RUNS, endOnFailure: true });
  const sent = systematic.length + details.numRuns;
  recorder.warn(`REST.NEG1: ${systematic.length} systematic + ${details.numRuns} random cases (seed ${target.seed}) over ${bases.size} operations`);
  if (sent === 0) block('no invalid input could be generated for the operations whose world could be built', world.firstUnavailable()?.owner ?? 'REST.HG2');
  report(failures, { seed: target.seed, path: details.counterexamplePath ?? undefined, detail: details.failed ? randomFailure : undefined }, sent);
});

/** Operations where accepting a valid request has no side effect beyond the caller's own data. */
type SafeOp = { key: string; as: 'a' | 'b'; params?: (w: World) => Promise<Record<string, string | number>>; fixed?: (w: World) => Promise<Record<string, unknown>>; omit?: string[] };
const SAFE_OPS: SafeOp[] = ([
  { key: 'PUT /users/me', as: 'b' },
  { key: 'PUT /users/me/settings', as: 'b' },
  { key: 'POST /users/me/push-token', as: 'b', fixed: async (w) => ({ deviceId: (await w.user('b')).deviceId }) },
  { key: 'GET /users/search', as: 'a' },
  { key: 'GET /friends', as: 'a' },
  { key: 'GET /friends/requests', as: 'a' },
  { key: 'GET /groups', as: 'a' },
  { key: 'PUT /groups/{id}', as: 'a', params: async (w) => ({ id: await w.group() }) },
  { key: 'GET /groups/{id}/members', as: 'a', params: async (w) => ({ id: await w.group() }) },
  { key: 'GET /groups/{id}/requests', as: 'a', params: async (w) => ({ id: (await w.verifyGroup()).groupId }) },
  { key: 'GET /sessions', as: 'a' },
  { key: 'POST /sync', as: 'a', omit: ['conversationSeqs'] },
  { key: 'POST /sync/messages', as: 'a', omit: ['conversationSeqs'] },
  { key: 'GET /files', as: 'a' },
  { key: 'GET /rtc/calls', as: 'a' },
  { key: 'GET /rtc/meetings', as: 'a' },
  // Another contract version may lack some of them: the sweep covers those the bundle declares (contracts/applicability.ts).
] satisfies SafeOp[]).filter((o) => catalogue.operationsByKey.has(o.key));

check({
  id: 'REST.NEG2', level: 'SHOULD', cites: SAFE_OPS.map((o) => opCite(o.key)),
  title: 'generated valid input (within types, enums, lengths, example formats) is accepted on side-effect-safe operations',
}, async ({ api, target, recorder, ws }, testInfo) => {
  const world = new World(api, target, testInfo.workerIndex, ws);
  const arbs: fc.Arbitrary<{ key: string; parts: RequestParts }>[] = [];
  const who = new Map<string, Awaited<ReturnType<World['user']>>>();
  let firstUnavailable: Unavailable | undefined;
  for (const o of SAFE_OPS) {
    try {
      who.set(o.key, await world.user(o.as));
      const a = arbitraries.valid(o.key, { params: o.params ? await o.params(world) : undefined, fixed: o.fixed ? await o.fixed(world) : undefined, omit: o.omit });
      arbs.push(a.map((parts) => ({ key: o.key, parts })));
    } catch (e) {
      if (!(e instanceof Unavailable)) throw e;
      recorder.warn(`${o.key}: not generated (${e.reason} — see ${e.owner})`);
      if (!firstUnavailable) firstUnavailable = e;
    }
  }
  if (arbs.length === 0) block(`no operation could get generated valid input${firstUnavailable ? `: ${firstUnavailable.reason}` : ''}`, firstUnavailable?.owner ?? 'REST.HG2');
  let failure: FailureDetail | undefined;
  let judged = 0;
  const notJudged = new Map<string, PrerequisiteBroken>();
  const run = async ({ key, parts }: { key: string; parts: RequestParts }) => {
    try {
      await api.as(who.get(key)!).call(key, { ...parts, expect: 'success', why: 'with schema-valid generated input' });
      judged++;
      return true;
    } catch (e) {
      // 5xx to a valid request: the operation fails every valid input (REST.HG2's finding), not this generated one.
      if (e instanceof PrerequisiteBroken) {
        notJudged.set(key, e);
        return true;
      }
      if (!(e instanceof ConformanceFailure)) throw e;
      judged++;
      failure = { ...e.detail, observed: { response: e.detail.observed, request: parts } };
      return false;
    }
  };
  const examples = arbs.map((a, i) => [fc.sample(a, { seed: target.seed + i, numRuns: 1 })[0]!] as [{ key: string; parts: RequestParts }]);
  const details = await fc.check(fc.asyncProperty(fc.oneof(...arbs), run), { seed: target.seed, numRuns: 40, examples, endOnFailure: true });
  recorder.warn(`REST.NEG2: ${details.numRuns} cases (seed ${target.seed}) over ${SAFE_OPS.length} operations`);
  for (const [key, e] of notJudged) recorder.warn(`${key}: not judged (${e.reason} — see ${e.owner})`);
  if (judged === 0 && notJudged.size > 0) throw [...notJudged.values()][0];
  if (details.failed && failure) {
    fail({ ...failure, message: `${failure.message.split('\n')[0]} (seed ${target.seed}, path "${details.counterexamplePath}")` });
  }
});
