import * as hdr from 'hdr-histogram-js';
import { Metrics, summarise, type LatencySummary } from './metrics.js';
import type { LoadResult } from './run.js';
import { evaluate, parseThreshold, type ThresholdResult } from './thresholds.js';

/**
 * Everything a run is judged and reported on, from its merged metrics: latency summaries per metric (plus `http`, all
 * HTTP operations together), counters, and the derived values thresholds compare against:
 *   <metric>.<min|mean|p50|p90|p95|p99|p999|max|count>   e.g. ack.p99, delivery.p50, http.POST /auth/login.p99 (ms)
 *   throughput (ops/s), rps (HTTP requests/s), messages.rate (acks/s), deliveries.rate (/s)
 *   errors.total, errors.rate (errors per operation), errors.<kind>
 *   lost, lost.rate (per expected delivery), duplicated, ordering.violations, misdelivered, and every other counter.
 */
export interface Summary {
  /** seconds of the load phase */
  seconds: number;
  latencies: Array<{ name: string } & LatencySummary>;
  counters: Record<string, number>;
  values: Record<string, number>;
  thresholds: ThresholdResult[];
  passed: boolean;
}

/** The HTTP operations together, as one histogram. */
export function httpAggregate(histograms: Map<string, hdr.Histogram>): hdr.Histogram | undefined {
  let all: hdr.Histogram | undefined;
  for (const [name, h] of histograms) {
    if (!name.startsWith('http.')) continue;
    all ??= hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    all.add(h);
  }
  return all;
}

