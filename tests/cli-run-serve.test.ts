import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsDigest } from '../reports/certificate.js';
import { grepForId } from '../reports/model.js';
import { runCli } from './browser/cli.js';

/**
 * `run --serve` end to end: the real suites (the two gRPC MUST checks GR1 and GR2, a few seconds) against the
 * in-process reference server, clean and with `grpc.unimplemented` switched on (which GR1 must catch).
 */
const root = mkdtempSync(join(tmpdir(), 'anychat-run-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const outDir = () => join(root, `out${++n}`);
const GREP = 'GRPC\\.GR[12] ';
const base = (out: string, ...extra: string[]) => ['run', '--serve', '--suite', 'grpc', '--grep', GREP, '--workers', '1', '--seed', '11', '--out', out, ...extra];
const json = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
const outcomes = (out: string) => Object.fromEntries(json(out).checks.map((c: any) => [c.id, c.outcome]));

test('a clean --serve run passes and writes JUnit, JSON, HTML and the badge', async () => {
  const out = outDir();
  const r = await runCli(base(out));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout.split('\n')[0]!, /^contract [0-9a-f]{40} · digest [0-9a-f]{64} · /, 'the contract version comes first');
  assert.match(r.stdout, /seed 11 · suites grpc/);
  for (const f of ['junit.xml', 'report.json', 'report.html', 'badge.svg']) assert.ok(existsSync(join(out, f)), `${f} written`);
  assert.ok(!existsSync(join(out, 'certificate.json')), 'no certificate unless asked');

  const report = json(out);
  assert.deepEqual(outcomes(out), { 'GRPC.GR1': 'passed', 'GRPC.GR2': 'passed' });
  for (const c of report.checks) {
    assert.equal(c.level, 'MUST');
    assert.equal(c.suite, 'grpc');
    assert.ok(c.cites.length > 0, 'citations');
    assert.ok(c.durationMs > 0);
    assert.equal(c.replay, `anychat-conform run --config ${join(out, 'run-config.json')} --grep '${grepForId(c.id)}'`);
    assert.ok(c.exchanges && c.exchanges.count > 0, 'exchanges recorded');
    const exchanges = JSON.parse(readFileSync(join(out, c.exchanges.file), 'utf8'));
    assert.ok(exchanges.length > 0 && exchanges[0].label, 'the exchanges file holds the transcript');
  }
  assert.equal(report.coverage.rpcs.total, 89);
  assert.equal(report.coverage.rpcs.covered, 89, 'GR1 calls every rpc');
  assert.equal(report.verdict.exitCode, 0);
  assert.match(report.run.target, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(report.run.contract.digest.length, 64);

  const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
  assert.equal((xml.match(/<testcase /g) ?? []).length, 2);
  assert.match(xml, /failures="0"/);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /CONFORMANT/);
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'self-contained: nothing loaded from elsewhere');
  assert.match(readFileSync(join(out, 'badge.svg'), 'utf8'), />MUST 100%</);
});

test('every check filtered out is exit 2, never a pass', async () => {
  const r = await runCli(['run', '--serve', '--suite', 'grpc', '--grep', 'NO\\.SUCH\\.CHECK\\.ID', '--out', outDir(), '--reporter', 'json']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /no checks executed/);
});

test('--certify issues a certificate only when every MUST passes; a failing rerun removes the old one', async () => {
  const out = outDir();
  const ok = await runCli(base(out, '--certify'));
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const cert = JSON.parse(readFileSync(join(out, 'certificate.json'), 'utf8'));
  assert.equal(cert.format, 'anychat-conformance-certificate/1');
  assert.deepEqual(cert.results.list, [['GRPC.GR1', 'passed'], ['GRPC.GR2', 'passed']]);
  assert.equal(cert.results.digest, resultsDigest(cert.results.list));
  assert.equal(cert.seed, 11);
  assert.deepEqual(cert.suites, ['grpc']);
  assert.equal(cert.grep, GREP);
  assert.equal(cert.contract.digest, json(out).run.contract.digest);
  assert.ok(Object.keys(cert.contract.hashes).length > 0);
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /Certificate issued/);

  const bad = await runCli(base(out, '--certify', '--fault', 'grpc.unimplemented'));
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.ok(!existsSync(join(out, 'certificate.json')), 'no certificate after a MUST failure');
  assert.match(bad.stdout, /certificate: not issued: .*GRPC\.GR1 \(failed\)/);
  assert.deepEqual(outcomes(out), { 'GRPC.GR1': 'failed', 'GRPC.GR2': 'passed' });
  const gr1 = json(out).checks.find((c: any) => c.id === 'GRPC.GR1');
  assert.match(gr1.failure.message, /UNIMPLEMENTED/);
  assert.equal(json(out).certificate.issued, false);
});

test('expectations: an expected failure passes the run, a fixed one is flagged (fails with --strict), a new failure fails', async () => {
  const expectGr1 = join(root, 'expect-gr1.yaml');
  writeFileSync(expectGr1, '- id: GRPC.GR1\n  reason: SearchMessages not implemented yet\n');
  const expectGr2 = join(root, 'expect-gr2.json');
  writeFileSync(expectGr2, JSON.stringify([{ id: 'GRPC.GR2', reason: 'unrelated known issue' }]));

  const outA = outDir();
  const expected = await runCli(base(outA, '--fault', 'grpc.unimplemented', '--expectations', expectGr1));
  assert.equal(expected.code, 0, expected.stdout + expected.stderr);
  assert.equal(outcomes(outA)['GRPC.GR1'], 'expected-failure');
  assert.equal(json(outA).checks.find((c: any) => c.id === 'GRPC.GR1').expectation.reason, 'SearchMessages not implemented yet');

  const outB = outDir();
  const fixed = await runCli(base(outB, '--expectations', expectGr1));
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.equal(outcomes(outB)['GRPC.GR1'], 'unexpected-pass');
  assert.match(fixed.stdout, /1 expected failure\(s\) now pass/);
  const strict = await runCli(base(outDir(), '--expectations', expectGr1, '--strict'));
  assert.equal(strict.code, 1, strict.stdout + strict.stderr);

  const outC = outDir();
  const fresh = await runCli(base(outC, '--fault', 'grpc.unimplemented', '--expectations', expectGr2));
  assert.equal(fresh.code, 1, fresh.stdout + fresh.stderr);
  assert.deepEqual(outcomes(outC), { 'GRPC.GR1': 'failed', 'GRPC.GR2': 'unexpected-pass' });
});

test('--repeat N runs every check N times and keeps one entry per check', async () => {
  const out = outDir();
  const r = await runCli(base(out, '--repeat', '2', '--reporter', 'json'));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = json(out);
  assert.equal(report.checks.length, 2);
  for (const c of report.checks) assert.deepEqual(c.attempts, { passed: 2, failed: 0, skipped: 0 });
  assert.equal(report.run.repeat, 2);
});
