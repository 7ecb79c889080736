// The web server hardened, over real HTTP: only known Host names are answered, every page carries the security
// headers, and state-changing requests from other sites are refused.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAs, sessionFor, startTestServer, type TestServer } from '../helpers/test-server.ts';

/** A request through node:http, so the Host header is exactly what the test says. */
function send(
  url: string,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Host allow-list', () => {
  let s: TestServer;
  let port: string;
  beforeAll(async () => {
    s = await startTestServer({
      PUBLIC_URL: 'https://itbuddy.example.com',
      ALLOWED_HOSTS: 'help.example.org:8443',
      WEB_TRIAL_SIGNIN: 'false',
    });
    port = new URL(s.url).port;
  });
  afterAll(async () => {
    await s?.stop();
  });

  it.each([
    ['PUBLIC_URL host', 'itbuddy.example.com'],
    ["PUBLIC_URL host with the scheme's default port", 'itbuddy.example.com:443'],
    ['an ALLOWED_HOSTS entry', 'help.example.org:8443'],
    ['localhost on any port', 'localhost:1234'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '[::1]:9'],
  ])('answers %s', async (_name, host) => {
    const res = await send(s.url, '/', { host });
    expect(res.status).toBe(200);
  });

  it.each([
    ['another name (DNS rebinding)', 'attacker.example'],
    ['the right name on another port', 'itbuddy.example.com:8080'],
    ['an ALLOWED_HOSTS name on another port', 'help.example.org'],
    ['a look-alike suffix', 'itbuddy.example.com.attacker.example'],
  ])('refuses %s with 421', async (_name, host) => {
    for (const path of ['/', '/api/me', '/it', '/kb/reset-password']) {
      const res = await send(s.url, path, { host });
      expect(res.status, `${host}${path}`).toBe(421);
      expect(res.body).not.toContain('IT Buddy</title>');
    }
    const post = await send(
      s.url,
      '/api/chat',
      { host, 'content-type': 'application/json' },
      'POST',
      '{"text":"hi"}',
    );
    expect(post.status).toBe(421);
  });

  it('keeps health checks answering by address, for load balancers', async () => {
    const res = await send(s.url, '/healthz', { host: `10.1.2.3:${port}` });
    expect(res.status).toBe(200);
  });
});

describe('security headers and cross-site requests', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ IT_STAFF: 'web:ivy', IT_DESTINATIONS: 'web:it' });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it.each([
    '/',
    '/static/chat.js',
    '/kb/reset-password',
    '/kb/no-such-article',
    '/it',
    '/newsletter/archive',
    '/api/me',
    '/no/such/page',
  ])('sends CSP with frame-ancestors, nosniff and a referrer policy on %s', async (path) => {
    const res = await fetch(`${s.url}${path}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('refuses a cross-site chat message (Origin or Sec-Fetch-Site from another site)', async () => {
    const cookie = await sessionFor(s.url, 'mallory-target');
    for (const headers of [
      { origin: 'http://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ]) {
      const res = await fetch(`${s.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, ...headers },
        body: JSON.stringify({ text: 'request my laptop is broken' }),
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    const same = await fetch(`${s.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: s.url, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ text: 'how do I reset my password?' }),
    });
    expect(same.status).toBe(200);
  });

  it('refuses cross-site triage, sign-in, sign-out and inbox reads', async () => {
    const evil = { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' };
    const act = await fetchAs(s.url, 'ivy', '/it/act', {
      method: 'POST',
      headers: evil,
      body: 'id=triage.assign_me&value=IT-0001',
    });
    expect(act.status).toBe(403);
    const trial = await fetch(`${s.url}/auth/trial`, {
      method: 'POST',
      headers: evil,
      body: 'user=ivy',
      redirect: 'manual',
    });
    expect(trial.status).toBe(403);
    expect(trial.headers.getSetCookie()).toEqual([]);
    const logout = await fetchAs(s.url, 'ivy', '/auth/logout', {
      method: 'POST',
      headers: evil,
      redirect: 'manual',
    });
    expect(logout.status).toBe(403);
    const inbox = await fetchAs(s.url, 'ivy', '/api/inbox', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(inbox.status).toBe(403);
  });
});
