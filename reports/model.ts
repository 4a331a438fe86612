import type { Contracts } from '../contracts/index.js';
import type { CoverageKind, Exchange, FailureDetail, Protocol } from '../fixtures/recorder.js';
import type { Expectations } from './expectations.js';
import type { RawAttempt, RawResults, RawTest, RunMetadata } from './raw.js';

/**
 * Raw Playwright results → the conformance report: one entry per check with its outcome, scores per suite and level,
 * coverage against the catalogue, and the verdict. Pure: every report format renders this model.
 */
export type Level = 'MUST' | 'SHOULD' | 'MAY';
export const LEVELS: Level[] = ['MUST', 'SHOULD', 'MAY'];
/** The suites (Playwright projects) in the order reports list them. */
export const SUITE_ORDER = ['rest', 'security', 'ws', 'grpc', 'xproto', 'ordering', 'browser'] as const;
export type Outcome = 'passed' | 'failed' | 'flaky' | 'unexpected-pass' | 'expected-failure' | 'skipped';
export const OUTCOMES: Outcome[] = ['passed', 'failed', 'flaky', 'unexpected-pass', 'expected-failure', 'skipped'];

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
  skipReason?: string;
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
  covered: number;
  total: number;
  missing: string[];
}

export interface Verdict {
  /** 0 conformant, 1 nonconformant, 2 nothing executed or the run itself broke. */
  exitCode: 0 | 1 | 2;
  summary: string;
  mustFailures: string[];
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

const emptyTally = (): Tally => ({ total: 0, passed: 0, failed: 0, flaky: 0, 'unexpected-pass': 0, 'expected-failure': 0, skipped: 0 });

/** Escape a check id for Playwright's --grep; the trailing space stops REST.HG1 matching REST.HG10. */
export function grepForId(id: string): string {
  return `\\b${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `;
}

export function replayCommand(meta: RunMetadata, suite: string, id: string): string {
  return `${meta.replayBase} --suite ${suite} --grep '${grepForId(id)}' --seed ${meta.seed}`;
}

const annotation = (t: RawTest, type: string): string[] =>
  t.annotations.filter((a) => a.type === type && a.description !== undefined).map((a) => a.description!);

function levelOf(t: RawTest): Level | null {
  const l = annotation(t, 'level')[0] ?? t.tags.find((x) => (LEVELS as string[]).includes(x));
  return l && (LEVELS as string[]).includes(l) ? (l as Level) : null;
}

const executed = (a: RawAttempt) => a.status === 'passed' || a.status === 'failed' || a.status === 'timedOut';
const failedAttempt = (a: RawAttempt) => a.status === 'failed' || a.status === 'timedOut';

function skipReasonOf(t: RawTest, attempts: RawAttempt[]): string {
  for (const a of attempts) {
    const s = a.annotations.find((x) => x.type === 'skip' || x.type === 'fixme');
    if (s) return s.description || `${s.type} without a reason`;
  }
  const s = t.annotations.find((x) => x.type === 'skip' || x.type === 'fixme');
  if (s) return s.description || `${s.type} without a reason`;
  if (attempts.some((a) => a.status === 'interrupted')) return 'the run was interrupted before this check finished';
  if (attempts.length === 0) return 'not run (the run stopped before reaching it)';
  return 'skipped without a reason';
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
    for (const a of attempts) for (const m of a.record?.coverage ?? []) marks.add(`${m.kind}\u0000${m.key}`);
    const ran = attempts.filter(executed);
    const fails = ran.filter(failedAttempt);
    const passes = ran.length - fails.length;
    let outcome: Outcome = ran.length === 0 ? 'skipped' : fails.length === 0 ? 'passed' : passes === 0 ? 'failed' : 'flaky';

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
      ...(outcome === 'skipped' ? { skipReason: skipReasonOf(t, attempts) } : {}),
      ...(firstFail ? { failure: failureOf(firstFail) } : {}),
      ...(expectation ? { expectation } : {}),
      replay: replayCommand(meta, t.project, id),
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

/** Share of checks that passed; skipped checks count against it (skipped is never passed). null when there are none. */
export function score(t: Tally): number | null {
  return t.total === 0 ? null : Math.floor((t.passed / t.total) * 1000) / 10;
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
  const unknownMarks: string[] = [];
  for (const m of marks) {
    const [kind, rawKey] = m.split('\u0000') as [CoverageKind, string];
    // rpcs may be marked by path ('/pkg.Svc/Rpc') or by citation ('pkg.Svc/Rpc')
    const key = kind === 'rpc' && !rawKey.startsWith('/') ? `/${rawKey}` : rawKey;
    if (universe[kind]?.includes(key)) seen[kind].add(key);
    else unknownMarks.push(`${kind} ${rawKey}`);
  }
  const area = (kind: CoverageKind): CoverageArea => ({
    covered: seen[kind].size,
    total: universe[kind].length,
    missing: universe[kind].filter((k) => !seen[kind].has(k)),
  });
  return { restOperations: area('rest'), wsMessages: area('ws-message'), notificationTypes: area('notification'), rpcs: area('rpc'), unknownMarks: unknownMarks.sort() };
}

function verdictOf(checks: CheckResult[], errors: string[], strict: boolean, status: string): Verdict {
  const failing = (c: CheckResult) => c.outcome === 'failed' || (c.outcome === 'flaky' && !c.expectation);
  const mustFailures = checks.filter((c) => c.level === 'MUST' && failing(c)).map((c) => c.id);
  const otherFailures = checks.filter((c) => c.level !== 'MUST' && failing(c)).map((c) => c.id);
  const unexpectedPasses = checks.filter((c) => c.outcome === 'unexpected-pass').map((c) => c.id);
  const ran = checks.filter((c) => c.outcome !== 'skipped').length;
  const base = { mustFailures, otherFailures, unexpectedPasses };
  if (errors.length > 0) {
    return { exitCode: 2, summary: `the run itself failed: ${errors[0]!.split('\n')[0]}`, ...base };
  }
  if (status === 'interrupted') return { exitCode: 2, summary: 'the run was interrupted', ...base };
  if (ran === 0) {
    const summary = checks.length === 0
      ? 'no checks executed: the suite and --grep selection matched no check'
      : `no checks executed: all ${checks.length} selected checks were skipped (e.g. ${checks[0]!.id}: ${checks[0]!.skipReason})`;
    return { exitCode: 2, summary, ...base };
  }
  const reasons: string[] = [];
  if (mustFailures.length) reasons.push(`${mustFailures.length} MUST check(s) failed`);
  if (strict && otherFailures.length) reasons.push(`--strict: ${otherFailures.length} SHOULD/MAY check(s) failed`);
  if (strict && unexpectedPasses.length) reasons.push(`--strict: ${unexpectedPasses.length} expected failure(s) now pass`);
  if (reasons.length) return { exitCode: 1, summary: `nonconformant: ${reasons.join('; ')}`, ...base };
  const notes: string[] = [];
  const mustSkipped = checks.filter((c) => c.level === 'MUST' && c.outcome === 'skipped').length;
  if (mustSkipped) notes.push(`${mustSkipped} MUST check(s) skipped`);
  if (otherFailures.length) notes.push(`${otherFailures.length} SHOULD/MAY failure(s) reported`);
  if (unexpectedPasses.length) notes.push(`${unexpectedPasses.length} expected failure(s) now pass`);
  return { exitCode: 0, summary: `conformant: every executed MUST check passed${notes.length ? ` (${notes.join('; ')})` : ''}`, ...base };
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
