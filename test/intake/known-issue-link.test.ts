// The IT card of an incident links the known-issue announcement (maintenance in effect) it is about, so IT sees
// at once that the problem is already announced; other requests, and incidents about other services, do not.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAs } from '../helpers/test-server.ts';
import { chat, type IntakeServer, startIntakeServer, textOf } from './intake-harness.ts';

let s: IntakeServer;
beforeAll(async () => {
  s = await startIntakeServer({ LIAISONS: 'web:lee' });
});
afterAll(async () => {
  await s?.stop();
});

/** "2026-11-30 14:00" for a time `offsetMs` from now, in UTC (the default NEWSLETTER_TIMEZONE). */
const localIn = (offsetMs: number) =>
  new Date(Date.now() + offsetMs).toISOString().slice(0, 16).replace('T', ' ');

async function itPage(): Promise<string> {
  const res = await fetchAs(s.url, 'ivy', '/it');
  return res.text();
}

async function saveRequest(user: string, values: Record<string, string>): Promise<string> {
  const saved = await chat(s.url, user, { form: { formId: 'intake.request', values } });
  const reference = /(IT-\d{4})/.exec(textOf(saved))?.[1];
  if (!reference) throw new Error(`not saved: ${textOf(saved)}`);
  await s.app.outboxWorker.runOnce();
  return reference;
}

describe('incident cards and known issues', () => {
  it('links the active maintenance announcement from the IT card of a matching incident only', async () => {
    const published = await chat(s.url, 'lee', {
      form: {
        formId: 'announce.create',
        values: {
          title: 'VPN gateway upgrade',
          what: 'Connections will drop for a few minutes.',
          who: 'Everyone working remotely',
          starts: localIn(-3_600_000),
          ends: localIn(3 * 3_600_000),
          category: 'maintenance',
          keywords: 'vpn',
          link: 'https://status.example.com/vpn-upgrade',
          publish: 'scheduled',
        },
      },
    });
    expect(textOf(published)).toMatch(/VPN gateway upgrade/);

    const incident = await saveRequest('nina', {
      kind: 'incident',
      title: 'VPN keeps disconnecting',
      description: 'Since this morning the VPN drops every few minutes.',
      urgency: 'high',
      impact: 'me',
    });
    const printer = await saveRequest('omar', {
      kind: 'incident',
      title: 'Printer jammed',
      description: 'The second floor printer is jammed.',
      urgency: 'low',
      impact: 'team',
    });
    const html = await itPage();
    // Each post on the page is one item; find the one carrying the reference.
    const items = html.split('data-message-id=').slice(1);
    const cardOf = (reference: string) => items.find((item) => item.includes(`${reference} · `)) ?? '';
    expect(cardOf(incident)).toContain('Known issue');
    expect(cardOf(incident)).toContain('https://status.example.com/vpn-upgrade');
    expect(cardOf(incident)).toContain('VPN gateway upgrade');
    expect(cardOf(printer)).not.toContain('VPN gateway upgrade');
  });
});
