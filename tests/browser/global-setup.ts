import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

/**
 * Produce a real report to look at: the gRPC checks against the in-process reference server with two faults on, so
 * the report holds passes and real failures (GRPC.GR1 is a MUST failure). Workers find it in REPORT_UNDER_TEST.
 */
export default async function globalSetup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'anychat-report-ui-'));
  const run = await runCli(
    ['run', '--serve', '--fault', 'grpc.unimplemented,grpc.empty-field', '--suite', 'grpc', '--grep', 'GRPC\\.(GR|MessageService\\.Get|UserService)',
      '--seed', '3', '--workers', '2', '--reporter', 'dot,html,json,junit', '--certify', '--out', dir],
    { timeoutMs: 240_000 },
  );
  if (run.code !== 1 || !existsSync(join(dir, 'report.html'))) {
    throw new Error(`expected a nonconformant run with a report (exit 1), got exit ${run.code}:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
  }
  process.env.REPORT_UNDER_TEST = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
