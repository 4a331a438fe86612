import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hdr from 'hdr-histogram-js';
import { Metrics, summarise } from '../load/metrics.js';
import { parseDuration, parseMix, parseParams, parseRate, DEFAULT_PARAMS } from '../load/params.js';
import { checkThresholdName, evaluate, parseThreshold, ThresholdError } from '../load/thresholds.js';
import { shardRange, type LoadResult } from '../load/run.js';
import { groupPlan } from '../load/scenarios/groups.js';
import { mergeResults } from '../load/report.js';
import { summarize } from '../load/summary.js';
import { lineChart } from '../load/html.js';

/** The load engine's pure parts: parsing, thresholds, sharding, exact metric merging. No server needed. */

test('durations, rates and mixes parse from their human forms and reject garbage', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration(1.5), 1500);
  assert.throws(() => parseDuration('soon'), /duration like 30s/);
  assert.equal(parseRate('2/s'), 2);
  assert.equal(parseRate('120/m'), 2);
  assert.equal(parseRate('max'), 0);
  assert.throws(() => parseRate('fast'), /rate like 2\/s/);
  assert.deepEqual(parseMix('GET /users/me=4,GET /groups=1'), { 'GET /users/me': 4, 'GET /groups': 1 });
  assert.throws(() => parseMix('a=-1'), /weight/);
  assert.throws(() => parseParams({ vuz: 3 }, 'file: '), /file: vuz: unknown parameter/);
  assert.throws(() => parseParams({ groupSize: 'x' }, '--'), /--group-size: expected an integer/);
  assert.deepEqual(parseParams({ duration: '5s', vus: '12', rate: '3/s' }, '--'), { duration: 5000, vus: 12, rate: 3 });
});

test('thresholds parse, reject unknown values, and a missing value fails', () => {
  const t = parseThreshold('ack.p99 < 50ms');
  assert.deepEqual([t.left, t.op, t.right], ['ack.p99', '<', 50]);
  assert.equal(parseThreshold('delivery.p99<=0.2s').right, 200);
  assert.equal(parseThreshold('errors.rate < 0.1%').right, 0.001);
  assert.equal(parseThreshold('http.GET /users/me.p50 <= 5ms').left, 'http.GET /users/me.p50');
  assert.throws(() => parseThreshold('ack.p99 about 5'), ThresholdError);
  assert.throws(() => checkThresholdName(parseThreshold('ack.p98 < 5ms')), /unknown value "ack.p98"/);
  checkThresholdName(parseThreshold('lost == 0'));
  checkThresholdName(parseThreshold('errors.ws.dropped == 0'));
  const [a, b, c] = evaluate([parseThreshold('lost == 0'), parseThreshold('ack.p99 < 10ms'), parseThreshold('delivery.p99 < 10ms')], { lost: 0, 'ack.p99': 12 });
  assert.deepEqual([a!.ok, b!.ok, c!.ok, c!.observed], [true, false, false, null]);
});

test('shards take whole units, cover every unit exactly once, and groups are balanced', () => {
  for (const units of [1, 7, 10, 101]) {
    for (const n of [1, 2, 3, 8]) {
      const seen: number[] = [];
      for (let i = 1; i <= n; i++) {
        const [from, to] = shardRange(units, { index: i, total: n });
        for (let u = from; u < to; u++) seen.push(u);
      }
      assert.deepEqual(seen, Array.from({ length: units }, (_, i) => i), `${units} units over ${n} shards`);
    }
  }
  assert.deepEqual(groupPlan({ ...DEFAULT_PARAMS, vus: 23, groupSize: 5 }), [5, 5, 5, 4, 4]);
  assert.deepEqual(groupPlan({ ...DEFAULT_PARAMS, vus: 20, groupSize: 5 }), [5, 5, 5, 5]);
});

test('merging metrics adds histograms exactly: the same percentiles as one recorder that saw everything', () => {
  const all = new Metrics();
  const parts = [new Metrics(), new Metrics(), new Metrics()];
  parts[1]!.startedAt = parts[0]!.startedAt - 3000; // shards start at different times
  let x = 7;
  for (let i = 0; i < 30_000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const ms = (x % 100_000) / 100; // 0–1000 ms
    all.latency('ack', ms);
    parts[i % 3]!.latency('ack', ms);
    if (i % 1000 === 0) {
      all.error('ws.timeout');
      parts[i % 3]!.error('ws.timeout');
    }
  }
  const merged = new Metrics();
  merged.startedAt = Math.min(...parts.map((p) => p.startedAt));
  for (const p of parts) merged.merge(JSON.parse(JSON.stringify(p.toJSON())));
  // A report always reads metrics back from JSON, where max is the top of its HDR bucket; compare like with like.
  const a = summarise(Metrics.fromJSON(all.toJSON()).histograms.get('ack')!);
  const b = summarise(merged.histograms.get('ack')!);
  assert.deepEqual(b, a);
  assert.equal(merged.counters.get('errors.ws.timeout'), 30);
  assert.equal(merged.counters.get('errors.total'), 30);
  const perSecond = [...merged.series.values()].reduce((n, s) => n + s.count, 0);
  assert.equal(perSecond, 30_000, 'per-second series keep every sample');
  const h = hdr.decodeFromCompressedBase64(merged.toJSON().histograms.ack!, 64, false);
  assert.equal(h.totalCount, 30_000);
});

function fakeResult(shard: { index: number; total: number } | null, acks: number[]): LoadResult {
  const m = new Metrics();
  for (const v of acks) m.latency('ack', v);
  m.count('ops', acks.length);
  m.count('messages.sent', acks.length);
  m.count('lost', 0);
  m.endedAt = m.startedAt + 1000;
  return {
    tool: 'anychat-conform load', scenario: 'chat', description: '', ref: { builtin: 'chat' }, target: 'http://x', params: DEFAULT_PARAMS,
    thresholds: ['lost == 0'], shard, shards: 1, workers: 1, units: { planned: 1, ready: 1, failed: 0 }, vus: 2, interrupted: false, notes: [],
    metrics: m.toJSON(), setup: new Metrics().toJSON(),
  };
}

test('load merge sums shards, refuses a shard given twice, notes a missing one, and re-checks thresholds', () => {
  const merged = mergeResults([fakeResult({ index: 1, total: 2 }, [1, 2, 3]), fakeResult({ index: 2, total: 2 }, [4, 5])]);
  const s = summarize(merged, ['ack.max < 4ms']);
  assert.equal(s.values['ack.count'], 5);
  assert.equal(s.values['messages.sent'], 5);
  assert.equal(merged.vus, 4);
  assert.equal(merged.shards, 2);
  assert.deepEqual(s.thresholds.map((t) => [t.source, t.ok]), [['lost == 0', true], ['ack.max < 4ms', false]]);
  assert.throws(() => mergeResults([fakeResult({ index: 1, total: 2 }, [1]), fakeResult({ index: 1, total: 2 }, [2])]), /shard 1\/2 is given twice/);
  assert.match(mergeResults([fakeResult({ index: 1, total: 3 }, [1])]).notes[0]!, /shard\(s\) 2\/3, 3\/3 missing/);
});

test('charts are plain inline SVG with one path per series', () => {
  const svg = lineChart('ack <latency>', [0, 1, 2], [{ name: 'p50', values: [1, null, 3] }, { name: 'p99', values: [2, 4, 6] }], String);
  assert.match(svg, /^<svg viewBox/);
  assert.equal(svg.match(/<path /g)?.length, 2);
  assert.match(svg, /ack &lt;latency&gt;/);
  assert.doesNotMatch(svg, /<script/);
});
