import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SetupError } from '../contracts/errors.js';
import { checkParams, DEFAULT_PARAMS, ParamError, parseParams, type LoadParams } from './params.js';
import type { Scenario, ScenarioExtension } from './scenario.js';
import { BUILTIN_SCENARIOS } from './scenarios/index.js';
import { checkThresholdName, parseThreshold, ThresholdError, type Threshold } from './thresholds.js';

/** How a worker thread finds the scenario's code again: a built-in name, or a file it imports itself. */
export type ScenarioRef = { builtin: string } | { file: string };

export interface ResolvedScenario {
  ref: ScenarioRef;
  scenario: Scenario;
  name: string;
  description: string;
  /** the scenario file, when one was given */
  source?: string;
  params: LoadParams;
  thresholds: Threshold[];
}

export interface ResolveOptions {
  /** parameters from the command line (win over the file's and the scenario's) */
  params?: Record<string, unknown>;
  thresholds?: string[];
  /** drop the thresholds the scenario (and its file) declare */
  noScenarioThresholds?: boolean;
}

const FILE_EXTENSIONS = ['.json', '.ts', '.mts', '.js', '.mjs'];
const EXTENSION_KEYS = ['extends', 'name', 'description', 'params', 'thresholds'];

function builtin(name: string, where: string): Scenario {
  const s = BUILTIN_SCENARIOS[name];
  if (!s) throw new SetupError(`${where}unknown scenario ${JSON.stringify(name)} (built-in: ${Object.keys(BUILTIN_SCENARIOS).join(', ')}; or a .ts/.js/.json scenario file)`);
  return s;
}

/**
 * The default export of a scenario module. TypeScript goes through tsx's tsImport, which compiles it whatever the
 * module type of the folder it sits in (a plain import() of a .ts file outside an ESM package fails under tsx's
 * loader); a file compiled as CommonJS shows its export as `default.default`.
 */
async function importDefault(file: string): Promise<unknown> {
  // tsx is loaded only for a TypeScript scenario file (the user's own); the harness itself runs compiled.
  const mod = /\.[cm]?ts$/.test(file)
    ? await (await import('tsx/esm/api')).tsImport(pathToFileURL(file).href, import.meta.url)
    : await import(pathToFileURL(file).href);
  const def = mod.default ?? mod.scenario;
  return def && typeof def === 'object' && 'default' in def && Object.keys(def).length <= 2 ? (def as any).default : def;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The code to run for `ref` (in a worker thread: the same resolution as the main thread did). */
export async function scenarioCode(ref: ScenarioRef): Promise<Scenario> {
  if ('builtin' in ref) return builtin(ref.builtin, '');
  if (ref.file.endsWith('.json')) return builtin(JSON.parse(readFileSync(ref.file, 'utf8')).extends, '');
  const def = (await importDefault(ref.file)) as Scenario | ScenarioExtension;
  return 'extends' in def && typeof def.extends === 'string' ? builtin(def.extends, '') : (def as Scenario);
}

/** Read a scenario file into either an extension of a built-in or a whole scenario; every problem is one SetupError line. */
async function readScenarioFile(file: string): Promise<{ base: Scenario; ext: ScenarioExtension | null }> {
  const where = `scenario file ${file}: `;
  let def: unknown;
  if (file.endsWith('.json')) {
    try {
      def = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new SetupError(`${where}invalid JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  } else {
    try {
      def = await importDefault(file);
    } catch (e) {
      throw new SetupError(`${where}cannot load: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
    }
  }
  if (!isRecord(def)) throw new SetupError(`${where}must ${file.endsWith('.json') ? 'hold a JSON object' : 'default-export a scenario object'}`);
  if ('extends' in def || file.endsWith('.json')) {
    const unknown = Object.keys(def).filter((k) => !EXTENSION_KEYS.includes(k));
    if (unknown.length) throw new SetupError(`${where}unknown key(s) ${unknown.join(', ')} (allowed: ${EXTENSION_KEYS.join(', ')})`);
    if (typeof def.extends !== 'string') throw new SetupError(`${where}"extends" must name a built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')})`);
    if (def.params !== undefined && !isRecord(def.params)) throw new SetupError(`${where}"params" must be an object`);
    if (def.thresholds !== undefined && !(Array.isArray(def.thresholds) && def.thresholds.every((t) => typeof t === 'string'))) {
      throw new SetupError(`${where}"thresholds" must be an array of strings like "ack.p99 < 50ms"`);
    }
    return { base: builtin(def.extends, where), ext: def as unknown as ScenarioExtension };
  }
  if (typeof def.iterate !== 'function' || typeof def.name !== 'string') {
    throw new SetupError(`${where}a scenario needs a string "name" and an iterate() function (or "extends": "<built-in>")`);
  }
  return { base: def as unknown as Scenario, ext: null };
}

/** --scenario NAME|FILE plus flags → the scenario, its final parameters and thresholds. Problems are SetupErrors. */
export async function resolveScenario(spec: string, opts: ResolveOptions = {}): Promise<ResolvedScenario> {
  let ref: ScenarioRef;
  let scenario: Scenario;
  let ext: ScenarioExtension | null = null;
  let source: string | undefined;
  if (BUILTIN_SCENARIOS[spec]) {
    ref = { builtin: spec };
    scenario = BUILTIN_SCENARIOS[spec]!;
  } else if (FILE_EXTENSIONS.includes(extname(spec)) || spec.includes('/')) {
    source = resolvePath(spec);
    if (!existsSync(source)) throw new SetupError(`scenario file ${spec} does not exist`);
    if (!FILE_EXTENSIONS.includes(extname(source))) throw new SetupError(`scenario file ${spec}: expected a ${FILE_EXTENSIONS.join('/')} file`);
    ({ base: scenario, ext } = await readScenarioFile(source));
    ref = { file: source };
  } else {
    throw new SetupError(`unknown scenario ${JSON.stringify(spec)} (built-in: ${Object.keys(BUILTIN_SCENARIOS).join(', ')}; or a .ts/.js/.json scenario file)`);
  }

  let params: LoadParams;
  try {
    params = {
      ...DEFAULT_PARAMS,
      ...parseParams(scenario.params ?? {}, `scenario ${scenario.name}: `),
      ...parseParams(ext?.params ?? {}, `scenario file ${source}: params.`),
      ...parseParams(opts.params ?? {}, '--'),
    };
    checkParams(params);
    scenario.validate?.(params);
  } catch (e) {
    throw new SetupError(`${e instanceof ParamError ? '' : `scenario ${ext?.name ?? scenario.name}: `}${(e as Error).message}`);
  }

  const sources = [
    ...(opts.noScenarioThresholds ? [] : [...(scenario.thresholds ?? []), ...(ext?.thresholds ?? [])]),
    ...(opts.thresholds ?? []),
  ];
  let thresholds: Threshold[];
  try {
    thresholds = [...new Set(sources)].map((t) => {
      const parsed = parseThreshold(t);
      checkThresholdName(parsed);
      return parsed;
    });
  } catch (e) {
    if (e instanceof ThresholdError) throw new SetupError(e.message);
    throw e;
  }
  return {
    ref, scenario, source, params, thresholds,
    name: ext?.name ?? scenario.name,
    description: ext?.description ?? scenario.description,
  };
}
