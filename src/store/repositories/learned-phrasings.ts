// Learned phrasings: the ways people asked for an article, learned from use (a 👍, a clarify choice, IT answering a
// request with the article) and, once approved, indexed like the article's own front-matter `questions`.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DuplicateKeyError } from '../../errors.ts';
import type { DocumentStore } from '../document-store.ts';

/** Where a phrasing was learned from. */
export const phrasingSources = ['choice', 'thumbs-up', 'triage'] as const;
/** One of `phrasingSources`. */
export type PhrasingSource = (typeof phrasingSources)[number];

/** Where a phrasing stands: waiting for a decision, counted as one of the article's questions, or refused. */
export const phrasingStatuses = ['proposed', 'approved', 'rejected'] as const;
/** One of `phrasingStatuses`. */
export type PhrasingStatus = (typeof phrasingStatuses)[number];

/** The same limits as an article's front-matter `questions`, so an approved phrasing can always be exported. */
export const phrasingLimits = { min: 3, max: 300 } as const;

/** A learned phrasing as stored: the single source of truth for its shape. */
export const learnedPhrasingSchema = z.object({
  /** A short hash of the article id and the normalised text: the dedupe key, short enough to type. */
  id: z.string().regex(/^[0-9a-f]{12}$/),
  articleId: z.string().min(1).max(200),
  /** The phrasing as first seen, secrets masked (a phrasing that needed masking is never stored at all). */
  text: z.string().min(phrasingLimits.min).max(phrasingLimits.max),
  /** How the phrasing was first learned. */
  source: z.enum(phrasingSources),
  status: z.enum(phrasingStatuses),
  /** How often it was seen, by source. */
  counts: z.object({
    choice: z.number().int().min(0),
    'thumbs-up': z.number().int().min(0),
    triage: z.number().int().min(0),
  }),
  firstSeenAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  /** Who approved or rejected it (`platform:user`, or `cli`); null while proposed. */
  decidedBy: z.string().max(300).nullable(),
  decidedAt: z.iso.datetime().nullable(),
  /** Grows by one on every change (optimistic concurrency: two 👍 at once both count). */
  version: z.number().int().min(1),
});
/** A stored learned phrasing. */
export type LearnedPhrasing = z.infer<typeof learnedPhrasingSchema>;

/** The collection of learned phrasings, by id, listed by status and by article. */
export const learnedPhrasingCollection = {
  name: 'learned_phrasings',
  schema: learnedPhrasingSchema,
  key: 'id',
  indexes: [{ fields: ['status', 'lastSeenAt'] }, { fields: ['articleId'] }],
} as const;

/** Lower case, Unicode-normalised, punctuation dropped, spaces collapsed: "How do I reset my password?" and
 * "how do i reset my password" are one phrasing. */
export function normalisePhrasing(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s'-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The id of a phrasing of an article: the same text (normalised) for the same article is one phrasing. */
export function phrasingId(articleId: string, text: string): string {
  return createHash('sha256')
    .update(`${articleId}\n${normalisePhrasing(text)}`)
    .digest('hex')
    .slice(0, 12);
}

/** Repository over learned phrasings. */
export interface LearnedPhrasingStore {
  /**
   * Records one sighting: a new phrasing is stored as proposed; a known one (whatever its status) counts one
   * more. `created` tells which happened.
   */
  record(input: {
    articleId: string;
    text: string;
    source: PhrasingSource;
    at: string;
  }): Promise<{ phrasing: LearnedPhrasing; created: boolean }>;
  get(id: string): Promise<LearnedPhrasing | undefined>;
  /** Phrasings, most recently seen first, optionally of one status and/or article. */
  list(filter?: { status?: PhrasingStatus; articleId?: string; limit?: number }): Promise<LearnedPhrasing[]>;
  /** Approves or rejects; undefined when there is no such phrasing. Deciding again replaces the decision. */
  decide(
    id: string,
    status: Exclude<PhrasingStatus, 'proposed'>,
    by: string,
    at: string,
  ): Promise<LearnedPhrasing | undefined>;
}

/** Learned phrasings on any document store. */
export function createLearnedPhrasingStore(store: DocumentStore): LearnedPhrasingStore {
  const c = store.collection(learnedPhrasingCollection);

  /** Applies `change` to the latest version, retrying when another write got there first. */
  async function update(
    id: string,
    change: (current: LearnedPhrasing) => LearnedPhrasing,
  ): Promise<LearnedPhrasing | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await c.get(id);
      if (!current) return undefined;
      const next = { ...change(current), version: current.version + 1 };
      if (await c.replaceIf(next, 'version', current.version)) return next;
    }
    throw new Error(`learned phrasing ${id}: too many concurrent changes`);
  }

  const counted = (p: LearnedPhrasing, source: PhrasingSource, at: string): LearnedPhrasing => ({
    ...p,
    counts: { ...p.counts, [source]: p.counts[source] + 1 },
    lastSeenAt: at > p.lastSeenAt ? at : p.lastSeenAt,
  });

  return {
    async record({ articleId, text, source, at }) {
      const id = phrasingId(articleId, text);
      const existing = await update(id, (p) => counted(p, source, at));
      if (existing) return { phrasing: existing, created: false };
      const fresh: LearnedPhrasing = learnedPhrasingSchema.parse({
        id,
        articleId,
        text,
        source,
        status: 'proposed',
        counts: { choice: 0, 'thumbs-up': 0, triage: 0, [source]: 1 },
        firstSeenAt: at,
        lastSeenAt: at,
        decidedBy: null,
        decidedAt: null,
        version: 1,
      });
      try {
        await c.insert(fresh);
        return { phrasing: fresh, created: true };
      } catch (error) {
        // Someone proposed the same phrasing at the same moment: count this sighting on theirs.
        if (!(error instanceof DuplicateKeyError)) throw error;
        const theirs = await update(id, (p) => counted(p, source, at));
        if (!theirs) throw error;
        return { phrasing: theirs, created: false };
      }
    },
    get: (id) => c.get(id),
    list: ({ status, articleId, limit = 500 } = {}) =>
      c.find({
        where: { ...(status ? { status } : {}), ...(articleId ? { articleId } : {}) },
        orderBy: { field: 'lastSeenAt', direction: 'desc' },
        limit,
      }),
    decide: (id, status, by, at) => update(id, (p) => ({ ...p, status, decidedBy: by, decidedAt: at })),
  };
}
