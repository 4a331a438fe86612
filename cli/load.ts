import type { Command } from 'commander';
import type { SetExit } from './main.js';

/** STUB — the `load` subcommand (owned by a later issue). */
export function registerLoad(program: Command, setExit: SetExit): void {
  program
    .command('load')
    .description('load (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('anychat-conform: `load` is not available yet\n');
      setExit(2);
    });
}
