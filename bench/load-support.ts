/** Shared by the load benchmarks: the reference server in its own process, RSS readings, one load run → summary. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../contracts/index.js';
import { resolveScenario } from '../load/resolve.js';
import { runLoad } from '../load/run.js';
import { summarize, type Summary } from '../load/summary.js';

export interface ServerProcess {
  url: string;
  pid: number;
  close(): Promise<void>;
}

/** `anychat-conform serve --port 0 --grpc-port -1 --db <tmp file>` (or `db`) as a child process. */
export async function serveChild(faults: string[] = [], db?: string): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'load-bench-'));
  const args = [join(packageRoot, 'bin', 'anychat-conform.js'), 'serve', '--port', '0', '--grpc-port', '-1', '--db', db ?? join(dir, 'anychat.db')];
  if (faults.length) args.push('--fault', faults.join(','));
  const proc: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve: no address line within 90 s')), 90_000); // slow on a busy shared machine
    createInterface({ input: proc.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return {
    url: JSON.parse(line).http,
    pid: proc.pid!,
    async close() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number | 'self' = 'self'): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Run one built-in scenario quietly and summarise it. */
export async function runScenario(url: string, name: string, params: Record<string, unknown>, thresholds: string[] = []): Promise<Summary> {
  const scenario = await resolveScenario(name, { params, thresholds, noScenarioThresholds: true });
  const result = await runLoad({ url, scenario });
  if (result.aborted) throw new Error(result.aborted);
  return summarize(result);
}

export const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
