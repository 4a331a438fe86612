import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listChecks } from '../cli/checks.js';
import { applicability } from '../contracts/applicability.js';
import { diffContracts, RULES, type DiffResult } from '../contracts/diff/index.js';
import { renderMarkdown, renderText } from '../contracts/diff/render.js';
import { loadContracts, packageRoot } from '../contracts/index.js';
import { contractsHistory } from './support/contracts-history.js';

/**
 * `contracts diff` and check applicability on the real contract history (../shared/contracts-history, 25 upstream
 * versions). The expected summaries below were checked by hand against the files (see each test).
 */
const history = contractsHistory();
const skip = history ? false : 'no ../shared/contracts-history here';
const at = (v: string) => join(history!.dir, v);
const diff = (a: string, b: string) => diffContracts(loadContracts(at(a)), loadContracts(at(b)));
const counts = (d: DiffResult) => Object.fromEntries(d.summary.byRule.map((r) => [r.id, r.count]));
const subjects = (d: DiffResult, rule: string) => d.changes.filter((c) => c.rule === rule).map((c) => c.subject);
const cli = join(packageRoot, 'bin', 'anychat-conform.js');
const runCli = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

test('rule ids are unique, each with a category and one message', () => {
  assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
  for (const r of RULES) {
    assert.match(r.id, /^(rest|ws|grpc|cross)(\.[a-z-]+){1,2}$/);
    assert.ok(r.category && r.message, r.id);
  }
});

test('every consecutive pair, and first → last, diffs without a crash into classified, located changes', { skip }, () => {
  const vs = history!.versions;
  assert.ok(vs.length >= 2);
  const pairs: Array<[string, string]> = [...vs.slice(1).map((v, i) => [vs[i]!, v] as [string, string]), [vs[0]!, vs[vs.length - 1]!]];
  for (const [a, b] of pairs) {
    const d = diff(a, b);
    assert.equal(d.summary.total, d.changes.length, `${a} → ${b}`);
    assert.equal(d.summary.byRule.reduce((n, r) => n + r.count, 0), d.changes.length);
    for (const c of d.changes) {
      assert.ok(c.subject, `${a} → ${b}: ${c.rule} names what changed`);
      if (c.rule !== 'cross.concept-renamed') assert.ok(c.old || c.new, `${a} → ${b}: ${c.rule} ${c.subject} has a location`);
    }
    assert.ok(renderText(d).includes(`${d.summary.total} changes`));
    assert.ok(renderMarkdown(d).includes('| rule |'));
  }
  // A version diffed with itself has no changes.
  assert.equal(diff(vs[vs.length - 1]!, vs[vs.length - 1]!).summary.total, 0);
});

test('01 → 03 and 03 → 04 (docs, project name) and 26 → 27 (proto comments translated) change nothing', { skip }, () => {
  assert.deepEqual(counts(diff('01-fb48bbf', '03-f201968')), {});
  assert.deepEqual(counts(diff('03-f201968', '04-e63b23e')), {});
  assert.deepEqual(counts(diff('26-943a14b', '27-364b5e2')), {});
});

// Hand-checked: 06 adds clientVersion (required) to the REST login and register bodies and client_version to the two proto requests.
test('04 → 06: clientVersion added to login and register, over REST (required) and gRPC', { skip }, () => {
  const d = diff('04-e63b23e', '06-e62fda5');
  assert.deepEqual(counts(d), { 'rest.request.property-added-required': 2, 'grpc.field.added': 2 });
  assert.deepEqual(subjects(d, 'rest.request.property-added-required').sort(), ['LoginRequest.clientVersion', 'RegisterRequest.clientVersion']);
  assert.equal(d.summary.breakingForClients, 2, 'a new required request field breaks existing clients');
});

// Hand-checked: rewriting '/rtc/' to '/calling/' in 07's openapi.json gives 08's exactly (descriptions aside);
// proto/rtc/rtc.proto became proto/calling/calling.proto with only the package, go_package and service name changed.
test('07 → 08: RTC renamed to Calling is one rename per operation, package and service — no removal, no addition', { skip }, () => {
  const d = diff('07-3b4d3d2', '08-23c6b74');
  assert.deepEqual(counts(d), { 'rest.operation.renamed': 11, 'grpc.package.renamed': 1, 'grpc.service.renamed': 1, 'cross.concept-renamed': 1 });
  assert.ok(subjects(d, 'rest.operation.renamed').includes('POST /rtc/calls ⇒ POST /calling/calls'));
  assert.deepEqual(subjects(d, 'grpc.service.renamed'), ['anychat.rtc.RTCService ⇒ anychat.calling.CallingService']);
  assert.deepEqual(subjects(d, 'cross.concept-renamed'), ['rtc → calling']);
  assert.equal(d.summary.breakingForClients, 14);
});

