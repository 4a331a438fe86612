import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContracts } from '../contracts/index.js';
import { SetupError } from '../contracts/errors.js';
import { renderBadge } from '../reports/badge.js';
import { certify, resultsDigest } from '../reports/certificate.js';
import { loadExpectations } from '../reports/expectations.js';
import { renderJunit } from '../reports/junit.js';
import { buildReport, grepForId, replayCommand, score } from '../reports/model.js';
import { headline } from '../reports/headline.js';
import { formatFailure } from '../fixtures/failure.js';
import { summaryLines } from '../cli/run-report.js';
import type { AttemptStatus, RawAttempt, RawResults, RawTest, RunMetadata } from '../reports/raw.js';

/**
 * The results → report model: outcomes, flakiness, expectations, coverage and the verdict, from Playwright results
 * shaped exactly as the conformance reporter writes them.
 */
const contracts = loadContracts();

const meta: RunMetadata = {
  runId: 'r1', target: 'http://t.test', serve: null, grpc: null, grpcServices: {}, suites: ['rest', 'ws'], seed: 9, strict: false,
  grep: null, repeat: 1, harnessVersion: '0.0.0',
  contract: { dir: '/c', commit: 'abc', backendVersion: null, lastSynced: null, digest: 'd'.repeat(64), hashes: {} },
  startedAt: '2026-01-01T00:00:00.000Z', replayBase: 'anychat-conform run http://t.test',
};

function attempt(status: AttemptStatus, extra: Partial<RawAttempt> = {}): RawAttempt {
  return { status, durationMs: 10, startTime: meta.startedAt, retry: 0, errors: status === 'failed' ? ['Error: boom'] : [], annotations: [], record: null, ...extra };
}

function check(id: string, level: string, attempts: RawAttempt[], opts: { suite?: string; repeatEachIndex?: number; expectedStatus?: AttemptStatus } = {}): RawTest {
  return {
    project: opts.suite ?? 'rest', file: 'x.spec.ts', title: `${id} does a thing`, tags: [level],
    annotations: [{ type: 'check-id', description: id }, { type: 'level', description: level }, { type: 'cite', description: `cite-of-${id}` }],
    expectedStatus: opts.expectedStatus ?? 'passed', repeatEachIndex: opts.repeatEachIndex ?? 0, attempts,
  };
}

const raw = (tests: RawTest[], extra: Partial<RawResults> = {}): RawResults => ({
  format: 'anychat-raw-results/1', metadata: meta, playwrightVersion: '1.65.1', shard: null, status: 'passed',
  startedAt: meta.startedAt, durationMs: 1000, errors: [], tests, ...extra,
});

test('outcomes: passed, failed, skipped with its reason; SHOULD failures do not fail the default profile', () => {
  const r = buildReport(raw([
    check('A.1', 'MUST', [attempt('passed')]),
    check('A.2', 'SHOULD', [attempt('failed', { record: { exchanges: [], coverage: [], warnings: [], failure: { message: 'x differs', expected: 1, observed: 2, cite: 'c#/x' } } })]),
    check('A.3', 'MUST', [attempt('skipped', { annotations: [{ type: 'skip', description: 'no gRPC address' }] })]),
  ]), { contracts });
  const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
  assert.equal(by['A.1']!.outcome, 'passed');
  assert.equal(by['A.2']!.outcome, 'failed');
  assert.deepEqual(by['A.2']!.failure, { message: 'x differs', expected: 1, observed: 2, cite: 'c#/x' });
  assert.equal(by['A.3']!.outcome, 'skipped');
  assert.equal(by['A.3']!.skipReason, 'no gRPC address');
  assert.equal(r.verdict.exitCode, 0);
  assert.deepEqual(r.verdict.otherFailures, ['A.2']);
  assert.equal(r.summary.byLevel.MUST.total, 2);
  assert.equal(r.summary.byLevel.MUST.passed, 1);
  assert.equal(buildReport(raw([check('A.2', 'SHOULD', [attempt('failed')])]), { contracts, strict: true }).verdict.exitCode, 1, '--strict fails on a SHOULD failure');
});

