// Equipment asked to be taken away reads as a collection (a short "Collect …" title, where to pick it up from,
// no "why"), a place named for a delivery fills where it goes, and a length of time is never the reason — through
// the bot core and the web chat API, and as `intake parse` reads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpening } from '../../src/intake/opening-parse.ts';
import type { Card, Reply } from '../../src/messages/replies.ts';
import { chat, type IntakeServer, only, say as sayTo, startIntakeServer, textOf } from './intake-harness.ts';

let s: IntakeServer;
const timeZone = 'Europe/London';
const context = { now: new Date('2026-12-03T10:00:00Z'), timeZone };

beforeAll(async () => {
  s = await startIntakeServer({ INTAKE_TIMEZONE: timeZone });
});

afterAll(async () => {
  await s?.stop();
});

/** One turn through the bot core, as any adapter hands it over. */
const say = (userId: string, text: string): Promise<Reply[]> => sayTo(s, userId, text);

async function savedRecord(replies: Reply[]) {
  const saved = only(replies, 'notice');
  return (await s.app.requests.get(/IT-\d{4,}/.exec(saved.text)![0]))!;
}

describe('collections, through the bot core', () => {
  it('takes the place a thing is picked up from and asks nothing more', async () => {
    const opening = await say('gus', 'please pick up the broken projector from room 2.14');
    expect(textOf(opening)).not.toMatch(/Where should it go/);
    expect(textOf(opening)).not.toMatch(/What do you need it for/);
    const summary = only(opening, 'card') as Card;
    expect(summary.kind).toBe('request');

    const record = await savedRecord(await say('gus', 'yes'));
    expect(record.kind).toBe('hardware');
    expect(record.title).toBe('Collect broken projector from room 2.14');
    expect(record.description).toContain('Collect from: room 2.14');
    expect(record.description).not.toContain('Deliver to');
    expect(record.businessNeed).toBeNull();
  });

  it('asks where to collect it from when no place is given, and keeps the answer as the pick-up place', async () => {
    const opening = await say('hal', 'could you take away my old desk phone');
    expect(textOf(opening)).toMatch(/Where should it be collected from/);
    expect(textOf(opening)).not.toMatch(/Where should it go/);

    const answered = await say('hal', 'desk 7 on the third floor');
    expect(textOf(answered)).not.toMatch(/What do you need it for/);
    only(answered, 'card');

    const record = await savedRecord(await say('hal', 'yes'));
    expect(record.title).toBe('Collect old desk phone');
    expect(record.description).toContain('Collect from: desk 7 on the third floor');
    expect(record.description).not.toContain('Deliver to');
  });
});

describe('places for a delivery, over the web chat API', () => {
  it('does not ask where a docking station goes when the desk is named, and writes it for IT', async () => {
    const opening = await chat(s.url, 'ida', { text: 'need a docking station at desk 22' });
    expect(textOf(opening)).not.toMatch(/Where should it go/);
    expect(textOf(opening)).toMatch(/What do you need it for/);

    only(await chat(s.url, 'ida', { text: 'hot-desking with my laptop every day' }), 'card');
    const record = await savedRecord(await chat(s.url, 'ida', { action: { id: 'intake.confirm' } }));
    expect(record.kind).toBe('hardware');
    expect(record.title).toBe('Docking station');
    expect(record.description).toContain('Deliver to: desk 22');
    expect(record.businessNeed).toBe('hot-desking with my laptop every day');
  });
});

describe('what the opening words say, as intake parse reads them', () => {
  it('reads a collection with its place, without taking "for months" as the reason', () => {
    const read = parseOpening(
      'could we get the old scanner on floor 5 collected, it has been sitting there for months',
      context,
    );
    expect(read).toMatchObject({
      route: 'request',
      kind: 'hardware',
      title: 'Collect old scanner from floor 5',
    });
    expect(read.fields.description).toContain('Collect from: floor 5');
    expect(read.fields.businessNeed).toBeUndefined();
    expect(read.missing).toEqual([]);
  });

  it('takes a broken thing to be collected as hardware, not an incident', () => {
    const read = parseOpening('can someone come and collect the cracked tablet from reception', context);
    expect(read).toMatchObject({ kind: 'hardware', title: 'Collect cracked tablet from reception' });
    expect(read.missing).toEqual([]);
  });

  it('reads a place said in two steps, a thing that "needs taking away", and one someone collects themselves', () => {
    const twoSteps = parseOpening(
      'hi, can you pick up Jo’s old laptop from her desk on floor 6 please',
      context,
    );
    expect(twoSteps.title).toBe('Collect Jo’s old laptop from her desk on floor 6');
    expect(twoSteps.fields.description).toContain('Collect from: her desk on floor 6');
    const needs = parseOpening(
      'there is a stack of broken chairs on level 3 that needs taking away',
      context,
    );
    expect(needs).toMatchObject({
      kind: 'hardware',
      title: 'Collect broken chairs from level 3',
      missing: [],
    });
    const themselves = parseOpening(
      "I'll collect the monitor from reception, can you leave it there",
      context,
    );
    expect(themselves.title).not.toMatch(/^Collect/);
    expect(themselves.fields.description).not.toContain('Collect from');
  });

  it('asks where to collect from when only where it should be taken is named', () => {
    const read = parseOpening('please collect the old printer and take it to the storeroom', context);
    expect(read.fields.description).toContain('Deliver to: the storeroom');
    expect(read.fields.description).not.toContain('Collect from');
    expect(read.missing).toEqual(['where']);
  });

  it('fills where a delivery goes from the place named after at, in, on, to or from', () => {
    const places: [string, string][] = [
      ['could I have a second monitor in Building D', 'Building D'],
      ['we need a projector for the Maple meeting room by Friday', ''],
      ['please send a spare headset to the Maple meeting room', 'the Maple meeting room'],
      ["I'd like a new keyboard, I'm on the 2nd floor", 'the 2nd floor'],
      ["can Tom's office get a webcam", ''],
      ['please deliver a laptop stand to Priya’s office', 'Priya’s office'],
      ['need a desk phone at reception', 'reception'],
    ];
    for (const [text, where] of places) {
      const description = parseOpening(text, context).fields.description ?? '';
      if (where) expect(description, text).toContain(`Deliver to: ${where}`);
      else expect(description, text).not.toContain('Deliver to');
    }
  });

  it('finds no place in a product name, working from home or the office in general', () => {
    for (const text of [
      'I need a new laptop for working from home',
      'could I get a second monitor in the office',
      'please install Office 365 on my new laptop',
    ]) {
      const read = parseOpening(text, context);
      expect(read.fields.description ?? '', text).not.toMatch(/Deliver to|Collect from/);
    }
  });

  it('never takes a length of time as the reason, and still finds a reason after one', () => {
    const waited = parseOpening(
      'I need a new mouse, mine has been playing up for a couple of weeks',
      context,
    );
    expect(waited.fields.businessNeed).toBeUndefined();
    expect(waited.missing).toContain('why');
    expect(
      parseOpening('I need a bigger monitor, been squinting for ages', context).fields.businessNeed,
    ).toBe(undefined);
    const both = parseOpening(
      'we have shared one scanner for the last two months, could we get another for the invoices',
      context,
    );
    expect(both.fields.businessNeed).toBe('For invoices');
  });
});