// Hand-checked: rewriting /sessions → /conversations and sessionId → conversationId in 18's openapi.json gives 19's;
// the asyncapi renames the four session.* notification types; session.proto became conversation.proto with
// Session → Conversation in message and rpc names and session_id / session_type / sessions fields renamed.
test('18 → 19: session merged into conversation, recognised as renames across REST, WS and gRPC', { skip }, () => {
  const d = diff('18-46fdffa', '19-1552b44');
  assert.deepEqual(counts(d), {
    'rest.operation.renamed': 7,
    'ws.notification.renamed': 4,
    'grpc.package.renamed': 1,
    'grpc.service.renamed': 1,
    'grpc.rpc.renamed': 4,
    'grpc.message.renamed': 8,
    'grpc.field.renamed': 15,
    'cross.concept-renamed': 1,
  });
  assert.ok(subjects(d, 'ws.notification.renamed').includes('session.deleted ⇒ conversation.deleted'));
  assert.ok(subjects(d, 'grpc.message.renamed').includes('anychat.session.Session ⇒ anychat.conversation.Conversation'));
  assert.ok(subjects(d, 'grpc.field.renamed').includes('anychat.sync.SyncResponse.sessions ⇒ conversation_data'));
  const cross = d.changes.find((c) => c.rule === 'cross.concept-renamed')!;
  assert.equal(cross.subject, 'session → conversation');
  assert.match(cross.detail!, /REST 7 operations; WS 4 notification types; gRPC/);
});

// Hand-checked: 26 moves the REST schemas to snake_case and enum-like strings to integers, adds 27 operations
// (messages, QR codes, verification, read receipts) and drops POST /conversations/{id}/read (read-all replaces it,
// with nothing but the envelope to show it is the same operation); the protos gain 21 enums typed onto their fields.
test('25 → 26: the snake_case / int migration is one casing change per schema, plus the real type changes', { skip }, () => {
  const d = diff('25-b99b45c', '26-943a14b');
  const c = counts(d);
  assert.equal(c['rest.schema.casing-changed'], 28, 'one per schema, not one per field');
  assert.equal(c['rest.operation.added'], 27);
  assert.deepEqual(subjects(d, 'rest.operation.removed'), ['POST /conversations/{conversationId}/read']);
  assert.equal(c['grpc.enum.added'], 21);
  assert.equal(c['grpc.field.type-changed'], 41);
  const login = d.changes.find((x) => x.rule === 'rest.schema.casing-changed' && x.subject === 'LoginRequest')!;
  assert.match(login.detail!, /^3 properties: clientVersion → client_version, deviceId → device_id, deviceType → device_type$/);
  const deviceType = d.changes.find((x) => x.rule === 'rest.request.type-changed' && x.subject === 'LoginRequest.device_type')!;
  assert.equal(deviceType.detail, 'string → integer');
  assert.ok(d.changes.some((x) => x.rule === 'grpc.field.type-changed' && x.subject === 'anychat.auth.LoginRequest.device_type' && x.detail === 'string → anychat.auth.DeviceType'));
  assert.ok(d.changes.some((x) => x.rule === 'grpc.field.type-changed-json-only' && x.subject === 'file.FileInfo.status'), 'int32 → enum keeps the wire, changes the JSON');
  assert.deepEqual(subjects(d, 'grpc.enum.value-number-changed').sort(), ['anychat.group.MuteType.MUTE_TYPE_PERMANENT', 'anychat.group.MuteType.MUTE_TYPE_TEMPORARY']);
  assert.ok(!d.changes.some((x) => x.rule.endsWith('property-removed') && /deviceId|clientVersion/.test(x.subject)), 'a casing rename is not a removal');
});

test('contracts diff CLI: exit 1 on breaking, 0 on none, 2 on bad input; --json and --markdown', { skip }, () => {
  const rename = runCli('contracts', 'diff', at('07-3b4d3d2'), at('08-23c6b74'), '--json');
  assert.equal(rename.status, 1, rename.stderr);
  assert.equal(JSON.parse(rename.stdout).summary.breakingForClients, 14);
  const none = runCli('contracts', 'diff', at('01-fb48bbf'), at('03-f201968'));
  assert.equal(none.status, 0, none.stderr);
  assert.match(none.stdout, /0 changes: 0 breaking for clients, 0 breaking for servers/);
  const md = runCli('contracts', 'diff', at('07-3b4d3d2'), at('08-23c6b74'), '--markdown', '--fail-on', 'none');
  assert.equal(md.status, 0);
  assert.match(md.stdout, /^### Contract diff `3b4d3d2` → `23c6b74`/);
  assert.match(md.stdout, /\| `rest\.operation\.renamed` \| rest \| operation \| breaking \| breaking \| 11 \|/);
  const bad = runCli('contracts', 'diff', at('01-fb48bbf'), '/nonexistent/bundle');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /contract bundle not found: \/nonexistent\/bundle/);
  assert.equal(runCli('contracts', 'diff', at('01-fb48bbf'), at('03-f201968'), '--fail-on', 'nobody').status, 2);
});

