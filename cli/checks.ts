import type { Command } from 'commander';
import type { SetExit } from './main.js';

/** STUB — the `checks` subcommand (owned by a later issue). */
export function registerChecks(program: Command, setExit: SetExit): void {
  program
    .command('checks')
    .description('checks (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('anychat-conform: `checks` is not available yet\n');
      setExit(2);
    });
}
