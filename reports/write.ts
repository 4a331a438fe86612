import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderBadge } from './badge.js';
import { CERTIFICATE_FILE, certify, type CertificationResult } from './certificate.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import type { CheckResult, ConformanceReport } from './model.js';
import { RAW_RESULTS_FILE } from './raw.js';

export type ReportFormat = 'html' | 'junit' | 'json';

export const REPORT_FILES = {
  json: 'report.json',
  junit: 'junit.xml',
  html: 'report.html',
  badge: 'badge.svg',
  certificate: CERTIFICATE_FILE,
  exchanges: 'exchanges',
  blob: 'blob',
  raw: RAW_RESULTS_FILE,
  playwright: 'test-results',
} as const;

/** Remove what an earlier run left in `outDir` (a stale certificate must never survive a failing rerun). */
export function cleanOutputs(outDir: string): void {
  for (const f of Object.values(REPORT_FILES)) rmSync(join(outDir, f), { recursive: true, force: true });
}

export interface WriteOptions {
  formats: ReadonlySet<ReportFormat>;
  /** null = certification not requested. */
  certify: { blockers: string[] } | null;
}

export interface Written {
  files: string[];
  certification: CertificationResult | null;
}

/** Render the selected formats (+ badge with html, + certificate when requested and earned) into `outDir`. */
export function writeReports(outDir: string, report: ConformanceReport, opts: WriteOptions): Written {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, body: string) => {
    writeFileSync(join(outDir, name), body);
    files.push(join(outDir, name));
  };
  const certification = opts.certify ? certify(report, opts.certify.blockers) : null;
  if (certification?.issued) put(REPORT_FILES.certificate, JSON.stringify(certification.certificate, null, 2) + '\n');
  if (opts.formats.has('json')) {
    const exchangesDir = join(outDir, REPORT_FILES.exchanges);
    const checks = report.checks.map((c) => {
      const { exchanges, ...rest } = c;
      let ref: { file: string; count: number } | null = null;
      if (exchanges.length > 0) {
        const rel = `${REPORT_FILES.exchanges}/${safe(c.suite)}/${safe(c.id)}.json`;
        mkdirSync(join(exchangesDir, safe(c.suite)), { recursive: true });
        writeFileSync(join(outDir, rel), JSON.stringify(exchanges, null, 1));
        ref = { file: rel, count: exchanges.length + c.droppedExchanges };
      }
      return { ...rest, exchanges: ref } satisfies Omit<CheckResult, 'exchanges'> & { exchanges: unknown };
    });
    const certificate = certification
      ? certification.issued
        ? { issued: true, file: REPORT_FILES.certificate, resultsDigest: certification.certificate.results.digest }
        : { issued: false, reasons: certification.reasons }
      : null;
    put(REPORT_FILES.json, JSON.stringify({ ...report, checks, certificate }, null, 2) + '\n');
  }
  if (opts.formats.has('junit')) put(REPORT_FILES.junit, renderJunit(report));
  if (opts.formats.has('html')) {
    put(REPORT_FILES.html, renderHtml(report, certification));
    put(REPORT_FILES.badge, renderBadge(report));
  }
  return { files, certification };
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_') || '_';
