// Time to first visible text of a model answer in Slack, streamed (an agent thread: chat.startStream) and not
// streamed (a top-level DM: chat.postMessage of the whole card), through the real Bolt app over HTTP against the
// fake Slack Web API and the stub model writing at a realistic pace.
import { rm } from 'node:fs/promises';
import { writeFixtureKb } from '../test/llm/fixture-kb.ts';
import { completion, startStubOpenAi, streamedCompletion } from '../test/llm/stub-openai.ts';
import { startAdapterHarness } from '../test/slack/adapter-harness.ts';
import { fixture, newEventId, sendEvent } from '../test/slack/fake-slack.ts';
import { signingSecret } from '../test/slack/slack-harness.ts';

/** A hosted model's pace: about 400 ms before the first token, then about 60 tokens (240 characters) a second. */
const firstTokenMs = 400;
const msPerToken = 16;
const rounds = 8;

const answer = {
  answer:
    'No problem, you can reset it yourself:\n1. Open https://passwords.example.com.\n2. Choose **Forgot password** and type your work username.\n3. Approve the prompt on your phone.\n4. Choose a new password of at least 14 characters.',
  citations: ['reset-password'],
  cannotAnswer: false,
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** Runs the comparison; figures in milliseconds. */
export async function streamingBench(): Promise<Record<string, unknown>> {
  const stub = await startStubOpenAi();
  const kbDir = await writeFixtureKb();
  const h = await startAdapterHarness({
    env: {
      KB_DIR: kbDir,
      PUBLIC_URL: 'https://buddy.example.com',
      OPENAI_API_KEY: 'bench-key-not-real-000000000000',
      OPENAI_BASE_URL: stub.baseUrl,
      OPENAI_MODEL: 'gpt-4.1-mini',
      OPENAI_TIMEOUT_MS: '10000',
    },
  });
  const pieces = JSON.stringify(answer).match(/[\s\S]{1,4}/g)?.length ?? 0;
  // The same model either way: streamed, or answering once the whole text is written.
  stub.chat = (r) =>
    r.body.stream
      ? { ...streamedCompletion(answer, { everyMs: msPerToken }), delayMs: firstTokenMs }
      : { ...completion(answer), delayMs: firstTokenMs + pieces * msPerToken };
  const streamedMs: number[] = [];
  const wholeMs: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      for (const streamed of i % 2 === 0 ? [true, false] : [false, true]) {
        h.fake.reset();
        const started = Date.now();
        const event = fixture('event-message-im', {
          event_id: newEventId(),
          event: {
            text: 'How do I reset my password?',
            ts: `1700001${String(i).padStart(3, '0')}.00000${streamed ? 1 : 2}`,
            ...(streamed ? { thread_ts: `1700002${String(i).padStart(3, '0')}.000001` } : {}),
          },
        });
        await sendEvent(h.url, signingSecret, event);
        const [first] = await h.fake.waitFor(streamed ? 'chat.startStream' : 'chat.postMessage');
        (streamed ? streamedMs : wholeMs).push(first!.at - started);
        // Let the turn finish before the next one.
        if (streamed) await h.fake.waitFor('chat.stopStream');
      }
    }
  } finally {
    await h.stop();
    await stub.close();
    await rm(kbDir, { recursive: true, force: true });
  }
  return {
    model: { firstTokenMs, tokensPerSecond: Math.round(1000 / msPerToken), answerTokens: pieces },
    rounds,
    firstVisibleTextMs: { streamed: median(streamedMs), notStreamed: median(wholeMs) },
    streamedSavesMs: median(wholeMs) - median(streamedMs),
  };
}
