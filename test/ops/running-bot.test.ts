// Commands while the bot runs: the real server as a child process on the embedded store, the real `itbuddy` as
// other processes. Every store command works while it runs and prints what it prints once the server has stopped.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { createRequestRepository } from '../../src/store/repositories/requests.ts';
import { runProcess } from '../helpers/run-process.ts';
import { opsEnv, populate, say } from './ops-flows.ts';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin', 'itbuddy.js');
let dir: string;
let dataDir: string;
let server: ChildProcess | undefined;
let url: string;

/** Runs `itbuddy` as its own process against the test's DATA_DIR. */
function itbuddy(args: string[]) {
  return runProcess(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...opsEnv, DATA_DIR: dataDir, KB_DIR: path.join(root, 'kb') },
  });
}

/** Starts `npm start`'s entry point as a child process and waits for its "is up" line. */
async function startServerProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(root, 'adapters', 'main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...opsEnv, LOG_LEVEL: 'info', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const up = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      output += d;
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
  });
  return { child, url: await up };
}

async function stopServerProcess(): Promise<void> {
  if (!server || server.exitCode !== null) return;
  const exited = once(server, 'exit');
  server.kill('SIGTERM');
  await exited;
  server = undefined;
}

/** What may differ between two runs a moment apart: clock times and the export's time stamp. */
function normalise(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/\b\d{1,2}:\d{2}\b/g, '<hh:mm>');
}

/** The commands that read the store, as an administrator would run them. */
const readCommands = [
  ['report'],
  ['report', '--json'],
  ['roles', 'list'],
  ['newsletter', 'status'],
  ['newsletter', 'history'],
  ['newsletter', 'preview'],
  ['db', 'sync-indexes'],
  ['data', 'export'],
];

/** Each CLI run is a fresh Node process (about two seconds on a busy machine); tests run several. */
const slow = 120_000;

const whileRunning = new Map<string, { code: number | null; stdout: string; stderr: string }>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-running-'));
  dataDir = path.join(dir, 'data');
  ({ child: server, url } = await startServerProcess());
  // The outbox worker of the child runs on its own timer; the moving-house test covers what it delivers.
  await populate(url, async () => {});
}, slow);

afterAll(async () => {
  await stopServerProcess();
  await rm(dir, { recursive: true, force: true });
});

describe('store commands while the bot runs on the embedded store', () => {
  it(
    'keeps the channel file private to the account running IT Buddy',
    async () => {
      expect((await stat(path.join(dataDir, 'control.json'))).mode & 0o777).toBe(0o600);
    },
    slow,
  );

  it(
    'syncs indexes in the running server: those it made at start-up are there, unused collections get theirs',
    async () => {
      const run = await itbuddy(['db', 'sync-indexes']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^requests +requests_status +already there$/m);
      // No model is configured, so the server never registered the model's collections: this command did.
      expect(run.stdout).toMatch(/^model_usage +model_usage_month +created$/m);
    },
    slow,
  );

  it(
    'every read command works while it runs',
    async () => {
      for (const args of readCommands) {
        const run = await itbuddy(args);
        expect(run.stderr.replace(/^Exported .*\n/m, ''), args.join(' ')).toBe('');
        expect(run.code, args.join(' ')).toBe(0);
        whileRunning.set(args.join(' '), run);
      }
      expect(whileRunning.get('report')?.stdout).toMatch(/Requests: 2/);
      expect(whileRunning.get('roles list')?.stdout).toMatch(/web:rita\tliaison\tgranted by web:ada/);
    },
    slow,
  );

  it(
    'a role granted on the command line holds in the running bot at once',
    async () => {
      const before = await say(url, 'gus', { text: 'announce' });
      expect(JSON.stringify(before)).toMatch(/only IT liaisons/);
      const grant = await itbuddy(['roles', 'grant', 'web:gus', 'liaison']);
      expect(grant.code).toBe(0);
      expect(grant.stdout).toMatch(/web:gus is now liaison/);
      const after = await say(url, 'gus', { text: 'announce' });
      expect(after[0]).toMatchObject({ type: 'form', id: 'announce.create' });
      // Undone, so the comparison with the stopped server below reads the same roles.
      expect((await itbuddy(['roles', 'revoke', 'web:gus', 'liaison'])).code).toBe(0);
    },
    slow,
  );

  it(
    'backs up the running store to a copy that opens and holds the requests',
    async () => {
      const run = await itbuddy(['backup', 'backups']);
      expect(run.code).toBe(0);
      const [file] = await readdir(path.join(dir, 'backups'));
      expect(file).toMatch(/^itbuddy-.*\.sqlite$/);
      const restored = path.join(dir, 'restored');
      await rm(restored, { recursive: true, force: true });
      await mkdir(restored);
      await copyFile(path.join(dir, 'backups', file ?? ''), path.join(restored, 'itbuddy.sqlite'));
      const store = openEmbeddedStore(restored);
      try {
        expect(await createRequestRepository(store).createdSince('2000-01-01T00:00:00.000Z')).toHaveLength(2);
      } finally {
        await store.close();
      }
    },
    slow,
  );

  it(
    'prints the same once the server has stopped, now opening the store itself',
    async () => {
      await stopServerProcess();
      await expect(stat(path.join(dataDir, 'control.json'))).rejects.toThrow(/ENOENT/);
      for (const args of readCommands) {
        const stopped = await itbuddy(args);
        expect(stopped.code, args.join(' ')).toBe(0);
        expect(normalise(stopped.stdout), args.join(' ')).toBe(
          normalise(whileRunning.get(args.join(' '))?.stdout ?? ''),
        );
      }
    },
    slow,
  );

  it(
    'runs the command itself when the channel file is left from a server that died',
    async () => {
      await writeFile(
        path.join(dataDir, 'control.json'),
        JSON.stringify({ port: 9, token: 'left-over', pid: 1 }),
        { mode: 0o600 },
      );
      const run = await itbuddy(['roles', 'list']);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(whileRunning.get('roles list')?.stdout);
    },
    slow,
  );
});
