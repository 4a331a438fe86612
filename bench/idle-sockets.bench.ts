/**
 * Memory for N idle WebSockets on both sides: the reference server (its own process) and the load driver (this
 * process, all its worker threads), measured as RSS once set up with no socket open, and at its peak while holding
 * the sockets (soak scenario).
 *
 *   npx tsx bench/idle-sockets.bench.ts    # env: BENCH_SOCKETS (10000), BENCH_SOCKETS_PER_USER (100),
 *                                          #      BENCH_RAMP (20s), BENCH_HOLD (20s), BENCH_WORKERS (0 = one per core)
 *
 * Each socket connects during the ramp-up and pings every 15 s. ulimit -n must exceed N on each side (server and
 * driver are separate processes). Baseline in the same run: both processes' RSS when set up, before any socket opens.
 */
import { resolveScenario } from '../load/resolve.js';
import { runLoad } from '../load/run.js';
import { summarize } from '../load/summary.js';
import { rssMiB, serveChild } from './load-support.js';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);
const PER_USER = Number(process.env.BENCH_SOCKETS_PER_USER ?? 100);
const RAMP = process.env.BENCH_RAMP ?? '20s';
const HOLD = process.env.BENCH_HOLD ?? '20s';
const WORKERS = process.env.BENCH_WORKERS ?? '0';

const server = await serveChild();
try {
  const serverBase = rssMiB(server.pid);
  const driverBase = rssMiB();
  let serverPeak = serverBase;
  let driverPeak = driverBase;
  const sampler = setInterval(() => {
    serverPeak = Math.max(serverPeak, rssMiB(server.pid));
    driverPeak = Math.max(driverPeak, rssMiB());
  }, 500);
  const ramp = Number(/\d+/.exec(RAMP)![0]);
  const hold = Number(/\d+/.exec(HOLD)![0]);
  const scenario = await resolveScenario('soak', {
    params: { concurrency: String(SOCKETS), socketsPerUser: String(PER_USER), rampUp: RAMP, duration: `${ramp + hold}s`, rate: '4/m', workers: WORKERS, timeout: '20s' },
    noScenarioThresholds: true,
  });
  // The baseline that counts: workers started and users registered, no socket open yet (the 'setup:' progress line).
  let serverReady = serverBase;
  let driverReady = driverBase;
  const result = await runLoad({
    url: server.url, scenario,
    onProgress: (l) => {
      if (l.startsWith('setup:')) [serverReady, driverReady] = [rssMiB(server.pid), rssMiB()];
      console.error(`  ${l}`);
    },
  });
  clearInterval(sampler);
  const s = summarize(result);
  const held = s.values['sockets.peak'] ?? 0;
  const perSocket = (mib: number) => ((mib * 1024) / Math.max(1, held)).toFixed(1);
  console.log(`\n${held} sockets held (asked ${SOCKETS}), ${result.workers} driver worker(s); errors ${s.values['errors.total']}${s.values['errors.total'] ? ` (${Object.entries(s.counters).filter(([k]) => k.startsWith('errors.') && k !== 'errors.total').map(([k, n]) => `${k.slice(7)} ${n}`).join(', ')})` : ''}`);
  console.log(`  ws.connect p50 ${s.values['ws.connect.p50']} ms, p99 ${s.values['ws.connect.p99']} ms; ws.pong p50 ${s.values['ws.pong.p50']} ms, p99 ${s.values['ws.pong.p99']} ms (${s.values['ws.pong.count'] ?? 0} pings)`);
  const line = (who: string, start: number, ready: number, peak: number) =>
    console.log(`  ${who} RSS  ${start.toFixed(0)} MiB at start, ${ready.toFixed(0)} MiB ready with no socket, ${peak.toFixed(0)} MiB peak holding them: +${(peak - ready).toFixed(0)} MiB = ${perSocket(peak - ready)} KiB/socket`);
  line('server', serverBase, serverReady, serverPeak);
  line('driver', driverBase, driverReady, driverPeak);
} finally {
  await server.close();
}
