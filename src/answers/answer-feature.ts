// The answering feature: questions go to the answerer, every question is logged, feedback buttons are handled.
import { randomUUID } from 'node:crypto';
import { copy, howToReachIt } from '../bot/copy.ts';
import type { BotFeature, TurnContext } from '../bot/feature.ts';
import { maskSecrets } from '../intake/secret-masking.ts';
import type { Article } from '../kb/article.ts';
import { truncate } from '../messages/markdown.ts';
import { type Reply, reply } from '../messages/replies.ts';
import type { QuestionLog } from '../store/repositories/question-log.ts';
import { answerActions, answerCard, choiceValue, clarifyCopy } from './answer-card.ts';
import type { Answerer } from './answerer.ts';

/** What happens when someone presses 'Ask IT': intake replaces the default, which says how to reach IT. */
export type EscalateHandler = (ctx: TurnContext, question: string | undefined) => Promise<Reply[]>;

/** What a pick after a clarification tells a listener: the (masked) question and the article chosen. */
export interface ArticleChosen {
  question: string;
  articleId: string;
  userKey: string;
  /** The question-log id of the clarified question. */
  questionId: string;
}

/** What "None of these" after a clarification tells a listener. */
export interface NoneChosen {
  question: string;
  userKey: string;
  questionId: string;
}

export interface AnswerFeatureDeps {
  answerer: Answerer;
  questions: QuestionLog;
  /** The live knowledge base's article by id, to show the article someone picked from a clarification. */
  article?: (id: string) => Article | undefined;
  /** Called on 'Ask IT'; defaults to telling the user how to reach IT. */
  escalate?: EscalateHandler;
  /**
   * Called when someone picks an article offered by a clarification, before the answer card is sent (so learning
   * can keep the phrasing first). Failures are logged and never cost the user the answer. Default: nothing.
   */
  onArticleChosen?: (event: ArticleChosen, ctx: TurnContext) => Promise<void> | void;
  /** Called when someone answers a clarification with "None of these". Default: nothing. */
  onNoneOfThese?: (event: NoneChosen, ctx: TurnContext) => Promise<void> | void;
}

