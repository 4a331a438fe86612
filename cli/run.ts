import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { defaultBundleDir, loadContracts, packageRoot, type Contracts } from '../contracts/index.js';
import { contractVersion } from '../contracts/diff/index.js';
import { SetupError } from '../contracts/errors.js';
import { loadExpectations } from '../reports/expectations.js';
import type { RunMetadata } from '../reports/raw.js';
import { cleanOutputs, REPORT_FILES, type ReportFormat } from '../reports/write.js';
import { RUN_OPTIONS, resolveRunConfig, SUITES, DEFAULT_REPORTERS, type RunConfig } from './config.js';
import type { SetExit } from './main.js';
import { envHelp } from './env-vars.js';
import { deviceTypeWarning, freshStateDir, passThroughEnv, runConfigJson, writeRunConfig } from './run-config.js';
import { APPLICABILITY_REPORTER, CONFORMANCE_REPORTER, PLAYWRIGHT_CONFIG, PROGRESS_REPORTER, runPlaywright, withoutManagedEnv } from './run-playwright.js';
import { finishRun, readRawResults } from './run-report.js';
import { probeTarget, serveReference, checkFaultIds, SERVE_ADMIN, type ServedTarget } from './run-target.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerRun(program: Command, setExit: SetExit): void {
  program
    .command('run')
    .argument('[url]', 'target server root, http(s)://host[:port] (REST base = url + /api/v1)')
    .description('Run the conformance suites against a deployment (or the reference server with --serve) and write the reports.')
    .option('--serve', 'start the reference server in-process (port 0, in-memory database) and target it')
    .option('--fault <ids>', 'with --serve: switch on injected faults (comma-separated; see `serve --list-faults`)')
    .option('--suite <names>', `suites to run, comma-separated: ${SUITES.join(', ')} (default: all but browser)`)
    .option('--grpc <addr>', 'gRPC host:port serving every service (gRPC checks skip without one)')
    .option('--grpc-service <name=addr>', 'gRPC address of one service, e.g. anychat.auth.AuthService=host:9001 (repeatable)', collect)
    .option('--contracts <dir>', 'contract bundle directory (default: env ANYCHAT_CONTRACTS, else the bundled copy)')
    .option('--strict', 'SHOULD and MAY failures (and unexpected passes) fail the run too')
    .option('--seed <n>', 'seed for generated data and property runs (default: random, printed)')
    .option('--admin-user <name>', 'admin account for the admin checks (with --serve: the seeded admin, default admin)')
    .option('--admin-password <password>', 'its password (with --serve default Admin@123456; never written to run-config.json)')
    .option('--admin-url <url>', "base URL of the contract's /admin/* operations when served elsewhere, e.g. http://host:8011/api/admin (default <url>/api/v1/admin)")
    .option('--content-format <format>', 'message content the checks send: json ({"text":"…"}, default) or text')
    .option('--workers <n>', 'parallel Playwright workers')
    .option('--shard <i/n>', 'run shard i of n and write a blob report (merge with `report merge`)')
    .option('--out <dir>', 'report directory (default anychat-report)')
    .option('--reporter <names>', `outputs: list|line|dot (progress), html, junit, json, blob (default ${DEFAULT_REPORTERS})`)
    .option('--expectations <file>', 'JSON or YAML list of {id, reason}: known failures, reported as expected')
    .option('--repeat <n>', 'run every check n times; inconsistent ones are labelled flaky (never retried into green)')
    .option('--certify', 'write certificate.json when every MUST check passed (otherwise say why and exit 1)')
    .option('--grep <regex>', "only checks whose title matches (a check's title starts with its id)")
    .option('--num-runs <n>', 'ordering: property runs per property')
    .option('--max-commands <n>', 'ordering: commands per generated run')
    .option('--path <path>', 'ordering: replay one counterexample path (from a failure)')
    .option('--timeout-ms <n>', 'timeout of every single network call (default 10000)')
    .option('--device-type <type>', 'deviceType sent at register/login (default ios)')
    .option('--private-conv <convention>', 'private conversation ids: peer | pair | off (default peer)')
    .option('--no-files-upload', 'do not PUT bytes to upload URLs (FI3)')
    .option('--debug', 'console: full failure detail and stack traces (default: one line per check and per failure)')
    .option('--config <file>', 'config file (default anychat-conform.config.json or .ts in the working directory); every run writes <out>/run-config.json, which --config accepts')
    .addHelpText('after', `
Every option can also come from the environment, --some-option as ANYCHAT_SOME_OPTION (except: url ANYCHAT_TARGET,
--path ANYCHAT_ORD_PATH, --grpc-service ANYCHAT_GRPC_SERVICE_<pkg>_<Service>=addr, --config ANYCHAT_CONFIG), or from the
config file (keys in camelCase: {"url": …, "suite": ["rest"], "workers": 2}; "env": {"ANYCHAT_REST_PREFIX": …} for
variables without an option). Flags win over the environment, which wins over the file.

Environment variables the suites read:
${envHelp()}

Outcomes: passed, failed, blocked (a prerequisite another check owns is broken; the check cites it and is not judged),
not applicable, skipped. Replays: every failure prints "rerun: anychat-conform run --config <out>/run-config.json
--grep '<id> '", which reruns that one check with this run's target, seed and options.

Exit codes: 0 conformant (at least one MUST check ran, and every MUST check passed or was skipped for a stated reason)
            1 nonconformant (a MUST check failed; with --strict any check)
            2 usage or setup error, or no verdict (no MUST check ran, nothing executed, the run broke)
            3 incomplete (no MUST check failed, but some MUST checks were blocked and could not be judged)

Examples:
  $ anychat-conform run --serve --certify
  $ anychat-conform run https://staging.example.com --grpc staging.example.com:9090 --suite rest,ws
  $ anychat-conform run https://staging.example.com --shard 1/2 --seed 7 --out shard1`)
    .action(async (url: string | undefined, _opts: unknown, self: Command) => {
      const flags: Record<string, unknown> = {};
      for (const key of Object.keys(RUN_OPTIONS)) {
        if (self.getOptionValueSource(key) === 'cli') flags[key] = self.getOptionValue(key);
      }
      if (url !== undefined) flags.url = url;
      setExit(await runCommand(flags, self.getOptionValue('config')));
    });
}

