// Retrieval around the model (cached article vectors, hybrid ranking, the query rewrite) and cost control (the
// monthly budget, usage records and the usage report), against the stub OpenAI server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/kb/search-index.ts';
import { createLlmServices } from '../../src/llm/llm-services.ts';
import { formatModelUsage } from '../../src/llm/usage-report.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { fixtureKb, type ServicesHarness, servicesHarness } from './llm-harness.ts';
import {
  blockOf,
  completion,
  embeddingInputs,
  embeddingsReply,
  messagesOf,
  type RecordedRequest,
  type StubOpenAi,
  schemaName,
  startStubOpenAi,
} from './stub-openai.ts';

/** A toy embedding: one dimension per topic, so similarity follows meaning words rather than exact terms. */
const topics: RegExp[] = [
  /\b(vpn|remote|home|wfh|internal|couch)\b/gi,
  /\b(password|login|reset|forgot|locked)\b/gi,
  /\b(printer|paper|jam|print)\b/gi,
  /\b(wi-?fi|wireless|network)\b/gi,
];
function topicEmbedding(text: string): number[] {
  return [0.05, ...topics.map((t) => (text.match(t) ?? []).length)];
}

function answerRequests(stub: StubOpenAi): RecordedRequest[] {
  return stub.sent('/v1/chat/completions').filter((r) => schemaName(r) === 'grounded_answer');
}

function passageIds(request: RecordedRequest | undefined): string[] {
  if (!request) return [];
  return (blockOf(messagesOf(request).user, 'kb_passages') as { id: string }[]).map((p) => p.id);
}

let stub: StubOpenAi;
beforeAll(async () => {
  stub = await startStubOpenAi();
});
afterEach(() => stub.reset());
afterAll(async () => {
  await stub?.close();
});

