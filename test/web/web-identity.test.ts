// Who is who on the web, over real HTTP: the session cookie names the person, never a body or query field;
// anonymous sessions hold no role; the inbox shows only the session's own messages; the single-sign-on header
// counts only from the configured proxy address.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply } from '../../src/messages/replies.ts';
import { fetchAs, postChat, startTestServer, type TestServer } from '../helpers/test-server.ts';

type ReplyJson = Record<string, unknown> & { type: string };

/** The session cookie (`name=value`) a response set, if any. */
function sessionCookieOf(res: Response): string | undefined {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('itbuddy_session='));
}

/** Posts a chat message with an optional cookie; returns the status, replies and any new session cookie. */
async function chatWith(url: string, body: object, cookie?: string) {
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { replies?: ReplyJson[]; error?: string };
  return { status: res.status, replies: json.replies ?? [], cookie: sessionCookieOf(res) };
}

const text = (replies: ReplyJson[]) => JSON.stringify(replies);

describe('web sessions', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ ADMINS: 'web:admin', IT_STAFF: 'web:ivy' });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('gives a first visit an anonymous, HttpOnly, SameSite session cookie', async () => {
    const res = await fetch(`${s.url}/`);
    expect(res.status).toBe(200);
    const header = res.headers.getSetCookie().find((c) => c.startsWith('itbuddy_session='));
    expect(header).toBeDefined();
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).toMatch(/; Path=\//);
    const me = await fetch(`${s.url}/api/me`, { headers: { cookie: sessionCookieOf(res)! } });
    const who = (await me.json()) as { id: string; via: string; signedIn: boolean };
    expect(who.via).toBe('anonymous');
    expect(who.signedIn).toBe(false);
    expect(who.id).toMatch(/^anon:[\w-]{20,}$/);
  });

  it('a body claiming userId "admin" gets no admin, and is logged under its own anonymous session', async () => {
    const claimed = await chatWith(s.url, { userId: 'admin', userName: 'Admin', text: 'roles list' });
    expect(claimed.status).toBe(200);
    expect(text(claimed.replies)).toMatch(/only IT Buddy admins/);
    expect(text(claimed.replies)).not.toMatch(/"title":"Roles"/);

    // The real admin (signed in) gets the list: the refusal above was about identity, not the command.
    const admin = await postChat(s.url, { userId: 'admin', text: 'roles list' });
    expect(JSON.stringify(admin.body.replies)).toMatch(/"title":"Roles"/);

    const asked = await chatWith(s.url, { userId: 'admin', text: 'how do I reset my password?' });
    const questions = await s.app.questions.since('2000-01-01T00:00:00.000Z');
    const mine = questions.filter((q) => q.text === 'how do I reset my password?');
    expect(mine.some((q) => q.userKey === 'web:admin')).toBe(false);
    expect(mine.some((q) => q.userKey.startsWith('web:anon:'))).toBe(true);
    expect(asked.cookie).toBeDefined();
  });

  it('keeps one identity across requests that carry the cookie, and a new one for requests without it', async () => {
    const first = await chatWith(s.url, { text: 'how do I connect to the vpn' });
    const cookie = first.cookie!;
    const again = await chatWith(s.url, { text: 'how do I connect to the vpn' }, cookie);
    expect(again.cookie).toBeUndefined();
    const stranger = await chatWith(s.url, { text: 'how do I connect to the vpn' });
    const keys = (await s.app.questions.since('2000-01-01T00:00:00.000Z'))
      .filter((q) => q.text === 'how do I connect to the vpn')
      .map((q) => q.userKey);
    const perKey = [...new Set(keys)].map((k) => keys.filter((x) => x === k).length).sort();
    expect(perKey).toEqual([1, 2]);
    expect(stranger.cookie).not.toBe(cookie);
  });

  it('refuses a forged or altered session cookie and starts a fresh anonymous one', async () => {
    const { cookie } = await chatWith(s.url, { text: 'hello' });
    const [name, value] = cookie!.split('=') as [string, string];
    const [body, mac] = value.split('.') as [string, string];
    const forgedBody = Buffer.from(
      JSON.stringify({ id: 'admin', via: 'trial', exp: Date.now() + 1e9, p: 'session' }),
    ).toString('base64url');
    const forged = await chatWith(s.url, { text: 'roles list' }, `${name}=${forgedBody}.${mac}`);
    expect(text(forged.replies)).toMatch(/only IT Buddy admins/);
    expect(forged.cookie).toBeDefined();
    expect(forged.cookie).not.toBe(cookie);
    const tampered = await fetch(`${s.url}/api/me`, {
      headers: { cookie: `${name}=${body}.${mac.slice(1)}x` },
    });
    expect(((await tampered.json()) as { via: string }).via).toBe('anonymous');
  });

  it('ignores ?user= on /it, /it/report and /newsletter/preview: the session decides', async () => {
    for (const path of ['/it?user=ivy', '/it/report?user=ivy', '/newsletter/preview?user=admin']) {
      expect((await fetch(`${s.url}${path}`)).status, path).toBe(403);
    }
    expect((await fetchAs(s.url, 'ivy', '/it')).status).toBe(200);
    expect((await fetchAs(s.url, 'ivy', '/it/report')).status).toBe(200);
    expect((await fetchAs(s.url, 'admin', '/newsletter/preview')).status).toBe(200);
  });

  it('refuses to grant a role to an anonymous session, and it holds none', async () => {
    const { cookie } = await chatWith(s.url, { text: 'hello' });
    const me = (await (await fetch(`${s.url}/api/me`, { headers: { cookie: cookie! } })).json()) as {
      id: string;
    };
    const granted = await postChat(s.url, { userId: 'admin', text: `roles grant web:${me.id} admin` });
    expect(granted.status).toBe(200);
    expect(JSON.stringify(granted.body)).toMatch(/is an anonymous web session, which never holds a role/);
    expect((await fetch(`${s.url}/it`, { headers: { cookie: cookie! } })).status).toBe(403);
    const tried = await chatWith(s.url, { text: 'roles list' }, cookie);
    expect(text(tried.replies)).toMatch(/only IT Buddy admins/);
  });

  it("shows /api/inbox only the session's own messages, whatever userId the query names", async () => {
    const web = s.app.channels.get('web')!;
    await web.sendDirect('alice', [reply.text('Alice: your laptop is ready')]);
    const { cookie } = await chatWith(s.url, { text: 'hello' });
    const stranger = await fetch(`${s.url}/api/inbox?userId=alice&all=1`, { headers: { cookie: cookie! } });
    expect(stranger.status).toBe(200);
    expect(((await stranger.json()) as { messages: unknown[] }).messages).toEqual([]);
    const noCookie = await fetch(`${s.url}/api/inbox?userId=alice`);
    expect(((await noCookie.json()) as { messages: unknown[] }).messages).toEqual([]);

    // Alice's message is still unread for Alice: the stranger's look marked nothing.
    const alice = await fetchAs(s.url, 'alice', '/api/inbox');
    const messages = ((await alice.json()) as { messages: { replies: ReplyJson[] }[] }).messages;
    expect(messages.map((m) => text(m.replies))).toEqual([expect.stringContaining('your laptop is ready')]);
  });

  it('lets an anonymous user ask, request and see their own requests', async () => {
    const values = {
      kind: 'hardware',
      title: 'Flickering monitor',
      description: 'It flickers',
      businessNeed: 'Reading',
      urgency: 'medium',
      impact: 'me',
    };
    const saved = await chatWith(s.url, { form: { formId: 'intake.request', values } });
    expect(text(saved.replies)).toMatch(/IT-\d{4}/);
    const mine = await chatWith(s.url, { text: 'my requests' }, saved.cookie);
    expect(text(mine.replies)).toContain('Flickering monitor');
    const other = await chatWith(s.url, { text: 'my requests' });
    expect(text(other.replies)).not.toContain('Flickering monitor');
  });

  it('signs out to a fresh anonymous session', async () => {
    const before = (await (await fetchAs(s.url, 'ivy', '/api/me')).json()) as { via: string };
    expect(before.via).toBe('trial');
    const res = await fetchAs(s.url, 'ivy', '/auth/logout', { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().join('\n')).toMatch(/itbuddy_session=; .*Max-Age=0/);
  });
});

