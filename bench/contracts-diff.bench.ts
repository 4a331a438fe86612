/**
 * `contracts diff` of the first and last contract versions in ../shared/contracts-history (target: ≤ 2 s, loading
 * included), against the baseline of loading the same two bundles (parse, hash, AsyncAPI schema check, protos, catalogue).
 *
 *   npx tsx bench/contracts-diff.bench.ts        # env: BENCH_ROUNDS (5), CONTRACTS_HISTORY (../shared/contracts-history)
 *
 * Each round loads both bundles afresh (no cache) and diffs them; printed: median load time, median diff time, the
 * ratio diff / load, and the median in-process time (load + diff) against the 2 s target. Then the cold command
 * (`contracts diff --summary` in a new process: Node + tsx start, module loading, both bundles, the diff) against
 * `contracts show` of the newer bundle in a new process, in wall time (which follows machine load).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../contracts/index.js';
import { diffContracts, loadForDiff } from '../contracts/diff/index.js';
import { contractsHistory } from '../tests/support/contracts-history.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET_MS = 2000;

const history = contractsHistory();
if (!history) {
  console.error('no contract history found (../shared/contracts-history; set CONTRACTS_HISTORY)');
  process.exit(2);
}
const { dir: HISTORY, versions } = history;
const [first, last] = [versions[0]!, versions[versions.length - 1]!];

/** What `contracts diff` loads: the bundle loader (parse, hash, AsyncAPI schema check, protos) and the catalogue. */
const load = (dir: string) => loadForDiff(join(HISTORY, dir));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const loads: number[] = [];
const diffs: number[] = [];
let changes = 0;
load(first); // warm the module caches once, so round 1 is not an outlier
for (let i = 0; i < ROUNDS; i++) {
  const t0 = performance.now();
  const a = load(first);
  const b = load(last);
  const t1 = performance.now();
  changes = diffContracts(a, b).summary.total;
  const t2 = performance.now();
  loads.push(t1 - t0);
  diffs.push(t2 - t1);
}
const [l, d] = [median(loads), median(diffs)];
console.log(`contracts diff ${first} → ${last}: ${changes} changes; ${ROUNDS} rounds on ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`);
console.log(`  baseline: loading the two bundles   median ${l.toFixed(0)} ms (${loads.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  diff engine alone                  median ${d.toFixed(0)} ms (${diffs.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  ratio diff / load                  ${(d / l).toFixed(2)}`);
console.log(`  load + diff                        median ${(l + d).toFixed(0)} ms — target ≤ ${TARGET_MS} ms: ${l + d <= TARGET_MS ? 'met' : 'NOT met'}`);

/** Wall milliseconds of one CLI process. */
function cli(args: string[]): { wall: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'anychat-conform.js'), ...args], { encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`anychat-conform ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall };
}
const CLI_ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 3);
const cold = { diff: [] as number[], show: [] as number[] };
for (let i = 0; i < CLI_ROUNDS; i++) {
  cold.show.push(cli(['contracts', 'show', '--contracts', join(HISTORY, last)]).wall);
  cold.diff.push(cli(['contracts', 'diff', join(HISTORY, first), join(HISTORY, last), '--summary']).wall);
}
const [cs, cd] = [median(cold.show), median(cold.diff)];
console.log(`  cold CLI: contracts show (baseline) median ${cs.toFixed(0)} ms; contracts diff median ${cd.toFixed(0)} ms; ratio ${(cd / cs).toFixed(2)}; load average ${loadavg()[0]!.toFixed(1)}`);
