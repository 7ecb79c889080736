// Slack agent messaging over HTTP against the fake Slack Web API and the stub model: the Messages tab's
// suggested prompts, a titled thread with a status, a streamed model answer closed with its sources and native
// feedback buttons, a model failing mid-stream, and the native feedback reaching the question log.
import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { abandonedNote } from '../../adapters/slack/slack-stream.ts';
import { defaultPrompts } from '../../adapters/slack/suggested-prompts.ts';
import { writeFixtureKb } from '../llm/fixture-kb.ts';
import { completion, type StubOpenAi, startStubOpenAi, streamedCompletion } from '../llm/stub-openai.ts';
import { type AdapterHarness, startAdapterHarness } from './adapter-harness.ts';
import { fixture, newEventId, type RecordedCall, sendEvent, sendInteraction } from './fake-slack.ts';
import { signingSecret } from './slack-harness.ts';

const modelAnswer =
  'No problem, you can reset it yourself:\n1. Open https://passwords.example.com.\n2. Choose **Forgot password** and type your work username.\n3. Approve the prompt on your phone.';

let stub: StubOpenAi;
let kbDir: string;
let h: AdapterHarness;

beforeAll(async () => {
  stub = await startStubOpenAi();
  kbDir = await writeFixtureKb();
  h = await startAdapterHarness({
    env: {
      KB_DIR: kbDir,
      PUBLIC_URL: 'https://buddy.example.com',
      OPENAI_API_KEY: 'sk-test-not-a-real-key-0000000000',
      OPENAI_BASE_URL: stub.baseUrl,
      OPENAI_MODEL: 'gpt-4.1-mini',
      OPENAI_TIMEOUT_MS: '3000',
    },
    streaming: { appendEveryMs: 20 },
    // Prompts are read from the question log afresh each time, so the test sees the log it just wrote.
    timing: { promptsRefreshMs: 0 },
  });
});
afterEach(() => {
  stub.reset();
  h.fake.reset();
});
afterAll(async () => {
  await h?.stop();
  await stub?.close();
  await rm(kbDir, { recursive: true, force: true });
});

/** The Web API calls a turn made, without the lookups every turn may make. */
const turnCalls = (): RecordedCall[] =>
  h.fake.calls.filter((c) => !['auth.test', 'users.info'].includes(c.method));

function threadMessage(text: string, threadTs = '1700000500.000500') {
  return fixture('event-message-im', {
    event_id: newEventId(),
    event: { text, ts: `17000006${Math.floor(Math.random() * 1e4)}.000001`, thread_ts: threadTs },
  });
}

async function send(payload: unknown) {
  const res = await sendEvent(h.url, signingSecret, payload);
  expect(res.status).toBe(200);
}

describe('the Messages tab', () => {
  it('opening it pins the default prompts on a new install', async () => {
    await send(fixture('event-app-home-opened', { event_id: newEventId(), event: { tab: 'messages' } }));
    const [call] = await h.fake.waitFor('assistant.threads.setSuggestedPrompts');
    expect(call!.args).toEqual({
      channel_id: 'D0ALICE',
      title: 'Popular with your colleagues:',
      prompts: defaultPrompts,
    });
    expect(h.fake.callsOf('views.publish')).toHaveLength(0);
  });

  it('a new thread gets the most asked topics first, then the defaults, with "Ask IT" last', async () => {
    for (let i = 0; i < 3; i++) {
      await h.app.questions.record({
        id: `q-vpn-${i}`,
        askedAt: new Date().toISOString(),
        platform: 'slack',
        userKey: `slack:U${i}`,
        conversationKind: 'personal',
        text: 'vpn?',
        articleId: 'connect-vpn',
        confidence: 0.9,
        answered: true,
        via: 'index',
        feedback: null,
        feedbackAt: null,
        escalated: false,
      });
    }
    const vpn = h.app.kb.current().get('connect-vpn')!;
    await send(fixture('event-assistant-thread-started', { event_id: newEventId() }));
    const [call] = await h.fake.waitFor('assistant.threads.setSuggestedPrompts');
    const prompts = call!.args.prompts as { title: string; message: string }[];
    expect(call!.args).toMatchObject({ channel_id: 'D0ALICE', thread_ts: '1700000500.000500' });
    expect(prompts).toHaveLength(4);
    expect(prompts[0]).toEqual({ title: vpn.title, message: vpn.questions[0] ?? vpn.title });
    expect(prompts.at(-1)).toEqual(defaultPrompts.at(-1));
  });
});

