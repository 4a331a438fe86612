import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { SetupError } from '../contracts/errors.js';
import { loadContracts } from '../contracts/index.js';
import { loadExpectations } from '../reports/expectations.js';
import { RAW_RESULTS_FILE, stripAnsi } from '../reports/raw.js';
import { cleanOutputs, REPORT_FILES, type ReportFormat } from '../reports/write.js';
import type { SetExit } from './main.js';
import { CONFORMANCE_REPORTER, PLAYWRIGHT_CONFIG, runPlaywright } from './run-playwright.js';
import { finishRun, readRawResults } from './run-report.js';

const MERGE_TIMEOUT_MS = 300_000;
const FORMATS: ReportFormat[] = ['html', 'junit', 'json'];

interface ShardDir {
  dir: string;
  blobs: string[];
  shard: { current: number; total: number } | null;
  seed: number | null;
  digest: string | null;
  target: string | null;
  served: boolean;
}

/** Blob zips of one shard's --out directory (in blob/) or of a directory holding the zips themselves. */
function readShardDir(dir: string): ShardDir {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new SetupError(`not a directory: ${abs}`);
  const blobs = [abs, join(abs, REPORT_FILES.blob)]
    .filter((d) => existsSync(d) && statSync(d).isDirectory())
    .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.zip')).map((f) => join(d, f)));
  if (blobs.length === 0) throw new SetupError(`no blob report in ${abs} (run the shard with --shard i/n, or --reporter …,blob)`);
  let meta: ShardDir = { dir: abs, blobs, shard: null, seed: null, digest: null, target: null, served: false };
  if (existsSync(join(abs, RAW_RESULTS_FILE))) {
    const raw = readRawResults(abs, '');
    // an unsharded run (blob via --reporter) is shard 1 of 1
    meta = { ...meta, shard: raw.shard ?? { current: 1, total: 1 }, seed: raw.metadata?.seed ?? null, digest: raw.metadata?.contract.digest ?? null, target: raw.metadata?.target ?? null, served: !!raw.metadata?.serve };
  }
  return meta;
}

/** Problems that make the merged run something other than one whole run: they forbid a certificate. */
function shardProblems(shards: ShardDir[]): { warnings: string[]; blockers: string[] } {
  const warnings: string[] = [];
  const blockers: string[] = [];
  const digests = new Set(shards.map((s) => s.digest).filter(Boolean));
  if (digests.size > 1) throw new SetupError(`the shards were checked against different contracts (digests ${[...digests].join(', ')})`);
  const seeds = new Set(shards.map((s) => s.seed).filter((x) => x !== null));
  if (seeds.size > 1) blockers.push(`the shards ran with different seeds (${[...seeds].join(', ')}): pass the same --seed to every shard`);
  const targets = new Set(shards.map((s) => s.target).filter(Boolean));
  // --serve shards each start their own reference server, so only real targets must agree.
  if (targets.size > 1 && shards.every((s) => s.target && !s.served)) warnings.push(`the shards ran against different targets: ${[...targets].join(', ')}`);
  const known = shards.filter((s) => s.shard);
  if (known.length < shards.length) warnings.push('some directories have no raw-results.json: their shard number cannot be verified');
  const totals = new Set(known.map((s) => s.shard!.total));
  if (totals.size > 1) blockers.push(`the shards come from splits of different sizes (${[...totals].join(', ')})`);
  else if (totals.size === 1) {
    const total = [...totals][0]!;
    const have = known.map((s) => s.shard!.current);
    const dup = have.filter((c, i) => have.indexOf(c) !== i);
    if (dup.length) throw new SetupError(`shard ${dup[0]}/${total} is given twice`);
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((c) => !have.includes(c));
    if (missing.length) blockers.push(`shard(s) ${missing.map((m) => `${m}/${total}`).join(', ')} missing`);
  }
  return { warnings, blockers };
}

