// Forms on Slack, for any form the core sends: "Open form" buttons, modals opened with the trigger, field errors
// shown in the modal, results by DM, expired triggers, a slow core, the message shortcut, and the core posting,
// updating and DMing through the channel adapter. A small test feature stands in for intake and announcements.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BotFeature } from '../../src/bot/feature.ts';
import type { PostedMessage } from '../../src/channels/channel-adapter.ts';
import { escapeMarkdown } from '../../src/messages/markdown.ts';
import { type Card, type Form, reply } from '../../src/messages/replies.ts';
import { type AdapterHarness, startAdapterHarness } from './adapter-harness.ts';
import { modalViolations } from './block-limits.ts';
import {
  fixture,
  newEventId,
  type RecordedCall,
  sendCommand,
  sendEvent,
  sendInteraction,
} from './fake-slack.ts';
import { signingSecret } from './slack-harness.ts';

type Loose = Record<string, unknown>;

let h: AdapterHarness;
const submissions: { user: string; values: Record<string, string>; state: string | undefined }[] = [];
const posted: PostedMessage[] = [];
let releaseSlow: () => void = () => undefined;
let slowGate = Promise.resolve();

const requestForm = (values: Record<string, string>, extra: Partial<Form> = {}): Form => ({
  type: 'form',
  id: 'test.request',
  title: 'Ask IT for something',
  intro: 'Tell us what you need.',
  submitLabel: 'Send to IT',
  fields: [
    { name: 'title', label: 'Title', kind: 'text', required: true, maxLength: 120 },
    { name: 'details', label: 'Details', kind: 'textarea', required: false },
    {
      name: 'urgency',
      label: 'Urgency',
      kind: 'select',
      required: true,
      options: [
        { value: 'low', label: 'Low' },
        { value: 'high', label: 'High' },
      ],
    },
  ],
  values,
  ...extra,
});

const followUpForm: Form = {
  type: 'form',
  id: 'test.follow_up',
  title: 'One more thing',
  submitLabel: 'Done',
  fields: [{ name: 'budget', label: 'Budget code', kind: 'text', required: true }],
};

const requestCard = (title: string, status: string): Card => ({
  type: 'card',
  kind: 'request',
  title: `IT-0001 · ${title}`,
  sections: [{ fields: [{ label: 'Status', value: status }] }],
  actions: status === 'New' ? [reply.button('Acknowledge', 'test.ack', 'IT-0001', 'primary')] : [],
});

const feature: BotFeature = {
  name: 'test-intake',
  commands: {
    request: async (ctx, args) => [
      reply.text("Let's get that to IT."),
      requestForm(
        { title: args, urgency: 'low' },
        {
          state: JSON.stringify({
            sourceUrl: ctx.message.sourceUrl ?? null,
            big: args === 'big state' ? 'x'.repeat(5000) : '',
          }),
        },
      ),
    ],
  },
  forms: {
    'test.request': async (ctx, sub) => {
      const title = sub.values.title?.trim() ?? '';
      if (!title)
        return [
          requestForm(sub.values, {
            errors: { title: 'Please give a title.' },
            ...(sub.state ? { state: sub.state } : {}),
          }),
        ];
      if (title === 'slow') {
        await slowGate;
        return [reply.notice('success', 'Saved slowly')];
      }
      if (title === 'two-step') return [followUpForm];
      submissions.push({ user: ctx.userKey, values: sub.values, state: sub.state });
      const slack = h.app.channels.get('slack')!;
      posted.push(await slack.post('C0ITDESK', [requestCard(escapeMarkdown(title), 'New')]));
      return [reply.notice('success', `Saved ${escapeMarkdown(title)}`)];
    },
    'test.follow_up': async () => [reply.notice('success', 'All done')],
  },
  actions: {
    'test.ack': async (_ctx, value) => {
      const slack = h.app.channels.get('slack')!;
      await slack.update!(posted.at(-1)!, [requestCard('Visio', 'Acknowledged')]);
      await slack.sendDirect('U0ALICE', [reply.notice('info', `IT acknowledged ${value ?? ''}`)]);
      return [reply.text('Acknowledged.')];
    },
  },
};

