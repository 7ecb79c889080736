// The answering feature: questions go to the answerer, every question is logged, feedback buttons are handled.
import { randomUUID } from 'node:crypto';
import { copy, howToReachIt } from '../bot/copy.ts';
import type { BotFeature, TurnContext } from '../bot/feature.ts';
import { maskSecrets } from '../intake/secret-masking.ts';
import { escapeMarkdown, truncate } from '../messages/markdown.ts';
import { type Reply, reply } from '../messages/replies.ts';
import type { QuestionLog } from '../store/repositories/question-log.ts';
import { answerActions, answerCard, articleUrl } from './answer-card.ts';
import type { Answerer } from './answerer.ts';

/** What happens when someone presses 'Ask IT': intake replaces the default, which says how to reach IT. */
export type EscalateHandler = (ctx: TurnContext, question: string | undefined) => Promise<Reply[]>;

export interface AnswerFeatureDeps {
  answerer: Answerer;
  questions: QuestionLog;
  /** Called on 'Ask IT'; defaults to telling the user how to reach IT. */
  escalate?: EscalateHandler;
}

/** The answering feature. `answerQuestion` is exported for the router's fallback path. */
export function createAnswerFeature(deps: AnswerFeatureDeps): BotFeature & {
  answerQuestion(ctx: TurnContext, question: string): Promise<Reply[]>;
} {
  const escalate: EscalateHandler =
    deps.escalate ??
    (async (ctx) => [reply.text(`I can't file requests from here yet. ${howToReachIt(ctx.config)}`)]);

  async function answerQuestion(ctx: TurnContext, question: string): Promise<Reply[]> {
    const decision = await deps.answerer.answer(question, undefined, ctx.stream);
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
          ...(decision.answerText ? { answerText: decision.answerText, cited: decision.cited } : {}),
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
    const replies: Reply[] = [reply.text(`${copy.dontKnow} ${copy.offerIt}`)];
    const options = [reply.button('Yes, pass it to IT', answerActions.askIt, id, 'primary')];
    if (decision.closest.length > 0) {
      replies.push(
        reply.text(
          `These might be related:\n${decision.closest
            .map(
              (h) =>
                `- [${escapeMarkdown(h.article.title)}](${articleUrl(ctx.config.http.publicUrl, h.article.id)})`,
            )
            .join('\n')}`,
        ),
      );
    }
    replies.push(reply.choices('Shall I pass it on?', options));
    return replies;
  }

  async function feedback(ctx: TurnContext, id: string | undefined, verdict: 'helped' | 'not_helped') {
    const given = ctx.message.action?.comment?.trim();
    // The log is read by IT staff: a password typed into the comment must not be kept either.
    const comment = given ? truncate(maskSecrets(given).text, 1000) : undefined;
    const updated = id
      ? await deps.questions.setFeedback(id, verdict, ctx.now.toISOString(), comment)
      : undefined;
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
      [answerActions.askIt]: async (ctx, value) => {
        const record = value ? await deps.questions.get(value) : undefined;
        if (record) await logSafely(ctx, () => deps.questions.markEscalated(record.id));
        return escalate(ctx, record?.text);
      },
    },
    help: () => ['`ask <question>` – how to do something (or just type your question)'],
  };
}

/** The log must never cost the user their answer: failures are logged and the answer still goes out. */
async function logSafely(ctx: TurnContext, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    ctx.logger.warn({ err: error }, 'Could not write the question log');
  }
}
