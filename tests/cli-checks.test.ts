import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './browser/cli.js';

/** `checks list` reads the catalogue from the suites' own check() annotations via Playwright --list. */
test('checks list --suite grpc --json gives id, level, suite and citation of every check', async () => {
  const r = await runCli(['checks', 'list', '--suite', 'grpc', '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const entries = JSON.parse(r.stdout);
  assert.ok(entries.length > 2);
  for (const e of entries) {
    assert.equal(e.suite, 'grpc');
    assert.match(e.id, /^GRPC\./);
    assert.ok(['MUST', 'SHOULD', 'MAY'].includes(e.level), `${e.id} level ${e.level}`);
    assert.ok(e.cites.length > 0, `${e.id} cites the contract`);
    assert.ok(e.title.length > 0);
  }
  const gr1 = entries.find((e: any) => e.id === 'GRPC.GR1');
  assert.equal(gr1.level, 'MUST');
  assert.equal(new Set(entries.map((e: any) => e.id)).size, entries.length, 'ids are unique');
});

test('checks list --level MUST keeps only MUST checks; a bad level is a usage error', async () => {
  const r = await runCli(['checks', 'list', '--suite', 'grpc', '--level', 'MUST', '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const entries = JSON.parse(r.stdout);
  assert.ok(entries.length > 0);
  assert.ok(entries.every((e: any) => e.level === 'MUST'));
  const bad = await runCli(['checks', 'list', '--level', 'MUSTNT'], { timeoutMs: 20_000 });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--level: unknown value\(s\) MUSTNT/);
});

test('checks list prints a readable table with a count per level', async () => {
  const r = await runCli(['checks', 'list', '--suite', 'grpc'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^GRPC\.GR1\s+MUST\s+grpc\s+\S/m);
  assert.match(r.stdout, /\n\d+ checks \(MUST \d+, SHOULD \d+, MAY \d+\)\n$/);
});