/** A GET through node:http, so the test picks the local address the connection comes from. */
function getFrom(url: string, path: string, localAddress: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${url}${path}`, { localAddress, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('single sign-on header', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      WEB_TRIAL_SIGNIN: 'false',
      WEB_SSO_HEADER: 'X-Forwarded-User',
      WEB_SSO_PROXIES: '127.0.0.1',
      IT_STAFF: 'web:ivy@example.com',
    });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('names the user when the connection comes from the configured proxy', async () => {
    const me = await getFrom(s.url, '/api/me', '127.0.0.1', { 'x-forwarded-user': 'ivy@example.com' });
    expect(JSON.parse(me.body)).toMatchObject({ id: 'ivy@example.com', via: 'sso', signedIn: true });
    const page = await getFrom(s.url, '/it', '127.0.0.1', { 'x-forwarded-user': 'ivy@example.com' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>IT inbox</h1>');
  });

  it('is ignored from any other address', async () => {
    const me = await getFrom(s.url, '/api/me', '127.0.0.2', { 'x-forwarded-user': 'ivy@example.com' });
    expect(JSON.parse(me.body)).toMatchObject({ via: 'anonymous', signedIn: false });
    const page = await getFrom(s.url, '/it', '127.0.0.2', { 'x-forwarded-user': 'ivy@example.com' });
    expect(page.status).toBe(403);
  });

  it('has no trial sign-in unless asked for', async () => {
    expect((await fetch(`${s.url}/auth/trial`)).status).toBe(404);
  });
});

describe('sessions over HTTPS', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ PUBLIC_URL: 'https://itbuddy.example.com' });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('name the cookie __Host-, so a neighbouring subdomain cannot plant a session of its choosing', async () => {
    const res = await fetch(`${s.url}/`);
    const header = res.headers.getSetCookie().find((c) => c.startsWith('__Host-itbuddy_session='));
    expect(header).toMatch(/; Path=\/;/);
    expect(header).toMatch(/; Secure$/);
    expect(header).not.toMatch(/Domain=/i);
    const value = header!.split(';')[0]!.split('=')[1]!;
    const who = async (cookie: string) =>
      ((await (await fetch(`${s.url}/api/me`, { headers: { cookie } })).json()) as { id: string }).id;
    const own = await who(`__Host-itbuddy_session=${value}`);
    // The same signed value under the bare name, which any subdomain can set, names nobody.
    const planted = await who(`itbuddy_session=${value}`);
    expect(own).toMatch(/^anon:/);
    expect(planted).toMatch(/^anon:/);
    expect(planted).not.toBe(own);
  });
});
