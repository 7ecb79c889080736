// The contract of one `itbuddy` subcommand, and the streams it talks through (injected, so tests can drive it).
import type { Readable, Writable } from 'node:stream';

/** Where a command reads and writes. `main.ts` passes the process streams; tests pass their own. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** The environment, handed to `loadConfig`; commands never read `process.env` themselves. */
  env: NodeJS.ProcessEnv;
  /** True when stdin is a terminal (interactive chat shows prompts). */
  interactive: boolean;
}

/** One subcommand, e.g. `kb check`. */
export interface CliCommand {
  /** The words that select it, e.g. `['kb', 'check']`. The longest matching name wins. */
  name: string[];
  /** One line for `itbuddy help`. */
  summary: string;
  /** Usage lines shown by `itbuddy help <command>` and after a usage error. */
  usage: string;
  /** Runs with the arguments after the name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A mistake in how the command was called: the dispatcher prints it with the usage and exits 2. */
export class UsageError extends Error {}

/** Writes one line. */
export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
