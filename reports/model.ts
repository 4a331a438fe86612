import type { Contracts } from '../contracts/index.js';
import type { CoverageKind, Exchange, FailureDetail, Protocol } from '../fixtures/recorder.js';
import type { Expectations } from './expectations.js';
import type { RawAttempt, RawResults, RawTest, RunMetadata } from './raw.js';
import { classifySkip, skipReasonIn, type SkipInfo } from './skips.js';

/**
 * Raw Playwright results → the conformance report: one entry per check with its outcome, scores per suite and level,
 * coverage against the catalogue, and the verdict. Pure: every report format renders this model.
 */
export type Level = 'MUST' | 'SHOULD' | 'MAY';
export const LEVELS: Level[] = ['MUST', 'SHOULD', 'MAY'];
/** The suites (Playwright projects) in the order reports list them. */
export const SUITE_ORDER = ['rest', 'security', 'ws', 'grpc', 'xproto', 'ordering', 'browser'] as const;
/**
 * `blocked`: the check could not judge its behaviour because a prerequisite another check owns is broken (it cites
 * that owner); `not-applicable`: the behaviour does not apply to this target/configuration; `skipped`: anything else.
 * None of the three is passed.
 */
export type Outcome = 'passed' | 'failed' | 'flaky' | 'unexpected-pass' | 'expected-failure' | 'blocked' | 'not-applicable' | 'skipped';
export const OUTCOMES: Outcome[] = ['passed', 'failed', 'flaky', 'unexpected-pass', 'expected-failure', 'blocked', 'not-applicable', 'skipped'];
/** Outcomes where the check judged the behaviour it names. */
export const JUDGED: ReadonlySet<Outcome> = new Set<Outcome>(['passed', 'failed', 'flaky', 'unexpected-pass', 'expected-failure']);

export interface CheckResult {
  id: string;
  title: string;
  level: Level;
  suite: string;
  cites: string[];
  assumed: boolean;
  file: string;
  outcome: Outcome;
  /** Sum over every attempt (repeats included). */
  durationMs: number;
  /** How the attempts went: with --repeat N there are N. */
  attempts: { passed: number; failed: number; skipped: number };
  /** Why a skipped, blocked or not-applicable check did not run to a verdict. */
  skipReason?: string;
  /** blocked: the check id that owns the broken prerequisite ('WS.5'). */
  blockedBy?: string;
  /** The first failing attempt's detail (expected vs observed, citation, exchange replay). */
  failure?: FailureDetail;
  expectation?: { reason: string; source: 'expectations' | 'test.fail()' };
  /** One-line command that reruns just this check. */
  replay: string;
  /** Protocols seen in the recorded exchanges. */
  protocols: Protocol[];
  /** Exchanges of the failing attempt (else of the last attempt). */
  exchanges: Exchange[];
  droppedExchanges: number;
  warnings: string[];
}

export type Tally = { total: number } & { [o in Outcome]: number };

export interface CoverageArea {
  /** Keys with at least one validated response (2xx, or a declared error in a valid envelope). */
  covered: number;
  total: number;
  /** Keys the target answered, but never conformantly (only 404/500, a frame in another shape, …): not covered. */
  nonconformant: string[];
  /** Keys never seen at all. */
  missing: string[];
}

/** The checks one owner's broken prerequisite blocked, under that owner's own result. */
export interface BlockedGroup {
  owner: string;
  /** The owner check in this run (its suite, level, outcome and first failure line), or null when it did not run here. */
  ownerResult: { suite: string; level: Level; outcome: Outcome; message: string | null } | null;
  checks: { id: string; suite: string; level: Level; reason: string }[];
}

export interface Verdict {
  /**
   * 0 conformant, 1 nonconformant (a MUST check failed; any check with --strict), 2 no verdict (no MUST check ran,
   * nothing executed, or the run itself broke), 3 incomplete (no MUST check failed, but some MUST checks were blocked).
   */
  exitCode: 0 | 1 | 2 | 3;
  /** The verdict word: conformant | nonconformant | incomplete | no verdict. */
  word: 'conformant' | 'nonconformant' | 'incomplete' | 'no verdict';
  summary: string;
  mustFailures: string[];
  /** MUST checks blocked by a broken prerequisite: not judged. */
  mustBlocked: string[];
  otherFailures: string[];
  unexpectedPasses: string[];
}

