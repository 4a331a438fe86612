import type { Identities } from './identity.js';
import type { Metrics } from './metrics.js';
import type { LoadParams } from './params.js';
import type { LoadHttp, LoadSocket, LoadTarget } from './runtime.js';
import type { DeliveryTracker } from './tracker.js';

/**
 * What a scenario is. The engine splits a run into *units* — the smallest group of virtual users that must live in one
 * process (a chat group with its members; a single user for login or rest-mix) — slices whole units across shards and
 * worker threads, sets every unit up, then fires each VU's arrivals at its rate (open model: arrivals do not wait for
 * earlier ones, latency counts from the scheduled time) or back to back when the rate is 0 (closed model).
 *
 * A user-defined scenario file default-exports either a ScenarioExtension (`{ extends: 'chat', params, thresholds }`,
 * also the shape of a .json scenario file) or a whole Scenario object, e.g.
 *
 *   import type { Scenario } from 'anychat-conform/load/scenario.ts';
 *   export default {
 *     name: 'profile-reads',
 *     description: 'each VU reads its own profile',
 *     params: { vus: 20, rate: '5/s' },
 *     thresholds: ['http.GET /users/me.p99 < 50ms'],
 *     setup: (lane) => lane.identities.register(lane.setupHttp),
 *     iterate: (lane, _unit, user, _vu, scheduledAt) =>
 *       lane.http.request('GET /users/me', 'GET', '/users/me', { token: user.accessToken, scheduledAt }).then(() => undefined),
 *   } satisfies Scenario;
 */
export interface Scenario<S = any> {
  name: string;
  description: string;
  /** this scenario's defaults (over the global ones; files and flags override them) */
  params?: Record<string, unknown>;
  /** thresholds that apply unless --no-scenario-thresholds */
  thresholds?: string[];
  /** throw an Error with a one-line message when the parameters do not make sense for this scenario */
  validate?(p: LoadParams): void;
  /** VUs in each unit, in unit order; default: p.vus units of one VU */
  plan?(p: LoadParams): number[];
  /** prepare one unit (users, groups, sockets) in the setup phase; throw to drop the unit */
  setup?(lane: LaneContext, unit: UnitInfo): Promise<S>;
  /** arrivals per second for VU `vu` (0-based within the unit); default p.rate; < 0 = this VU never iterates */
  rateFor?(p: LoadParams, unit: UnitInfo, vu: number): number;
  /** the first arrival of each VU is at its activation time rather than at a random phase within its interval */
  startImmediately?: boolean;
  /** one arrival of VU `vu`; `scheduledAt` is its due time in performance.now() milliseconds */
  iterate(lane: LaneContext, unit: UnitInfo, state: S, vu: number, scheduledAt: number): Promise<void> | void;
  teardown?(lane: LaneContext, unit: UnitInfo, state: S): Promise<void> | void;
}

export interface ScenarioExtension {
  extends: string;
  name?: string;
  description?: string;
  params?: Record<string, unknown>;
  thresholds?: string[];
}

export interface UnitInfo {
  /** global unit index (across shards) */
  index: number;
  /** VUs in this unit */
  size: number;
  /** global index of the unit's first VU */
  firstVu: number;
}

/** What a scenario gets from the lane (one worker thread) it runs in. */
export interface LaneContext {
  readonly params: LoadParams;
  readonly target: LoadTarget;
  readonly lane: number;
  /** unique per run and lane: identities and trace ids carry it */
  readonly tag: string;
  /** load-phase metrics */
  readonly metrics: Metrics;
  /** setup-phase metrics (reported apart from the load) */
  readonly setupMetrics: Metrics;
  /** HTTP recording into `metrics` */
  readonly http: LoadHttp;
  /** HTTP recording into `setupMetrics` */
  readonly setupHttp: LoadHttp;
  readonly identities: Identities;
  readonly tracker: DeliveryTracker;
  /** aborted when the run is stopping (Ctrl-C, or setup budget exceeded) */
  readonly signal: AbortSignal;
  /** a new socket recording into `metrics` (or setupMetrics); closed by the engine at the end */
  socket(phase: 'setup' | 'load'): LoadSocket;
  /** keep a sample error message for the report (bounded) */
  note(message: string): void;
}
