import type { Command } from 'commander';
import type { SetExit } from './main.js';

/** STUB — the `report` subcommand (owned by a later issue). */
export function registerReport(program: Command, setExit: SetExit): void {
  program
    .command('report')
    .description('report (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      process.stderr.write('anychat-conform: `report` is not available yet\n');
      setExit(2);
    });
}
