/**
 * The reference server's capacity for the `chat` scenario: the highest message rate whose ack p99 stays ≤ 10 ms
 * (with no errors and no lost, duplicated or reordered deliveries), found by stepping the rate up.
 *
 *   npx tsx bench/chat-capacity.bench.ts   # env: BENCH_VUS (50), BENCH_GROUP (10), BENCH_SECONDS (10),
 *                                          #      BENCH_RATES ("1,2,4,6,8,12,16,24,32" per VU per second), BENCH_P99_MS (10)
 *
 * The server runs in its own process on a file DB (WAL, synchronous=FULL: every ack follows a durable commit). Each
 * step is a fresh `chat` run (new users and groups) at one per-VU rate; total rate = VUs × rate, and every message is
 * delivered to group size − 1 devices. A step over the p99 budget is retried once; the search stops after the first
 * failing step. Baseline in the same run: the
 * lowest step, whose p99 is the floor the machine gives at almost no load.
 */
import { runScenario, serveChild } from './load-support.js';

const VUS = Number(process.env.BENCH_VUS ?? 50);
const GROUP = Number(process.env.BENCH_GROUP ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATES = (process.env.BENCH_RATES ?? '1,2,4,6,8,12,16,24,32').split(',').map(Number);
const P99_MS = Number(process.env.BENCH_P99_MS ?? 10);

const server = await serveChild();
const rows: Array<{ total: number; p50: number; p99: number; deliveriesPerSec: number; ok: boolean; why: string }> = [];
try {
  for (const rate of RATES) {
    // A failing step is run once more: on a shared machine one bad second can sink a p99.
    let s = await runScenario(server.url, 'chat', { vus: String(VUS), groupSize: String(GROUP), rate: `${rate}/s`, duration: `${SECONDS}s`, rampUp: '1s', grace: '3s' });
    if (s.values['ack.p99']! > P99_MS) s = await runScenario(server.url, 'chat', { vus: String(VUS), groupSize: String(GROUP), rate: `${rate}/s`, duration: `${SECONDS}s`, rampUp: '1s', grace: '3s' });
    const v = s.values;
    const problems = [
      v['ack.p99']! > P99_MS ? `ack p99 ${v['ack.p99']} ms > ${P99_MS} ms` : '',
      v['errors.total']! > 0 ? `${v['errors.total']} errors` : '',
      (v.lost ?? 0) + (v.duplicated ?? 0) + (v['ordering.violations'] ?? 0) > 0 ? `lost ${v.lost} dup ${v.duplicated} order ${v['ordering.violations']}` : '',
    ].filter(Boolean);
    const row = { total: v['messages.rate']!, p50: v['ack.p50']!, p99: v['ack.p99']!, deliveriesPerSec: v['deliveries.rate']!, ok: problems.length === 0, why: problems.join(', ') };
    rows.push(row);
    console.log(`${String(rate).padStart(3)}/s per VU → ${row.total.toFixed(0).padStart(5)} msgs/s, ${row.deliveriesPerSec.toFixed(0).padStart(6)} deliveries/s: ack p50 ${row.p50} ms, p99 ${row.p99} ms, delivery p99 ${v['delivery.p99']} ms, driver lag p99 ${v['driver.lag.p99']} ms  ${row.ok ? 'PASS' : `FAIL (${row.why})`}`);
    if (!row.ok) break;
  }
} finally {
  await server.close();
}
const passing = rows.filter((r) => r.ok);
const best = passing.at(-1);
console.log(`\nchat capacity at ack p99 ≤ ${P99_MS} ms (${VUS} VUs in groups of ${GROUP}, ${SECONDS} s steps):`);
console.log(best ? `  ${best.total.toFixed(0)} msgs/s acked (${best.deliveriesPerSec.toFixed(0)} deliveries/s), ack p99 ${best.p99} ms` : '  no step passed');
if (rows[0]) console.log(`  baseline (lowest step): ack p99 ${rows[0].p99} ms at ${rows[0].total.toFixed(0)} msgs/s; best/baseline rate ×${best ? (best.total / rows[0].total).toFixed(1) : 'n/a'}`);
