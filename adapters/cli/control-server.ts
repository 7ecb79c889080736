// The running server's side of the CLI control channel: runs `itbuddy` commands for the CLI on loopback.
//
// Why: the embedded store is one SQLite file that the server holds exclusively, and the server keeps in-process
// state over it (the write batch, role-grant snapshots, claims). A second process writing the same file would
// need all of that made multi-process. Instead, while the server runs, a command that uses the store is run by the
// server itself, on its store and caches, and its output streamed back: the same code path and the same output as
// when the server is stopped. The channel listens on 127.0.0.1 only, on a port chosen by the system, and takes a
// random token kept with the port in DATA_DIR/control.json (mode 0600: readable by the account running IT Buddy).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { App } from '../../src/app.ts';
import type { Config } from '../../src/config/load-config.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { CliIo } from './command.ts';

/** The file, in DATA_DIR, that tells the CLI where the running server listens and which token it takes. */
export const controlFileName = 'control.json';

/** What the control file holds. */
export interface ControlFile {
  port: number;
  token: string;
  pid: number;
}

/** One frame of a command's output, a line of JSON in the response. */
export type ControlFrame = { stream: 'stdout' | 'stderr'; text: string } | { exit: number };

/** What the CLI sends in the `x-itbuddy-command` header (JSON); the request body is its stdin. */
export interface ControlRequest {
  argv: string[];
  cwd: string;
  interactive: boolean;
}

/** Runs one command line with the given streams; `runCli` in production. */
export type CommandRunner = (argv: string[], io: CliIo) => Promise<number>;

/** Starts the control channel for the embedded store in `dataDir`; `stop` closes it and removes the file. */
export async function startControlServer(options: {
  app: App;
  config: Config;
  logger: Logger;
  dataDir: string;
  run: CommandRunner;
}): Promise<{ port: number; stop(): Promise<void> }> {
  const { app, config, logger, dataDir, run } = options;
  const token = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  const log = logger.child({ component: 'cli-control' });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const given = Buffer.from(String(req.headers.authorization ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    let request: ControlRequest;
    try {
      request = JSON.parse(Buffer.from(String(req.headers['x-itbuddy-command'] ?? ''), 'base64').toString());
      if (!Array.isArray(request.argv) || !request.argv.every((a) => typeof a === 'string'))
        throw new Error();
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const send = (frame: ControlFrame) => res.write(`${JSON.stringify(frame)}\n`);
    const stream = (name: 'stdout' | 'stderr') =>
      new Writable({
        write(chunk: Buffer | string, _encoding, done) {
          send({ stream: name, text: chunk.toString() });
          done();
        },
      });
    const io: CliIo = {
      stdin: req,
      stdout: stream('stdout'),
      stderr: stream('stderr'),
      env: {},
      interactive: request.interactive === true,
      cwd: typeof request.cwd === 'string' ? request.cwd : dataDir,
      shared: { config, logger, app },
    };
    log.info({ command: request.argv.slice(0, 2).join(' ') }, 'Running a CLI command for the command line');
    let code: number;
    try {
      code = await run(request.argv, io);
    } catch (error) {
      log.error({ err: error }, 'A CLI command run by the server failed');
      send({ stream: 'stderr', text: `IT Buddy: the command failed: ${(error as Error).message}\n` });
      code = 1;
    }
    send({ exit: code });
    res.end();
  };

  // Commands still running: `stop` waits for them, so the server never closes the store under one.
  const running = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/run') {
      res.writeHead(404).end();
      return;
    }
    const work = handle(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'CLI control request failed');
      res.destroy();
    });
    running.add(work);
    void work.finally(() => running.delete(work));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const file = path.join(dataDir, controlFileName);
  const temporary = `${file}.${process.pid}.tmp`;
  const content: ControlFile = { port, token, pid: process.pid };
  // Written whole under another name, then renamed: the CLI never reads half a file. If that fails, the listening
  // socket is closed again so a failed start leaves nothing behind.
  try {
    await writeFile(temporary, JSON.stringify(content), { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  return {
    port,
    async stop() {
      await rm(file, { force: true });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Dropping the connection does not stop a command half-way through the store: let it finish first.
      await Promise.allSettled([...running]);
    },
  };
}
