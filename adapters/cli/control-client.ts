// The CLI's side of the control channel: while the server runs on the embedded store, it runs store commands.
//
// See control-server.ts for why. The CLI reads DATA_DIR/control.json; when the file is missing, or nothing listens
// on its port any more (a server that died), the command runs here as usual and opens the store itself.
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CodedError } from '../../src/errors.ts';
import type { CliCommand, CliIo } from './command.ts';
import {
  type ControlFile,
  type ControlFrame,
  type ControlRequest,
  controlFileName,
} from './control-server.ts';
import { readConfig } from './core.ts';

/** The control channel could not be used although a server seems to run. */
export class ControlChannelError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONTROL_CHANNEL', message, options);
  }
}

async function readControlFile(dataDir: string): Promise<ControlFile | undefined> {
  const file = path.join(dataDir, controlFileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EACCES')
      throw new ControlChannelError(
        `IT Buddy is running, but ${file} is not readable by this account: run the command as the account that runs IT Buddy.`,
        { cause: error },
      );
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as ControlFile;
    if (Number.isInteger(parsed.port) && typeof parsed.token === 'string') return parsed;
  } catch {
    // A damaged file is treated as no server; the server rewrites it when it starts.
  }
  return undefined;
}

/**
 * Runs `argv` in the running server when `command` uses the store, the store is the embedded one and a server
 * answers on the control channel. Resolves to the exit code, or undefined when the command should run here.
 */
export async function runInRunningServer(
  command: CliCommand,
  args: string[],
  argv: string[],
  io: CliIo,
): Promise<number | undefined> {
  if (!command.usesStore || io.shared) return undefined;
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig(io);
  } catch {
    return undefined; // the command reports the configuration error itself
  }
  if (config.store.kind !== 'embedded') return undefined;
  const control = await readControlFile(config.store.dataDir);
  if (!control) return undefined;
  const sendStdin = command.readsStdin?.(args) ?? false;
  const header: ControlRequest = { argv, cwd: io.cwd ?? process.cwd(), interactive: io.interactive };
  return new Promise<number | undefined>((resolve, reject) => {
    let settled = false;
    const finish = (value: number | undefined, error?: unknown) => {
      if (settled) return;
      settled = true;
      if (sendStdin) {
        io.stdin.unpipe(req);
        io.stdin.pause();
      }
      if (error) reject(error);
      else resolve(value);
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: control.port,
        method: 'POST',
        path: '/run',
        agent: false,
        headers: {
          authorization: `Bearer ${control.token}`,
          'x-itbuddy-command': Buffer.from(JSON.stringify(header)).toString('base64'),
          'content-type': 'application/octet-stream',
        },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          finish(
            undefined,
            new ControlChannelError(
              `The running IT Buddy refused the command (HTTP ${res.statusCode}). Restart it, or stop it and run the command again.`,
            ),
          );
          return;
        }
        let exit: number | undefined;
        const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
        lines.on('line', (line) => {
          const frame = JSON.parse(line) as ControlFrame;
          if ('exit' in frame) exit = frame.exit;
          else (frame.stream === 'stderr' ? io.stderr : io.stdout).write(frame.text);
        });
        lines.on('close', () => {
          if (exit === undefined)
            finish(
              undefined,
              new ControlChannelError('The running IT Buddy stopped before the command ended.'),
            );
          else finish(exit);
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Nobody listens: the file is left from a server that died. The store is free; run the command here.
      if (error.code === 'ECONNREFUSED' && !settled) finish(undefined);
      else
        finish(
          undefined,
          new ControlChannelError(`The running IT Buddy did not answer: ${error.message}`, { cause: error }),
        );
    });
    // Stdin goes only once connected, so when nobody listens it is still whole for running the command here.
    if (sendStdin) req.on('socket', (socket) => socket.once('connect', () => io.stdin.pipe(req)));
    else req.end();
  });
}
