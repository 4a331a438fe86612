import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../contracts/errors.js';
import { packageRoot } from '../contracts/locate.js';
import { EXIT_USAGE } from './exit.js';

export const version: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

/** A subcommand reports its exit code through this. */
export type SetExit = (code: number) => void;

type Register = (program: Command, setExit: SetExit) => void;

/**
 * Each subcommand's module, loaded only when needed: `--version` loads none of them and `contracts show` only its own,
 * so start-up does not pay for Playwright, the reference server or the load engine it does not use. In help order.
 */
const SUBCOMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./run.js')).registerRun,
  serve: async () => (await import('./serve.js')).registerServe,
  load: async () => (await import('./load.js')).registerLoad,
  contracts: async () => (await import('./contracts.js')).registerContracts,
  checks: async () => (await import('./checks.js')).registerChecks,
  report: async () => (await import('./report.js')).registerReport,
};

/** The subcommands `argv` needs: the one it names; none for a bare --version; all for help or an unknown word. */
export function subcommandsFor(argv: string[]): string[] {
  const first = argv[2];
  if (first !== undefined && Object.hasOwn(SUBCOMMANDS, first)) return [first];
  if (first === '-V' || first === '--version') return [];
  return Object.keys(SUBCOMMANDS);
}

export async function buildProgram(setExit: SetExit, commands: string[] = Object.keys(SUBCOMMANDS)): Promise<Command> {
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
  const registers = await Promise.all(commands.map((name) => SUBCOMMANDS[name]!()));
  for (const register of registers) register(program, setExit);
  return program;
}

/** Run the CLI; returns the process exit code. Usage and setup problems print one line and return 2. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    const program = await buildProgram((c) => (code = c), subcommandsFor(argv));
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
