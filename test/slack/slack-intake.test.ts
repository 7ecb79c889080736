// An IT request on Slack end to end with the real intake: /itbuddy request form opens the modal, field errors
// show in it, a good submission saves the record and posts the request card in the IT channel, and a triage
// click updates that card in place and tells the requester by DM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredFields } from '../../src/intake/request-schema.ts';
import { modalViolations } from './block-limits.ts';
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
  t = await startSlackTestServer({ IT_DESTINATIONS: 'slack:C0ITDESK', IT_STAFF: 'slack:U0ITSTAFF' });
});

afterAll(async () => {
  await t?.stop();
});

const buttonsOf = (c: RecordedCall) =>
  (c.args.blocks as Loose[]).flatMap((b) => (b.type === 'actions' ? (b.elements as Loose[]) : []));

/** A view_submission for `view`, answering each input with `values[block_id]` in the element's own shape. */
function submit(view: Loose, values: Record<string, string>) {
  const state: Record<string, Loose> = {};
  for (const block of view.blocks as Loose[]) {
    if (block.type !== 'input') continue;
    const id = String(block.block_id);
    const value = values[id];
    const type = String((block.element as Loose).type);
    state[id] = {
      value:
        type === 'static_select'
          ? { type, selected_option: value ? { value } : null }
          : type === 'datepicker'
            ? { type, selected_date: value ?? null }
            : { type, value: value ?? null },
    };
  }
  return fixture('view-submission', {
    view: {
      private_metadata: view.private_metadata,
      callback_id: view.callback_id,
      state: { values: state },
    },
  });
}

