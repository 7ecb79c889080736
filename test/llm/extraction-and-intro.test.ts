// Request prefill from free text (structured outputs over the intake draft schema; unsure fields left for the
// intake to ask) and the newsletter introduction, against the stub OpenAI server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { draftFields, missingFields, type RequestDraft } from '../../src/intake/request-schema.ts';
import { keepSure } from '../../src/llm/request-extractor.ts';
import { type ServicesHarness, servicesHarness } from './llm-harness.ts';
import { blockOf, completion, messagesOf, type RecordedRequest } from './stub-openai.ts';

const monday = new Date('2026-11-23T09:30:00Z');
let h: ServicesHarness;

beforeAll(async () => {
  h = await servicesHarness({}, { clock: () => monday });
});
afterEach(() => h.stub.reset());
afterAll(async () => {
  await h?.close();
});

const visio = 'I need Visio for the Q3 planning deck by Friday, my manager Dana approved it';
const laptop = "laptop screen cracked, can't work, need it fixed asap";
const idea = 'idea: automate expense approvals, would save finance ~10h/week, sponsor is the CFO';

function draft(values: Partial<RequestDraft>): RequestDraft {
  return { ...(Object.fromEntries(draftFields.map((f) => [f, null])) as RequestDraft), ...values };
}

/** What a model would answer for each message, keyed by the message it was sent. */
const modelReplies: Record<string, { draft: RequestDraft; unsure: string[] }> = {
  [visio]: {
    draft: draft({
      kind: 'software',
      title: 'Visio for the Q3 planning deck',
      description: 'I need Visio for the Q3 planning deck.',
      businessNeed: 'To build the Q3 planning deck',
      urgency: 'medium',
      neededBy: '2026-11-27',
      impact: 'me',
    }),
    unsure: ['urgency', 'impact'],
  },
  [laptop]: {
    draft: draft({
      kind: 'incident',
      title: 'Cracked laptop screen',
      description: "Laptop screen cracked, can't work.",
      urgency: 'high',
      impact: 'me',
    }),
    unsure: [],
  },
  [idea]: {
    draft: draft({
      kind: 'project',
      title: 'Automate expense approvals',
      description: 'Automate expense approvals.',
      expectedBenefit: 'Would save finance about 10 hours a week',
      sponsor: 'The CFO',
      impact: 'department',
    }),
    unsure: ['impact'],
  },
};

function scriptExtraction() {
  h.stub.chat = (request: RecordedRequest) => {
    const message = blockOf(messagesOf(request).user, 'message') as string;
    const reply = modelReplies[message];
    return reply ? completion(reply) : { status: 400, body: { error: { message: 'unexpected message' } } };
  };
}