export async function mergeCommand(dirs: string[], opts: { out?: string; reporter?: string; expectations?: string; strict?: boolean; certify?: boolean; contracts?: string }): Promise<number> {
  const out = resolve(opts.out ?? 'anychat-report');
  const formats = new Set<ReportFormat>();
  for (const f of (opts.reporter ?? FORMATS.join(',')).split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(FORMATS as string[]).includes(f)) throw new SetupError(`--reporter: unknown value ${f}; expected ${FORMATS.join(', ')}`);
    formats.add(f as ReportFormat);
  }
  const shards = dirs.map(readShardDir);
  const { warnings, blockers } = shardProblems(shards);
  for (const w of warnings) process.stderr.write(`anychat-conform: warning: ${w}\n`);
  const expectations = opts.expectations ? loadExpectations(opts.expectations) : null;
  const contracts = loadContracts(opts.contracts);
  const digest = shards.find((s) => s.digest)?.digest;
  if (digest && digest !== contracts.bundle.digest) {
    throw new SetupError(`the shards were checked against contract digest ${digest}, but ${contracts.bundle.location.dir} has ${contracts.bundle.digest} (pass --contracts)`);
  }
  process.stdout.write(`contract ${contracts.bundle.contractsCommit ?? '(commit unknown)'} · digest ${contracts.bundle.digest} · ${contracts.bundle.location.dir}\n`);

  const staging = mkdtempSync(join(tmpdir(), 'anychat-merge-'));
  try {
    shards.forEach((s, i) => s.blobs.forEach((b) => copyFileSync(b, join(staging, `${String(i).padStart(3, '0')}-${basename(b)}`))));
    mkdirSync(out, { recursive: true });
    cleanOutputs(out);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ANYCHAT_PW_REPORTERS: JSON.stringify([[CONFORMANCE_REPORTER, { outputFile: join(out, RAW_RESULTS_FILE) }]]),
    };
    const child = await runPlaywright(['merge-reports', '--config', PLAYWRIGHT_CONFIG, staging], env, { stdio: 'pipe', timeoutMs: MERGE_TIMEOUT_MS });
    if (child.interrupted) throw new SetupError('interrupted');
    if (child.timedOut) throw new SetupError(`merging took longer than ${MERGE_TIMEOUT_MS / 1000} s`);
    const why = stripAnsi(child.stderr || child.stdout).trim().split('\n').slice(-1)[0] ?? '';
    const raw = readRawResults(out, `playwright merge-reports exited with code ${child.code}: ${why}`);
    const blobCount = shards.reduce((n, s) => n + s.blobs.length, 0);
    const { exitCode } = finishRun(raw, {
      contracts,
      expectations,
      strict: opts.strict ? true : undefined,
      out,
      formats,
      certify: opts.certify ? { blockers } : null,
      mergedFrom: blobCount,
    });
    return exitCode;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export function registerReport(program: Command, setExit: SetExit): void {
  const cmd = program.command('report').description('Work with run reports.');
  cmd
    .command('merge')
    .description('Merge the blob reports of sharded runs into one report and verdict, as if it had been a single run.')
    .argument('<dirs...>', "shard output directories (each run's --out), or directories of blob .zip files")
    .option('--out <dir>', 'report directory (default anychat-report)')
    .option('--reporter <names>', `report files: ${FORMATS.join(', ')} (default all)`)
    .option('--expectations <file>', 'JSON or YAML list of {id, reason}: known failures')
    .option('--strict', 'SHOULD and MAY failures (and unexpected passes) fail the verdict too')
    .option('--certify', 'write certificate.json when every MUST check passed in the merged run')
    .option('--contracts <dir>', 'contract bundle directory (must be the one the shards used)')
    .addHelpText('after', `
Example:
  $ anychat-conform run https://staging.example.com --shard 1/2 --seed 7 --out s1
  $ anychat-conform run https://staging.example.com --shard 2/2 --seed 7 --out s2
  $ anychat-conform report merge s1 s2 --out merged --certify`)
    .action(async (dirs: string[], opts) => setExit(await mergeCommand(dirs, opts)));
}