export interface ConformanceReport {
  format: 'anychat-conformance-report/1';
  run: RunMetadata & {
    playwrightVersion: string;
    durationMs: number;
    finishedAt: string;
    shard: { current: number; total: number } | null;
    mergedFrom?: number;
    expectationsFile: string | null;
  };
  strict: boolean;
  summary: { all: Tally; byLevel: { [l in Level]: Tally }; bySuite: { [suite: string]: Tally }; bySuiteLevel: { [suite: string]: { [l in Level]: Tally } } };
  coverage: { restOperations: CoverageArea; wsMessages: CoverageArea; notificationTypes: CoverageArea; rpcs: CoverageArea; unknownMarks: string[] };
  checks: CheckResult[];
  /** Blocked checks grouped under the check whose broken behaviour blocked them, largest group first. */
  blocked: BlockedGroup[];
  errors: string[];
  warnings: string[];
  verdict: Verdict;
}

export interface BuildOptions {
  contracts: Contracts;
  expectations?: Expectations | null;
  /** Overrides the strictness recorded in the run metadata (report merge --strict). */
  strict?: boolean;
  mergedFrom?: number;
}

const emptyTally = (): Tally => ({ total: 0, passed: 0, failed: 0, flaky: 0, 'unexpected-pass': 0, 'expected-failure': 0, blocked: 0, 'not-applicable': 0, skipped: 0 });

/** Escape a check id for Playwright's --grep; the trailing space stops REST.HG1 matching REST.HG10. */
export function grepForId(id: string): string {
  return `\\b${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `;
}

/**
 * One-line command that reruns one check with the run's options. With a run-config.json (written by `run`) it is
 * `anychat-conform run --config <out>/run-config.json --grep '…'`, which carries target, seed and profile; an ordering
 * counterexample keeps its --path.
 */
export function replayCommand(meta: RunMetadata, suite: string, id: string, failureReplay?: string): string {
  const path = failureReplay ? /--path ('(?:[^']|'\\'')*'|\S+)/.exec(failureReplay)?.[1] : undefined;
  const tail = path ? ` --path ${path}` : '';
  if (meta.runConfig) return `anychat-conform run --config ${meta.runConfig} --grep '${grepForId(id)}'${tail}`;
  return `${meta.replayBase} --suite ${suite} --grep '${grepForId(id)}' --seed ${meta.seed}${tail}`;
}

const annotation = (t: RawTest, type: string): string[] =>
  t.annotations.filter((a) => a.type === type && a.description !== undefined).map((a) => a.description!);

function levelOf(t: RawTest): Level | null {
  const l = annotation(t, 'level')[0] ?? t.tags.find((x) => (LEVELS as string[]).includes(x));
  return l && (LEVELS as string[]).includes(l) ? (l as Level) : null;
}

const executed = (a: RawAttempt) => a.status === 'passed' || a.status === 'failed' || a.status === 'timedOut';
const failedAttempt = (a: RawAttempt) => a.status === 'failed' || a.status === 'timedOut';

function skipOf(t: RawTest, attempts: RawAttempt[]): SkipInfo {
  const all = [...attempts.flatMap((a) => a.annotations), ...t.annotations];
  for (const a of attempts) {
    const r = skipReasonIn(a.annotations);
    if (r) return classifySkip(r, all);
  }
  const r = skipReasonIn(t.annotations);
  if (r) return classifySkip(r, all);
  if (attempts.some((a) => a.status === 'interrupted')) return { kind: 'skipped', reason: 'the run was interrupted before this check finished' };
  if (attempts.length === 0) return { kind: 'skipped', reason: 'not run (the run stopped before reaching it)' };
  return { kind: 'skipped', reason: 'skipped without a reason' };
}

function failureOf(a: RawAttempt): FailureDetail {
  return a.record?.failure ?? { message: a.errors[0] ?? (a.status === 'timedOut' ? 'the check timed out' : 'the check failed') };
}

