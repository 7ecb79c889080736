// Entry point of the `itbuddy` command line: picks the subcommand from the command table and runs it.
import { CodedError } from '../../src/errors.ts';
import { type CliCommand, type CliIo, println, UsageError } from './command.ts';
import { commands } from './commands/index.ts';
import { runInRunningServer } from './control-client.ts';

/** Finds the command whose name matches the most leading words of `argv`. */
export function findCommand(
  table: readonly CliCommand[],
  argv: readonly string[],
): { command: CliCommand; rest: string[] } | undefined {
  let best: CliCommand | undefined;
  for (const command of table) {
    const matches = command.name.every((word, i) => argv[i] === word);
    if (matches && command.name.length > (best?.name.length ?? 0)) best = command;
  }
  return best ? { command: best, rest: argv.slice(best.name.length) } : undefined;
}

/** The commands that begin with `words` and go on ("kb" → kb check, kb learned): a group named on its own. */
function groupOf(table: readonly CliCommand[], words: readonly string[]): CliCommand[] {
  if (words.length === 0) return [];
  return table.filter((c) => c.name.length > words.length && words.every((word, i) => c.name[i] === word));
}

// Each command of a group with its options, so "itbuddy kb" or "itbuddy help kb" shows what to type next.
function groupText(words: readonly string[], group: readonly CliCommand[]): string {
  return [
    `"${words.join(' ')}" goes with one more word: ${group.map((c) => c.name.join(' ')).join(', ')}.`,
    ...group.map((c) => `\n${c.summary}\n\n${c.usage}`),
  ].join('\n');
}

function helpText(table: readonly CliCommand[]): string {
  const width = Math.max(...table.map((c) => c.name.join(' ').length));
  return [
    'IT Buddy on the command line.',
    '',
    'Usage: itbuddy <command> [options]',
    '',
    ...table.map((c) => `  ${c.name.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Run "itbuddy help <command>" for the options of one command.',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function runCli(
  argv: string[],
  io: CliIo,
  table: readonly CliCommand[] = commands,
): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    const topic = argv[0] === 'help' ? findCommand(table, argv.slice(1)) : undefined;
    const group = argv[0] === 'help' && !topic ? groupOf(table, argv.slice(1)) : [];
    println(
      io.stdout,
      topic
        ? `${topic.command.summary}\n\n${topic.command.usage}`
        : group.length > 0
          ? groupText(argv.slice(1), group)
          : helpText(table),
    );
    return 0;
  }
  const found = findCommand(table, argv);
  const group = found ? [] : groupOf(table, argv.slice(0, 1));
  if (group.length > 0) {
    println(io.stderr, groupText(argv.slice(0, 1), group));
    return 2;
  }
  if (!found) {
    println(io.stderr, `Unknown command "${argv.join(' ')}".\n`);
    println(io.stderr, helpText(table));
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    println(io.stdout, `${found.command.summary}\n\n${found.command.usage}`);
    return 0;
  }
  try {
    const forwarded = await runInRunningServer(found.command, found.rest, argv, io);
    if (forwarded !== undefined) return forwarded;
    return await found.command.run(found.rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      println(io.stderr, `${(error as Error).message}\n\nUsage:\n${found.command.usage}`);
      return 2;
    }
    if (error instanceof CodedError) {
      println(io.stderr, error.message);
      return 1;
    }
    throw error;
  }
}

/** Runs the CLI on the process's own arguments and streams; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  return runCli(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: Boolean(process.stdin.isTTY),
  });
}
