// Teams AI message features over HTTP against the fake Bot Connector and the stub model: a streamed answer in a
// personal chat (informative update, cumulative chunks, final message with AI label, citations and the feedback
// loop), no streaming in a channel, a model failing mid-stream, and the feedback loop's invoke reaching the
// question log with its comment.
import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureKb } from '../llm/fixture-kb.ts';
import { completion, type StubOpenAi, startStubOpenAi, streamedCompletion } from '../llm/stub-openai.ts';
import { type ConnectorRequest, cardText } from './fake-connector.ts';
import { startTeamsTestServer, type TeamsTestServer } from './teams-harness.ts';

const modelAnswer =
  'No problem, you can reset it yourself:\n1. Open https://passwords.example.com.\n2. Choose **Forgot password** and type your work username.\n3. Approve the prompt on your phone.';

let stub: StubOpenAi;
let kbDir: string;
let t: TeamsTestServer;

beforeAll(async () => {
  stub = await startStubOpenAi();
  kbDir = await writeFixtureKb();
  t = await startTeamsTestServer(
    {
      KB_DIR: kbDir,
      PUBLIC_URL: 'https://buddy.example.com',
      OPENAI_API_KEY: 'sk-test-not-a-real-key-0000000000',
      OPENAI_BASE_URL: stub.baseUrl,
      OPENAI_MODEL: 'gpt-4.1-mini',
      OPENAI_TIMEOUT_MS: '3000',
    },
    { teams: { streaming: { chunkEveryMs: 15 }, typingDelayMs: 60_000 } },
  );
});
afterEach(() => stub.reset());
afterAll(async () => {
  await t?.stop();
  await stub?.close();
  await rm(kbDir, { recursive: true, force: true });
});

type Entity = Record<string, unknown> & { type: string };
const entitiesOf = (r: ConnectorRequest) => (r.body.entities as Entity[] | undefined) ?? [];
const streamInfo = (r: ConnectorRequest) => entitiesOf(r).find((e) => e.type === 'streaminfo');
const repliesTo = (id: string) =>
  t.connector.requests.filter((r) => r.activityId === id && r.method === 'POST' && r.status === 200);

const streamed = () =>
  streamedCompletion(
    { answer: modelAnswer, citations: ['reset-password'], cannotAnswer: false },
    { everyMs: 2 },
  );

