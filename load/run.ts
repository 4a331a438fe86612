import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Metrics, type MetricsJSON } from './metrics.js';
import type { LoadParams } from './params.js';
import type { ResolvedScenario, ScenarioRef } from './resolve.js';
import { runLane, type LaneReady, type LaneResult, type LaneSpec } from './lane.js';
import type { UnitInfo } from './scenario.js';
import { within } from './runtime.js';

/** One slice of a run that shards it: `index` is 1-based, like `--shard 2/3`. */
export interface Shard {
  index: number;
  total: number;
}

export interface RunLoadOptions {
  url: string;
  scenario: ResolvedScenario;
  shard?: Shard | null;
  /** Ctrl-C: stop the run early (a partial result is still returned) */
  signal?: AbortSignal;
  /** one line of progress every few seconds */
  onProgress?(line: string): void;
}

/** The machine-readable outcome of one run (or of merged shards): what `report.json` holds besides the summary. */
export interface LoadResult {
  tool: 'anychat-conform load';
  scenario: string;
  description: string;
  source?: string;
  ref: ScenarioRef;
  target: string;
  params: LoadParams;
  thresholds: string[];
  shard: Shard | null;
  /** shards merged into this result (1 for a single run) */
  shards: number;
  workers: number;
  units: { planned: number; ready: number; failed: number };
  vus: number;
  interrupted: boolean;
  /** why the run could not proceed (setup budget exceeded, no unit set up), if so */
  aborted?: string;
  notes: string[];
  metrics: MetricsJSON;
  setup: MetricsJSON;
}

const START_DELAY_MS = 250;

/** Units [from, to) of shard i/n: contiguous, whole units, as even as possible. */
export function shardRange(units: number, shard: Shard | null | undefined): [number, number] {
  if (!shard) return [0, units];
  return [Math.floor((units * (shard.index - 1)) / shard.total), Math.floor((units * shard.index) / shard.total)];
}

interface Lane {
  ready: Promise<LaneReady>;
  done: Promise<LaneResult | { error: string }>;
  go(startAt: number | null): void;
  stop(): void;
  kill(): Promise<void>;
  counters: Record<string, number>;
}

// Compiled: the worker's own JavaScript. From the sources: worker-boot.mjs registers tsx in the thread first.
const BOOT = import.meta.url.endsWith('.ts') ? new URL('./worker-boot.mjs', import.meta.url) : new URL('./worker.js', import.meta.url);

function threadLane(spec: LaneSpec): Lane {
  const worker = new Worker(BOOT, { workerData: spec });
  let onReady: (r: LaneReady) => void = () => undefined;
  let onDone: (r: LaneResult | { error: string }) => void = () => undefined;
  const ready = new Promise<LaneReady>((r) => (onReady = r));
  const done = new Promise<LaneResult | { error: string }>((r) => (onDone = r));
  const lane: Lane = {
    ready, done, counters: {},
    go: (startAt) => worker.postMessage({ type: 'go', startAt }),
    stop: () => worker.postMessage({ type: 'stop' }),
    kill: async () => void (await worker.terminate()),
  };
  worker.on('message', (m: any) => {
    if (m.type === 'ready') onReady(m);
    else if (m.type === 'progress') lane.counters = m.counters;
    else if (m.type === 'done') onDone(m.result);
    else if (m.type === 'error') {
      onReady({ ready: 0, failed: spec.units.length, notes: [m.message] });
      onDone({ error: m.message });
    }
  });
  worker.on('error', (e) => {
    onReady({ ready: 0, failed: spec.units.length, notes: [String(e?.stack ?? e)] });
    onDone({ error: String(e?.message ?? e) });
  });
  worker.on('exit', (code) => {
    onReady({ ready: 0, failed: spec.units.length, notes: [`worker exited with code ${code}`] });
    onDone({ error: `worker ${spec.lane} exited with code ${code} before reporting` });
  });
  return lane;
}

function inlineLane(spec: LaneSpec, scenario: ResolvedScenario): Lane {
  const stop = new AbortController();
  let release: (startAt: number | null) => void = () => undefined;
  const go = new Promise<number | null>((r) => (release = r));
  let onReady: (r: LaneReady) => void = () => undefined;
  const ready = new Promise<LaneReady>((r) => (onReady = r));
  const lane: Lane = {
    ready, counters: {},
    done: runLane(spec, { ready: (r) => onReady(r), go, signal: stop.signal, progress: (c) => (lane.counters = c) }, scenario.scenario)
      .catch((e) => {
        onReady({ ready: 0, failed: spec.units.length, notes: [String(e?.stack ?? e)] });
        return { error: String(e?.message ?? e) };
      }),
    go: (startAt) => release(startAt),
    stop: () => {
      stop.abort();
      release(null);
    },
    kill: async () => undefined,
  };
  return lane;
}

function emptyMetrics(): MetricsJSON {
  return new Metrics().toJSON();
}

/**
 * Run a load: plan units, take this shard's slice, split it over worker threads (one per core, at most one per unit;
 * the main thread itself when one lane is enough), set up, start every lane at one instant, merge their metrics.
 */