test('a MUST failure or timeout is exit 1; the replay command reruns exactly that check with the seed', () => {
  const r = buildReport(raw([check('REST.HG1', 'MUST', [attempt('timedOut', { errors: ['Test timeout of 60000ms exceeded.'] })])]), { contracts });
  assert.equal(r.checks[0]!.outcome, 'failed');
  assert.equal(r.checks[0]!.failure!.message, 'Test timeout of 60000ms exceeded.');
  assert.equal(r.verdict.exitCode, 1);
  assert.equal(r.checks[0]!.replay, `anychat-conform run http://t.test --suite rest --grep '\\bREST\\.HG1 ' --seed 9`);
  const re = new RegExp(grepForId('REST.HG1'));
  assert.ok(re.test('rest x.spec.ts REST.HG1 does a thing @MUST'));
  assert.ok(!re.test('rest x.spec.ts REST.HG10 does a thing @MUST'));
  assert.ok(!re.test('rest x.spec.ts XREST.HG1 does a thing @MUST'));
});

test('repeats: consistent results keep their outcome, inconsistent ones are flaky and still fail a MUST', () => {
  const r = buildReport(raw([
    check('R.1', 'MUST', [attempt('passed')], { repeatEachIndex: 0 }),
    check('R.1', 'MUST', [attempt('passed')], { repeatEachIndex: 1 }),
    check('R.2', 'MUST', [attempt('passed')], { repeatEachIndex: 0 }),
    check('R.2', 'MUST', [attempt('failed')], { repeatEachIndex: 1 }),
  ]), { contracts });
  assert.equal(r.checks.length, 2, 'one entry per check, not per repeat');
  const [r1, r2] = r.checks;
  assert.equal(r1!.outcome, 'passed');
  assert.deepEqual(r1!.attempts, { passed: 2, failed: 0, skipped: 0 });
  assert.equal(r2!.outcome, 'flaky');
  assert.deepEqual(r2!.attempts, { passed: 1, failed: 1, skipped: 0 });
  assert.equal(r.verdict.exitCode, 1, 'flaky is never retried into green');
  assert.deepEqual(r.verdict.mustFailures, ['R.2']);
});

test('expectations: expected failures pass the run, unexpected passes are flagged (fail only with --strict), new failures fail', () => {
  const expectations = { file: '/e.yaml', reasons: new Map([['E.1', 'known bug #12'], ['E.2', 'fixed?'], ['GONE.1', 'stale']]) };
  const tests = [check('E.1', 'MUST', [attempt('failed')]), check('E.2', 'MUST', [attempt('passed')])];
  const r = buildReport(raw(tests), { contracts, expectations });
  const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
  assert.equal(by['E.1']!.outcome, 'expected-failure');
  assert.deepEqual(by['E.1']!.expectation, { reason: 'known bug #12', source: 'expectations' });
  assert.equal(by['E.2']!.outcome, 'unexpected-pass');
  assert.equal(r.verdict.exitCode, 0);
  assert.deepEqual(r.verdict.unexpectedPasses, ['E.2']);
  assert.ok(r.warnings.some((w) => w.includes('GONE.1')), 'a stale expectation is reported');
  assert.equal(buildReport(raw(tests), { contracts, expectations, strict: true }).verdict.exitCode, 1);
  const fresh = buildReport(raw([...tests, check('N.1', 'MUST', [attempt('failed')])]), { contracts, expectations });
  assert.equal(fresh.verdict.exitCode, 1);
  assert.deepEqual(fresh.verdict.mustFailures, ['N.1']);
});

