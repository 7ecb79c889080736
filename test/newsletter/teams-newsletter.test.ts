// The newsletter through the real Teams adapter and a fake Bot Framework connector: a 429 with Retry-After and a
// 500 still give each channel one card, and a channel IT Buddy was removed from is recorded as failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat } from '../helpers/test-server.ts';
import { cardText } from '../teams/fake-connector.ts';
import { startTeamsTestServer, type TeamsTestServer } from '../teams/teams-harness.ts';

let t: TeamsTestServer;
const tenant = '9a8b7c6d-1111-4222-8333-444455556666';
const channels = [
  '19:aaaa0000000000000000000000000001@thread.tacv2',
  '19:aaaa0000000000000000000000000002@thread.tacv2',
  '19:aaaa0000000000000000000000000003@thread.tacv2',
];

/** Makes IT Buddy see a channel: a mention there stores its reference. */
async function seeChannel(channelId: string, id: string) {
  await t.post(
    t.activity('channel-mention', {
      id,
      text: '<at>IT Buddy</at> hello',
      conversation: {
        isGroup: true,
        conversationType: 'channel',
        tenantId: tenant,
        id: `${channelId};messageid=${id}`,
      },
    }),
  );
  await t.connector.replyTo(id);
}

beforeAll(async () => {
  t = await startTeamsTestServer({
    ADMINS: 'web:ada',
    NEWSLETTER_DESTINATIONS: channels.map((c) => `teams:${c}`).join(','),
    NEWSLETTER_CATCHUP_HOURS: '0',
  });
  await t.post(t.activity('bot-added-to-team'));
  for (const [i, c] of channels.entries()) await seeChannel(c, `seed-${i}`);
  await t.channel.idle();
});

afterAll(async () => {
  await t?.stop();
});

describe('the newsletter on Teams', () => {
  it('delivers one card per channel through 429 and 500, and records a channel the bot left', async () => {
    const [first, second, third] = channels as [string, string, string];
    const isPost = (c: string) => (r: { method: string; conversationId?: string }) =>
      r.method === 'POST' && r.conversationId === c;
    t.connector.script(isPost(first), [{ status: 429, headers: { 'retry-after': '1' } }]);
    t.connector.script(isPost(second), [{ status: 500 }]);
    t.connector.script(isPost(third), [
      { status: 403, body: { error: { code: 'BotNotInConversationRoster' } } },
    ]);

    await postChat(t.url, { userId: 'ada', text: 'newsletter send-now' });
    await t.app.newsletter.feature.idle();

    const newsletters = t.connector.sent().filter((r) => cardText(r.body).includes('Where to get help'));
    expect(newsletters.map((r) => r.conversationId).sort()).toEqual([first, second]);
    // The scripted failures really happened before the successful posts.
    const statuses = (c: string) =>
      t.connector.requests.filter((r) => r.method === 'POST' && r.conversationId === c).map((r) => r.status);
    expect(statuses(first).slice(0, 2)).toEqual([429, 200]);
    expect(statuses(second).slice(0, 2)).toEqual([500, 200]);
    expect(statuses(third)).toEqual([403]);
    const [issue] = await t.app.newsletter.service.recentIssues(1);
    expect(issue?.summary).toEqual({ sent: 2, failed: 1 });
    const deliveries = await t.app.newsletter.issues.deliveries(issue?.key ?? '');
    expect(deliveries.find((d) => d.destination === third)).toMatchObject({
      status: 'failed',
      permanent: true,
    });
  });
});
