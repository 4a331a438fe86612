import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Contracts } from '../contracts/index.js';
import { resolvePointer } from '../contracts/pointer.js';
import { CONFIG_ENV_KEY, RUN_OPTIONS, type RunConfig } from './config.js';
import { SUITE_ENV } from './env-vars.js';

/**
 * `<out>/run-config.json`: the run's effective options in config-file form, so that
 * `anychat-conform run --config <out>/run-config.json --grep '…'` reruns one check against the same target with the
 * same profile, seed and dialect options. Passwords and secrets are never written: a replay takes them from the
 * environment (ANYCHAT_ADMIN_PASSWORD, ANYCHAT_JWT_SECRET), which wins over the file.
 */
export const RUN_CONFIG_FILE = 'run-config.json';
/** Per-run state shared by Playwright workers (fixtures/prereq.ts): fresh for every run, so nothing leaks between runs. */
export const STATE_DIR = '.state';

const SECRET = /PASSWORD|SECRET|TOKEN/;

export function runConfigJson(
  cfg: RunConfig,
  r: { grpcServices: Record<string, string>; runId: string; harnessVersion: string; startedAt: string; env?: NodeJS.ProcessEnv },
): Record<string, unknown> {
  const c: Record<string, unknown> = {
    $comment:
      `Effective options of run ${r.runId} (anychat-conform ${r.harnessVersion}, ${r.startedAt}). Rerun one check: ` +
      `anychat-conform run --config <this file> --grep '<id> '. Passwords and secrets are not stored: export ` +
      `ANYCHAT_ADMIN_PASSWORD (and ANYCHAT_JWT_SECRET if the run had it) before replaying.`,
  };
  if (cfg.serve) {
    c.serve = true;
    if (cfg.faults.length) c.fault = cfg.faults;
  } else c.url = cfg.url;
  if (cfg.grpc) c.grpc = cfg.grpc;
  if (Object.keys(r.grpcServices).length) c.grpcService = r.grpcServices;
  if (cfg.contracts) c.contracts = resolve(cfg.contracts);
  c.suite = cfg.suites;
  c.strict = cfg.strict;
  c.seed = cfg.seed;
  if (cfg.admin) c.adminUser = cfg.admin.user;
  if (cfg.adminUrl) c.adminUrl = cfg.adminUrl;
  if (cfg.contentFormat) c.contentFormat = cfg.contentFormat;
  if (cfg.deviceType) c.deviceType = cfg.deviceType;
  if (cfg.privateConv) c.privateConv = cfg.privateConv;
  if (cfg.filesUpload !== undefined) c.filesUpload = cfg.filesUpload;
  if (cfg.timeoutMs) c.timeoutMs = cfg.timeoutMs;
  if (cfg.numRuns) c.numRuns = cfg.numRuns;
  if (cfg.maxCommands) c.maxCommands = cfg.maxCommands;
  if (cfg.orderingPath) c.path = cfg.orderingPath;
  if (cfg.grep) c.grep = cfg.grep;
  if (cfg.expectations) c.expectations = resolve(cfg.expectations);
  const env = passThroughEnv(cfg, r.env ?? process.env);
  if (Object.keys(env).length) c[CONFIG_ENV_KEY] = env;
  return c;
}

/**
 * ANYCHAT_* variables the suites read that no option sets (ANYCHAT_REST_PREFIX, ANYCHAT_VERIFY_CODE, …), as this run
 * saw them: the environment over the config file's "env". Secrets are left out.
 */
export function passThroughEnv(cfg: Pick<RunConfig, 'passEnv'>, env: NodeJS.ProcessEnv): Record<string, string> {
  const managed = new Set<string>([...Object.values(RUN_OPTIONS).map((o) => o.env), 'ANYCHAT_RUN_ID', 'ANYCHAT_STATE_DIR', 'ANYCHAT_RUN_CONFIG']);
  const names = SUITE_ENV.map(([n]) => n).filter((n) => !n.includes('<') && !managed.has(n) && !SECRET.test(n));
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = env[n] ?? cfg.passEnv[n];
    if (v !== undefined && v !== '') out[n] = v;
  }
  return out;
}

export function writeRunConfig(outDir: string, json: Record<string, unknown>): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, RUN_CONFIG_FILE);
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  return file;
}

/** A fresh, empty state directory under the report directory. */
export function freshStateDir(outDir: string): string {
  const dir = join(outDir, STATE_DIR);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The contract's deviceType values, read from the request schema of POST /auth/register (null if it has none). */
export function contractDeviceTypes(contracts: Contracts): string[] | null {
  const doc = contracts.bundle.openapi;
  let schema: any = doc?.paths?.['/auth/register']?.post?.requestBody?.content?.['application/json']?.schema;
  for (let i = 0; i < 5 && schema?.$ref; i++) schema = resolvePointer(doc, String(schema.$ref).replace(/^#/, ''));
  const values = schema?.properties?.deviceType?.enum;
  return Array.isArray(values) && values.every((v) => typeof v === 'string') ? values : null;
}

/** The warning line for a --device-type outside the contract's enum, or null. */
export function deviceTypeWarning(deviceType: string | undefined, contracts: Contracts): string | null {
  if (!deviceType) return null;
  const values = contractDeviceTypes(contracts);
  if (!values || values.includes(deviceType)) return null;
  return `warning: --device-type ${JSON.stringify(deviceType)} is not one of the contract's deviceType values (${values.join(', ')}; ` +
    `http/openapi.json RegisterRequest.deviceType): a client sending it relies on behaviour the contract does not state`;
}
