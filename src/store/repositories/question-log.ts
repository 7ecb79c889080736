// The question log: every question asked, what was answered, and the feedback given (the KB's gaps and wins).
import { z } from 'zod';
import { DuplicateKeyError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
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
  /**
   * Logs a question. With `buffer` set, a store that is down or slow never holds the answer up: the entry waits in
   * memory and is written when the store is back.
   */
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
  /** Entries waiting in memory for the store, and how many were dropped because the buffer was full. */
  backlog(): { buffered: number; dropped: number };
}

/** How the question log rides out a store outage. */
export interface QuestionLogBuffer {
  /** Entries kept in memory at most; beyond it the oldest is dropped with a counted warning. */
  max: number;
  /** How long an answer waits for the log write before it goes on and the entry is buffered. */
  waitMs: number;
  /** Time between attempts to write the buffer while the store is down. */
  retryMs: number;
  logger: Logger;
}

/** The buffer used by the running bot: a thousand entries, a quarter second, a retry every five seconds. */
export function defaultQuestionLogBuffer(logger: Logger): QuestionLogBuffer {
  return { max: 1000, waitMs: 250, retryMs: 5000, logger };
}

/**
 * The question log on any document store. Without `buffer` every call goes straight to the store (the command
 * line); with it, `record` never fails or waits long for the store, which is what keeps answers flowing while
 * the store is down.
 */
export function createQuestionLog(store: DocumentStore, buffer?: QuestionLogBuffer): QuestionLog {
  const c = store.collection(questionCollection);
  /** Entries not yet written, oldest first. */
  const pending = new Map<string, QuestionRecord>();
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<void> | undefined;

  /** Writes an entry; a duplicate key means an earlier, slow attempt already wrote it. */
  async function write(entry: QuestionRecord): Promise<void> {
    try {
      await c.insert(entry);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      await c.put(entry);
    }
  }

  function hold(entry: QuestionRecord, cause: unknown): void {
    if (!buffer) return;
    if (pending.size === 0)
      buffer.logger.warn({ err: cause }, 'Question log buffered in memory: store unavailable');
    pending.set(entry.id, entry);
    if (pending.size > buffer.max) {
      const oldest = pending.keys().next().value as string;
      pending.delete(oldest);
      dropped++;
      if (dropped === 1 || dropped % 100 === 0)
        buffer.logger.warn({ dropped, max: buffer.max }, 'Question log buffer full: oldest entries dropped');
    }
    scheduleDrain();
  }

  function scheduleDrain(): void {
    if (!buffer || timer || pending.size === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, buffer.retryMs);
    timer.unref();
  }

  function first(): QuestionRecord | undefined {
    return pending.values().next().value;
  }

  function drain(): Promise<void> {
    draining ??= (async () => {
      let written = 0;
      try {
        for (let next = first(); next; next = first()) {
          await write(next);
          // Feedback may have changed the entry while it was being written: then the loop writes it again.
          if (pending.get(next.id) === next) {
            pending.delete(next.id);
            written++;
          }
        }
        if (written > 0)
          buffer?.logger.info({ written, dropped }, 'Buffered question log written to the store');
      } catch {
        scheduleDrain();
      } finally {
        draining = undefined;
      }
    })();
    return draining;
  }

  async function record(input: NewQuestionRecord): Promise<void> {
    const entry: QuestionRecord = { ...input, clarifyOutcome: input.clarifyOutcome ?? null };
    if (!buffer) return c.insert(entry);
    const valid = questionRecordSchema.parse(entry);
    if (pending.size > 0) {
      // Keep the order: behind what is already waiting.
      hold(valid, 'store still unavailable');
      return;
    }
    const attempt = write(valid);
    let timeout: NodeJS.Timeout | undefined;
    const waited = new Promise<'slow'>((resolve) => {
      timeout = setTimeout(() => resolve('slow'), buffer.waitMs);
    });
    try {
      const outcome = await Promise.race([attempt.then(() => 'written' as const), waited]);
      // Too slow: buffer it; if the slow attempt lands after all, the drain finds it written.
      if (outcome === 'slow') hold(valid, 'store slow to answer');
    } catch (error) {
      hold(valid, error);
    } finally {
      clearTimeout(timeout);
      attempt.catch(() => undefined);
    }
  }

  /** Applies a change to an entry still in memory, or to the stored one. */
  async function update(
    id: string,
    change: (found: QuestionRecord) => QuestionRecord | undefined,
  ): Promise<QuestionRecord | undefined> {
    const held = pending.get(id);
    if (held) {
      const updated = change(held);
      if (updated) pending.set(id, updated);
      return updated ?? held;
    }
    const found = await c.get(id);
    if (!found) return undefined;
    const updated = change(found);
    if (updated) await c.put(updated);
    return updated ?? found;
  }

  return {
    record,
    get: async (id) => pending.get(id) ?? (await c.get(id)),
    setFeedback: (id, verdict, at, comment) =>
      update(id, (found) => ({
        ...found,
        feedback: verdict,
        feedbackAt: at,
        ...(comment ? { feedbackComment: comment.slice(0, 1000) } : {}),
      })),
    async markEscalated(id) {
      await update(id, (found) => (found.escalated ? undefined : { ...found, escalated: true }));
    },
    setClarifyOutcome: (id, outcome, articleId) =>
      update(id, (found) => ({ ...found, clarifyOutcome: outcome, ...(articleId ? { articleId } : {}) })),
    async since(isoTime, limit = 10_000) {
      const stored = await c.find({
        range: { field: 'askedAt', gte: isoTime },
        orderBy: { field: 'askedAt', direction: 'desc' },
        limit,
      });
      const held = [...pending.values()].filter(
        (q) => q.askedAt >= isoTime && !stored.some((s) => s.id === q.id),
      );
      if (held.length === 0) return stored;
      return [...stored, ...held].sort((a, b) => b.askedAt.localeCompare(a.askedAt)).slice(0, limit);
    },
    purgeBefore: (isoTime) => c.deleteOlderThan('askedAt', isoTime),
    backlog: () => ({ buffered: pending.size, dropped }),
  };
}
