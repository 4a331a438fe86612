import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../contracts/errors.js';
import { packageRoot } from '../contracts/locate.js';
import { EXIT_USAGE } from './exit.js';
import { registerServe } from './serve.js';
import { registerContracts } from './contracts.js';
import { registerRun } from './run.js';
import { registerChecks } from './checks.js';
import { registerReport } from './report.js';
import { registerLoad } from './load.js';

export const version: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

/** A subcommand reports its exit code through this. */
export type SetExit = (code: number) => void;

export function buildProgram(setExit: SetExit): Command {
  const program = new Command('anychat-conform')
    .description('Conformance harness and reference server for the AnyChat IM contracts (REST, WebSocket, gRPC).')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', `
Exit codes: 0 conformant, 1 nonconformance found, 2 usage or setup error or no verdict (no MUST check ran),
3 incomplete (no MUST check failed, but some were blocked by a broken prerequisite).

Examples:
  $ anychat-conform run --serve                      # start the reference server and certify it
  $ anychat-conform run https://staging.example.com --suite rest,ws
  $ anychat-conform serve --port 8080 --grpc-port 9090
  $ anychat-conform contracts show --json
  $ anychat-conform checks list --protocol ws`);
  registerRun(program, setExit);
  registerServe(program, setExit);
  registerLoad(program, setExit);
  registerContracts(program, setExit);
  registerChecks(program, setExit);
  registerReport(program, setExit);
  return program;
}

/** Run the CLI; returns the process exit code. Usage and setup problems print one line and return 2. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its one-line message already; help and version exit 0.
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (e instanceof SetupError || (e as any)?.exitCode === 2) {
      process.stderr.write(`anychat-conform: ${(e as Error).message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`anychat-conform: internal error: ${(e as Error)?.stack ?? e}\n`);
    return EXIT_USAGE;
  }
}