export async function runCommand(flags: Record<string, unknown>, configFlag?: string): Promise<number> {
  const cfg = await resolveRunConfig(flags, process.env, { configFlag });
  const contracts = loadContracts(cfg.contracts);
  const { bundle } = contracts;
  process.stdout.write(`contract ${contractVersion(bundle)} · digest ${bundle.digest} · ${bundle.location.dir}\n`);
  const grpcServices = resolveServices(cfg.grpcServices, contracts);
  const dtWarning = deviceTypeWarning(cfg.deviceType, contracts);
  if (dtWarning) process.stdout.write(`${dtWarning}\n`);
  if (cfg.serve) checkFaultIds(cfg.faults);
  const expectations = cfg.expectations ? loadExpectations(cfg.expectations) : null;

  let served: ServedTarget | null = null;
  try {
    let url: string;
    let grpc = cfg.grpc;
    let admin = cfg.admin;
    if (cfg.serve) {
      // run-config.json never stores the password: a --serve replay without one seeds the default (any works in-process)
      const serveAdmin = cfg.admin && !cfg.admin.password ? { ...cfg.admin, password: SERVE_ADMIN.password } : cfg.admin;
      // The reference server implements its own (pinned) contract; --contracts changes only what the checks judge by.
      served = await serveReference({ faults: cfg.faults, admin: serveAdmin, contractsDir: existsSync(defaultBundleDir) ? defaultBundleDir : cfg.contracts });
      url = served.url;
      grpc = served.grpc;
      admin = served.admin;
    } else {
      url = cfg.url!;
      await probeTarget(url);
    }
    const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const startedAt = new Date().toISOString();
    mkdirSync(cfg.out, { recursive: true });
    cleanOutputs(cfg.out);
    const runConfigFile = writeRunConfig(cfg.out, runConfigJson(cfg, { grpcServices, runId, harnessVersion: harnessVersion(), startedAt }));
    const stateDir = freshStateDir(cfg.out);
    const meta: RunMetadata = {
      runId,
      target: url,
      serve: cfg.serve ? { faults: cfg.faults } : null,
      grpc,
      grpcServices,
      suites: cfg.suites,
      seed: cfg.seed,
      strict: cfg.strict,
      grep: cfg.grep ?? null,
      repeat: cfg.repeat,
      harnessVersion: harnessVersion(),
      contract: {
        dir: bundle.location.dir,
        commit: bundle.contractsCommit,
        backendVersion: bundle.backendVersion,
        lastSynced: bundle.lastSynced,
        digest: bundle.digest,
        hashes: bundle.hashes,
      },
      startedAt,
      replayBase: replayBase(cfg, url),
      runConfig: quote(shownPath(runConfigFile)),
    };
    process.stdout.write(
      `target ${url}${cfg.serve ? ` (reference server in-process${cfg.faults.length ? `, faults ${cfg.faults.join(',')}` : ''})` : ''} · gRPC ${grpc ?? (Object.keys(grpcServices).length ? 'per service' : 'none')} · seed ${cfg.seed}${cfg.seedGiven ? '' : ' (random)'} · suites ${cfg.suites.join(',')}${cfg.shard ? ` · shard ${cfg.shard.current}/${cfg.shard.total}` : ''}\n`,
    );

    const rawFile = join(cfg.out, REPORT_FILES.raw);
    // First: how many of the selected checks apply to this contract version (reports/applicability-reporter.ts).
    const reporters: unknown[] = [[APPLICABILITY_REPORTER]];
    // list/line: one line per check, named by its id (reports/progress-reporter.ts); dot stays Playwright's
    if (cfg.progress) reporters.push(cfg.progress === 'dot' ? ['dot'] : [PROGRESS_REPORTER, { debug: cfg.debug }]);
    reporters.push([CONFORMANCE_REPORTER, { outputFile: rawFile }]);
    if (cfg.files.has('blob')) reporters.push(['blob', { outputDir: join(cfg.out, REPORT_FILES.blob) }]);

    const env = childEnv(cfg, { url, grpc, admin, grpcServices, runId, meta, reporters, contractsDir: bundle.location.dir, stateDir });
    if (served) env.ANYCHAT_JWT_SECRET = served.jwtSecret;
    const args = ['test', '--config', PLAYWRIGHT_CONFIG, ...cfg.suites.flatMap((s) => ['--project', s]), '--pass-with-no-tests', '--retries', '0'];
    if (cfg.workers) args.push('--workers', String(cfg.workers));
    if (cfg.shard) args.push('--shard', `${cfg.shard.current}/${cfg.shard.total}`);
    if (cfg.repeat > 1) args.push('--repeat-each', String(cfg.repeat));
    if (cfg.grep) args.push('--grep', cfg.grep);
    const child = await runPlaywright(args, env, { stdio: 'inherit' });
    pruneEmptyDirs(join(cfg.out, REPORT_FILES.playwright));
    if (child.interrupted) throw new SetupError('interrupted');
    const raw = readRawResults(cfg.out, `Playwright exited with ${child.signal ?? `code ${child.code}`} (see its output above)`);
    const formats = new Set([...cfg.files].filter((f): f is ReportFormat => f !== 'blob'));
    const { exitCode } = finishRun(raw, {
      contracts,
      expectations,
      out: cfg.out,
      formats,
      certify: cfg.certify ? { blockers: [] } : null,
      debug: cfg.debug,
    });
    return exitCode;
  } finally {
    await served?.close();
  }
}