beforeAll(async () => {
  h = await startAdapterHarness({ features: [feature], timing: { submitDeadlineMs: 300 } });
});

afterAll(async () => {
  await h?.stop();
});

beforeEach(() => {
  h.fake.reset();
  submissions.length = 0;
  posted.length = 0;
});

const buttonsOf = (c: RecordedCall) =>
  (c.args.blocks as Loose[]).flatMap((b) => (b.type === 'actions' ? (b.elements as Loose[]) : []));

function click(actionId: string, value: string | undefined, overrides: Loose = {}) {
  return fixture('block-actions', {
    trigger_id: `trigger-${actionId}`,
    actions: [
      { action_id: actionId, block_id: 'b', type: 'button', value, text: { type: 'plain_text', text: 'x' } },
    ],
    ...overrides,
  });
}

/** A view_submission for a view the bot opened, with the given input values. */
function submit(view: Loose, values: Record<string, string>) {
  const state: Record<string, Loose> = {};
  for (const [name, value] of Object.entries(values)) {
    state[name] =
      name === 'urgency'
        ? { value: { type: 'static_select', selected_option: { value } } }
        : { value: { type: 'plain_text_input', value } };
  }
  return fixture('view-submission', {
    view: {
      private_metadata: view.private_metadata,
      callback_id: view.callback_id,
      state: { values: state },
    },
  });
}

const initialOf = (view: Loose, blockId: string) =>
  ((view.blocks as Loose[]).find((b) => b.block_id === blockId)?.element as Loose | undefined)?.initial_value;

describe('a form sent in a DM', () => {
  it('comes as an "Open form" button; the click opens the modal, pre-filled, with the click\'s trigger', async () => {
    await sendEvent(
      h.url,
      signingSecret,
      fixture('event-message-im', { event_id: newEventId(), event: { text: 'request Visio' } }),
    );
    const [post] = await h.fake.waitFor('chat.postMessage');
    expect(post!.args.channel).toBe('D0ALICE');
    const open = buttonsOf(post!).find((b) => String(b.action_id).startsWith('itbuddy.slack.open_form#'))!;
    expect(String(open.value)).toMatch(/^s:/);

    await sendInteraction(h.url, signingSecret, click(String(open.action_id), String(open.value)));
    const [opened] = await h.fake.waitFor('views.open');
    expect(opened!.args.trigger_id).toBe(`trigger-${open.action_id}`);
    const view = opened!.args.view as Loose;
    expect(modalViolations(view)).toEqual([]);
    expect(view.callback_id).toBe('itbuddy.form');
    expect(initialOf(view, 'title')).toBe('Visio');
    expect(JSON.parse(String(view.private_metadata)).f).toBe('test.request');
  });

  it('an expired "Open form" reference gets a kind message instead of a modal', async () => {
    await sendInteraction(h.url, signingSecret, click('itbuddy.slack.open_form#0', 's:no-such-form'));
    const [post] = await h.fake.waitFor('chat.postMessage');
    expect(JSON.stringify(post!.args.blocks)).toContain('That form has expired');
    expect(h.fake.callsOf('views.open')).toHaveLength(0);
  });
});

