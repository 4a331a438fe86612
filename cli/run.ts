import type { Command } from 'commander';
import type { SetExit } from './main.js';

/** STUB — the `run` subcommand (owned by a later issue). */
export function registerRun(program: Command, setExit: SetExit): void {
  program
    .command('run')
    .description('run (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('anychat-conform: `run` is not available yet\n');
      setExit(2);
    });
}