describe('article vectors', () => {
  let h: ServicesHarness;
  beforeAll(async () => {
    h = await servicesHarness({ embeddingModel: 'text-embedding-3-small' }, { stub });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('are embedded once per article text and then served from the store by content hash', async () => {
    stub.embeddings = (r) => embeddingsReply(embeddingInputs(r), topicEmbedding);
    const first = await h.llm.semantic.ready(h.index);
    expect(first?.size).toBe(4);
    expect(stub.sent('/v1/embeddings')).toHaveLength(1);
    expect(embeddingInputs(stub.sent('/v1/embeddings')[0]!)).toHaveLength(4);
    expect(stub.sent('/v1/embeddings')[0]!.body.model).toBe('text-embedding-3-small');

    // A rebuilt index (a reload) over the same articles embeds nothing.
    const articles = fixtureKb();
    const rebuilt = buildIndex(articles);
    expect(await h.llm.semantic.ready(rebuilt)).toBeDefined();
    expect(stub.sent('/v1/embeddings')).toHaveLength(1);

    // So does a restart: new services on the same store.
    const restarted = createLlmServices({ settings: h.settings, store: h.store, logger: silentLogger() });
    expect(await restarted.semantic.ready(buildIndex(articles))).toBeDefined();
    expect(stub.sent('/v1/embeddings')).toHaveLength(1);

    // An edited article is embedded again, alone.
    const edited = articles.map((a) =>
      a.id === 'printer-jam' ? { ...a, intro: `${a.intro} Wear gloves if the paper is hot.` } : a,
    );
    expect(await h.llm.semantic.ready(buildIndex(edited))).toBeDefined();
    const calls = stub.sent('/v1/embeddings');
    expect(calls).toHaveLength(2);
    expect(embeddingInputs(calls[1]!)).toEqual([expect.stringContaining('Wear gloves')]);
  });

  it('bring in an article the words of the question do not match (hybrid ranking)', async () => {
    stub.embeddings = (r) => embeddingsReply(embeddingInputs(r), topicEmbedding);
    await h.llm.semantic.ready(h.index);
    stub.reset();
    stub.embeddings = (r) => embeddingsReply(embeddingInputs(r), topicEmbedding);
    stub.chat = (r) =>
      schemaName(r) === 'rewritten_question'
        ? { status: 500, body: { error: { message: 'rewrite unavailable' } } }
        : completion({
            answer: 'Open GlobalConnect and sign in.',
            citations: ['connect-vpn'],
            cannotAnswer: false,
          });
    const question = 'zorblax from my couch, wfh';
    expect(h.index.search(question).hits.map((x) => x.article.id)).not.toContain('connect-vpn');

    const decision = await h.answerer.answer(question);
    expect(passageIds(answerRequests(stub)[0])[0]).toBe('connect-vpn');
    expect(decision).toMatchObject({ kind: 'answer', via: 'model', article: { id: 'connect-vpn' } });
    // The question was embedded on its own, once.
    expect(stub.sent('/v1/embeddings').map(embeddingInputs)).toEqual([[question]]);
  });

  it('are not needed to answer: a failed embedding call leaves lexical ranking', async () => {
    stub.embeddings = () => ({ status: 503, body: { error: { message: 'overloaded' } } });
    stub.chat = () =>
      completion({ answer: 'Reset it yourself.', citations: ['reset-password'], cannotAnswer: false });
    const decision = await h.answerer.answer('How do I reset my password?');
    expect(decision).toMatchObject({ kind: 'answer', via: 'model', article: { id: 'reset-password' } });
    expect(passageIds(answerRequests(stub)[0])[0]).toBe('reset-password');
  });
});

describe('the query rewrite', () => {
  let h: ServicesHarness;
  beforeAll(async () => {
    h = await servicesHarness({}, { stub });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is asked for when lexical confidence is low, and its question widens retrieval', async () => {
    const question = 'cant get in, pw borked again';
    expect(h.index.search(question).answered).toBe(false);
    expect(h.index.search(question).hits[0]?.article.id).not.toBe('reset-password');
    stub.chat = (r) =>
      schemaName(r) === 'rewritten_question'
        ? completion({ question: 'How do I reset my forgotten password?' })
        : completion({ answer: 'Reset it yourself.', citations: ['reset-password'], cannotAnswer: false });

    const decision = await h.answerer.answer(question);
    const rewrite = stub.sent('/v1/chat/completions').find((r) => schemaName(r) === 'rewritten_question');
    expect(rewrite && blockOf(messagesOf(rewrite).user, 'message')).toBe(question);
    expect(passageIds(answerRequests(stub)[0])).toContain('reset-password');
    expect(decision).toMatchObject({ kind: 'answer', article: { id: 'reset-password' } });
  });

  it('is skipped when the index is confident', async () => {
    expect(h.index.search('How do I reset my password?').answered).toBe(true);
    stub.chat = () =>
      completion({ answer: 'Reset it yourself.', citations: ['reset-password'], cannotAnswer: false });
    await h.answerer.answer('How do I reset my password?');
    expect(stub.sent('/v1/chat/completions').map(schemaName)).toEqual(['grounded_answer']);
  });
});

describe('cost control', () => {
  it('records the tokens of each call and stops calling the model once the month is spent', async () => {
    const h = await servicesHarness({ monthlyTokenBudget: 1200 }, { stub });
    try {
      stub.chat = () =>
        completion(
          { answer: 'Reset it yourself.', citations: ['reset-password'], cannotAnswer: false },
          { usage: { prompt: 500, completion: 100 } },
        );
      expect((await h.answerer.answer('How do I reset my password?')).kind).toBe('answer');
      await h.llm.flush();
      const summary = await h.llm.usageSummary();
      expect(summary.rows).toEqual([
        {
          feature: 'answer',
          model: 'gpt-4.1-mini',
          calls: 1,
          failures: 0,
          promptTokens: 500,
          completionTokens: 100,
        },
      ]);
      expect(formatModelUsage(summary)[0]).toContain('600 of 1,200 tokens (50%)');

      await h.answerer.answer('How do I reset my password?');
      await h.llm.flush();
      expect(answerRequests(stub)).toHaveLength(2);

      // 1,200 of 1,200 spent: the model is not called, the deterministic answer is given.
      const decision = await h.answerer.answer('How do I reset my password?');
      expect(answerRequests(stub)).toHaveLength(2);
      expect(decision).toMatchObject({ kind: 'answer', via: 'index', article: { id: 'reset-password' } });
      expect(formatModelUsage(await h.llm.usageSummary())).toContain(
        'The monthly budget is spent: answers use the knowledge-base search only until next month.',
      );
    } finally {
      await h.close();
    }
  });

  it('never calls the model when the budget is already exhausted this month', async () => {
    const h = await servicesHarness({ monthlyTokenBudget: 10_000 }, { stub });
    try {
      await h.llm.usage.add({
        at: new Date(),
        feature: 'answer',
        model: 'gpt-4.1-mini',
        calls: 20,
        failures: 0,
        promptTokens: 9_000,
        completionTokens: 1_000,
      });
      stub.chat = () => completion({ answer: 'x', citations: ['reset-password'], cannotAnswer: false });
      const decision = await h.answerer.answer('How do I reset my password?');
      expect(decision).toMatchObject({ kind: 'answer', via: 'index' });
      expect(await h.llm.extractRequest('laptop screen cracked, need it fixed asap')).toBeUndefined();
      expect(
        await h.llm.newsletterIntro({ sectionTitles: ['New articles'], announcementTitles: [] }),
      ).toBeUndefined();
      expect(stub.requests).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('counts each month separately, even for usage written after the month turned', async () => {
    let now = new Date('2026-10-31T23:00:00Z');
    const h = await servicesHarness({ monthlyTokenBudget: 1000 }, { stub, clock: () => now });
    try {
      await h.llm.usage.add({
        at: now,
        feature: 'answer',
        model: 'gpt-4.1-mini',
        calls: 1,
        failures: 0,
        promptTokens: 600,
        completionTokens: 0,
      });
      stub.chat = () =>
        completion(
          { answer: 'Reset it yourself.', citations: ['reset-password'], cannotAnswer: false },
          { usage: { prompt: 400, completion: 100 } },
        );
      expect(await h.answerer.answer('How do I reset my password?')).toMatchObject({ via: 'model' });
      // 600 stored + 500 not yet written: October is spent.
      expect(await h.answerer.answer('How do I reset my password?')).toMatchObject({ via: 'index' });
      now = new Date('2026-11-01T08:00:00Z');
      expect(await h.answerer.answer('How do I reset my password?')).toMatchObject({ via: 'model' });
      await h.llm.flush();
      expect((await h.llm.usageSummary(new Date('2026-10-15T00:00:00Z'))).used).toBe(1100);
      expect((await h.llm.usageSummary()).used).toBe(500);
    } finally {
      await h.close();
    }
  });

  it('gives reasoning models low effort and room to think on top of the answer cap', async () => {
    const h = await servicesHarness({ model: 'gpt-5-mini' }, { stub });
    try {
      stub.chat = () =>
        completion({ answer: 'Reset it yourself.', citations: ['reset-password'], cannotAnswer: false });
      await h.answerer.answer('How do I reset my password?');
      const [request] = answerRequests(stub);
      expect(request?.body).toMatchObject({
        model: 'gpt-5-mini',
        reasoning_effort: 'low',
        max_completion_tokens: 1474,
      });
    } finally {
      await h.close();
    }
  });
});
