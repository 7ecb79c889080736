// The intake requests: one document per request, keyed by its reference (IT-0042), changed only with
// replaceIf on `version` so two people triaging at once never overwrite each other.
import { type RequestRecord, requestRecordSchema } from '../../intake/request-schema.ts';
import type { DocumentStore } from '../document-store.ts';

export const requestCollection = {
  name: 'requests',
  schema: requestRecordSchema,
  key: 'reference',
  indexes: [{ fields: ['requesterKey'] }, { fields: ['createdAt'] }, { fields: ['status'] }],
} as const;

/** Repository over intake requests. */
export interface RequestRepository {
  get(reference: string): Promise<RequestRecord | undefined>;
  /** Stores a new request; throws DuplicateKeyError when the reference is taken. */
  insert(record: RequestRecord): Promise<void>;
  /** Replaces the request only if its stored version is still `expectedVersion`; false on a conflict. */
  replace(record: RequestRecord, expectedVersion: number): Promise<boolean>;
  /** The requester's requests, newest first. */
  byRequester(requesterKey: string, limit?: number): Promise<RequestRecord[]>;
  /** Requests created at or after the given time, oldest first. */
  createdSince(isoTime: string, limit?: number): Promise<RequestRecord[]>;
  /** Requests in the given statuses, newest first. */
  withStatus(statuses: RequestRecord['status'][], limit?: number): Promise<RequestRecord[]>;
}

/** Intake requests on any document store. */
export function createRequestRepository(store: DocumentStore): RequestRepository {
  const c = store.collection(requestCollection);
  return {
    get: (reference) => c.get(reference),
    insert: (record) => c.insert(record),
    replace: (record, expectedVersion) => c.replaceIf(record, 'version', expectedVersion),
    byRequester: (requesterKey, limit = 20) =>
      c.find({ where: { requesterKey }, orderBy: { field: 'createdAt', direction: 'desc' }, limit }),
    createdSince: (isoTime, limit = 50_000) =>
      c.find({
        range: { field: 'createdAt', gte: isoTime },
        orderBy: { field: 'createdAt', direction: 'asc' },
        limit,
      }),
    withStatus: (statuses, limit = 200) =>
      c.find({
        whereIn: { field: 'status', values: statuses },
        orderBy: { field: 'createdAt', direction: 'desc' },
        limit,
      }),
  };
}