describe('/itbuddy request', () => {
  it("opens the form as a modal right away with the command's trigger, and nothing else is sent", async () => {
    const res = await sendCommand(
      h.url,
      signingSecret,
      fixture('command-itbuddy', {
        text: 'request I need Visio',
        response_url: h.fake.responseUrl('r1'),
        trigger_id: 'trig-cmd',
      }),
    );
    expect(res.status).toBe(200);
    const [opened] = await h.fake.waitFor('views.open');
    expect(opened!.args.trigger_id).toBe('trig-cmd');
    expect(initialOf(opened!.args.view as Loose, 'title')).toBe('I need Visio');
    // The text before the form still reaches the user, ephemerally.
    const [response] = await h.fake.waitFor('response:r1');
    expect(JSON.stringify(response!.args.blocks)).toContain("Let's get that to IT.");
    expect(JSON.stringify(response!.args.blocks)).not.toContain('Open form');
  });

  it('an expired trigger gets an ephemeral "Open form" button instead of a crash', async () => {
    h.fake.script('views.open', { ok: false, error: 'expired_trigger_id' });
    await sendCommand(
      h.url,
      signingSecret,
      fixture('command-itbuddy', { text: 'request Visio', response_url: h.fake.responseUrl('r2') }),
    );
    const [response] = await h.fake.waitFor('response:r2');
    expect(response!.args.response_type).toBe('ephemeral');
    expect(JSON.stringify(response!.args.blocks)).toContain('took a moment too long');
    const open = (response!.args.blocks as Loose[])
      .flatMap((b) => (b.type === 'actions' ? (b.elements as Loose[]) : []))
      .find((b) => String(b.action_id).startsWith('itbuddy.slack.open_form#'));
    expect(open).toBeDefined();
    // The button still works later, with a fresh trigger.
    await sendInteraction(
      h.url,
      signingSecret,
      click(String(open!.action_id), String(open!.value), { channel: { id: 'C0GENERAL' } }),
    );
    const opened = await h.fake.waitFor(
      (c) => c.method === 'views.open' && c.args.trigger_id === `trigger-${open!.action_id}`,
    );
    expect(initialOf(opened[0]!.args.view as Loose, 'title')).toBe('Visio');
  });
});

describe('submitting the modal', () => {
  async function openModal(title = 'Visio'): Promise<Loose> {
    await sendCommand(
      h.url,
      signingSecret,
      fixture('command-itbuddy', { text: `request ${title}`, response_url: h.fake.responseUrl('open') }),
    );
    const [opened] = await h.fake.waitFor('views.open');
    h.fake.reset();
    return opened!.args.view as Loose;
  }

  it('field errors from the core are shown in the modal (response_action errors); nothing is saved', async () => {
    const view = await openModal();
    const res = await sendInteraction(h.url, signingSecret, submit(view, { title: '', urgency: 'high' }));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_action: 'errors', errors: { title: 'Please give a title.' } });
    expect(submissions).toHaveLength(0);
  });

  it('a valid submission closes the modal, saves, posts to the IT channel and DMs the requester', async () => {
    const view = await openModal();
    const res = await sendInteraction(
      h.url,
      signingSecret,
      submit(view, { title: 'Visio', details: '', urgency: 'high' }),
    );
    expect(res.json).toEqual({ response_action: 'clear' });
    expect(submissions).toEqual([
      {
        user: 'slack:U0ALICE',
        values: { title: 'Visio', details: '', urgency: 'high' },
        state: JSON.stringify({ sourceUrl: null, big: '' }),
      },
    ]);
    const [open] = await h.fake.waitFor('conversations.open');
    expect(open!.args.users).toBe('U0ALICE');
    const posts = await h.fake.waitFor('chat.postMessage', 2);
    const it = posts.find((p) => p.args.channel === 'C0ITDESK')!;
    const dm = posts.find((p) => p.args.channel === 'D0ALICE')!;
    expect(JSON.stringify(it.args.blocks)).toContain('IT-0001 · Visio');
    expect(JSON.stringify(dm.args.blocks)).toContain('Saved Visio');
  });

  it('a triage click updates the IT-channel message in place and DMs the requester', async () => {
    const view = await openModal();
    await sendInteraction(h.url, signingSecret, submit(view, { title: 'Visio', urgency: 'high' }));
    const [itPost] = await h.fake.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.channel === 'C0ITDESK',
    );
    await h.fake.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === 'D0ALICE');
    const ts = posted[0]!.messageId;
    const ack = buttonsOf(itPost!).find((b) => String(b.action_id).startsWith('test.ack#'))!;
    h.fake.reset();
    await sendInteraction(
      h.url,
      signingSecret,
      click(String(ack.action_id), String(ack.value), {
        user: { id: 'U0ITSTAFF', username: 'sam', name: 'sam', team_id: 'T0001' },
        channel: { id: 'C0ITDESK', name: 'it-desk' },
        container: { type: 'message', message_ts: ts, channel_id: 'C0ITDESK', is_ephemeral: false },
        message: { type: 'message', ts, text: 'IT-0001', bot_id: 'BBOT' },
        response_url: h.fake.responseUrl('triage'),
      }),
    );
    const [update] = await h.fake.waitFor('chat.update');
    expect(update!.args).toMatchObject({ channel: 'C0ITDESK', ts });
    expect(JSON.stringify(update!.args.blocks)).toContain('Acknowledged');
    const [dm] = await h.fake.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === 'D0ALICE');
    expect(JSON.stringify(dm!.args.blocks)).toContain('IT acknowledged IT-0001');
    const [ephemeral] = await h.fake.waitFor('response:triage');
    expect(ephemeral!.args.response_type).toBe('ephemeral');
  });

  it('when the core is slow, the modal closes in time and the result arrives by DM', async () => {
    const view = await openModal();
    slowGate = new Promise((resolve) => {
      releaseSlow = resolve;
    });
    const res = await sendInteraction(h.url, signingSecret, submit(view, { title: 'slow', urgency: 'low' }));
    expect(res.json).toEqual({ response_action: 'clear' });
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(0);
    releaseSlow();
    const [dm] = await h.fake.waitFor('chat.postMessage');
    expect(JSON.stringify(dm!.args.blocks)).toContain('Saved slowly');
  });

  it('a follow-up form replaces the modal (response_action update)', async () => {
    const view = await openModal();
    const res = await sendInteraction(
      h.url,
      signingSecret,
      submit(view, { title: 'two-step', urgency: 'low' }),
    );
    expect(res.json?.response_action).toBe('update');
    const next = (res.json as Loose).view as Loose;
    expect(modalViolations(next)).toEqual([]);
    expect(JSON.parse(String(next.private_metadata)).f).toBe('test.follow_up');
  });

  it('state too big for private_metadata is kept aside and comes back with the submission', async () => {
    const view = await openModal('big state');
    expect(String(view.private_metadata)).toMatch(/^ref:/);
    await sendInteraction(h.url, signingSecret, submit(view, { title: 'Big', urgency: 'low' }));
    expect(submissions).toHaveLength(1);
    expect(JSON.parse(submissions[0]!.state!).big).toHaveLength(5000);
  });
});