describe('an IT request from Slack', () => {
  let view: Loose;

  it('/itbuddy request form opens the intake form as a modal with the command trigger', async () => {
    await sendCommand(
      t.url,
      signingSecret,
      fixture('command-itbuddy', {
        text: 'request form',
        trigger_id: 'trig-intake',
        response_url: t.fake.responseUrl('rq'),
      }),
    );
    const [opened] = await t.fake.waitFor('views.open');
    expect(opened!.args.trigger_id).toBe('trig-intake');
    view = opened!.args.view as Loose;
    expect(modalViolations(view)).toEqual([]);
    expect(JSON.parse(String(view.private_metadata)).f).toBe('intake.request');
    const blockIds = (view.blocks as Loose[]).filter((b) => b.type === 'input').map((b) => b.block_id);
    expect(blockIds).toEqual(expect.arrayContaining(['kind', 'title', 'description', 'urgency', 'impact']));
  });

  it('a submission missing required answers keeps the modal open with errors on those fields', async () => {
    const res = await sendInteraction(t.url, signingSecret, submit(view, { kind: 'software' }));
    expect(res.json?.response_action).toBe('errors');
    const errors = (res.json as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors)).toEqual(expect.arrayContaining(['title', 'description']));
    expect(await t.server.app.requests.byRequester('slack:U0ALICE')).toHaveLength(0);
  });

  it('a good submission is saved, posted to the IT channel, and confirmed to the requester by DM', async () => {
    const values: Record<string, string> = {
      kind: 'software',
      title: 'Visio for the floor plans',
      description: 'I need Visio to draw the office floor plans.',
      businessNeed: 'The move to the new office is planned from these drawings.',
      urgency: 'medium',
      impact: 'me',
    };
    for (const field of requiredFields('software'))
      expect(values[field], `test gives ${field}`).toBeDefined();
    const res = await sendInteraction(t.url, signingSecret, submit(view, values));
    expect(res.json).toEqual({ response_action: 'clear' });

    const [record] = await t.server.app.requests.byRequester('slack:U0ALICE');
    expect(record).toMatchObject({
      title: 'Visio for the floor plans',
      status: 'new',
      requesterKey: 'slack:U0ALICE',
    });
    expect(record?.requester.name).toBe('Person U0ALICE');

    const [card] = await t.fake.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.channel === 'C0ITDESK',
    );
    expect(JSON.stringify(card!.args.blocks)).toContain(record!.reference);
    expect(buttonsOf(card!).some((b) => String(b.action_id).startsWith('triage.ack#'))).toBe(true);
    const [dm] = await t.fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.channel === 'D0ALICE' &&
        JSON.stringify(c.args.blocks).includes(record!.reference),
    );
    expect(dm).toBeDefined();
  });

  it("`/itbuddy status` with no reference lists the requester's requests", async () => {
    const [record] = await t.server.app.requests.byRequester('slack:U0ALICE');
    await sendCommand(
      t.url,
      signingSecret,
      fixture('command-itbuddy', { text: 'status', response_url: t.fake.responseUrl('st') }),
    );
    const [answer] = await t.fake.waitFor('response:st');
    expect(JSON.stringify(answer!.args)).toContain(record!.reference);
    expect(JSON.stringify(answer!.args)).toContain('Visio for the floor plans');
  });

  it('the message shortcut fills the modal from the message, and the saved request links back to it', async () => {
    const carol = { id: 'U0CAROL', username: 'carol', team_id: 'T0001', name: 'carol' };
    await sendInteraction(
      t.url,
      signingSecret,
      fixture('message-shortcut', { user: carol, trigger_id: 'trig-shortcut' }),
    );
    const [opened] = await t.fake.waitFor(
      (c) => c.method === 'views.open' && c.args.trigger_id === 'trig-shortcut',
    );
    const modal = opened!.args.view as Loose;
    expect(JSON.stringify(modal.blocks)).toContain('The printer on floor 3 is jammed again');
    const permalink = 'https://example.slack.com/archives/C0GENERAL/p1700000450000450';

    // A first try with a field missing is refused in the modal, which Slack keeps open as it was.
    const missing = await sendInteraction(t.url, signingSecret, submit(modal, { kind: 'incident' }));
    expect(missing.json?.response_action).toBe('errors');
    const res = await sendInteraction(
      t.url,
      signingSecret,
      fixture('view-submission', {
        user: carol,
        view: {
          ...(submit(modal, {
            kind: 'incident',
            title: 'Printer on floor 3 jammed',
            description: 'The printer on floor 3 is jammed again and nobody can print.',
            urgency: 'high',
            impact: 'team',
          }).view as Loose),
        },
      }),
    );
    expect(res.json).toEqual({ response_action: 'clear' });
    const [record] = await t.server.app.requests.byRequester('slack:U0CAROL');
    expect(record?.source).toMatchObject({ platform: 'slack', sourceUrl: permalink });
    const [card] = await t.fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.channel === 'C0ITDESK' &&
        JSON.stringify(c.args.blocks).includes(record!.reference),
    );
    expect(JSON.stringify(card!.args.blocks)).toContain(permalink);
  });

  it('the Home tab shows the requester their open request, and IT staff the request waiting for triage', async () => {
    const [record] = await t.server.app.requests.byRequester('slack:U0ALICE');
    const home = async (user: string) => {
      await sendEvent(
        t.url,
        signingSecret,
        fixture('event-app-home-opened', { event_id: newEventId(), event: { user } }),
      );
      const [publish] = await t.fake.waitFor((c) => c.method === 'views.publish' && c.args.user_id === user);
      t.fake.calls.splice(t.fake.calls.indexOf(publish!), 1);
      return JSON.stringify((publish!.args.view as Loose).blocks);
    };
    const mine = await home('U0ALICE');
    expect(mine).toContain('Your open requests');
    expect(mine).toContain(`*${record!.reference}* · Visio for the floor plans · _New_`);
    expect(mine).not.toContain('Waiting for triage');
    const staff = await home('U0ITSTAFF');
    expect(staff).toContain('Waiting for triage');
    expect(staff).toContain(record!.reference);
  });

  it('a triage click updates the card in place and tells the requester', async () => {
    const [record] = await t.server.app.requests.byRequester('slack:U0ALICE');
    const [card] = await t.fake.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.channel === 'C0ITDESK',
    );
    const cardTs = String(card!.result?.ts);
    const ack = buttonsOf(card!).find((b) => String(b.action_id).startsWith('triage.ack#'))!;
    const before = t.fake.calls.length;
    await sendInteraction(
      t.url,
      signingSecret,
      fixture('block-actions', {
        user: { id: 'U0ITSTAFF', username: 'sam', name: 'sam', team_id: 'T0001' },
        channel: { id: 'C0ITDESK', name: 'it-desk' },
        container: { type: 'message', message_ts: cardTs, channel_id: 'C0ITDESK', is_ephemeral: false },
        message: { type: 'message', ts: cardTs, text: record!.reference, bot_id: 'BBOT' },
        response_url: t.fake.responseUrl('triage'),
        actions: [
          {
            action_id: ack.action_id,
            block_id: 'b',
            type: 'button',
            value: ack.value,
            text: { type: 'plain_text', text: 'x' },
          },
        ],
      }),
    );
    const [update] = await t.fake.waitFor('chat.update');
    expect(update!.args).toMatchObject({ channel: 'C0ITDESK', ts: cardTs });
    expect(JSON.stringify(update!.args.blocks)).toMatch(/Acknowledged/);
    await t.fake.waitFor(
      (c) =>
        t.fake.calls.indexOf(c) >= before &&
        c.method === 'chat.postMessage' &&
        c.args.channel === 'D0ALICE' &&
        /acknowledged/i.test(JSON.stringify(c.args.blocks)),
    );
    expect((await t.server.app.requests.get(record!.reference))?.status).toBe('acknowledged');
  });
});
