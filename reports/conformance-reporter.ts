import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { RECORD_ATTACHMENT } from '../fixtures/recorder.js';
import { RAW_FORMAT, stripAnsi, type RawAttempt, type RawResults, type RawTest, type RunMetadata } from './raw.js';

/**
 * Playwright reporter that writes the raw conformance results (reports/raw.ts) to `outputFile`
 * (option, else env ANYCHAT_RAW_RESULTS). It only collects: outcomes, scores and reports are built by the CLI
 * from this file, for a single run and for merged shards alike.
 */
export default class ConformanceReporter implements Reporter {
  private config!: FullConfig;
  private root!: Suite;
  private readonly errors: string[] = [];
  private readonly outputFile: string;

  constructor(options: { outputFile?: string } = {}) {
    const file = options.outputFile ?? process.env.ANYCHAT_RAW_RESULTS;
    if (!file) throw new Error('conformance reporter: no outputFile option and no ANYCHAT_RAW_RESULTS');
    this.outputFile = file;
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.config = config;
    this.root = suite;
  }

  onError(error: TestError): void {
    this.errors.push(errorText(error));
  }

  onEnd(result: FullResult): void {
    const meta = (this.config?.metadata as { anychat?: RunMetadata } | undefined)?.anychat ?? null;
    const raw: RawResults = {
      format: RAW_FORMAT,
      metadata: meta,
      playwrightVersion: this.config?.version ?? 'unknown',
      shard: this.config?.shard ?? null,
      status: result.status,
      startedAt: result.startTime.toISOString(),
      durationMs: Math.round(result.duration),
      errors: this.errors,
      tests: this.root ? this.root.allTests().map((t) => this.test(t)) : [],
    };
    mkdirSync(dirname(this.outputFile), { recursive: true });
    writeFileSync(this.outputFile, JSON.stringify(raw));
  }

  private test(t: TestCase): RawTest {
    const project = t.parent.project();
    const testDir = project?.testDir ?? this.config.rootDir;
    return {
      project: project?.name ?? '',
      file: relative(testDir, fileOfSpec(t)).split('\\').join('/'),
      title: t.title,
      tags: t.tags.map((x) => x.replace(/^@/, '')),
      annotations: t.annotations.map(({ type, description }) => ({ type, description })),
      expectedStatus: t.expectedStatus,
      repeatEachIndex: t.repeatEachIndex,
      attempts: t.results.map((r) => attempt(r)),
    };
  }
}

/** The spec file that declared the test (check() wrappers make t.location point into suites/check.ts). */
function fileOfSpec(t: TestCase): string {
  let s: Suite | undefined = t.parent;
  while (s && s.type !== 'file') s = s.parent;
  return s?.location?.file ?? t.location.file;
}

function attempt(r: TestResult): RawAttempt {
  const body = r.attachments.find((a) => a.name === RECORD_ATTACHMENT)?.body;
  let record: RawAttempt['record'] = null;
  if (body) {
    try {
      record = JSON.parse(body.toString('utf8'));
    } catch {
      record = null;
    }
  }
  return {
    status: r.status,
    durationMs: Math.round(r.duration),
    startTime: r.startTime.toISOString(),
    retry: r.retry,
    errors: r.errors.map(errorText),
    annotations: (r.annotations ?? []).map(({ type, description }) => ({ type, description })),
    record,
  };
}

function errorText(e: TestError): string {
  const text = e.message ?? e.value ?? 'unknown error';
  return stripAnsi(text);
}
