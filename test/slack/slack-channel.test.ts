// The Slack ChannelAdapter the core sends through (post, update, DM), its error mapping, the separate bulk client,
// start-up checks, and Socket Mode replays handled once.
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/slack-adapter.ts';
import { PermanentDeliveryError, RetryableDeliveryError } from '../../src/channels/channel-adapter.ts';
import { ConfigError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { escapeMarkdown } from '../../src/messages/markdown.ts';
import { reply } from '../../src/messages/replies.ts';
import { type AdapterHarness, startAdapterHarness } from './adapter-harness.ts';
import { fixture, newEventId, sendEvent } from './fake-slack.ts';
import { signingSecret } from './slack-harness.ts';

let h: AdapterHarness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const fast = { tuning: { interactiveRetries: 1, bulkRetries: 1, minRetryDelayMs: 10 } };

describe('ChannelAdapter over Slack', () => {
  it('registers itself as the slack channel', async () => {
    h = await startAdapterHarness(fast);
    expect(h.app.channels.get('slack')).toBe(h.adapter);
    expect(h.adapter.platform).toBe('slack');
  });

  it('post sends blocks (in a thread when asked) and returns where it landed; update edits that message', async () => {
    h = await startAdapterHarness(fast);
    const posted = await h.adapter.post(
      'slack:C0ITDESK',
      [reply.text(`New request from ${escapeMarkdown('<@U1>')}`)],
      {
        threadId: '1700000000.000001',
      },
    );
    const [post] = h.fake.callsOf('chat.postMessage');
    expect(post!.args).toMatchObject({
      channel: 'C0ITDESK',
      thread_ts: '1700000000.000001',
      unfurl_links: 'false',
    });
    expect(JSON.stringify(post!.args.blocks)).toContain('&lt;@U1&gt;');
    expect(posted).toEqual({
      platform: 'slack',
      destination: 'C0ITDESK',
      messageId: expect.stringMatching(/^\d+\.\d+$/),
    });

    await h.adapter.update!(posted, [reply.notice('success', 'Done')]);
    const [update] = h.fake.callsOf('chat.update');
    expect(update!.args).toMatchObject({ channel: 'C0ITDESK', ts: posted.messageId });
    expect(JSON.stringify(update!.args.blocks)).toContain(':white_check_mark: Done');
  });

  it('sendDirect opens the DM once and posts there', async () => {
    h = await startAdapterHarness(fast);
    const first = await h.adapter.sendDirect('U0ALICE', [
      reply.text('Your request IT-0042 was acknowledged.'),
    ]);
    await h.adapter.sendDirect('slack:U0ALICE', [reply.text('And resolved.')]);
    expect(first.destination).toBe('D0ALICE');
    expect(h.fake.callsOf('conversations.open')).toHaveLength(1);
    expect(h.fake.callsOf('chat.postMessage').map((c) => c.args.channel)).toEqual(['D0ALICE', 'D0ALICE']);
  });

  it('a gone channel is a permanent failure; a Slack outage is retryable', async () => {
    h = await startAdapterHarness(fast);
    h.fake.script('chat.postMessage', { ok: false, error: 'channel_not_found' });
    await expect(h.adapter.post('C0GONE', [reply.text('hi')])).rejects.toBeInstanceOf(PermanentDeliveryError);
    h.fake.script('chat.postMessage', { status: 503 }, { status: 503 });
    const outage = await h.adapter.post('C0ITDESK', [reply.text('hi')]).catch((e: unknown) => e);
    expect(outage).toBeInstanceOf(RetryableDeliveryError);
    expect(h.fake.attempts.get('chat.postMessage')).toBe(3);
  });

  it('blocks Slack refuses are resent as text, so the words still arrive', async () => {
    h = await startAdapterHarness(fast);
    h.fake.script('chat.postMessage', { ok: false, error: 'invalid_blocks' });
    await h.adapter.post('C0ITDESK', [reply.text('Server room is warm')]);
    const posts = h.fake.callsOf('chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.args.blocks).toBeUndefined();
    expect(posts[1]!.args.text).toBe('Server room is warm');
  });

  it('sending on its own initiative uses its own client: a rate-limited fan-out does not hold up an answer', async () => {
    h = await startAdapterHarness(fast);
    expect(h.adapter.bulkClient).not.toBe(h.adapter.client);
    // The Web API client pauses its whole request queue while it waits out a 429's Retry-After.
    const paused = (client: unknown) =>
      (client as { requestQueue: { isPaused: boolean } }).requestQueue.isPaused;
    h.fake.script('chat.postMessage', { status: 429, retryAfter: 2 });
    const fanOut = h.adapter.post('C0ALL', [reply.text('Newsletter')]);
    await h.fake.waitFor(() => h!.fake.attempts.get('chat.postMessage') === 1);
    // Someone asks a question meanwhile: the answer goes out while the fan-out still waits.
    await sendEvent(h.url, signingSecret, fixture('event-message-im', { event_id: newEventId() }));
    const [answer] = await h.fake.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.channel === 'D0ALICE',
    );
    expect(JSON.stringify(answer!.args.blocks)).toMatch(/VPN/);
    expect(paused(h.adapter.bulkClient)).toBe(true);
    expect(h.fake.callsOf('chat.postMessage').map((c) => c.args.channel)).toEqual(['D0ALICE']);
    await fanOut;
    expect(h.fake.callsOf('chat.postMessage').map((c) => c.args.channel)).toEqual(['D0ALICE', 'C0ALL']);
  });
});

describe('start-up', () => {
  it('HTTP mode without a signing secret refuses to start', async () => {
    h = await startAdapterHarness(fast);
    const config = {
      enabled: true as const,
      botToken: 'xoxb-x',
      signingSecret: undefined,
      appToken: undefined,
      apiUrl: h.fake.apiUrl,
    };
    expect(() => createSlackAdapter(h!.app, config, silentLogger())).toThrow(ConfigError);
  });

  it('a token Slack rejects stops start-up with a clear configuration error', async () => {
    h = await startAdapterHarness({ ...fast, noStart: true });
    h.fake.script('auth.test', { ok: false, error: 'invalid_auth' });
    await expect(h.adapter.start()).rejects.toThrow(
      /SLACK_BOT_TOKEN: Slack rejected the token \(invalid_auth\)/,
    );
  });

  it('Slack being unreachable at start-up does not stop the bot', async () => {
    h = await startAdapterHarness({ ...fast, noStart: true });
    h.fake.script('auth.test', { status: 503 }, { status: 503 });
    await expect(h.adapter.start()).resolves.toBeUndefined();
  });
});

describe('Socket Mode', () => {
  it('uses Socket Mode when an app token is set, with no HTTP endpoint', async () => {
    h = await startAdapterHarness({ ...fast, socket: true });
    expect(h.adapter.mode).toBe('socket');
    expect(h.adapter.router).toBeUndefined();
  });

  it('an app-level token Slack refuses stops start-up with a clear configuration error', async () => {
    h = await startAdapterHarness({ ...fast, socket: true });
    h.fake.script('apps.connections.open', { ok: false, error: 'invalid_auth' });
    await expect(h.adapter.start()).rejects.toThrow(
      /SLACK_APP_TOKEN: Slack refused the app-level token \(invalid_auth\)/,
    );
  });

  it('a replayed event envelope is answered once', async () => {
    h = await startAdapterHarness({ ...fast, socket: true });
    const socket = (
      h.adapter.receiver as unknown as { client: { emit(name: string, args: unknown): boolean } }
    ).client;
    const body = fixture('event-message-im', { event_id: newEventId() });
    const acks: unknown[] = [];
    const ack = async (response?: unknown) => {
      acks.push(response ?? null);
    };
    socket.emit('slack_event', { ack, body, retry_num: 0 });
    socket.emit('slack_event', { ack, body, retry_num: 1, retry_reason: 'timeout' });
    socket.emit('slack_event', {
      ack,
      body: fixture('event-message-im', {
        event_id: newEventId(),
        event: { text: 'how do I reset my password?' },
      }),
    });
    const posts = await h.fake.waitFor('chat.postMessage', 2);
    expect(posts).toHaveLength(2);
    expect(posts.map((p) => JSON.stringify(p.args.blocks)).filter((b) => /VPN/.test(b))).toHaveLength(1);
    expect(acks).toHaveLength(3);
  });
});
