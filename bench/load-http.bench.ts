/**
 * The load driver's HTTP throughput against `wrk` on the same endpoint of the same reference server, in the same run.
 *
 *   npx tsx bench/load-http.bench.ts      # env: BENCH_SECONDS (6), BENCH_CONNECTIONS (64), BENCH_ROUNDS (5), BENCH_WORKERS (1)
 *
 * Endpoint: GET /api/v1/users/me with a bearer token (wrk gets it through a Lua header script). The server runs in its
 * own process (file DB). wrk: -t1 -c<CONNECTIONS>; the driver: rest-mix with mix GET /users/me=1, closed loop
 * (--rate max) with <CONNECTIONS> VUs on <CONNECTIONS> HTTP connections and <WORKERS> worker thread(s). Rounds
 * alternate wrk and driver so drift on a shared machine hits both; the verdict is the median of the per-round ratios.
 * Target: driver/wrk ≥ 0.7. Needs `wrk` (Debian: apt-get install -y wrk).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ratio, runScenario, serveChild } from './load-support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);

if (spawnSync('wrk', ['--version']).error) {
  console.error('wrk is not installed (Debian: apt-get install -y wrk); it is the baseline of this benchmark');
  process.exit(2);
}

const server = await serveChild();
const dir = mkdtempSync(join(tmpdir(), 'load-http-bench-'));
try {
  const reg = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phoneNumber: `139${String(Date.now()).slice(-8)}`, email: `wrk${Date.now()}@bench.test`, password: 'benchPass123', verifyCode: '123456', deviceId: 'wrk', deviceType: 'ios', clientVersion: '1.0.0', nickname: 'wrk' }),
    signal: AbortSignal.timeout(15_000),
  });
  const token = ((await reg.json()) as any).data.accessToken as string;
  const lua = join(dir, 'auth.lua');
  writeFileSync(lua, `wrk.headers["Authorization"] = "Bearer ${token}"\n`);

  const wrkRps: number[] = [];
  const driverRps: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--timeout', '10s', '-s', lua, `${server.url}/api/v1/users/me`], { encoding: 'utf8' });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    wrkRps.push(rps);
    console.log(`round ${round}  wrk     ${rps.toFixed(0)} req/s${non2xx ? ` (${non2xx} non-2xx!)` : ''}`);
    const s = await runScenario(server.url, 'rest-mix', {
      mix: 'GET /users/me=1', rate: 'max', vus: String(CONNECTIONS), connections: String(CONNECTIONS), workers: String(WORKERS), duration: `${SECONDS}s`,
    });
    driverRps.push(s.values.rps!);
    console.log(`round ${round}  driver  ${s.values.rps!.toFixed(0)} req/s (p50 ${s.values['http.p50']} ms, p99 ${s.values['http.p99']} ms, errors ${s.values['errors.total']})`);
  }
  const best = (xs: number[]) => Math.max(...xs);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const perRound = wrkRps.map((w, i) => driverRps[i]! / w);
  console.log(`\nGET /users/me, ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds, driver on ${WORKERS} worker(s)`);
  console.log(`  wrk     mean ${mean(wrkRps).toFixed(0)} req/s, best ${best(wrkRps).toFixed(0)}`);
  console.log(`  driver  mean ${mean(driverRps).toFixed(0)} req/s, best ${best(driverRps).toFixed(0)}`);
  console.log(`  ratio driver/wrk per round: ${perRound.map((r) => r.toFixed(2)).join(' ')}`);
  console.log(`  ratio driver/wrk: median of rounds ${median(perRound).toFixed(2)}, of means ${ratio(mean(driverRps), mean(wrkRps))}, of bests ${ratio(best(driverRps), best(wrkRps))}  (target ≥ 0.7)`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
