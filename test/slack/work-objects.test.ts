// Links to IT requests unfurl as Slack Work Objects, over HTTP against the fake Slack Web API: the requester sharing
// a link (or IT staff in an IT channel) gets the request's title, status, priority and assignee; any other link
// unfurls as a plain "IT request"; the details flexpane is checked per viewer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/intake/request-schema.ts';
import { type AdapterHarness, startAdapterHarness } from './adapter-harness.ts';
import { newEventId, sendEvent } from './fake-slack.ts';
import { signingSecret } from './slack-harness.ts';

const publicUrl = 'https://buddy.example.com';
let h: AdapterHarness;

const record: RequestRecord = {
  reference: 'IT-0042',
  kind: 'software',
  title: 'Visio for the floor plans',
  description: 'I need Visio to draw the new office floor plans.',
  businessNeed: 'Office move',
  urgency: 'medium',
  impact: 'me',
  neededBy: null,
  affected: null,
  expectedBenefit: null,
  costOrRisk: null,
  sponsor: null,
  priority: 'P3',
  status: 'in_progress',
  requester: { platform: 'slack', userId: 'U0ALICE', name: 'Alice' },
  requesterKey: 'slack:U0ALICE',
  department: null,
  source: { platform: 'slack', conversationId: 'slack:D0ALICE' },
  assignee: { key: 'slack:U0ITBOB', name: 'Bob from IT' },
  history: [],
  secretsMasked: false,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  acknowledgedAt: '2026-12-01T10:00:00.000Z',
  resolvedAt: null,
  version: 1,
};

beforeAll(async () => {
  h = await startAdapterHarness({
    env: { PUBLIC_URL: publicUrl, IT_STAFF: 'slack:U0ITBOB', IT_DESTINATIONS: 'slack:C0ITDESK' },
  });
  await h.app.requests.insert(record);
});
afterEach(() => h.fake.reset());
afterAll(async () => {
  await h?.stop();
});

function linkShared(user: string, url = `${publicUrl}/requests/IT-0042`, channel = 'C0GENERAL') {
  return {
    team_id: 'T0001',
    api_app_id: 'A0001',
    type: 'event_callback',
    event_id: newEventId(),
    event_time: 1700000900,
    event: {
      type: 'link_shared',
      channel,
      is_bot_user_member: true,
      user,
      message_ts: '1700000900.000100',
      unfurl_id: 'Uf0001',
      source: 'conversations_history',
      links: [
        { domain: 'buddy.example.com', url },
        { domain: 'example.org', url: 'https://example.org/not-ours' },
      ],
      event_ts: '1700000900.000101',
    },
  };
}

function detailsRequested(user: string) {
  return {
    team_id: 'T0001',
    api_app_id: 'A0001',
    type: 'event_callback',
    event_id: newEventId(),
    event_time: 1700000950,
    event: {
      type: 'entity_details_requested',
      user,
      external_ref: { id: 'IT-0042', type: 'it_request' },
      entity_url: `${publicUrl}/requests/IT-0042`,
      link: { url: `${publicUrl}/requests/IT-0042`, domain: 'buddy.example.com' },
      app_unfurl_url: `${publicUrl}/requests/IT-0042`,
      trigger_id: '1234.5678.abcd',
      channel: 'C0GENERAL',
      message_ts: '1700000900.000100',
      event_ts: '1700000950.000001',
    },
  };
}

