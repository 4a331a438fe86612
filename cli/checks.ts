import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SetupError } from '../contracts/errors.js';
import { locateBundle } from '../contracts/locate.js';
import { LEVELS } from '../reports/model.js';
import { stripAnsi } from '../reports/raw.js';
import { SUITES, type Suite } from './config.js';
import type { SetExit } from './main.js';
import { PLAYWRIGHT_CONFIG, runPlaywright } from './run-playwright.js';
import { readPackedCatalogue } from './packed-catalogue.js';

export interface CatalogueEntry {
  id: string;
  level: string;
  suite: string;
  title: string;
  cites: string[];
  assumed: boolean;
  file: string;
  /** Elements declared beyond the cites (check() `needs`). */
  needs: string[];
  /** Whether every element the check relies on is in the listed bundle; if not, what is missing. */
  applicable: boolean;
  missing: string[];
}

const LIST_TIMEOUT_MS = 120_000;

/**
 * The check catalogue as the suites declare it: Playwright `--list` with the JSON reporter, read from the
 * check() annotations. Nothing runs and no target is contacted. An installed package answers from the catalogue
 * listed the same way at pack time when its code and contract bundle are exactly those (cli/packed-catalogue.ts);
 * `live` always lists.
 */
export async function listChecks(opts: { suites: Suite[]; contracts?: string; live?: boolean }): Promise<{ entries: CatalogueEntry[]; errors: string[]; version: string }> {
  const [{ loadContracts }, { contractVersion }, { applicability }] = await Promise.all([import('../contracts/index.js'), import('../contracts/diff/index.js'), import('../contracts/applicability.js')]);
  const packed = opts.live ? null : readPackedCatalogue(locateBundle(opts.contracts).dir);
  if (packed) {
    const version = contractVersion(loadContracts(opts.contracts).bundle);
    return { entries: packed.filter((e) => (opts.suites as string[]).includes(e.suite)), errors: [], version };
  }
  const contracts = loadContracts(opts.contracts);
  const dir = mkdtempSync(join(tmpdir(), 'anychat-list-'));
  try {
    const out = join(dir, 'list.json');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Suites may read the target at load time; listing never contacts it.
      ANYCHAT_TARGET: process.env.ANYCHAT_TARGET || 'http://127.0.0.1:9',
      ANYCHAT_CONTRACTS: contracts.bundle.location.dir,
      ANYCHAT_PW_REPORTERS: JSON.stringify([['json', { outputFile: out }]]),
      ANYCHAT_PW_OUTPUT: join(dir, 'pw'),
    };
    const args = ['test', '--config', PLAYWRIGHT_CONFIG, '--list', ...opts.suites.flatMap((s) => ['--project', s]), '--pass-with-no-tests'];
    const child = await runPlaywright(args, env, { stdio: 'pipe', timeoutMs: LIST_TIMEOUT_MS });
    if (child.timedOut) throw new SetupError(`listing the checks took longer than ${LIST_TIMEOUT_MS / 1000} s`);
    let report: any;
    try {
      report = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      const why = stripAnsi(child.stderr || child.stdout).trim().split('\n')[0] ?? '';
      throw new SetupError(`listing the checks failed (Playwright exit ${child.code}): ${why}`);
    }
    // A suite file that fails to load is reported; the others are still listed.
    const errors: string[] = (report.errors ?? []).map((e: any) => stripAnsi(e.message ?? String(e)).split('\n')[0]);
    const entries: CatalogueEntry[] = [];
    const walk = (suite: any, file: string) => {
      for (const s of suite.suites ?? []) walk(s, file);
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests ?? []) {
          const ann = (type: string): string[] => (t.annotations ?? []).filter((a: any) => a.type === type).map((a: any) => a.description);
          const id = ann('check-id')[0] ?? spec.title;
          const applies = applicability({ cites: ann('cite'), needs: ann('needs') }, contracts);
          entries.push({
            id,
            level: ann('level')[0] ?? (spec.tags ?? []).find((x: string) => (LEVELS as string[]).includes(x)) ?? '?',
            suite: t.projectName,
            title: spec.title.startsWith(`${id} `) ? spec.title.slice(id.length + 1) : spec.title,
            cites: ann('cite'),
            assumed: ann('assumed').length > 0,
            file,
            needs: ann('needs'),
            applicable: applies.applicable,
            missing: applies.missing,
          });
        }
      }
    };
    for (const s of report.suites ?? []) walk(s, s.file ?? s.title);
    const order = (s: string) => (SUITES as readonly string[]).indexOf(s);
    entries.sort((a, b) => order(a.suite) - order(b.suite) || a.id.localeCompare(b.id, 'en', { numeric: true }));
    return { entries, errors, version: contractVersion(contracts.bundle) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseList<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((x) => !(allowed as readonly string[]).includes(x));
  if (list.length === 0 || unknown.length) throw new SetupError(`${name}: unknown value(s) ${unknown.join(', ') || '(none)'}; expected ${allowed.join(', ')}`);
  return list as T[];
}

export function registerChecks(program: Command, setExit: SetExit): void {
  const cmd = program.command('checks').description('The check catalogue, read from the suites themselves.');
  cmd
    .command('list')
    .description('Every check: id, level, suite (protocol) and contract citation.')
    .option('--suite <names>', `suites, comma-separated: ${SUITES.join(', ')} (default: all)`)
    .option('--protocol <names>', 'alias of --suite')
    .option('--level <levels>', 'MUST, SHOULD, MAY (comma-separated)')
    .option('--contracts <dir>', 'contract bundle directory: each check is listed as applicable to it or not, with the missing element')
    .option('--applicable', 'only the checks that apply to the bundle')
    .option('--json', 'machine-readable output')
    .option('--live', 'list from the suites through Playwright even when the catalogue listed at pack time applies')
    .action(async (opts) => {
      const suites = parseList('--suite', opts.suite ?? opts.protocol, SUITES) ?? [...SUITES];
      const levels = parseList('--level', opts.level?.toUpperCase(), LEVELS);
      const listed = await listChecks({ suites, contracts: opts.contracts, live: !!opts.live });
      const entries = listed.entries.filter((e) => (!levels || (levels as string[]).includes(e.level)) && (!opts.applicable || e.applicable));
      if (opts.json) process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
      else {
        const w = Math.min(44, Math.max(8, ...entries.map((e) => e.id.length)));
        for (const e of entries) {
          process.stdout.write(`${e.id.padEnd(w)} ${e.level.padEnd(6)} ${e.suite.padEnd(8)} ${e.title}${e.assumed ? ' (assumed)' : ''}\n`);
          process.stdout.write(`${''.padEnd(w)} ${''.padEnd(6)} ${''.padEnd(8)}   ${e.cites.join(' · ')}\n`);
          if (!e.applicable) process.stdout.write(`${''.padEnd(w)} ${''.padEnd(6)} ${''.padEnd(8)}   not applicable: ${e.missing.join(', ')}\n`);
        }
        const applying = entries.filter((e) => e.applicable).length;
        process.stdout.write(`\ncontract ${listed.version}: ${applying} of ${entries.length} checks apply${applying < entries.length ? ` (${entries.length - applying} not applicable)` : ''}`);
        const by = (l: string) => entries.filter((e) => e.level === l).length;
        process.stdout.write(`\n${entries.length} checks (MUST ${by('MUST')}, SHOULD ${by('SHOULD')}, MAY ${by('MAY')})\n`);
      }
      for (const e of listed.errors) process.stderr.write(`anychat-conform: a suite failed to load, its checks are missing: ${e}\n`);
      setExit(listed.errors.length ? 2 : 0);
    });
}
