// Which question an answer message in Teams belongs to: Teams' feedback loop reports the message it was given
// on (replyToId), not IT Buddy's question id, so the pair is kept in the shared store for 30 days.
import { z } from 'zod';
import type { DocumentStore } from '../../src/store/document-store.ts';

const feedbackRefSchema = z.object({
  /** `${conversationId}|${activityId}` of the answer message. */
  id: z.string().max(1000),
  questionId: z.string().max(200),
  expiresAt: z.iso.datetime(),
});

/** Where answer messages are tied to their questions (the CLI catalog lists it too). */
export const feedbackRefCollection = {
  name: 'teams_feedback_refs',
  schema: feedbackRefSchema,
  key: 'id',
  expiresAt: 'expiresAt',
} as const;

/** Remembers and looks up the question behind an answer message. */
export interface FeedbackRefs {
  remember(conversationId: string, activityId: string, questionId: string): Promise<void>;
  questionOf(conversationId: string, activityId: string): Promise<string | undefined>;
}

/** The references on the app's store; entries live `ttlMs` (30 days by default, like feedback is useful). */
export function createFeedbackRefs(store: DocumentStore, ttlMs = 30 * 86_400_000): FeedbackRefs {
  const c = store.collection(feedbackRefCollection);
  return {
    async remember(conversationId, activityId, questionId) {
      await c.put({
        id: `${conversationId}|${activityId}`,
        questionId,
        expiresAt: new Date(Date.now() + ttlMs).toISOString(),
      });
    },
    async questionOf(conversationId, activityId) {
      const found = await c.get(`${conversationId}|${activityId}`);
      return found && Date.parse(found.expiresAt) > Date.now() ? found.questionId : undefined;
    },
  };
}
