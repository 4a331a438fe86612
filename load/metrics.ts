import * as hdr from 'hdr-histogram-js';

/**
 * Load metrics: HDR histograms (µs resolution, 1 µs – 10 min) per metric name, counters, and per-second series.
 * Everything serialises to JSON (histograms as compressed base64) and merges exactly: merged histograms are added,
 * never averaged, so shards and worker threads combine into the same numbers one process would have produced.
 */
const LOWEST = 1;
const HIGHEST = 600_000_000; // 10 min in µs
const DIGITS = 3;

function newHistogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: LOWEST, highestTrackableValue: HIGHEST, numberOfSignificantValueDigits: DIGITS, useWebAssembly: false });
}

/** Per-second histograms only feed charts: 2 significant digits and 32-bit counts keep them ~10 KB each instead of ~170 KB. */
function newSeriesHistogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: LOWEST, highestTrackableValue: HIGHEST, numberOfSignificantValueDigits: 2, useWebAssembly: false });
}

export interface SecondBucket {
  /** completed operations (all latency metrics) */
  count: number;
  errors: number;
  /** per metric: latency histogram of that second */
  hist: Map<string, hdr.Histogram>;
}

export interface MetricsJSON {
  startedAt: number;
  endedAt: number;
  histograms: Record<string, string>;
  counters: Record<string, number>;
  /** per second since start: { t, count, errors, hist: {metric: base64} } */
  series: Array<{ t: number; count: number; errors: number; hist: Record<string, string> }>;
}

export class Metrics {
  readonly histograms = new Map<string, hdr.Histogram>();
  readonly counters = new Map<string, number>();
  readonly series = new Map<number, SecondBucket>();
  startedAt = Date.now();
  endedAt = 0;

  private hist(name: string): hdr.Histogram {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = newHistogram()));
    return h;
  }

  private bucket(atMs: number): SecondBucket {
    const t = Math.max(0, Math.floor((atMs - this.startedAt) / 1000));
    let b = this.series.get(t);
    if (!b) this.series.set(t, (b = { count: 0, errors: 0, hist: new Map() }));
    return b;
  }

  /**
   * Record a latency in ms. With `expectedIntervalMs` (closed-loop loads), HDR back-fills the samples a stalled
   * system would have delayed — the coordinated-omission correction. Open-model scenarios measure from the
   * scheduled time instead, which corrects at the source.
   */
  latency(name: string, ms: number, expectedIntervalMs?: number, atMs = Date.now()): void {
    const us = Math.min(HIGHEST, Math.max(LOWEST, Math.round(ms * 1000)));
    const h = this.hist(name);
    if (expectedIntervalMs && expectedIntervalMs > 0) h.recordValueWithExpectedInterval(us, Math.round(expectedIntervalMs * 1000));
    else h.recordValue(us);
    const b = this.bucket(atMs);
    b.count++;
    let bh = b.hist.get(name);
    if (!bh) b.hist.set(name, (bh = newSeriesHistogram()));
    bh.recordValue(us);
  }

  count(name: string, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }

  /** An error of `kind` (e.g. 'http.5xx', 'ws.timeout'); counted overall and in its second. */
  error(kind: string, atMs = Date.now()): void {
    this.count(`errors.${kind}`);
    this.count('errors.total');
    this.bucket(atMs).errors++;
  }

  toJSON(): MetricsJSON {
    const enc = (h: hdr.Histogram) => hdr.encodeIntoCompressedBase64(h);
    return {
      startedAt: this.startedAt,
      endedAt: this.endedAt || Date.now(),
      histograms: Object.fromEntries([...this.histograms].map(([k, h]) => [k, enc(h)])),
      counters: Object.fromEntries(this.counters),
      series: [...this.series].sort(([a], [b]) => a - b).map(([t, b]) => ({ t, count: b.count, errors: b.errors, hist: Object.fromEntries([...b.hist].map(([k, h]) => [k, enc(h)])) })),
    };
  }

  /** Add another run's metrics into this one (histograms added, counters summed, series aligned by wall clock). */
  merge(other: MetricsJSON): void {
    const dec = (s: string) => hdr.decodeFromCompressedBase64(s, 64, false);
    const decSeries = (s: string) => hdr.decodeFromCompressedBase64(s, 32, false);
    const offsetS = Math.round((other.startedAt - this.startedAt) / 1000);
    if (other.startedAt < this.startedAt) {
      // Re-base onto the earlier start so every series index stays non-negative.
      const shift = Math.round((this.startedAt - other.startedAt) / 1000);
      const old = [...this.series];
      this.series.clear();
      for (const [t, b] of old) this.series.set(t + shift, b);
      this.startedAt = other.startedAt;
      return this.merge(other);
    }
    for (const [k, s] of Object.entries(other.histograms)) this.hist(k).add(dec(s));
    for (const [k, v] of Object.entries(other.counters)) this.count(k, v);
    for (const p of other.series) {
      const t = p.t + offsetS;
      let b = this.series.get(t);
      if (!b) this.series.set(t, (b = { count: 0, errors: 0, hist: new Map() }));
      b.count += p.count;
      b.errors += p.errors;
      for (const [k, s] of Object.entries(p.hist)) {
        let bh = b.hist.get(k);
        if (!bh) b.hist.set(k, (bh = newSeriesHistogram()));
        bh.add(decSeries(s));
      }
    }
    this.endedAt = Math.max(this.endedAt, other.endedAt);
  }

  static fromJSON(json: MetricsJSON): Metrics {
    const m = new Metrics();
    m.startedAt = json.startedAt;
    m.merge(json);
    m.endedAt = json.endedAt;
    return m;
  }
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** Percentiles of a histogram, in ms. */
export function summarise(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: h.totalCount,
    min: ms(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}