export function buildReport(raw: RawResults, opts: BuildOptions): ConformanceReport {
  const { contracts } = opts;
  const warnings: string[] = [];
  const meta: RunMetadata = raw.metadata ?? fallbackMetadata(raw, contracts);
  const strict = opts.strict ?? meta.strict;

  // Group Playwright tests (one per repeat) into checks: suite + check id; distinct titles under one id are a suite bug.
  const groups = new Map<string, RawTest[]>();
  const titlesById = new Map<string, string>();
  for (const t of raw.tests) {
    const id = annotation(t, 'check-id')[0] ?? t.title;
    const key = `${t.project}\u0000${id}`;
    const seenTitle = titlesById.get(key);
    if (seenTitle !== undefined && seenTitle !== t.title) {
      warnings.push(`check id ${id} is used by two checks in suite ${t.project}: "${seenTitle}" and "${t.title}"`);
      const dupKey = `${key}\u0000${t.title}`;
      groups.set(dupKey, [...(groups.get(dupKey) ?? []), t]);
      continue;
    }
    titlesById.set(key, t.title);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }

  const marks = new Set<string>();
  const checks: CheckResult[] = [];
  for (const tests of groups.values()) {
    const t = tests[0]!;
    const id = annotation(t, 'check-id')[0] ?? t.title;
    let level = levelOf(t);
    if (!level) {
      warnings.push(`${t.project}/${t.file}: "${t.title}" declares no check id or level (use check()); counted as MUST`);
      level = 'MUST';
    }
    const attempts = tests.flatMap((x) => x.attempts);
    for (const a of attempts) for (const m of a.record?.coverage ?? []) marks.add(`${m.kind}\u0000${m.key}\u0000${m.state ?? 'conformant'}`);
    const ran = attempts.filter(executed);
    const fails = ran.filter(failedAttempt);
    const passes = ran.length - fails.length;
    const skip = ran.length === 0 ? skipOf(t, attempts) : null;
    let outcome: Outcome = skip ? skip.kind : fails.length === 0 ? 'passed' : passes === 0 ? 'failed' : 'flaky';

    let expectation: CheckResult['expectation'];
    const listed = opts.expectations?.reasons.get(id);
    if (listed !== undefined) expectation = { reason: listed, source: 'expectations' };
    else if (t.expectedStatus === 'failed') expectation = { reason: 'marked test.fail() in the suite', source: 'test.fail()' };
    if (expectation) {
      if (outcome === 'failed') outcome = 'expected-failure';
      else if (outcome === 'passed') outcome = 'unexpected-pass';
    }

    const firstFail = fails[0];
    const shown = firstFail ?? attempts[attempts.length - 1];
    const record = shown?.record ?? null;
    const exchanges = record?.exchanges ?? [];
    checks.push({
      id,
      title: t.title.startsWith(`${id} `) ? t.title.slice(id.length + 1) : t.title,
      level,
      suite: t.project,
      cites: annotation(t, 'cite'),
      assumed: t.annotations.some((a) => a.type === 'assumed'),
      file: t.file,
      outcome,
      durationMs: attempts.reduce((s, a) => s + a.durationMs, 0),
      attempts: { passed: passes, failed: fails.length, skipped: attempts.length - ran.length },
      ...(skip ? { skipReason: skip.reason } : {}),
      ...(skip?.owner ? { blockedBy: skip.owner } : {}),
      ...(firstFail ? { failure: failureOf(firstFail) } : {}),
      ...(expectation ? { expectation } : {}),
      replay: replayCommand(meta, t.project, id, firstFail ? failureOf(firstFail).replay : undefined),
      protocols: [...new Set(exchanges.map((e) => e.protocol))].sort(),
      exchanges,
      droppedExchanges: record?.droppedExchanges ?? 0,
      warnings: [...new Set(attempts.flatMap((a) => a.record?.warnings ?? []))],
    });
  }
  const rank = (suite: string) => ((SUITE_ORDER as readonly string[]).indexOf(suite) + SUITE_ORDER.length + 1) % (SUITE_ORDER.length + 1);
  checks.sort((a, b) => rank(a.suite) - rank(b.suite) || a.suite.localeCompare(b.suite) || compareIds(a.id, b.id));

  if (opts.expectations) {
    const ids = new Set(checks.map((c) => c.id));
    for (const id of opts.expectations.reasons.keys()) {
      if (!ids.has(id)) warnings.push(`expectation for ${id} matches no check in this run`);
    }
  }

  const summary = tallies(checks);
  const coverage = coverageOf(marks, contracts);
  if (coverage.unknownMarks.length) warnings.push(`coverage marks outside the contract: ${coverage.unknownMarks.join(', ')}`);
  const errors = raw.errors;
  const endMs = Date.parse(raw.startedAt) + raw.durationMs;
  return {
    format: 'anychat-conformance-report/1',
    run: {
      ...meta,
      playwrightVersion: raw.playwrightVersion,
      durationMs: raw.durationMs,
      finishedAt: Number.isFinite(endMs) ? new Date(endMs).toISOString() : new Date().toISOString(),
      shard: raw.shard,
      ...(opts.mergedFrom ? { mergedFrom: opts.mergedFrom } : {}),
      expectationsFile: opts.expectations?.file ?? null,
    },
    strict,
    summary,
    coverage,
    checks,
    blocked: blockedGroups(checks),
    errors,
    warnings,
    verdict: verdictOf(checks, errors, strict, raw.status),
  };
}