test('nothing executed, a broken suite or an interrupted run is exit 2, never a pass', () => {
  assert.equal(buildReport(raw([]), { contracts }).verdict.exitCode, 2);
  assert.match(buildReport(raw([]), { contracts }).verdict.summary, /matched no check/);
  const allSkipped = buildReport(raw([check('S.1', 'MUST', [attempt('skipped')])]), { contracts });
  assert.equal(allSkipped.verdict.exitCode, 2);
  assert.match(allSkipped.verdict.summary, /all 1 selected checks were skipped/);
  const broken = buildReport(raw([check('A.1', 'MUST', [attempt('passed')])], { errors: ['SyntaxError: suites/rest/x.spec.ts: Unexpected token'] }), { contracts });
  assert.equal(broken.verdict.exitCode, 2);
  const interrupted = buildReport(raw([check('A.1', 'MUST', [attempt('passed')]), check('A.2', 'MUST', [attempt('interrupted')])], { status: 'interrupted' }), { contracts });
  assert.equal(interrupted.verdict.exitCode, 2);
  assert.match(interrupted.checks[1]!.skipReason!, /interrupted/);
});

test('coverage counts catalogue keys marked by real exchanges, against the contract totals', () => {
  const rec = (coverage: Array<{ kind: any; key: string }>) => ({ exchanges: [], coverage, warnings: [] });
  const r = buildReport(raw([
    check('C.1', 'MUST', [attempt('passed', { record: rec([{ kind: 'rest', key: 'POST /auth/login' }, { kind: 'ws-message', key: 'ping' }, { kind: 'rpc', key: '/anychat.auth.AuthService/Login' }]) })]),
    check('C.2', 'MUST', [attempt('failed', { record: rec([{ kind: 'rest', key: 'POST /auth/login' }, { kind: 'notification', key: 'friend.request' }, { kind: 'rpc', key: 'anychat.auth.AuthService/Logout' }, { kind: 'rest', key: 'GET /no/such/op' }]) })]),
  ]), { contracts });
  assert.deepEqual([r.coverage.restOperations.covered, r.coverage.restOperations.total], [1, 78]);
  assert.deepEqual([r.coverage.wsMessages.covered, r.coverage.wsMessages.total], [1, 5]);
  assert.deepEqual([r.coverage.notificationTypes.covered, r.coverage.notificationTypes.total], [1, 40]);
  assert.deepEqual([r.coverage.rpcs.covered, r.coverage.rpcs.total], [2, 89]);
  assert.ok(!r.coverage.restOperations.missing.includes('POST /auth/login'));
  assert.deepEqual(r.coverage.unknownMarks, ['rest GET /no/such/op']);
});

