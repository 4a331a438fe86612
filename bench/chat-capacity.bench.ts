/**
 * The reference server's capacity for the `chat` scenario: the highest message rate whose ack p99 stays ≤ 10 ms
 * (with no errors and no lost, duplicated or reordered deliveries), found by stepping the rate up.
 *
 *   npx tsx bench/chat-capacity.bench.ts   # env: BENCH_VUS (50), BENCH_GROUP (10), BENCH_SECONDS (10),
 *                                          #      BENCH_RATES ("1,2,4,8,16,32,64,96,128,192" per VU per second), BENCH_P99_MS (10),
 *                                          #      BENCH_DB (memory = no fsync, for comparison only)
 *
 * The server runs in its own process on a file DB (WAL; every ack follows the fsync of its commit). Each
 * step is a fresh `chat` run (new users and groups) at one per-VU rate; total rate = VUs × rate, and every message is
 * delivered to group size − 1 devices. A step over the p99 budget is retried once. Stepping goes on past the budget
 * (to show the knee) until a step has errors or losses or a p99 over 1 s. Baseline in the same run: the lowest step,
 * whose p99 is the floor the machine gives at almost no load; the load generator's own lateness (driver.lag) is
 * printed beside it, since open-model latencies include it.
 */
import { runScenario, serveChild } from './load-support.js';

const VUS = Number(process.env.BENCH_VUS ?? 50);
const GROUP = Number(process.env.BENCH_GROUP ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATES = (process.env.BENCH_RATES ?? '1,2,4,8,16,32,64,96,128,192').split(',').map(Number);
const P99_MS = Number(process.env.BENCH_P99_MS ?? 10);
const BUDGETS = [...new Set([P99_MS, 50, 100])].sort((a, b) => a - b);

interface Row { rate: number; total: number; p50: number; p99: number; lag99: number; deliveriesPerSec: number; clean: boolean; why: string }

const server = await serveChild([], process.env.BENCH_DB === 'memory' ? ':memory:' : undefined);
const rows: Row[] = [];
try {
  for (const rate of RATES) {
    const params = { vus: String(VUS), groupSize: String(GROUP), rate: `${rate}/s`, duration: `${SECONDS}s`, rampUp: '1s', grace: '3s' };
    let s = await runScenario(server.url, 'chat', params);
    if (s.values['ack.p99']! > P99_MS) s = await runScenario(server.url, 'chat', params);
    const v = s.values;
    const problems = [
      v['errors.total']! > 0 ? `${v['errors.total']} errors` : '',
      (v.lost ?? 0) + (v.duplicated ?? 0) + (v['ordering.violations'] ?? 0) > 0 ? `lost ${v.lost} dup ${v.duplicated} order ${v['ordering.violations']}` : '',
    ].filter(Boolean);
    const row: Row = {
      rate, total: v['messages.rate']!, p50: v['ack.p50']!, p99: v['ack.p99']!, lag99: v['driver.lag.p99'] ?? 0,
      deliveriesPerSec: v['deliveries.rate']!, clean: problems.length === 0, why: problems.join(', '),
    };
    rows.push(row);
    console.log(`${String(rate).padStart(3)}/s per VU → ${row.total.toFixed(0).padStart(5)} msgs/s, ${row.deliveriesPerSec.toFixed(0).padStart(6)} deliveries/s: ` +
      `ack p50 ${row.p50} ms, p99 ${row.p99} ms; delivery p99 ${v['delivery.p99']} ms; driver lag p99 ${row.lag99} ms` +
      `  ${!row.clean ? `FAIL (${row.why})` : row.p99 <= P99_MS ? 'PASS' : `over ${P99_MS} ms`}`);
    if (!row.clean || row.p99 > 1000) break;
  }
} finally {
  await server.close();
}
console.log(`\nchat capacity (${VUS} VUs in groups of ${GROUP}, ${SECONDS} s steps, ${process.env.BENCH_DB === 'memory' ? 'in-memory DB (no fsync)' : 'file DB, acks after fsync'}):`);
for (const budget of BUDGETS) {
  const best = rows.filter((r) => r.clean && r.p99 <= budget).at(-1);
  console.log(`  ack p99 ≤ ${String(budget).padStart(3)} ms: ${best ? `${best.total.toFixed(0)} msgs/s acked (${best.deliveriesPerSec.toFixed(0)} deliveries/s), p99 ${best.p99} ms` : 'no step passed'}${budget === P99_MS ? '   ← target budget' : ''}`);
}
if (rows[0]) console.log(`  baseline (lowest step, ${rows[0].total.toFixed(0)} msgs/s): ack p99 ${rows[0].p99} ms with the driver itself late by up to ${rows[0].lag99} ms (p99)`);