describe('a model answer in an agent thread', () => {
  it('titles the thread, shows a status, streams the answer and closes it with sources and native feedback', async () => {
    stub.chat = () =>
      streamedCompletion(
        { answer: modelAnswer, citations: ['reset-password'], cannotAnswer: false },
        { everyMs: 2 },
      );
    await send(threadMessage('How do I reset my password?'));
    await h.fake.waitFor('chat.stopStream');
    const chatMethods = turnCalls()
      .map((c) => c.method)
      .filter((m, i, all) => m.startsWith('chat.') && m !== all[i - 1]);
    expect(chatMethods).toEqual(['chat.startStream', 'chat.appendStream', 'chat.stopStream']);
    expect(h.fake.callsOf('assistant.threads.setTitle').map((c) => c.args)).toEqual([
      { channel_id: 'D0ALICE', thread_ts: '1700000500.000500', title: 'How do I reset my password?' },
    ]);
    // Statuses are sent without waiting, so only which ones were sent is certain, not their arrival order.
    const statuses = h.fake.callsOf('assistant.threads.setStatus').map((c) => c.args.status);
    expect(statuses).toHaveLength(3);
    expect(statuses).toContain('is looking into it…');
    expect(statuses).toContain('Searching the knowledge base…');
    expect(
      statuses.filter((t) => /^Writing an answer from (one article|\d articles)…$/.test(String(t))),
    ).toHaveLength(1);
    const [start] = h.fake.callsOf('chat.startStream');
    expect(start!.args).toMatchObject({
      channel: 'D0ALICE',
      thread_ts: '1700000500.000500',
      recipient_user_id: 'U0ALICE',
      recipient_team_id: 'T0001',
    });
    const streamed = [start!, ...h.fake.callsOf('chat.appendStream')]
      .map((c) => c.args.markdown_text)
      .join('');
    expect(streamed).toBe(modelAnswer);
    const [stop] = h.fake.callsOf('chat.stopStream');
    expect(stop!.args.ts).toBe(start!.result!.ts);
    const blocks = stop!.args.blocks as Array<Record<string, unknown>>;
    expect(blocks.map((b) => b.type)).toEqual(['context', 'actions', 'context_actions', 'context']);
    expect(JSON.stringify(blocks[0])).toContain('*AI-generated*');
    expect(JSON.stringify(blocks[0])).toContain(
      '1. <https://buddy.example.com/kb/reset-password|Reset a forgotten password>',
    );
    const feedback = (blocks[2]!.elements as Array<Record<string, unknown>>)[0]!;
    expect(feedback).toMatchObject({
      type: 'feedback_buttons',
      action_id: 'itbuddy.slack.feedback',
      positive_button: { value: expect.stringMatching(/^answer\.helped\|/) },
      negative_button: { value: expect.stringMatching(/^answer\.not_helped\|/) },
    });
    // The whole answer was the stream: nothing else is posted.
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(0);

    // The native 👎 lands in the question log like the old button did.
    const value = (feedback.negative_button as { value: string }).value;
    const questionId = value.split('|')[1]!;
    const click = fixture('block-actions', {
      container: { message_ts: start!.result!.ts, channel_id: 'D0ALICE' },
      message: { ts: start!.result!.ts, thread_ts: '1700000500.000500' },
      actions: [
        {
          type: 'feedback_buttons',
          action_id: 'itbuddy.slack.feedback',
          block_id: 'fb',
          value,
          action_ts: '1700000700.000001',
        },
      ],
    });
    const res = await sendInteraction(h.url, signingSecret, click);
    expect(res.status).toBe(200);
    const [answer] = await h.fake.waitFor('chat.postMessage');
    expect(answer!.args.thread_ts).toBe('1700000500.000500');
    expect((await h.app.questions.get(questionId))?.feedback).toBe('not_helped');
  });

  it('closes the stream with a note and posts the knowledge-base answer when the model fails mid-stream', async () => {
    stub.chat = () => {
      const r = streamedCompletion(
        { answer: modelAnswer, citations: ['reset-password'], cannotAnswer: false },
        { everyMs: 2 },
      );
      return { stream: { ...r.stream!, breakAfter: 25 } };
    };
    await send(threadMessage('How do I reset my password?', '1700000800.000800'));
    const [post] = await h.fake.waitFor('chat.postMessage');
    const chatMethods = turnCalls()
      .map((c) => c.method)
      .filter((m, i, all) => m.startsWith('chat.') && m !== all[i - 1]);
    // Some text was streamed before the model's connection dropped; then the stream closes, then the answer.
    expect(chatMethods[0]).toBe('chat.startStream');
    expect(chatMethods.slice(-2)).toEqual(['chat.stopStream', 'chat.postMessage']);
    const [stop] = h.fake.callsOf('chat.stopStream');
    expect(stop!.args.markdown_text).toBe(abandonedNote);
    const card = JSON.stringify(post!.args.blocks);
    expect(card).toContain('Forgot your password? You can reset it yourself');
    expect(card).not.toContain('AI-generated');
    expect(post!.args.thread_ts).toBe('1700000800.000800');
  });

  it('a turn that fails after streaming began closes the stream and tells the person something went wrong', async () => {
    const original = h.app.bot.handle;
    // Failure injection: the core shows some text, then throws (the bot itself isolates features, so this stands
    // for anything below it that could still throw).
    h.app.bot.handle = async (_message, options) => {
      options?.stream?.write('Let me look that up');
      await new Promise((resolve) => setTimeout(resolve, 60));
      throw new Error('boom');
    };
    try {
      await send(threadMessage('How do I reset my password?', '1700000870.000870'));
      const [post] = await h.fake.waitFor('chat.postMessage');
      const [stop] = h.fake.callsOf('chat.stopStream');
      expect(stop!.args.markdown_text).toBe(abandonedNote);
      expect(post!.args.thread_ts).toBe('1700000870.000870');
      expect(JSON.stringify(post!.args)).toMatch(/something went wrong/i);
    } finally {
      h.app.bot.handle = original;
    }
  });

  it('a rate-limited chat.startStream is not waited out: the whole answer is posted at once', async () => {
    stub.chat = () =>
      streamedCompletion(
        { answer: modelAnswer, citations: ['reset-password'], cannotAnswer: false },
        { everyMs: 2 },
      );
    h.fake.script('chat.startStream', { status: 429, retryAfter: 30 });
    await send(threadMessage('How do I reset my password?', '1700000850.000850'));
    const [post] = await h.fake.waitFor('chat.postMessage');
    // One attempt, no retry after 30 s, nothing appended to a stream that never started.
    expect(h.fake.attempts.get('chat.startStream')).toBe(1);
    expect(h.fake.callsOf('chat.appendStream')).toHaveLength(0);
    expect(h.fake.callsOf('chat.stopStream')).toHaveLength(0);
    expect(post!.args.thread_ts).toBe('1700000850.000850');
    const card = JSON.stringify(post!.args.blocks);
    expect(card).toContain('AI-generated');
    expect(card).toContain('Approve the prompt on your phone');
  });

  it('streams nothing when the answer comes from the knowledge base alone', async () => {
    stub.chat = () => ({ status: 500, body: { error: { message: 'down' } } });
    await send(threadMessage('How do I reset my password?', '1700000900.000900'));
    const [post] = await h.fake.waitFor('chat.postMessage');
    expect(h.fake.callsOf('chat.startStream')).toHaveLength(0);
    expect(JSON.stringify(post!.args.blocks)).toContain('"type":"context_actions"');
  });

  it('a top-level DM (no agent thread) is answered as before, without title, status or stream', async () => {
    stub.chat = () => completion({ answer: modelAnswer, citations: ['reset-password'], cannotAnswer: false });
    await send(
      fixture('event-message-im', { event_id: newEventId(), event: { text: 'How do I reset my password?' } }),
    );
    const [post] = await h.fake.waitFor('chat.postMessage');
    expect(turnCalls().map((c) => c.method)).toEqual(['chat.postMessage']);
    expect(post!.args.thread_ts).toBeUndefined();
    expect(JSON.stringify(post!.args.blocks)).toContain('AI-generated');
  });
});