describe('a model answer in a personal chat', () => {
  it('streams: an informative update, cumulative chunks, then one final message with AI label, citations and feedback', async () => {
    stub.chat = () => streamed();
    expect(
      await t.post(t.activity('personal-message', { id: 'ask-1', text: 'How do I reset my password?' })),
    ).toBe(200);
    const final = await t.connector.replyTo('ask-1');
    const sent = repliesTo('ask-1');
    const infos = sent.map((r) => streamInfo(r));
    expect(infos.every(Boolean)).toBe(true);

    // The first update is informative, starts the stream (sequence 1, no id yet) and its answer id names it.
    expect(sent[0]!.body).toMatchObject({ type: 'typing', text: 'Searching the knowledge base…' });
    expect(infos[0]).toEqual({ type: 'streaminfo', streamType: 'informative', streamSequence: 1 });
    const streamId = sent[0]!.answeredId;
    expect(streamId).toBeTruthy();

    const chunks = sent.filter((r) => streamInfo(r)?.streamType === 'streaming');
    expect(chunks.length).toBeGreaterThan(0);
    // Every chunk carries all the text so far; sequence numbers go up by one from the first update.
    chunks.forEach((c, i) => {
      expect(c.body.type).toBe('typing');
      if (i > 0) expect(String(c.body.text).startsWith(String(chunks[i - 1]!.body.text))).toBe(true);
    });
    expect(modelAnswer.startsWith(String(chunks.at(-1)!.body.text))).toBe(true);
    const sequences = sent.slice(0, -1).map((r) => streamInfo(r)!.streamSequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    for (const r of sent.slice(1)) expect(streamInfo(r)!.streamId).toBe(streamId);

    // The final message closes the stream and is the finished answer.
    expect(final).toBe(sent.at(-1));
    expect(final.body.type).toBe('message');
    expect(streamInfo(final)).toEqual({ type: 'streaminfo', streamId, streamType: 'final' });
    expect(final.body.channelData).toMatchObject({
      feedbackLoopEnabled: true,
      streamType: 'final',
      streamId,
    });
    expect(String(final.body.text)).toContain('Reset a forgotten password');
    expect(String(final.body.text)).toContain('Approve the prompt on your phone');
    expect(String(final.body.text)).toMatch(/\[1\]$/);
    const ai = entitiesOf(final).find((e) => e.type === 'https://schema.org/Message');
    expect(ai).toMatchObject({
      '@type': 'Message',
      '@context': 'https://schema.org',
      additionalType: ['AIGeneratedContent'],
      citation: [
        {
          '@type': 'Claim',
          position: 1,
          appearance: {
            '@type': 'DigitalDocument',
            name: 'Reset a forgotten password',
            url: 'https://buddy.example.com/kb/reset-password',
          },
        },
      ],
    });
    // The buttons stay on a card under the text; 👍/👎 are Teams' own.
    expect(cardText(final.body)).toContain('Ask IT');
    expect(cardText(final.body)).not.toContain('That helped');
  });

  it('after the person presses Stop (Teams refuses a chunk with 403), sends no more chunks and still closes the stream', async () => {
    stub.chat = () => streamed();
    let chunks = 0;
    // The second streaming chunk is refused, as Teams does once Stop was pressed.
    t.connector.script(
      (r) => r.method === 'POST' && r.activityId === 'ask-5' && ++chunks === 3,
      [
        {
          status: 403,
          body: { error: { code: 'ContentStreamNotAllowed', message: 'Content stream is not allowed' } },
        },
      ],
    );
    await t.post(t.activity('personal-message', { id: 'ask-5', text: 'How do I reset my password?' }));
    const final = await t.connector.waitFor(
      (r) => r.activityId === 'ask-5' && r.body.type === 'message' && r.method === 'POST',
    );
    const attempts = t.connector.requests.filter((r) => r.activityId === 'ask-5');
    const refused = attempts.findIndex((r) => r.status === 403);
    expect(refused).toBeGreaterThan(0);
    // Nothing but the final message after the refusal.
    expect(attempts.slice(refused + 1)).toEqual([final]);
    expect(streamInfo(final)).toMatchObject({ streamType: 'final' });
  });

  it('when the model fails mid-stream, the final message is the knowledge-base answer, not labelled as AI', async () => {
    stub.chat = () => {
      const r = streamed();
      return { stream: { ...r.stream!, breakAfter: 25 } };
    };
    await t.post(t.activity('personal-message', { id: 'ask-3', text: 'How do I reset my password?' }));
    const final = await t.connector.replyTo('ask-3');
    const sent = repliesTo('ask-3');
    expect(sent.some((r) => streamInfo(r)?.streamType === 'streaming')).toBe(true);
    expect(streamInfo(final)).toMatchObject({ streamType: 'final', streamId: sent[0]!.answeredId });
    expect(cardText(final.body)).toContain('Forgot your password? You can reset it yourself');
    expect(entitiesOf(final).some((e) => e.type === 'https://schema.org/Message')).toBe(false);
    expect(final.body.text).toBeUndefined();
  });
});

describe('a model answer in a channel', () => {
  it('is not streamed: one message with the AI label and citations', async () => {
    stub.chat = (r) =>
      r.body.stream
        ? streamed()
        : completion({ answer: modelAnswer, citations: ['reset-password'], cannotAnswer: false });
    await t.post(
      t.activity('channel-mention', { id: 'ask-4', text: '<at>IT Buddy</at> how do I reset my password?' }),
    );
    const answer = await t.connector.replyTo('ask-4');
    const sent = repliesTo('ask-4');
    expect(sent).toEqual([answer]);
    expect(streamInfo(answer)).toBeUndefined();
    expect(stub.requests.every((r) => r.body.stream === undefined)).toBe(true);
    expect(entitiesOf(answer).find((e) => e.type === 'https://schema.org/Message')).toMatchObject({
      additionalType: ['AIGeneratedContent'],
    });
  });
});

// Last: picking "Yes, ask IT" starts an IT request conversation with this person, which would catch later questions.
describe('the feedback loop', () => {
  it('the feedback loop records the verdict and the comment in the question log', async () => {
    stub.chat = () => streamed();
    await t.post(t.activity('personal-message', { id: 'ask-2', text: 'How do I reset my password?' }));
    const final = await t.connector.replyTo('ask-2');
    await t.channel.idle();
    const status = await t.post(
      t.activity('personal-message', {
        id: 'feedback-1',
        type: 'invoke',
        name: 'message/submitAction',
        text: undefined,
        replyToId: final.answeredId,
        value: {
          actionName: 'feedback',
          actionValue: {
            reaction: 'dislike',
            feedback: JSON.stringify({ feedbackText: 'Step 2 is wrong for me' }),
          },
        },
      }),
    );
    expect(status).toBe(200);
    await t.channel.idle();
    const [latest] = await t.app.questions.since('2000-01-01T00:00:00.000Z', 1);
    expect(latest).toMatchObject({ feedback: 'not_helped', feedbackComment: 'Step 2 is wrong for me' });
    // 👎 offers to pass it to IT as a suggested action; Teams thanks for the feedback itself.
    const followUp = await t.connector.waitFor(
      (r) => r.activityId === 'feedback-1' && r.body.suggestedActions !== undefined,
    );
    expect(followUp.body.text).toBe('Pass it to IT?');
    expect(followUp.body.suggestedActions).toEqual({
      to: [expect.stringMatching(/^29:/)],
      actions: [{ type: 'imBack', title: 'Yes, ask IT', value: 'Yes, ask IT' }],
    });

    // Picking it sends its title as the person's message, which IT Buddy turns back into the button's action.
    await t.post(t.activity('personal-message', { id: 'pick-1', text: 'Yes, ask IT' }));
    const next = await t.connector.replyTo('pick-1');
    await t.channel.idle();
    expect((await t.app.questions.get(latest!.id))?.escalated).toBe(true);
    expect(cardText(next.body) + String(next.body.text ?? '')).not.toMatch(/didn't catch|not sure/i);
  });
});
