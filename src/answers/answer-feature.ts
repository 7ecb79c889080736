// The answering feature: questions go to the answerer, every question is logged, feedback buttons are handled.
import { randomUUID } from 'node:crypto';
import { copy, howToReachIt } from '../bot/copy.ts';
import type { BotFeature, TurnContext } from '../bot/feature.ts';
import type { Article } from '../kb/article.ts';
import { truncate } from '../messages/markdown.ts';
import { type Reply, reply } from '../messages/replies.ts';
import { maskSecrets, questionSecretNotice } from '../privacy/secret-masking.ts';
import type { QuestionLog, QuestionRecord } from '../store/repositories/question-log.ts';
import { answerActions, answerCard, choiceValue, clarifyCopy } from './answer-card.ts';
import type { Answerer } from './answerer.ts';

/** What happens when someone presses 'Ask IT': intake replaces the default, which says how to reach IT. */
export type EscalateHandler = (ctx: TurnContext, question: string | undefined) => Promise<Reply[]>;

/** A question that met its article (learning uses these to propose phrasings; see src/learning/). */
export type ArticleMatchHook = (match: {
  question: string;
  articleId: string;
  userKey: string;
}) => Promise<void>;

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
  /** Called after the asker's first 👍 on an answer, with the (masked) question and the article. */
  onHelpful?: ArticleMatchHook;
}

/**
 * The question-log entry behind a button, checked against who pressed it: feedback, choice and 'Ask IT' buttons
 * act only for the person they were shown to (in a channel everybody sees them). 'missing' when the entry is
 * unknown (expired, or the log could not be written).
 */
export async function askersEntry(
  questions: QuestionLog,
  ctx: TurnContext,
  id: string | undefined,
): Promise<
  { kind: 'mine'; record: QuestionRecord } | { kind: 'missing' } | { kind: 'not-yours'; reply: Reply[] }
> {
  const record = id ? await questions.get(id) : undefined;
  if (!record) return { kind: 'missing' };
  if (record.userKey === ctx.userKey) return { kind: 'mine', record };
  ctx.logger.info({ questionId: id, by: ctx.userKey }, 'Button pressed by someone it was not shown to');
  return { kind: 'not-yours', reply: [reply.notice('info', copy.notYourButton)] };
}

/** The answering feature. `answerQuestion` is exported for the router's fallback path. */
export function createAnswerFeature(deps: AnswerFeatureDeps): BotFeature & {
  answerQuestion(ctx: TurnContext, question: string): Promise<Reply[]>;
} {
  const escalate: EscalateHandler =
    deps.escalate ??
    (async (ctx) => [reply.text(`I can't file requests from here yet. ${howToReachIt(ctx.config)}`)]);

  async function answerQuestion(ctx: TurnContext, question: string): Promise<Reply[]> {
    // A secret typed into a question is never logged; the person hears so before the answer.
    const masked = maskSecrets(question);
    const replies = await answerPlainly(ctx, question, masked.text);
    return masked.found.length > 0
      ? [reply.notice('warning', questionSecretNotice(masked.found)), ...replies]
      : replies;
  }

  /** Answers `question`; `maskedQuestion` is the same words with any secret hidden, for the log. */
  async function answerPlainly(ctx: TurnContext, question: string, maskedQuestion: string): Promise<Reply[]> {
    const decision = await deps.answerer.answer(question, undefined, ctx.stream);
    const id = randomUUID();
    const base = {
      id,
      askedAt: ctx.now.toISOString(),
      platform: ctx.message.platform,
      userKey: ctx.userKey,
      conversationKind: ctx.message.conversation.kind,
      // The log is read by IT staff: a password typed as a question must not be kept in it.
      text: truncate(maskedQuestion, 500),
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
          ...(decision.answerText ? { answerText: decision.answerText, cited: decision.cited } : {}),
        }),
      ];
    }
    // An answerer that abstains with close articles (the model path does) gets the same choice list.
    const plausible = decision.kind === 'clarify' ? decision.options : decision.closest;
    await logSafely(ctx, () =>
      deps.questions.record({
        ...base,
        articleId: null,
        confidence: decision.confidence,
        answered: false,
        via: 'index',
        // The KB-gap report tells a clarification (choices shown) from an abstention by this field.
        clarifyOutcome: plausible.length > 0 ? 'pending' : null,
      }),
    );
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
    const entry = await askersEntry(deps.questions, ctx, picked?.questionId);
    if (entry.kind === 'not-yours') return entry.reply;
    if (!picked || entry.kind !== 'mine') return [reply.text(copy.unknownAction)];
    const record = entry.record;
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
    await logSafely(ctx, async () => {
      await deps.questions.setClarifyOutcome(record.id, 'chosen', article.id);
    });
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

  /** "None of these — ask IT": the button says ask IT, so the question goes to IT at once (no second offer). */
  async function noneOfThese(ctx: TurnContext, value: string | undefined): Promise<Reply[]> {
    const entry = await askersEntry(deps.questions, ctx, value);
    if (entry.kind === 'not-yours') return entry.reply;
    if (entry.kind !== 'mine') return [reply.text(copy.unknownAction)];
    const record = entry.record;
    await logSafely(ctx, async () => {
      await deps.questions.setClarifyOutcome(record.id, 'none_of_these');
    });
    const none = { question: record.text, userKey: ctx.userKey, questionId: record.id };
    await hookSafely(ctx, 'onNoneOfThese', () => deps.onNoneOfThese?.(none, ctx));
    await logSafely(ctx, () => deps.questions.markEscalated(record.id));
    return [reply.text(clarifyCopy.afterNone), ...(await escalate(ctx, record.text))];
  }

  async function feedback(ctx: TurnContext, id: string | undefined, verdict: 'helped' | 'not_helped') {
    const entry = await askersEntry(deps.questions, ctx, id);
    if (entry.kind === 'not-yours') return entry.reply;
    const given = ctx.message.action?.comment?.trim();
    // The log is read by IT staff: a password typed into the comment must not be kept either.
    const comment = given ? truncate(maskSecrets(given).text, 1000) : undefined;
    const updated =
      entry.kind === 'mine'
        ? await deps.questions.setFeedback(entry.record.id, verdict, ctx.now.toISOString(), comment)
        : undefined;
    if (!updated || entry.kind !== 'mine') return [reply.text(copy.unknownAction)];
    ctx.logger.info({ questionId: id, verdict, articleId: updated.articleId }, 'Answer feedback');
    if (verdict === 'helped') {
      // The first 👍 only: pressing it again is not a second person finding the phrasing useful.
      if (entry.record.feedback !== 'helped' && updated.answered && updated.articleId)
        await deps.onHelpful?.({
          question: updated.text,
          articleId: updated.articleId,
          userKey: ctx.userKey,
        });
      return [reply.notice('success', copy.feedbackThanks)];
    }
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
        const entry = await askersEntry(deps.questions, ctx, value);
        if (entry.kind === 'not-yours') return entry.reply;
        // Without the entry the request starts empty: the clicker is asked what they need, nothing else.
        if (entry.kind === 'missing') return escalate(ctx, undefined);
        await logSafely(ctx, () => deps.questions.markEscalated(entry.record.id));
        return escalate(ctx, entry.record.text);
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
