import { formatFailure } from '../fixtures/failure.js';
import type { CheckResult, ConformanceReport } from './model.js';

/**
 * JUnit XML: one <testsuite> per suite, one <testcase> per check. Failed and flaky checks carry a <failure> whose
 * message is the first line and whose body is expected vs observed, the citation and the replay command.
 * Expected failures pass (with the detail in system-out); an unexpected pass fails only with --strict.
 * Blocked and not-applicable checks are <skipped> whose message says so: `blocked: … — see OWNER`, `not applicable: …`.
 */
export function renderJunit(report: ConformanceReport): string {
  const bySuite = new Map<string, CheckResult[]>();
  for (const c of report.checks) bySuite.set(c.suite, [...(bySuite.get(c.suite) ?? []), c]);
  const { all } = report.summary;
  const failures = (cs: CheckResult[]) => cs.filter((c) => isJunitFailure(c, report.strict)).length;
  const skipped = (cs: CheckResult[]) => cs.filter(isJunitSkip).length;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="anychat-conform" tests="${all.total}" failures="${failures(report.checks)}" skipped="${skipped(report.checks)}" errors="${report.errors.length}" time="${secs(report.run.durationMs)}" timestamp="${attr(report.run.startedAt)}">`,
  );
  for (const [suite, cs] of bySuite) {
    out.push(
      `  <testsuite name="${attr(suite)}" tests="${cs.length}" failures="${failures(cs)}" skipped="${skipped(cs)}" errors="0" time="${secs(cs.reduce((s, c) => s + c.durationMs, 0))}">`,
    );
    out.push('    <properties>');
    for (const [k, v] of [
      ['target', report.run.target],
      ['seed', String(report.run.seed)],
      ['contract.commit', report.run.contract.commit ?? ''],
      ['contract.digest', report.run.contract.digest],
      ['harness.version', report.run.harnessVersion],
    ]) out.push(`      <property name="${attr(k!)}" value="${attr(v!)}"/>`);
    out.push('    </properties>');
    for (const c of cs) out.push(testcase(c, report.strict));
    out.push('  </testsuite>');
  }
  for (const e of report.errors) out.push(`  <!-- run error: ${comment(e)} -->`);
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

const isJunitSkip = (c: CheckResult) => c.outcome === 'skipped' || c.outcome === 'blocked' || c.outcome === 'not-applicable';

function isJunitFailure(c: CheckResult, strict: boolean): boolean {
  return c.outcome === 'failed' || (c.outcome === 'flaky' && !c.expectation) || (strict && c.outcome === 'unexpected-pass');
}

function testcase(c: CheckResult, strict: boolean): string {
  const head = `    <testcase name="${attr(`${c.id} ${c.title}`)}" classname="${attr(`${c.suite}.${c.level}`)}" file="${attr(c.file)}" time="${secs(c.durationMs)}"`;
  const body: string[] = [];
  body.push('      <properties>');
  body.push(`        <property name="check-id" value="${attr(c.id)}"/>`);
  body.push(`        <property name="level" value="${c.level}"/>`);
  body.push(`        <property name="outcome" value="${c.outcome}"/>`);
  if (c.blockedBy) body.push(`        <property name="blocked-by" value="${attr(c.blockedBy)}"/>`);
  for (const cite of c.cites) body.push(`        <property name="cite" value="${attr(cite)}"/>`);
  body.push('      </properties>');
  const detail = c.failure ? `${formatFailure({ ...c.failure, cite: c.failure.cite ?? c.cites.join(', ') })}\n  rerun:    ${c.replay}` : '';
  if (isJunitFailure(c, strict)) {
    if (c.outcome === 'unexpected-pass') {
      body.push(`      <failure message="${attr(`expected to fail (${c.expectation?.reason}) but passed`)}" type="unexpected-pass"/>`);
    } else {
      const prefix = c.outcome === 'flaky' ? `flaky: failed ${c.attempts.failed} of ${c.attempts.failed + c.attempts.passed} runs: ` : '';
      const first = (c.failure?.message ?? 'failed').split('\n')[0]!;
      body.push(`      <failure message="${attr(`${prefix}${c.level} ${first}`)}" type="${c.level}">${text(detail)}</failure>`);
    }
  } else if (isJunitSkip(c)) {
    const reason = c.skipReason ?? c.outcome;
    // the wire format already starts blocked/not-applicable reasons with their label; make sure it is there
    const label = c.outcome === 'blocked' && !reason.startsWith('blocked: ') ? `blocked: ${reason}${c.blockedBy ? ` — see ${c.blockedBy}` : ''}`
      : c.outcome === 'not-applicable' && !reason.startsWith('not applicable: ') ? `not applicable: ${reason}` : reason;
    body.push(`      <skipped message="${attr(label)}"/>`);
  } else if (c.outcome === 'expected-failure' || c.outcome === 'flaky' || c.outcome === 'unexpected-pass') {
    body.push(`      <system-out>${text(`${c.outcome}: ${c.expectation?.reason ?? ''}\n${detail}`)}</system-out>`);
  }
  return `${head}>\n${body.join('\n')}\n    </testcase>`;
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

// XML 1.0 forbids most control characters even when escaped.
// eslint-disable-next-line no-control-regex
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
const text = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attr = (s: string) => text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
const comment = (s: string) => clean(s).replace(/--/g, '- -');
