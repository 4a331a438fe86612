import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SetupError } from '../contracts/errors.js';
import { SUITE_ORDER } from '../reports/model.js';
import { parseAddress, parseTargetUrl } from './options.js';

/**
 * `run` options from three places, highest first: command-line flags, ANYCHAT_* environment variables, and a config
 * file (`--config FILE`, else anychat-conform.config.json or .ts in the working directory). Every value is validated
 * here, whatever its source; a bad one is a SetupError naming the option and where it came from.
 */
export const SUITES = SUITE_ORDER;
export type Suite = (typeof SUITES)[number];
export const DEFAULT_SUITES: Suite[] = SUITES.filter((s) => s !== 'browser');
export const PROGRESS_REPORTERS = ['list', 'line', 'dot'] as const;
export const FILE_REPORTERS = ['html', 'junit', 'json', 'blob'] as const;
export type ProgressReporter = (typeof PROGRESS_REPORTERS)[number];
export type FileReporter = (typeof FILE_REPORTERS)[number];
export const DEFAULT_REPORTERS = 'list,html,junit,json';
export const CONFIG_FILES = ['anychat-conform.config.json', 'anychat-conform.config.ts'];

type Kind = 'string' | 'boolean' | 'int' | 'list';

/** Option key (commander's camelCase name, also the config-file key) → env variable and kind. */
export const RUN_OPTIONS = {
  url: { env: 'ANYCHAT_TARGET', kind: 'string' },
  serve: { env: 'ANYCHAT_SERVE', kind: 'boolean' },
  fault: { env: 'ANYCHAT_FAULT', kind: 'list' },
  suite: { env: 'ANYCHAT_SUITE', kind: 'list' },
  grpc: { env: 'ANYCHAT_GRPC', kind: 'string' },
  grpcService: { env: 'ANYCHAT_GRPC_SERVICE_<pkg_Service>', kind: 'list' },
  contracts: { env: 'ANYCHAT_CONTRACTS', kind: 'string' },
  strict: { env: 'ANYCHAT_STRICT', kind: 'boolean' },
  seed: { env: 'ANYCHAT_SEED', kind: 'int' },
  adminUser: { env: 'ANYCHAT_ADMIN_USER', kind: 'string' },
  adminPassword: { env: 'ANYCHAT_ADMIN_PASSWORD', kind: 'string' },
  adminUrl: { env: 'ANYCHAT_ADMIN_URL', kind: 'string' },
  contentFormat: { env: 'ANYCHAT_CONTENT_FORMAT', kind: 'string' },
  debug: { env: 'ANYCHAT_DEBUG', kind: 'boolean' },
  workers: { env: 'ANYCHAT_WORKERS', kind: 'int' },
  shard: { env: 'ANYCHAT_SHARD', kind: 'string' },
  out: { env: 'ANYCHAT_OUT', kind: 'string' },
  reporter: { env: 'ANYCHAT_REPORTER', kind: 'list' },
  expectations: { env: 'ANYCHAT_EXPECTATIONS', kind: 'string' },
  repeat: { env: 'ANYCHAT_REPEAT', kind: 'int' },
  certify: { env: 'ANYCHAT_CERTIFY', kind: 'boolean' },
  grep: { env: 'ANYCHAT_GREP', kind: 'string' },
  numRuns: { env: 'ANYCHAT_NUM_RUNS', kind: 'int' },
  maxCommands: { env: 'ANYCHAT_MAX_COMMANDS', kind: 'int' },
  path: { env: 'ANYCHAT_ORD_PATH', kind: 'string' },
  timeoutMs: { env: 'ANYCHAT_TIMEOUT_MS', kind: 'int' },
  deviceType: { env: 'ANYCHAT_DEVICE_TYPE', kind: 'string' },
  privateConv: { env: 'ANYCHAT_PRIVATE_CONV', kind: 'string' },
  filesUpload: { env: 'ANYCHAT_FILES_UPLOAD', kind: 'boolean' },
} as const satisfies Record<string, { env: string; kind: Kind }>;
export type RunOptionKey = keyof typeof RUN_OPTIONS;

