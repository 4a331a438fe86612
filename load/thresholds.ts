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
