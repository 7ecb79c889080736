// The MongoDB engine (mongoose 9): the DocumentStore contract for several replicas sharing one database.
//
// Works with MongoDB and with FerretDB. FerretDB 1.x lacks atomic conditional updates, so on it conditional
// writes, counters and claims switch to insert-only algorithms (see atomic-primitives.ts and docs/storage.md).

import { randomUUID } from 'node:crypto';
import type { mongo } from 'mongoose';
import { DuplicateKeyError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import { silentLogger } from '../../logging/logger.ts';
import { canonicalJson } from '../canonical-json.ts';
import {
  type CollectionSpec,
  type DocumentCollection,
  type DocumentStore,
  type IndexReport,
  normaliseExpiry,
  type StoredRecord,
} from '../document-store.ts';
import {
  type AtomicPrimitives,
  InsertOnlyAtomics,
  internalCollections,
  ServerAtomics,
} from './atomic-primitives.ts';
import { escapeKeys, unescapeKeys } from './field-names.ts';
import { MongoCollection, type WriteMode } from './mongo-collection.ts';
import { isDuplicateKeyError, type MongoConnectionState, MongoLink } from './mongo-connection.ts';
import { hiddenFields } from './zod-to-mongoose.ts';

export type { MongoConnectionState, WriteMode };

/** Options of openMongoStore. */
export interface MongoStoreOptions {
  logger?: Logger;
  /** Told about every connection state change (connecting, connected, disconnected, closed). */
  onStateChange?: (state: MongoConnectionState) => void;
  /** Database name overriding the one in the URI. */
  dbName?: string;
  /** Bound of one connection attempt and of one operation waiting for a server (default 3000 ms). */
  serverSelectionTimeoutMS?: number;
  /** 'auto' (default): insert-only on FerretDB 1.x, atomic elsewhere. Tests force one to cover both paths. */
  writeMode?: 'auto' | WriteMode;
}

/** The MongoDB store: a DocumentStore plus what operators and tests may want to see. */
export interface MongoDocumentStore extends DocumentStore {
  readonly kind: 'mongo';
  /** The connection state right now. */
  readonly state: MongoConnectionState;
  /** How conditional writes are made; known once connected. */
  readonly writeMode: WriteMode | undefined;
}

const collectionName = /^[a-z][a-z0-9_]*$/;

/**
 * Opens the MongoDB store. Never throws for an unreachable server: it keeps connecting in the background,
 * health() reports not ok and operations throw StoreUnavailableError until the first connection succeeds.
 */
export function openMongoStore(uri: string, options: MongoStoreOptions = {}): MongoDocumentStore {
  const store = new MongoStore(uri, options);
  store.start();
  return store;
}

/** Server version facts read once per connection. */
async function detectWriteMode(db: mongo.Db, logger: Logger): Promise<WriteMode> {
  const info = await db.admin().command({ buildInfo: 1 });
  const ferret = typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : undefined;
  if (ferret && /^v?1\./.test(ferret)) {
    logger.info({ ferretdb: ferret }, 'FerretDB 1.x detected: conditional writes use insert-only markers');
    return 'insert-only';
  }
  return 'atomic';
}

class MongoStore implements MongoDocumentStore {
  readonly kind = 'mongo' as const;
  private readonly link: MongoLink;
  private readonly logger: Logger;
  private readonly collections = new Map<string, MongoCollection<object>>();
  private readonly requestedMode: 'auto' | WriteMode;
  private mode: WriteMode | undefined;
  private atomics: AtomicPrimitives | undefined;

  constructor(uri: string, options: MongoStoreOptions) {
    this.logger = options.logger ?? silentLogger();
    this.requestedMode = options.writeMode ?? 'auto';
    this.link = new MongoLink(uri, {
      logger: this.logger,
      onStateChange: options.onStateChange,
      dbName: options.dbName,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS,
      onConnected: (connection) => this.onConnected(connection.db),
    });
  }

  start(): void {
    this.link.start();
  }

  get state(): MongoConnectionState {
    return this.link.current;
  }

  get writeMode(): WriteMode | undefined {
    return this.mode;
  }

  private async onConnected(db: mongo.Db | undefined): Promise<void> {
    if (!db) throw new Error('MongoDB connection has no database');
    this.mode = this.requestedMode === 'auto' ? await detectWriteMode(db, this.logger) : this.requestedMode;
    this.atomics = this.mode === 'atomic' ? new ServerAtomics(db) : new InsertOnlyAtomics(db);
    await this.atomics.ensureIndexes();
  }

  private primitives(): AtomicPrimitives {
    this.link.ensureUsable();
    if (!this.atomics) throw new Error('MongoDB store is not initialised');
    return this.atomics;
  }

  collection<T extends object>(spec: CollectionSpec<T>): DocumentCollection<T> {
    const existing = this.collections.get(spec.name);
    if (existing) return existing as unknown as DocumentCollection<T>;
    if (!collectionName.test(spec.name)) throw new Error(`Invalid collection name ${spec.name}`);
    const created = new MongoCollection<T>(this.link.connection, spec, {
      mode: () => this.mode ?? 'atomic',
      run: (operation) => this.link.run(operation),
      onIndexNotice: (message) => this.logger.info(message),
    });
    this.collections.set(spec.name, created as unknown as MongoCollection<object>);
    return created;
  }

  nextSequence(name: string): Promise<number> {
    return this.link.run(() => this.primitives().nextSequence(name));
  }

  claim(scope: string, key: string, owner: string, expiresAt: string): Promise<boolean> {
    return this.link.run(() => this.primitives().claim(scope, key, owner, expiresAt));
  }

  release(scope: string, key: string, owner: string): Promise<void> {
    return this.link.run(() => this.primitives().release(scope, key, owner));
  }

  health(): Promise<{ ok: boolean; detail: string }> {
    return this.link.health();
  }

  private database(): mongo.Db {
    const db = this.link.connection.db;
    if (!db) throw new Error('MongoDB connection has no database');
    return db;
  }

  /** Index names of a collection on the server (none when it does not exist yet). */
  private async indexNames(name: string): Promise<Set<string>> {
    try {
      const indexes = await this.database().collection(name).listIndexes().toArray();
      return new Set(indexes.map((i) => String(i.name)));
    } catch (error) {
      if ((error as { codeName?: string }).codeName === 'NamespaceNotFound') return new Set();
      throw error;
    }
  }

  async syncIndexes(): Promise<IndexReport[]> {
    return this.link.run(async () => {
      const reports: IndexReport[] = [];
      const names = [internalCollections.claims, ...this.collections.keys()];
      const before = new Map<string, Set<string>>();
      for (const name of names) before.set(name, await this.indexNames(name));
      await this.primitives().ensureIndexes();
      for (const c of this.collections.values()) {
        // Asks the server again even if this process made them already: someone may have dropped one.
        c.resetIndexes();
        await c.ensureIndexes();
      }
      for (const name of names) {
        for (const index of await this.indexNames(name)) {
          if (index === '_id_') continue;
          reports.push({ collection: name, index, created: !before.get(name)?.has(index) });
        }
      }
      return reports;
    });
  }

  async collectionNames(): Promise<string[]> {
    const names = await this.link.run(async () =>
      (await this.database().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name),
    );
    const user = names.filter((n) => collectionName.test(n)).sort();
    return [internalCollections.counters, ...user];
  }

  async *exportRecords(name: string): AsyncIterable<StoredRecord> {
    if (name === internalCollections.counters) {
      const counters = await this.link.run(() => this.primitives().counters());
      for (const c of counters.sort((a, b) => a.name.localeCompare(b.name)))
        yield { key: c.name, expiresAt: null, doc: { name: c.name, value: c.value } };
      return;
    }
    if (!collectionName.test(name)) throw new Error(`Invalid collection name ${name}`);
    const keyIsId = this.collections.get(name)?.spec.key === '_id';
    const cursor = await this.link.run(async () =>
      this.database().collection(name).find({}).sort({ _id: 1 }),
    );
    for await (const stored of cursor) yield toRecord(stored, keyIsId);
  }

  async importRecords(name: string, records: readonly StoredRecord[]): Promise<number> {
    if (name === internalCollections.counters) {
      return this.link.run(async () => {
        const current = new Map((await this.primitives().counters()).map((c) => [c.name, c.value]));
        let changed = 0;
        for (const r of records) {
          const value = Number(r.doc.value);
          if (!Number.isSafeInteger(value) || value < 0) throw new Error(`Counter ${r.key}: bad value`);
          if ((current.get(r.key) ?? 0) >= value) continue;
          await this.primitives().importCounter(r.key, value);
          changed += 1;
        }
        return changed;
      });
    }
    if (!collectionName.test(name)) throw new Error(`Invalid collection name ${name}`);
    if (records.length === 0) return 0;
    const keyIsId = this.collections.get(name)?.spec.key === '_id';
    return this.link.run(async () => {
      const collection = this.database().collection<{ _id: string }>(name);
      const keys = records.map((r) => {
        if (typeof r.key !== 'string' || r.key === '') throw new Error(`${name}: a record has no key`);
        return r.key;
      });
      const existing = new Map<string, string>();
      for await (const stored of collection.find({ _id: { $in: keys } })) {
        existing.set(String(stored._id), canonicalJson(toRecord(stored, keyIsId)));
      }
      // Rewrites only what differs, so a second import of the same records changes nothing.
      const writes = records
        .filter(
          (r) => existing.get(r.key) !== canonicalJson({ ...r, expiresAt: normaliseExpiry(r.expiresAt) }),
        )
        .map((r) => {
          const stored: Record<string, unknown> = { ...escapeKeys(r.doc), _id: r.key };
          const expiry = normaliseExpiry(r.expiresAt);
          if (expiry) stored[hiddenFields.expireAt] = new Date(expiry);
          // A new revision, so insert-only writers holding the old one cannot overwrite the import.
          stored[hiddenFields.revision] = randomUUID();
          return { replaceOne: { filter: { _id: r.key }, replacement: stored, upsert: true } };
        });
      if (writes.length === 0) return 0;
      try {
        await collection.bulkWrite(writes as never, { ordered: true });
      } catch (error) {
        if (isDuplicateKeyError(error))
          throw new DuplicateKeyError(
            `${name}: an imported document collides with a unique field of another`,
            {
              cause: error,
            },
          );
        throw error;
      }
      return writes.length;
    });
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}

/** A stored document as a record: `_id` is the key, the hidden fields are dropped and escaped keys restored. */
function toRecord(stored: Record<string, unknown>, keyIsId: boolean): StoredRecord {
  const { _id, [hiddenFields.expireAt]: expireAt, [hiddenFields.revision]: _rev, ...rest } = stored;
  const doc = unescapeKeys(rest);
  if (keyIsId) doc._id = _id;
  return { key: String(_id), expiresAt: normaliseExpiry(expireAt), doc };
}
