import type { Command } from 'commander';
import { loadContracts, type Contracts } from '../contracts/index.js';
import { SetupError } from '../contracts/errors.js';
import type { SetExit } from './main.js';

/** The summary `contracts show` prints and every report header repeats. */
export function contractSummary(c: Contracts) {
  const { bundle, catalogue } = c;
  return {
    dir: bundle.location.dir,
    source: bundle.location.source,
    contractsCommit: bundle.contractsCommit,
    backendVersion: bundle.backendVersion,
    lastSynced: bundle.lastSynced,
    digest: bundle.digest,
    counts: {
      restOperations: catalogue.operations.length,
      restPaths: catalogue.pathCount,
      restProtected: catalogue.operations.filter((o) => o.secured).length,
      wsMessages: catalogue.wsMessages.length,
      notificationTypes: catalogue.notificationTypes.length,
      grpcServices: catalogue.services.length,
      rpcs: catalogue.rpcs.length,
      protoMessages: catalogue.protoMessages.length,
    },
    hashes: bundle.hashes,
    defects: bundle.defects,
  };
}

export function registerContracts(program: Command, setExit: SetExit): void {
  const cmd = program.command('contracts').description('Inspect the contract bundle the harness checks against.');
  cmd
    .command('show')
    .description('Counts, versions and sha256 hashes of the contract bundle.')
    .option('--contracts <dir>', 'contract bundle directory (default: env ANYCHAT_CONTRACTS, else the bundled copy)')
    .option('--json', 'machine-readable output')
    .action((opts) => {
      const s = contractSummary(loadContracts(opts.contracts));
      if (opts.json) {
        process.stdout.write(JSON.stringify(s, null, 2) + '\n');
        return setExit(0);
      }
      const rows: Array<[string, string | number | null]> = [
        ['bundle', `${s.dir} (${s.source})`],
        ['contracts commit', s.contractsCommit],
        ['backend version', s.backendVersion],
        ['last synced', s.lastSynced],
        ['bundle digest', s.digest],
        ['REST operations', `${s.counts.restOperations} on ${s.counts.restPaths} paths, ${s.counts.restProtected} protected`],
        ['WS messages', `${s.counts.wsMessages}, ${s.counts.notificationTypes} notification types`],
        ['gRPC', `${s.counts.grpcServices} services, ${s.counts.rpcs} rpcs, ${s.counts.protoMessages} messages`],
      ];
      for (const [k, v] of rows) process.stdout.write(`${k.padEnd(18)} ${v ?? '-'}\n`);
      process.stdout.write('\nfiles (sha256)\n');
      for (const [f, h] of Object.entries(s.hashes)) process.stdout.write(`  ${h}  ${f}\n`);
      if (s.defects.length) {
        process.stdout.write('\npatched in memory\n');
        for (const d of s.defects) process.stdout.write(`  ${d.file}#${d.pointer}: ${d.message}\n`);
      }
      setExit(0);
    });
  cmd
    .command('lint')
    .description("The contract's own defects and cross-contract inconsistencies, each with its locations.")
    .option('--contracts <dir>', 'contract bundle directory')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const contracts = loadContracts(opts.contracts);
      // The linters (one with an OpenAPI parser of its own) load only here: `contracts show` stays quick.
      const [{ lintContracts }, { openApiSchemaFindings }] = await Promise.all([import('../contracts/lint.js'), import('../contracts/openapi-schema.js')]);
      const findings = [...(await openApiSchemaFindings(contracts.bundle)), ...lintContracts(contracts)];
      if (opts.json) process.stdout.write(JSON.stringify(findings, null, 2) + '\n');
      else {
        for (const f of findings) {
          process.stdout.write(`${f.severity.toUpperCase().padEnd(7)} ${f.id}  ${f.title}\n`);
          for (const l of f.locations) process.stdout.write(`          at ${l}\n`);
        }
        process.stdout.write(`\n${findings.length} findings\n`);
      }
      setExit(0);
    });
  cmd
    .command('diff')
    .argument('<old>', 'the older contract bundle directory')
    .argument('<new>', 'the newer contract bundle directory')
    .description('What changed between two contract versions, across REST, WebSocket and gRPC, each change classified breaking or not for clients and for servers.')
    .option('--json', 'machine-readable output (every change with its rule, locations and classification)')
    .option('--markdown', 'Markdown for a pull-request comment')
    .option('--summary', 'only the per-rule table and the verdict')
    .option('--fail-on <who>', 'exit 1 when a change breaks: clients | servers | any | none', 'any')
    .addHelpText('after', `
Exit codes: 0 nothing breaking (for --fail-on), 1 a breaking change found, 2 bad input.

Examples:
  $ anychat-conform contracts diff ../shared/contracts-history/06-e62fda5 ../shared/contracts-history/27-364b5e2
  $ anychat-conform contracts diff OLD NEW --markdown > comment.md
  $ anychat-conform contracts diff OLD NEW --json --fail-on clients`)
    .action(async (oldDir: string, newDir: string, opts) => {
      // The diff engine loads only here: `contracts show` stays quick.
      const [{ diffContracts, loadForDiff }, { renderMarkdown, renderText }] = await Promise.all([import('../contracts/diff/index.js'), import('../contracts/diff/render.js')]);
      const failOn = String(opts.failOn);
      if (!['clients', 'servers', 'any', 'none'].includes(failOn)) throw new SetupError(`--fail-on: unknown value ${JSON.stringify(failOn)}; expected clients, servers, any or none`);
      if (opts.json && opts.markdown) throw new SetupError('--json and --markdown: choose one');
      const d = diffContracts(loadForDiff(oldDir), loadForDiff(newDir));
      if (opts.json) process.stdout.write(JSON.stringify(d, null, 2) + '\n');
      else if (opts.markdown) process.stdout.write(renderMarkdown(d));
      else process.stdout.write(renderText(d, { details: !opts.summary }));
      const s = d.summary;
      const broken = failOn === 'clients' ? s.breakingForClients : failOn === 'servers' ? s.breakingForServers : failOn === 'any' ? s.breakingForClients + s.breakingForServers : 0;
      setExit(broken > 0 ? 1 : 0);
    });
}