describe('request prefill', () => {
  it('fills a software request and leaves what the model was unsure of for the intake to ask', async () => {
    scriptExtraction();
    const result = await h.llm.extractRequest(visio);
    expect(result).toEqual({
      kind: 'software',
      title: 'Visio for the Q3 planning deck',
      description: 'I need Visio for the Q3 planning deck.',
      businessNeed: 'To build the Q3 planning deck',
      neededBy: '2026-11-27',
    });
    expect(missingFields(draft(result ?? {}))).toEqual(['urgency', 'impact']);
  });

  it('fills an urgent incident completely', async () => {
    scriptExtraction();
    const result = await h.llm.extractRequest(laptop);
    expect(result).toEqual({
      kind: 'incident',
      title: 'Cracked laptop screen',
      description: "Laptop screen cracked, can't work.",
      urgency: 'high',
      impact: 'me',
    });
    expect(missingFields(draft(result ?? {}))).toEqual([]);
  });

  it('fills a project idea with its benefit and sponsor, and asks about the rest', async () => {
    scriptExtraction();
    const result = await h.llm.extractRequest(idea);
    expect(result).toMatchObject({
      kind: 'project',
      expectedBenefit: 'Would save finance about 10 hours a week',
      sponsor: 'The CFO',
    });
    expect(result).not.toHaveProperty('impact');
    expect(missingFields(draft(result ?? {}))).toEqual(['businessNeed', 'urgency', 'impact']);
  });

  it("asks for the intake draft schema in strict structured output, with today's date and the message as data", async () => {
    scriptExtraction();
    await h.llm.extractRequest(visio);
    const [request] = h.stub.sent('/v1/chat/completions');
    const format = request?.body.response_format as {
      type: string;
      json_schema: {
        name: string;
        strict: boolean;
        schema: { properties: { draft: { properties: object } } };
      };
    };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.name).toBe('request_draft');
    expect(format.json_schema.strict).toBe(true);
    expect(Object.keys(format.json_schema.schema.properties.draft.properties).sort()).toEqual(
      [...draftFields].sort(),
    );
    const { user } = messagesOf(request!);
    expect(blockOf(user, 'today')).toEqual({ date: '2026-11-23', weekday: 'Monday' });
    expect(blockOf(user, 'message')).toBe(visio);
  });

  it("reads today's date in the intake time zone, not the server's", async () => {
    // 22:30 on Monday in UTC is already Tuesday morning in Sydney.
    const sydney = await servicesHarness(
      {},
      { stub: h.stub, clock: () => new Date('2026-11-23T22:30:00Z'), timeZone: 'Australia/Sydney' },
    );
    try {
      scriptExtraction();
      await sydney.llm.extractRequest(visio);
      const [request] = h.stub.sent('/v1/chat/completions');
      expect(blockOf(messagesOf(request!).user, 'today')).toEqual({ date: '2026-11-24', weekday: 'Tuesday' });
    } finally {
      await sydney.close();
    }
  });

  it('sends no e-mail address or password of the requester', async () => {
    h.stub.chat = () => completion({ draft: draft({ kind: 'access' }), unsure: [] });
    await h.llm.extractRequest(
      'please give dana.scully@example.com access to the finance share, my password is Tr0ub4dor&3',
    );
    const body = h.stub.requests[0]?.raw ?? '';
    expect(body).toContain('finance share');
    expect(body).not.toContain('dana.scully@example.com');
    expect(body).not.toContain('Tr0ub4dor');
  });

  it('gives nothing (so the intake asks everything) when the model fails or answers off-schema', async () => {
    h.stub.chat = () => ({ status: 500, body: { error: { message: 'boom' } } });
    expect(await h.llm.extractRequest(laptop)).toBeUndefined();
    h.stub.chat = () => completion({ draft: { ...draft({}), kind: 'laptop' }, unsure: [] });
    expect(await h.llm.extractRequest(laptop)).toBeUndefined();
  });

  it('drops values the request would reject: a date that is not a date, an over-long title', () => {
    const kept = keepSure(
      draft({
        kind: 'hardware',
        neededBy: 'next Friday',
        title: 'x'.repeat(121),
        description: '  New dock  ',
      }),
      [],
    );
    expect(kept).toEqual({ kind: 'hardware', description: 'New dock' });
  });
});

describe('newsletter introduction', () => {
  it('is written from the titles and cleaned of mentions and links', async () => {
    h.stub.chat = () =>
      completion({
        intro: '@channel This week: a faster VPN and new printer tips. Details at https://evil.example.net',
      });
    const intro = await h.llm.newsletterIntro({
      sectionTitles: ['New in the knowledge base', 'Planned maintenance'],
      announcementTitles: ['VPN upgrade on Saturday'],
    });
    expect(intro).toBe('This week: a faster VPN and new printer tips. Details at');
    const { user } = messagesOf(h.stub.requests[0]!);
    expect(blockOf(user, 'issue')).toEqual({
      sections: ['New in the knowledge base', 'Planned maintenance'],
      announcements: ['VPN upgrade on Saturday'],
    });
  });

  it('is left out when the model fails or there is nothing to introduce', async () => {
    h.stub.chat = () => ({ status: 429, body: { error: { message: 'slow down' } } });
    expect(
      await h.llm.newsletterIntro({ sectionTitles: ['New articles'], announcementTitles: [] }),
    ).toBeUndefined();
    h.stub.reset();
    expect(await h.llm.newsletterIntro({ sectionTitles: [], announcementTitles: [] })).toBeUndefined();
    expect(h.stub.requests).toHaveLength(0);
  });
});