describe('the "Create IT request" message shortcut', () => {
  it('starts a request from the message text, with its permalink, in a modal', async () => {
    const res = await sendInteraction(h.url, signingSecret, fixture('message-shortcut'));
    expect(res.status).toBe(200);
    const [permalink] = await h.fake.waitFor('chat.getPermalink');
    expect(permalink!.args).toMatchObject({ channel: 'C0GENERAL', message_ts: '1700000450.000450' });
    const [opened] = await h.fake.waitFor('views.open');
    expect(opened!.args.trigger_id).toBe('13345224609.738474920.shortcut0000000000');
    const view = opened!.args.view as Loose;
    expect(initialOf(view, 'title')).toBe('The printer on floor 3 is jammed again & nobody can print');
    const meta = JSON.parse(String(view.private_metadata)) as { s: string; c: Loose };
    expect(JSON.parse(meta.s).sourceUrl).toBe(
      'https://example.slack.com/archives/C0GENERAL/p1700000450000450',
    );
    expect(meta.c).toEqual({ id: 'C0GENERAL', kind: 'channel', threadId: '1700000450.000450' });
  });

  it('still opens the form when the permalink cannot be fetched', async () => {
    h.fake.script('chat.getPermalink', { ok: false, error: 'message_not_found' });
    await sendInteraction(h.url, signingSecret, fixture('message-shortcut'));
    const [opened] = await h.fake.waitFor('views.open');
    const meta = JSON.parse(String((opened!.args.view as Loose).private_metadata)) as { s: string };
    expect(JSON.parse(meta.s).sourceUrl).toBeNull();
  });
});
