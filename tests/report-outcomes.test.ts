import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContracts, packageRoot } from '../contracts/index.js';
import { BLOCKED_ANNOTATION as PREREQ_ANNOTATION, BLOCKED_PREFIX as PREREQ_PREFIX } from '../fixtures/prereq.js';
import { renderHtml } from '../reports/html.js';
import { renderJunit } from '../reports/junit.js';
import { buildReport } from '../reports/model.js';
import type { RawResults } from '../reports/raw.js';
import { BLOCKED_ANNOTATION, BLOCKED_PREFIX } from '../reports/skips.js';
import { summaryLines } from '../cli/run-report.js';

/**
 * Blocked and not-applicable outcomes from REAL Playwright results: tests/report-blocked/outcomes.spec.ts uses
 * fixtures/prereq.ts the way the suites do, the conformance reporter writes raw results, the progress reporter prints.
 */
const contracts = loadContracts();

async function runFixtureSpec(): Promise<{ raw: RawResults; out: string; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'report-outcomes-'));
  try {
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANYCHAT_')));
    env.ANYCHAT_RAW_RESULTS = join(dir, 'raw.json');
    env.ANYCHAT_STATE_DIR = join(dir, 'state');
    env.ANYCHAT_PW_OUTPUT = join(dir, 'pw');
    const cli = join(packageRoot, 'node_modules', '@playwright', 'test', 'cli.js');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'test', '--config', join(packageRoot, 'tests', 'report-blocked', 'playwright.config.ts')], { cwd: packageRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    return { raw: JSON.parse(readFileSync(env.ANYCHAT_RAW_RESULTS, 'utf8')), out: r.out, code: r.code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const run = runFixtureSpec();

test('the report reads the wire format of fixtures/prereq.ts', () => {
  assert.equal(BLOCKED_ANNOTATION, PREREQ_ANNOTATION);
  assert.equal(BLOCKED_PREFIX, PREREQ_PREFIX);
});

test('real results: the owner fails, its dependants are blocked citing it (at once when known broken), n/a apart', async () => {
  const { raw, out } = await run;
  const r = buildReport(raw, { contracts });
  const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
  assert.equal(by['P.1']!.outcome, 'passed', out);
  assert.equal(by['OWN.1']!.outcome, 'failed');
  for (const id of ['DEP.1', 'DEP.2']) {
    assert.equal(by[id]!.outcome, 'blocked', `${id}: ${out}`);
    assert.equal(by[id]!.blockedBy, 'OWN.1');
    assert.match(by[id]!.skipReason!, /^blocked: .* — see OWN\.1$/);
  }
  assert.match(by['DEP.1']!.skipReason!, /send a message failed: message\.send is never acked/, 'DEP.1 cites the breakage OWN.1 recorded');
  assert.match(by['DEP.2']!.skipReason!, /create a group failed: POST \/groups answered 500/);
  assert.ok(by['DEP.1']!.durationMs < 5000, 'a known-broken prerequisite blocks at once, with no timeout spent');
  assert.equal(by['NA.1']!.outcome, 'not-applicable');
  assert.match(by['NA.1']!.skipReason!, /^not applicable: /);

  assert.equal(r.summary.all.blocked, 2);
  assert.equal(r.summary.byLevel.MUST.blocked, 2);
  assert.equal(r.summary.all['not-applicable'], 1);
  assert.deepEqual(r.blocked.map((g) => [g.owner, g.ownerResult?.outcome, g.checks.map((c) => c.id)]), [['OWN.1', 'failed', ['DEP.1', 'DEP.2']]]);
  assert.equal(r.blocked[0]!.ownerResult!.message, 'message.send is never acked');

  assert.equal(r.verdict.word, 'incomplete');
  assert.equal(r.verdict.exitCode, 3);
  assert.match(r.verdict.summary, /^incomplete: 2 MUST check\(s\) could not be judged/);
  assert.deepEqual(r.verdict.mustBlocked, ['DEP.1', 'DEP.2']);

  // observed: undefined in the spec: Playwright's error message (formatFailure) says (absent), never "undefined"
  assert.equal(by['OWN.1']!.failure!.message, 'message.send is never acked');
  assert.match(raw.tests.find((t) => t.title.startsWith('OWN.1'))!.attempts[0]!.errors[0]!, /observed: \(absent\)/);
  assert.ok(!raw.tests.some((t) => t.attempts.some((a) => a.errors.some((e) => e.includes('undefined')))));
});

test('JUnit: blocked is a skipped testcase with "blocked: … — see OWNER", n/a a labelled skip', async () => {
  const r = buildReport((await run).raw, { contracts });
  const xml = renderJunit(r);
  assert.match(xml, /<testcase name="DEP\.1 needs a working send"[^>]*>[\s\S]*?<property name="blocked-by" value="OWN\.1"\/>[\s\S]*?<skipped message="blocked: send a message failed: message\.send is never acked — see OWN\.1"\/>/);
  assert.match(xml, /<testcase name="NA\.1 [^"]*"[\s\S]*?<skipped message="not applicable: the target keeps one socket per user"\/>/);
  assert.match(xml, /<testsuites [^>]*failures="1" skipped="3"/);
});

test('HTML and console: blocked checks grouped under the failure that blocked them', async () => {
  const r = buildReport((await run).raw, { contracts });
  const html = renderHtml(r, null);
  assert.match(html, /<section id="blocked">[\s\S]*data-owner="OWN\.1"[\s\S]*o-failed[\s\S]*message\.send is never acked[\s\S]*blocks 2[\s\S]*DEP\.1[\s\S]*DEP\.2/);
  assert.match(html, /<strong>INCOMPLETE<\/strong>/);
  const lines = summaryLines(r);
  assert.ok(lines.includes('blocked: 2 check(s) not judged, by the check owning the broken behaviour: OWN.1 (failed) 2'), lines.join('\n'));
  assert.ok(lines.some((l) => /^score: MUST 1\/3 \(33\.3%, 2 blocked\)/.test(l)), lines.join('\n'));
  const fails = lines.filter((l) => l.startsWith('  ✗'));
  assert.equal(fails.length, 1);
  assert.match(fails[0]!, /^  ✗ OWN\.1 SHOULD message\.send is never acked — rerun: /);
});

test('progress lines name the check: ✓ / ✗ / ◌ blocked / ∅ not applicable, no stack traces', async () => {
  const { out } = await run;
  const lines = out.split('\n');
  assert.ok(lines.some((l) => /^✓ P\.1 MUST passes \(\d+ ms\)$/.test(l)), out);
  assert.ok(lines.some((l) => /^✗ OWN\.1 SHOULD owns the send behaviour and fails \([\d.]+ m?s\) — message\.send is never acked$/.test(l)), out);
  assert.ok(lines.some((l) => /^◌ blocked DEP\.1 MUST needs a working send — blocked: send a message failed: .* — see OWN\.1$/.test(l)), out);
  assert.ok(lines.some((l) => /^∅ not applicable NA\.1 MAY does not apply here — not applicable: /.test(l)), out);
  assert.ok(!/suites\/check\.ts:\d+|\s+at .*\(.*:\d+:\d+\)/.test(out), `no Playwright locations or stack traces:\n${out}`);
});
