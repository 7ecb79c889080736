// The clarify flow as a conversation: "is it one of these?" with article buttons, a pick showing that article's
// answer card, "None of these" offering IT, the listener hooks, and the choices rendered as Slack and Teams buttons.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/slack/render-blocks.ts';
import { renderCards } from '../../adapters/teams/render-cards.ts';
import { clarifyCopy } from '../../src/answers/answer-card.ts';
import { type ArticleChosen, createAnswerFeature } from '../../src/answers/answer-feature.ts';
import { createIndexAnswerer } from '../../src/answers/answerer.ts';
import { createBot } from '../../src/bot/bot.ts';
import { loadKb } from '../../src/kb/load-kb.ts';
import { buildIndex } from '../../src/kb/search-index.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { IncomingMessage } from '../../src/messages/incoming.ts';
import type { Choices, Reply } from '../../src/messages/replies.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import { openStore } from '../../src/store/open-store.ts';
import { createQuestionLog } from '../../src/store/repositories/question-log.ts';
import { testConfig } from '../helpers/test-config.ts';
import { postChat, startTestServer, type TestServer } from '../helpers/test-server.ts';

const kbDir = path.resolve(import.meta.dirname, '../fixtures/kb-clarify');
/** A threshold no answer reaches, so every plausible question lands in the clarify band whatever the ranking. */
const clarifyAlways = '0.99';

type Json = Record<string, unknown>;
type ButtonJson = { label: string; action?: { id: string; value?: string } };

function onlyChoices(replies: Array<Json & { type: string }> | Reply[] | undefined): Choices {
  const choices = (replies ?? []).filter((r) => r.type === 'choices');
  expect(choices, `no single choices reply in ${JSON.stringify(replies)}`).toHaveLength(1);
  return choices[0] as unknown as Choices;
}

describe('clarify flow over the web channel', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ KB_DIR: kbDir, ANSWER_MIN_CONFIDENCE: clarifyAlways });
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function clarify(userId: string) {
    const res = await postChat(server.url, { userId, text: 'printer problem' });
    expect(res.status).toBe(200);
    expect(res.body.replies?.some((r) => r.type === 'card')).toBe(false);
    return onlyChoices(res.body.replies);
  }

  it('asks "is it one of these?" with up to three article titles and "None of these — ask IT"', async () => {
    const choices = await clarify('alice');
    expect(choices.prompt).toBe(clarifyCopy.prompt);
    const labels = choices.options.map((o) => o.label);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(labels.length).toBeLessThanOrEqual(4);
    expect(labels).toContain('Fix a printer that is offline or jammed');
    expect(labels.at(-1)).toBe(clarifyCopy.noneOfThese);
    expect(new Set(labels).size).toBe(labels.length);

    const questionId = choices.options.at(-1)!.action!.value!;
    for (const option of choices.options.slice(0, -1)) {
      expect(option.action?.id).toBe('answer.choose');
      expect(option.action?.value).toMatch(new RegExp(`^${questionId} [a-z0-9-]+$`));
    }
    const logged = await server.app.questions.get(questionId);
    expect(logged).toMatchObject({ text: 'printer problem', answered: false, articleId: null });
  });

  it("shows the picked article's answer card, whose buttons work as for a direct answer", async () => {
    const choices = await clarify('bob');
    const pick = choices.options.find((o) => o.label === 'Fix a printer that is offline or jammed')!;
    const questionId = pick.action!.value!.split(' ')[0]!;

    const picked = await postChat(server.url, { userId: 'bob', action: pick.action! });
    expect(picked.status).toBe(200);
    const card = picked.body.replies?.find((r) => r.type === 'card') as unknown as Json & {
      kind: string;
      title: string;
      actions: ButtonJson[];
      link: { url: string };
    };
    expect(card).toMatchObject({ kind: 'answer', title: 'Fix a printer that is offline or jammed' });
    expect(card.link.url).toBe(`${server.url}/kb/printer-offline`);
    expect(card.actions.map((a) => a.action?.id)).toEqual([
      'answer.helped',
      'answer.not_helped',
      'answer.ask_it',
    ]);
    expect(new Set(card.actions.map((a) => a.action?.value))).toEqual(new Set([questionId]));

    const helped = await postChat(server.url, {
      userId: 'bob',
      action: { id: 'answer.helped', value: questionId },
    });
    expect(helped.body.replies?.[0]).toMatchObject({ type: 'notice', tone: 'success' });
    expect((await server.app.questions.get(questionId))?.feedback).toBe('helped');
  });

  it('"None of these — ask IT" passes the question to IT at once and marks it escalated', async () => {
    const choices = await clarify('carol');
    const none = choices.options.at(-1)!;
    const questionId = none.action!.value!;

    const after = await postChat(server.url, { userId: 'carol', action: none.action! });
    expect(after.status).toBe(200);
    expect(after.body.replies?.[0]).toMatchObject({ type: 'text', text: clarifyCopy.afterNone });
    // The request starts from the question's words: no second "Shall I pass it on?" to press.
    expect(JSON.stringify(after.body.replies)).toMatch(/pass this to IT/);
    expect(JSON.stringify(after.body.replies)).not.toMatch(/Shall I pass it on/);
    expect((await server.app.questions.get(questionId))?.escalated).toBe(true);
  });

  it('a forged pick of an article that does not exist shows no card and offers IT instead', async () => {
    const choices = await clarify('dave');
    const questionId = choices.options.at(-1)!.action!.value!;
    const forged = await postChat(server.url, {
      userId: 'dave',
      action: { id: 'answer.choose', value: `${questionId} no-such-article` },
    });
    expect(forged.status).toBe(200);
    expect(forged.body.replies?.some((r) => r.type === 'card')).toBe(false);
    expect(onlyChoices(forged.body.replies).options[0]!.action?.id).toBe('answer.ask_it');
  });

  it('renders the choices natively: Slack buttons and Teams card actions carrying the same actions', async () => {
    const choices = await clarify('erin');
    const slack = renderMessage([choices]);
    const buttons = slack.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons.map((b) => b.text.text)).toEqual(choices.options.map((o) => o.label));
    expect(buttons.map((b) => b.value)).toEqual(choices.options.map((o) => o.action?.value));
    expect(buttons.every((b) => b.action_id.startsWith('answer.'))).toBe(true);

    const [card] = renderCards([choices]);
    const actions = JSON.stringify(card);
    for (const option of choices.options) {
      expect(actions).toContain(JSON.stringify(option.label));
      expect(actions).toContain(JSON.stringify(option.action?.value));
    }
  });
});