export interface RunConfig {
  url: string | null;
  serve: boolean;
  faults: string[];
  suites: Suite[];
  grpc: string | null;
  /** Service name as given (resolved against the contract later) → address. */
  grpcServices: Record<string, string>;
  contracts: string | undefined;
  strict: boolean;
  seed: number;
  seedGiven: boolean;
  admin: { user: string; password: string } | null;
  /** Base URL of the contract's /admin/* operations when the target serves them elsewhere (--admin-url). */
  adminUrl: string | undefined;
  contentFormat: 'json' | 'text' | undefined;
  /** Console: full failure detail and Playwright's errors with stack traces. */
  debug: boolean;
  /**
   * Further ANYCHAT_* variables the suites read that have no option (ANYCHAT_REST_PREFIX, ANYCHAT_VERIFY_CODE, …),
   * from the config file's "env" object; the process environment wins over them. Never secrets.
   */
  passEnv: Record<string, string>;
  workers: number | undefined;
  shard: { current: number; total: number } | null;
  out: string;
  progress: ProgressReporter | null;
  files: Set<FileReporter>;
  expectations: string | undefined;
  repeat: number;
  certify: boolean;
  grep: string | undefined;
  numRuns: number | undefined;
  maxCommands: number | undefined;
  orderingPath: string | undefined;
  timeoutMs: number | undefined;
  deviceType: string | undefined;
  privateConv: 'peer' | 'pair' | 'off' | undefined;
  filesUpload: boolean | undefined;
  configFile: string | null;
}

type Source = 'flag' | 'env' | 'config';
interface Given {
  value: unknown;
  source: Source;
  /** How to name it in an error: '--workers', 'ANYCHAT_WORKERS', 'anychat-conform.config.json: workers'. */
  name: string;
}

