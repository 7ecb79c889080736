// Newsletter issues, their per-destination deliveries, readers' reactions and cached intros.
//
// Exactly-once rests on two single conditional writes: an issue is created by inserting its unique key (the
// ISO week), and each delivery moves from pending to sending by `replaceIf` on its revision, so of several
// replicas only one ever posts to a destination. Deliveries are separate documents rather than a map inside the
// issue, so hundreds of destinations never contend for one hot document.
import { z } from 'zod';
import { DuplicateKeyError } from '../../errors.ts';
import { platformSchema } from '../../messages/incoming.ts';
import { replySchema } from '../../messages/replies.ts';
import type { DocumentStore } from '../document-store.ts';

export const issueSchema = z.object({
  /** The ISO week of the send time in NEWSLETTER_TIMEZONE, e.g. "2026-W48". */
  key: z.string().regex(/^\d{4}-W\d{2}$/),
  /** The schedule slot this issue was made for. */
  scheduledFor: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  /** sending: deliveries under way; sent: every delivery finished; skipped: quiet week, nothing posted. */
  status: z.enum(['sending', 'sent', 'skipped']),
  trigger: z.enum(['schedule', 'catch_up', 'manual']),
  /** Who asked for a manual send. */
  triggeredBy: z.string().max(300).nullable(),
  quiet: z.boolean(),
  /** Exactly what is posted to every destination. */
  replies: z.array(replySchema),
  /** The same issue without item caps, for the web archive. */
  archive: z.array(replySchema),
  /** "platform:id" of every destination, frozen when the issue was created. */
  destinations: z.array(z.string()),
  /** Announcements this issue carried (marked sent once it is created). */
  announcementIds: z.array(z.string()),
  completedAt: z.iso.datetime().nullable(),
  summary: z.object({ sent: z.number().int(), failed: z.number().int() }).nullable(),
});
export type Issue = z.infer<typeof issueSchema>;

export const deliverySchema = z.object({
  /** "issueKey|platform:destination". */
  id: z.string().min(1),
  issueKey: z.string(),
  platform: platformSchema,
  destination: z.string().min(1),
  status: z.enum(['pending', 'sending', 'sent', 'failed']),
  /** Incremented on every write; every update is conditional on it. */
  rev: z.number().int(),
  /** The replica holding a sending claim, and until when. */
  owner: z.string().nullable(),
  leaseUntil: z.iso.datetime().nullable(),
  /** Post attempts so far, across rounds. */
  attempts: z.number().int(),
  /** Delivery rounds that ended in a retryable failure. */
  rounds: z.number().int(),
  messageId: z.string().nullable(),
  reason: z.string().max(500).nullable(),
  permanent: z.boolean(),
  /** A retryable failure is tried again from this time. */
  retryAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime(),
});
export type Delivery = z.infer<typeof deliverySchema>;

export const reactionValues = ['up', 'meh', 'down'] as const;
export type ReactionValue = (typeof reactionValues)[number];

export const reactionSchema = z.object({
  /** "issueKey|userKey": one reaction per reader per issue; the last one wins. */
  id: z.string(),
  issueKey: z.string(),
  userKey: z.string(),
  reaction: z.enum(reactionValues),
  at: z.iso.datetime(),
});
export type Reaction = z.infer<typeof reactionSchema>;

export const introSchema = z.object({
  /** "issueKey|contentHash": the intro written for exactly this content. */
  id: z.string(),
  text: z.string().max(2000),
  createdAt: z.iso.datetime(),
});

export const issueCollection = {
  name: 'newsletter_issues',
  schema: issueSchema,
  key: 'key',
  indexes: [{ fields: ['status'] }, { fields: ['createdAt'] }],
} as const;

export const deliveryCollection = {
  name: 'newsletter_deliveries',
  schema: deliverySchema,
  key: 'id',
  indexes: [{ fields: ['issueKey', 'status'] }],
} as const;

export const reactionCollection = {
  name: 'newsletter_reactions',
  schema: reactionSchema,
  key: 'id',
  indexes: [{ fields: ['issueKey'] }],
} as const;

export const introCollection = { name: 'newsletter_intros', schema: introSchema, key: 'id' } as const;

/** Repository over issues, deliveries, reactions and intros. */
export interface NewsletterIssues {
  get(key: string): Promise<Issue | undefined>;
  /** Creates the issue; false when another replica (or an earlier run) already created it. */
  create(issue: Issue): Promise<boolean>;
  /** Replaces the issue if its status is still `expected`; true when this call made the change. */
  replaceIfStatus(issue: Issue, expected: Issue['status']): Promise<boolean>;
  /** Issues still being delivered. */
  unfinished(): Promise<Issue[]>;
  /** The newest issues first. */
  recent(limit: number): Promise<Issue[]>;
  /** Creates a pending delivery unless one exists. */
  ensureDelivery(d: Delivery): Promise<void>;
  deliveries(issueKey: string): Promise<Delivery[]>;
  /** Replaces a delivery only if its revision is still `d.rev - 1`; true when this call won. */
  updateDelivery(d: Delivery): Promise<boolean>;
  react(r: Reaction): Promise<void>;
  reactionCounts(issueKey: string): Promise<Record<ReactionValue, number>>;
  cachedIntro(id: string): Promise<string | undefined>;
  cacheIntro(id: string, text: string, atIso: string): Promise<void>;
}

/** Newsletter issues on any document store. */
export function createNewsletterIssues(store: DocumentStore): NewsletterIssues {
  const issues = store.collection(issueCollection);
  const deliveries = store.collection(deliveryCollection);
  const reactions = store.collection(reactionCollection);
  const intros = store.collection(introCollection);
  return {
    get: (key) => issues.get(key),
    async create(issue) {
      try {
        await issues.insert(issue);
        return true;
      } catch (error) {
        if (error instanceof DuplicateKeyError) return false;
        throw error;
      }
    },
    replaceIfStatus: (issue, expected) => issues.replaceIf(issue, 'status', expected),
    unfinished: () =>
      issues.find({ where: { status: 'sending' }, orderBy: { field: 'createdAt', direction: 'asc' } }),
    recent: (limit) => issues.find({ orderBy: { field: 'createdAt', direction: 'desc' }, limit }),
    async ensureDelivery(d) {
      try {
        await deliveries.insert(d);
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
      }
    },
    deliveries: (issueKey) => deliveries.find({ where: { issueKey }, limit: 100_000 }),
    updateDelivery: (d) => deliveries.replaceIf(d, 'rev', d.rev - 1),
    react: (r) => reactions.put(r),
    async reactionCounts(issueKey) {
      const counts: Record<ReactionValue, number> = { up: 0, meh: 0, down: 0 };
      for (const r of await reactions.find({ where: { issueKey }, limit: 100_000 })) counts[r.reaction]++;
      return counts;
    },
    cachedIntro: async (id) => (await intros.get(id))?.text,
    cacheIntro: (id, text, atIso) => intros.put({ id, text, createdAt: atIso }),
  };
}