/** The answering feature. `answerQuestion` is exported for the router's fallback path. */
export function createAnswerFeature(deps: AnswerFeatureDeps): BotFeature & {
  answerQuestion(ctx: TurnContext, question: string): Promise<Reply[]>;
} {
  const escalate: EscalateHandler =
    deps.escalate ??
    (async (ctx) => [reply.text(`I can't file requests from here yet. ${howToReachIt(ctx.config)}`)]);

  async function answerQuestion(ctx: TurnContext, question: string): Promise<Reply[]> {
    const decision = await deps.answerer.answer(question);
    const id = randomUUID();
    const base = {
      id,
      askedAt: ctx.now.toISOString(),
      platform: ctx.message.platform,
      userKey: ctx.userKey,
      conversationKind: ctx.message.conversation.kind,
      // The log is read by IT staff: a password typed as a question must not be kept in it.
      text: truncate(maskSecrets(question).text, 500),
      feedback: null,
      feedbackAt: null,
      escalated: false,
    } as const;
    if (decision.kind === 'answer') {
      await logSafely(ctx, () =>
        deps.questions.record({
          ...base,
          articleId: decision.article.id,
          confidence: decision.confidence,
          answered: true,
          via: decision.via,
        }),
      );
      return [
        answerCard({
          article: decision.article,
          question,
          questionId: id,
          publicUrl: ctx.config.http.publicUrl,
          ...(decision.answerText ? { answerText: decision.answerText } : {}),
        }),
      ];
    }
    await logSafely(ctx, () =>
      deps.questions.record({
        ...base,
        articleId: null,
        confidence: decision.confidence,
        answered: false,
        via: 'index',
      }),
    );
    // An answerer that abstains with close articles (the model path does) gets the same choice list.
    const plausible = decision.kind === 'clarify' ? decision.options : decision.closest;
    if (plausible.length > 0) {
      const options = plausible.slice(0, 3).map((h) =>
        // Slack caps button labels at 75 characters; titles are the knowledge base's, not the user's.
        reply.button(truncate(h.article.title, 75), answerActions.choose, choiceValue.of(id, h.article.id)),
      );
      options.push(reply.button(clarifyCopy.noneOfThese, answerActions.noneOfThese, id));
      const choices = reply.choices(clarifyCopy.prompt, options);
      return decision.kind === 'clarify' ? [choices] : [reply.text(copy.dontKnow), choices];
    }
    return [
      reply.text(`${copy.dontKnow} ${copy.offerIt}`),
      reply.choices('Shall I pass it on?', [
        reply.button('Yes, pass it to IT', answerActions.askIt, id, 'primary'),
      ]),
    ];
  }

  /** A pick from a clarification: the article's answer card, as if the question had been answered directly. */
  async function choose(ctx: TurnContext, value: string | undefined): Promise<Reply[]> {
    const picked = choiceValue.parse(value);
    const record = picked ? await deps.questions.get(picked.questionId) : undefined;
    if (!picked || !record) return [reply.text(copy.unknownAction)];
    const article = deps.article?.(picked.articleId);
    if (!article) {
      // The knowledge base changed since the choices were shown.
      return [
        reply.text(`That article is no longer in the knowledge base. ${copy.offerIt}`),
        reply.choices('Shall I pass it on?', [
          reply.button('Yes, pass it to IT', answerActions.askIt, record.id, 'primary'),
        ]),
      ];
    }
    ctx.logger.info({ questionId: record.id, articleId: article.id }, 'Clarification answered');
    const chosen = {
      question: record.text,
      articleId: article.id,
      userKey: ctx.userKey,
      questionId: record.id,
    };
    await hookSafely(ctx, 'onArticleChosen', () => deps.onArticleChosen?.(chosen, ctx));
    return [
      answerCard({
        article,
        question: record.text,
        questionId: record.id,
        publicUrl: ctx.config.http.publicUrl,
      }),
    ];
  }

  /** "None of these": offer to pass the question to IT, as an abstention does. */
  async function noneOfThese(ctx: TurnContext, value: string | undefined): Promise<Reply[]> {
    const record = value ? await deps.questions.get(value) : undefined;
    if (!record) return [reply.text(copy.unknownAction)];
    const none = { question: record.text, userKey: ctx.userKey, questionId: record.id };
    await hookSafely(ctx, 'onNoneOfThese', () => deps.onNoneOfThese?.(none, ctx));
    return [
      reply.text(clarifyCopy.afterNone),
      reply.choices('Shall I pass it on?', [
        reply.button('Yes, pass it to IT', answerActions.askIt, record.id, 'primary'),
      ]),
    ];
  }

  async function feedback(ctx: TurnContext, id: string | undefined, verdict: 'helped' | 'not_helped') {
    const updated = id ? await deps.questions.setFeedback(id, verdict, ctx.now.toISOString()) : undefined;
    if (!updated) return [reply.text(copy.unknownAction)];
    ctx.logger.info({ questionId: id, verdict, articleId: updated.articleId }, 'Answer feedback');
    if (verdict === 'helped') return [reply.notice('success', copy.feedbackThanks)];
    return [
      reply.text(copy.feedbackSorry),
      reply.choices('Pass it to IT?', [reply.button('Yes, ask IT', answerActions.askIt, id, 'primary')]),
    ];
  }

  return {
    name: 'answers',
    answerQuestion,
    commands: {
      ask: async (ctx, args) =>
        args.trim()
          ? answerQuestion(ctx, args)
          : [reply.text('What would you like to know? Try `ask how do I connect to the VPN`.')],
    },
    actions: {
      [answerActions.helped]: (ctx, value) => feedback(ctx, value, 'helped'),
      [answerActions.notHelped]: (ctx, value) => feedback(ctx, value, 'not_helped'),
      [answerActions.choose]: choose,
      [answerActions.noneOfThese]: noneOfThese,
      [answerActions.askIt]: async (ctx, value) => {
        const record = value ? await deps.questions.get(value) : undefined;
        if (record) await logSafely(ctx, () => deps.questions.markEscalated(record.id));
        return escalate(ctx, record?.text);
      },
    },
    help: () => ['`ask <question>` – how to do something (or just type your question)'],
  };
}

/** A listener must never cost the user their answer either. */
async function hookSafely(
  ctx: TurnContext,
  name: string,
  run: () => Promise<void> | void | undefined,
): Promise<void> {
  try {
    await run();
  } catch (error) {
    ctx.logger.warn({ err: error, hook: name }, 'An answering listener failed');
  }
}

/** The log must never cost the user their answer: failures are logged and the answer still goes out. */
async function logSafely(ctx: TurnContext, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    ctx.logger.warn({ err: error }, 'Could not write the question log');
  }
}
