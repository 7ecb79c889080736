// Answers checked against the question they answer, through the bot core and the web chat API: manager approval
// read from natural answers (never a date, a reason or a question), "who is it for?" kept only for a person or a
// group, a request for someone else never shown as "Just me", and an idea's title kept short.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/slack/render-blocks.ts';
import { renderCards } from '../../adapters/teams/render-cards.ts';
import { parseOpening } from '../../src/intake/opening-parse.ts';
import { summaryCard } from '../../src/intake/request-cards.ts';
import type { Card, Form, Reply } from '../../src/messages/replies.ts';
import { fetchAs } from '../helpers/test-server.ts';
import { chat, type IntakeServer, only, say as sayTo, startIntakeServer, textOf } from './intake-harness.ts';

let s: IntakeServer;
const timeZone = 'Europe/London';

beforeAll(async () => {
  s = await startIntakeServer({ INTAKE_TIMEZONE: timeZone });
});

afterAll(async () => {
  await s?.stop();
});

/** One turn through the bot core, as any adapter hands it over. */
const say = (userId: string, text: string): Promise<Reply[]> => sayTo(s, userId, text);

/** Confirms the summary over the web API and returns the saved record. */
async function confirmed(userId: string) {
  const saved = only(await chat(s.url, userId, { action: { id: 'intake.confirm' } }), 'notice');
  return (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
}

const approvalQuestion = /Has your manager approved it\?/;

/** Starts an access request that has its level, so the next question is the approval. */
async function atApproval(userId: string): Promise<void> {
  const start = await say(userId, 'Could I get read only access to the payroll folder?');
  expect(textOf(start)).toMatch(approvalQuestion);
}

describe('the manager approval question', () => {
  it.each([
    ['yes she did', 'Manager approval: Yes'],
    ['my manager Priya approved it on Monday', 'Manager approval: Yes, by Priya'],
    ['not yet', 'Manager approval: Not yet'],
    ["I'll ask him", "Manager approval: Not yet — I'll ask him"],
    ['waiting on it', 'Manager approval: Not yet — waiting on it'],
    ['I need to ask my manager', 'Manager approval: Not yet — I need to ask my manager'],
    ["no need, it's read-only", "Manager approval: Not needed — no need, it's read-only"],
    ['idk', 'Manager approval: Not known'],
  ])('takes %j as an answer and goes on to the summary', async (answer, note) => {
    const user = `appr-${answer.replace(/\W+/g, '-')}`;
    await atApproval(user);
    const replies = await say(user, answer);
    expect(textOf(replies)).not.toMatch(approvalQuestion);
    const card = only(replies, 'card') as Card;
    expect(textOf([card])).toContain(note);
  });

  it('fills the date from a date, keeps a reason as why, and asks again each time without saving either as approval', async () => {
    await chat(s.url, 'abel', { text: 'Could I get read only access to the payroll folder?' });
    const dated = await chat(s.url, 'abel', { text: 'by Friday' });
    expect(only(dated, 'notice').text).toMatch(/the date you need it by: \*\*\w{3} \d{1,2} \w{3} \d{4}\*\*/);
    expect(textOf(dated)).toMatch(approvalQuestion);
    const reason = await chat(s.url, 'abel', { text: 'I need it for the year-end audit' });
    expect(only(reason, 'notice').text).toMatch(/why it's needed/);
    expect(textOf(reason)).toMatch(approvalQuestion);
    only(await chat(s.url, 'abel', { text: 'yes' }), 'card');
    const record = await confirmed('abel');
    expect(record.description).toContain('Manager approval: Yes');
    expect(record.description).not.toMatch(/Manager approval: (?:by Friday|I need)/);
    expect(record.businessNeed).toBe('I need it for the year-end audit');
    expect(new Date(`${record.neededBy}T00:00:00Z`).getUTCDay()).toBe(5);
  });

  it('answers a question asked instead, then asks once more with a clearer hint, then keeps the words as a note', async () => {
    await chat(s.url, 'bea', { text: 'Could I get read only access to the payroll folder?' });
    // A how-to question is answered and the request waits; it is never kept as the approval.
    const question = await chat(s.url, 'bea', { text: 'how do I find out who my manager is?' });
    expect(textOf(question)).toMatch(/still open/);
    const unclear = await chat(s.url, 'bea', { text: 'the one in finance' });
    expect(textOf(unclear)).toMatch(/_not yet_, or _not needed_/);
    expect(textOf(unclear)).toMatch(approvalQuestion);
    // A correction no field takes goes to what IT reads, and the question is asked again.
    const correction = await chat(s.url, 'bea', { text: 'actually the folder is Payroll 2027' });
    expect(only(correction, 'notice').text).toMatch(/Noted that for IT/);
    expect(textOf(correction)).toMatch(approvalQuestion);
    // A second answer that still does not fit is kept as a note for IT rather than asked forever.
    const note = await chat(s.url, 'bea', { text: 'ask Dana in payroll' });
    expect(textOf(note)).not.toMatch(approvalQuestion);
    only(note, 'card');
    const record = await confirmed('bea');
    expect(record.description).not.toMatch(/who my manager is|the one in finance/);
    expect(record.description).toContain('actually the folder is Payroll 2027');
    expect(record.description).not.toContain('Manager approval: actually');
    expect(record.description).toContain('Manager approval: ask Dana in payroll');
  });

  it('never keeps a correction of who it is for as the approval', async () => {
    await atApproval('cato');
    const team = await say('cato', "actually it's for the whole team");
    expect(only(team, 'notice').text).toMatch(/My team/);
    expect(textOf(team)).toMatch(approvalQuestion);
    expect(textOf([only(await say('cato', 'not yet'), 'card')])).toContain('Manager approval: Not yet');
  });
});

describe('"who is it for?"', () => {
  const start = 'Could I have Visio by end of next week?';

  it.each([
    ['Sam Patel', 'Sam Patel'],
    ['Priya from accounts', 'Priya'],
    ['the new starter', 'the new starter'],
    ['sales', 'sales'],
    ['everyone in finance', 'everyone in finance'],
    ['for our new hire Sam', 'Sam'],
  ])('keeps %j as who it is for', async (answer, affected) => {
    const user = `who-${answer.replace(/\W+/g, '-')}`;
    expect(textOf(await say(user, start))).toMatch(/Who is it for/);
    expect(textOf(await say(user, answer))).toMatch(/What do you need it for/);
    const card = only(await say(user, "that's all"), 'card') as Card;
    expect(textOf([card])).toContain(`Affected: ${affected}`);
  });

  it('takes "my team" as the team and "me" as just the requester', async () => {
    await say('dina', start);
    await say('dina', 'my team');
    expect(textOf([only(await say('dina', "that's all"), 'card')])).toMatch(/Who it affects: My team/);
    await say('eli', start);
    await say('eli', 'me');
    expect(textOf([only(await say('eli', "that's all"), 'card')])).toMatch(/Who it affects: Just me/);
  });

  it('keeps a sentence that names nobody as why, asks again, and then keeps the person', async () => {
    expect(textOf(await chat(s.url, 'gil', { text: start }))).toMatch(/Who is it for/);
    const reason = await chat(s.url, 'gil', { text: 'drawing the office floor plans for the move' });
    expect(only(reason, 'notice').text).toMatch(/why it's needed/);
    expect(textOf(reason)).toMatch(/Who is it for/);
    const summary = await chat(s.url, 'gil', { text: 'the new starter' });
    only(summary, 'card');
    const record = await confirmed('gil');
    expect(record.affected).toBe('the new starter');
    expect(record.businessNeed).toBe('drawing the office floor plans for the move');
  });

  it('never keeps "yes" as the person: asks once with examples, then leaves the question out', async () => {
    await chat(s.url, 'hal', { text: start });
    const yes = await chat(s.url, 'hal', { text: 'yes' });
    expect(textOf(yes)).toMatch(/a person or a group here/);
    expect(textOf(yes)).toMatch(/Who is it for/);
    const again = await chat(s.url, 'hal', { text: 'yes' });
    expect(textOf(again)).not.toMatch(/Who is it for/);
    expect(textOf(again)).toMatch(/What do you need it for/);
    await chat(s.url, 'hal', { text: 'process maps' });
    const record = await confirmed('hal');
    expect(record.affected).toBeNull();
  });
});

describe('who it affects, for a request for someone else', () => {
  it('shows one person, not "Just me", to the requester, in the form and on the IT card', async () => {
    const text = 'Please set up a laptop for our new hire Sam, desk 4.12';
    const started = await chat(s.url, 'ines', { text });
    expect(textOf(started)).toMatch(/take this down/);
    const summary = only(await chat(s.url, 'ines', { text: "that's all" }), 'card') as Card;
    expect(textOf([summary])).toMatch(/Who it affects: One person/);
    expect(textOf([summary])).not.toMatch(/Just me/);
    expect(textOf([summary])).toMatch(/Affected: Sam/);

    const form = only(await chat(s.url, 'ines', { action: { id: 'intake.edit' } }), 'form') as Form;
    const impact = form.fields.find((f) => f.name === 'impact')!;
    expect(impact.options?.find((o) => o.value === 'me')?.label).toBe('One person');

    const record = await confirmed('ines');
    expect(record.impact).toBe('me');
    expect(record.affected).toBe('Sam');
    // The card IT triages from, as the web IT inbox shows it (Slack and Teams render the same neutral card).
    await s.app.outboxWorker.runOnce();
    const page = await (await fetchAs(s.url, 'ivy', '/it')).text();
    const at = page.indexOf(`${record.reference} · `);
    expect(at).toBeGreaterThanOrEqual(0);
    const post = page.slice(at, page.indexOf('</article>', at));
    expect(post).toMatch(/Who it affects[\s\S]{0,80}One person/);
    expect(post).not.toMatch(/Just me/);
    // Slack and Teams draw the same card from the stored record.
    const card = summaryCard(record);
    const slack = JSON.stringify(renderMessage([card]));
    const teams = JSON.stringify(renderCards([card]));
    for (const rendered of [slack, teams]) {
      expect(rendered).toContain('One person');
      expect(rendered).not.toContain('Just me');
    }
  });
});

describe('an idea gets a short title', () => {
  it('titles an idea with what is proposed, not the whole sentence', async () => {
    const text =
      'Idea: we should have a shared booking tool for the meeting rooms because people keep double booking them and it wastes time every week';
    expect(parseOpening(text, { now: new Date(), timeZone }).title).toBe(
      'Shared booking tool for meeting rooms',
    );
    await chat(s.url, 'jon', { text });
    await chat(s.url, 'jon', { text: 'rooms get double-booked' });
    const summary = only(await chat(s.url, 'jon', { text: "that's all" }), 'card') as Card;
    expect(summary.title).toBe('Shared booking tool for meeting rooms');
    const record = await confirmed('jon');
    expect(record.title).toBe('Shared booking tool for meeting rooms');
    expect(record.description).toBe(text);
  });

  it('keeps a title when nothing but the offer is left, and never over 80 characters', async () => {
    for (const text of [
      'I have an idea',
      'Proposal: replace the paper holiday forms with an online workflow for the whole department and every office',
    ]) {
      const title = parseOpening(text, { now: new Date(), timeZone }).title!;
      expect(title.length).toBeGreaterThanOrEqual(3);
      expect(title.length).toBeLessThanOrEqual(80);
    }
  });
});
