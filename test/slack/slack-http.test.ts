// Slack in HTTP mode end to end: signed requests from Slack's documented payloads into the real server
// (startServer), answers observed on a fake Slack Web API on loopback.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blockViolations } from './block-limits.ts';
import {
  fixture,
  newEventId,
  type RecordedCall,
  sendCommand,
  sendEvent,
  sendInteraction,
} from './fake-slack.ts';
import { type SlackTestServer, signingSecret, startSlackTestServer } from './slack-harness.ts';

type Loose = Record<string, unknown>;

let t: SlackTestServer;

beforeAll(async () => {
  t = await startSlackTestServer();
});

afterAll(async () => {
  await t?.stop();
});

beforeEach(() => {
  t.fake.reset();
});

/** A DM event from the fixture with a fresh event id (and any overrides of the inner event). */
function dm(event: Loose = {}, eventId = newEventId()) {
  return fixture('event-message-im', { event_id: eventId, event });
}

const blocksOf = (c: RecordedCall) => c.args.blocks as Loose[];
const buttonsOf = (blocks: Loose[]) =>
  blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Loose[]) : []));
const headerOf = (blocks: Loose[]) =>
  ((blocks.find((b) => b.type === 'header')?.text as Loose | undefined)?.text ?? '') as string;

describe('conversations', () => {
  it('a direct-message question is answered with an answer card in the DM', async () => {
    const res = await sendEvent(t.url, signingSecret, dm());
    expect(res.status).toBe(200);
    const [post] = await t.fake.waitFor('chat.postMessage');
    expect(post!.authorized).toBe(true);
    expect(post!.args.channel).toBe('D0ALICE');
    expect(post!.args.thread_ts).toBeUndefined();
    const blocks = blocksOf(post!);
    expect(headerOf(blocks)).toMatch(/VPN/);
    expect(blockViolations(blocks)).toEqual([]);
    // 👍/👎 are Slack's native feedback buttons, carrying the core's action in their values.
    expect(JSON.stringify(blocks)).toMatch(/"type":"feedback_buttons".*"value":"answer\.helped\|/);
    expect(String(post!.args.text)).toMatch(/VPN/);
    expect(t.fake.callsOf('users.info')[0]?.args.user).toBe('U0ALICE');
  });

  it("an answer from an article section with a table arrives as Slack's table block", async () => {
    await sendEvent(t.url, signingSecret, dm({ text: 'how do I mirror my screen on a mac' }));
    const [post] = await t.fake.waitFor('chat.postMessage');
    const blocks = blocksOf(post!);
    expect(headerOf(blocks)).toMatch(/monitor/i);
    const tables = blocks.filter((b) => b.type === 'table');
    expect(tables).toHaveLength(1);
    const rows = tables[0]!.rows as Loose[][];
    expect(rows).toHaveLength(5);
    expect(JSON.stringify(rows[0])).toContain('"text":"On a Mac","style":{"bold":true}');
    expect(rows[1]![0]).toEqual({ type: 'raw_text', text: 'Open the display settings' });
    expect(JSON.stringify(rows[4])).toContain('Command + F1');
    expect(blockViolations(blocks)).toEqual([]);
  });

  it('an @mention in a channel is answered in the thread of that message', async () => {
    const res = await sendEvent(
      t.url,
      signingSecret,
      fixture('event-app-mention', { event_id: newEventId() }),
    );
    expect(res.status).toBe(200);
    const [post] = await t.fake.waitFor('chat.postMessage');
    expect(post!.args.channel).toBe('C0GENERAL');
    expect(post!.args.thread_ts).toBe('1700000200.000200');
    expect(headerOf(blocksOf(post!))).toMatch(/VPN/);
  });

  it('an @mention inside a thread is answered in that same thread', async () => {
    await sendEvent(
      t.url,
      signingSecret,
      fixture('event-app-mention', {
        event_id: newEventId(),
        event: { ts: '1700000222.000222', thread_ts: '1700000111.000111' },
      }),
    );
    const [post] = await t.fake.waitFor('chat.postMessage');
    expect(post!.args.thread_ts).toBe('1700000111.000111');
  });

  it('bot messages (ours included), edits and deletions get no answer', async () => {
    const ignored = [
      dm({ bot_id: 'BOTHER', user: 'U0OTHERBOT', text: 'how do I connect to the VPN?' }),
      dm({ subtype: 'bot_message', bot_id: 'BOTHER', text: 'how do I connect to the VPN?' }),
      dm({ user: 'UBOT', bot_id: 'BBOT', text: 'how do I connect to the VPN?' }),
      dm({ subtype: 'message_changed', message: { text: 'how do I connect to the VPN?' } }),
      dm({ subtype: 'message_deleted', previous_message: { text: 'how do I connect to the VPN?' } }),
      fixture('event-app-mention', { event_id: newEventId(), event: { bot_id: 'BOTHER' } }),
    ];
    for (const e of ignored) expect((await sendEvent(t.url, signingSecret, e)).status).toBe(200);
    // A real question afterwards: its answer is the only message sent.
    await sendEvent(
      t.url,
      signingSecret,
      dm({ text: 'how do I reset my password?', ts: '1700000999.000999' }),
    );
    const posts = await t.fake.waitFor('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(headerOf(blocksOf(posts[0]!))).toMatch(/password/i);
  });

  it('the same event delivered twice (Slack retry headers) gets one reply', async () => {
    const event = dm({}, newEventId());
    const [first, retry] = await Promise.all([
      sendEvent(t.url, signingSecret, event),
      sendEvent(t.url, signingSecret, event, {
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      }),
    ]);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    const third = await sendEvent(t.url, signingSecret, event, {
      headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(third.status).toBe(200);
    await sendEvent(t.url, signingSecret, dm({ text: 'how do I reset my password?' }));
    const posts = await t.fake.waitFor('chat.postMessage', 2);
    expect(posts).toHaveLength(2);
    expect(posts.filter((p) => /VPN/.test(headerOf(blocksOf(p))))).toHaveLength(1);
  });

  it('answers the Events API URL verification challenge', async () => {
    const res = await sendEvent(t.url, signingSecret, {
      token: 'x',
      challenge: 'c-123',
      type: 'url_verification',
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: 'c-123' });
  });
});

describe('request verification', () => {
  it('a forged signature, a stale or a future timestamp gets 401 and causes no Web API call', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await sendEvent(t.url, signingSecret, dm(), { signature: `v0=${'0'.repeat(64)}` });
    const wrongSecret = await sendEvent(t.url, 'not-the-secret', dm());
    const stale = await sendEvent(t.url, signingSecret, dm(), { timestamp: now - 6 * 60 });
    const future = await sendEvent(t.url, signingSecret, dm(), { timestamp: now + 6 * 60 });
    const command = await sendCommand(
      t.url,
      'not-the-secret',
      fixture('command-itbuddy', { text: 'ask vpn' }),
    );
    const unsigned = await fetch(`${t.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(dm()),
    });
    expect([
      forged.status,
      wrongSecret.status,
      stale.status,
      future.status,
      command.status,
      unsigned.status,
    ]).toEqual([401, 401, 401, 401, 401, 401]);
    // A good request afterwards is answered, and it is the only thing that reached Slack's API.
    await sendEvent(t.url, signingSecret, dm());
    await t.fake.waitFor('chat.postMessage');
    expect(t.fake.callsOf('chat.postMessage')).toHaveLength(1);
    expect(t.fake.calls.every((c) => ['users.info', 'chat.postMessage'].includes(c.method))).toBe(true);
  });

  it('a timestamp four minutes old is still accepted', async () => {
    const res = await sendEvent(t.url, signingSecret, dm(), {
      timestamp: Math.floor(Date.now() / 1000) - 4 * 60,
    });
    expect(res.status).toBe(200);
    await t.fake.waitFor('chat.postMessage');
  });
});

describe('/itbuddy', () => {
  it('`ask` answers ephemerally through the response_url, with a "Share in channel" button', async () => {
    const res = await sendCommand(
      t.url,
      signingSecret,
      fixture('command-itbuddy', {
        text: 'ask how do I connect to the VPN?',
        response_url: t.fake.responseUrl('ask1'),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [response] = await t.fake.waitFor('response:ask1');
    expect(response!.args.response_type).toBe('ephemeral');
    expect(response!.args.replace_original).toBe(false);
    const blocks = blocksOf(response!);
    expect(headerOf(blocks)).toMatch(/VPN/);
    expect(blockViolations(blocks)).toEqual([]);
    expect(buttonsOf(blocks).some((b) => String(b.action_id).startsWith('itbuddy.slack.share#'))).toBe(true);
    expect(t.fake.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('"Share in channel" posts the answer in the channel and removes the ephemeral copy', async () => {
    await sendCommand(
      t.url,
      signingSecret,
      fixture('command-itbuddy', {
        text: 'ask how do I connect to the VPN?',
        response_url: t.fake.responseUrl('ask2'),
      }),
    );
    const [response] = await t.fake.waitFor('response:ask2');
    const share = buttonsOf(blocksOf(response!)).find((b) =>
      String(b.action_id).startsWith('itbuddy.slack.share#'),
    )!;
    const click = fixture('block-actions', {
      channel: { id: 'C0GENERAL', name: 'general' },
      container: {
        type: 'message',
        message_ts: '1700000600.000600',
        channel_id: 'C0GENERAL',
        is_ephemeral: true,
      },
      response_url: t.fake.responseUrl('share2'),
      actions: [
        {
          action_id: share.action_id,
          block_id: 'b',
          type: 'button',
          value: share.value,
          text: { type: 'plain_text', text: 'Share' },
        },
      ],
    });
    expect((await sendInteraction(t.url, signingSecret, click)).status).toBe(200);
    const [post] = await t.fake.waitFor('chat.postMessage');
    expect(post!.args.channel).toBe('C0GENERAL');
    expect(headerOf(blocksOf(post!))).toMatch(/VPN/);
    expect(JSON.stringify(post!.args.blocks)).toContain('Shared by Person U0ALICE');
    const [deleted] = await t.fake.waitFor('response:share2');
    expect(deleted!.args.delete_original).toBe(true);
  });

  it('an unknown sub-command gets the usage help', async () => {
    await sendCommand(
      t.url,
      signingSecret,
      fixture('command-itbuddy', { text: 'frobnicate now', response_url: t.fake.responseUrl('u1') }),
    );
    const [response] = await t.fake.waitFor('response:u1');
    const text = JSON.stringify(response!.args.blocks);
    expect(text).toContain('frobnicate');
    expect(text).toContain('/itbuddy ask');
    expect(text).toContain('/itbuddy newsletter preview');
    expect(response!.args.response_type).toBe('ephemeral');
  });

  it('`help` shows what the bot can do and the sub-commands', async () => {
    await sendCommand(
      t.url,
      signingSecret,
      fixture('command-itbuddy', { text: 'help', response_url: t.fake.responseUrl('h1') }),
    );
    const [response] = await t.fake.waitFor('response:h1');
    expect(headerOf(blocksOf(response!))).toBe('Here is what I can do');
    expect(JSON.stringify(response!.args.blocks)).toContain('/itbuddy status');
  });
});

describe('buttons', () => {
  it('"That helped" under a DM answer is passed to the core and its thanks arrive in the DM', async () => {
    await sendEvent(t.url, signingSecret, dm());
    const [answer] = await t.fake.waitFor('chat.postMessage');
    const feedback = blocksOf(answer!).find((b) => b.type === 'context_actions') as
      | { elements: Array<{ action_id: string; positive_button: { value: string } }> }
      | undefined;
    const helped = feedback!.elements[0]!;
    const click = fixture('block-actions', {
      actions: [
        {
          action_id: helped.action_id,
          block_id: 'b',
          type: 'feedback_buttons',
          value: helped.positive_button.value,
        },
      ],
    });
    expect((await sendInteraction(t.url, signingSecret, click)).status).toBe(200);
    const posts = await t.fake.waitFor('chat.postMessage', 2);
    expect(posts[1]!.args.channel).toBe('D0ALICE');
    expect(JSON.stringify(posts[1]!.args.blocks)).toContain(':white_check_mark:');
  });
});

describe('reliability', () => {
  it('a 429 with Retry-After on chat.postMessage is waited out, retried, and delivered once', async () => {
    t.fake.script('chat.postMessage', { status: 429, retryAfter: 1 });
    await sendEvent(t.url, signingSecret, dm());
    const posts = await t.fake.waitFor('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(t.fake.attempts.get('chat.postMessage')).toBe(2);
  });

  it('a 500 from Slack is retried and the answer still arrives once', async () => {
    t.fake.script('chat.postMessage', { status: 500 });
    await sendEvent(t.url, signingSecret, dm());
    const posts = await t.fake.waitFor('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(t.fake.attempts.get('chat.postMessage')).toBe(2);
  });
});

describe('App Home', () => {
  it('opening the Home tab publishes a home view with how to use IT Buddy', async () => {
    await sendEvent(t.url, signingSecret, fixture('event-app-home-opened', { event_id: newEventId() }));
    const [publish] = await t.fake.waitFor('views.publish');
    expect(publish!.args.user_id).toBe('U0ALICE');
    const view = publish!.args.view as Loose;
    expect(view.type).toBe('home');
    expect(blockViolations(view.blocks as unknown[], 100)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('How to use IT Buddy');
  });

  it('shows current and upcoming announcements at once, before any newsletter carried them, and not ended ones', async () => {
    const hour = 3_600_000;
    const at = (offset: number) => new Date(Date.now() + offset).toISOString();
    const base = {
      who: 'Everyone',
      link: null,
      keywords: ['vpn'],
      authorKey: 'slack:U0LEE',
      authorName: 'Lee',
      status: 'scheduled' as const,
      createdAt: at(-2 * hour),
      updatedAt: at(-2 * hour),
      sentInIssue: null,
    };
    const announcements = t.server.app.newsletter.announcements;
    await announcements.insert({
      ...base,
      id: 'ann-home-1',
      title: 'VPN outage right now',
      what: 'The VPN gateway is down; we are on it.',
      startsAt: at(-hour),
      endsAt: at(3 * hour),
      category: 'maintenance',
    });
    await announcements.insert({
      ...base,
      id: 'ann-home-2',
      title: 'Printer fleet upgrade',
      what: 'New printers arrive on every floor.',
      startsAt: at(48 * hour),
      endsAt: null,
      category: 'coming_up',
    });
    await announcements.insert({
      ...base,
      id: 'ann-home-3',
      title: 'Old maintenance long over',
      what: 'This one ended last week.',
      startsAt: at(-200 * hour),
      endsAt: at(-190 * hour),
      category: 'maintenance',
      status: 'sent',
      sentInIssue: '2026-W01',
    });
    await sendEvent(t.url, signingSecret, fixture('event-app-home-opened', { event_id: newEventId() }));
    const [publish] = await t.fake.waitFor('views.publish');
    const blocks = JSON.stringify((publish!.args.view as Loose).blocks);
    expect(blocks).toContain('VPN outage right now');
    expect(blocks).toContain('Printer fleet upgrade');
    expect(blocks.indexOf('Now')).toBeLessThan(blocks.indexOf('Coming up'));
    expect(blocks).not.toContain('Old maintenance long over');
  });

  it('the Messages tab opening publishes nothing', async () => {
    await sendEvent(
      t.url,
      signingSecret,
      fixture('event-app-home-opened', { event_id: newEventId(), event: { tab: 'messages' } }),
    );
    await sendEvent(t.url, signingSecret, fixture('event-app-home-opened', { event_id: newEventId() }));
    const publishes = await t.fake.waitFor('views.publish');
    expect(publishes).toHaveLength(1);
  });
});
