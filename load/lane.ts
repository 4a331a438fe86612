import { Identities } from './identity.js';
import { Metrics, type MetricsJSON } from './metrics.js';
import type { LoadParams } from './params.js';
import { scenarioCode, type ScenarioRef } from './resolve.js';
import { LoadHttp, LoadSocket, loadTarget, sleep, within } from './runtime.js';
import type { LaneContext, Scenario, UnitInfo } from './scenario.js';
import { DeliveryTracker } from './tracker.js';

/**
 * One lane: the slice of units one thread runs (a worker thread, or the main thread when there is one lane).
 * Phases: setup every unit (bounded concurrency) → report ready → wait for the common start time → fire arrivals
 * for `duration` (ramp-up spreads VU activation) → wait for in-flight work, then up to `grace` for outstanding acks and
 * deliveries → count correctness → tear down. A stop (Ctrl-C) cuts whichever phase is running short.
 */
export interface LaneSpec {
  ref: ScenarioRef;
  params: LoadParams;
  url: string;
  lane: number;
  tag: string;
  units: UnitInfo[];
  /** units in the whole run (all shards) and the largest unit: they fix each VU's place in the ramp-up */
  totalUnits: number;
  maxUnitSize: number;
}

export interface LaneReady {
  ready: number;
  failed: number;
  notes: string[];
}

export interface LaneResult extends LaneReady {
  metrics: MetricsJSON;
  setup: MetricsJSON;
}

export interface LaneControl {
  ready(info: LaneReady): void;
  /** resolves with the common start time (epoch ms), or null when the run stops before the load phase */
  go: Promise<number | null>;
  signal: AbortSignal;
  progress?(counters: Record<string, number>): void;
}

const MAX_NOTES = 20;

export async function runLane(spec: LaneSpec, control: LaneControl, scenario?: Scenario): Promise<LaneResult> {
  const code = scenario ?? (await scenarioCode(spec.ref));
  const p = spec.params;
  const target = loadTarget(spec.url);
  const metrics = new Metrics();
  const setupMetrics = new Metrics();
  const notes: string[] = [];
  const sockets = new Set<LoadSocket>();
  const http = new LoadHttp(target, metrics, p.connections, p.timeout);
  const setupHttp = new LoadHttp(target, setupMetrics, Math.min(p.connections, 32), p.timeout);
  const lane: LaneContext = {
    params: p, target, lane: spec.lane, tag: spec.tag, metrics, setupMetrics, http, setupHttp,
    identities: new Identities(spec.tag),
    tracker: new DeliveryTracker(metrics, spec.tag, p.timeout, p.contentBytes),
    signal: control.signal,
    socket(phase) {
      const s = new LoadSocket(target, phase === 'setup' ? setupMetrics : metrics, p.timeout);
      // Reconnecting scenarios replace sockets: forget closed ones now and then.
      if (sockets.size >= 1024 && (sockets.size & (sockets.size - 1)) === 0) for (const x of sockets) if (x.closed) sockets.delete(x);
      sockets.add(s);
      return s;
    },
    note(message) {
      if (notes.length < MAX_NOTES && !notes.includes(message)) notes.push(message);
    },
  };

  // Setup: units with bounded concurrency; a unit whose setup throws is dropped.
  const states = new Map<UnitInfo, unknown>();
  let failed = 0;
  const queue = [...spec.units];
  await Promise.all(Array.from({ length: Math.min(p.setupConcurrency, queue.length) }, async () => {
    for (let u = queue.shift(); u && !control.signal.aborted; u = queue.shift()) {
      try {
        states.set(u, code.setup ? await code.setup(lane, u) : undefined);
      } catch (e) {
        failed++;
        setupMetrics.error('setup.unit');
        lane.note(`setup: ${(e as Error)?.message ?? e}`);
      }
    }
  }));
  failed += queue.length; // not started because the run stopped
  control.ready({ ready: states.size, failed, notes: [...notes] });

  const startAt = await control.go;
  if (startAt !== null && !control.signal.aborted) {
    for (const s of sockets) s.metrics = metrics; // from now on their drops and errors belong to the load
    await loadPhase(spec, code, lane, states, startAt, control);
  }

  // Teardown.
  for (const [u, st] of states) {
    try {
      await code.teardown?.(lane, u, st);
    } catch (e) {
      lane.note(`teardown: ${(e as Error)?.message ?? e}`);
    }
  }
  for (const s of sockets) s.close();
  await Promise.all([http.close(), setupHttp.close()]);
  return { metrics: metrics.toJSON(), setup: setupMetrics.toJSON(), ready: states.size, failed, notes };
}

