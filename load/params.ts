/**
 * Load parameters: one flat, typed set shared by every scenario (each uses the ones it needs), with parsers for the
 * human forms used on the command line and in scenario files: durations ("30s", "500ms", "2m", a bare number = seconds)
 * and rates ("2/s", "120/m", "0.5", "max" = closed loop).
 */
export interface LoadParams {
  /** ms of the load phase, ramp-up included */
  duration: number;
  /** ms over which the virtual users start, linearly */
  rampUp: number;
  vus: number;
  /** arrivals per second per virtual user (open model); 0 = closed loop (each VU back to back) */
  rate: number;
  /** members per group (chat, fanout, sync) */
  groupSize: number;
  /** senders per group; 0 = every member sends (chat), fanout defaults to 1 */
  senders: number;
  /** sockets (logged-in devices) per user in chat/fanout: message.new must reach the sender's other devices too */
  devices: number;
  /** soak: concurrent idle sockets */
  concurrency: number;
  /** soak: sockets opened per registered user */
  socketsPerUser: number;
  /** sync: ms between one VU's reconnects */
  reconnectEvery: number;
  /** sync: ms a VU stays offline before reconnecting */
  offline: number;
  /** bytes of text content per message */
  contentBytes: number;
  /** ms to wait at the end for outstanding acks and deliveries before counting losses */
  grace: number;
  /** ms timeout of every network call */
  timeout: number;
  /** rest-mix / login: operation → weight */
  mix: Record<string, number>;
  /** worker threads; 0 = one per core (at most one per unit) */
  workers: number;
  /** HTTP connections per worker */
  connections: number;
  /** units (groups, users) set up concurrently per worker */
  setupConcurrency: number;
  /** ms budget for the whole setup phase */
  setupTimeout: number;
}

export const DEFAULT_PARAMS: LoadParams = {
  duration: 30_000,
  rampUp: 0,
  vus: 100,
  rate: 1,
  groupSize: 10,
  senders: 0,
  devices: 1,
  concurrency: 1000,
  socketsPerUser: 100,
  reconnectEvery: 5_000,
  offline: 1_000,
  contentBytes: 64,
  grace: 5_000,
  timeout: 10_000,
  mix: {},
  workers: 0,
  connections: 64,
  setupConcurrency: 8,
  setupTimeout: 300_000,
};

export class ParamError extends Error {}

const DURATION_KEYS = ['duration', 'rampUp', 'reconnectEvery', 'offline', 'grace', 'timeout', 'setupTimeout'] as const;
const INT_KEYS = ['vus', 'groupSize', 'senders', 'devices', 'concurrency', 'socketsPerUser', 'contentBytes', 'workers', 'connections', 'setupConcurrency'] as const;
export const PARAM_KEYS = Object.keys(DEFAULT_PARAMS) as Array<keyof LoadParams>;

/** "30s" | "500ms" | "2m" | "1h" | 30 (seconds) → ms. */
export function parseDuration(v: unknown, name = 'duration'): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v * 1000);
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v) : null;
  if (!m) throw new ParamError(`${name}: expected a duration like 30s, 500ms or 2m, got ${JSON.stringify(v)}`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(n * unit);
}

/** "2/s" | "120/m" | "0.5" (per second) | "max" (closed loop = 0) → arrivals per second. */
export function parseRate(v: unknown, name = 'rate'): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (v === 'max') return 0;
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m|h))?\s*$/.exec(v) : null;
  if (!m) throw new ParamError(`${name}: expected a rate like 2/s, 120/m or max, got ${JSON.stringify(v)}`);
  return Number(m[1]) / { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

/** "GET /users/me=4,GET /groups=1" or an object → weights. */
export function parseMix(v: unknown, name = 'mix'): Record<string, number> {
  const entries: Array<[string, unknown]> = typeof v === 'string'
    ? v.split(',').filter((s) => s.trim()).map((s) => {
      const i = s.lastIndexOf('=');
      return i < 0 ? [s.trim(), 1] : [s.slice(0, i).trim(), s.slice(i + 1).trim()];
    })
    : v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : [];
  if (entries.length === 0) throw new ParamError(`${name}: expected "op=weight,…" or an object of weights, got ${JSON.stringify(v)}`);
  const out: Record<string, number> = {};
  for (const [k, w] of entries) {
    const n = Number(w);
    if (!Number.isFinite(n) || n < 0) throw new ParamError(`${name}: weight of ${JSON.stringify(k)} must be a number ≥ 0, got ${JSON.stringify(w)}`);
    out[k] = n;
  }
  if (!Object.values(out).some((n) => n > 0)) throw new ParamError(`${name}: at least one weight must be > 0`);
  return out;
}

/** Validate and normalise a partial parameter object (from a scenario file or flags); unknown keys are errors. */
export function parseParams(raw: Record<string, unknown>, where: string): Partial<LoadParams> {
  const out: Partial<LoadParams> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const key = k as keyof LoadParams;
    const name = where === '--' ? `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : `${where}${k}`;
    if (!PARAM_KEYS.includes(key)) throw new ParamError(`${name}: unknown parameter (known: ${PARAM_KEYS.join(', ')})`);
    if ((DURATION_KEYS as readonly string[]).includes(key)) (out as any)[key] = parseDuration(v, name);
    else if (key === 'rate') out.rate = parseRate(v, name);
    else if (key === 'mix') out.mix = parseMix(v, name);
    else if ((INT_KEYS as readonly string[]).includes(key)) {
      const n = typeof v === 'string' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ParamError(`${name}: expected an integer ≥ 0, got ${JSON.stringify(v)}`);
      (out as any)[key] = n;
    }
  }
  return out;
}

/** Checks that hold for every scenario; scenario-specific ones live in the scenario's validate(). */
export function checkParams(p: LoadParams): void {
  const fail = (m: string) => { throw new ParamError(m); };
  if (p.duration <= 0) fail('duration must be > 0');
  if (p.rampUp > p.duration) fail(`ramp-up (${p.rampUp} ms) must not exceed duration (${p.duration} ms)`);
  if (p.vus < 1) fail('vus must be ≥ 1');
  if (p.timeout < 1) fail('timeout must be > 0');
  if (p.devices < 1) fail('devices must be ≥ 1');
  if (p.connections < 1) fail('connections must be ≥ 1');
  if (p.setupConcurrency < 1) fail('setupConcurrency must be ≥ 1');
  if (p.contentBytes < 24 || p.contentBytes > 60_000) fail('contentBytes must be from 24 to 60000 (the trace id needs 24)');
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
