// The newsletter through the real Slack adapter against a fake Slack Web API: a 429 and a 500 along the way
// still give each channel one message, a channel that is gone is recorded and reported, and the issue renders
// as Block Kit within Slack's limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat } from '../helpers/test-server.ts';
import { type SlackTestServer, startSlackTestServer } from '../slack/slack-harness.ts';

let slack: SlackTestServer;

beforeAll(async () => {
  slack = await startSlackTestServer({
    ADMINS: 'web:ada',
    LIAISONS: 'slack:ULEE',
    NEWSLETTER_DESTINATIONS: 'slack:C0001,slack:C0002,slack:C0003',
    NEWSLETTER_CATCHUP_HOURS: '0',
  });
});

afterAll(async () => {
  await slack?.stop();
});

describe('the newsletter on Slack', () => {
  it('posts once per channel through 429 and 500, and reports a channel that is gone', async () => {
    const { fake, server } = slack;
    fake.script(
      'chat.postMessage',
      { status: 429, retryAfter: 1 },
      { status: 500 },
      { ok: false, error: 'channel_not_found' },
    );

    const sent = await postChat(server.url, { userId: 'ada', text: 'newsletter send-now' });
    expect(String(sent.body.replies?.[0]?.text)).toMatch(/^Sending \d{4}-W\d{2} now to 3 destinations/);
    await server.app.newsletter.feature.idle();

    // The fake records every call it answered (the 429 and 500 are only counted as attempts): each channel was
    // reached once, and the channel that answered channel_not_found was not tried again.
    const posted = fake.callsOf('chat.postMessage').filter((c) => String(c.args.channel).startsWith('C000'));
    const channels = posted.map((c) => String(c.args.channel)).sort();
    expect(channels).toEqual(['C0001', 'C0002', 'C0003']);
    expect(fake.attempts.get('chat.postMessage')).toBeGreaterThanOrEqual(5);
    const [issue] = await server.app.newsletter.service.recentIssues(1);
    expect(issue?.summary).toEqual({ sent: 2, failed: 1 });
    const deliveries = await server.app.newsletter.issues.deliveries(issue?.key ?? '');
    const gone = deliveries.find((d) => d.status === 'failed');
    expect(gone).toMatchObject({ permanent: true });
    expect(gone?.reason).toContain('channel_not_found');
    expect(deliveries.filter((d) => d.status === 'sent').map((d) => d.attempts)).toEqual([1, 1]);

    // The liaison hears about it in a direct message.
    const dm = await fake.waitFor(
      (c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('could not be delivered'),
    );
    expect(dm.length).toBeGreaterThanOrEqual(1);

    // Block Kit within Slack's limits: at most 50 blocks, section text under 3,000 characters.
    const delivered = posted.find((c) => c.args.channel !== gone?.destination);
    const raw = delivered?.args.blocks;
    const blocks = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? [])) as {
      type: string;
      text?: { text?: string };
    }[];
    expect(blocks.length).toBeGreaterThan(3);
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks) expect(b.text?.text?.length ?? 0).toBeLessThan(3000);
    expect(JSON.stringify(blocks)).toContain('Where to get help');
  });
});
