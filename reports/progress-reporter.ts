import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { headline } from './headline.js';
import { stripAnsi } from './raw.js';
import { classifySkip, skipReasonIn } from './skips.js';

/**
 * Progress on the console, one line per check, named by the check rather than Playwright's location:
 *
 *   ✓ REST.A1 MUST register with phone and email (116 ms)
 *   ✗ REST.A2 MUST login with phone (10.0 s) — POST /auth/login failed: HTTP 500 …
 *   ◌ blocked WS.7 MUST … — blocked: message.send is never acked — see WS.5
 *
 * No stack traces unless `debug` (run --debug): the reports keep the detail.
 */
export interface ProgressOptions {
  debug?: boolean;
  /** Where lines go (tests capture them); default stdout. */
  write?: (line: string) => void;
}

export interface ProgressInput {
  title: string;
  annotations: ReadonlyArray<{ type: string; description?: string }>;
  status: TestResult['status'];
  expectedStatus: TestResult['status'];
  durationMs: number;
  resultAnnotations?: ReadonlyArray<{ type: string; description?: string }>;
  errors: string[];
}

/** The progress line for one finished check (pure, for tests). */
export function progressLine(t: ProgressInput): string {
  const id = t.annotations.find((a) => a.type === 'check-id')?.description;
  const level = t.annotations.find((a) => a.type === 'level')?.description;
  const title = id && t.title.startsWith(`${id} `) ? t.title.slice(id.length + 1) : t.title;
  const name = [id, level, title].filter(Boolean).join(' ');
  const took = `(${duration(t.durationMs)})`;
  if (t.status === 'skipped') {
    const all = [...(t.resultAnnotations ?? []), ...t.annotations];
    const reason = skipReasonIn(t.resultAnnotations ?? []) ?? skipReasonIn(t.annotations) ?? 'skipped without a reason';
    const skip = classifySkip(reason, all);
    const mark = skip.kind === 'blocked' ? '◌ blocked' : skip.kind === 'not-applicable' ? '∅ not applicable' : '– skipped';
    return `${mark} ${name} — ${oneLine(reason)}`;
  }
  if (t.status === 'interrupted') return `! interrupted ${name}`;
  const failed = t.status === 'failed' || t.status === 'timedOut';
  if (t.status === t.expectedStatus) return failed ? `✓ ${name} ${took} (expected failure)` : `✓ ${name} ${took}`;
  if (!failed) return `✗ ${name} ${took} — passed, but was marked as expected to fail`;
  const why = t.errors[0] ? oneLine(t.errors[0]) : t.status === 'timedOut' ? 'the check timed out' : 'failed';
  return `✗ ${name} ${took} — ${why}`;
}

export default class ProgressReporter implements Reporter {
  private readonly debug: boolean;
  private readonly write: (line: string) => void;
  private done = 0;
  private total = 0;

  constructor(options: ProgressOptions = {}) {
    this.debug = !!options.debug;
    this.write = options.write ?? ((l) => process.stdout.write(l + '\n'));
  }

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.total = suite.allTests().length;
    const projects = [...new Set(suite.allTests().map((t) => t.parent.project()?.name).filter(Boolean))];
    this.write(`running ${this.total} check(s) in ${projects.join(', ') || 'no suite'} with ${config.workers} worker(s)`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.done++;
    this.write(progressLine({
      title: test.title,
      annotations: test.annotations,
      resultAnnotations: result.annotations,
      status: result.status,
      expectedStatus: test.expectedStatus,
      durationMs: result.duration,
      errors: result.errors.map((e) => stripAnsi(e.message ?? e.value ?? '')),
    }));
    if (this.debug && (result.status === 'failed' || result.status === 'timedOut')) {
      for (const e of result.errors) this.write(indent(stripAnsi(e.stack ?? e.message ?? e.value ?? '')));
    }
  }

  onStdErr(chunk: string | Buffer): void {
    if (this.debug) process.stderr.write(chunk);
  }

  onStdOut(chunk: string | Buffer): void {
    if (this.debug) process.stdout.write(chunk);
  }

  onError(error: TestError): void {
    const text = stripAnsi(error.message ?? error.value ?? 'unknown error');
    this.write(`run error: ${this.debug ? stripAnsi(error.stack ?? text) : oneLine(text)}`);
  }

  onEnd(result: FullResult): void {
    this.write(`${this.done} of ${this.total} check(s) finished (${result.status}) in ${duration(result.duration)}`);
  }
}

/** One line of a Playwright error: without the error class prefix ('ConformanceFailure: ', 'Error: '). */
const oneLine = (s: string) => headline(s.trim().replace(/^[A-Z]\w*(?:Error|Failure): /, ''), 200);

const indent = (s: string) => s.split('\n').map((l) => `    ${l}`).join('\n');

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
