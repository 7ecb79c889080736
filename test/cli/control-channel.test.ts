// The CLI control channel of a running server: only the token in DATA_DIR opens it, it listens on loopback only,
// a forwarded command gets its stdin (an import piped in) and gives back its output and exit code, and a start whose
// control channel fails leaves no socket or store lock behind.
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlFile } from '../../adapters/cli/control-server.ts';
import { startServer } from '../../adapters/server.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { createRoleGrantStore } from '../../src/store/repositories/role-grants.ts';
import { testConfig } from '../helpers/test-config.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { cli } from '../ops/ops-flows.ts';

let server: TestServer;
let control: ControlFile;

beforeAll(async () => {
  server = await startTestServer({ ADMINS: 'web:ada' });
  control = JSON.parse(await readFile(path.join(server.dataDir, 'control.json'), 'utf8')) as ControlFile;
});

afterAll(async () => {
  await server?.stop();
});

function post(headers: Record<string, string>, route = '/run') {
  return fetch(`http://127.0.0.1:${control.port}${route}`, { method: 'POST', headers, body: '' });
}

const command = (argv: string[]) =>
  Buffer.from(JSON.stringify({ argv, cwd: server.dataDir, interactive: false })).toString('base64');

describe('the control channel of a running server', () => {
  it('writes its port and token to DATA_DIR/control.json, readable by its owner only', async () => {
    expect((await stat(path.join(server.dataDir, 'control.json'))).mode & 0o777).toBe(0o600);
    expect(control.token.length).toBeGreaterThanOrEqual(40);
    expect(control.pid).toBe(process.pid);
  });

  it('refuses a request without the token or with another one, and runs nothing', async () => {
    const argv = command(['roles', 'grant', 'web:eve', 'admin']);
    expect((await post({ 'x-itbuddy-command': argv })).status).toBe(401);
    expect((await post({ authorization: 'Bearer guess', 'x-itbuddy-command': argv })).status).toBe(401);
    expect(
      (await post({ authorization: `Bearer ${control.token}x`, 'x-itbuddy-command': argv })).status,
    ).toBe(401);
    expect(await createRoleGrantStore(server.app.store).of('web:eve')).toEqual([]);
  });

  it('answers nothing but POST /run', async () => {
    expect((await post({ authorization: `Bearer ${control.token}` }, '/other')).status).toBe(404);
  });

  it('streams a command’s output and exit code back', async () => {
    const res = await post({
      authorization: `Bearer ${control.token}`,
      'x-itbuddy-command': command(['roles', 'frobnicate']),
    });
    expect(res.status).toBe(200);
    const frames = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { stream?: string; text?: string; exit?: number });
    expect(frames.at(-1)).toEqual({ exit: 2 });
    expect(
      frames.some(
        (f) =>
          f.stream === 'stderr' && /"roles frobnicate" is not something "roles" can do/.test(f.text ?? ''),
      ),
    ).toBe(true);
  });

  it('sends a piped export to the running server and verifies the import there', async () => {
    const env = { DATA_DIR: server.dataDir };
    const exported = await cli(['data', 'export'], env);
    expect(exported.code).toBe(0);
    const imported = await cli(['data', 'import'], env, exported.stdout);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(
      /^Verified: all \d+ document\(s\) of the file are in the store unchanged.*; 0 written now\.$/m,
    );
  });
});

describe('a start whose control channel fails', () => {
  it('closes what it had started: the same port and data folder start cleanly afterwards', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-control-fail-'));
    const port = await freePort();
    try {
      // A folder where control.json should go makes writing it fail after the HTTP server is listening.
      await mkdir(path.join(dataDir, 'control.json'));
      const config = () => testConfig({ DATA_DIR: dataDir, PORT: String(port) });
      await expect(startServer(config(), silentLogger())).rejects.toThrow();
      await rm(path.join(dataDir, 'control.json'), { recursive: true });
      expect(await readdir(dataDir)).not.toContainEqual(expect.stringMatching(/^control\.json\..*\.tmp$/));
      const again = await startServer(config(), silentLogger());
      try {
        expect(again.url).toBe(`http://127.0.0.1:${port}`);
      } finally {
        await again.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
