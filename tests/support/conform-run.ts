import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from '../browser/cli.js';

/**
 * `anychat-conform run …` as a user runs it (a child process), its report.json read back: the proofs of issues 12/13
 * judge the harness by the report it writes, check by check.
 */
export interface ReportCheck {
  id: string;
  level: 'MUST' | 'SHOULD' | 'MAY';
  suite: string;
  outcome: string;
  durationMs: number;
  [k: string]: unknown;
}

export interface ConformRun extends CliRun {
  report: { checks: ReportCheck[]; verdict: { exitCode: number; summary: string; [k: string]: unknown }; [k: string]: unknown };
  out: string;
}

export async function conformRun(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ConformRun> {
  const out = mkdtempSync(join(tmpdir(), 'conform-run-'));
  const r = await runCli(['run', ...args, '--out', out, '--reporter', 'json'], { env: opts.env, timeoutMs: opts.timeoutMs ?? 600_000 });
  let report: ConformRun['report'];
  try {
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  } catch (e) {
    throw new Error(`no report.json (exit ${r.code}${r.killed ? ', killed' : ''}): ${(e as Error).message}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return { ...r, report, out };
}

export const removeRun = (r: ConformRun) => rmSync(r.out, { recursive: true, force: true });

export const idsWith = (r: ConformRun, outcome: string) => r.report.checks.filter((c) => c.outcome === outcome).map((c) => c.id).sort();

/**
 * What a blocked check cites: the owner id and the reason, under whichever field the report model uses for them
 * (blockedBy / blocked.by / reason / skipReason), as one text to search.
 */
export function citation(c: ReportCheck): string {
  const blocked = c.blocked as { by?: unknown; reason?: unknown } | undefined;
  return [c.blockedBy, blocked?.by, blocked?.reason, c.reason, c.blockReason, c.skipReason].filter((v) => typeof v === 'string' && v !== '').join(' · ');
}

/** One line per check, for assertion messages. */
export const describeChecks = (checks: ReportCheck[]) => checks.map((c) => `${c.id} [${c.level}] ${c.outcome} ${c.durationMs} ms ${citation(c)}`).join('\n');
