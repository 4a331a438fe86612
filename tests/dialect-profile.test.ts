/**
 * Issue 13's proof: every suite against the reference server in the `dialect` profile (how the official AnyChat
 * backend differs, contract-notes §5), run the way a vendor would run it against that backend: `--device-type iOS`,
 * the admin API given with its own base URL, every gRPC service on one address.
 *
 * Asserted: the EXACT set of failed checks (each deviation reported once, by the check that owns it), every other
 * check passed or blocked with a reason (never failed), no MUST failing falsely. The wall time is printed (goal ≤ 3 min
 * on 2 cores; not asserted: performance is measured, never a test verdict).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FAULT_PROFILES, profileFaults } from '../reference-server/faults.js';
import { startServer, type RunningServer } from '../reference-server/server.js';
import { citation, conformRun, describeChecks, idsWith, removeRun, type ConformRun } from './support/conform-run.js';

/**
 * The ids of the two checks that issue 13 adds in the suites (named by their engineers; fix here after the merge):
 * the dedicated message-content check and the "contract deviceType refused" check.
 */
const CONTENT_FORMAT_CHECK = 'WS.CONTENT-TEXT';
const DEVICE_TYPE_CHECK = 'REST.A1-ENUM';

/** The failures the dialect profile must produce (lenient), one per deviation, each by its owner. */
const EXPECTED_FAILURES: Record<string, string> = {
  'REST.HG3': 'dialect.snake-case: typed data (GET /groups, group members/requests) carries its declared properties only as snake_case',
  'REST.HG16': 'dialect.proto-timestamps: typed time fields are {seconds,nanos}, not RFC 3339',
  [CONTENT_FORMAT_CHECK]: 'dialect.json-content: a plain-text message.send is never acked (AsyncAPI example vs message.proto "JSON string")',
  [DEVICE_TYPE_CHECK]: 'dialect.device-type: a client sending the contract\'s deviceType "ios" cannot register (reported once, the run continues with iOS)',
  'WS.8': 'ws.notification-shape: frames are {type, payload:{notification_id, type, timestamp, payload}}, not {notificationType, timestamp, data}',
  'SEC.7': 'dialect.access-alive-after-logout: the access token still works after logout (lenient A8 judges only the refresh token)',
  'REST.HG2': 'dialect.service-500: every RTC operation answers HTTP 500 to a valid request (HG2 owns "succeeds on a valid request"; R1–R5 are blocked citing it)',
  'REST.HG4': 'dialect.proto-timestamps: untyped data writes times as {seconds, nanos} (contract-notes I1 accepts RFC 3339, seconds or ms only)',
  'REST.COV.405': 'dialect.admin-elsewhere: the moved admin router answers 404 to undeclared methods, as Go\'s router does (MAY, RFC 9110)',
  'WS.MULTI-DEVICE': 'dialect.single-socket: a second socket of the same user closes the first (MAY, beyond the contract; the multi-device checks are blocked citing it)',
  'GRPC.RTCService.InitiateCall': 'dialect.service-500: RTCService answers INTERNAL over gRPC (the calls\' rpc; the call rpcs are blocked citing it)',
  'GRPC.RTCService.CreateMeeting': 'dialect.service-500: RTCService answers INTERNAL over gRPC (the meetings\' rpc; the meeting rpcs are blocked citing it)',
};
// Not expected to fail, on purpose: snake_case keys and omitted lists in untyped data (lenient warnings, issue 13
// "Dialect-tolerant reading"), REST.COV.NO5XX and GRPC.ERR1 (they do not judge operations that fail valid requests), WS.15 and the multi-device ordering (blocked: one socket per user, contract
// silent), admin checks (admin is configured at its own base URL), REST.A8 (lenient: refresh token revoked).

const SUITES = ['rest', 'security', 'ws', 'grpc', 'xproto', 'ordering'];

let server: RunningServer;
let run: ConformRun;
let wallMs = 0;

before(async () => {
  server = await startServer({ port: 0, grpcPort: 0, db: ':memory:', faults: profileFaults('dialect') });
  const started = Date.now();
  run = await conformRun(
    [server.httpUrl, '--grpc', server.grpcAddress!, '--suite', SUITES.join(','), '--device-type', 'iOS', '--admin-user', 'admin', '--admin-password', 'Admin@123456', '--seed', '1', '--workers', '2'],
    // --admin-url as an environment variable (ANYCHAT_ADMIN_URL, the same option as the flag)
    { env: { ANYCHAT_ADMIN_URL: server.adminUrl, ANYCHAT_JWT_SECRET: server.ctx.config.jwtSecret } },
  );
  wallMs = Date.now() - started;
  process.stdout.write(`# dialect profile run: ${(wallMs / 1000).toFixed(0)} s wall for ${run.report.checks.length} checks (goal ≤ 180 s on 2 cores)\n`);
});

after(async () => {
  if (run) removeRun(run);
  await server?.close();
});

test('the dialect profile is what contract-notes §5 describes', () => {
  assert.deepEqual([...FAULT_PROFILES.dialect!].sort(), [
    'dialect.access-alive-after-logout', 'dialect.admin-elsewhere', 'dialect.device-type', 'dialect.json-content', 'dialect.omit-empty',
    'dialect.proto-timestamps', 'dialect.service-500', 'dialect.single-socket', 'dialect.snake-case', 'ws.notification-shape',
  ]);
});

test('exactly the expected checks fail: each deviation once, by its owner', { timeout: 900_000 }, () => {
  assert.ok(run.report.checks.length > 150, `only ${run.report.checks.length} checks in the report`);
  const failed = [...new Set([...idsWith(run, 'failed'), ...idsWith(run, 'flaky'), ...idsWith(run, 'timedOut')])].sort();
  assert.deepEqual(failed, Object.keys(EXPECTED_FAILURES).sort(), `failed checks:\n${describeChecks(run.report.checks.filter((c) => failed.includes(c.id)))}`);
});

test('no MUST check fails falsely', () => {
  const must = run.report.checks.filter((c) => c.level === 'MUST' && c.outcome !== 'passed' && c.outcome !== 'blocked');
  const falsely = must.filter((c) => !(c.id in EXPECTED_FAILURES));
  assert.deepEqual(falsely.map((c) => c.id), [], describeChecks(falsely));
});

test('every other check passed, or is blocked with a reason', () => {
  const others = run.report.checks.filter((c) => !(c.id in EXPECTED_FAILURES));
  const bad = others.filter((c) => !(c.outcome === 'passed' || (c.outcome === 'blocked' && citation(c) !== '')));
  assert.deepEqual(bad.map((c) => `${c.id}: ${c.outcome}`), [], describeChecks(bad));
  // single socket: the multi-device check is blocked for that reason, not failed and not passed
  const ws15 = run.report.checks.find((c) => c.id === 'WS.15');
  assert.equal(ws15?.outcome, 'blocked', describeChecks(ws15 ? [ws15] : []));
  assert.match(citation(ws15!), /one socket per user/);
});

test('the verdict counts the failures and the exit code matches it', () => {
  assert.equal(run.code, run.report.verdict.exitCode, run.stdout.slice(-2000));
  assert.equal(run.code, 1, 'MUST failures (WS.8, the deviceType check, HG3) make the run nonconformant');
  assert.match(run.report.verdict.summary, /^nonconformant/);
  assert.ok(wallMs > 0);
});
