// Announcements liaisons publish for the newsletter and as known-issue notices.
import { type Announcement, announcementSchema } from '../../announcements/announcement.ts';
import type { DocumentStore } from '../document-store.ts';

export const announcementCollection = {
  name: 'announcements',
  schema: announcementSchema,
  key: 'id',
  indexes: [
    { fields: ['status', 'startsAt'] },
    { fields: ['authorKey'] },
    { fields: ['category', 'status'] },
  ],
} as const;

/** Repository over announcements. */
export interface Announcements {
  /** A fresh id such as "ann-12". */
  nextId(): Promise<string>;
  insert(a: Announcement): Promise<void>;
  get(id: string): Promise<Announcement | undefined>;
  /** Replaces `a` only if its stored `updatedAt` still equals `expectedUpdatedAt` (no lost edits). */
  replaceIf(a: Announcement, expectedUpdatedAt: string): Promise<boolean>;
  /** Announcements by one author, newest first. */
  byAuthor(authorKey: string, limit?: number): Promise<Announcement[]>;
  /** Announcements in one status, by start time. */
  byStatus(status: Announcement['status'], limit?: number): Promise<Announcement[]>;
  /** Published maintenance whose window has begun by `nowIso` (callers check the end). */
  maintenanceStartedBy(nowIso: string): Promise<Announcement[]>;
  /** Published announcements (scheduled or sent) starting at or after `fromIso`, latest start first. */
  publishedStartingFrom(fromIso: string, limit?: number): Promise<Announcement[]>;
  /** Marks the announcements as carried by `issueKey` (only those still scheduled). */
  markSent(ids: string[], issueKey: string, atIso: string): Promise<void>;
}

/** Announcements on any document store. */
export function createAnnouncements(store: DocumentStore): Announcements {
  const c = store.collection(announcementCollection);
  return {
    nextId: async () => `ann-${await store.nextSequence('announcement')}`,
    insert: (a) => c.insert(a),
    get: (id) => c.get(id),
    replaceIf: (a, expectedUpdatedAt) => c.replaceIf(a, 'updatedAt', expectedUpdatedAt),
    byAuthor: (authorKey, limit = 50) =>
      c.find({ where: { authorKey }, orderBy: { field: 'createdAt', direction: 'desc' }, limit }),
    byStatus: (status, limit = 1000) =>
      c.find({ where: { status }, orderBy: { field: 'startsAt', direction: 'asc' }, limit }),
    async maintenanceStartedBy(nowIso) {
      return c.find({
        where: { category: 'maintenance' },
        whereIn: { field: 'status', values: ['scheduled', 'sent'] },
        range: { field: 'startsAt', lt: nowIso },
        orderBy: { field: 'startsAt', direction: 'desc' },
        limit: 200,
      });
    },
    publishedStartingFrom: (fromIso, limit = 200) =>
      c.find({
        whereIn: { field: 'status', values: ['scheduled', 'sent'] },
        range: { field: 'startsAt', gte: fromIso },
        orderBy: { field: 'startsAt', direction: 'desc' },
        limit,
      }),
    async markSent(ids, issueKey, atIso) {
      for (const id of ids) {
        const a = await c.get(id);
        if (a?.status !== 'scheduled') continue;
        await c.replaceIf(
          { ...a, status: 'sent', sentInIssue: issueKey, updatedAt: atIso },
          'updatedAt',
          a.updatedAt,
        );
      }
    },
  };
}
