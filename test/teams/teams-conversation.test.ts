// Conversations over real HTTP: Teams activities POSTed to /api/messages of the real server in local mode,
// replies recorded by the fake Bot Framework connector.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.ts';
import { createConversationRefs } from '../../src/store/repositories/conversation-refs.ts';
import { cardOf, cardText } from './fake-connector.ts';
import { localBotId, startTeamsTestServer, type TeamsTestServer } from './teams-harness.ts';

let t: TeamsTestServer;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  t = await startTeamsTestServer({}, { logger: createLogger('info', sink) });
});
afterAll(async () => {
  await t?.stop();
});

const personalConversation = 'a:1Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa-personal-chat-with-dana';
const channel = '19:4d7c1e9a2b8f4c6d9e0a1b2c3d4e5f60@thread.tacv2';

describe('personal chat', () => {
  it('a question gets an answer card, as a reply to the question', async () => {
    expect(await t.post(t.activity('personal-message', { id: 'q-vpn-1' }))).toBe(200);
    const sent = await t.connector.replyTo('q-vpn-1');
    expect(sent.conversationId).toBe(personalConversation);
    const card = cardOf(sent.body);
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(cardText(sent.body)).toMatch(/VPN/);
    // 👍/👎 are Teams' own feedback loop, not buttons on the card.
    expect(sent.body.channelData).toMatchObject({ feedbackLoopEnabled: true });
    expect(cardText(sent.body)).not.toContain('That helped');
    expect(cardText(sent.body)).toContain('Ask IT');
  });

  it('an answer from an article section with a table arrives as an Adaptive Card Table', async () => {
    await t.post(
      t.activity('personal-message', { id: 'q-table-1', text: 'how do I mirror my screen on a mac' }),
    );
    const sent = await t.connector.replyTo('q-table-1');
    const body = cardOf(sent.body).body as Record<string, unknown>[];
    const table = body.find((e) => e.type === 'Table') as
      | { columns: unknown[]; rows: { cells: { items: { text: string }[] }[] }[] }
      | undefined;
    expect(table?.columns).toHaveLength(3);
    const texts = table!.rows.map((r) => r.cells.map((c) => c.items[0]!.text));
    expect(texts[0]).toEqual(['To do this', 'On Windows', 'On a Mac']);
    expect(texts).toHaveLength(5);
    expect(texts[4]![2]).toContain('Command + F1');
  });

  it("stores the user's reference for direct messages, keyed by their Entra object id", async () => {
    await t.channel.idle();
    const refs = createConversationRefs(t.app.store);
    const stored = await refs.get('teams:user:6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f');
    expect(stored?.invalid).toBe(false);
    expect(stored?.reference).toMatchObject({
      kind: 'personal',
      reference: { conversation: { id: personalConversation } },
    });
    expect(JSON.stringify(stored?.reference)).not.toContain('activityId');
  });

  it('a button press arrives as a message with a value and reaches the action handler', async () => {
    await t.post(t.activity('personal-message', { id: 'q-vpn-2', text: 'how do I connect to the VPN?' }));
    const answer = await t.connector.replyTo('q-vpn-2');
    const actions = (
      cardOf(answer.body).body as { type: string; actions?: { title: string; data: unknown }[] }[]
    ).flatMap((e) => e.actions ?? []);
    const askIt = actions.find((a) => a.title.includes('Ask IT'));
    expect(askIt).toBeDefined();
    // Teams merges the card's data into the activity value; messageBack leaves the label as the text shown.
    // Another person presses it, so the intake conversation it starts does not catch the next test's "help".
    await t.post(
      t.activity('card-submit', {
        id: 'press-1',
        value: askIt!.data,
        from: {
          id: '29:someone-else',
          name: 'Sam Else',
          aadObjectId: '0f0f0f0f-1111-4222-8333-444455556666',
        },
      }),
    );
    const next = await t.connector.replyTo('press-1');
    expect(cardText(next.body)).not.toContain('That button has expired');
    expect(cardText(next.body).length).toBeGreaterThan(0);
  });

  it('a submission that is not ours gets a kind "expired" answer', async () => {
    await t.post(t.activity('card-submit', { id: 'press-2', value: { something: 'else' } }));
    const sent = await t.connector.replyTo('press-2');
    expect(cardText(sent.body)).toContain('That button has expired');
  });

  it('commands typed as text pass through to the core', async () => {
    await t.post(t.activity('personal-message', { id: 'cmd-help', text: 'help' }));
    const sent = await t.connector.replyTo('cmd-help');
    expect(cardText(sent.body)).toContain('Here is what I can do');
  });
});