export async function runLoad(o: RunLoadOptions): Promise<LoadResult> {
  const { scenario } = o;
  const p = scenario.params;
  const sizes = scenario.scenario.plan ? scenario.scenario.plan(p) : Array.from({ length: p.vus }, () => 1);
  const firsts: number[] = [];
  sizes.reduce((acc, n, i) => ((firsts[i] = acc), acc + n), 0);
  const [from, to] = shardRange(sizes.length, o.shard);
  const units: UnitInfo[] = [];
  for (let i = from; i < to; i++) units.push({ index: i, size: sizes[i]!, firstVu: firsts[i]! });
  const nLanes = Math.max(1, Math.min(p.workers > 0 ? p.workers : availableParallelism(), units.length));
  const runId = randomBytes(3).toString('hex');
  const specs: LaneSpec[] = Array.from({ length: nLanes }, (_, l) => ({
    ref: scenario.ref, params: p, url: o.url, lane: l,
    tag: `${runId}${o.shard ? o.shard.index.toString(36) : ''}${l.toString(36)}`,
    units: units.slice(Math.floor((units.length * l) / nLanes), Math.floor((units.length * (l + 1)) / nLanes)),
    totalUnits: sizes.length,
    maxUnitSize: Math.max(1, ...sizes),
  }));
  const lanes = specs.map((s) => (nLanes === 1 ? inlineLane(s, scenario) : threadLane(s)));
  const result: LoadResult = {
    tool: 'anychat-conform load', scenario: scenario.name, description: scenario.description, source: scenario.source, ref: scenario.ref,
    target: o.url, params: p, thresholds: scenario.thresholds.map((t) => t.source), shard: o.shard ?? null, shards: 1, workers: nLanes,
    units: { planned: units.length, ready: 0, failed: 0 }, vus: units.reduce((n, u) => n + u.size, 0),
    interrupted: false, notes: [], metrics: emptyMetrics(), setup: emptyMetrics(),
  };

  let stopped = false;
  const stopAll = () => {
    if (stopped) return;
    stopped = true;
    for (const l of lanes) l.stop();
  };
  const onAbort = () => {
    result.interrupted = true;
    stopAll();
  };
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    // Setup, within its budget.
    const setupStarted = Date.now();
    const readies = await within(Promise.all(lanes.map((l) => l.ready)), p.setupTimeout);
    if (readies === null) {
      result.aborted = `setup did not finish within ${p.setupTimeout / 1000} s (raise --setup-timeout, lower --vus, or check the target)`;
      stopAll();
    } else {
      result.units.ready = readies.reduce((n, r) => n + r.ready, 0);
      if (result.units.ready === 0 && !stopped) {
        result.aborted = `setup failed: no unit could be set up${readies.flatMap((r) => r.notes)[0] ? ` (${readies.flatMap((r) => r.notes)[0]})` : ''}`;
        stopAll();
      }
    }
    const setupMs = Date.now() - setupStarted;
    if (!stopped) {
      const startAt = Date.now() + START_DELAY_MS;
      for (const l of lanes) l.go(startAt);
      o.onProgress?.(`setup: ${result.units.ready}/${units.length} units (${result.vus} VUs) in ${(setupMs / 1000).toFixed(1)} s on ${nLanes} worker(s); load for ${p.duration / 1000} s`);
    }

    // Load, with progress lines, within a bound that only a hung lane can hit.
    const progress = o.onProgress ? setInterval(() => {
      const c: Record<string, number> = {};
      for (const l of lanes) for (const [k, v] of Object.entries(l.counters)) c[k] = (c[k] ?? 0) + v;
      o.onProgress!(`ops ${c.ops ?? 0}  errors ${c['errors.total'] ?? 0}${c['messages.sent'] !== undefined ? `  sent ${c['messages.sent']}  acked ${c['messages.acked'] ?? 0}  delivered ${c.deliveries ?? 0}` : ''}`);
    }, 5000) : undefined;
    const bound = p.duration + p.grace + 4 * p.timeout + p.offline + 30_000;
    const outcomes = await within(Promise.all(lanes.map((l) => l.done)), bound + START_DELAY_MS);
    if (progress) clearInterval(progress);
    if (outcomes === null) {
      result.notes.push(`a worker did not finish within ${bound / 1000} s and was stopped; its metrics are missing`);
      await Promise.all(lanes.map((l) => l.kill()));
    }

    // Merge (exactly: histograms added, counters summed).
    const merged = new Metrics();
    const setup = new Metrics();
    let first = true;
    for (let i = 0; i < lanes.length; i++) {
      const r = outcomes?.[i];
      if (!r) continue;
      if ('error' in r) {
        result.notes.push(`worker ${i}: ${r.error.split('\n')[0]}`);
        continue;
      }
      if (first) {
        merged.startedAt = r.metrics.startedAt;
        setup.startedAt = r.setup.startedAt;
        first = false;
      }
      merged.merge(r.metrics);
      setup.merge(r.setup);
      result.units.failed += r.failed;
      for (const n of r.notes) if (result.notes.length < 20 && !result.notes.includes(n)) result.notes.push(n);
    }
    result.metrics = merged.toJSON();
    result.setup = setup.toJSON();
    return result;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await Promise.all(lanes.map((l) => l.kill()));
  }
}
