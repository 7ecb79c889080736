// The storage engine contract: typed document collections plus the few atomic primitives the product needs.
//
// Repositories in the core are written once against this contract; the embedded SQLite engine and the MongoDB
// engine each implement it, and one contract suite (test/store/) runs against both.
// All timestamps in documents are ISO-8601 UTC strings, so they sort as text and round-trip through JSON.
import type { z } from 'zod';

/** Declares one collection: its zod schema (the source of truth), key field, indexes and optional expiry field. */
export interface CollectionSpec<T extends object> {
  name: string;
  schema: z.ZodType<T>;
  /** The field holding the document's unique key (a string). */
  key: keyof T & string;
  /** Secondary indexes; `unique` ones reject a second document with the same values. */
  indexes?: readonly { readonly fields: readonly (keyof T & string)[]; readonly unique?: boolean }[];
  /** A field with an ISO timestamp after which the document no longer exists (enforced in every read). */
  expiresAt?: keyof T & string;
  /**
   * 'relaxed' for high-volume records whose loss can cause no second reply or post and that no one was shown
   * as saved (the embedded engine commits them within 10 ms, without an fsync): the question log, caches, model
   * usage. Never for anything a person was told or shown. Default: 'durable' (on disk when the write resolves).
   */
  durability?: 'durable' | 'relaxed';
}

/** What a claim is for, and how durably it is kept. */
export interface ClaimOptions {
  /**
   * 'lease' (default): work in progress, renewed by its owner while it runs; 'mark': a de-duplication record
   * that must outlive its writer (never taken over before it expires).
   */
  kind?: 'lease' | 'mark';
  /**
   * 'relaxed' only for marks whose loss can cause no second reply or post (an event already acknowledged to a
   * platform that will not redeliver it); leases and other marks are always durable.
   */
  durability?: 'durable' | 'relaxed';
}

export type Scalar = string | number | boolean | null;

/** A query over whitelisted fields: equality, an optional range on one field, an order and a limit. */
export interface FindQuery<T> {
  /** Equality on top-level scalar fields. Values are always compared as literal values, never operators. */
  where?: Partial<Record<keyof T & string, Scalar>>;
  /** Matches documents whose field equals any of the values. */
  whereIn?: { field: keyof T & string; values: Scalar[] };
  range?: { field: keyof T & string; gte?: string | number; lt?: string | number };
  orderBy?: { field: keyof T & string; direction: 'asc' | 'desc' };
  limit?: number;
}

/** One collection of documents of type T. */
export interface DocumentCollection<T extends object> {
  /** Inserts a new document; throws DuplicateKeyError when the key or a unique index is taken. */
  insert(doc: T): Promise<void>;
  /** The document with this key, or undefined (also when it has expired). */
  get(key: string): Promise<T | undefined>;
  /** Inserts or replaces the document with this key. */
  put(doc: T): Promise<void>;
  /**
   * Replaces the stored document only if its `field` currently equals `expected` (optimistic concurrency).
   * Returns false when the document is missing or the condition did not hold.
   */
  replaceIf(doc: T, field: keyof T & string, expected: Scalar): Promise<boolean>;
  /** Deletes by key; true when something was deleted. */
  delete(key: string): Promise<boolean>;
  /** Documents matching the query (expired ones excluded). */
  find(query?: FindQuery<T>): Promise<T[]>;
  /** How many documents match (expired ones excluded). */
  count(query?: Omit<FindQuery<T>, 'orderBy' | 'limit'>): Promise<number>;
  /** Deletes documents whose field is before the given ISO time; returns how many. */
  deleteOlderThan(field: keyof T & string, isoTime: string): Promise<number>;
}

/** The engine: collections plus atomic primitives that must hold across replicas sharing one database. */
export interface DocumentStore {
  readonly kind: 'embedded' | 'mongo';
  collection<T extends object>(spec: CollectionSpec<T>): DocumentCollection<T>;
  /** Atomically increments and returns the named counter (first call returns 1). */
  nextSequence(name: string): Promise<number>;
  /**
   * Claims `key` in `scope` for `owner` until `expiresAt` with one conditional write. Succeeds when nobody
   * holds it, the previous claim expired, or `owner` already holds it (renewal). Exactly one of many
   * concurrent claimants wins. A claim is durable when the promise resolves unless it is a mark declared
   * relaxed. The embedded engine (one process per data folder) also lets a lease left by an earlier process
   * be taken over at once: that process is provably dead.
   */
  claim(
    scope: string,
    key: string,
    owner: string,
    expiresAt: string,
    options?: ClaimOptions,
  ): Promise<boolean>;
  /** Gives up a claim held by `owner`. May be relaxed: a lost release only leaves a lease to expire. */
  release(scope: string, key: string, owner: string): Promise<void>;
  /** Whether the engine can serve requests right now (for /readyz). */
  health(): Promise<{ ok: boolean; detail: string }>;
  /**
   * Creates the indexes of every collection registered in this process (idempotent) and says which were made: by
   * this call, or when a collection was registered at or after `since` (an engine may create them on registration)
   * and not reported before.
   */
  syncIndexes(options?: { since?: Date }): Promise<IndexReport[]>;
  /** Every collection name with data, for export (registered or not; `_counters` holds the counters). */
  collectionNames(): Promise<string[]>;
  /** Every stored document of a collection by name, registered or not, with its key and expiry; no schema applied. */
  exportRecords(name: string): AsyncIterable<StoredRecord>;
  /**
   * Writes records as exported, keeping their keys (insert or replace; a collection that was never registered is
   * created). Counters are raised to at least the given value, never lowered. Returns how many records changed, so
   * importing the same records again returns 0.
   */
  importRecords(name: string, records: readonly StoredRecord[]): Promise<number>;
  /** Copies the whole store, consistently, to one file while it runs (embedded engine only). */
  backupTo?(file: string): Promise<void>;
  close(): Promise<void>;
}

/** One stored document as export and import move it: its key, its expiry (normalised ISO, or null) and the document. */
export interface StoredRecord {
  key: string;
  expiresAt: string | null;
  doc: Record<string, unknown>;
}

/** One index that `syncIndexes` looked at: its collection, its name and whether this call created it. */
export interface IndexReport {
  collection: string;
  index: string;
  created: boolean;
}

/** The name of the pseudo-collection that carries counters through export and import. */
export const countersCollection = '_counters';

/** An expiry time in one form whatever the engine stored, so records compare equal across engines. */
export function normaliseExpiry(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The current time as an ISO string; one place so tests can reason about it. */
export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}
