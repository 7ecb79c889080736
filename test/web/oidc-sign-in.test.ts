// OpenID Connect sign-in against a real provider (oidc-provider) on loopback: the full authorization code flow
// with PKCE, state and nonce, through IT Buddy's real HTTP server, and the ways a callback must be refused.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error oidc-provider ships no type declarations; the test uses a handful of documented calls.
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const clientSecret = 'a-test-client-secret-that-is-long-enough';

/** A tiny browser: one cookie jar per origin, redirects followed by hand so each hop can be checked. */
class Browser {
  readonly jars = new Map<string, Map<string, string>>();

  cookieHeader(url: string): string {
    const jar = this.jars.get(new URL(url).origin) ?? new Map<string, string>();
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  cookie(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).origin)?.get(name);
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookies = this.cookieHeader(url);
    if (cookies) headers.set('cookie', cookies);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects from `url` until a page answers or `stopAt` matches a Location; returns the last response. */
  async follow(url: string, stopAt?: (location: string) => boolean): Promise<{ res: Response; url: string }> {
    let current = url;
    for (let hop = 0; hop < 15; hop++) {
      const res = await this.request(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
      const next = new URL(location, current).href;
      if (stopAt?.(next)) return { res, url: next };
      current = next;
    }
    throw new Error('too many redirects');
  }

  /** Submits the first form of `html` (found at `pageUrl`) with `fields`, then follows redirects. */
  async submit(
    pageUrl: string,
    html: string,
    fields: Record<string, string>,
    stopAt?: (location: string) => boolean,
  ) {
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form in ${html.slice(0, 300)}`);
    const target = new URL(action.replace(/&amp;/g, '&'), pageUrl).href;
    const res = await this.request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const location = res.headers.get('location');
    if (!location) return { res, url: target };
    const next = new URL(location, target).href;
    if (stopAt?.(next)) return { res, url: next };
    return this.follow(next, stopAt);
  }
}

describe('OpenID Connect sign-in', { timeout: 30_000 }, () => {
  let providerServer: Server;
  let issuer: string;
  let s: TestServer;

  beforeAll(async () => {
    // The provider's address must be known before IT Buddy starts, and IT Buddy's before the client is registered.
    let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    providerServer = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;

    s = await startTestServer({
      WEB_TRIAL_SIGNIN: 'false',
      WEB_OIDC_ISSUER: issuer,
      WEB_OIDC_CLIENT_ID: 'itbuddy',
      WEB_OIDC_CLIENT_SECRET: clientSecret,
      IT_STAFF: 'web:olivia@example.com',
    });

    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'itbuddy',
          client_secret: clientSecret,
          redirect_uris: [`${s.url}/auth/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      async findAccount(_ctx: unknown, id: string) {
        return {
          accountId: id,
          async claims() {
            return {
              sub: id,
              email: `${id}@example.com`,
              // 'unvouched' stands for a provider (like Entra ID) that sends no email_verified at all.
              ...(id === 'unvouched' ? {} : { email_verified: id !== 'unverified' }),
              name: `User ${id}`,
            };
          },
        };
      },
      pkce: { required: () => true },
      cookies: { keys: ['a-test-cookie-key'] },
    });
    handler = provider.callback();
  });

  afterAll(async () => {
    await s?.stop();
    await new Promise<void>((resolve) => {
      providerServer?.close(() => resolve());
      providerServer?.closeAllConnections();
    });
  });

  /** Signs in as `login` from /auth/login?next=/it up to (not including) IT Buddy's callback. */
  async function toCallback(browser: Browser, login: string) {
    const isCallback = (u: string) => u.startsWith(`${s.url}/auth/callback`);
    const start = await browser.request(`${s.url}/auth/login?next=/it`);
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.get('location')!);
    const loginPage = await browser.follow(authorize.href, isCallback);
    const loginHtml = await loginPage.res.text();
    const consent = await browser.submit(
      loginPage.url,
      loginHtml,
      { prompt: 'login', login, password: 'x' },
      isCallback,
    );
    const done = isCallback(consent.url)
      ? consent
      : await browser.submit(consent.url, await consent.res.text(), { prompt: 'consent' }, isCallback);
    expect(isCallback(done.url), `ended at ${done.url}`).toBe(true);
    return { authorize, callback: done.url };
  }

  it('signs a person in with the code flow, PKCE, state and nonce, and opens the pages their role allows', async () => {
    const browser = new Browser();
    expect((await browser.request(`${s.url}/it`)).status).toBe(403);
    const { authorize, callback } = await toCallback(browser, 'olivia');
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${s.url}/auth/callback`);

    const back = await browser.request(callback);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/it');
    const me = await browser.request(`${s.url}/api/me`);
    expect(await me.json()).toMatchObject({
      id: 'olivia@example.com',
      via: 'oidc',
      name: 'User olivia',
      signedIn: true,
    });
    const it = await browser.request(`${s.url}/it`);
    expect(it.status).toBe(200);
    expect(await it.text()).toContain('<h1>IT inbox</h1>');
  });

  it('refuses a callback whose state was changed, and starts no session', async () => {
    const browser = new Browser();
    const { callback } = await toCallback(browser, 'olivia');
    const altered = new URL(callback);
    altered.searchParams.set('state', 'not-the-state-we-sent');
    const res = await browser.request(altered.href);
    expect(res.status).toBe(400);
    expect(await (await browser.request(`${s.url}/api/me`)).json()).toMatchObject({ via: 'anonymous' });
  });

  it('refuses a callback that arrives in another browser (no transaction cookie)', async () => {
    const browser = new Browser();
    const { callback } = await toCallback(browser, 'olivia');
    const stranger = new Browser();
    const res = await stranger.request(callback);
    expect(res.status).toBe(400);
    expect(stranger.cookie(s.url, 'itbuddy_session')).toBeUndefined();
  });

  it('refuses to use a code twice', async () => {
    const browser = new Browser();
    const { callback } = await toCallback(browser, 'olivia');
    const transaction = browser.cookie(s.url, 'itbuddy_oidc')!;
    expect((await browser.request(callback)).status).toBe(303);
    // Even with the transaction cookie put back, the provider will not redeem the code again.
    browser.jars.get(new URL(s.url).origin)!.set('itbuddy_oidc', transaction);
    browser.jars.get(new URL(s.url).origin)!.delete('itbuddy_session');
    expect((await browser.request(callback)).status).toBe(400);
  });

  it('refuses an account whose email is not verified', async () => {
    const browser = new Browser();
    const { callback } = await toCallback(browser, 'unverified');
    const res = await browser.request(callback);
    expect(res.status).toBe(403);
    expect(await (await browser.request(`${s.url}/api/me`)).json()).toMatchObject({ via: 'anonymous' });
  });

  it('refuses an email the provider does not vouch for (no email_verified claim at all)', async () => {
    const browser = new Browser();
    const { callback } = await toCallback(browser, 'unvouched');
    expect((await browser.request(callback)).status).toBe(403);
    expect(await (await browser.request(`${s.url}/api/me`)).json()).toMatchObject({ via: 'anonymous' });
  });
});
