// With the store down, questions are still answered from the in-memory knowledge base: the question log waits in
// a bounded buffer and is written when the store is back; only what must be stored says the store is unavailable.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { CollectionSpec, DocumentCollection, DocumentStore } from '../../src/store/document-store.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { createQuestionLog, type QuestionRecord } from '../../src/store/repositories/question-log.ts';
import { postChat, startTestServer, type TestServer } from '../helpers/test-server.ts';

/** A loopback port nothing listens on: bound once by the OS, then closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function texts(replies: Array<Record<string, unknown>> | undefined): string {
  return JSON.stringify(replies ?? []);
}

describe('the bot with MongoDB unreachable', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ MONGODB_URI: `mongodb://127.0.0.1:${await deadPort()}/itbuddy` });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers a how-to question from the knowledge base and keeps its log entry in memory', async () => {
    expect((await server.app.store.health()).ok).toBe(false);
    const res = await postChat(server.url, { userId: 'alice', text: 'how do I reset my password?' });
    expect(res.status).toBe(200);
    const card = res.body.replies?.find((r) => r.type === 'card') as { title?: string } | undefined;
    expect(card?.title).toBe('Reset a forgotten password');
    expect(texts(res.body.replies)).not.toMatch(/can't reach my storage/);
    expect(server.app.questions.backlog()).toEqual({ buffered: 1, dropped: 0 });
  });

  it('feedback on an answer given while the store was down lands on the buffered entry', async () => {
    const res = await postChat(server.url, { userId: 'bob', text: 'how do I connect to the VPN?' });
    const card = res.body.replies?.find((r) => r.type === 'card') as
      | { actions?: { action?: { id: string; value?: string } }[] }
      | undefined;
    const questionId = card?.actions?.[0]?.action?.value;
    expect(questionId).toBeTruthy();
    const feedback = await postChat(server.url, {
      userId: 'bob',
      action: { id: 'answer.helped', value: questionId },
    });
    expect(texts(feedback.body.replies)).not.toMatch(/can't reach my storage/);
    expect((await server.app.questions.get(questionId!))?.feedback).toBe('helped');
  });

  it("says the store is unavailable when asked for a request's status, which only the store knows", async () => {
    const res = await postChat(server.url, { userId: 'alice', text: 'status IT-0001' });
    expect(res.status).toBe(200);
    expect(texts(res.body.replies)).toMatch(/can't reach my storage right now/);
  });

  it('says the store is unavailable when asked to file a request, which must be stored', async () => {
    const res = await postChat(server.url, { userId: 'carol', text: 'request' });
    expect(res.status).toBe(200);
    expect(texts(res.body.replies)).toMatch(/can't reach my storage right now, so nothing was saved/);
  });
});

/** A store whose every collection operation fails with StoreUnavailableError while `state.down` is set. */
function flakyStore(inner: DocumentStore): { store: DocumentStore; state: { down: boolean } } {
  const state = { down: true };
  const guard = <R>(run: () => Promise<R>): Promise<R> =>
    state.down ? Promise.reject(new StoreUnavailableError('store down (injected)')) : run();
  const store = Object.create(inner) as DocumentStore;
  store.collection = <T extends object>(spec: CollectionSpec<T>) => {
    const c = inner.collection(spec);
    const wrapped: DocumentCollection<T> = {
      insert: (doc) => guard(() => c.insert(doc)),
      get: (key) => guard(() => c.get(key)),
      put: (doc) => guard(() => c.put(doc)),
      replaceIf: (doc, field, expected) => guard(() => c.replaceIf(doc, field, expected)),
      delete: (key) => guard(() => c.delete(key)),
      find: (query) => guard(() => c.find(query)),
      count: (query) => guard(() => c.count(query)),
      deleteOlderThan: (field, iso) => guard(() => c.deleteOlderThan(field, iso)),
    };
    return wrapped;
  };
  return { store, state };
}

function entry(id: string, askedAt = '2026-12-01T10:00:00.000Z'): QuestionRecord {
  return {
    id,
    askedAt,
    platform: 'web',
    userKey: 'web:alice',
    conversationKind: 'personal',
    text: `question ${id}`,
    articleId: null,
    confidence: 0.1,
    clarifyOutcome: null,
    answered: false,
    via: 'index',
    feedback: null,
    feedbackAt: null,
    escalated: false,
  };
}

describe('the buffered question log', () => {
  it('keeps entries while the store fails, drops the oldest beyond its bound with a counted warning, and writes the rest when the store is back', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-degraded-'));
    const inner = openEmbeddedStore(dir);
    const lines: string[] = [];
    const logger = createLogger('warn', {
      write: (line: string) => {
        lines.push(line);
        return true;
      },
    } as unknown as NodeJS.WritableStream);
    try {
      const { store, state } = flakyStore(inner);
      const log = createQuestionLog(store, { max: 3, waitMs: 1000, retryMs: 20, logger });
      for (const id of ['q1', 'q2', 'q3', 'q4', 'q5']) await log.record(entry(id));
      expect(log.backlog()).toEqual({ buffered: 3, dropped: 2 });
      expect(lines.some((l) => /oldest entries dropped/.test(l) && /"dropped":1/.test(l))).toBe(true);
      expect((await log.setFeedback('q4', 'helped', '2026-12-01T10:01:00.000Z'))?.feedback).toBe('helped');

      state.down = false;
      for (let i = 0; i < 200 && log.backlog().buffered > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(log.backlog()).toEqual({ buffered: 0, dropped: 2 });
      const stored = createQuestionLog(inner);
      expect((await stored.since('2026-01-01T00:00:00.000Z')).map((q) => q.id).sort()).toEqual([
        'q3',
        'q4',
        'q5',
      ]);
      expect((await stored.get('q4'))?.feedback).toBe('helped');
    } finally {
      await inner.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a healthy store is written at once, nothing buffered', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-degraded-'));
    const store = openEmbeddedStore(dir);
    try {
      const logger = createLogger('silent');
      const log = createQuestionLog(store, { max: 3, waitMs: 1000, retryMs: 20, logger });
      await log.record(entry('now'));
      expect(log.backlog()).toEqual({ buffered: 0, dropped: 0 });
      expect((await createQuestionLog(store).get('now'))?.text).toBe('question now');
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
