import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Contracts } from '../contracts/index.js';
import { SetupError } from '../contracts/errors.js';
import type { Expectations } from '../reports/expectations.js';
import { buildReport, score, type ConformanceReport } from '../reports/model.js';
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
}

export function finishRun(raw: RawResults, opts: FinishOptions): { exitCode: number; report: ConformanceReport } {
  const say = opts.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const report = buildReport(raw, { contracts: opts.contracts, expectations: opts.expectations, strict: opts.strict, mergedFrom: opts.mergedFrom });
  const { files, certification } = writeReports(opts.out, report, { formats: opts.formats, certify: opts.certify });
  const { all, byLevel } = report.summary;
  const counts = (['passed', 'failed', 'flaky', 'expected-failure', 'unexpected-pass', 'skipped'] as const)
    .filter((o) => all[o] > 0)
    .map((o) => `${all[o]} ${o}`);
  say('');
  say(`checks: ${all.total} (${counts.join(', ') || 'none'})`);
  say(`score: ${(['MUST', 'SHOULD', 'MAY'] as const).map((l) => `${l} ${byLevel[l].passed}/${byLevel[l].total}${byLevel[l].total ? ` (${score(byLevel[l])}%)` : ''}`).join(' · ')}`);
  const c = report.coverage;
  say(`coverage: REST operations ${c.restOperations.covered}/${c.restOperations.total} · WS messages ${c.wsMessages.covered}/${c.wsMessages.total} · notification types ${c.notificationTypes.covered}/${c.notificationTypes.total} · rpcs ${c.rpcs.covered}/${c.rpcs.total}`);
  const failing = report.checks.filter((x) => x.outcome === 'failed' || x.outcome === 'flaky' || x.outcome === 'unexpected-pass');
  if (failing.length) {
    say('failures:');
    for (const f of failing.slice(0, 40)) {
      const why = f.outcome === 'unexpected-pass' ? `listed as expected to fail (${f.expectation?.reason}) but passed` : (f.failure?.message ?? '').split('\n')[0];
      say(`  ${f.outcome === 'flaky' ? '~' : '✗'} ${f.level.padEnd(6)} ${f.id} ${f.title}${f.outcome !== 'failed' ? ` [${f.outcome}]` : ''}`);
      if (why) say(`      ${why}`);
      say(`      rerun: ${f.replay}`);
    }
    if (failing.length > 40) say(`  … and ${failing.length - 40} more (see the reports)`);
  }
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
