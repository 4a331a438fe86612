import type { ClassifiedChange, DiffResult } from './index.js';

const mark = (b: boolean) => (b ? 'breaking' : '-');

function header(d: DiffResult): string {
  const c = (v: DiffResult['old']) => `${v.counts.restOperations} ops, ${v.counts.wsMessages} WS messages, ${v.counts.notificationTypes} notification types, ${v.counts.grpcServices} services, ${v.counts.rpcs} rpcs`;
  return `${d.old.version} → ${d.new.version}\n  old ${d.old.dir} (${c(d.old)})\n  new ${d.new.dir} (${c(d.new)})`;
}

function verdict(d: DiffResult): string {
  const s = d.summary;
  return `${s.total} changes: ${s.breakingForClients} breaking for clients, ${s.breakingForServers} breaking for servers`;
}

function where(c: ClassifiedChange): string {
  if (c.old && c.new && c.old !== c.new) return `${c.old} → ${c.new}`;
  return c.new ?? c.old ?? '';
}

/** Plain text: the summary table (one row per rule), then every change with its locations. */
export function renderText(d: DiffResult, opts: { details?: boolean } = {}): string {
  const lines = [header(d), ''];
  const w = Math.max(4, ...d.summary.byRule.map((r) => r.id.length));
  lines.push(`${'rule'.padEnd(w)}  ${'category'.padEnd(12)} ${'client'.padEnd(9)} ${'server'.padEnd(9)} count`);
  for (const r of d.summary.byRule) lines.push(`${r.id.padEnd(w)}  ${r.category.padEnd(12)} ${mark(r.client).padEnd(9)} ${mark(r.server).padEnd(9)} ${String(r.count).padStart(5)}`);
  lines.push('', verdict(d));
  if (opts.details !== false && d.changes.length) {
    lines.push('');
    for (const c of d.changes) {
      const who = [c.client ? 'client' : '', c.server ? 'server' : ''].filter(Boolean).join('+') || 'non-breaking';
      lines.push(`${c.rule}  [${who}]  ${c.message}: ${c.subject}${c.detail ? ` (${c.detail})` : ''}`);
      const at = where(c);
      if (at) lines.push(`    at ${at}`);
    }
  }
  return lines.join('\n') + '\n';
}

const md = (s: string) => s.replace(/\|/g, '\\|');

/** Markdown for a PR comment: verdict, the summary table, then the breaking changes (all changes in a <details>). */
export function renderMarkdown(d: DiffResult): string {
  const lines = [
    `### Contract diff \`${d.old.version}\` → \`${d.new.version}\``,
    '',
    `**${verdict(d)}**`,
    '',
    '| rule | protocol | category | clients | servers | count |',
    '|---|---|---|---|---|---:|',
    ...d.summary.byRule.map((r) => `| \`${r.id}\` | ${r.protocol} | ${r.category} | ${mark(r.client)} | ${mark(r.server)} | ${r.count} |`),
  ];
  const row = (c: ClassifiedChange) => `| \`${c.rule}\` | ${md(c.subject)}${c.detail ? ` (${md(c.detail)})` : ''} | ${md(where(c))} |`;
  const breaking = d.changes.filter((c) => c.client || c.server);
  if (breaking.length) {
    lines.push('', `<details><summary>${breaking.length} breaking changes</summary>`, '', '| rule | change | location |', '|---|---|---|', ...breaking.map(row), '', '</details>');
  }
  const other = d.changes.filter((c) => !c.client && !c.server);
  if (other.length) {
    lines.push('', `<details><summary>${other.length} non-breaking changes</summary>`, '', '| rule | change | location |', '|---|---|---|', ...other.map(row), '', '</details>');
  }
  return lines.join('\n') + '\n';
}
