import * as hdr from 'hdr-histogram-js';
import { Metrics } from './metrics.js';
import type { LoadResult } from './run.js';
import { fmtMs, fmtNum, type Summary } from './summary.js';
import { formatDuration } from './params.js';

/**
 * The self-contained HTML report: inline CSS and inline SVG charts only (no script, no external asset), so it opens
 * offline from a CI artifact. Charts: latency percentiles per second for the main metrics, throughput per second,
 * errors per second; tables: per-operation latency, counters, thresholds, parameters.
 */
const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const COLORS = ['#2563eb', '#f59e0b', '#dc2626', '#16a34a', '#7c3aed', '#0891b2', '#db2777'];

interface Line {
  name: string;
  values: Array<number | null>;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function lineChart(title: string, xs: number[], lines: Line[], fmt: (v: number) => string): string {
  const W = 760, H = 230, L = 64, R = 16, T = 30, B = 30;
  const pw = W - L - R, ph = H - T - B;
  const max = niceMax(Math.max(0, ...lines.flatMap((l) => l.values.filter((v): v is number => v !== null))));
  const x0 = xs[0] ?? 0, x1 = Math.max(x0 + 1, xs.at(-1) ?? 1);
  const X = (x: number) => L + ((x - x0) / (x1 - x0)) * pw;
  const Y = (y: number) => T + ph - (y / max) * ph;
  const out: string[] = [`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><text x="${L}" y="18" class="t">${esc(title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${Y(v)}" y2="${Y(v)}" class="g"/><text x="${L - 6}" y="${Y(v) + 4}" class="a" text-anchor="end">${esc(fmt(v))}</text>`);
  }
  const step = Math.max(1, Math.ceil((x1 - x0) / 10));
  for (let x = x0; x <= x1; x += step) out.push(`<text x="${X(x)}" y="${H - 10}" class="a" text-anchor="middle">${x}s</text>`);
  lines.forEach((l, i) => {
    const color = COLORS[i % COLORS.length];
    let d = '';
    let pen = false;
    l.values.forEach((v, j) => {
      if (v === null) return void (pen = false);
      d += `${pen ? 'L' : 'M'}${X(xs[j]!).toFixed(1)},${Y(v).toFixed(1)}`;
      pen = true;
    });
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    if (l.values.filter((v) => v !== null).length === 1) {
      const j = l.values.findIndex((v) => v !== null);
      out.push(`<circle cx="${X(xs[j]!)}" cy="${Y(l.values[j]!)}" r="3" fill="${color}"/>`);
    }
    out.push(`<rect x="${W - R - 150}" y="${T + 4 + i * 16}" width="10" height="10" fill="${color}"/><text x="${W - R - 134}" y="${T + 13 + i * 16}" class="a">${esc(l.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** Per-second histograms of `name` (or, for 'http', of every http.* metric added together). */
function perSecond(m: Metrics, name: string, seconds: number[]): Array<hdr.Histogram | undefined> {
  return seconds.map((t) => {
    const b = m.series.get(t);
    if (!b) return undefined;
    if (name !== 'http') return b.hist.get(name);
    let all: hdr.Histogram | undefined;
    for (const [k, h] of b.hist) {
      if (!k.startsWith('http.')) continue;
      all ??= hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 2, useWebAssembly: false });
      all.add(h);
    }
    return all;
  });
}

const CHARTED = ['ack', 'delivery', 'http', 'ws.pong', 'sync.catchup', 'ws.connect'];

export function renderHtml(result: LoadResult, s: Summary): string {
  const m = Metrics.fromJSON(result.metrics);
  const last = Math.max(0, ...m.series.keys());
  const seconds = Array.from({ length: last + 1 }, (_, i) => i);
  const charts: string[] = [];
  const present = new Set(s.latencies.map((l) => l.name));
  for (const name of CHARTED.filter((n) => present.has(n))) {
    const hs = perSecond(m, name, seconds);
    const q = (p: number) => hs.map((h) => (h && h.totalCount > 0 ? h.getValueAtPercentile(p) / 1000 : null));
    const fromScheduled = ['ack', 'delivery', 'http', 'ws.pong'].includes(name);
    charts.push(lineChart(`${name} latency per second${fromScheduled ? ' (from the scheduled time)' : ''}`, seconds, [
      { name: 'p50', values: q(50) }, { name: 'p90', values: q(90) }, { name: 'p99', values: q(99) }, { name: 'max', values: q(100) },
    ], (v) => fmtMs(v)));
  }
  const rateLines: Line[] = [{ name: 'all ops', values: seconds.map((t) => m.series.get(t)?.count ?? 0) }];
  for (const name of ['ack', 'delivery', 'http', 'ws.pong'].filter((n) => present.has(n))) {
    rateLines.push({ name, values: perSecond(m, name, seconds).map((h) => h?.totalCount ?? 0) });
  }
  charts.push(lineChart('throughput (completed operations per second)', seconds, rateLines, (v) => fmtNum(v)));
  charts.push(lineChart('errors per second', seconds, [{ name: 'errors', values: seconds.map((t) => m.series.get(t)?.errors ?? 0) }], (v) => fmtNum(v)));

  const verdict = result.aborted ? 'ABORTED' : s.passed ? 'PASS' : 'FAIL';
  const p = result.params;
  const paramRows = Object.entries(p).map(([k, v]) => {
    const shown = ['duration', 'rampUp', 'reconnectEvery', 'offline', 'grace', 'timeout', 'setupTimeout'].includes(k) ? formatDuration(v as number) : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `<tr><td>${esc(k)}</td><td>${esc(shown)}</td></tr>`;
  }).join('');
  const setup = Metrics.fromJSON(result.setup);
  const setupRows = [...setup.histograms].map(([k, h]) => {
    const n = h.totalCount;
    return n ? `<tr><td>${esc(k)}</td><td>${n}</td><td>${fmtMs(h.getValueAtPercentile(50) / 1000)}</td><td>${fmtMs(h.getValueAtPercentile(99) / 1000)}</td><td>${fmtMs(h.maxValue / 1000)}</td></tr>` : '';
  }).join('');
  const setupErrors = [...setup.counters].filter(([k]) => k.startsWith('errors.') && k !== 'errors.total');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>AnyChat load report — ${esc(result.scenario)} — ${verdict}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#111}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.v{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}.PASS{background:#16a34a}.FAIL{background:#dc2626}.ABORTED{background:#6b7280}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #e5e7eb;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
th{background:#f9fafb}.ok{color:#16a34a}.bad{color:#dc2626;font-weight:600}.muted{color:#6b7280}
svg{width:100%;max-width:760px;height:auto;display:block;margin:8px 0 16px}svg .t{font-size:13px;font-weight:600}svg .a{font-size:11px;fill:#4b5563}svg .g{stroke:#e5e7eb}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:8px 24px}
</style></head><body>
<h1>Load report: ${esc(result.scenario)} <span class="v ${verdict}">${verdict}</span>${result.interrupted ? ' <span class="v ABORTED">INTERRUPTED — partial</span>' : ''}</h1>
<p class="muted">${esc(result.description)}<br>target ${esc(result.target)} · ${result.vus} VUs in ${result.units.ready}/${result.units.planned} units · ${result.workers} worker(s)${result.shard ? ` · shard ${result.shard.index}/${result.shard.total}` : ''}${result.shards > 1 ? ` · ${result.shards} shards merged` : ''} · ${new Date(result.metrics.startedAt).toISOString()} · ${s.seconds.toFixed(1)} s of load${result.source ? ` · scenario file ${esc(result.source)}` : ''}</p>
${result.aborted ? `<p class="bad">${esc(result.aborted)}</p>` : ''}
<h2>Thresholds</h2>
${s.thresholds.length ? `<table><tr><th>threshold</th><th>observed</th><th>result</th></tr>${s.thresholds.map((t) => `<tr><td>${esc(t.source)}</td><td>${t.observed === null ? 'no data' : /\.(min|mean|p\d+|max)$/.test(t.left) ? fmtMs(t.observed) : fmtNum(t.observed)}</td><td class="${t.ok ? 'ok' : 'bad'}">${t.ok ? 'pass' : 'FAIL'}</td></tr>`).join('')}</table>` : '<p class="muted">none</p>'}
<h2>Key figures</h2>
<table>
<tr><td>throughput</td><td>${fmtNum(s.values.throughput!)} ops/s</td></tr>
${s.values.rps ? `<tr><td>HTTP requests</td><td>${fmtNum(s.values.rps)} /s</td></tr>` : ''}
${s.values['messages.rate'] !== undefined ? `<tr><td>messages acked</td><td>${fmtNum(s.values['messages.rate'])} /s</td></tr><tr><td>deliveries</td><td>${fmtNum(s.values['deliveries.rate']!)} /s</td></tr>` : ''}
<tr><td>errors</td><td>${s.values['errors.total']} (rate ${fmtNum(s.values['errors.rate']!)})</td></tr>
${'messages.sent' in s.counters ? ['lost', 'duplicated', 'ordering.violations', 'misdelivered'].map((k) => `<tr><td>${k}</td><td class="${(s.counters[k] ?? 0) > 0 ? 'bad' : 'ok'}">${s.counters[k] ?? 0}</td></tr>`).join('') : ''}
</table>
<h2>Over time</h2>
${charts.join('\n')}
<h2>Latency per operation (ms)</h2>
<table><tr><th>metric</th><th>count</th><th>min</th><th>mean</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>
${s.latencies.map((l) => `<tr><td>${esc(l.name)}</td><td>${l.count}</td>${[l.min, l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max].map((v) => `<td>${fmtMs(v)}</td>`).join('')}</tr>`).join('')}
</table>
<p class="muted">Open-model latencies (ack, delivery, http, ws.pong) count from the scheduled time of the arrival, so a stalled target cannot hide its backlog (coordinated omission). driver.lag is how late the load generator itself fired.</p>
<h2>Counters</h2>
<div class="grid"><table><tr><th>counter</th><th>value</th></tr>${Object.entries(s.counters).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v}</td></tr>`).join('')}</table>
<table><tr><th>parameter</th><th>value</th></tr>${paramRows}</table></div>
<h2>Setup</h2>
<p>${result.units.ready} of ${result.units.planned} units ready, ${result.units.failed} failed${setupErrors.length ? `; errors: ${setupErrors.map(([k, n]) => `${esc(k.slice(7))} ${n}`).join(', ')}` : ''}</p>
${setupRows ? `<table><tr><th>setup operation</th><th>count</th><th>p50</th><th>p99</th><th>max</th></tr>${setupRows}</table>` : ''}
${result.notes.length ? `<h2>Notes</h2><ul>${result.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
