// Asks read from their shape, through the web chat API and the reader `intake parse` prints: removals are access
// requests titled as removals (no level or approval asked), a label such as "request:" makes an ask, a sponsor
// named by role is kept, a fault that keeps coming back is a problem report, and a new shared mailbox, list or
// channel is a short-titled request of kind other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpening } from '../../src/intake/opening-parse.ts';
import { chat, type IntakeServer, only, startIntakeServer, textOf } from './intake-harness.ts';

let s: IntakeServer;
const timeZone = 'Europe/London';
const context = { now: new Date('2026-12-03T10:00:00Z'), timeZone };
const read = (text: string) => parseOpening(text, context);

beforeAll(async () => {
  s = await startIntakeServer({ INTAKE_TIMEZONE: timeZone });
});

afterAll(async () => {
  await s?.stop();
});

/** Confirms the summary on the screen and returns the saved record. */
async function confirm(userId: string) {
  const saved = only(await chat(s.url, userId, { action: { id: 'intake.confirm' } }), 'notice');
  return (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
}

describe('removing access', () => {
  it('saves a removal as an access request titled as a removal, without asking a level or an approval', async () => {
    const start = await chat(s.url, 'rosa', {
      text: 'please remove Jake from the sales distribution list, he left last week',
    });
    expect(textOf(start)).toMatch(/take this down/);
    expect(textOf(start)).not.toMatch(/What level of access|manager approved/);
    const record = await confirm('rosa');
    expect(record).toMatchObject({
      kind: 'access',
      title: 'Remove Jake from sales distribution list',
      affected: 'Jake',
    });
    expect(record.description).toContain('Change: remove access');
    expect(record.description).not.toContain('Access level');
  });

  it('asks whose account it is when a removal names nobody, in words that fit a removal', async () => {
    const start = await chat(s.url, 'ugo', { text: 'disable the account of a leaver' });
    expect(textOf(start)).toMatch(/Whose access or account is it/);
    expect(textOf(start)).not.toMatch(/What level of access/);
    only(await chat(s.url, 'ugo', { text: 'Marta Lopez' }), 'card');
    const record = await confirm('ugo');
    expect(record).toMatchObject({
      kind: 'access',
      title: 'Disable account of a leaver',
      affected: 'Marta Lopez',
    });
    expect(record.description).toContain('Change: remove access');
  });

  it('reads the other ways of taking access away, and still treats giving access as a grant', () => {
    expect(read('take Priya off the finance share')).toMatchObject({
      route: 'request',
      kind: 'access',
      title: 'Remove Priya from finance share',
      fields: { affected: 'Priya' },
      missing: [],
    });
    expect(read("revoke Tom's VPN access")).toMatchObject({
      route: 'request',
      kind: 'access',
      title: "Revoke Tom's VPN access",
      fields: { affected: 'Tom' },
    });
    expect(read('Anika no longer needs access to the CRM')).toMatchObject({
      kind: 'access',
      title: 'Remove access to CRM for Anika',
    });
    const me = read('please take me off the newsletter mailing list');
    expect(me).toMatchObject({
      kind: 'access',
      title: 'Remove me from newsletter mailing list',
      missing: [],
    });
    expect(me.fields.description).toContain('Change: remove access');
    // A grant keeps its plan: level and approval are asked, and nothing says "remove".
    const grant = read('please add Jo to the payroll share');
    expect(grant.missing).toEqual(['level', 'approval']);
    expect(grant.fields.description).not.toContain('Change:');
    // A question about removing is still a question, and a product is not a person taken off.
    expect(read('how do I remove someone from a distribution list?').route).toBe('answer');
    expect(read('why was my account disabled?').route).toBe('answer');
    expect(read('remove Teams from startup please').title).not.toMatch(/^Remove Teams from/);
  });
});

describe('a label in front', () => {
  it('starts a request for "request: …" even though the words alone read like a question', async () => {
    const start = await chat(s.url, 'lola', { text: 'request: a headset for calls' });
    expect(textOf(start)).toMatch(/take this down/);
    expect(read('request: a headset for calls')).toMatchObject({ route: 'request', kind: 'hardware' });
  });

  it('reads the other labels as asks, titles without the label, and keeps a how-to question an answer', () => {
    expect(read('req: Visio for the floor plans')).toMatchObject({
      route: 'request',
      kind: 'software',
      title: 'Visio for floor plans',
    });
    expect(read('IT request - add Jo to the payroll share')).toMatchObject({
      route: 'request',
      kind: 'access',
    });
    // A label does not make a broken thing a purchase: it is still an incident.
    expect(read('ticket: the label printer in dispatch keeps jamming')).toMatchObject({
      route: 'request',
      kind: 'incident',
    });
    expect(read('New request: shared calendar for the interns')).toMatchObject({
      route: 'request',
      title: 'Shared calendar for interns',
    });
    expect(read('request: how do I get a second monitor?').route).toBe('answer');
  });
});

describe('a sponsor named by role', () => {
  it('keeps a sponsor given with a role and does not ask for one', async () => {
    const start = await chat(s.url, 'cato', {
      text: 'idea: a kiosk for visitor badges at reception, Sarah the COO could sponsor it',
    });
    expect(textOf(start)).toMatch(/What problem would it solve/);
    expect(
      read('idea: a kiosk for visitor badges at reception, Sarah the COO could sponsor it'),
    ).toMatchObject({
      kind: 'project',
      fields: { sponsor: 'Sarah (COO)' },
    });
    expect(
      read('idea: a kiosk for visitor badges at reception, Sarah the COO could sponsor it').missing,
    ).not.toContain('sponsor');
  });

  it('reads "sponsored by", "our sponsor would be", "is backing it" and "sponsor:"', () => {
    const sponsor = (text: string) => read(text).fields.sponsor;
    expect(sponsor('we should digitise the visitor book, sponsored by the CFO')).toBe('CFO');
    expect(sponsor('proposal: self-service leave booking, our sponsor would be Dana (Head of Ops)')).toBe(
      'Dana (Head of Ops)',
    );
    expect(sponsor('what if we had a chatbot for HR questions? the COO is backing it')).toBe('COO');
    expect(sponsor('Idea: QR codes on every asset. Sponsor: our finance director')).toBe('Finance director');
    expect(sponsor('we should replace the paper timesheets, my manager would back it')).toBe('My manager');
    // Nobody named: the question stays.
    const none = read('we should build a booking tool, someone senior could sponsor it');
    expect(none.fields.sponsor).toBeUndefined();
    expect(none.missing).toContain('sponsor');
  });
});

describe('a fault that keeps coming back', () => {
  it('is a problem report: the article with "Still stuck?", or a request when no article fits', async () => {
    // Before, these were read as questions: an answer (or "I'm not sure") and no way to IT.
    const answered = await chat(s.url, 'wren', {
      text: 'the VPN cuts out all the time',
    });
    expect(textOf(answered)).toMatch(/Still stuck\? Press \*\*Ask IT\*\*/);
    const noArticle = await chat(s.url, 'wade', {
      text: 'the badge reader at the loading bay door randomly restarts',
    });
    expect(textOf(noArticle)).toMatch(/take this down/);
    expect(textOf(noArticle)).toMatch(/Since when/);
    const wifi = await chat(s.url, 'wynn', {
      text: 'the wifi in meeting room Orion drops every few minutes',
    });
    expect(textOf(wifi)).toMatch(/Still stuck\?|take this down/);
  });

  it('reads the usual ways of saying it, and keeps how-to questions about them as questions', () => {
    for (const text of [
      'the wifi in meeting room Orion drops every few minutes',
      'my headset cuts out mid-call',
      'Excel freezes all the time',
      'my laptop randomly restarts',
      'the projector in room 4 turns off by itself',
      'Teams keeps disconnecting during calls',
    ])
      expect(read(text), text).toMatchObject({ route: 'problem', kind: 'incident' });
    expect(read('how do I stop teams from freezing?').route).toBe('answer');
    expect(read('why does outlook keep logging me out?').route).toBe('answer');
    // An everyday verb without how often is not a fault.
    expect(read('Outlook restarts after updates').route).toBe('answer');
  });
});

describe('a new shared mailbox, list, team or folder', () => {
  it('saves it as a request of kind other with a short title', async () => {
    const start = await chat(s.url, 'ines', {
      text: 'our team needs a shared mailbox for supplier invoices',
    });
    expect(textOf(start)).toMatch(/take this down/);
    const card = only(await chat(s.url, 'ines', { text: 'no rush' }), 'card');
    expect(textOf([card])).toMatch(/Shared mailbox for supplier invoices/);
    const record = await confirm('ines');
    expect(record).toMatchObject({ kind: 'other', title: 'Shared mailbox for supplier invoices' });
  });

  it('reads lists, channels and folders the same way, and access to an existing one as access', () => {
    expect(read('could we get a new distribution list for the site leads')).toMatchObject({
      kind: 'other',
      title: 'Distribution list for site leads',
    });
    expect(read('please set up a Teams channel for the spring launch')).toMatchObject({
      kind: 'other',
      title: 'Teams channel for spring launch',
    });
    expect(read('we need a shared drive folder for the audit files by Friday')).toMatchObject({
      kind: 'other',
      title: 'Shared drive folder for audit files',
      fields: { neededBy: '2026-12-04' },
    });
    expect(read('I need access to the HR shared mailbox').kind).toBe('access');
  });
});