describe('a link to a request', () => {
  it('shared by its requester unfurls as a Task Work Object with title, status, priority and assignee', async () => {
    expect((await sendEvent(h.url, signingSecret, linkShared('U0ALICE'))).status).toBe(200);
    const [unfurl] = await h.fake.waitFor('chat.unfurl');
    expect(unfurl!.args).toMatchObject({ unfurl_id: 'Uf0001', source: 'conversations_history' });
    const metadata = unfurl!.args.metadata as { entities: Array<Record<string, unknown>> };
    // Only our link: the other domain is left to Slack.
    expect(metadata.entities).toHaveLength(1);
    expect(metadata.entities[0]).toEqual({
      entity_type: 'slack#/entities/task',
      app_unfurl_url: `${publicUrl}/requests/IT-0042`,
      url: `${publicUrl}/requests/IT-0042`,
      external_ref: { id: 'IT-0042', type: 'it_request' },
      entity_payload: {
        attributes: {
          title: { text: 'IT-0042 · Visio for the floor plans' },
          display_type: 'IT request',
          display_id: 'IT-0042',
          product_name: 'IT Buddy',
        },
        fields: {
          status: { value: 'In progress', label: 'Status' },
          priority: { value: 'P3', label: 'Priority' },
          assignee: { type: 'slack#/types/user', label: 'Assignee', user: { user_id: 'U0ITBOB' } },
          date_created: { value: Date.parse(record.createdAt) / 1000, label: 'Opened' },
          date_updated: { value: Date.parse(record.updatedAt) / 1000, label: 'Updated' },
        },
      },
    });
  });

  it('shared by someone who may not see it unfurls as a plain "IT request"', async () => {
    await sendEvent(h.url, signingSecret, linkShared('U0MALLORY'));
    const [unfurl] = await h.fake.waitFor('chat.unfurl');
    const text = JSON.stringify(unfurl!.args.metadata);
    expect((unfurl!.args.metadata as { entities: unknown[] }).entities[0]).toMatchObject({
      entity_payload: { attributes: { title: { text: 'IT request' } } },
    });
    for (const secret of ['Visio', 'P3', 'In progress', 'U0ITBOB', 'floor plans'])
      expect(text).not.toContain(secret);
  });

  it('shared by IT staff in a channel that is not an IT channel unfurls as a plain "IT request"', async () => {
    // Everyone in the channel sees the unfurl, and they may not see the request.
    await sendEvent(h.url, signingSecret, linkShared('U0ITBOB'));
    const [unfurl] = await h.fake.waitFor('chat.unfurl');
    const text = JSON.stringify(unfurl!.args.metadata);
    expect(text).toContain('"title":{"text":"IT request"}');
    for (const secret of ['Visio', 'P3', 'In progress']) expect(text).not.toContain(secret);
  });

  it('shared by IT staff in an IT channel unfurls with title, status and priority', async () => {
    await sendEvent(h.url, signingSecret, linkShared('U0ITBOB', `${publicUrl}/requests/IT-0042`, 'C0ITDESK'));
    const [unfurl] = await h.fake.waitFor('chat.unfurl');
    const entity = (unfurl!.args.metadata as { entities: Record<string, unknown>[] }).entities[0];
    expect(entity).toMatchObject({
      entity_payload: {
        attributes: { title: { text: 'IT-0042 · Visio for the floor plans' } },
        fields: { status: { value: 'In progress' }, priority: { value: 'P3' } },
      },
    });
  });

  it('opens its details flexpane for IT staff, with the description', async () => {
    await sendEvent(h.url, signingSecret, detailsRequested('U0ITBOB'));
    const [details] = await h.fake.waitFor('entity.presentDetails');
    expect(details!.args.trigger_id).toBe('1234.5678.abcd');
    expect(details!.args.error).toBeUndefined();
    expect(details!.args.metadata).toMatchObject({
      external_ref: { id: 'IT-0042' },
      entity_payload: { fields: { description: { value: record.description, long: true } } },
    });
  });

  it('opens its details flexpane for the requester, whoever shared the link', async () => {
    await sendEvent(h.url, signingSecret, detailsRequested('U0ALICE'));
    const [details] = await h.fake.waitFor('entity.presentDetails');
    expect(details!.args.error).toBeUndefined();
    expect(details!.args.metadata).toMatchObject({
      external_ref: { id: 'IT-0042', type: 'it_request' },
      entity_payload: { attributes: { title: { text: 'IT-0042 · Visio for the floor plans' } } },
    });
  });

  it('refuses the details flexpane to anyone else', async () => {
    await sendEvent(h.url, signingSecret, detailsRequested('U0MALLORY'));
    const [details] = await h.fake.waitFor('entity.presentDetails');
    expect(details!.args.metadata).toBeUndefined();
    expect(details!.args.error).toMatchObject({ status: 'custom' });
    expect(JSON.stringify(details!.args)).not.toContain('Visio');
  });
});