/** Natural order: REST.HG2 before REST.HG10. */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function tallies(checks: CheckResult[]): ConformanceReport['summary'] {
  const all = emptyTally();
  const byLevel = { MUST: emptyTally(), SHOULD: emptyTally(), MAY: emptyTally() };
  const bySuite: { [s: string]: Tally } = {};
  const bySuiteLevel: { [s: string]: { [l in Level]: Tally } } = {};
  for (const c of checks) {
    bySuite[c.suite] ??= emptyTally();
    bySuiteLevel[c.suite] ??= { MUST: emptyTally(), SHOULD: emptyTally(), MAY: emptyTally() };
    for (const t of [all, byLevel[c.level], bySuite[c.suite]!, bySuiteLevel[c.suite]![c.level]]) {
      t.total++;
      t[c.outcome]++;
    }
  }
  return { all, byLevel, bySuite, bySuiteLevel };
}

/**
 * Share of checks that passed. Skipped and blocked checks count against it (neither is passed; blocked ones are shown
 * apart beside the score); not-applicable checks are left out (the behaviour does not apply). null when there are none.
 */
export function score(t: Tally): number | null {
  const base = t.total - t['not-applicable'];
  return base <= 0 ? null : Math.floor((t.passed / base) * 1000) / 10;
}

/** Blocked checks under the check that owns their broken prerequisite, largest group first. */
function blockedGroups(checks: CheckResult[]): BlockedGroup[] {
  const groups = new Map<string, BlockedGroup>();
  for (const c of checks) {
    if (c.outcome !== 'blocked') continue;
    const owner = c.blockedBy ?? '(unknown owner)';
    let g = groups.get(owner);
    if (!g) {
      const o = checks.find((x) => x.id === owner);
      g = { owner, ownerResult: o ? { suite: o.suite, level: o.level, outcome: o.outcome, message: o.failure?.message.split('\n')[0] ?? o.skipReason ?? null } : null, checks: [] };
      groups.set(owner, g);
    }
    g.checks.push({ id: c.id, suite: c.suite, level: c.level, reason: c.skipReason ?? '' });
  }
  return [...groups.values()].sort((a, b) => b.checks.length - a.checks.length || compareIds(a.owner, b.owner));
}

function coverageOf(marks: Set<string>, contracts: Contracts): ConformanceReport['coverage'] {
  const { catalogue } = contracts;
  const universe: { [k in CoverageKind]: string[] } = {
    rest: catalogue.operations.map((o) => o.key),
    'ws-message': catalogue.wsMessages.map((m) => m.name),
    notification: catalogue.notificationTypes,
    rpc: catalogue.rpcs.map((r) => r.path),
  };
  const seen: { [k in CoverageKind]: Set<string> } = { rest: new Set(), 'ws-message': new Set(), notification: new Set(), rpc: new Set() };
  const observed: { [k in CoverageKind]: Set<string> } = { rest: new Set(), 'ws-message': new Set(), notification: new Set(), rpc: new Set() };
  const unknownMarks = new Set<string>();
  for (const m of marks) {
    const [kind, rawKey, state] = m.split('\u0000') as [CoverageKind, string, string];
    // rpcs may be marked by path ('/pkg.Svc/Rpc') or by citation ('pkg.Svc/Rpc')
    const key = kind === 'rpc' && !rawKey.startsWith('/') ? `/${rawKey}` : rawKey;
    if (universe[kind]?.includes(key)) (state === 'nonconformant' ? observed : seen)[kind].add(key);
    else unknownMarks.add(`${kind} ${rawKey}`);
  }
  const area = (kind: CoverageKind): CoverageArea => ({
    covered: seen[kind].size,
    total: universe[kind].length,
    nonconformant: universe[kind].filter((k) => observed[kind].has(k) && !seen[kind].has(k)),
    missing: universe[kind].filter((k) => !seen[kind].has(k) && !observed[kind].has(k)),
  });
  return { restOperations: area('rest'), wsMessages: area('ws-message'), notificationTypes: area('notification'), rpcs: area('rpc'), unknownMarks: [...unknownMarks].sort() };
}

/**
 * The verdict, in this order: the run broke (2) → a MUST failure (1; with --strict any failure) → no MUST check judged
 * (2, "no verdict") → MUST checks blocked (3, "incomplete") → conformant (0). Never "conformant" unless at least one
 * MUST check ran and every MUST check that was selected passed or was skipped for a stated reason.
 */
