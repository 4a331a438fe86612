/**
 * `contracts diff` of the first and last contract versions in ../shared/contracts-history (target: ≤ 2 s, loading
 * included), against the baseline of loading the same two bundles (parse, hash, protos, catalogue, validators).
 *
 *   npx tsx bench/contracts-diff.bench.ts        # env: BENCH_ROUNDS (5), CONTRACTS_HISTORY (../shared/contracts-history)
 *
 * Each round loads both bundles afresh (no cache) and diffs them; printed: median load time, median diff time, the
 * ratio diff / load, and the median end-to-end time (load + diff) against the 2 s target.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { buildCatalogue, ContractValidators, loadBundle, type Contracts } from '../contracts/index.js';
import { diffContracts } from '../contracts/diff/index.js';
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

function load(dir: string): Contracts {
  const bundle = loadBundle(join(HISTORY, dir));
  const catalogue = buildCatalogue(bundle);
  return { bundle, catalogue, validators: new ContractValidators(bundle, catalogue) };
}

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
