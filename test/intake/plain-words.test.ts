// Requests understood from plain words, as conversations through the bot core and the web chat API: the kind
// from the whole sentence, only the kind's missing questions, answers checked against the question, corrections
// and "that's all" at any point, outages logged at once, and the form pre-filled with what `intake parse` reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpening } from '../../src/intake/opening-parse.ts';
import type { Card, Form, Reply } from '../../src/messages/replies.ts';
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

/** Questions in a turn: choices, or text ending in "?" (what the user has to answer). */
function questionsIn(replies: readonly Reply[]): number {
  return replies.filter(
    (r) => r.type === 'choices' || (r.type === 'text' && /\?\s*(?:\(.*\))?$/.test(r.text)),
  ).length;
}

/** Today in the test's time zone, as YYYY-MM-DD. */
function today(): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

describe('the Visio example, through the bot core', () => {
  it('reads a software request, keeps a date typed to the wrong question, and finishes in three questions', async () => {
    const opening = await say('vera', 'I need Visio installed for a project');
    // Software, not a project: no benefit, cost or sponsor questions.
    expect(textOf(opening)).toMatch(/Who is it for/);
    expect(textOf(opening)).not.toMatch(/benefit|sponsor|cost/i);
    let asked = questionsIn(opening);

    const forWhom = await say('vera', 'just me');
    expect(textOf(forWhom)).toMatch(/What do you need it for/);
    asked += questionsIn(forWhom);

    // A date typed as the answer to "why" fills the date, and "why" is asked again.
    const wrong = await say('vera', 'by end of next week');
    expect(textOf(wrong)).toMatch(/Noted — the date you need it by: \*\*\w{3} \d{1,2} \w{3} \d{4}\*\*/);
    expect(textOf(wrong)).toMatch(/What do you need it for/);

    const why = await say('vera', 'drawing the process maps for the warehouse move');
    // The date is known, so nothing is left to ask: the summary comes next.
    const summary = only(why, 'card') as Card;
    expect(summary.kind).toBe('request');
    expect(asked).toBeLessThanOrEqual(3);

    const saved = only(await say('vera', 'yes'), 'notice');
    const reference = /IT-\d{4,}/.exec(saved.text)![0];
    const record = (await s.app.requests.get(reference))!;
    expect(record.kind).toBe('software');
    expect(record.title).toBe('Visio');
    expect(record.businessNeed).toBe('drawing the process maps for the warehouse move');
    expect(record.impact).toBe('me');
    expect(record.expectedBenefit).toBeNull();
    expect(record.sponsor).toBeNull();
    // "End of next week" is the Friday of next week, in the future.
    const due = new Date(`${record.neededBy}T00:00:00Z`);
    expect(due.getUTCDay()).toBe(5);
    expect(record.neededBy! > today()).toBe(true);
    expect(record.neededBy! <= new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10)).toBe(true);
  });
});