/** Playwright makes an output directory per check; keep only those holding something (error context, traces). */
function pruneEmptyDirs(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) pruneEmptyDirs(join(dir, e.name));
  const left = readdirSync(dir).filter((f) => f !== '.last-run.json');
  if (left.length === 0) rmSync(dir, { recursive: true, force: true });
}

/** Accept fully-qualified service names (anychat.auth.AuthService) or unique short ones (AuthService). */
function resolveServices(given: Record<string, string>, contracts: Contracts): Record<string, string> {
  const out: Record<string, string> = {};
  const all = contracts.catalogue.services;
  for (const [name, addr] of Object.entries(given)) {
    const matches = all.includes(name) ? [name] : all.filter((s) => s.endsWith(`.${name}`));
    if (matches.length !== 1) {
      throw new SetupError(`--grpc-service: ${matches.length ? 'ambiguous' : 'unknown'} service ${JSON.stringify(name)} (services: ${all.join(', ')})`);
    }
    out[matches[0]!] = addr;
  }
  return out;
}

function childEnv(
  cfg: RunConfig,
  r: { url: string; grpc: string | null; admin: RunConfig['admin']; grpcServices: Record<string, string>; runId: string; meta: RunMetadata; reporters: unknown[]; contractsDir: string; stateDir: string },
): NodeJS.ProcessEnv {
  const managed = [...Object.values(RUN_OPTIONS).map((o) => o.env), 'ANYCHAT_RUN_ID', 'ANYCHAT_PW_REPORTERS', 'ANYCHAT_PW_OUTPUT', 'ANYCHAT_RUN_METADATA', 'ANYCHAT_RAW_RESULTS', 'ANYCHAT_CONFIG', 'ANYCHAT_STATE_DIR', 'ANYCHAT_RUN_CONFIG'];
  const env: NodeJS.ProcessEnv = withoutManagedEnv(process.env, managed);
  const set = (k: string, v: string | number | boolean | undefined | null) => {
    if (v !== undefined && v !== null) env[k] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  };
  // variables without an option, from the config file's "env" (the environment wins)
  for (const [k, v] of Object.entries(passThroughEnv(cfg, process.env))) env[k] ??= v;
  set('ANYCHAT_TARGET', r.url);
  set('ANYCHAT_STATE_DIR', r.stateDir);
  set('ANYCHAT_RUN_CONFIG', r.meta.runConfig);
  set('ANYCHAT_ADMIN_URL', cfg.adminUrl);
  set('ANYCHAT_CONTENT_FORMAT', cfg.contentFormat);
  set('ANYCHAT_GRPC', r.grpc);
  for (const [svc, addr] of Object.entries(r.grpcServices)) set(`ANYCHAT_GRPC_SERVICE_${svc.replace(/\./g, '_')}`, addr);
  set('ANYCHAT_CONTRACTS', r.contractsDir);
  set('ANYCHAT_STRICT', cfg.strict);
  set('ANYCHAT_SEED', cfg.seed);
  set('ANYCHAT_RUN_ID', r.runId);
  if (r.admin) {
    set('ANYCHAT_ADMIN_USER', r.admin.user);
    set('ANYCHAT_ADMIN_PASSWORD', r.admin.password);
  }
  set('ANYCHAT_WORKERS', cfg.workers);
  set('ANYCHAT_NUM_RUNS', cfg.numRuns);
  set('ANYCHAT_MAX_COMMANDS', cfg.maxCommands);
  set('ANYCHAT_ORD_PATH', cfg.orderingPath);
  set('ANYCHAT_TIMEOUT_MS', cfg.timeoutMs);
  set('ANYCHAT_DEVICE_TYPE', cfg.deviceType);
  set('ANYCHAT_PRIVATE_CONV', cfg.privateConv);
  set('ANYCHAT_FILES_UPLOAD', cfg.filesUpload);
  set('ANYCHAT_PW_REPORTERS', JSON.stringify(r.reporters));
  set('ANYCHAT_PW_OUTPUT', join(cfg.out, REPORT_FILES.playwright));
  set('ANYCHAT_RUN_METADATA', JSON.stringify(r.meta));
  return env;
}

