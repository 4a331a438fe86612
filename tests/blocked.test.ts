/**
 * Issue 12's proof: a broken prerequisite is reported once, by the check that owns it; every check resting on it is
 * `blocked` citing that owner, at once (no timeout spent per check); the verdict words and exit code say so.
 *
 * One reference-server fault per prerequisite: `ws.never-ack` (message.send never acked, owner WS.5),
 * `auth.register-refused` (owner REST.A1), `dialect.service-500` (RTC down; owners REST.R1 and the gRPC RTC owner),
 * and a run with no admin credentials (admin absent: admin checks blocked, nothing fails).
 * Durations come from report.json; wall time is printed, never asserted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../reference-server/server.js';
import { citation, conformRun, describeChecks, idsWith, removeRun, type ConformRun, type ReportCheck } from './support/conform-run.js';

/** Per-call timeout given to the runs: a check that waited for a broken prerequisite takes at least this long. */
const TIMEOUT_MS = 5000;
const WORKERS = 2;
const common = ['--seed', '1', '--workers', String(WORKERS), '--timeout-ms', String(TIMEOUT_MS)];

const blocked = (r: ConformRun) => r.report.checks.filter((c) => c.outcome === 'blocked');

/** Blocked checks must not wait: only the first check of each worker that meets the broken prerequisite may. */
function assertNoTimeoutsSpent(r: ConformRun, label: string): void {
  const slow = blocked(r).filter((c) => c.durationMs >= TIMEOUT_MS);
  assert.ok(slow.length <= WORKERS, `${label}: ${slow.length} blocked checks spent a timeout:\n${describeChecks(slow)}`);
  const total = blocked(r).reduce((n, c) => n + c.durationMs, 0);
  process.stdout.write(`# ${label}: ${(r.ms / 1000).toFixed(0)} s wall, ${blocked(r).length} blocked checks took ${(total / 1000).toFixed(1)} s in all\n`);
}

/** Verdict words and exit code for a run whose only failures are `failed`. */
function assertVerdict(r: ConformRun): void {
  const v = r.report.verdict;
  assert.equal(r.code, v.exitCode, `exit code ${r.code} vs report ${v.exitCode}: ${r.stdout.slice(-1500)}`);
  const mustFailed = r.report.checks.some((c) => c.level === 'MUST' && c.outcome === 'failed');
  const mustBlocked = r.report.checks.some((c) => c.level === 'MUST' && c.outcome === 'blocked');
  if (mustFailed) {
    assert.match(v.summary, /^nonconformant/);
    assert.equal(r.code, 1);
  } else if (mustBlocked) {
    assert.match(v.summary, /^incomplete/, 'MUST checks that could not be judged make the run incomplete, never conformant');
    assert.notEqual(r.code, 0);
  } else {
    assert.match(v.summary, /^conformant/);
    assert.equal(r.code, 0);
  }
}

test('ws.never-ack: WS.5 fails; everything that needs an ack is blocked citing WS.5, at once', { timeout: 900_000 }, async () => {
  const r = await conformRun(['--serve', '--fault', 'ws.never-ack', '--suite', 'ws,ordering,xproto', ...common]);
  try {
    assert.deepEqual(idsWith(r, 'failed'), ['WS.5'], describeChecks(r.report.checks.filter((c) => c.outcome !== 'passed')));
    // the checks that failed before issue 12 (every one waited 10 s for an ack that never came)
    const dependents = [
      'WS.4', 'WS.6', 'WS.7', 'WS.8', 'WS.9', 'WS.13', 'WS.15', 'WS.16', 'WS.CONTENT-TEXT',
      'WS.NOTIF.message.mentioned', 'WS.NOTIF.message.new', 'WS.NOTIF.session.deleted', 'WS.NOTIF.session.mute_updated',
      'WS.NOTIF.session.pin_updated', 'WS.NOTIF.session.unread_updated',
      'XPROTO.1', 'XPROTO.6', 'XPROTO.7', 'XPROTO.8',
      'ORD.P1', 'ORD.P1-GAPFREE', 'ORD.P2', 'ORD.P3', 'ORD.P4', 'ORD.P5', 'ORD.P6', 'ORD.P7', 'ORD.P8',
    ];
    assert.deepEqual(idsWith(r, 'blocked'), [...dependents].sort(), describeChecks(blocked(r)));
    for (const c of blocked(r)) assert.match(citation(c), /\bWS\.5\b/, `${c.id} does not cite WS.5: ${citation(c)}`);
    assertNoTimeoutsSpent(r, 'ws.never-ack');
    assertVerdict(r);
  } finally {
    removeRun(r);
  }
});

