// The contract of one `itbuddy` subcommand, and the streams it talks through (injected, so tests can drive it).
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { App } from '../../src/app.ts';
import type { Config } from '../../src/config/load-config.ts';
import type { Logger } from '../../src/logging/logger.ts';

/** The running server's core, lent to a command the server runs for the CLI (see control-channel.ts). */
export interface SharedCore {
  config: Config;
  logger: Logger;
  app: App;
}

/** Where a command reads and writes. `main.ts` passes the process streams; tests pass their own. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** The environment, handed to `loadConfig`; commands never read `process.env` themselves. */
  env: NodeJS.ProcessEnv;
  /** True when stdin is a terminal (interactive chat shows prompts). */
  interactive: boolean;
  /** The folder relative file names are resolved from (default: this process's). */
  cwd?: string;
  /** Set when the running server runs the command: use its configuration and store, and never close them. */
  shared?: SharedCore;
}

/** One subcommand, e.g. `kb check`. */
export interface CliCommand {
  /** The words that select it, e.g. `['kb', 'check']`. The longest matching name wins. */
  name: string[];
  /** One line for `itbuddy help`. */
  summary: string;
  /** Usage lines shown by `itbuddy help <command>` and after a usage error. */
  usage: string;
  /**
   * The command reads or changes the store. On the embedded store, while the server runs (it holds the data
   * folder), such a command is run by the server for this process, with the same output.
   */
  usesStore?: boolean;
  /** Whether the command reads stdin with these arguments, so the server is sent this process's stdin. */
  readsStdin?: (args: string[]) => boolean;
  /** Runs with the arguments after the name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A mistake in how the command was called: the dispatcher prints it with the usage and exits 2. */
export class UsageError extends Error {}

/** The mistake of a command typed without its next word, or with one it does not know ("itbuddy data"). */
export function unknownUse(command: string, args: readonly string[]): UsageError {
  const typed = args.join(' ').trim();
  return new UsageError(
    typed
      ? `"${command} ${typed}" is not something "${command}" can do. Pick one of these:`
      : `"${command}" goes with one more word. Pick one of these:`,
  );
}

/** Writes one line. */
export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}

/** An absolute path for a file name given on the command line. */
export function resolvePath(io: CliIo, file: string): string {
  return path.resolve(io.cwd ?? process.cwd(), file);
}
