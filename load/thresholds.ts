/**
 * Thresholds like `ack.p99 < 50ms`, `delivery.p99<100ms`, `errors.rate < 0.001`, `ordering.violations == 0`,
 * `http.GET /users/me.p50 <= 5ms`, `throughput > 100`. Left side: `<metric>.<stat>` for latency metrics
 * (min mean p50 p90 p99 p999 max count) or a derived value (errors.rate, errors.total, lost, duplicated,
 * ordering.violations, throughput); right side a number with an optional ms/s unit.
 */
export interface Threshold {
  source: string;
  left: string;
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  right: number;
}

export interface ThresholdResult extends Threshold {
  observed: number | null;
  ok: boolean;
}

const RE = /^\s*([\w./ {}\-]+?)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/;

export class ThresholdError extends Error {}

export function parseThreshold(source: string): Threshold {
  const m = RE.exec(source);
  if (!m) throw new ThresholdError(`invalid threshold ${JSON.stringify(source)}: expected e.g. "ack.p99 < 50ms" or "errors.rate < 0.001"`);
  const unit = m[4];
  const n = Number(m[3]);
  const right = unit === 's' ? n * 1000 : unit === '%' ? n / 100 : n;
  return { source: source.trim(), left: m[1]!.trim(), op: m[2] as Threshold['op'], right };
}

const STATS = ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max', 'count'];
/** Values that are not `<latency metric>.<stat>` (see summary.ts for how each is computed). */
export const DERIVED_VALUES = [
  'throughput', 'rps', 'messages.rate', 'deliveries.rate', 'errors.total', 'errors.rate',
  'lost', 'lost.rate', 'duplicated', 'ordering.violations', 'misdelivered',
  'messages.sent', 'messages.acked', 'deliveries', 'deliveries.expected', 'deliveries.sync', 'deliveries.unverifiable',
  'acks.late', 'acks.unmatched', 'acks.duplicated', 'sockets.peak', 'sync.messages', 'sync.skipped', 'http.requests', 'ops',
];

/** Reject a left side that can never have a value (a typo would otherwise fail every run with "no data"). */
export function checkThresholdName(t: Threshold): void {
  const stat = t.left.slice(t.left.lastIndexOf('.') + 1);
  if (STATS.includes(stat) && t.left.length > stat.length + 1) return;
  if (t.left.startsWith('errors.') || DERIVED_VALUES.includes(t.left)) return;
  throw new ThresholdError(`invalid threshold ${JSON.stringify(t.source)}: unknown value ${JSON.stringify(t.left)} (use <metric>.<${STATS.join('|')}> like ack.p99, or one of ${DERIVED_VALUES.slice(0, 11).join(', ')}, errors.<kind>)`);
}

const compare: Record<Threshold['op'], (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b,
};

/** Evaluate against a flat map of values (see summary.values in report.ts). A missing value fails the threshold. */
export function evaluate(thresholds: Threshold[], values: Record<string, number>): ThresholdResult[] {
  return thresholds.map((t) => {
    const observed = t.left in values ? values[t.left]! : null;
    return { ...t, observed, ok: observed !== null && compare[t.op](observed, t.right) };
  });
}
