// Runs the real bot (`adapters/main.ts`) as a child process against the fake Slack, for crash tests: start it,
// wait until it is up, send it signed Slack events, kill it with SIGKILL, start it again on the same data folder.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A running bot process. */
export interface BotProcess {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited (by itself, a signal or a kill). */
  exited: Promise<void>;
  /** Whether it is still running. */
  alive(): boolean;
  /** SIGKILL: no exit handlers, no flush, like a crash or a power cut of the process. */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>;
  /** Everything it wrote (JSON log lines) since it was started. */
  output(): string;
}

/** A process with the bot's modules loaded, waiting to be started (it holds no data folder yet). */
export interface WarmBot {
  /** Runs adapters/main.ts in it and resolves once the bot is up. */
  start(): Promise<BotProcess>;
  /** Ends it unused. */
  discard(): Promise<void>;
}

/** Starts `adapters/main.ts` with `env` (and nothing from this process's environment but PATH). */
export async function startBot(env: Record<string, string>): Promise<BotProcess> {
  return (await warmBot(env)).start();
}

/** Spawns a process for the bot with `env` and waits until its modules are loaded. */
export async function warmBot(env: Record<string, string>): Promise<WarmBot> {
  const child = spawn(process.execPath, [path.join(root, 'test/crash/bot-child.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      KB_WATCH: 'false',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let running = true;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running = false;
      resolve();
    });
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!output.includes('ready\n')) return;
      child.stdout?.off('data', onData);
      output = '';
      resolve();
    };
    child.stdout?.on('data', onData);
    void exited.then(() => reject(new Error(`The bot process exited while loading:\n${output}`)));
  });
  return {
    start: () => run(child, exited, () => running),
    async discard() {
      if (running) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function run(child: ChildProcess, exited: Promise<void>, alive: () => boolean): Promise<BotProcess> {
  let output = '';
  child.stdin?.end('start\n');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The bot did not start in 20 s:\n${output}`)), 20_000);
    let up = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (up) return;
      for (const line of output.split('\n')) {
        if (!line.includes('IT Buddy is up')) continue;
        try {
          const parsed = JSON.parse(line) as { url?: string };
          if (parsed.url) {
            clearTimeout(timer);
            // The listener stays: it keeps the log and drains the pipe so the child never blocks on it.
            up = true;
            resolve(parsed.url);
            return;
          }
        } catch {
          // A partial line: wait for the rest.
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`The bot exited while starting:\n${output}`));
    });
  });
  return {
    url,
    child,
    exited,
    alive,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
    output: () => output,
  };
}
