// A request from start to finish in Teams, over real HTTP: the requester opens the form, misses a field, fixes
// it, the request is saved and posted to the IT channel (proactively), IT staff triage it from the card, the
// card is updated in place and the requester hears about it in their 1:1 chat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestRepository } from '../../src/store/repositories/requests.ts';
import { type ConnectorRequest, cardOf, cardText } from './fake-connector.ts';
import { startTeamsTestServer, type TeamsTestServer } from './teams-harness.ts';

const itChannel = '19:4d7c1e9a2b8f4c6d9e0a1b2c3d4e5f60@thread.tacv2';
const tenant = '9a8b7c6d-1111-4222-8333-444455556666';
const danaChat = 'a:1Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa-personal-chat-with-dana';
const dana = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const samAsStaff = 'teams:0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';

type Element = { type: string; id?: string; color?: string; text?: string; actions?: Action[] };
type Action = { type: string; title: string; data?: Record<string, unknown> };

const bodyOf = (r: ConnectorRequest) => cardOf(r.body).body as Element[];
const actionsOf = (r: ConnectorRequest) => bodyOf(r).flatMap((e) => e.actions ?? []);

let t: TeamsTestServer;

beforeAll(async () => {
  t = await startTeamsTestServer({ IT_DESTINATIONS: `teams:${itChannel}`, IT_STAFF: samAsStaff });
  // Installing the app in the team is what lets IT Buddy reach the IT channel.
  await t.post(t.activity('bot-added-to-team'));
  await t.channel.idle();
});
afterAll(async () => {
  await t?.stop();
});

describe('a request in Teams', () => {
  let form: Action;
  let reference: string;
  let itPost: ConnectorRequest;

  it('`request form` answers with the request form as a card', async () => {
    await t.post(t.activity('personal-message', { id: 'flow-1', text: 'request form' }));
    const sent = await t.connector.replyTo('flow-1');
    const inputs = bodyOf(sent).filter((e) => e.type.startsWith('Input.'));
    expect(inputs.map((i) => i.id)).toEqual(
      expect.arrayContaining(['title', 'description', 'kind', 'urgency', 'impact']),
    );
    const submit = actionsOf(sent).find((a) => a.data && 'form' in a.data);
    expect(submit?.data).toEqual({ form: { formId: 'intake.request' } });
    form = submit!;
  });

  it('a submission missing a required field comes back with the error under that field', async () => {
    const values = {
      title: 'Visio for floor plans',
      kind: 'software',
      urgency: 'medium',
      impact: 'me',
      businessNeed: '',
    };
    await t.post(
      t.activity('card-submit', { id: 'flow-2', value: { ...form.data, ...values, description: '' } }),
    );
    const sent = await t.connector.replyTo('flow-2');
    const body = bodyOf(sent);
    const at = body.findIndex((e) => e.id === 'description');
    expect(at).toBeGreaterThanOrEqual(0);
    const after = body.slice(
      at + 1,
      body.findIndex((e, i) => i > at && e.type.startsWith('Input.')),
    );
    expect(after.some((e) => e.color === 'Attention')).toBe(true);
    expect(body.find((e) => e.id === 'title')).toMatchObject({ value: 'Visio for floor plans' });
    expect(await createRequestRepository(t.app.store).byRequester(`teams:${dana}`, 10)).toEqual([]);
  });

  it('a complete submission is saved and confirmed with its reference', async () => {
    const values = {
      title: 'Visio for floor plans',
      description: 'I need Visio to draw the new office floor plans.',
      kind: 'software',
      urgency: 'medium',
      impact: 'me',
      businessNeed: 'The move is in March and the plans are due next week.',
    };
    await t.post(t.activity('card-submit', { id: 'flow-3', value: { ...form.data, ...values } }));
    const sent = await t.connector.replyTo('flow-3');
    const found = /IT-\d+/.exec(cardText(sent.body));
    expect(found).not.toBeNull();
    reference = found![0];
    const record = await createRequestRepository(t.app.store).get(reference);
    expect(record).toMatchObject({ title: 'Visio for floor plans', requesterKey: `teams:${dana}` });
  });

  it('is posted to the IT channel, proactively, with the triage buttons', async () => {
    itPost = await t.connector.waitFor(
      (r) => r.method === 'POST' && r.conversationId === itChannel && cardText(r.body).includes(reference),
    );
    expect(itPost.activityId).toBeUndefined();
    expect(itPost.body.conversation).toMatchObject({ id: itChannel, tenantId: tenant });
    expect(
      actionsOf(itPost).some((a) => (a.data?.action as { id?: string })?.id === 'triage.assign_me'),
    ).toBe(true);
  });

  it('IT staff press "assign to me" on the card: the card is updated in place and the requester is told', async () => {
    const assign = actionsOf(itPost).find(
      (a) => (a.data?.action as { id?: string })?.id === 'triage.assign_me',
    )!;
    await t.post(
      t.activity('card-submit', {
        id: 'flow-4',
        from: {
          id: '29:1mJ8nK9oL0pQ1rS2tU3vW4xY5zA6bC7dE8fG9hI0jK-1b2c3d4e5f6a',
          name: 'Sam Okafor',
          aadObjectId: '0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
        },
        conversation: {
          isGroup: true,
          conversationType: 'channel',
          tenantId: tenant,
          id: `${itChannel};messageid=${itPost.answeredId}`,
        },
        value: assign.data,
      }),
    );
    const ack = await t.connector.replyTo('flow-4');
    expect(cardText(ack.body)).toContain(reference);

    const updated = await t.connector.waitFor(
      (r) => r.method === 'PUT' && r.activityId === itPost.answeredId,
    );
    expect(updated.conversationId).toBe(itChannel);
    expect(cardText(updated.body)).toContain('Sam Okafor');

    const told = await t.connector.waitFor(
      (r) => r.method === 'POST' && r.conversationId === danaChat && r.activityId === undefined,
    );
    expect(cardText(told.body)).toContain(reference);

    const record = await createRequestRepository(t.app.store).get(reference);
    expect(record?.assignee?.name).toBe('Sam Okafor');
  });

  it("the command list's `status`, with no reference, lists the requester's requests", async () => {
    await t.post(t.activity('personal-message', { id: 'flow-5', text: 'status' }));
    const sent = await t.connector.replyTo('flow-5');
    expect(cardText(sent.body)).toContain(reference);
    expect(cardText(sent.body)).toContain('Visio for floor plans');
  });
});
