// Start-up and the web's sign-in settings: web roles without a sign-in method are refused (also by `npm start`
// in a real child process), the trial sign-in exists only on loopback outside production and is announced, a
// non-loopback HOST is warned about, the session secret is generated once and kept private, and a port already
// in use stops start-up with a message that names it.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionSecretFile } from '../../adapters/web/session-secret.ts';
import { webStartupWarnings } from '../../adapters/web/web-startup.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { testConfig } from '../helpers/test-config.ts';
import { startTestServer } from '../helpers/test-server.ts';

/** Runs `node adapters/main.ts` in `cwd` (so no .env of the repository applies) with only `env`. */
function runMain(cwd: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve('adapters/main.ts')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('start-up refuses web roles without a sign-in method', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-startup-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each(['ADMINS', 'IT_STAFF', 'LIAISONS'])('refuses web: entries in %s', async (variable) => {
    await expect(startTestServer({ [variable]: 'web:admin', WEB_TRIAL_SIGNIN: 'false' })).rejects.toThrow(
      /web chat has no sign-in/,
    );
  });

  it('refuses role entries naming an anonymous session', async () => {
    await expect(startTestServer({ ADMINS: 'web:anon:abc' })).rejects.toThrow(/anonymous web session/);
  });

  it('starts with Slack and Teams roles alone, and with web roles once a sign-in method is set', async () => {
    const plain = await startTestServer({ ADMINS: 'slack:U012AB3CD', WEB_TRIAL_SIGNIN: 'false' });
    await plain.stop();
    const sso = await startTestServer({
      ADMINS: 'web:admin',
      WEB_TRIAL_SIGNIN: 'false',
      WEB_SSO_HEADER: 'X-Forwarded-User',
      WEB_SSO_PROXIES: '127.0.0.1',
    });
    await sso.stop();
  });

  it('`npm start` exits with the configuration error and names what to set', async () => {
    const { code, stderr } = await runMain(dataDir, {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      KB_WATCH: 'false',
      ADMINS: 'web:admin',
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/ADMINS: lists web:admin, but the web chat has no sign-in/);
    expect(stderr).toMatch(/WEB_OIDC_ISSUER/);
  });
});

describe('trial sign-in', () => {
  it('is refused on a HOST that is not loopback', async () => {
    await expect(startTestServer({ HOST: '0.0.0.0', WEB_TRIAL_SIGNIN: 'true' })).rejects.toThrow(
      /WEB_TRIAL_SIGNIN: only on a loopback HOST/,
    );
    await expect(startTestServer({ HOST: '192.168.1.20', WEB_TRIAL_SIGNIN: 'true' })).rejects.toThrow(
      /WEB_TRIAL_SIGNIN/,
    );
  });

  it('is refused with NODE_ENV=production', async () => {
    await expect(startTestServer({ NODE_ENV: 'production', WEB_TRIAL_SIGNIN: 'true' })).rejects.toThrow(
      /WEB_TRIAL_SIGNIN: never with NODE_ENV=production/,
    );
  });

  it('is refused when PUBLIC_URL is another machine', async () => {
    await expect(
      startTestServer({ PUBLIC_URL: 'https://itbuddy.example.com', WEB_TRIAL_SIGNIN: 'true' }),
    ).rejects.toThrow(/WEB_TRIAL_SIGNIN/);
  });

  it('is announced at start-up', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const s = await startTestServer({}, { logger: createLogger('info', sink) });
    await s.stop();
    const announced = lines.find((l) => /Web trial sign-in is on/.test(String(l.msg)));
    expect(announced?.level).toBe(40);
  });

  it('refuses requests that came through a proxy, even on this machine', async () => {
    const s = await startTestServer();
    try {
      const res = await fetch(`${s.url}/auth/trial`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9' },
        body: 'user=admin',
        redirect: 'manual',
      });
      expect(res.status).toBe(403);
      expect(res.headers.getSetCookie()).toEqual([]);
      const ok = await fetch(`${s.url}/auth/trial`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'user=admin&next=/it',
        redirect: 'manual',
      });
      expect(ok.status).toBe(303);
      expect(ok.headers.get('location')).toBe('/it');
      const away = await fetch(`${s.url}/auth/trial`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'user=admin&next=https://evil.example/',
        redirect: 'manual',
      });
      expect(away.headers.get('location')).toBe('/');
    } finally {
      await s.stop();
    }
  });
});

describe('start-up warnings', () => {
  it('warns when HOST is not loopback, naming the Host names the server answers to', () => {
    const config = testConfig({
      HOST: '0.0.0.0',
      WEB_TRIAL_SIGNIN: 'false',
      PUBLIC_URL: 'https://help.example.com',
    });
    const warnings = webStartupWarnings(config);
    expect(warnings).toEqual([
      expect.stringMatching(/HOST is 0\.0\.0\.0: the web chat is reachable from other machines/),
    ]);
    expect(warnings[0]).toContain('help.example.com');
  });

  it('says nothing about a loopback HOST without trial sign-in', () => {
    expect(webStartupWarnings(testConfig({ WEB_TRIAL_SIGNIN: 'false' }))).toEqual([]);
  });
});

describe('the session secret', () => {
  it('is generated once into DATA_DIR, readable by its owner only, and survives a restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-secret-'));
    try {
      const first = await startTestServer({ DATA_DIR: dataDir });
      const file = path.join(dataDir, sessionSecretFile);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const secret = await readFile(file, 'utf8');
      const signIn = await fetch(`${first.url}/auth/trial`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'user=ivy',
        redirect: 'manual',
      });
      const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
      await first.server.stop();

      const second = await startTestServer({ DATA_DIR: dataDir });
      try {
        expect(await readFile(file, 'utf8')).toBe(secret);
        const me = await fetch(`${second.url}/api/me`, { headers: { cookie } });
        expect(await me.json()).toMatchObject({ id: 'ivy', via: 'trial' });
      } finally {
        await second.server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('comes from WEB_SESSION_SECRET when set, and then no file is written', async () => {
    const s = await startTestServer({ WEB_SESSION_SECRET: 'x'.repeat(40) });
    try {
      await expect(stat(path.join(s.dataDir, sessionSecretFile))).rejects.toThrow(/ENOENT/);
    } finally {
      await s.stop();
    }
  });
});

describe('start-up on a port that is taken', () => {
  it('stops with a message naming the port instead of a crash', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-port-'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const { code, stderr } = await runMain(dataDir, {
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        KB_DIR: path.resolve('kb'),
        KB_WATCH: 'false',
      });
      expect(code).toBe(1);
      expect(stderr).toContain(`IT Buddy cannot start: port ${port} on 127.0.0.1 is already in use`);
      expect(stderr).not.toMatch(/TypeError/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
