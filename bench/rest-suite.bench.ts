/**
 * Wall time of a full REST + security run against the reference server on loopback (target: < 30 s).
 *
 *   npx tsx bench/rest-suite.bench.ts        # env: BENCH_WORKERS (2), BENCH_SEED (42)
 *
 * The server runs as a child process (`serve --port 0 --grpc-port -1 --db :memory:`, admin seeded, a known JWT secret
 * so SEC.4 runs); the suites run through Playwright with the JSON reporter. Printed: wall time, the verdicts, the
 * slowest checks, and the server's CPU seconds (a figure that depends less on machine load).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../contracts/index.js';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const SEED = Number(process.env.BENCH_SEED ?? 42);
const SECRET = 'bench-rest-suite-secret';
const TARGET_MS = 30_000;

/** user+system CPU seconds of a process (Linux /proc), or NaN. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function startServer(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['bin/anychat-conform.js', 'serve', '--port', '0', '--grpc-port', '-1', '--db', ':memory:', '--jwt-secret', SECRET], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server printed no address within 20 s')), 20_000);
    createInterface({ input: proc.stdout! }).once('line', (l) => { clearTimeout(timer); resolve(l); });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { proc, url: JSON.parse(line).http };
}

async function main(): Promise<void> {
  const server = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'bench-rest-'));
  const out = join(dir, 'results.json');
  const load = loadavg()[0]!.toFixed(1);
  const started = Date.now();
  try {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [join(packageRoot, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '--config', join(packageRoot, 'playwright.config.ts'), '--project', 'rest', '--project', 'security', '--reporter', 'json'], {
        cwd: packageRoot,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env, ANYCHAT_TARGET: server.url, ANYCHAT_SEED: String(SEED), ANYCHAT_WORKERS: String(WORKERS), ANYCHAT_ADMIN_USER: 'admin', ANYCHAT_ADMIN_PASSWORD: 'Admin@123456',
          ANYCHAT_JWT_SECRET: SECRET, ANYCHAT_PW_OUTPUT: join(dir, 'pw'), PLAYWRIGHT_JSON_OUTPUT_NAME: out,
        },
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
      child.on('close', (c) => { clearTimeout(timer); resolve(c); });
    });
    const wallMs = Date.now() - started;
    const serverCpu = cpuSeconds(server.proc.pid);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const checks: { id: string; status: string; ms: number }[] = [];
    const walk = (s: any) => {
      for (const x of s.suites ?? []) walk(x);
      for (const sp of s.specs ?? []) for (const t of sp.tests ?? []) {
        const r = t.results?.[t.results.length - 1];
        checks.push({ id: sp.title.split(' ')[0], status: r?.status ?? 'skipped', ms: r?.duration ?? 0 });
      }
    };
    for (const s of report.suites ?? []) walk(s);
    const by = (st: string) => checks.filter((c) => c.status === st).length;
    const sum = checks.reduce((n, c) => n + c.ms, 0);
    console.log(`REST + security on loopback: ${(wallMs / 1000).toFixed(1)} s wall (target < ${TARGET_MS / 1000} s) ${wallMs < TARGET_MS ? 'OK' : 'OVER TARGET'}`);
    console.log(`  ${checks.length} checks: ${by('passed')} passed, ${by('failed') + by('timedOut')} failed, ${by('skipped')} skipped; exit ${code}; ${WORKERS} workers; seed ${SEED}`);
    console.log(`  sum of check durations ${(sum / 1000).toFixed(1)} s; server CPU ${serverCpu.toFixed(1)} s; load average at start ${load} on ${cpus().length} cores`);
    console.log('  slowest:', checks.sort((a, b) => b.ms - a.ms).slice(0, 8).map((c) => `${c.id} ${(c.ms / 1000).toFixed(1)}s`).join(', '));
  } finally {
    server.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
