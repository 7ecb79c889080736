// The deterministic rules of intake: what counts as a request, what is read from the words, corrections,
// the priority matrix, references, the status lifecycle, routing, and the form and model schema derived from
// the one request schema.
import { zodTextFormat } from 'openai/helpers/zod';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { readOpening } from '../../src/intake/opening-reader.ts';
import { isCancel, isConfirm, parseCorrection } from '../../src/intake/request-detection.ts';
import { readRequestForm, requestForm } from '../../src/intake/request-form.ts';
import {
  canTransition,
  emptyDraft,
  formatReference,
  missingFields,
  parseReference,
  priorityOf,
  type RequestRecord,
  requestDraftSchema,
  requestStatuses,
} from '../../src/intake/request-schema.ts';
import { destinationsFor, parseRouting } from '../../src/intake/routing.ts';

const context = { now: new Date('2026-03-02T09:00:00Z'), timeZone: 'UTC' };
const routeOf = (text: string) => readOpening(text, context).route;
const inferDraft = (text: string) => readOpening(text, context).draft;

describe('telling requests from how-to questions', () => {
  it.each([
    'I need Visio',
    'I need Visio installed',
    'my laptop screen is cracked',
    'can I get access to the finance share',
    'I have an idea for a shared team calendar',
    'Could we get a new monitor for the meeting room?',
    'please install Adobe Acrobat for me',
    'Email is down for the whole team',
    'I need an adobe licence asap',
  ])('%j is a request', (text) => {
    expect(routeOf(text)).toBe('request');
  });

  it.each([
    'how do I install software',
    'how can I get access to the finance share?',
    'I need to install software',
    'I need help connecting to the VPN',
    'I need to reset my password',
    'I need a password reset',
    'what is the wifi password',
    'my vpn is not working',
    'can I install programs on my laptop',
    'where do I download zoom',
    'I want to know how to share my calendar',
    'is there a way to recover a deleted file?',
    'hello',
  ])('%j is left to the knowledge base', (text) => {
    expect(routeOf(text)).not.toBe('request');
  });
});

describe('reading a request from its words', () => {
  it.each([
    ['I need Visio installed', { kind: 'software', title: 'Visio', urgency: null, impact: null }],
    ['my laptop screen is cracked', { kind: 'incident', title: 'Cracked laptop screen' }],
    ['can I get access to the finance share', { kind: 'access', title: 'Access to finance share' }],
    ['I have an idea for a shared team calendar', { kind: 'project' }],
    ["urgent: the printer is broken and I can't work", { kind: 'incident', urgency: 'high' }],
    ['Email is down for the whole team', { kind: 'incident', impact: 'team' }],
    ['I need a new laptop, no rush', { kind: 'hardware', urgency: 'low' }],
    ['outage for everyone in the company', { urgency: 'critical', impact: 'company' }],
    ['I need Figma by 2026-05-01', { kind: 'software', neededBy: '2026-05-01' }],
  ])('%j', (text, expected) => {
    const draft = inferDraft(text);
    expect(draft).toMatchObject({ description: text, ...expected });
  });

  it('keeps titles short, cutting at a word', () => {
    const title = inferDraft(`I need ${'a very long request about many things '.repeat(6)}`).title!;
    expect(title.length).toBeLessThanOrEqual(81);
    expect(title.endsWith('…')).toBe(true);
    expect(title).not.toMatch(/\s…$/);
  });
});

describe('corrections, cancel and confirm', () => {
  it.each([
    ["actually it's urgent", { field: 'urgency', value: 'high' }],
    ['actually, no rush', { field: 'urgency', value: 'low' }],
    ['change the title to VPN for contractors', { field: 'title', value: 'VPN for contractors' }],
    ['set urgency to critical', { field: 'urgency', value: 'critical' }],
    ['title: Visio for floor plans', { field: 'title', value: 'Visio for floor plans' }],
    ['it affects the whole team', { field: 'impact', value: 'team' }],
    ["actually it's a hardware problem", { field: 'kind', value: 'hardware' }],
    ['needed by 2026-04-01', { field: 'neededBy', value: '2026-04-01' }],
    ['change the sponsor to the CFO', { field: 'sponsor', value: 'the CFO' }],
  ])('%j', (text, expected) => {
    expect(parseCorrection(text)).toEqual(expected);
  });

  it('does not take an answer for a correction', () => {
    expect(parseCorrection('I draw the floor plans')).toBeUndefined();
    expect(parseCorrection("it's for the quarterly report", { explicitOnly: true })).toBeUndefined();
    expect(parseCorrection('it is for my whole department', { explicitOnly: true })).toBeUndefined();
    expect(parseCorrection('change the colour to blue')).toBeUndefined();
    expect(parseCorrection('needed by 2026-02-30')).toBeUndefined();
  });

  it('knows cancel and confirm words', () => {
    expect(['cancel', 'Never mind', 'stop.', 'forget it'].every(isCancel)).toBe(true);
    expect(isCancel('cancel my Zoom subscription')).toBe(false);
    expect(['yes', 'Confirm', 'send it', 'looks good'].every(isConfirm)).toBe(true);
    expect(isConfirm('yes but change the title')).toBe(false);
  });
});