async function loadPhase(spec: LaneSpec, code: Scenario, lane: LaneContext, states: Map<UnitInfo, unknown>, startAt: number, control: LaneControl): Promise<void> {
  const p = spec.params;
  const { metrics } = lane;
  metrics.startedAt = startAt;
  const t0 = performance.now() + (startAt - Date.now());
  const end = t0 + p.duration;
  const inflight = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const unstarted = new Set<() => void>();
  const onStop = () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const resolve of unstarted) resolve();
    unstarted.clear();
  };
  control.signal.addEventListener('abort', onStop, { once: true });

  const fire = (u: UnitInfo, st: unknown, vu: number, scheduledAt: number): Promise<void> => {
    const run = (async () => {
      try {
        await code.iterate(lane, u, st, vu, scheduledAt);
      } catch (e) {
        metrics.error('iteration');
        lane.note(`iteration: ${(e as Error)?.message ?? e}`);
      }
    })();
    inflight.add(run);
    void run.finally(() => inflight.delete(run));
    return run;
  };
  const later = (fn: () => void, at: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, Math.max(0, at - performance.now()));
    timers.add(t);
  };

  let loops: Array<Promise<void>> = [];
  const flushes: Array<() => void> = [];
  const span = spec.totalUnits * spec.maxUnitSize;
  for (const [u, st] of states) {
    for (let vu = 0; vu < u.size; vu++) {
      const rate = code.rateFor ? code.rateFor(p, u, vu) : p.rate;
      if (rate < 0) continue;
      // VU activation: round-robin over units so the ramp adds load to every group evenly.
      const activateAt = t0 + (p.rampUp * (vu * spec.totalUnits + u.index)) / span;
      if (rate === 0) {
        // Closed model: back to back until the end (a loop whose start timer is cancelled by the end resolves at once).
        loops.push(new Promise<void>((resolve) => {
          unstarted.add(resolve);
          later(async () => {
            unstarted.delete(resolve);
            while (!stopped && performance.now() < end) {
              try {
                await code.iterate(lane, u, st, vu, performance.now());
              } catch (e) {
                metrics.error('iteration');
                lane.note(`iteration: ${(e as Error)?.message ?? e}`);
              }
            }
            resolve();
          }, activateAt);
        }));
        continue;
      }
      const interval = 1000 / rate;
      let next = activateAt + (code.startImmediately ? 0 : Math.random() * interval);
      // Every arrival that is due fires now, even if the timer is late (open model: the lag is measured, not skipped).
      const due = (until: number) => {
        while (!stopped && next <= until && next < end) {
          void fire(u, st, vu, next);
          next += interval;
        }
      };
      const tick = () => {
        due(performance.now());
        if (!stopped && next < end) later(tick, next);
      };
      flushes.push(() => due(end));
      if (next < end) later(tick, next);
    }
  }

  const progress = setInterval(() => control.progress?.(Object.fromEntries(metrics.counters)), 1000);
  await sleep(end - performance.now(), control.signal);
  // A natural end still fires the arrivals due before it whose timers are late; a stop (Ctrl-C) does not.
  if (!control.signal.aborted) for (const f of flushes) f();
  onStop();
  metrics.endedAt = Date.now();
  clearInterval(progress);

  // Let work in flight finish (every call has its own timeout; this bound only guards against a scenario that hangs).
  // A stop (Ctrl-C) waits at most about a second for each of these.
  const settle = Promise.all([...loops, ...inflight]).then(() => undefined);
  await within(settle, control.signal.aborted ? 1000 : p.timeout * 3 + p.offline + 1000);
  loops = [];
  if (lane.tracker.used) {
    const graceEnd = performance.now() + p.grace;
    let stopBy = Infinity;
    while (performance.now() < Math.min(graceEnd, stopBy) && lane.tracker.outstanding() > 0) {
      await sleep(50);
      if (control.signal.aborted && stopBy === Infinity) stopBy = performance.now() + 1000;
    }
    lane.tracker.finish();
  }
  control.progress?.(Object.fromEntries(metrics.counters));
}
