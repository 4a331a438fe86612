import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../contracts/index.js';

export interface CheckOutcome {
  id: string;
  level: string;
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  message?: string;
  /** Inline attachments of the last result, name → decoded body (e.g. 'ordering-result'). */
  attachments?: Record<string, string>;
}

export interface SuiteRun {
  outcomes: CheckOutcome[];
  failedIds: string[];
  exitCode: number | null;
  stderr: string;
}

const playwrightCli = join(packageRoot, 'node_modules', '@playwright', 'test', 'cli.js');

/**
 * Run harness suites (Playwright projects) against a live target and return one outcome per check,
 * read from Playwright's JSON reporter. Used by self-tests that need check-level verdicts.
 */
export async function runSuites(opts: {
  url: string;
  grpc?: string | null;
  suites: string[];
  seed?: number;
  workers?: number;
  grep?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<SuiteRun> {
  const dir = mkdtempSync(join(tmpdir(), 'suite-run-'));
  const out = join(dir, 'results.json');
  const args = [playwrightCli, 'test', '--config', join(packageRoot, 'playwright.config.ts'), ...opts.suites.flatMap((s) => ['--project', s]), '--reporter', 'json'];
  if (opts.grep) args.push('--grep', opts.grep);
  const env = {
    ...process.env,
    ANYCHAT_TARGET: opts.url,
    ANYCHAT_GRPC: opts.grpc ?? '',
    ANYCHAT_SEED: String(opts.seed ?? 42),
    ANYCHAT_WORKERS: String(opts.workers ?? 1),
    ANYCHAT_ADMIN_USER: 'admin',
    ANYCHAT_ADMIN_PASSWORD: 'Admin@123456',
    ANYCHAT_PW_OUTPUT: join(dir, 'pw'),
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    ...opts.env,
  };
  let stderr = '';
  const exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: packageRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  let report: any = { suites: [] };
  try {
    report = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    // no report: the run crashed; outcomes stay empty and the caller sees stderr
  }
  rmSync(dir, { recursive: true, force: true });
  const outcomes: CheckOutcome[] = [];
  const walk = (suite: any) => {
    for (const s of suite.suites ?? []) walk(s);
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const ann = (type: string) => (t.annotations ?? []).find((a: any) => a.type === type)?.description;
        const last = t.results?.[t.results.length - 1];
        outcomes.push({
          id: ann('check-id') ?? spec.title,
          level: ann('level') ?? '?',
          status: last?.status ?? 'skipped',
          // A failure's first lines, or a skipped (blocked) check's reason.
          message: last?.error?.message?.split('\n').slice(0, 4).join('\n')
            ?? [...(last?.annotations ?? []), ...(t.annotations ?? [])].find((a: any) => a.type === 'skip')?.description,
          attachments: Object.fromEntries((last?.attachments ?? []).filter((a: any) => typeof a.body === 'string').map((a: any) => [a.name, Buffer.from(a.body, 'base64').toString('utf8')])),
        });
      }
    }
  };
  for (const s of report.suites ?? []) walk(s);
  return { outcomes, failedIds: outcomes.filter((o) => o.status === 'failed' || o.status === 'timedOut').map((o) => o.id), exitCode, stderr };
}