/** The start of every replay command: how to reach the same target with the same contract and profile. */
function replayBase(cfg: RunConfig, url: string): string {
  const parts = ['anychat-conform', 'run'];
  if (cfg.serve) {
    parts.push('--serve');
    if (cfg.faults.length) parts.push('--fault', cfg.faults.join(','));
  } else {
    parts.push(url);
    if (cfg.grpc) parts.push('--grpc', cfg.grpc);
    for (const [s, a] of Object.entries(cfg.grpcServices)) parts.push('--grpc-service', `${s}=${a}`);
  }
  if (cfg.contracts) parts.push('--contracts', quote(cfg.contracts));
  if (cfg.strict) parts.push('--strict');
  // options that change what the checks send (never credentials)
  if (cfg.deviceType) parts.push('--device-type', quote(cfg.deviceType));
  if (cfg.privateConv) parts.push('--private-conv', cfg.privateConv);
  if (cfg.filesUpload === false) parts.push('--no-files-upload');
  if (cfg.timeoutMs) parts.push('--timeout-ms', String(cfg.timeoutMs));
  if (cfg.numRuns) parts.push('--num-runs', String(cfg.numRuns));
  if (cfg.maxCommands) parts.push('--max-commands', String(cfg.maxCommands));
  return parts.join(' ');
}

/** A path as the user would type it: relative below the working directory, absolute elsewhere. */
function shownPath(f: string): string {
  const r = relative(process.cwd(), f);
  return r && !r.startsWith('..') ? r : f;
}

const quote = (s: string) => (/^[\w./:=@,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The harness version from package.json (read here, not from main.ts, to keep the import graph one-way). */
export function harnessVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;
}