const flagName = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Find and load the config file: explicit path (must exist) or one of CONFIG_FILES in cwd (optional). */
export async function loadConfigFile(explicit: string | undefined, cwd = process.cwd()): Promise<{ file: string; values: Record<string, unknown> } | null> {
  let file: string | null = null;
  if (explicit) {
    file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new SetupError(`config file not found: ${file}`);
  } else {
    const found = CONFIG_FILES.map((f) => resolve(cwd, f)).filter((f) => existsSync(f));
    if (found.length > 1) throw new SetupError(`both ${found.join(' and ')} exist: keep one, or pass --config FILE`);
    file = found[0] ?? null;
  }
  if (!file) return null;
  let values: unknown;
  try {
    if (file.endsWith('.json')) values = JSON.parse(readFileSync(file, 'utf8'));
    else {
      // A TypeScript config file (the user's own) goes through tsx, loaded only then; the harness itself runs compiled.
      const url = pathToFileURL(file).href;
      const mod = /\.[cm]?ts$/.test(file) ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url) : await import(url);
      values = mod.default ?? mod;
      // tsx compiles a .ts file outside an ESM package as CommonJS: its export shows as `default.default`.
      if (values && typeof values === 'object' && 'default' in values && Object.keys(values).length <= 2) values = (values as any).default;
    }
  } catch (e) {
    throw new SetupError(`cannot load config file ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!values || typeof values !== 'object' || Array.isArray(values)) throw new SetupError(`config file ${file} must hold an object of run options`);
  const known = Object.keys(RUN_OPTIONS);
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (k.startsWith('$')) continue; // "$comment" and the like: notes for people (run-config.json has one)
    if (k === CONFIG_ENV_KEY) {
      kept[k] = passEnvOf(file, v);
      continue;
    }
    if (!known.includes(k)) throw new SetupError(`config file ${file}: unknown option "${k}" (known: ${known.join(', ')}, ${CONFIG_ENV_KEY})`);
    kept[k] = v;
  }
  return { file, values: kept };
}

/** The config-file key holding extra ANYCHAT_* variables without an option of their own. */
export const CONFIG_ENV_KEY = 'env';
const SECRET_ENV = /PASSWORD|SECRET|TOKEN/;

function passEnvOf(file: string, v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SetupError(`config file ${file}: "env" must be an object of ANYCHAT_* variables`);
  const managed = new Set<string>(Object.values(RUN_OPTIONS).map((o) => o.env));
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (!/^ANYCHAT_[A-Z0-9_]+$/.test(k)) throw new SetupError(`config file ${file}: env: ${JSON.stringify(k)} is not an ANYCHAT_* variable`);
    if (managed.has(k)) throw new SetupError(`config file ${file}: env: ${k} has an option of its own; use that key instead`);
    if (SECRET_ENV.test(k)) throw new SetupError(`config file ${file}: env: ${k} is a secret; give it in the environment, not in a file`);
    if (typeof x !== 'string' && typeof x !== 'number') throw new SetupError(`config file ${file}: env: ${k} must be a string`);
    out[k] = String(x);
  }
  return out;
}

/** Pick each option from flag > env > config file. `flags` holds only options given on the command line. */
function gather(flags: Record<string, unknown>, env: NodeJS.ProcessEnv, file: { file: string; values: Record<string, unknown> } | null): Map<RunOptionKey, Given> {
  const out = new Map<RunOptionKey, Given>();
  for (const key of Object.keys(RUN_OPTIONS) as RunOptionKey[]) {
    const spec = RUN_OPTIONS[key];
    if (flags[key] !== undefined) out.set(key, { value: flags[key], source: 'flag', name: flagName(key) });
    else if (key === 'grpcService') {
      const fromEnv = Object.entries(env)
        .filter(([k, v]) => k.startsWith('ANYCHAT_GRPC_SERVICE_') && v)
        .map(([k, v]) => `${k.slice('ANYCHAT_GRPC_SERVICE_'.length).replace(/_/g, '.')}=${v}`);
      if (fromEnv.length) out.set(key, { value: fromEnv, source: 'env', name: 'ANYCHAT_GRPC_SERVICE_*' });
      else if (file && file.values[key] !== undefined) out.set(key, { value: file.values[key], source: 'config', name: `${file.file}: ${key}` });
    } else if (env[spec.env] !== undefined && env[spec.env] !== '') out.set(key, { value: env[spec.env], source: 'env', name: spec.env });
    else if (file && file.values[key] !== undefined) out.set(key, { value: file.values[key], source: 'config', name: `${file.file}: ${key}` });
  }
  return out;
}

const bad = (g: Given, what: string): never => {
  throw new SetupError(`${g.name}: ${what} (got ${JSON.stringify(g.value)})`);
};

function asString(g: Given): string {
  if (typeof g.value === 'string' && g.value.trim() !== '') return g.value.trim();
  if (typeof g.value === 'number') return String(g.value);
  return bad(g, 'expected a non-empty string');
}

function asBool(g: Given): boolean {
  if (typeof g.value === 'boolean') return g.value;
  const s = String(g.value).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
  return bad(g, 'expected true or false');
}

function asInt(g: Given, min: number, max: number): number {
  const n = typeof g.value === 'number' ? g.value : typeof g.value === 'string' && g.value.trim() !== '' ? Number(g.value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) return bad(g, `expected an integer from ${min} to ${max}`);
  return n;
}

function asList(g: Given): string[] {
  const parts = Array.isArray(g.value) ? g.value.flatMap((v) => String(v).split(',')) : typeof g.value === 'string' ? g.value.split(',') : bad(g, 'expected a comma-separated list');
  const list = parts.map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) bad(g, 'expected at least one value');
  return list;
}

function oneOf<T extends string>(g: Given, values: T[], allowed: readonly string[]): T[] {
  const unknown = values.filter((v) => !allowed.includes(v));
  if (unknown.length) bad(g, `unknown value(s) ${unknown.join(', ')}; expected ${allowed.join(', ')}`);
  return values;
}

/** Resolve and validate every run option. Cheap: touches neither the network nor the contract. */
export async function resolveRunConfig(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
  opts: { configFlag?: string; isTTY?: boolean; cwd?: string } = {},
): Promise<RunConfig> {
  const file = await loadConfigFile(opts.configFlag ?? (env.ANYCHAT_CONFIG || undefined), opts.cwd);
  const g = gather(flags, env, file);
  const get = <T>(k: RunOptionKey, f: (x: Given) => T): T | undefined => (g.has(k) ? f(g.get(k)!) : undefined);

  const serve = get('serve', asBool) ?? false;
  const rawUrl = get('url', asString);
  if (serve && rawUrl && g.get('url')!.source === 'flag') {
    throw new SetupError('give either a target URL or --serve, not both');
  }
  let url: string | null = null;
  if (!serve) {
    if (!rawUrl) throw new SetupError('no target: pass a URL (anychat-conform run https://host:port) or --serve to test the reference server');
    try {
      url = parseTargetUrl(rawUrl);
    } catch (e) {
      throw new SetupError(g.get('url')!.source === 'flag' ? (e as Error).message : `${g.get('url')!.name}: ${(e as Error).message}`);
    }
  }
  const faults = get('fault', asList) ?? [];
  if (faults.length && !serve) throw new SetupError('--fault needs --serve (faults are injected into the in-process reference server)');

  const suites = get('suite', (x) => oneOf<Suite>(x, asList(x) as Suite[], SUITES)) ?? DEFAULT_SUITES;
  const grpc = get('grpc', (x) => address(x, asString(x))) ?? null;
  const grpcServices: Record<string, string> = {};
  for (const entry of get('grpcService', (x) => (Array.isArray(x.value) || typeof x.value === 'string' ? asList(x) : serviceMap(x))) ?? []) {
    const m = /^([^=\s]+)=(\S+)$/.exec(entry);
    if (!m) throw new SetupError(`${g.get('grpcService')!.name}: expected NAME=HOST:PORT, got ${JSON.stringify(entry)}`);
    grpcServices[m[1]!] = address(g.get('grpcService')!, m[2]!);
  }

  const seedGiven = g.has('seed');
  const seed = get('seed', (x) => asInt(x, 0, 2 ** 31 - 1)) ?? Math.floor(Math.random() * 2 ** 31);

  const adminUser = get('adminUser', asString);
  const adminPassword = get('adminPassword', (x) => (typeof x.value === 'string' ? x.value : asString(x)));
  if (adminPassword !== undefined && adminUser === undefined) throw new SetupError('--admin-password needs --admin-user');
  const admin = adminUser !== undefined ? { user: adminUser, password: adminPassword ?? '' } : null;

  const shard = get('shard', (x) => {
    const m = /^(\d+)\/(\d+)$/.exec(asString(x));
    const current = Number(m?.[1]);
    const total = Number(m?.[2]);
    if (!m || total < 1 || current < 1 || current > total) return bad(x, 'expected i/n with 1 ≤ i ≤ n, e.g. 1/2');
    return { current, total };
  }) ?? null;

  const reporters = get('reporter', (x) => oneOf(x, asList(x), [...PROGRESS_REPORTERS, ...FILE_REPORTERS])) ?? DEFAULT_REPORTERS.split(',');
  const progressChosen = reporters.filter((r): r is ProgressReporter => (PROGRESS_REPORTERS as readonly string[]).includes(r));
  if (progressChosen.length > 1) throw new SetupError(`--reporter: pick one of list, line, dot (got ${progressChosen.join(', ')})`);
  const plain = !(opts.isTTY ?? process.stdout.isTTY) || isCI(env);
  const progress = progressChosen[0] === 'list' && plain ? 'line' : progressChosen[0] ?? null;
  const files = new Set(reporters.filter((r): r is FileReporter => (FILE_REPORTERS as readonly string[]).includes(r)));
  if (shard) files.add('blob');

  const grep = get('grep', (x) => {
    // not trimmed: a trailing space is how a replay command pins one check id
    const s = typeof x.value === 'string' && x.value !== '' ? x.value : asString(x);
    try {
      new RegExp(s);
    } catch (e) {
      return bad(x, `not a regular expression: ${(e as Error).message}`);
    }
    return s;
  });
  const certify = get('certify', asBool) ?? false;
  if (certify && shard) throw new SetupError('--certify covers a whole run: certify the merged shards with `anychat-conform report merge … --certify`');

  const privateConv = get('privateConv', (x) => oneOf(x, [asString(x)], ['peer', 'pair', 'off'])[0] as 'peer' | 'pair' | 'off');
  const contentFormat = get('contentFormat', (x) => oneOf(x, [asString(x)], ['json', 'text'])[0] as 'json' | 'text');
  const adminUrl = get('adminUrl', (x) => {
    const v = asString(x);
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return bad(x, 'expected an http(s) URL such as http://host:8011/api/admin');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return bad(x, 'scheme must be http or https');
    return v.replace(/\/+$/, '');
  });
  return {
    url,
    serve,
    faults,
    suites: [...new Set(suites)],
    grpc,
    grpcServices,
    contracts: get('contracts', asString),
    strict: get('strict', asBool) ?? false,
    seed,
    seedGiven,
    admin,
    adminUrl,
    contentFormat,
    debug: get('debug', asBool) ?? false,
    passEnv: (file?.values[CONFIG_ENV_KEY] as Record<string, string> | undefined) ?? {},
    workers: get('workers', (x) => asInt(x, 1, 64)),
    shard,
    out: resolve(opts.cwd ?? process.cwd(), get('out', asString) ?? 'anychat-report'),
    progress,
    files,
    expectations: get('expectations', asString),
    repeat: get('repeat', (x) => asInt(x, 1, 100)) ?? 1,
    certify,
    grep,
    numRuns: get('numRuns', (x) => asInt(x, 1, 100_000)),
    maxCommands: get('maxCommands', (x) => asInt(x, 1, 100_000)),
    orderingPath: get('path', asString),
    timeoutMs: get('timeoutMs', (x) => asInt(x, 100, 600_000)),
    deviceType: get('deviceType', asString),
    privateConv,
    filesUpload: get('filesUpload', asBool),
    configFile: file?.file ?? null,
  };
}

function address(g: Given, v: string): string {
  try {
    return parseAddress(v);
  } catch (e) {
    return bad(g, (e as Error).message);
  }
}

/** The config file may give grpcService as { "anychat.auth.AuthService": "host:port" }. */
function serviceMap(g: Given): string[] {
  if (!g.value || typeof g.value !== 'object') return bad(g, 'expected NAME=HOST:PORT entries or an object of them');
  return Object.entries(g.value as Record<string, unknown>).map(([k, v]) => `${k}=${v}`);
}

export function isCI(env: NodeJS.ProcessEnv): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0';
}