function verdictOf(checks: CheckResult[], errors: string[], strict: boolean, status: string): Verdict {
  const failing = (c: CheckResult) => c.outcome === 'failed' || (c.outcome === 'flaky' && !c.expectation);
  const mustFailures = checks.filter((c) => c.level === 'MUST' && failing(c)).map((c) => c.id);
  const mustBlocked = checks.filter((c) => c.level === 'MUST' && c.outcome === 'blocked').map((c) => c.id);
  const otherFailures = checks.filter((c) => c.level !== 'MUST' && failing(c)).map((c) => c.id);
  const unexpectedPasses = checks.filter((c) => c.outcome === 'unexpected-pass').map((c) => c.id);
  const ran = checks.filter((c) => JUDGED.has(c.outcome)).length;
  const base = { mustFailures, mustBlocked, otherFailures, unexpectedPasses };
  const noVerdict = (summary: string): Verdict => ({ exitCode: 2, word: 'no verdict', summary, ...base });
  if (errors.length > 0) return noVerdict(`the run itself failed: ${errors[0]!.split('\n')[0]}`);
  if (status === 'interrupted') return noVerdict('the run was interrupted');
  if (ran === 0 && mustBlocked.length === 0) {
    const first = checks[0];
    return noVerdict(checks.length === 0
      ? 'no checks executed: the suite and --grep selection matched no check'
      : `no checks executed: all ${checks.length} selected checks were skipped (e.g. ${first!.id}: ${first!.skipReason})`);
  }
  const reasons: string[] = [];
  if (mustFailures.length) reasons.push(`${mustFailures.length} MUST check(s) failed`);
  if (strict && otherFailures.length) reasons.push(`--strict: ${otherFailures.length} SHOULD/MAY check(s) failed`);
  if (strict && unexpectedPasses.length) reasons.push(`--strict: ${unexpectedPasses.length} expected failure(s) now pass`);
  const notes: string[] = [];
  if (mustBlocked.length && reasons.length) notes.push(`${mustBlocked.length} MUST check(s) blocked, not judged`);
  if (reasons.length) return { exitCode: 1, word: 'nonconformant', summary: `nonconformant: ${reasons.join('; ')}${notes.length ? ` (${notes.join('; ')})` : ''}`, ...base };

  const mustJudged = checks.filter((c) => c.level === 'MUST' && JUDGED.has(c.outcome)).length;
  const tally = (o: Outcome) => checks.filter((c) => c.level === 'MUST' && c.outcome === o).length;
  const mustSkipped = tally('skipped');
  const mustNa = tally('not-applicable');
  if (mustSkipped) notes.push(`${mustSkipped} MUST check(s) skipped`);
  if (mustNa) notes.push(`${mustNa} MUST check(s) not applicable`);
  if (otherFailures.length) notes.push(`${otherFailures.length} SHOULD/MAY failure(s) reported`);
  if (unexpectedPasses.length) notes.push(`${unexpectedPasses.length} expected failure(s) now pass`);
  const tail = notes.length ? ` (${notes.join('; ')})` : '';
  if (mustJudged === 0) {
    const why = mustBlocked.length ? `; ${mustBlocked.length} MUST check(s) blocked` : '';
    return noVerdict(`no verdict: no MUST check ran${why}${tail}`);
  }
  if (mustBlocked.length) {
    return { exitCode: 3, word: 'incomplete', summary: `incomplete: ${mustBlocked.length} MUST check(s) could not be judged (blocked by a broken prerequisite); every judged MUST check passed${tail}`, ...base };
  }
  return { exitCode: 0, word: 'conformant', summary: `conformant: every executed MUST check passed${tail}`, ...base };
}

function fallbackMetadata(raw: RawResults, contracts: Contracts): RunMetadata {
  const b = contracts.bundle;
  return {
    runId: 'unknown',
    target: 'unknown',
    serve: null,
    grpc: null,
    grpcServices: {},
    suites: [...new Set(raw.tests.map((t) => t.project))],
    seed: 0,
    strict: false,
    grep: null,
    repeat: 1,
    harnessVersion: 'unknown',
    contract: { dir: b.location.dir, commit: b.contractsCommit, backendVersion: b.backendVersion, lastSynced: b.lastSynced, digest: b.digest, hashes: b.hashes },
    startedAt: raw.startedAt,
    replayBase: 'anychat-conform run <url>',
  };
}
