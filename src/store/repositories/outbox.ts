// The outbox: every message the bot sends on its own (a request posted to IT, a summary updated in place, a
// direct message to a requester) is first written here as a job, then delivered by the outbox worker.
import { z } from 'zod';
import { DuplicateKeyError } from '../../errors.ts';
import { platformSchema } from '../../messages/incoming.ts';
import type { DocumentStore } from '../document-store.ts';

export const postedMessageSchema = z.object({
  platform: platformSchema,
  destination: z.string(),
  messageId: z.string(),
});

export const outboxJobSchema = z.object({
  /** Deterministic, so writing the same job twice is harmless (e.g. `IT-0042|post|slack:C0123`). */
  id: z.string(),
  /** post: a new channel message; update: replace a posted message in place; direct: a direct message. */
  kind: z.enum(['post', 'update', 'direct']),
  /** What the content is derived from, e.g. the request reference. */
  subject: z.string(),
  platform: platformSchema,
  /** Channel id for posts, user id for direct messages; for updates, the post job being updated. */
  destination: z.string(),
  threadId: z.string().nullable(),
  /** The history entry a direct message is about, when it is about one. */
  detail: z.string().nullable(),
  status: z.enum(['pending', 'done', 'failed']),
  attempts: z.number().int().min(0),
  nextAttemptAt: z.iso.datetime(),
  lastError: z.string().nullable(),
  /**
   * When the delivery in progress started, set durably before the message goes out and cleared when its outcome
   * is recorded. Found set by a new lease holder, it means the last holder died mid-delivery: the message may be
   * out already, so the worker looks for it before sending again.
   */
  attemptedAt: z.iso.datetime().nullable().optional(),
  /** Where the message went, once delivered: updates in place use it. */
  posted: postedMessageSchema.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type OutboxJob = z.infer<typeof outboxJobSchema>;

export const outboxCollection = {
  name: 'outbox',
  schema: outboxJobSchema,
  key: 'id',
  indexes: [{ fields: ['status', 'nextAttemptAt'] }, { fields: ['subject'] }],
} as const;

/** Repository over outbox jobs. */
export interface OutboxRepository {
  /** Adds jobs; a job whose id already exists is left as it is. Returns the ids actually added. */
  enqueue(jobs: OutboxJob[]): Promise<string[]>;
  get(id: string): Promise<OutboxJob | undefined>;
  /** Pending jobs due at `isoNow` for the given platforms, soonest first. */
  due(isoNow: string, platforms: readonly string[], limit?: number): Promise<OutboxJob[]>;
  /** How many jobs are pending for a platform. */
  pendingFor(platform: string): Promise<number>;
  /** Every job about a subject, oldest first. */
  bySubject(subject: string): Promise<OutboxJob[]>;
  /** Replaces a job only if its version is still `expectedVersion`. */
  replace(job: OutboxJob, expectedVersion: number): Promise<boolean>;
  /** Removes jobs (used to undo an enqueue whose record was never written). */
  remove(ids: string[]): Promise<void>;
  /** Jobs in a status, newest first (for the IT pages and diagnostics). */
  withStatus(status: OutboxJob['status'], limit?: number): Promise<OutboxJob[]>;
}

/** A new pending job, due now. */
export function newJob(
  fields: Pick<OutboxJob, 'id' | 'kind' | 'subject' | 'platform' | 'destination'> &
    Partial<Pick<OutboxJob, 'threadId' | 'detail'>>,
  now: Date,
): OutboxJob {
  const at = now.toISOString();
  return {
    threadId: null,
    detail: null,
    ...fields,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: at,
    lastError: null,
    posted: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** The outbox on any document store. */
export function createOutboxRepository(store: DocumentStore): OutboxRepository {
  const c = store.collection(outboxCollection);
  return {
    async enqueue(jobs) {
      const added: string[] = [];
      for (const job of jobs) {
        try {
          await c.insert(job);
          added.push(job.id);
        } catch (error) {
          if (!(error instanceof DuplicateKeyError)) throw error;
        }
      }
      return added;
    },
    get: (id) => c.get(id),
    due: (isoNow, platforms, limit = 25) =>
      c.find({
        where: { status: 'pending' },
        whereIn: { field: 'platform', values: [...platforms] },
        range: { field: 'nextAttemptAt', lt: new Date(Date.parse(isoNow) + 1).toISOString() },
        orderBy: { field: 'nextAttemptAt', direction: 'asc' },
        limit,
      }),
    pendingFor: (platform) => c.count({ where: { status: 'pending', platform } }),
    bySubject: (subject) => c.find({ where: { subject }, orderBy: { field: 'createdAt', direction: 'asc' } }),
    replace: (job, expectedVersion) => c.replaceIf(job, 'version', expectedVersion),
    async remove(ids) {
      for (const id of ids) await c.delete(id);
    },
    withStatus: (status, limit = 100) =>
      c.find({ where: { status }, orderBy: { field: 'updatedAt', direction: 'desc' }, limit }),
  };
}