describe('the record rules', () => {
  it('computes priority from urgency and impact', () => {
    expect(priorityOf('critical', 'company')).toBe('P1');
    expect(priorityOf('critical', 'me')).toBe('P2');
    expect(priorityOf('high', 'team')).toBe('P2');
    expect(priorityOf('high', 'me')).toBe('P3');
    expect(priorityOf('medium', 'department')).toBe('P2');
    expect(priorityOf('medium', 'me')).toBe('P3');
    expect(priorityOf('low', 'me')).toBe('P4');
    expect(priorityOf('low', 'company')).toBe('P3');
  });

  it('formats and reads references', () => {
    expect(formatReference(42)).toBe('IT-0042');
    expect(formatReference(12345)).toBe('IT-12345');
    expect(parseReference('it-42')).toBe('IT-0042');
    expect(parseReference('#IT 0042')).toBe('IT-0042');
    expect(parseReference('IT-12345')).toBe('IT-12345');
    expect(parseReference('ticket 42')).toBeUndefined();
  });

  it('allows only the lifecycle transitions', () => {
    const allowed = requestStatuses.flatMap((from) =>
      requestStatuses.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed).toEqual([
      'new→acknowledged',
      'new→in_progress',
      'new→waiting_on_requester',
      'new→resolved',
      'new→declined',
      'acknowledged→in_progress',
      'acknowledged→waiting_on_requester',
      'acknowledged→resolved',
      'acknowledged→declined',
      'in_progress→waiting_on_requester',
      'in_progress→resolved',
      'in_progress→declined',
      'waiting_on_requester→in_progress',
      'waiting_on_requester→resolved',
      'waiting_on_requester→declined',
      'resolved→in_progress',
      'resolved→closed',
    ]);
  });

  it('requires the problem only of projects; the rest of each plan may be left out with "that\'s all"', () => {
    expect(missingFields({ ...emptyDraft(), kind: 'project' })).toEqual([
      'description',
      'title',
      'businessNeed',
      'urgency',
      'impact',
    ]);
    expect(missingFields({ ...emptyDraft(), kind: 'software', description: 'x', title: 'x' })).toEqual([
      'urgency',
      'impact',
    ]);
    expect(missingFields({ ...emptyDraft(), kind: 'incident', description: 'x', title: 'x' })).toEqual([
      'urgency',
      'impact',
    ]);
  });
});

describe('routing', () => {
  const record = (fields: Partial<RequestRecord>) =>
    ({ kind: 'software', department: null, priority: 'P3', urgency: 'medium', ...fields }) as RequestRecord;
  const routing = parseRouting(
    'slack:C0123, teams:19:abc@thread.tacv2,web:it',
    'kind:access=slack:C0AAA; department:Finance=teams:19:fin@thread.tacv2 ; priority:P1&kind:incident=slack:C0BBB,slack:C0123',
  );

  it('posts to IT_DESTINATIONS when no rule matches', () => {
    expect(destinationsFor(routing, record({}))).toEqual([
      { platform: 'slack', id: 'C0123' },
      { platform: 'teams', id: '19:abc@thread.tacv2' },
      { platform: 'web', id: 'it' },
    ]);
  });

  it('posts to every matching rule instead, without duplicates', () => {
    expect(destinationsFor(routing, record({ kind: 'access', department: 'finance' }))).toEqual([
      { platform: 'slack', id: 'C0AAA' },
      { platform: 'teams', id: '19:fin@thread.tacv2' },
    ]);
    expect(destinationsFor(routing, record({ kind: 'incident', priority: 'P1' }))).toEqual([
      { platform: 'slack', id: 'C0BBB' },
      { platform: 'slack', id: 'C0123' },
    ]);
    expect(destinationsFor(routing, record({ kind: 'incident', priority: 'P2' }))).toHaveLength(3);
  });

  it('rejects malformed settings with a message naming the variable', () => {
    expect(() => parseRouting('slack', undefined)).toThrow(ConfigError);
    expect(() => parseRouting('discord:x', undefined)).toThrow(/IT_DESTINATIONS/);
    expect(() => parseRouting(undefined, 'kind:access')).toThrow(/IT_ROUTES/);
    expect(() => parseRouting(undefined, 'colour:red=slack:C1')).toThrow(/colour:red/);
    expect(() => parseRouting(undefined, 'kind:access=')).toThrow(/no destination/);
  });
});

describe('one schema for form, validation and the model', () => {
  it('prefills the form and marks the fields every request needs', () => {
    const form = requestForm({ ...emptyDraft(), title: 'Visio', kind: 'software' });
    expect(form.values).toMatchObject({ title: 'Visio', kind: 'software', urgency: '' });
    expect(form.fields.filter((f) => f.required).map((f) => f.name)).toEqual([
      'kind',
      'title',
      'description',
      'urgency',
      'impact',
    ]);
    expect(form.fields.find((f) => f.name === 'kind')?.options?.map((o) => o.label)).toContain(
      'Something is broken',
    );
    expect(form.fields.find((f) => f.name === 'title')?.maxLength).toBe(120);
  });

  it('returns the form with field errors for an invalid submission', () => {
    const result = readRequestForm({
      kind: 'hardware',
      title: 'ab',
      description: '',
      urgency: 'soon',
      impact: 'me',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.form.errors).toEqual({
      title: 'Please give a title of a few words.',
      description: 'Please fill in what you need.',
      urgency: 'Please choose how urgent it is.',
    });
    expect(result.form.values?.title).toBe('ab');
  });

  it('converts the draft schema to an OpenAI strict structured-output format', () => {
    const format = zodTextFormat(requestDraftSchema, 'request_draft');
    const schema = format.schema as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual(Object.keys(requestDraftSchema.shape));
    expect(schema.required).toEqual(Object.keys(requestDraftSchema.shape));
    expect(schema.additionalProperties).toBe(false);
  });
});
