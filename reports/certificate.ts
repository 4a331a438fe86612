import { createHash } from 'node:crypto';
import type { ConformanceReport, Outcome } from './model.js';

export const CERTIFICATE_FILE = 'certificate.json';

/** Issued only when every selected MUST check passed (skipped is not passed) and the run's verdict is 0. */
export interface Certificate {
  format: 'anychat-conformance-certificate/1';
  issuedAt: string;
  target: string;
  profile: 'default' | 'strict';
  suites: string[];
  /** Set when the run was narrowed with --grep: the certificate covers only those checks. */
  grep: string | null;
  seed: number;
  harness: { name: 'anychat-conform'; version: string; playwright: string };
  contract: ConformanceReport['run']['contract'];
  results: {
    checks: number;
    mustPassed: number;
    byOutcome: { [o in Outcome]: number };
    /** sha256 over the lines of `list`, each `${id}\t${outcome}\n`, sorted. */
    digest: string;
    list: Array<[id: string, outcome: Outcome]>;
  };
  runId: string;
}

export type CertificationResult = { issued: true; certificate: Certificate } | { issued: false; reasons: string[] };

export function resultsDigest(list: Array<[string, string]>): string {
  return createHash('sha256').update(list.map(([id, o]) => `${id}\t${o}\n`).join('')).digest('hex');
}

/** `blockers`: reasons outside the results (an unmerged shard, missing shards) that forbid a certificate. */
export function certify(report: ConformanceReport, blockers: string[] = []): CertificationResult {
  const reasons = [...blockers];
  const must = report.checks.filter((c) => c.level === 'MUST');
  const notPassed = must.filter((c) => c.outcome !== 'passed');
  if (report.verdict.exitCode !== 0) reasons.push(`the verdict is ${report.verdict.summary}`);
  if (must.length === 0) reasons.push('no MUST check was selected');
  if (notPassed.length > 0) {
    const shown = notPassed.slice(0, 8).map((c) => `${c.id} (${c.outcome}${c.skipReason ? `: ${c.skipReason}` : ''})`);
    reasons.push(`${notPassed.length} MUST check(s) did not pass: ${shown.join(', ')}${notPassed.length > 8 ? ', …' : ''}`);
  }
  if (reasons.length > 0) return { issued: false, reasons };
  const list = report.checks
    .map((c): [string, Outcome] => [c.id, c.outcome])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  const { all } = report.summary;
  return {
    issued: true,
    certificate: {
      format: 'anychat-conformance-certificate/1',
      issuedAt: new Date().toISOString(),
      target: report.run.target,
      profile: report.strict ? 'strict' : 'default',
      suites: report.run.suites,
      grep: report.run.grep,
      seed: report.run.seed,
      harness: { name: 'anychat-conform', version: report.run.harnessVersion, playwright: report.run.playwrightVersion },
      contract: report.run.contract,
      results: {
        checks: report.checks.length,
        mustPassed: must.length,
        byOutcome: { passed: all.passed, failed: all.failed, flaky: all.flaky, 'unexpected-pass': all['unexpected-pass'], 'expected-failure': all['expected-failure'], blocked: all.blocked, 'not-applicable': all['not-applicable'], skipped: all.skipped },
        digest: resultsDigest(list),
        list,
      },
      runId: report.run.runId,
    },
  };
}