describe('channels', () => {
  it('an @mention gets a threaded reply, and the core never sees the mention', async () => {
    const root = '1732357211482';
    expect(await t.post(t.activity('channel-mention', { id: root }))).toBe(200);
    const sent = await t.connector.replyTo(root);
    expect(sent.conversationId).toBe(`${channel};messageid=${root}`);
    expect(sent.body.replyToId).toBe(root);
    expect(cardText(sent.body)).toMatch(/printer/i);
    const asked = (await t.app.questions.since('2000-01-01T00:00:00.000Z')).map((q) => q.text);
    expect(asked).toContain('how do I add a printer?');
    expect(asked.join(' ')).not.toMatch(/<at>|IT Buddy/);
  });

  it('a mention in a thread reply answers in that thread', async () => {
    await t.post(
      t.activity('channel-mention', {
        id: '1732357999000',
        text: 'thanks <at>IT Buddy</at>, and how do I reset my password?',
        conversation: {
          isGroup: true,
          conversationType: 'channel',
          tenantId: '9a8b7c6d-1111-4222-8333-444455556666',
          id: `${channel};messageid=1732357211482`,
        },
      }),
    );
    const sent = await t.connector.replyTo('1732357999000');
    expect(sent.conversationId).toBe(`${channel};messageid=1732357211482`);
    const asked = (await t.app.questions.since('2000-01-01T00:00:00.000Z')).map((q) => q.text);
    expect(asked).toContain('thanks , and how do I reset my password?');
  });

  it('the first message from a channel logs its IT_DESTINATIONS value for admins', async () => {
    await t.channel.idle();
    expect(logLines.some((l) => l.includes(`IT_DESTINATIONS=teams:${channel}`))).toBe(true);
  });
});

describe('redelivery', () => {
  it('an activity Teams sends twice is answered once', async () => {
    const again = t.activity('personal-message', {
      id: 'dup-1',
      text: 'how do I set up MFA on a new phone?',
    });
    expect(await t.post(again)).toBe(200);
    expect(await t.post(again)).toBe(200);
    await t.connector.replyTo('dup-1');
    await t.channel.idle();
    expect(t.connector.sent().filter((r) => r.activityId === 'dup-1')).toHaveLength(1);
  });
});

describe('installation', () => {
  const team = '19:8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d@thread.tacv2';

  it('being added to a team posts one welcome (Teams announces it twice) and logs the destination id', async () => {
    expect(await t.post(t.activity('bot-added-to-team'))).toBe(200);
    expect(await t.post(t.activity('installation-update-add'))).toBe(200);
    await t.connector.waitFor((r) => r.conversationId === team);
    await t.channel.idle();
    const welcomes = t.connector.sent().filter((r) => r.conversationId === team);
    expect(welcomes).toHaveLength(1);
    expect(cardText(welcomes[0]!.body)).toContain('Thanks for adding me!');
    expect(
      logLines.some((l) => l.includes(`IT_DESTINATIONS=teams:${team}`) && l.includes('Northwind Operations')),
    ).toBe(true);
  });

  it('being installed for a personal chat sends no welcome: the prompt starters greet instead', async () => {
    const personal = 'a:1Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa-personal-install';
    const conversation = {
      conversationType: 'personal',
      tenantId: '9a8b7c6d-1111-4222-8333-444455556666',
      id: personal,
    };
    const channelData = { tenant: { id: '9a8b7c6d-1111-4222-8333-444455556666' } };
    expect(
      await t.post(
        t.activity('installation-update-add', { id: 'personal-install-1', conversation, channelData }),
      ),
    ).toBe(200);
    expect(
      await t.post(
        t.activity('bot-added-to-team', {
          id: 'personal-added-1',
          conversation,
          channelData,
        }),
      ),
    ).toBe(200);
    await t.channel.idle();
    expect(t.connector.sent().filter((r) => r.conversationId === personal)).toEqual([]);
    // The chat itself works: a question there is answered.
    expect(await t.post(t.activity('personal-message', { id: 'after-install-1', conversation }))).toBe(200);
    const answer = await t.connector.replyTo('after-install-1');
    expect(answer.conversationId).toBe(personal);
  });

  it('stores the service URL, tenant and bot id to reach channels that have no reference yet', async () => {
    const refs = createConversationRefs(t.app.store);
    expect((await refs.get('teams:install'))?.reference).toEqual({
      serviceUrl: t.connector.serviceUrl,
      tenantId: '9a8b7c6d-1111-4222-8333-444455556666',
      bot: { id: localBotId, name: 'IT Buddy' },
    });
  });

  it('being removed from a team marks its reference invalid', async () => {
    await t.post(
      t.activity('bot-added-to-team', {
        id: 'removed-1',
        membersAdded: undefined,
        membersRemoved: [{ id: localBotId }],
        channelData: {
          eventType: 'teamMemberRemoved',
          tenant: { id: '9a8b7c6d-1111-4222-8333-444455556666' },
        },
      }),
    );
    await t.channel.idle();
    const refs = createConversationRefs(t.app.store);
    expect(await refs.get(`teams:conversation:${team}`)).toMatchObject({
      invalid: true,
      invalidReason: 'IT Buddy was removed',
    });
  });
});

describe('bad requests', () => {
  it('a body that is not an activity is refused without a turn', async () => {
    const before = t.connector.requests.length;
    expect(await t.post({ hello: 'world' })).toBe(400);
    expect(await t.post('{not json')).toBe(400);
    await t.channel.idle();
    expect(t.connector.requests.length).toBe(before);
  });
});

describe('slow answers', () => {
  it('show the typing indicator before the answer', async () => {
    // A zero delay stands in for an answer slower than the typing threshold.
    const slow = await startTeamsTestServer({}, { teams: { typingDelayMs: 0 } });
    try {
      await slow.post(slow.activity('personal-message', { id: 'slow-1' }));
      const answer = await slow.connector.replyTo('slow-1');
      const typing = slow.connector.requests.findIndex(
        (r) => r.activityId === 'slow-1' && r.body.type === 'typing',
      );
      expect(typing).toBeGreaterThanOrEqual(0);
      expect(typing).toBeLessThan(slow.connector.requests.indexOf(answer));
    } finally {
      await slow.stop();
    }
  });
});
