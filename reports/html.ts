import type { Exchange } from '../fixtures/recorder.js';
import type { CertificationResult } from './certificate.js';
import { LEVELS, OUTCOMES, score, type CheckResult, type ConformanceReport, type CoverageArea, type Tally } from './model.js';

/**
 * One self-contained HTML file: inline CSS and JS, no network (a CSP forbids it). Rendered on the server side so it
 * reads without JS; the script only filters the check list and opens failures.
 */
const MAX_INLINE_EXCHANGES = 60;

export function renderHtml(report: ConformanceReport, certification: CertificationResult | null): string {
  const { run, verdict } = report;
  const cls = verdict.exitCode === 0 ? 'ok' : verdict.exitCode === 1 ? 'bad' : verdict.exitCode === 3 ? 'inc' : 'err';
  const title = `AnyChat conformance — ${run.target}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>AnyChat conformance report</h1>
  <div id="verdict" class="verdict ${cls}"><strong>${esc((verdict.word ?? (verdict.exitCode === 0 ? 'conformant' : verdict.exitCode === 1 ? 'nonconformant' : 'no verdict')).toUpperCase())}</strong> <span>${esc(verdict.summary)}</span> <small>exit ${verdict.exitCode}</small></div>
</header>
<main>
${runSection(report)}
${certification ? certificateSection(certification) : ''}
${report.errors.length ? `<section id="errors"><h2>Run errors</h2>${report.errors.map((e) => `<pre class="err">${esc(e)}</pre>`).join('')}</section>` : ''}
${scoreSection(report)}
${outcomeSection(report)}
${coverageSection(report)}
${blockedSection(report)}
${checksSection(report)}
${report.warnings.length ? `<section id="warnings"><h2>Warnings</h2><ul>${report.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></section>` : ''}
</main>
<footer>anychat-conform ${esc(run.harnessVersion)} · Playwright ${esc(run.playwrightVersion)} · report format ${esc(report.format)}</footer>
<script>${JS}</script>
</body>
</html>
`;
}

function runSection(report: ConformanceReport): string {
  const { run } = report;
  const rows: Array<[string, string]> = [
    ['Target', esc(run.target) + (run.serve ? ` <small>(in-process reference server${run.serve.faults.length ? `, faults: ${esc(run.serve.faults.join(', '))}` : ''})</small>` : '')],
    ['gRPC', esc([run.grpc, ...Object.entries(run.grpcServices).map(([s, a]) => `${s}=${a}`)].filter(Boolean).join(', ') || 'none (gRPC checks skip)')],
    ['Contract commit', `<code>${esc(run.contract.commit ?? 'unknown')}</code>`],
    ['Contract digest', `<code>${esc(run.contract.digest)}</code>`],
    ['Backend version', `<code>${esc(run.contract.backendVersion ?? 'unknown')}</code>`],
    ['Harness', `anychat-conform ${esc(run.harnessVersion)} (Playwright ${esc(run.playwrightVersion)})`],
    ['Seed', `<code>${run.seed}</code>`],
    ['Date', `${esc(run.startedAt)} → ${esc(run.finishedAt)}`],
    ['Duration', esc(duration(run.durationMs))],
    ['Suites', esc(run.suites.join(', '))],
    ['Profile', report.strict ? 'strict (SHOULD/MAY failures fail the run)' : 'default (only MUST failures fail the run)'],
    ['Run id', `<code>${esc(run.runId)}</code>`],
  ];
  if (run.grep) rows.push(['Filter', `--grep <code>${esc(run.grep)}</code>`]);
  if (run.repeat > 1) rows.push(['Repeat', `each check ran ${run.repeat} times`]);
  if (run.mergedFrom) rows.push(['Merged', `${run.mergedFrom} shard report(s)`]);
  else if (run.shard) rows.push(['Shard', `${run.shard.current} of ${run.shard.total} (partial run)`]);
  if (run.expectationsFile) rows.push(['Expectations', esc(run.expectationsFile)]);
  const hashes = Object.entries(run.contract.hashes);
  return `<section id="run"><h2>Run</h2><dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<details id="hashes"><summary>Contract files (${hashes.length}, sha256)</summary><table class="hashes">${hashes.map(([f, h]) => `<tr><td><code>${esc(h)}</code></td><td>${esc(f)}</td></tr>`).join('')}</table></details></section>`;
}

function certificateSection(c: CertificationResult): string {
  if (!c.issued) {
    return `<section id="certificate" class="cert refused"><h2>Certificate</h2><p>No certificate was issued:</p><ul>${c.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul></section>`;
  }
  const x = c.certificate;
  return `<section id="certificate" class="cert issued"><h2>Certificate issued</h2><dl>
<dt>Target</dt><dd>${esc(x.target)}</dd><dt>Issued</dt><dd>${esc(x.issuedAt)}</dd><dt>Profile</dt><dd>${x.profile}</dd>
<dt>Suites</dt><dd>${esc(x.suites.join(', '))}${x.grep ? ` (filtered by --grep ${esc(x.grep)})` : ''}</dd>
<dt>MUST checks passed</dt><dd>${x.results.mustPassed} of ${x.results.mustPassed}</dd><dt>Checks</dt><dd>${x.results.checks}</dd>
<dt>Results digest</dt><dd><code>${esc(x.results.digest)}</code></dd><dt>Contract digest</dt><dd><code>${esc(x.contract.digest)}</code></dd>
</dl><p><small>certificate.json holds the certified list of check ids and outcomes; its digest is sha256 over the lines "id&lt;TAB&gt;outcome".</small></p></section>`;
}

function cell(t: Tally | undefined): string {
  if (!t || t.total === 0) return '<td class="na">–</td>';
  const s = score(t)!;
  const cls = s === 100 ? 'ok' : s >= 90 ? 'warn' : 'bad';
  const blocked = t.blocked ? ` <small class="blk">${t.blocked} blocked</small>` : '';
  return `<td class="sc ${cls}"><span class="bar"><i style="width:${s}%"></i></span>${t.passed}/${t.total - t['not-applicable']} <small>${s}%</small>${blocked}</td>`;
}

function scoreSection(report: ConformanceReport): string {
  const { summary } = report;
  const suites = Object.keys(summary.bySuite);
  const rows = suites.map((s) => `<tr><th>${esc(s)}</th>${LEVELS.map((l) => cell(summary.bySuiteLevel[s]![l])).join('')}${cell(summary.bySuite[s])}</tr>`);
  rows.push(`<tr class="total"><th>all</th>${LEVELS.map((l) => cell(summary.byLevel[l])).join('')}${cell(summary.all)}</tr>`);
  return `<section id="score"><h2>Score <small>(passed / selected; skipped and blocked count as not passed, not-applicable is left out)</small></h2>
<table class="score"><thead><tr><th>suite</th>${LEVELS.map((l) => `<th>${l}</th>`).join('')}<th>all</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function outcomeSection(report: ConformanceReport): string {
  const { summary } = report;
  const suites = Object.keys(summary.bySuite);
  const btn = (suite: string, o: string, n: number) =>
    n === 0 ? '<td class="na">0</td>' : `<td><button type="button" class="pick o-${o}" data-suite="${esc(suite)}" data-outcome="${o}">${n}</button></td>`;
  const rows = suites.map((s) => `<tr><th>${esc(s)}</th>${OUTCOMES.map((o) => btn(s, o, summary.bySuite[s]![o])).join('')}<td>${summary.bySuite[s]!.total}</td></tr>`);
  rows.push(`<tr class="total"><th>all</th>${OUTCOMES.map((o) => btn('', o, summary.all[o])).join('')}<td>${summary.all.total}</td></tr>`);
  return `<section id="outcomes"><h2>Checks × outcome</h2><table class="matrix"><thead><tr><th>suite</th>${OUTCOMES.map((o) => `<th>${o}</th>`).join('')}<th>total</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function coverageSection(report: ConformanceReport): string {
  const c = report.coverage;
  const area = (id: string, name: string, a: CoverageArea) => {
    const pct = a.total ? Math.floor((a.covered / a.total) * 100) : 0;
    return `<div class="cov" id="cov-${id}"><div class="covhead"><strong>${name}</strong> <span class="num">${a.covered}/${a.total}</span> <small>${pct}%</small></div>
<span class="bar wide"><i style="width:${pct}%"></i></span>${a.nonconformant?.length ? `<details class="nonconf"><summary>${a.nonconformant.length} observed but nonconformant</summary><ul class="missing">${a.nonconformant.map((m) => `<li><code>${esc(m)}</code></li>`).join('')}</ul></details>` : ''}${a.missing.length ? `<details><summary>${a.missing.length} not covered</summary><ul class="missing">${a.missing.map((m) => `<li><code>${esc(m)}</code></li>`).join('')}</ul></details>` : ''}</div>`;
  };
  return `<section id="coverage"><h2>Coverage <small>(a key is covered when a response to it was validated: 2xx, or a declared error in a valid envelope)</small></h2><div class="covs">
${area('rest', 'REST operations', c.restOperations)}${area('ws', 'WebSocket messages', c.wsMessages)}${area('notif', 'Notification types', c.notificationTypes)}${area('rpc', 'gRPC rpcs', c.rpcs)}</div></section>`;
}

/** Blocked checks under the failure of the check that owns their broken prerequisite. */
function blockedSection(report: ConformanceReport): string {
  const groups = report.blocked ?? [];
  if (groups.length === 0) return '';
  const total = groups.reduce((n, g) => n + g.checks.length, 0);
  const item = (g: (typeof groups)[number]) => {
    const o = g.ownerResult;
    const head = o
      ? `<span class="o o-${o.outcome}">${o.outcome}</span><code class="id">${esc(g.owner)}</code><span class="lvl l-${o.level}">${o.level}</span><span class="suite">${esc(o.suite)}</span><span class="title">${esc(o.message ?? '')}</span>`
      : `<code class="id">${esc(g.owner)}</code> <span class="muted">(not run in this run)</span>`;
    return `<li class="bgroup" data-owner="${esc(g.owner)}"><details><summary>${head} <strong>blocks ${g.checks.length}</strong></summary><ul>${g.checks
      .map((c) => `<li><code class="id">${esc(c.id)}</code><span class="lvl l-${c.level}">${c.level}</span> <span class="muted">${esc(c.reason)}</span></li>`)
      .join('')}</ul></details></li>`;
  };
  return `<section id="blocked"><h2>Blocked <small>(${total} check(s) not judged, under the check that owns the broken behaviour)</small></h2><ul class="bgroups">${groups.map(item).join('')}</ul></section>`;
}

function checksSection(report: ConformanceReport): string {
  const suites = Object.keys(report.summary.bySuite);
  const blocks = new Map((report.blocked ?? []).map((g) => [g.owner, g.checks.length]));
  const opt = (vals: string[], all: string) => `<option value="">${all}</option>${vals.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('')}`;
  return `<section id="checks"><h2>Checks</h2>
<div class="filters">
<label>Suite <select id="f-suite">${opt(suites, 'all suites')}</select></label>
<label>Level <select id="f-level">${opt(LEVELS, 'all levels')}</select></label>
<label>Outcome <select id="f-outcome">${opt(OUTCOMES, 'all outcomes')}</select></label>
<label>Search <input id="f-text" type="search" placeholder="id, title, citation"></label>
<button type="button" id="open-failures">Expand failures</button>
<span id="shown" aria-live="polite">${report.checks.length} of ${report.checks.length} checks</span>
</div>
<div id="check-list">${report.checks.map((c) => checkItem(c, blocks.get(c.id) ?? 0)).join('\n')}</div>
${report.checks.length === 0 ? '<p class="empty">No check was selected.</p>' : ''}
</section>`;
}

function checkItem(c: CheckResult, blocks = 0): string {
  const search = [c.id, c.title, ...c.cites].join(' ').toLowerCase();
  const body: string[] = [];
  if (blocks) body.push(`<p class="msg blk">Its broken behaviour blocked ${blocks} other check(s): <a href="#blocked">see Blocked</a>.</p>`);
  if (c.failure) {
    body.push(`<p class="msg">${esc(c.failure.message)}</p>`);
    if ('expected' in c.failure) body.push(`<div class="eo"><div><h4>expected</h4><pre class="expected">${esc(show(c.failure.expected))}</pre></div><div><h4>observed</h4><pre class="observed">${esc(show(c.failure.observed))}</pre></div></div>`);
    else if ('observed' in c.failure) body.push(`<h4>observed</h4><pre class="observed">${esc(show(c.failure.observed))}</pre>`);
  }
  if (c.skipReason) body.push(`<p class="msg">${c.outcome === 'blocked' ? 'Blocked' : c.outcome === 'not-applicable' ? 'Not applicable' : 'Skipped'}: ${esc(c.skipReason)}</p>`);
  if (c.expectation) body.push(`<p class="exp">${c.outcome === 'unexpected-pass' ? 'Listed as an expected failure but passed' : 'Expected failure'} (${esc(c.expectation.source)}): ${esc(c.expectation.reason)}</p>`);
  if (c.attempts.passed + c.attempts.failed > 1) body.push(`<p>Runs: ${c.attempts.passed} passed, ${c.attempts.failed} failed${c.attempts.skipped ? `, ${c.attempts.skipped} skipped` : ''}</p>`);
  const cites = c.failure?.cite && !c.cites.includes(c.failure.cite) ? [c.failure.cite, ...c.cites] : c.cites;
  body.push(`<h4>contract</h4><ul class="cites">${cites.map((x) => `<li><code>${esc(x)}</code></li>`).join('')}</ul>`);
  if (c.assumed) body.push('<p class="assumed">Relies on a decision the contract leaves open.</p>');
  body.push(`<h4>rerun this check</h4><pre class="replay">${esc(c.replay)}</pre>`);
  if (c.failure?.replay) body.push(`<h4>replay the failing exchange</h4><pre class="replay">${esc(c.failure.replay)}</pre>`);
  if (c.warnings.length) body.push(`<h4>warnings</h4><ul>${c.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  body.push(exchangesBlock(c));
  return `<div class="check" data-suite="${esc(c.suite)}" data-level="${c.level}" data-outcome="${c.outcome}" data-id="${esc(c.id)}" data-search="${esc(search)}">
<details><summary><span class="o o-${c.outcome}">${c.outcome}</span><code class="id">${esc(c.id)}</code><span class="lvl l-${c.level}">${c.level}</span><span class="suite">${esc(c.suite)}</span><span class="title">${esc(c.title)}</span><span class="dur">${esc(duration(c.durationMs))}</span></summary>
<div class="body">${body.join('\n')}</div></details></div>`;
}

function exchangesBlock(c: CheckResult): string {
  const n = c.exchanges.length + c.droppedExchanges;
  if (n === 0) return '<p class="muted">No exchanges recorded.</p>';
  if (c.outcome === 'passed' || c.outcome === 'skipped' || c.outcome === 'not-applicable') return `<p class="muted">${n} exchange(s) recorded (see report.json).</p>`;
  const shown = c.exchanges.slice(-MAX_INLINE_EXCHANGES);
  const omitted = n - shown.length;
  return `<h4>exchanges (${n})</h4>${omitted ? `<p class="muted">${omitted} earlier exchange(s) omitted here; see the exchanges file.</p>` : ''}<ol class="exchanges" start="${c.exchanges.length - shown.length + 1}">${shown.map(exchangeItem).join('')}</ol>`;
}

function exchangeItem(e: Exchange): string {
  const meta = [e.protocol, e.status !== undefined ? String(e.status) : '', e.durationMs !== undefined ? `${e.durationMs} ms` : '', `+${e.at} ms`].filter(Boolean).join(' · ');
  return `<li><details class="ex"><summary><code>${esc(e.label)}</code> <small>${esc(meta)}</small></summary>
${e.request !== undefined ? `<h5>request</h5><pre>${esc(show(e.request, true))}</pre>` : ''}${e.response !== undefined ? `<h5>response</h5><pre>${esc(show(e.response, true))}</pre>` : ''}${e.replay ? `<h5>replay</h5><pre class="replay">${esc(e.replay)}</pre>` : ''}</details></li>`;
}

function show(v: unknown, pretty = false): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string') return v;
  const s = JSON.stringify(v, null, pretty ? 2 : undefined);
  return s === undefined ? String(v) : s;
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const CSS = `
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--err:#8250df;--mut:#6e7781;--bg:#fff;--line:#d0d7de;--soft:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:var(--bg)}
header{padding:16px 24px;border-bottom:1px solid var(--line);background:var(--soft)}h1{margin:0 0 8px;font-size:22px}
main{padding:8px 24px 24px;max-width:1400px}h2{font-size:17px;margin:22px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h2 small{font-weight:normal;color:var(--mut)}
h4{margin:10px 0 2px;font-size:12px;text-transform:uppercase;color:var(--mut)}h5{margin:6px 0 2px;font-size:12px;color:var(--mut)}
.verdict{display:inline-block;padding:6px 12px;border-radius:6px;color:#fff}.verdict.ok{background:var(--ok)}.verdict.bad{background:var(--bad)}.verdict.err{background:var(--err)}.verdict.inc{background:#bc4c00}.verdict small{opacity:.8;margin-left:8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dt{color:var(--mut)}dd{margin:0;word-break:break-all}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}pre{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:6px 8px;white-space:pre-wrap;word-break:break-word;margin:2px 0;max-height:420px;overflow:auto}
table{border-collapse:collapse}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left}thead th{background:var(--soft)}tr.total th,tr.total td{font-weight:600}
.hashes td{border:none;padding:1px 8px}td.na{color:var(--mut);text-align:center}
.bar{display:inline-block;width:60px;height:8px;background:#eaeef2;border-radius:4px;margin-right:6px;vertical-align:middle;overflow:hidden}.bar.wide{width:100%;height:10px}.bar i{display:block;height:100%;background:var(--ok)}
.sc.warn .bar i{background:#d4a72c}.sc.bad .bar i{background:var(--bad)}
.covs{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px}.cov{border:1px solid var(--line);border-radius:6px;padding:8px}.covhead{margin-bottom:4px}.num{font-size:16px;font-weight:600}
ul.missing{columns:2;margin:4px 0;padding-left:18px;font-size:12px}
.cert.issued{border-left:4px solid var(--ok);padding-left:12px}.cert.refused{border-left:4px solid var(--bad);padding-left:12px}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:6px 0 10px;position:sticky;top:0;background:var(--bg);padding:6px 0;z-index:1}
.check{border:1px solid var(--line);border-radius:6px;margin:4px 0}.check[hidden]{display:none}
.check summary{display:grid;grid-template-columns:120px minmax(200px,330px) 64px 72px 1fr 70px;gap:8px;align-items:center;padding:5px 8px;cursor:pointer;list-style:none}.check summary::-webkit-details-marker{display:none}
.check .body{padding:4px 12px 10px;border-top:1px solid var(--line)}.dur{text-align:right;color:var(--mut)}.suite{color:var(--mut)}.id{font-weight:600;overflow-wrap:anywhere}
.o{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff;text-align:center;white-space:nowrap}
.o-passed{background:var(--ok)}.o-failed{background:var(--bad)}.o-flaky{background:#bc4c00}.o-unexpected-pass{background:var(--err)}.o-expected-failure{background:#57606a}.o-skipped{background:#afb8c1;color:#1f2328}.o-blocked{background:#bc4c00}.o-not-applicable{background:#d0d7de;color:#1f2328}.blk{color:#bc4c00}.bgroups{list-style:none;padding-left:0}.bgroups ul{margin:4px 0 8px 16px}
button.pick{border:none;cursor:pointer;min-width:36px}button.o-skipped{color:#1f2328}
.lvl{font-size:12px;font-weight:600}.l-MUST{color:var(--bad)}.l-SHOULD{color:var(--warn)}.l-MAY{color:var(--mut)}
.msg{font-weight:600;white-space:pre-wrap}.eo{display:grid;grid-template-columns:1fr 1fr;gap:8px}.exp{color:#57606a}.assumed{color:var(--warn)}.muted,.empty{color:var(--mut)}
ol.exchanges{padding-left:22px}.ex summary{display:block;padding:2px 0}pre.err{border-color:var(--bad)}
footer{padding:12px 24px;color:var(--mut);border-top:1px solid var(--line)}
@media (max-width:800px){.check summary{grid-template-columns:1fr 1fr}.eo{grid-template-columns:1fr}}
`;

const JS = `
(function(){
  var $ = function(s){ return document.querySelector(s); };
  var items = Array.prototype.slice.call(document.querySelectorAll('.check'));
  var f = { suite: $('#f-suite'), level: $('#f-level'), outcome: $('#f-outcome'), text: $('#f-text') };
  function apply(){
    var s = f.suite.value, l = f.level.value, o = f.outcome.value, q = f.text.value.trim().toLowerCase(), n = 0;
    items.forEach(function(el){
      var d = el.dataset;
      var ok = (!s || d.suite === s) && (!l || d.level === l) && (!o || d.outcome === o) && (!q || d.search.indexOf(q) >= 0);
      el.hidden = !ok; if (ok) n++;
    });
    $('#shown').textContent = n + ' of ' + items.length + ' checks';
  }
  ['suite','level','outcome'].forEach(function(k){ f[k].addEventListener('change', apply); });
  f.text.addEventListener('input', apply);
  Array.prototype.forEach.call(document.querySelectorAll('button.pick'), function(b){
    b.addEventListener('click', function(){
      f.suite.value = b.dataset.suite; f.outcome.value = b.dataset.outcome; f.level.value = ''; f.text.value = '';
      apply(); $('#checks').scrollIntoView();
    });
  });
  $('#open-failures').addEventListener('click', function(){
    items.forEach(function(el){
      var o = el.dataset.outcome;
      if (!el.hidden && (o === 'failed' || o === 'flaky' || o === 'unexpected-pass')) el.querySelector('details').open = true;
    });
  });
})();
`;