test('auth.register-refused: REST.A1 fails; every check that needs a user is blocked citing it', { timeout: 900_000 }, async () => {
  const r = await conformRun(['--serve', '--fault', 'auth.register-refused', '--suite', 'rest,security,ws', ...common]);
  try {
    assert.deepEqual(idsWith(r, 'failed'), ['REST.A1'], describeChecks(r.report.checks.filter((c) => c.outcome === 'failed')));
    assert.ok(blocked(r).length >= 50, `only ${blocked(r).length} checks blocked`);
    for (const c of blocked(r)) assert.match(citation(c), /\bREST\.A1\b/, `${c.id} does not cite REST.A1: ${citation(c)}`);
    // the checks that need no registered user still judge their behaviour
    for (const id of ['REST.HG5']) assert.equal(r.report.checks.find((c) => c.id === id)?.outcome, 'passed', id);
    assertNoTimeoutsSpent(r, 'auth.register-refused');
    assertVerdict(r);
  } finally {
    removeRun(r);
  }
});

test('dialect.service-500: the owners fail once per protocol; every RTC-dependent check is blocked citing them', { timeout: 900_000 }, async () => {
  const r = await conformRun(['--serve', '--fault', 'dialect.service-500', '--suite', 'rest,security,ws,grpc,xproto', ...common]);
  // REST: HG2 owns "every operation succeeds on a valid request"; gRPC: each rpc's own check — the call and the meeting rpcs
  const owners = ['GRPC.RTCService.CreateMeeting', 'GRPC.RTCService.InitiateCall', 'REST.HG2'];
  try {
    assert.deepEqual(idsWith(r, 'failed'), owners, describeChecks(r.report.checks.filter((c) => c.outcome === 'failed')));
    const rtcDependent = r.report.checks.filter((c) => !owners.includes(c.id) &&
      /^(REST\.R\d|GRPC\.RTCService\.|XPROTO\.5$|SEC\.AUTHZ\.calls$|WS\.NOTIF\.livekit\.)/.test(c.id));
    assert.ok(rtcDependent.length >= 15, `only ${rtcDependent.length} RTC-dependent checks in the run`);
    assert.deepEqual(rtcDependent.filter((c) => c.outcome !== 'blocked').map((c) => `${c.id}: ${c.outcome}`), [], 'RTC-dependent checks must be blocked');
    for (const c of blocked(r)) assert.match(citation(c), /\b(REST\.HG2|GRPC\.RTCService\.(InitiateCall|CreateMeeting))\b/, `${c.id}: ${citation(c)}`);
    // REST.NEG1 sends its invalid input even though its world cannot include a call (issue 12: it sent none)
    assert.notEqual(r.report.checks.find((c) => c.id === 'REST.NEG1')?.outcome, 'failed');
    assertNoTimeoutsSpent(r, 'dialect.service-500');
    assertVerdict(r);
  } finally {
    removeRun(r);
  }
});

test('admin absent (no admin credentials): nothing fails; the admin checks say why they did not run', { timeout: 900_000 }, async () => {
  const server = await startServer({ port: 0, grpcPort: 0, db: ':memory:' });
  let r: ConformRun | undefined;
  try {
    r = await conformRun([server.httpUrl, '--grpc', server.grpcAddress!, '--suite', 'rest,security,ws,grpc', ...common], {
      env: { ANYCHAT_JWT_SECRET: server.ctx.config.jwtSecret },
    });
    assert.deepEqual(idsWith(r, 'failed'), [], describeChecks(r.report.checks.filter((c) => c.outcome === 'failed')));
    const needAdmin = ['REST.AD1', 'REST.AD2', 'REST.AD3', 'REST.AD4', 'REST.AD5', 'REST.AD6', 'REST.AD7', 'SEC.AUTHZ.admin', 'WS.NOTIF.admin.user_banned'];
    for (const id of needAdmin) {
      const c: ReportCheck | undefined = r.report.checks.find((x) => x.id === id);
      assert.ok(c && (c.outcome === 'skipped' || c.outcome === 'blocked'), `${id}: ${c ? describeChecks([c]) : 'absent'}`);
      assert.match(c.outcome === 'blocked' ? citation(c) : String(c.skipReason ?? ''), /admin/i, `${id} must say the admin is not configured`);
    }
    assertNoTimeoutsSpent(r, 'admin absent');
    assertVerdict(r);
  } finally {
    if (r) removeRun(r);
    await server.close();
  }
});
