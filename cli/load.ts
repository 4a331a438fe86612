import { InvalidArgumentError, type Command } from 'commander';
import { SetupError } from '../contracts/errors.js';
import { PARAM_KEYS } from '../load/params.js';
import { mergeResults, readResult, writeReport } from '../load/report.js';
import { resolveScenario } from '../load/resolve.js';
import { runLoad, type LoadResult, type Shard } from '../load/run.js';
import { BUILTIN_SCENARIOS } from '../load/scenarios/index.js';
import { renderSummary, summarize } from '../load/summary.js';
import { checkThresholdName, parseThreshold, ThresholdError } from '../load/thresholds.js';
import { EXIT_NONCONFORMANT, EXIT_OK } from './exit.js';
import type { SetExit } from './main.js';
import { parseTargetUrl } from './options.js';
import { probeTarget } from './run-target.js';

/** 128 + SIGINT: the run was cut short by Ctrl-C (the partial report is written all the same). */
const EXIT_INTERRUPTED = 130;

const collect = (v: string, all: string[] | undefined) => [...(all ?? []), v];

function parseShard(v: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || total < 1 || index < 1 || index > total) throw new InvalidArgumentError('expected i/n with 1 ≤ i ≤ n, e.g. --shard 2/4');
  return { index, total };
}

function checkThresholds(sources: string[]): void {
  try {
    for (const s of sources) checkThresholdName(parseThreshold(s));
  } catch (e) {
    if (e instanceof ThresholdError) throw new SetupError(e.message);
    throw e;
  }
}

/** Summary on stdout, report files, exit code: 1 when a threshold fails, 130 when interrupted, 2 when aborted. */
function finish(result: LoadResult, out: string, extraThresholds: string[], setExit: SetExit): void {
  const summary = summarize(result, extraThresholds);
  const files = writeReport({ ...result, thresholds: [...new Set([...result.thresholds, ...extraThresholds])] }, summary, out);
  process.stdout.write(renderSummary(result, summary, files));
  if (result.aborted) throw new SetupError(result.aborted);
  setExit(result.interrupted ? EXIT_INTERRUPTED : summary.passed ? EXIT_OK : EXIT_NONCONFORMANT);
}