const STAT_KEYS = ['count', 'min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const;

export function summarize(result: LoadResult, extraThresholds: string[] = []): Summary {
  const m = Metrics.fromJSON(result.metrics);
  const seconds = Math.max(0.001, (result.metrics.endedAt - result.metrics.startedAt) / 1000);
  const latencies: Summary['latencies'] = [];
  const values: Record<string, number> = {};
  const hists = new Map(m.histograms);
  const http = httpAggregate(hists);
  if (http) hists.set('http', http);
  for (const [name, h] of [...hists].sort(([a], [b]) => a.localeCompare(b))) {
    if (h.totalCount === 0) continue;
    const s = summarise(h);
    latencies.push({ name, ...s });
    for (const k of STAT_KEYS) values[`${name}.${k}`] = s[k];
  }
  const counters = Object.fromEntries([...m.counters].sort(([a], [b]) => a.localeCompare(b)));
  Object.assign(values, counters);
  const c = (k: string) => counters[k] ?? 0;
  values['errors.total'] = c('errors.total');
  values['errors.rate'] = c('errors.total') / Math.max(1, c('ops'));
  values.throughput = c('ops') / seconds;
  values.rps = c('http.requests') / seconds;
  if ('messages.sent' in counters) {
    values['messages.rate'] = c('messages.acked') / seconds;
    values['deliveries.rate'] = c('deliveries') / seconds;
    values['lost.rate'] = c('lost') / Math.max(1, c('deliveries.expected'));
  }
  const sources = [...new Set([...result.thresholds, ...extraThresholds])].map(parseThreshold);
  // An error kind that never happened has no counter: its count is 0, not "no data".
  for (const t of sources) if (t.left.startsWith('errors.') && !(t.left in values)) values[t.left] = 0;
  const thresholds = evaluate(sources, values);
  return { seconds, latencies, counters, values, thresholds, passed: thresholds.every((t) => t.ok) };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
export const fmtMs = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)}s` : v >= 10 ? `${v.toFixed(1)}ms` : `${v.toFixed(2)}ms`);
export const fmtNum = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));

export function thresholdLine(t: ThresholdResult): string {
  const observed = t.observed === null ? 'no data' : t.left.match(/\.(min|mean|p\d+|max)$/) ? fmtMs(t.observed) : fmtNum(t.observed);
  return `${t.ok ? '✓' : '✗'} ${t.source}  (observed ${observed})`;
}

/** The terminal summary. */
export function renderSummary(result: LoadResult, s: Summary, files: string[] = []): string {
  const L: string[] = [];
  const p = result.params;
  L.push(`anychat-conform load — ${result.scenario}${result.source ? ` (${result.source})` : ''} against ${result.target}`);
  L.push(`  ${result.vus} VUs in ${result.units.ready}/${result.units.planned} units${result.shard ? `, shard ${result.shard.index}/${result.shard.total}` : ''}${result.shards > 1 ? `, ${result.shards} shards merged` : ''}, ${result.workers} worker(s); ` +
    `${s.seconds.toFixed(1)} s of load (ramp-up ${p.rampUp / 1000} s), rate ${p.rate === 0 ? 'closed loop' : `${fmtNum(p.rate)}/s per VU`}`);
  if (result.interrupted) L.push('  INTERRUPTED: partial results');
  if (result.aborted) L.push(`  ABORTED: ${result.aborted}`);
  if (result.units.failed > 0) L.push(`  ${result.units.failed} unit(s) failed setup`);
  L.push('');
  if (result.aborted) {
    // No load phase ran: only the setup figures mean anything.
    renderSetup(result, L);
    L.push('');
    for (const f of files) L.push(`  wrote ${f}`);
    L.push('  verdict: ABORTED');
    return L.join('\n') + '\n';
  }
  const names = s.latencies.map((l) => l.name).filter((n) => n !== 'driver.lag');
  if (names.length) {
    const w = Math.max(10, ...names.map((n) => n.length)) + 2;
    L.push(`  ${pad('latency', w)}${['count', 'p50', 'p90', 'p99', 'p99.9', 'max'].map((h) => lpad(h, 10)).join('')}`);
    for (const l of s.latencies) {
      if (l.name === 'driver.lag') continue;
      L.push(`  ${pad(l.name, w)}${lpad(String(l.count), 10)}${[l.p50, l.p90, l.p99, l.p999, l.max].map((v) => lpad(fmtMs(v), 10)).join('')}`);
    }
    L.push('');
  }
  const v = s.values;
  L.push(`  throughput ${fmtNum(v.throughput!)} ops/s${v.rps ? `, ${fmtNum(v.rps)} HTTP req/s` : ''}${v['messages.rate'] !== undefined ? `, ${fmtNum(v['messages.rate'])} msgs/s acked, ${fmtNum(v['deliveries.rate']!)} deliveries/s` : ''}`);
  const lag = s.latencies.find((l) => l.name === 'driver.lag');
  if (lag && lag.p99 > 50) L.push(`  note: the load generator itself ran late (driver.lag p99 ${fmtMs(lag.p99)}): latencies include its own delay`);
  const errs = Object.entries(s.counters).filter(([k]) => k.startsWith('errors.') && k !== 'errors.total');
  L.push(`  errors ${v['errors.total']} (rate ${fmtNum(v['errors.rate']!)})${errs.length ? ': ' + errs.map(([k, n]) => `${k.slice(7)} ${n}`).join(', ') : ''}`);
  if ('messages.sent' in s.counters) {
    const c = s.counters;
    L.push(`  messages sent ${c['messages.sent']}, acked ${c['messages.acked'] ?? 0}; deliveries ${c.deliveries ?? 0}${c['deliveries.sync'] ? ` (+${c['deliveries.sync']} via sync)` : ''} of ${c['deliveries.expected'] ?? 0} expected`);
    L.push(`  correctness: lost ${c.lost ?? 0}, duplicated ${c.duplicated ?? 0}, out of order ${c['ordering.violations'] ?? 0}, misdelivered ${c.misdelivered ?? 0}${c['deliveries.unverifiable'] ? `, unverifiable (dropped sockets) ${c['deliveries.unverifiable']}` : ''}`);
  }
  if (s.counters['sockets.peak']) L.push(`  sockets held: ${s.counters['sockets.peak']} (sum of per-worker peaks)`);
  renderSetup(result, L);
  if (s.thresholds.length) {
    L.push('');
    L.push('  thresholds');
    for (const t of s.thresholds) L.push(`    ${thresholdLine(t)}`);
  }
  L.push('');
  for (const f of files) L.push(`  wrote ${f}`);
  L.push(`  verdict: ${result.aborted ? 'ABORTED' : s.passed ? 'PASS' : 'FAIL'}${result.interrupted ? ' (interrupted)' : ''}`);
  return L.join('\n') + '\n';
}

function renderSetup(result: LoadResult, L: string[]): void {
  const setup = Metrics.fromJSON(result.setup);
  const setupErrors = setup.counters.get('errors.total') ?? 0;
  if (setupErrors) L.push(`  setup errors ${setupErrors}: ${[...setup.counters].filter(([k]) => k.startsWith('errors.') && k !== 'errors.total').map(([k, n]) => `${k.slice(7)} ${n}`).join(', ')}`);
  for (const n of result.notes.slice(0, 5)) L.push(`  note: ${n}`);
}
