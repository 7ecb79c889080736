// Sending cards to Teams within its limits: render, wait for the rate limiter, send with the retry policy,
// and turn what went wrong into the core's delivery errors (marking a reference invalid when Teams says
// the bot can no longer reach that conversation).
import type { Activity, TurnContext } from 'botbuilder';
import { PermanentDeliveryError, RetryableDeliveryError } from '../../src/channels/channel-adapter.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { Card, Choices, Reply } from '../../src/messages/replies.ts';
import type { ConversationRefs } from '../../src/store/repositories/conversation-refs.ts';
import { answerActivity, feedbackQuestionId, hasFeedback } from './ai-message.ts';
import { cardMarkdown } from './card-markdown.ts';
import { classifyDeliveryError, DeliveryFailure, type RetryPolicy, sendWithRetry } from './delivery.ts';
import type { RateLimiter } from './rate-limit.ts';
import {
  type AdaptiveCard,
  adaptiveCardContentType,
  cardByteBudget,
  cardBytes,
  renderCards,
  summaryOf,
} from './render-cards.ts';
import { suggestable, suggestionTitle } from './suggested-actions.ts';

/** Where a send goes, for the rate limiter and for marking the reference invalid. */
export interface SendTarget {
  conversationId: string;
  tenantId: string | undefined;
  /** The conversation-refs key the conversation was reached through, if any. */
  refKey?: string;
  /** Sent on IT Buddy's own initiative rather than in answer to someone: leaves room for replies. */
  proactive?: boolean;
}

/** One activity to send for a turn, and the question its native feedback belongs to (answers only). */
export interface PlannedActivity {
  activity: Partial<Activity>;
  questionId?: string | undefined;
  /** Choices sent as suggested actions: the offer to remember before sending. */
  offer?: Choices | undefined;
}

/**
 * The activities for a turn's replies: each answer card on its own (feedback loop, AI label), choices in a
 * personal chat as suggested actions when Teams allows them (three at most), the rest as cards.
 */
export function planActivities(
  replies: Reply[],
  options: { personal?: boolean; userId?: string | undefined } = {},
): PlannedActivity[] {
  const out: PlannedActivity[] = [];
  let group: Reply[] = [];
  const flush = () => {
    if (group.length === 0) return;
    const summary = summaryOf(group);
    for (const card of renderCards(group)) out.push({ activity: cardActivity(card, summary) });
    group = [];
  };
  for (const r of replies) {
    if (r.type === 'choices' && options.personal && suggestable(r)) {
      flush();
      out.push({
        activity: {
          type: 'message',
          textFormat: 'markdown',
          text: cardMarkdown(r.prompt),
          suggestedActions: {
            to: options.userId ? [options.userId] : [],
            actions: r.options.map((o) => ({
              type: 'imBack',
              title: suggestionTitle(o.label),
              value: suggestionTitle(o.label),
            })),
          },
        },
        offer: r,
      });
    } else if (r.type === 'card' && r.kind === 'answer') {
      flush();
      out.push({
        activity: answerActivity(r),
        questionId: hasFeedback(r as Card) ? feedbackQuestionId(r) : undefined,
      });
    } else group.push(r);
  }
  flush();
  return out;
}

/** A message activity carrying one card. */
export function cardActivity(card: AdaptiveCard, summary: string): Partial<Activity> {
  return {
    type: 'message',
    attachments: [{ contentType: adaptiveCardContentType, content: card }],
    ...(summary ? { summary } : {}),
  };
}

export interface TeamsSenderDeps {
  limiter: RateLimiter;
  refs: ConversationRefs;
  logger: Logger;
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Called when a reference is marked invalid (the adapter forgets its cached copy). */
  onInvalid?: (refKey: string) => void;
}

/** The sending half of the Teams adapter. */
export interface TeamsSender {
  /** Sends replies as cards in the context's conversation; returns the new message ids, in order. */
  sendReplies(context: TurnContext, replies: Reply[], target: SendTarget): Promise<string[]>;
  /** Sends planned activities (see planActivities); returns each one's id and question. */
  sendPlanned(
    context: TurnContext,
    planned: PlannedActivity[],
    target: SendTarget,
  ): Promise<Array<{ id: string; questionId?: string | undefined }>>;
  /** Runs one connector call (an update, say) under the limiter and retry policy. */
  call<T>(target: SendTarget, send: () => Promise<T>): Promise<T>;
  /** Maps any failure to PermanentDeliveryError or RetryableDeliveryError, marking the reference invalid when gone. */
  toDeliveryError(error: unknown, target: SendTarget): Promise<Error>;
}

/** Creates the sender. */
export function createTeamsSender(deps: TeamsSenderDeps): TeamsSender {
  const { limiter, logger } = deps;

  async function call<T>(target: SendTarget, send: () => Promise<T>): Promise<T> {
    await limiter.acquire(target);
    return sendWithRetry(send, {
      ...(deps.retryPolicy ? { policy: deps.retryPolicy } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      onRetry: (problem, attempt, waitMs) =>
        logger.warn(
          { status: problem.status, code: problem.code, attempt, waitMs },
          'Teams asked us to slow down or failed briefly; retrying',
        ),
    });
  }

  async function sendPlanned(
    context: TurnContext,
    planned: PlannedActivity[],
    target: SendTarget,
  ): Promise<Array<{ id: string; questionId?: string | undefined }>> {
    const sent: Array<{ id: string; questionId?: string | undefined }> = [];
    for (const { activity, questionId } of planned) {
      for (const a of activity.attachments ?? []) {
        const bytes = cardBytes(a.content as AdaptiveCard);
        if (bytes > cardByteBudget)
          logger.warn({ bytes }, 'A Teams card is over the size budget; Teams may refuse it');
      }
      const response = await call(target, () => context.sendActivity(activity));
      sent.push({ id: response?.id ?? '', questionId });
    }
    return sent;
  }

  return {
    call,

    async sendReplies(context, replies, target) {
      return (await sendPlanned(context, planActivities(replies), target)).map((s) => s.id);
    },

    sendPlanned,

    async toDeliveryError(error, target) {
      if (error instanceof PermanentDeliveryError || error instanceof RetryableDeliveryError) return error;
      const failure =
        error instanceof DeliveryFailure
          ? error
          : new DeliveryFailure(classifyDeliveryError(error), 1, { cause: error });
      const problem = failure.problem;
      const where = `Teams conversation ${target.conversationId}`;
      switch (problem.kind) {
        case 'gone': {
          if (target.refKey) {
            await deps.refs.markInvalid(target.refKey, problem.reason).catch((e: unknown) => {
              logger.warn({ err: e }, 'Could not mark a Teams conversation reference invalid');
            });
            deps.onInvalid?.(target.refKey);
          }
          logger.warn(
            { conversationId: target.conversationId, code: problem.code },
            'Teams conversation unreachable; reference marked invalid',
          );
          return new PermanentDeliveryError(
            `IT Buddy can no longer post to ${where} (${problem.code}). Add the IT Buddy app to it again, or change the destination.`,
            { cause: failure },
          );
        }
        case 'retry':
        case 'later':
          return new RetryableDeliveryError(
            `Teams did not accept the message for ${where} after ${failure.attempts} attempt(s) (${problem.status ?? 'network error'}). It can be sent again later.`,
            failure.retryAfterMs,
            { cause: failure },
          );
        case 'fail':
          return new PermanentDeliveryError(
            `Teams refused the message for ${where} (${problem.status ?? '?'} ${problem.code}). Retrying will not help; check the IT Buddy logs and the Teams app settings.`,
            { cause: failure },
          );
      }
    },
  };
}