describe('out-of-scope questions on the default thresholds', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    'When are performance reviews?',
    'How many days of annual leave do I get each year?',
    "What's on the canteen menu today?",
    'Can I bring my dog into the office?',
    'How do I apply for maternity leave?',
  ])('"%s" gets no direct answer', async (text) => {
    const res = await postChat(server.url, { userId: 'frank', text });
    expect(res.status).toBe(200);
    expect(res.body.replies?.some((r) => r.type === 'card')).toBe(false);
  });
});

describe('the onArticleChosen listener', () => {
  let store: DocumentStore;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-clarify-'));
    store = await openStore(testConfig({ DATA_DIR: dataDir }).store, silentLogger());
  });

  afterAll(async () => {
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('hears the question and the picked article before the card goes out; a failing listener costs nothing', async () => {
    const kb = await loadKb(kbDir);
    const index = buildIndex(kb.articles, kb.synonyms, { minConfidence: 0.99 });
    const heard: ArticleChosen[] = [];
    let fail = false;
    const answers = createAnswerFeature({
      answerer: createIndexAnswerer(() => index),
      questions: createQuestionLog(store),
      article: (id) => index.get(id),
      onArticleChosen: (event) => {
        if (fail) throw new Error('listener down');
        heard.push(event);
      },
    });
    const bot = createBot({
      config: testConfig({ DATA_DIR: dataDir }),
      logger: silentLogger(),
      features: [answers],
      fallback: (ctx, text) => answers.answerQuestion(ctx, text),
    });
    const message = (content: Pick<IncomingMessage, 'text' | 'action'>): IncomingMessage => ({
      platform: 'slack',
      user: { id: 'U1' },
      conversation: { id: 'D1', kind: 'personal' },
      ...content,
    });

    const choices = onlyChoices(await bot.handle(message({ text: 'printer problem' })));
    const pick = choices.options.find((o) => o.action?.value?.endsWith(' printer-add'))!;
    const card = await bot.handle(message({ action: pick.action! }));
    expect(card[0]).toMatchObject({ type: 'card', title: 'Add an office printer to your laptop' });
    expect(heard).toEqual([
      {
        question: 'printer problem',
        articleId: 'printer-add',
        userKey: expect.stringContaining('U1'),
        questionId: pick.action!.value!.split(' ')[0],
      },
    ]);

    fail = true;
    const again = await bot.handle(message({ action: pick.action! }));
    expect(again[0]).toMatchObject({ type: 'card', title: 'Add an office printer to your laptop' });
  });
});