test('certificate: only when every MUST passed; the digest covers the sorted id/outcome list', () => {
  const good = buildReport(raw([check('B.2', 'MUST', [attempt('passed')]), check('B.1', 'MUST', [attempt('passed')]), check('B.3', 'SHOULD', [attempt('failed')])]), { contracts });
  const c = certify(good);
  assert.ok(c.issued);
  if (c.issued) {
    assert.deepEqual(c.certificate.results.list, [['B.1', 'passed'], ['B.2', 'passed'], ['B.3', 'failed']]);
    assert.equal(c.certificate.results.digest, resultsDigest([['B.1', 'passed'], ['B.2', 'passed'], ['B.3', 'failed']]));
    assert.equal(c.certificate.contract.digest, meta.contract.digest);
    assert.equal(c.certificate.seed, 9);
  }
  const skippedMust = certify(buildReport(raw([check('B.1', 'MUST', [attempt('passed')]), check('B.2', 'MUST', [attempt('skipped')])]), { contracts }));
  assert.equal(skippedMust.issued, false);
  if (!skippedMust.issued) assert.match(skippedMust.reasons.join(' '), /B\.2 \(skipped/);
  const failedMust = certify(buildReport(raw([check('B.1', 'MUST', [attempt('failed')])]), { contracts }));
  assert.equal(failedMust.issued, false);
  const blocked = certify(good, ['shard(s) 2/2 missing']);
  assert.equal(blocked.issued, false);
});

test('JUnit: one testcase per check, failures carry expected vs observed and the citation, XML-escaped', () => {
  const r = buildReport(raw([
    check('J.1', 'MUST', [attempt('failed', { record: { exchanges: [], coverage: [], warnings: [], failure: { message: 'status <differs> & "so"', expected: 200, observed: 201, cite: 'http/openapi.json#/paths/~1groups/post' } } })]),
    check('J.2', 'SHOULD', [attempt('skipped', { annotations: [{ type: 'skip', description: 'no admin' }] })]),
    check('J.3', 'MAY', [attempt('passed')], { repeatEachIndex: 0 }),
  ]), { contracts });
  const xml = renderJunit(r);
  assert.equal((xml.match(/<testcase /g) ?? []).length, 3);
  assert.match(xml, /<testsuites name="anychat-conform" tests="3" failures="1" skipped="1"/);
  assert.match(xml, /<failure message="MUST status &lt;differs&gt; &amp; &quot;so&quot;" type="MUST">/);
  assert.match(xml, /expected: 200\n {2}observed: 201\n {2}contract: http\/openapi\.json#\/paths\/~1groups\/post/);
  assert.match(xml, /<skipped message="no admin"\/>/);
  assert.doesNotMatch(xml, /<differs>/);
});

test('badge: MUST score with skipped counting against it', () => {
  const full = renderBadge(buildReport(raw([check('A.1', 'MUST', [attempt('passed')])]), { contracts }));
  assert.match(full, /AnyChat conformance/);
  assert.match(full, />MUST 100%</);
  const half = renderBadge(buildReport(raw([check('A.1', 'MUST', [attempt('passed')]), check('A.2', 'MUST', [attempt('skipped')])]), { contracts }));
  assert.match(half, />MUST 50%</);
});

test('expectations files: JSON or YAML lists of {id, reason}; malformed ones are setup errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anychat-expect-'));
  try {
    writeFileSync(join(dir, 'e.yaml'), '- id: REST.HG2\n  reason: returns 201\n- id: WS.7\n  reason: ms timestamps\n');
    assert.deepEqual([...loadExpectations(join(dir, 'e.yaml')).reasons], [['REST.HG2', 'returns 201'], ['WS.7', 'ms timestamps']]);
    writeFileSync(join(dir, 'e.json'), JSON.stringify({ expectations: [{ id: 'A.1', reason: 'r' }] }));
    assert.equal(loadExpectations(join(dir, 'e.json')).reasons.get('A.1'), 'r');
    writeFileSync(join(dir, 'bad.yaml'), '- id: A.1\n');
    assert.throws(() => loadExpectations(join(dir, 'bad.yaml')), (e: unknown) => e instanceof SetupError && /entry 0 \(A\.1\) has no "reason"/.test(e.message));
    writeFileSync(join(dir, 'dup.json'), JSON.stringify([{ id: 'A.1', reason: 'r' }, { id: 'A.1', reason: 's' }]));
    assert.throws(() => loadExpectations(join(dir, 'dup.json')), /listed twice/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const blockedAttempt = (owner: string, what: string) =>
  attempt('skipped', { annotations: [{ type: 'blocked-by', description: owner }, { type: 'skip', description: `blocked: ${what} — see ${owner}` }] });

test('verdict words: all pass → conformant 0; MUST failed → nonconformant 1; MUST passed+blocked → incomplete 3; no MUST ran → no verdict 2', () => {
  const v = (tests: RawTest[], strict = false) => buildReport(raw(tests), { contracts, strict }).verdict;
  const allPass = v([check('A.1', 'MUST', [attempt('passed')]), check('A.2', 'SHOULD', [attempt('passed')])]);
  assert.deepEqual([allPass.word, allPass.exitCode], ['conformant', 0]);
  assert.match(allPass.summary, /^conformant: every executed MUST check passed$/);

  const mustFailed = v([check('A.1', 'MUST', [attempt('failed')]), check('A.2', 'MUST', [blockedAttempt('A.1', 'x failed')])]);
  assert.deepEqual([mustFailed.word, mustFailed.exitCode], ['nonconformant', 1]);
  assert.match(mustFailed.summary, /^nonconformant: 1 MUST check\(s\) failed \(1 MUST check\(s\) blocked, not judged\)$/);

  const incomplete = v([
    check('A.1', 'MUST', [attempt('passed')]),
    check('A.2', 'MUST', [blockedAttempt('WS.5', 'message.send is never acked')]),
    check('A.3', 'MUST', [blockedAttempt('WS.5', 'message.send is never acked')]),
    check('WS.5', 'SHOULD', [attempt('failed')]),
  ]);
  assert.deepEqual([incomplete.word, incomplete.exitCode], ['incomplete', 3]);
  assert.match(incomplete.summary, /^incomplete: 2 MUST check\(s\) could not be judged/);
  assert.deepEqual(incomplete.mustBlocked, ['A.2', 'A.3']);
  assert.doesNotMatch(incomplete.summary, /conformant/);

  // the case: a --grep subset that ran no MUST check, 8 of 8 MAY checks failed
  const noMust = v(Array.from({ length: 8 }, (_, i) => check(`M.${i + 1}`, 'MAY', [attempt('failed')])));
  assert.deepEqual([noMust.word, noMust.exitCode], ['no verdict', 2]);
  assert.match(noMust.summary, /^no verdict: no MUST check ran \(8 SHOULD\/MAY failure\(s\) reported\)$/);
  const onlyBlockedMust = v([check('A.1', 'MUST', [blockedAttempt('X.1', 'y')]), check('B.1', 'SHOULD', [attempt('passed')])]);
  assert.deepEqual([onlyBlockedMust.word, onlyBlockedMust.exitCode], ['no verdict', 2]);
  assert.match(onlyBlockedMust.summary, /no MUST check ran; 1 MUST check\(s\) blocked/);
  // --strict still fails on a MAY failure even when no MUST ran: that finding is real
  assert.equal(v([check('M.1', 'MAY', [attempt('failed')])], true).exitCode, 1);
  // an expected failure of a MUST still counts as judged
  const expected = buildReport(raw([check('E.1', 'MUST', [attempt('failed')])]), { contracts, expectations: { file: '/e', reasons: new Map([['E.1', 'known']]) } }).verdict;
  assert.deepEqual([expected.word, expected.exitCode], ['conformant', 0]);
});

test('blocked checks are grouped under the owner check, largest group first; scores keep blocked apart', () => {
  const r = buildReport(raw([
    check('WS.5', 'MUST', [attempt('failed', { record: { exchanges: [], coverage: [], warnings: [], failure: { message: 'message.send is never acked\nmore', expected: 'an ack', observed: 'nothing within 10 s' } } })]),
    check('WS.7', 'MUST', [blockedAttempt('WS.5', 'send a group message failed: no ack')]),
    check('M.1', 'SHOULD', [blockedAttempt('WS.5', 'send failed')]),
    check('G.1', 'MUST', [blockedAttempt('REST.G1', 'create a group failed: HTTP 500')]),
    check('N.1', 'MAY', [attempt('skipped', { annotations: [{ type: 'skip', description: 'not applicable: one socket per user' }] })]),
    check('S.1', 'MAY', [attempt('skipped', { annotations: [{ type: 'skip', description: 'no gRPC address' }] })]),
  ]), { contracts });
  const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
  assert.equal(by['WS.7']!.outcome, 'blocked');
  assert.equal(by['WS.7']!.blockedBy, 'WS.5');
  assert.equal(by['N.1']!.outcome, 'not-applicable');
  assert.equal(by['S.1']!.outcome, 'skipped');
  assert.deepEqual(r.blocked.map((g) => [g.owner, g.ownerResult?.outcome ?? null, g.checks.map((c) => c.id)]), [
    ['WS.5', 'failed', ['M.1', 'WS.7']],
    ['REST.G1', null, ['G.1']],
  ]);
  assert.equal(r.blocked[0]!.ownerResult!.message, 'message.send is never acked');
  assert.deepEqual([r.summary.byLevel.MUST.total, r.summary.byLevel.MUST.blocked, r.summary.all['not-applicable']], [3, 2, 1]);
  assert.equal(score(r.summary.byLevel.MAY), 0, 'not-applicable is left out of the score, skipped counts against it');
  // a blocked reason without the annotation (older prereq wire format) still names its owner
  const legacy = buildReport(raw([check('X.1', 'MUST', [attempt('skipped', { annotations: [{ type: 'skip', description: 'blocked: y — see REST.A1' }] })])]), { contracts });
  assert.equal(legacy.checks[0]!.blockedBy, 'REST.A1');
});

test('coverage: only validated answers cover; answered-but-nonconformant keys are listed apart', () => {
  const rec = (coverage: Array<{ kind: any; key: string; state?: any }>) => ({ exchanges: [], coverage, warnings: [] });
  const r = buildReport(raw([
    check('C.1', 'MUST', [attempt('passed', { record: rec([
      { kind: 'rest', key: 'POST /auth/login', state: 'conformant' },
      { kind: 'rest', key: 'GET /users/me', state: 'nonconformant' },
      { kind: 'notification', key: 'friend.request', state: 'nonconformant' },
    ]) })]),
    check('C.2', 'MUST', [attempt('passed', { record: rec([{ kind: 'rest', key: 'POST /auth/login', state: 'nonconformant' }]) })]),
  ]), { contracts });
  assert.equal(r.coverage.restOperations.covered, 1);
  assert.deepEqual(r.coverage.restOperations.nonconformant, ['GET /users/me'], 'a key also answered conformantly is covered, not listed');
  assert.ok(!r.coverage.restOperations.missing.includes('GET /users/me'));
  assert.equal(r.coverage.notificationTypes.covered, 0);
  assert.deepEqual(r.coverage.notificationTypes.nonconformant, ['friend.request']);
  assert.ok(summaryLines(r).some((l) => l.includes('REST operations 1/78 (+1 observed but nonconformant)')));
});

test('replays: with a run-config.json the line is `run --config … --grep`; an ordering counterexample keeps --path', () => {
  const m = { ...meta, runConfig: 'out/run-config.json' };
  assert.equal(replayCommand(m, 'rest', 'REST.A1'), `anychat-conform run --config out/run-config.json --grep '\\bREST\\.A1 '`);
  const ordReplay = `anychat-conform run http://t --suite ordering --seed 3 --path 'ORD.P1~3:1~AAB'   (or: ANYCHAT_ORD_PATH='ORD.P1~3:1~AAB' npx playwright test)`;
  assert.equal(replayCommand(m, 'ordering', 'ORD.P1', ordReplay), `anychat-conform run --config out/run-config.json --grep '\\bORD\\.P1 ' --path 'ORD.P1~3:1~AAB'`);
  const r = buildReport(raw([check('ORD.P1', 'MUST', [attempt('failed', { record: { exchanges: [], coverage: [], warnings: [], failure: { message: 'P1 violated', replay: ordReplay } } })], { suite: 'ordering' })], { metadata: m }), { contracts });
  assert.match(r.checks[0]!.replay, / --path 'ORD\.P1~3:1~AAB'$/);
});

test('console: one line per failure, a sweep heading takes its items, never "undefined"', () => {
  assert.equal(headline('14 of 73 failed:\n  - GET /a: 404\n    detail\n  - POST /b: 500'), '14 of 73 failed: GET /a: 404; POST /b: 500');
  assert.equal(headline('plain\nsecond'), 'plain');
  assert.equal(formatFailure({ message: 'm', expected: undefined, observed: null }), 'm\n  expected: (absent)\n  observed: null');
  const r = buildReport(raw([check('F.1', 'MUST', [attempt('failed', { record: { exchanges: [], coverage: [], warnings: [], failure: { message: '2 of 3 failed:\n  - x\n  - y', cite: 'c' } } })])]), { contracts });
  const lines = summaryLines(r);
  const f = lines.filter((l) => l.startsWith('  ✗'));
  assert.deepEqual(f, [`  ✗ F.1 MUST 2 of 3 failed: x; y — rerun: ${r.checks[0]!.replay}`]);
  assert.ok(summaryLines(r, { debug: true }).some((l) => l.trim() === 'contract: c'), '--debug prints the full detail');
});