describe('answers checked against the question, over the web chat API', () => {
  it('never keeps "yes" as a sponsor or a benefit, and takes "not yet" as no sponsor', async () => {
    const start = await chat(s.url, 'pia', {
      text: 'I have an idea: a shared calendar for all meeting rooms',
    });
    expect(textOf(start)).toMatch(/What problem would it solve/);
    expect(textOf(await chat(s.url, 'pia', { text: 'rooms get double-booked every week' }))).toMatch(
      /expected benefit/,
    );
    const yesToBenefit = await chat(s.url, 'pia', { text: 'yes' });
    expect(textOf(yesToBenefit)).toMatch(/a few words/);
    expect(textOf(yesToBenefit)).toMatch(/expected benefit/);
    expect(textOf(await chat(s.url, 'pia', { text: 'fewer clashes and no more walking round' }))).toMatch(
      /cost or risk/,
    );
    expect(textOf(await chat(s.url, 'pia', { text: 'idk' }))).toMatch(/sponsoring/);
    const yesToSponsor = await chat(s.url, 'pia', { text: 'yes' });
    expect(textOf(yesToSponsor)).toMatch(/Who is it\? A name is enough/);
    expect(textOf(await chat(s.url, 'pia', { text: 'not yet' }))).toMatch(/deadline/);
    const summary = only(await chat(s.url, 'pia', { text: "that's all" }), 'card') as Card;
    expect(textOf([summary])).not.toMatch(/\byes\b/i);

    const saved = only(await chat(s.url, 'pia', { action: { id: 'intake.confirm' } }), 'notice');
    const record = (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
    expect(record).toMatchObject({
      kind: 'project',
      businessNeed: 'rooms get double-booked every week',
      expectedBenefit: 'fewer clashes and no more walking round',
      costOrRisk: 'Not known yet',
      sponsor: 'None yet',
      neededBy: null,
    });
  });

  it('takes a correction of the date and of who it is for mid-flow, into the right fields', async () => {
    const start = await chat(s.url, 'cole', { text: 'Could I get access to the payroll folder?' });
    expect(textOf(start)).toMatch(/What level of access/);
    const dated = await chat(s.url, 'cole', { text: 'the date is the 20th' });
    expect(only(dated, 'notice').text).toMatch(/the date you need it by: \*\*\w{3} 20 \w{3} \d{4}\*\*/);
    expect(textOf(dated)).toMatch(/What level of access/);
    const team = await chat(s.url, 'cole', { text: "actually it's for the whole team" });
    expect(only(team, 'notice').text).toMatch(/My team/);
    // "edit" answers the level question here; it does not open the form.
    expect(textOf(await chat(s.url, 'cole', { text: 'edit' }))).toMatch(/manager approved/);
    only(await chat(s.url, 'cole', { text: 'yes' }), 'card');
    const saved = only(await chat(s.url, 'cole', { text: 'send it' }), 'notice');
    const record = (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
    expect(record.kind).toBe('access');
    expect(record.impact).toBe('team');
    expect(record.neededBy).toMatch(/^\d{4}-\d{2}-20$/);
    expect(record.neededBy! >= today()).toBe(true);
    expect(record.description).toContain('Access level: edit');
    expect(record.description).toContain('Manager approval: Yes');
  });

  it('takes "the date is the 20th" at the summary, and shows the new date there', async () => {
    const opening = await chat(s.url, 'dora', {
      text: 'I need Adobe Acrobat for signing contracts by end of next week',
    });
    expect(textOf(opening)).toMatch(/Who is it for/);
    const summary = only(await chat(s.url, 'dora', { text: 'just me' }), 'card');
    expect(JSON.stringify(summary)).not.toMatch(/-20"/);
    const dated = await chat(s.url, 'dora', { text: 'the date is the 20th' });
    expect(only(dated, 'notice').text).toMatch(/the date you need it by: \*\*\w{3} 20 \w{3} \d{4}\*\*/);
    const card = only(dated, 'card');
    expect(card.sections.flatMap((x) => x.fields ?? [])).toContainEqual({
      label: 'Needed by',
      value: expect.stringMatching(/^\w{3} 20 \w{3} \d{4}$/),
    });
  });

  it('keeps a reason typed to "who is it for?" as why, and asks who again', async () => {
    const start = await chat(s.url, 'fern', { text: 'Could I have Visio by end of next week?' });
    expect(textOf(start)).toMatch(/Who is it for/);
    const reason = await chat(s.url, 'fern', { text: 'I draw the office floor plans for the move' });
    expect(only(reason, 'notice').text).toMatch(/why it's needed/);
    expect(textOf(reason)).toMatch(/Who is it for/);
    // The same reason again is not asked about forever: the question is left out.
    const again = await chat(s.url, 'gus', { text: 'Could I have Visio by end of next week?' });
    expect(textOf(again)).toMatch(/Who is it for/);
    await chat(s.url, 'gus', { text: 'I need it for the office move' });
    only(await chat(s.url, 'gus', { text: 'I need it for the office move' }), 'card');
    // A sentence that names the person is still an answer to "who".
    const card = only(await chat(s.url, 'fern', { text: 'I need it for Priya' }), 'card') as Card;
    expect(textOf([card])).toMatch(/I draw the office floor plans for the move/);
    const saved = only(await chat(s.url, 'fern', { action: { id: 'intake.confirm' } }), 'notice');
    const record = (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
    expect(record.businessNeed).toBe('I draw the office floor plans for the move');
    expect(record.affected).toBe('Priya');
  });

  it('takes the access level and a manager approval from the opening words, without asking again', async () => {
    const start = await chat(s.url, 'jude', {
      text: "I'd need edit rights to the finance share, my manager Jo approved",
    });
    expect(textOf(start)).toMatch(/take this down/);
    expect(textOf(start)).not.toMatch(/What level of access|manager approved\?/);
    const saved = only(await chat(s.url, 'jude', { action: { id: 'intake.confirm' } }), 'notice');
    const record = (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
    expect(record.kind).toBe('access');
    expect(record.description).toContain('Access level: Edit');
    expect(record.description).toContain('Manager approval: Yes');
  });

  it("takes a project idea's stated benefit and sponsor, and asks only what is missing", async () => {
    const start = await chat(s.url, 'omar', {
      text: 'we should build a booking tool for the meeting rooms, would save hours a week, Sam from ops would sponsor it',
    });
    expect(textOf(start)).toMatch(/What problem would it solve/);
    expect(textOf(await chat(s.url, 'omar', { text: 'rooms get double-booked' }))).toMatch(/cost or risk/);
    expect(textOf(await chat(s.url, 'omar', { text: 'idk' }))).toMatch(/deadline/);
    only(await chat(s.url, 'omar', { text: 'no deadline' }), 'card');
    const saved = only(await chat(s.url, 'omar', { action: { id: 'intake.confirm' } }), 'notice');
    const record = (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
    expect(record).toMatchObject({
      kind: 'project',
      expectedBenefit: 'Save hours a week',
      sponsor: 'Sam from ops',
    });
  });

  it('keeps the sponsor out of the benefit when one sentence gives both', async () => {
    await chat(s.url, 'olga', {
      text: 'I have an idea: a shared booking tool for the meeting rooms, it would save everyone hours a week and Sam from ops would sponsor it',
    });
    const form = only(await chat(s.url, 'olga', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values).toMatchObject({
      kind: 'project',
      expectedBenefit: 'Save everyone hours a week',
      sponsor: 'Sam from ops',
    });
  });

  it('takes a sponsor named as "sponsor is Dana", and does not ask for one again', async () => {
    const start = await chat(s.url, 'sana', {
      text: 'i want to propose we move to a ticket portal instead of email, sponsor is Dana',
    });
    expect(textOf(start)).toMatch(/What problem would it solve/);
    const form = only(await chat(s.url, 'sana', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values).toMatchObject({ kind: 'project', sponsor: 'Dana' });
    // "the sponsor is not decided yet" names nobody.
    await chat(s.url, 'seth', { text: 'idea: a chatbot for HR questions, the sponsor is not decided yet' });
    const other = only(await chat(s.url, 'seth', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(other.values?.sponsor ?? '').toBe('');
  });

  it('takes "idk" to "who does it affect?" and "how urgent?" as not known, instead of asking again', async () => {
    await chat(s.url, 'ida', { text: 'The door buzzer at reception stopped working' });
    await chat(s.url, 'ida', { text: 'this morning' });
    const affect = await chat(s.url, 'ida', { text: 'idk' });
    expect(textOf(affect)).not.toMatch(/Just you, your team/);
    expect(textOf(affect)).toMatch(/How urgent/);
    const card = only(await chat(s.url, 'ida', { text: 'not sure' }), 'card') as Card;
    // The summary shows the defaults, which the person can still correct.
    expect(textOf([card])).toMatch(/Urgency: Medium/);
    expect(textOf([card])).toMatch(/Who it affects: Just me/);
  });

  it('sends what it has on "that\'s all" once the essentials are known', async () => {
    const start = await chat(s.url, 'tia', { text: 'Could I have a second monitor for my desk?' });
    expect(textOf(start)).toMatch(/Where should it go/);
    const summary = only(await chat(s.url, 'tia', { text: "that's all" }), 'card') as Card;
    expect(summary.title).toBe('Second monitor');
    expect(await s.app.requests.byRequester('web:tia')).toEqual([]);
  });
});

describe('routing each message to the right job', () => {
  it('starts an incident at once for an outage, with no questions before the summary', async () => {
    const replies = await chat(s.url, 'otto', { text: 'The booking system is down for all of us' });
    expect(textOf(replies)).toMatch(/outage/);
    expect(questionsIn(replies)).toBe(0);
    const card = only(replies, 'card') as Card;
    expect(card.kind).toBe('request');
    expect(textOf([card])).toMatch(/Kind: Something is broken/);
    expect(textOf([card])).toMatch(/Urgency: Critical/);
  });

  it('does not ask who is affected when someone reports damage to their own device', async () => {
    const start = await chat(s.url, 'dana', { text: 'my laptop screen is cracked' });
    expect(textOf(start)).toMatch(/Since when/);
    const next = await chat(s.url, 'dana', { text: 'since yesterday' });
    expect(textOf(next)).not.toMatch(/Who does it affect/);
    expect(textOf(next)).toMatch(/How urgent/);
  });

  it('leaves a sigh or a filler word out of the title', async () => {
    const summary = only(await chat(s.url, 'ugo', { text: 'ugh ok so nobody on floor 2 can print' }), 'card');
    expect(summary.title).toBe('Nobody on floor 2 can print');
  });

  it('records an outage as affecting more than the person who reported it', async () => {
    const replies = await chat(s.url, 'flo', { text: 'nobody on floor 3 can print' });
    expect(textOf(replies)).toMatch(/outage/);
    expect(textOf(replies)).not.toMatch(/Who it affects: Just me/);
    const saved = only(await chat(s.url, 'flo', { action: { id: 'intake.confirm' } }), 'notice');
    const record = (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
    expect(record.impact).toBe('department');
  });

  it('answers a problem report that has an article, with "Still stuck?", and starts a request when none fits', async () => {
    const answered = await chat(s.url, 'rhea', { text: 'OneDrive is not syncing my files' });
    expect(textOf(answered)).toMatch(/Still stuck\? Press \*\*Ask IT\*\*/);
    const card = only(answered, 'card') as Card;
    expect(card.kind).toBe('answer');
    expect(card.actions?.map((a) => a.action?.id)).toContain('answer.ask_it');
    expect(textOf(answered)).not.toMatch(/take this down/);

    const noArticle = await chat(s.url, 'rory', { text: 'The door buzzer at reception stopped working' });
    expect(textOf(noArticle)).toMatch(/take this down/);
    expect(textOf(noArticle)).not.toMatch(/Still stuck/);
  });

  it('answers a how-to question or "help" asked mid-request, and keeps the request to finish afterwards', async () => {
    const start = await chat(s.url, 'kit', { text: 'The door buzzer at reception stopped working' });
    expect(textOf(start)).toMatch(/Since when/);
    const aside = await chat(s.url, 'kit', { text: 'how do I connect to the VPN?' });
    expect(textOf(aside)).toMatch(/still open/);
    expect(textOf(aside)).not.toMatch(/Since when|Who does it affect/);
    expect(aside.some((r) => r.type === 'card' && (r as Card).kind === 'answer')).toBe(true);
    const help = await chat(s.url, 'kit', { text: 'help' });
    expect(textOf(help)).toMatch(/Commands/);
    // The request carries on where it was: the next answer is read as "since when".
    expect(textOf(await chat(s.url, 'kit', { text: 'this morning' }))).toMatch(/Who does it affect/);
    await chat(s.url, 'kit', { text: 'just me' });
    only(await chat(s.url, 'kit', { text: 'low' }), 'card');
    const saved = only(await chat(s.url, 'kit', { action: { id: 'intake.confirm' } }), 'notice');
    const record = (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
    expect(record.description).toContain('Since: this morning');
    expect(record.description).not.toMatch(/VPN|help/);
  });

  it('starts a request when someone named by their role needs a thing, and records who it is for', async () => {
    const start = await chat(s.url, 'ines', { text: 'new starter next week needs a laptop' });
    expect(textOf(start)).toMatch(/take this down/);
    expect(start.some((r) => r.type === 'card' && r.kind === 'answer')).toBe(false);
    const form = only(await chat(s.url, 'ines', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values).toMatchObject({
      kind: 'hardware',
      title: 'Laptop for the new starter',
      affected: 'the new starter',
    });
    // "what does a new starter need?" is still a question for the knowledge base.
    const howTo = await chat(s.url, 'ivan', { text: 'what does a new starter need on day one?' });
    expect(textOf(howTo)).not.toMatch(/take this down/);
  });

  it('never reads "out of office" as the Office product when a question is passed to IT', async () => {
    const answer = await chat(s.url, 'otto', { text: 'how do i set my out of office' });
    const card = answer.find((r): r is Card => r.type === 'card' && r.kind === 'answer');
    const askIt = card?.actions?.find((a) => a.action?.id === 'answer.ask_it')?.action;
    expect(askIt).toBeDefined();
    await chat(s.url, 'otto', { action: askIt! });
    const form = only(await chat(s.url, 'otto', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values?.kind).not.toBe('software');
    expect(form.values?.title).not.toBe('Office');
    expect(form.values?.description).toBe('how do i set my out of office');
  });

  it('takes where equipment is collected from or delivered to from the opening words, without asking where', async () => {
    const pickUp = await chat(s.url, 'pia', {
      text: 'could you pick up the old printer from room 4.12 on friday',
    });
    expect(textOf(pickUp)).not.toMatch(/Where should it go|What do you need it for/);
    const summary = only(pickUp, 'card');
    expect(JSON.stringify(summary.sections)).toContain('Collect from: room 4.12');

    const deliver = await chat(s.url, 'dev', { text: 'I need a new monitor delivered to desk 12' });
    expect(textOf(deliver)).not.toMatch(/Where should it go/);
    expect(textOf(deliver)).toMatch(/What do you need it for/);
    const form = only(await chat(s.url, 'dev', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values?.description).toContain('Deliver to: desk 12');
  });

  it('never keeps "thanks" or "hi" as an answer, and asks the waiting question again', async () => {
    expect(textOf(await chat(s.url, 'tess', { text: 'request' }))).toMatch(/What do you need IT to do\?/);
    const thanks = await chat(s.url, 'tess', { text: 'thanks!' });
    expect(textOf(thanks)).toMatch(/You're welcome/);
    expect(textOf(thanks)).toMatch(/What do you need IT to do\?$/);
    expect(textOf(await chat(s.url, 'tess', { text: 'hello' }))).toMatch(/What do you need IT to do\?$/);
    const form = only(await chat(s.url, 'tess', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values?.description ?? '').toBe('');
  });

  it('reads texting shorthand ("can u … pls") as the ask it is', async () => {
    const start = await chat(s.url, 'uma', { text: 'can u install zoom on my laptop pls' });
    expect(textOf(start)).toMatch(/take this down/);
    const form = only(await chat(s.url, 'uma', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values).toMatchObject({ kind: 'software', title: 'Zoom' });
    // Shorthand in a how-to question still gets an answer.
    expect(textOf(await chat(s.url, 'ulf', { text: 'how do u add the office printer' }))).not.toMatch(
      /take this down/,
    );
  });

  it('answers a how-to question that only mentions requesting, and starts nothing', async () => {
    const replies = await chat(s.url, 'hana', { text: 'how do I request a laptop?' });
    expect(textOf(replies)).not.toMatch(/take this down/);
    const form = only(await chat(s.url, 'hana', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values?.description ?? '').toBe('');
  });
});

describe('one reading everywhere', () => {
  it("pre-fills the web form during a conversation with exactly what 'intake parse' reads", async () => {
    const text = "Priya starts from the 12th, she'll need a laptop and a headset";
    const started = await chat(s.url, 'finn', { text });
    expect(textOf(started)).toMatch(/take this down/);
    const form = only(await chat(s.url, 'finn', { action: { id: 'intake.edit' } }), 'form') as Form;
    const parsed = parseOpening(text, { now: new Date(), timeZone });
    const shown = Object.fromEntries(Object.entries(form.values ?? {}).filter(([, v]) => v !== ''));
    const formFields = form.fields.map((f) => f.name);
    const expected = Object.fromEntries(
      Object.entries(parsed.fields).filter(([k]) => formFields.includes(k)),
    );
    expect(shown).toEqual(expected);
    expect(expected).toMatchObject({ kind: 'hardware', affected: 'Priya' });
    expect(expected.neededBy).toMatch(/^\d{4}-\d{2}-12$/);
  });
});
