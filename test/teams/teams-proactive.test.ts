// Messages IT Buddy sends on its own (channel posts, in-place updates, direct messages) through the 'teams'
// channel adapter, against the fake connector: where they go, and what happens when Teams says no.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentDeliveryError, RetryableDeliveryError } from '../../src/channels/channel-adapter.ts';
import { reply } from '../../src/messages/replies.ts';
import { createConversationRefs } from '../../src/store/repositories/conversation-refs.ts';
import { cardText } from './fake-connector.ts';
import { localBotId, startTeamsTestServer, type TeamsTestServer } from './teams-harness.ts';

let t: TeamsTestServer;
const tenant = '9a8b7c6d-1111-4222-8333-444455556666';
const itChannel = '19:4d7c1e9a2b8f4c6d9e0a1b2c3d4e5f60@thread.tacv2';
const dana = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const danaChat = 'a:1Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa-personal-chat-with-dana';
const sam = '0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
const samTeamsId = '29:1mJ8nK9oL0pQ1rS2tU3vW4xY5zA6bC7dE8fG9hI0jK-1b2c3d4e5f6a';

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

const forChannel = (channelId: string) => (r: { conversationId?: string }) => r.conversationId === channelId;

beforeAll(async () => {
  t = await startTeamsTestServer();
  await t.post(t.activity('bot-added-to-team'));
  await t.post(t.activity('personal-message', { id: 'seed-dana', text: 'hi' }));
  await t.connector.replyTo('seed-dana');
  await seeChannel(itChannel, 'seed-sam');
  await t.channel.idle();
});
afterAll(async () => {
  await t?.stop();
});

describe('post', () => {
  it('starts a new post in a channel it knows, and returns the message id', async () => {
    const posted = await t.channel.post(itChannel, [reply.text('New request **REQ-1**')]);
    const sent = await t.connector.waitFor((r) => r.answeredId === posted.messageId);
    expect(sent).toMatchObject({ method: 'POST', conversationId: itChannel });
    expect(sent.activityId).toBeUndefined();
    expect(sent.body.replyToId).toBeUndefined();
    expect(posted).toEqual({ platform: 'teams', destination: itChannel, messageId: sent.answeredId });
    expect(cardText(sent.body)).toContain('New request **REQ-1**');
  });

  it('posts into a thread when given one', async () => {
    const posted = await t.channel.post(itChannel, [reply.text('Update')], { threadId: '1732357211482' });
    const sent = await t.connector.waitFor((r) => r.answeredId === posted.messageId);
    expect(sent.conversationId).toBe(`${itChannel};messageid=1732357211482`);
  });

  it('reaches a channel it has never seen, from what it stored when it was installed', async () => {
    const other = '19:aa00bb11cc22dd33ee44ff5566778899@thread.tacv2';
    const posted = await t.channel.post(`teams:${other}`.slice('teams:'.length), [reply.text('Hello IT')]);
    const sent = await t.connector.waitFor((r) => r.answeredId === posted.messageId);
    expect(sent.conversationId).toBe(other);
    expect(sent.body.conversation).toMatchObject({ id: other, tenantId: tenant });
    expect(sent.body.from).toMatchObject({ id: localBotId });
  });
});

describe('update', () => {
  it('replaces the card of a posted message in place', async () => {
    const posted = await t.channel.post(itChannel, [reply.text('REQ-2: new')]);
    await t.channel.update!(posted, [reply.text('REQ-2: assigned to Sam')]);
    const put = await t.connector.waitFor((r) => r.method === 'PUT' && r.activityId === posted.messageId);
    expect(put.conversationId).toBe(itChannel);
    expect(cardText(put.body)).toContain('REQ-2: assigned to Sam');
  });
});

describe('sendDirect', () => {
  it('writes in the 1:1 chat of a user who chatted with IT Buddy', async () => {
    const posted = await t.channel.sendDirect(dana, [reply.notice('success', 'Your request REQ-1 is done')]);
    const sent = await t.connector.waitFor((r) => r.answeredId === posted.messageId);
    expect(sent.conversationId).toBe(danaChat);
    expect(posted.destination).toBe(danaChat);
  });

  it('opens a 1:1 chat with a user seen only in a channel, once, and reuses it', async () => {
    const first = await t.channel.sendDirect(sam, [reply.text('Your request was assigned')]);
    const created = t.connector.requests.filter((r) => r.method === 'POST' && r.conversationId === undefined);
    expect(created).toHaveLength(1);
    expect(created[0]?.body).toMatchObject({
      isGroup: false,
      members: [{ id: samTeamsId }],
      tenantId: tenant,
      bot: { id: localBotId },
    });
    const chat = created[0]!.answeredId!;
    expect(first.destination).toBe(chat);
    await t.connector.waitFor((r) => r.answeredId === first.messageId && r.conversationId === chat);

    const second = await t.channel.sendDirect(sam, [reply.text('And now it is done')]);
    expect(second.destination).toBe(chat);
    expect(
      t.connector.requests.filter((r) => r.method === 'POST' && r.conversationId === undefined),
    ).toHaveLength(1);
  });

  it('refuses, permanently, a user IT Buddy has never met', async () => {
    await expect(
      t.channel.sendDirect('00000000-0000-0000-0000-000000000000', [reply.text('hi')]),
    ).rejects.toBeInstanceOf(PermanentDeliveryError);
  });
});