export function registerLoad(program: Command, setExit: SetExit): void {
  // `load merge … --out x`: options after `merge` must reach merge, not `load` (which has the same names). Commander
  // only hands them down when every command above is positional too; the root has no options besides -V/--help.
  program.enablePositionalOptions();
  const load = program
    .command('load')
    .enablePositionalOptions()
    .description('Load-test an AnyChat deployment (REST + WebSocket): latency, throughput, errors and delivery correctness under load, checked against thresholds.')
    .argument('[url]', 'target base URL, e.g. http://127.0.0.1:8080 (REST under /api/v1, WebSocket at /api/v1/ws)')
    .option('-s, --scenario <name|file>', `built-in scenario (${Object.keys(BUILTIN_SCENARIOS).join(', ')}) or a .ts/.js/.json scenario file`, 'chat')
    .option('--duration <d>', 'length of the load phase, ramp-up included (30s, 2m, …)')
    .option('--ramp-up <d>', 'start the virtual users linearly over this time')
    .option('--vus <n>', 'virtual users')
    .option('--rate <r>', 'arrivals per VU: 2/s, 30/m, … (max or 0 = closed loop)')
    .option('--group-size <k>', 'members per group (chat, fanout, sync)')
    .option('--senders <n>', 'senders per group (fanout; chat: all)')
    .option('--devices <n>', 'logged-in devices (sockets) per user (chat, fanout)')
    .option('--concurrency <c>', 'concurrent sockets (soak)')
    .option('--sockets-per-user <n>', 'sockets per registered user (soak)')
    .option('--reconnect-every <d>', 'time between one VU\'s reconnects (sync)')
    .option('--offline <d>', 'time a VU stays offline before reconnecting (sync)')
    .option('--mix <op=w,…>', 'weighted operations (rest-mix: "GET /users/me=4,GET /groups=1"; login: "register=1,login=3,refresh=6")')
    .option('--content-bytes <n>', 'message content size')
    .option('--grace <d>', 'wait this long at the end for outstanding acks and deliveries')
    .option('--timeout <d>', 'timeout of every network call')
    .option('--setup-timeout <d>', 'budget for the setup phase (users, groups, sockets)')
    .option('--connections <n>', 'HTTP connections per worker')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--threshold <expr>', 'pass/fail criterion, repeatable: "ack.p99<50ms", "errors.rate<0.001", "lost==0"', collect)
    .option('--no-scenario-thresholds', "ignore the thresholds the scenario declares")
    .option('--shard <i/n>', 'run slice i of n (whole groups); combine with `load merge`', parseShard)
    .option('--out <dir>', 'report directory (report.json + report.html)', 'load-report')
    .option('-q, --quiet', 'no progress lines on stderr')
    .option('--list-scenarios', 'print the built-in scenarios and exit')
    .addHelpText('after', `
Exit codes: 0 every threshold passed, 1 a threshold failed, 2 usage or setup error (bad flag or scenario file,
unreachable target, setup impossible), 130 interrupted with Ctrl-C (the partial report is written).

Thresholds compare <metric>.<min|mean|p50|p90|p95|p99|p999|max|count> (ack, delivery, http, http.<METHOD> <path>,
ws.connect, ws.pong, sync.catchup) or a derived value (throughput, rps, errors.rate, errors.<kind>, lost, lost.rate,
duplicated, ordering.violations, misdelivered).

Examples:
  $ anychat-conform load http://127.0.0.1:8080 --scenario chat --duration 30s --vus 200 --group-size 10 --rate 2/s --threshold 'ack.p99<50ms'
  $ anychat-conform load http://127.0.0.1:8080 --scenario soak --concurrency 10000 --ramp-up 20s --duration 2m
  $ anychat-conform load http://127.0.0.1:8080 --scenario ./my-scenario.json --shard 1/2 --out shard1
  $ anychat-conform load merge shard1 shard2 --threshold 'delivery.p99<100ms'`)
    .action(async (url: string | undefined, opts: Record<string, any>) => {
      if (opts.listScenarios) {
        for (const s of Object.values(BUILTIN_SCENARIOS)) process.stdout.write(`${s.name.padEnd(10)} ${s.description}\n`);
        return setExit(EXIT_OK);
      }
      if (!url) throw new SetupError('load needs a target URL (or `load merge FILE…`); see anychat-conform load --help');
      const target = parseTargetUrl(url);
      const params = Object.fromEntries(PARAM_KEYS.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]));
      const scenario = await resolveScenario(opts.scenario, { params, thresholds: opts.threshold ?? [], noScenarioThresholds: opts.scenarioThresholds === false });
      await probeTarget(target, Math.min(5000, scenario.params.timeout));

      const stop = new AbortController();
      const onSigint = () => {
        if (stop.signal.aborted) {
          process.stderr.write('anychat-conform: interrupted twice, exiting without a report\n');
          process.exit(EXIT_INTERRUPTED);
        }
        process.stderr.write('anychat-conform: stopping — writing a partial report (Ctrl-C again to quit at once)\n');
        stop.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        const result = await runLoad({
          url: target, scenario, shard: opts.shard ?? null, signal: stop.signal,
          onProgress: opts.quiet ? undefined : (line) => process.stderr.write(`load: ${line}\n`),
        });
        finish(result, opts.out, [], setExit);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });

  load
    .command('merge')
    .description('Combine the results of shards (report.json files or their directories) exactly and check thresholds on the whole.')
    .argument('<files...>', 'report.json files (or directories holding one) written by `load --shard i/n`')
    .option('--threshold <expr>', 'extra threshold, repeatable (the shards\' own thresholds apply too)', collect)
    .option('--out <dir>', 'report directory for the merged result', 'load-report')
    .action((files: string[], opts: { threshold?: string[]; out: string }) => {
      checkThresholds(opts.threshold ?? []);
      finish(mergeResults(files.map(readResult)), opts.out, opts.threshold ?? [], setExit);
    });
}
