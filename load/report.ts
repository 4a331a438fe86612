import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SetupError } from '../contracts/errors.js';
import { renderHtml } from './html.js';
import { Metrics } from './metrics.js';
import type { LoadResult } from './run.js';
import type { Summary } from './summary.js';

/** Write report.json (the result + its summary) and report.html into `outDir`; returns the two paths. */
export function writeReport(result: LoadResult, summary: Summary, outDir: string): string[] {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  const verdict = result.aborted ? 'aborted' : summary.passed ? 'pass' : 'fail';
  writeFileSync(json, JSON.stringify({ ...result, verdict, summary: { seconds: summary.seconds, values: summary.values, latencies: summary.latencies, thresholds: summary.thresholds } }, null, 1));
  writeFileSync(html, renderHtml(result, summary));
  return [json, html];
}

/** Read a result written by writeReport (a report.json, or the directory holding one). Bad files are SetupErrors. */
export function readResult(path: string): LoadResult {
  let file = resolve(path);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'report.json');
  let data: any;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SetupError(`cannot read load result ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (data?.tool !== 'anychat-conform load' || typeof data?.metrics?.startedAt !== 'number' || typeof data?.metrics?.histograms !== 'object') {
    throw new SetupError(`${path} is not an anychat-conform load result (report.json)`);
  }
  delete data.summary;
  delete data.verdict;
  return data as LoadResult;
}

/**
 * Combine shard results exactly: histograms added bin by bin, counters summed, per-second series aligned by wall
 * clock. Shards must come from the same scenario; a shard given twice is an error, a missing one a note.
 */
export function mergeResults(results: LoadResult[]): LoadResult {
  if (results.length === 0) throw new SetupError('load merge needs at least one result file');
  const first = results[0]!;
  const other = results.find((r) => r.scenario !== first.scenario);
  if (other) throw new SetupError(`cannot merge results of different scenarios (${first.scenario} and ${other.scenario})`);
  const seen = new Set<string>();
  for (const r of results) {
    if (!r.shard) continue;
    const key = `${r.shard.index}/${r.shard.total}`;
    if (seen.has(key)) throw new SetupError(`shard ${key} is given twice`);
    seen.add(key);
  }
  const notes: string[] = [];
  const total = first.shard?.total;
  if (total && results.every((r) => r.shard?.total === total)) {
    const missing = Array.from({ length: total }, (_, i) => `${i + 1}/${total}`).filter((k) => !seen.has(k));
    if (missing.length) notes.push(`shard(s) ${missing.join(', ')} missing from the merge`);
  }
  if (results.some((r) => JSON.stringify(r.params) !== JSON.stringify(first.params))) notes.push('the merged results were run with different parameters');

  const metrics = new Metrics();
  const setup = new Metrics();
  metrics.startedAt = Math.min(...results.map((r) => r.metrics.startedAt));
  setup.startedAt = Math.min(...results.map((r) => r.setup.startedAt));
  for (const r of results) {
    metrics.merge(r.metrics);
    setup.merge(r.setup);
  }
  const sum = (f: (r: LoadResult) => number) => results.reduce((n, r) => n + f(r), 0);
  return {
    ...first,
    target: [...new Set(results.map((r) => r.target))].join(', '),
    thresholds: [...new Set(results.flatMap((r) => r.thresholds))],
    shard: null,
    shards: sum((r) => r.shards ?? 1),
    workers: sum((r) => r.workers),
    units: { planned: sum((r) => r.units.planned), ready: sum((r) => r.units.ready), failed: sum((r) => r.units.failed) },
    vus: sum((r) => r.vus),
    interrupted: results.some((r) => r.interrupted),
    aborted: results.map((r) => r.aborted).filter(Boolean).join('; ') || undefined,
    notes: [...notes, ...results.flatMap((r) => r.notes)].slice(0, 40),
    metrics: metrics.toJSON(),
    setup: setup.toJSON(),
  };
}
