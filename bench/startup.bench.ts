/**
 * Start-up of the `anychat-conform` command (issue 14): `--version`, `contracts show --json` and `checks list`, each the
 * median of BENCH_ROUNDS runs, against `node -e 0` measured in the same rounds, interleaved, so machine load hits both alike.
 *
 *   npm run build && npx tsx bench/startup.bench.ts     # env: BENCH_ROUNDS (5), BENCH_BIN, BENCH_BEFORE_BIN
 *
 * BENCH_BIN (default: this checkout's bin/anychat-conform.js) may point at an installed package's
 * node_modules/anychat-conform/bin/anychat-conform.js; BENCH_BEFORE_BIN at the bin of another checkout (e.g. the commit
 * before issue 14, which ran the sources through tsx) to print before/after side by side.
 * Budgets (issue 14, this 2-core machine): --version ≤ 0.3 s, contracts show ≤ 1 s, checks list ≤ 1.5 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../contracts/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const BIN = resolve(process.env.BENCH_BIN || join(packageRoot, 'bin', 'anychat-conform.js'));
const BEFORE = process.env.BENCH_BEFORE_BIN ? resolve(process.env.BENCH_BEFORE_BIN) : null;

const COMMANDS: { name: string; args: string[]; budget: number }[] = [
  { name: '--version', args: ['--version'], budget: 0.3 },
  { name: 'contracts show', args: ['contracts', 'show', '--json'], budget: 1 },
  { name: 'checks list', args: ['checks', 'list'], budget: 1.5 },
];

// GNU time, when present, also gives the CPU seconds (user + sys, children included): less swayed by other load than wall time.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Wall seconds one run takes, and its CPU seconds when measurable; the command must succeed. */
function time(args: string[], cwd: string): { wall: number; cpu: number | null } {
  const started = process.hrtime.bigint();
  const [cmd, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%U %S', process.execPath, ...args]] : [process.execPath, args];
  const r = spawnSync(cmd, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 300_000 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const cpu = GNU_TIME && /^[\d.]+ [\d.]+$/.test(last) ? last.split(' ').reduce((a, x) => a + Number(x), 0) : null;
  return { wall, cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (BIN.startsWith(packageRoot) && !existsSync(join(packageRoot, 'dist', '.build-stamp'))) {
  console.error('startup.bench: dist/ is missing: npm run build first (the bin would run the sources through tsx)');
  process.exit(2);
}
const variants: [string, string][] = [['after', BIN], ...(BEFORE ? [['before', BEFORE] as [string, string]] : [])];
const samples = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
const add = (key: string, t: { wall: number; cpu: number | null }) => {
  samples.set(key, [...(samples.get(key) ?? []), t.wall]);
  if (t.cpu !== null) cpu.set(key, [...(cpu.get(key) ?? []), t.cpu]);
};
const cpuOf = (key: string) => (cpu.get(key)?.length ? `, cpu ${median(cpu.get(key)!).toFixed(2)} s` : '');

// One untimed run of each (disk caches, Playwright's transform cache), then interleaved timed rounds.
for (const [, bin] of variants) for (const c of COMMANDS) time([bin, ...c.args], dirname(dirname(bin)));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of COMMANDS) {
    add(`baseline ${c.name}`, time(['-e', '0'], packageRoot));
    for (const [label, bin] of variants) add(`${label} ${c.name}`, time([bin, ...c.args], dirname(dirname(bin))));
  }
}

console.log(`startup of ${BIN}${BEFORE ? ` (before: ${BEFORE})` : ''}, median of ${ROUNDS} rounds; baseline = node -e 0 in the same rounds`);
let over = 0;
for (const c of COMMANDS) {
  const base = median(samples.get(`baseline ${c.name}`)!);
  const after = median(samples.get(`after ${c.name}`)!);
  const ok = after <= c.budget;
  if (!ok) over++;
  let line = `${c.name.padEnd(15)} ${after.toFixed(3)} s${cpuOf(`after ${c.name}`)} = ${(after / base).toFixed(1)}× node -e 0 (${base.toFixed(3)} s${cpuOf(`baseline ${c.name}`)}) · budget ${c.budget} s ${ok ? 'met' : 'MISSED'}`;
  if (BEFORE) {
    const before = median(samples.get(`before ${c.name}`)!);
    line += ` · before ${before.toFixed(3)} s${cpuOf(`before ${c.name}`)} = ${(before / base).toFixed(1)}× node -e 0 → ${(before / after).toFixed(1)}× faster`;
  }
  console.log(line);
}
console.log(over ? `${over} budget(s) missed (read with the baseline: a loaded machine slows node -e 0 too)` : 'every budget met');