const ALL_SUITES = ['rest', 'security', 'ws', 'grpc', 'xproto', 'ordering', 'browser'] as const;
/** Listed through Playwright (≈ 5 s each on a quiet machine): the first, the pinned one, and each that renames or removes what checks cite. */
const LISTED = ['01-fb48bbf', '06-e62fda5', '08-23c6b74', '18-46fdffa', '19-1552b44', '26-943a14b', '27-364b5e2'];

test('every version loads and lists its applicable checks; the pinned bundle applies every check', { skip, timeout: 900_000 }, async () => {
  const summary: string[] = [];
  let pinnedEntries: Awaited<ReturnType<typeof listChecks>>['entries'] = [];
  for (const v of LISTED) {
    const listed = await listChecks({ suites: [...ALL_SUITES], contracts: at(v) });
    assert.deepEqual(listed.errors, [], `${v}: every suite loads`);
    assert.ok(listed.entries.length > 200, `${v}: ${listed.entries.length} checks listed`);
    for (const e of listed.entries) if (!e.applicable) assert.ok(e.missing.length > 0, `${v} ${e.id} names what is missing`);
    const na = listed.entries.filter((e) => !e.applicable);
    summary.push(`${v}: ${listed.entries.length - na.length}/${listed.entries.length}`);
    if (v === '06-e62fda5') {
      assert.deepEqual(na.map((e) => `${e.id}: ${e.missing.join(', ')}`), [], 'the pinned bundle applies every check');
      pinnedEntries = listed.entries;
    }
    if (v === '27-364b5e2') {
      const x5 = listed.entries.find((e) => e.id === 'XPROTO.5')!;
      assert.deepEqual(x5.missing, ['REST operation GET /rtc/calls/{callId}', 'rpc anychat.rtc.RTCService/GetCallSession']);
      const notif = listed.entries.find((e) => e.id === 'WS.NOTIF.session.deleted')!;
      assert.ok(notif.missing.includes('notification type session.deleted'), 'a declared need counts');
      // Generic checks sweep what the bundle declares, so they apply to any version.
      for (const id of ['REST.HG3', 'REST.HG4', 'REST.HG8', 'REST.NEG1', 'REST.NEG2', 'SEC.1', 'SEC.2', 'SEC.AUTHZ.admin', 'GRPC.GR1']) {
        assert.ok(listed.entries.find((e) => e.id === id)?.applicable, `${id} applies to ${v}`);
      }
    }
  }
  // Every other version: loaded, and the catalogue's citations judged against it.
  for (const v of history!.versions) {
    const c = loadContracts(at(v));
    const n = pinnedEntries.filter((e) => applicability(e, c).applicable).length;
    assert.ok(n > 0 && n <= pinnedEntries.length, v);
  }
  console.log(summary.join(' · '));
});

test('applicability: each cited element is looked up in the bundle; free text names none', { skip }, () => {
  const pinned = loadContracts();
  const cites = ['http/openapi.json#/paths/~1auth~1login/post', 'anychat.rtc.RTCService/GetCallSession', 'anychat.session.Session.user_id', 'notification:session.deleted', 'README convention: code 0 = success'];
  assert.deepEqual(applicability({ cites }, pinned), { applicable: true, missing: [] });
  const last = loadContracts(at('27-364b5e2'));
  assert.deepEqual(applicability({ cites }, last).missing, ['rpc anychat.rtc.RTCService/GetCallSession', 'proto anychat.session.Session.user_id', 'notification type session.deleted']);
  // Properties resolve up to casing style: the checks read either spelling (fixtures/read.ts).
  assert.deepEqual(applicability({ cites: ['http/openapi.json#/components/schemas/internal_gateway_handler.LoginRequest/properties/deviceId'] }, last).missing, []);
});

test('a run on another contract version: the header counts the applicable checks, a missing element skips its check', { skip, timeout: 300_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'anychat-diff-run-'));
  try {
    const r = runCli('run', '--serve', '--suite', 'xproto', '--grep', 'XPROTO\\.[25] ', '--contracts', at('27-364b5e2'), '--out', out, '--reporter', 'line,json', '--workers', '1');
    // XPROTO.2 is not a MUST check: with XPROTO.5 not applicable no MUST check runs, so the verdict is "no verdict" (2)
    assert.ok(r.status === 0 || r.status === 1 || (r.status === 2 && /no verdict/.test(r.stdout)), `${r.status}: ${r.stderr}${r.stdout.slice(-500)}`);
    assert.match(r.stdout, /^contract 364b5e2 · digest /);
    assert.match(r.stdout, /\ncontract 364b5e2: 1 of 2 checks apply \(1 not applicable\)\n/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const x5 = report.checks.find((c: any) => c.id === 'XPROTO.5');
    assert.equal(x5.outcome, 'not-applicable');
    assert.match(x5.skipReason, /^not applicable: REST operation GET \/rtc\/calls\/\{callId\}/);
    assert.notEqual(report.checks.find((c: any) => c.id === 'XPROTO.2').outcome, 'skipped');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
