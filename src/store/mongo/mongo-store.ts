// The MongoDB engine (mongoose 9): the DocumentStore contract for several replicas sharing one database.
//
// Works with MongoDB and with FerretDB. FerretDB 1.x lacks atomic conditional updates, so on it conditional
// writes, counters and claims switch to insert-only algorithms (see atomic-primitives.ts and docs/storage.md).
import type { mongo } from 'mongoose';
import type { Logger } from '../../logging/logger.ts';
import { silentLogger } from '../../logging/logger.ts';
import type { CollectionSpec, DocumentCollection, DocumentStore } from '../document-store.ts';
import {
  type AtomicPrimitives,
  InsertOnlyAtomics,
  internalCollections,
  ServerAtomics,
} from './atomic-primitives.ts';
import { unescapeKeys } from './field-names.ts';
import { MongoCollection, type WriteMode } from './mongo-collection.ts';
import { type MongoConnectionState, MongoLink } from './mongo-connection.ts';
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

  async syncIndexes(): Promise<void> {
    await this.link.run(async () => {
      await this.primitives().ensureIndexes();
      for (const c of this.collections.values()) await c.ensureIndexes();
    });
  }

  async collectionNames(): Promise<string[]> {
    const names = await this.link.run(async () => {
      const db = this.link.connection.db;
      if (!db) throw new Error('MongoDB connection has no database');
      return (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    });
    const user = names.filter((n) => collectionName.test(n)).sort();
    return [internalCollections.counters, ...user];
  }

  async *exportCollection(name: string): AsyncIterable<Record<string, unknown>> {
    if (name === internalCollections.counters) {
      const counters = await this.link.run(() => this.primitives().counters());
      for (const c of counters) yield { name: c.name, value: c.value };
      return;
    }
    if (!collectionName.test(name)) throw new Error(`Invalid collection name ${name}`);
    const registered = this.collections.get(name);
    if (registered) {
      yield* registered.exportDocuments();
      return;
    }
    const db = this.link.connection.db;
    if (!db) throw new Error('MongoDB connection has no database');
    const cursor = await this.link.run(async () => db.collection(name).find({}));
    for await (const doc of cursor) {
      const { _id, [hiddenFields.expireAt]: _e, [hiddenFields.revision]: _r, ...rest } = doc;
      yield unescapeKeys(rest);
    }
  }

  async importDocument(name: string, doc: Record<string, unknown>): Promise<void> {
    if (name === internalCollections.counters) {
      const value = Number(doc.value);
      if (!Number.isSafeInteger(value) || value < 0)
        throw new Error(`Counter ${String(doc.name)}: bad value`);
      await this.link.run(() => this.primitives().importCounter(String(doc.name), value));
      return;
    }
    const c = this.collections.get(name);
    if (!c) throw new Error(`Unknown collection ${name}: register it before importing.`);
    await c.putRaw(doc);
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
