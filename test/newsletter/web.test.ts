// The whole path through the real server: a web liaison announces maintenance, a question about it is answered
// with the notice before the knowledge-base article, the issue goes out, and the archive and preview pages show it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAs, postChat, startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    LIAISONS: 'web:lee',
    ADMINS: 'web:ada',
    NEWSLETTER_DESTINATIONS: 'web:news',
    NEWSLETTER_CATCHUP_HOURS: '0',
  });
});

afterAll(async () => {
  await server?.stop();
});

/** "2026-11-30 14:00" for a time `offsetMs` from now, in UTC (the default NEWSLETTER_TIMEZONE). */
function localIn(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString().slice(0, 16).replace('T', ' ');
}

describe('the newsletter on the web channel', () => {
  it('from announcement to known-issue notice to archive', async () => {
    const refused = await postChat(server.url, { userId: 'sam', text: 'announce' });
    expect(refused.body.replies?.[0]).toMatchObject({ type: 'notice', tone: 'info' });
    expect(String(refused.body.replies?.[0]?.text)).toMatch(/only IT liaisons/);

    const form = await postChat(server.url, { userId: 'lee', text: 'announce' });
    expect(form.body.replies?.[0]).toMatchObject({ type: 'form', id: 'announce.create' });

    const published = await postChat(server.url, {
      userId: 'lee',
      form: {
        formId: 'announce.create',
        values: {
          title: 'VPN maintenance <script>alert(1)</script>',
          what: 'The VPN gateway is being upgraded; connections will drop.',
          who: 'Everyone working remotely',
          starts: localIn(-3_600_000),
          ends: localIn(3 * 3_600_000),
          category: 'maintenance',
          keywords: 'vpn',
          link: '',
          publish: 'scheduled',
        },
      },
    });
    expect(published.body.replies?.[0]).toMatchObject({ type: 'notice', tone: 'success' });

    // The real knowledge base answers VPN questions; the notice comes first.
    const answer = await postChat(server.url, { userId: 'sam', text: 'how do I connect to the vpn' });
    const types = answer.body.replies?.map((r) => r.type);
    expect(types?.[0]).toBe('notice');
    expect(String(answer.body.replies?.[0]?.text)).toMatch(/^Known issue: \*\*VPN maintenance/);
    expect(types?.slice(1)).toContain('card');

    // A new incident request about it gets the notice before intake's questions or form.
    const incident = await postChat(server.url, { userId: 'sam', text: 'request the VPN is broken' });
    expect(incident.body.replies?.[0]).toMatchObject({ type: 'notice', tone: 'warning' });
    expect(String(incident.body.replies?.[0]?.text)).toMatch(/^Known issue/);
    expect(incident.body.replies?.length).toBeGreaterThan(1);
    expect(
      incident.body.replies?.slice(1).some((r) => String(JSON.stringify(r)).includes('Known issue')),
    ).toBe(false);

    const sent = await postChat(server.url, { userId: 'ada', text: 'newsletter send-now' });
    expect(String(sent.body.replies?.[0]?.text)).toMatch(/^Sending \d{4}-W\d{2} now to 1 destination/);
    await server.app.newsletter.feature.idle();
    const [issue] = await server.app.newsletter.service.recentIssues(1);
    expect(issue?.status).toBe('sent');

    const archive = await fetch(`${server.url}/newsletter/archive`);
    expect(archive.status).toBe(200);
    expect(await archive.text()).toContain(`/newsletter/archive/${issue?.key}`);
    const page = await fetch(`${server.url}/newsletter/archive/${issue?.key}`);
    const html = await page.text();
    expect(html).toContain('Maintenance &amp; outages');
    expect(html).toContain('VPN maintenance &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('Where to get help');

    expect((await fetch(`${server.url}/newsletter/archive/not-a-key`)).status).toBe(404);
    expect((await fetch(`${server.url}/newsletter/archive/1999-W01`)).status).toBe(404);
  });

  it('shows the preview to liaisons only', async () => {
    expect((await fetch(`${server.url}/newsletter/preview`)).status).toBe(403);
    expect((await fetchAs(server.url, 'sam', '/newsletter/preview')).status).toBe(403);
    const preview = await fetchAs(server.url, 'lee', '/newsletter/preview');
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toMatch(/Preview of \d{4}-W\d{2}, going out/);
    expect(html).toContain('Where to get help');
  });
});
