// Streamed grounded answers through the core: the model's JSON is streamed by the stub, the answer field reaches
// the reply stream word by word, and every failure or failed check abandons the stream for the plain answer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { partialStringField, settledPrefix } from '../../src/llm/answer-stream.ts';
import type { Reply } from '../../src/messages/replies.ts';
import type { ReplyStream } from '../../src/messages/reply-stream.ts';
import { type AppHarness, appHarness } from './llm-harness.ts';
import { completion, streamedCompletion } from './stub-openai.ts';

type Card = Extract<Reply, { type: 'card' }>;

let h: AppHarness;

beforeAll(async () => {
  h = await appHarness({ OPENAI_TIMEOUT_MS: '2000' });
});
afterEach(() => h.stub.reset());
afterAll(async () => {
  await h?.close();
});

const modelAnswer =
  'No problem, you can reset it yourself:\n1. Open https://passwords.example.com.\n2. Choose **Forgot password** and type your work username.\n3. Approve the prompt on your phone.';

/** A stream that records what the core did with it. */
function recorder() {
  const events: Array<{ kind: 'status' | 'write' | 'abandon'; text?: string }> = [];
  const stream: ReplyStream = {
    status: (text) => events.push({ kind: 'status', text }),
    write: (text) => events.push({ kind: 'write', text }),
    abandon: () => events.push({ kind: 'abandon' }),
  };
  const written = () =>
    events
      .filter((e) => e.kind === 'write')
      .map((e) => e.text)
      .join('');
  return { events, stream, written };
}

async function ask(text: string, stream: ReplyStream): Promise<Reply[]> {
  return h.app.bot.handle(
    { platform: 'web', user: { id: 'alice' }, conversation: { id: 'c1', kind: 'personal' }, text },
    { stream },
  );
}

const cardOf = (replies: Reply[]) => replies.find((r): r is Card => r.type === 'card' && r.kind === 'answer');

describe('a streamed grounded answer', () => {
  it('writes the answer in several pieces that add up to the card text, after a status', async () => {
    h.stub.chat = () =>
      streamedCompletion({ answer: modelAnswer, citations: ['reset-password'], cannotAnswer: false });
    const r = recorder();
    const replies = await ask('How do I reset my password?', r.stream);
    expect(r.events[0]).toEqual({ kind: 'status', text: 'Searching the knowledge base…' });
    expect(r.events.filter((e) => e.kind === 'write').length).toBeGreaterThan(5);
    expect(r.events.some((e) => e.kind === 'abandon')).toBe(false);
    expect(r.written()).toBe(modelAnswer);
    const card = cardOf(replies);
    expect(card?.sections).toEqual([{ text: modelAnswer }]);
    expect(card?.generated).toBe(true);
    expect(card?.citations).toEqual([
      { title: 'Reset a forgotten password', url: 'https://buddy.example.com/kb/reset-password' },
    ]);
    expect(h.stub.requests.at(-1)?.body).toMatchObject({ stream: true });
  });

  it('never streams a link the passages do not contain', async () => {
    const invented = 'Go to [the portal](https://evil.example.net/login) and sign in, then follow the steps.';
    h.stub.chat = () =>
      streamedCompletion({ answer: invented, citations: ['reset-password'], cannotAnswer: false });
    const r = recorder();
    await ask('How do I reset my password?', r.stream);
    expect(r.written()).not.toContain('evil.example.net');
    expect(r.written()).toContain('the portal');
  });

  it('abandons the stream and gives the plain answer when the model connection drops mid-answer', async () => {
    h.stub.chat = () => {
      const reply = streamedCompletion({
        answer: modelAnswer,
        citations: ['reset-password'],
        cannotAnswer: false,
      });
      return { stream: { ...reply.stream!, breakAfter: 20 } };
    };
    const r = recorder();
    const replies = await ask('How do I reset my password?', r.stream);
    expect(r.written().length).toBeGreaterThan(0);
    expect(r.events.at(-1)).toEqual({ kind: 'abandon' });
    const card = cardOf(replies);
    expect(JSON.stringify(card?.sections)).toContain('Forgot your password? You can reset it yourself');
    expect(card?.generated).toBeUndefined();
  });

  it('abandons the stream when the finished answer cites an article it was not given', async () => {
    h.stub.chat = () =>
      streamedCompletion({ answer: modelAnswer, citations: ['made-up-article'], cannotAnswer: false });
    const r = recorder();
    const replies = await ask('How do I reset my password?', r.stream);
    expect(r.events.at(-1)).toEqual({ kind: 'abandon' });
    expect(cardOf(replies)).toBeUndefined();
  });

  it('streams nothing when the deterministic answer is all there is (model unreachable)', async () => {
    h.stub.chat = () => ({ status: 500, body: { error: { message: 'down' } } });
    const r = recorder();
    await ask('How do I reset my password?', r.stream);
    expect(r.events.filter((e) => e.kind !== 'status')).toEqual([]);
  });

  it('a whole (unstreamed) call still works for callers that pass no stream', async () => {
    h.stub.chat = () =>
      completion({ answer: modelAnswer, citations: ['reset-password'], cannotAnswer: false });
    const replies = await h.ask('How do I reset my password?');
    expect(cardOf(replies)?.sections).toEqual([{ text: modelAnswer }]);
    expect(h.stub.requests.at(-1)?.body.stream).toBeUndefined();
  });
});

describe('reading an answer out of unfinished JSON', () => {
  it('decodes escapes and says whether the string is complete', () => {
    expect(partialStringField('{"answer":"a\\nb \\"c\\" \\u00e9', 'answer')).toEqual({
      text: 'a\nb "c" é',
      complete: false,
    });
    expect(partialStringField('{"answer":"done","citations":[', 'answer')).toEqual({
      text: 'done',
      complete: true,
    });
    expect(partialStringField('{"answer":"cut \\', 'answer')).toEqual({ text: 'cut ', complete: false });
    expect(partialStringField('{"citations":[]', 'answer')).toBeUndefined();
  });

  it('holds back a half-written word and an unclosed link', () => {
    expect(settledPrefix('Open the sett')).toBe('Open the');
    expect(settledPrefix('See [the guide](https://kb.exam')).toBe('See ');
    expect(settledPrefix('See [the guide](https://kb.example.com) now')).toBe(
      'See [the guide](https://kb.example.com)',
    );
  });
});
