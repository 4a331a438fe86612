import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Contracts } from '../contracts/index.js';
import { SetupError } from '../contracts/errors.js';
import type { Expectations } from '../reports/expectations.js';
import { formatFailure } from '../fixtures/failure.js';
import { headline } from '../reports/headline.js';
import { buildReport, score, type CheckResult, type ConformanceReport, type CoverageArea } from '../reports/model.js';
import { RAW_FORMAT, RAW_RESULTS_FILE, type RawResults } from '../reports/raw.js';
import { writeReports, type ReportFormat } from '../reports/write.js';

/** A path as the user would type it: relative below the working directory, absolute elsewhere. */
const shown = (f: string) => {
  const r = relative(process.cwd(), f);
  return r && !r.startsWith('..') ? r : f;
};

/** The end of `run` and of `report merge`: raw results → reports in --out → summary on stdout → exit code. */
export function readRawResults(outDir: string, hint: string): RawResults {
  const file = join(outDir, RAW_RESULTS_FILE);
  if (!existsSync(file)) throw new SetupError(`no results were written (${file} is missing): ${hint}`);
  let raw: RawResults;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SetupError(`unreadable results ${file}: ${(e as Error).message}`);
  }
  if (raw?.format !== RAW_FORMAT) throw new SetupError(`${file} is not an anychat-conform results file`);
  return raw;
}

export interface FinishOptions {
  contracts: Contracts;
  expectations: Expectations | null;
  strict?: boolean;
  out: string;
  formats: ReadonlySet<ReportFormat>;
  certify: { blockers: string[] } | null;
  mergedFrom?: number;
  write?: (line: string) => void;
  /** Print each failure's full detail (expected, observed, contract, replay) instead of one line. */
  debug?: boolean;
}

export function finishRun(raw: RawResults, opts: FinishOptions): { exitCode: number; report: ConformanceReport } {
  const say = opts.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const report = buildReport(raw, { contracts: opts.contracts, expectations: opts.expectations, strict: opts.strict, mergedFrom: opts.mergedFrom });
  const { files, certification } = writeReports(opts.out, report, { formats: opts.formats, certify: opts.certify });
  for (const line of summaryLines(report, { debug: opts.debug })) say(line);
  for (const e of report.errors) say(`run error: ${e.split('\n')[0]}`);
  for (const w of report.warnings) say(`warning: ${w}`);
  if (files.length) say(`reports: ${files.map(shown).join(', ')}`);
  let exitCode: number = report.verdict.exitCode;
  if (certification) {
    if (certification.issued) say(`certificate: issued (${shown(join(opts.out, 'certificate.json'))}, results digest ${certification.certificate.results.digest})`);
    else {
      say(`certificate: not issued: ${certification.reasons.join('; ')}`);
      if (exitCode === 0) exitCode = 1;
    }
  }
  say(`verdict: ${report.verdict.summary} (exit ${exitCode})`);
  return { exitCode, report };
}

const MAX_LISTED = 40;

const area = (name: string, a: CoverageArea) => `${name} ${a.covered}/${a.total}${a.nonconformant?.length ? ` (+${a.nonconformant.length} observed but nonconformant)` : ''}`;

/** The console summary: counts, scores (blocked apart), coverage, one line per failure, blocked checks by owner. */
export function summaryLines(report: ConformanceReport, opts: { debug?: boolean } = {}): string[] {
  const out: string[] = [];
  const { all, byLevel } = report.summary;
  const counts = (['passed', 'failed', 'flaky', 'expected-failure', 'unexpected-pass', 'blocked', 'not-applicable', 'skipped'] as const)
    .filter((o) => all[o] > 0)
    .map((o) => `${all[o]} ${o}`);
  out.push('');
  out.push(`checks: ${all.total} (${counts.join(', ') || 'none'})`);
  out.push(`score: ${(['MUST', 'SHOULD', 'MAY'] as const).map((l) => {
    const t = byLevel[l];
    const extra = [t.total ? `${score(t)}%` : '', t.blocked ? `${t.blocked} blocked` : ''].filter(Boolean).join(', ');
    return `${l} ${t.passed}/${t.total - t['not-applicable']}${extra ? ` (${extra})` : ''}`;
  }).join(' · ')}`);
  const c = report.coverage;
  out.push(`coverage: ${area('REST operations', c.restOperations)} · ${area('WS messages', c.wsMessages)} · ${area('notification types', c.notificationTypes)} · ${area('rpcs', c.rpcs)}`);
  const failing = report.checks.filter((x) => x.outcome === 'failed' || x.outcome === 'flaky' || x.outcome === 'unexpected-pass');
  if (failing.length) {
    out.push('failures:');
    for (const f of failing.slice(0, opts.debug ? failing.length : MAX_LISTED)) out.push(...failureLines(f, opts.debug));
    if (!opts.debug && failing.length > MAX_LISTED) out.push(`  … and ${failing.length - MAX_LISTED} more (see the reports)`);
  }
  const groups = report.blocked ?? [];
  if (groups.length) {
    const n = groups.reduce((s, g) => s + g.checks.length, 0);
    const owners = groups.map((g) => `${g.owner}${g.ownerResult ? ` (${g.ownerResult.outcome})` : ' (not in this run)'} ${g.checks.length}`);
    out.push(`blocked: ${n} check(s) not judged, by the check owning the broken behaviour: ${owners.join(' · ')}`);
  }
  return out;
}

function failureLines(f: CheckResult, debug = false): string[] {
  const why = f.outcome === 'unexpected-pass' ? `listed as expected to fail (${f.expectation?.reason}) but passed` : headline(f.failure?.message ?? 'failed');
  const mark = f.outcome === 'flaky' ? '~' : '✗';
  const tag = f.outcome !== 'failed' ? ` [${f.outcome}]` : '';
  const line = `  ${mark} ${f.id} ${f.level}${tag} ${why} — rerun: ${f.replay}`;
  if (!debug || !f.failure) return [line];
  return [line, ...formatFailure({ ...f.failure, cite: f.failure.cite ?? f.cites.join(', ') }).split('\n').map((l) => `      ${l}`)];
}
