// Every `itbuddy` subcommand, in the order `itbuddy help` lists them.
//
// To add a command: create `adapters/cli/commands/<name>.ts` exporting a `CliCommand` (see ../command.ts):
//   export const reportCommand: CliCommand = {
//     name: ['report'], summary: 'Weekly figures', usage: 'itbuddy report [--weeks N]',
//     async run(args, io) { const { values } = parseArgs({ args, options: {...} }); ...; return 0; },
//   };
// then import it here and add it to the list. Use `openCore(io)` from ../core.ts when the command needs the
// configured store and app; print with `println(io.stdout, ...)`; throw UsageError for a wrong call.
import type { CliCommand } from '../command.ts';
import { askCommand } from './ask.ts';
import { backupCommand } from './backup.ts';
import { chatCommand } from './chat.ts';
import { dataCommand } from './data.ts';
import { dbCommand } from './db.ts';
import { intakeParseCommand } from './intake.ts';
import { kbCheckCommand } from './kb-check.ts';
import { kbLearnedCommand } from './kb-learned.ts';
import { newsletterCommand } from './newsletter.ts';
import { reportCommand } from './report.ts';
import { rolesCommand } from './roles.ts';

export const commands: CliCommand[] = [
  askCommand,
  chatCommand,
  kbCheckCommand,
  kbLearnedCommand,
  reportCommand,
  newsletterCommand,
  rolesCommand,
  intakeParseCommand,
  dataCommand,
  dbCommand,
  backupCommand,
];