describe('when Teams says no', () => {
  it('403 BotNotInConversationRoster: the reference is marked invalid and the error is permanent; later posts fail fast', async () => {
    const gone = '19:0dd0dd0dd0dd0dd0dd0dd0dd0dd0dd0@thread.tacv2';
    await seeChannel(gone, 'seed-gone');
    t.connector.script(
      (r) => r.conversationId === gone,
      [
        {
          status: 403,
          body: {
            error: {
              code: 'BotNotInConversationRoster',
              message: 'The bot is not part of the conversation roster.',
            },
          },
        },
      ],
    );
    const error = await t.channel.post(gone, [reply.text('x')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as Error).message).toContain('BotNotInConversationRoster');
    const stored = await createConversationRefs(t.app.store).get(`teams:conversation:${gone}`);
    expect(stored).toMatchObject({ invalid: true });
    expect(stored?.invalidReason).toContain('BotNotInConversationRoster');

    const before = t.connector.requests.filter(forChannel(gone)).length;
    await expect(t.channel.post(gone, [reply.text('y')])).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(t.connector.requests.filter(forChannel(gone)).length).toBe(before);
  });

  it('a conversation IT Buddy sees again is usable again', async () => {
    const back = '19:0bac0bac0bac0bac0bac0bac0bac0bac@thread.tacv2';
    await seeChannel(back, 'seed-back-1');
    t.connector.script(
      (r) => r.conversationId === back,
      [{ status: 403, body: { error: { code: 'BotDisabledByAdmin' } } }],
    );
    await expect(t.channel.post(back, [reply.text('x')])).rejects.toBeInstanceOf(PermanentDeliveryError);
    await seeChannel(back, 'seed-back-2');
    await t.channel.idle();
    const posted = await t.channel.post(back, [reply.text('welcome back')]);
    expect(posted.messageId).toMatch(/^msg-/);
  });

  it('429 then success: delivered exactly once', async () => {
    const busy = '19:b05yb05yb05yb05yb05yb05yb05yb05y@thread.tacv2';
    t.connector.script(
      (r) => r.conversationId === busy,
      [{ status: 429, headers: { 'retry-after': '0' }, body: {} }],
    );
    const posted = await t.channel.post(busy, [reply.text('Throttled once')]);
    const attempts = t.connector.requests.filter(forChannel(busy));
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(posted.messageId).toBe(attempts[1]?.answeredId);
  });

  it('throttled every time: gives up after the bounded attempts with a retryable error and the Retry-After', async () => {
    const jammed = '19:1a44ed1a44ed1a44ed1a44ed1a44ed00@thread.tacv2';
    const answer = {
      status: 429,
      headers: { 'retry-after': '0.05' },
      body: { error: { code: 'Throttled' } },
    };
    t.connector.script((r) => r.conversationId === jammed, [answer, answer, answer, answer, answer]);
    const error = await t.channel.post(jammed, [reply.text('x')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableDeliveryError);
    expect((error as RetryableDeliveryError).retryAfterMs).toBe(50);
    expect(t.connector.requests.filter(forChannel(jammed))).toHaveLength(3);
  });

  it('gateway errors are retried with backoff; a 500 is reported as retryable without hammering', async () => {
    const flaky = '19:f1a4yf1a4yf1a4yf1a4yf1a4yf1a4y00@thread.tacv2';
    t.connector.script((r) => r.conversationId === flaky, [{ status: 502 }, { status: 504 }]);
    await t.channel.post(flaky, [reply.text('made it')]);
    expect(t.connector.requests.filter(forChannel(flaky)).map((r) => r.status)).toEqual([502, 504, 200]);

    const broken = '19:b40kenb40kenb40kenb40kenb40ken00@thread.tacv2';
    t.connector.script(
      (r) => r.conversationId === broken,
      [{ status: 500, body: { error: { code: 'InternalServerError' } } }],
    );
    await expect(t.channel.post(broken, [reply.text('x')])).rejects.toBeInstanceOf(RetryableDeliveryError);
    expect(t.connector.requests.filter(forChannel(broken))).toHaveLength(1);
  });

  it('an update to a conversation Teams no longer has: permanent, reference marked invalid', async () => {
    const deleted = '19:de1e7edde1e7edde1e7edde1e7ed0000@thread.tacv2';
    await seeChannel(deleted, 'seed-deleted');
    t.connector.script(
      (r) => r.conversationId === deleted && r.method === 'PUT',
      [
        {
          status: 404,
          body: { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } },
        },
      ],
    );
    await expect(
      t.channel.update!({ platform: 'teams', destination: deleted, messageId: 'msg-1' }, [reply.text('x')]),
    ).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(await createConversationRefs(t.app.store).get(`teams:conversation:${deleted}`)).toMatchObject({
      invalid: true,
    });
  });
});
