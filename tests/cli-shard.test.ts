import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './browser/cli.js';

/** `--shard i/n` + `report merge` give the same checks, outcomes and totals as one unsharded run. */
const root = mkdtempSync(join(tmpdir(), 'anychat-shard-'));
after(() => rmSync(root, { recursive: true, force: true }));
const GREP = 'GRPC\\.(GR[12]|UserService|AuthService) ';
const run = (out: string, ...extra: string[]) =>
  runCli(['run', '--serve', '--suite', 'grpc', '--grep', GREP, '--workers', '1', '--seed', '21', '--out', join(root, out), ...extra]);
const report = (out: string) => JSON.parse(readFileSync(join(root, out, 'report.json'), 'utf8'));
const idOutcomes = (r: any) => r.checks.map((c: any) => `${c.id} ${c.level} ${c.outcome}`).sort();

test('two merged shards equal a single run', async () => {
  const single = await run('single', '--reporter', 'json');
  assert.equal(single.code, 0, single.stdout + single.stderr);
  const s1 = await run('s1', '--shard', '1/2', '--reporter', 'dot,json');
  const s2 = await run('s2', '--shard', '2/2', '--reporter', 'dot,json');
  assert.equal(s1.code, 0, s1.stdout + s1.stderr);
  assert.equal(s2.code, 0, s2.stdout + s2.stderr);
  for (const s of ['s1', 's2']) assert.equal(readdirSync(join(root, s, 'blob')).filter((f) => f.endsWith('.zip')).length, 1, `${s} wrote a blob`);
  const part1 = report('s1').checks.length;
  const part2 = report('s2').checks.length;
  assert.ok(part1 > 0 && part2 > 0, `both shards ran checks (${part1} + ${part2})`);

  const merged = await runCli(['report', 'merge', join(root, 's1'), join(root, 's2'), '--out', join(root, 'merged'), '--certify']);
  assert.equal(merged.code, 0, merged.stdout + merged.stderr);
  for (const f of ['junit.xml', 'report.json', 'report.html', 'badge.svg', 'certificate.json']) assert.ok(existsSync(join(root, 'merged', f)), `${f} written`);
  const m = report('merged');
  const one = report('single');
  assert.equal(m.checks.length, part1 + part2);
  assert.deepEqual(m.summary.all, one.summary.all, 'the same totals');
  assert.deepEqual(m.summary.byLevel, one.summary.byLevel);
  assert.deepEqual(idOutcomes(m), idOutcomes(one), 'the same checks with the same outcomes');
  assert.equal(m.verdict.exitCode, one.verdict.exitCode);
  assert.equal(m.coverage.rpcs.covered, one.coverage.rpcs.covered);
  assert.equal(m.run.seed, 21);
  assert.equal(m.run.mergedFrom, 2);
  const junit = readFileSync(join(root, 'merged', 'junit.xml'), 'utf8');
  assert.equal((junit.match(/<testcase /g) ?? []).length, one.checks.length);

  // One shard alone is not the whole run: it merges, but earns no certificate.
  const partial = await runCli(['report', 'merge', join(root, 's1'), '--out', join(root, 'partial'), '--certify']);
  assert.equal(partial.code, 1, partial.stdout + partial.stderr);
  assert.match(partial.stdout, /certificate: not issued: shard\(s\) 2\/2 missing/);
  assert.ok(!existsSync(join(root, 'partial', 'certificate.json')));
});

test('merging a directory without blob reports is a setup error', async () => {
  const r = await runCli(['report', 'merge', root, '--out', join(root, 'nothing')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no blob report in/);
});
