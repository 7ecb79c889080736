// The question log: every question asked, what was answered, and the feedback given (the KB's gaps and wins).
import { z } from 'zod';
import type { DocumentStore } from '../document-store.ts';

/** How a clarification ended (see `clarifyOutcome`). */
export const clarifyOutcomes = ['pending', 'chosen', 'none_of_these'] as const;
/** One of `clarifyOutcomes`. */
export type ClarifyOutcome = (typeof clarifyOutcomes)[number];

export const questionRecordSchema = z.object({
  id: z.string(),
  askedAt: z.iso.datetime(),
  platform: z.enum(['web', 'slack', 'teams', 'cli']),
  userKey: z.string(),
  conversationKind: z.enum(['personal', 'channel', 'group']),
  /** The question, trimmed to 500 characters. */
  text: z.string().max(500),
  articleId: z.string().nullable(),
  confidence: z.number().min(0).max(1),
  answered: z.boolean(),
  /** How the answer was produced: the lexical index, or the language model over retrieved passages. */
  via: z.enum(['index', 'model']).default('index'),
  feedback: z.enum(['helped', 'not_helped']).nullable(),
  feedbackAt: z.iso.datetime().nullable(),
  /** What the person wrote with their verdict (Teams' and Slack's native feedback forms), secrets masked. */
  feedbackComment: z.string().max(1000).nullable().optional(),
  escalated: z.boolean(),
  /**
   * How a clarification ("Is it one of these?") went: 'pending' while the choices are shown, 'chosen' when
   * the person picked an article, 'none_of_these' when none fitted. Null when the bot did not clarify, so an
   * unanswered question with null here is an abstention. Older entries have no value: read as null.
   */
  clarifyOutcome: z.enum(clarifyOutcomes).nullable().default(null),
});
export type QuestionRecord = z.infer<typeof questionRecordSchema>;
/** A new entry: fields with a default may be left out. */
export type NewQuestionRecord = Omit<QuestionRecord, 'clarifyOutcome'> & {
  clarifyOutcome?: ClarifyOutcome | null;
};

export const questionCollection = {
  name: 'questions',
  schema: questionRecordSchema,
  key: 'id',
  indexes: [{ fields: ['askedAt'] }, { fields: ['articleId'] }],
  // One write per question asked: an fsync each would cost more than answering. A power cut may lose the last
  // second of the log; the answers themselves were already given.
  durability: 'relaxed',
} as const;

/** Repository over the question log. */
export interface QuestionLog {
  record(entry: NewQuestionRecord): Promise<void>;
  get(id: string): Promise<QuestionRecord | undefined>;
  /** Stores 'helped' or 'didn't help'; the last verdict wins. Returns the updated record, or undefined. */
  setFeedback(
    id: string,
    verdict: 'helped' | 'not_helped',
    at: string,
    comment?: string,
  ): Promise<QuestionRecord | undefined>;
  markEscalated(id: string): Promise<void>;
  /**
   * Records how a clarification ended; with 'chosen', `articleId` is the article picked. Returns the updated
   * record, or undefined when there is none.
   */
  setClarifyOutcome(
    id: string,
    outcome: ClarifyOutcome,
    articleId?: string,
  ): Promise<QuestionRecord | undefined>;
  /** Questions asked since the given time, newest first. */
  since(isoTime: string, limit?: number): Promise<QuestionRecord[]>;
  /** Deletes entries older than the retention period; returns how many. */
  purgeBefore(isoTime: string): Promise<number>;
}

/** The question log on any document store. */
export function createQuestionLog(store: DocumentStore): QuestionLog {
  const c = store.collection(questionCollection);
  return {
    record: (entry) => c.insert({ ...entry, clarifyOutcome: entry.clarifyOutcome ?? null }),
    get: (id) => c.get(id),
    async setFeedback(id, verdict, at, comment) {
      const found = await c.get(id);
      if (!found) return undefined;
      const updated = {
        ...found,
        feedback: verdict,
        feedbackAt: at,
        ...(comment ? { feedbackComment: comment.slice(0, 1000) } : {}),
      };
      await c.put(updated);
      return updated;
    },
    async markEscalated(id) {
      const found = await c.get(id);
      if (found && !found.escalated) await c.put({ ...found, escalated: true });
    },
    async setClarifyOutcome(id, outcome, articleId) {
      const found = await c.get(id);
      if (!found) return undefined;
      const updated = { ...found, clarifyOutcome: outcome, ...(articleId ? { articleId } : {}) };
      await c.put(updated);
      return updated;
    },
    since: (isoTime, limit = 10_000) =>
      c.find({
        range: { field: 'askedAt', gte: isoTime },
        orderBy: { field: 'askedAt', direction: 'desc' },
        limit,
      }),
    purgeBefore: (isoTime) => c.deleteOlderThan('askedAt', isoTime),
  };
}
