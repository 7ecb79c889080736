// One typed collection on MongoDB: zod-validated documents, _id = the spec key, expiry enforced in every read.
import { randomUUID } from 'node:crypto';
import mongoose, { type Model, type mongo } from 'mongoose';
import { DuplicateKeyError } from '../../errors.ts';
import type { CollectionSpec, DocumentCollection, FindQuery, Scalar } from '../document-store.ts';
import { allowedFields, assertField } from '../field-whitelist.ts';
import { createTtlIndex } from './atomic-primitives.ts';
import { escapeKeys, unescapeKeys } from './field-names.ts';
import { isDuplicateKeyError, isNotImplementedError } from './mongo-connection.ts';
import { bsonScalarType, hiddenFields, zodToMongoose } from './zod-to-mongoose.ts';

/** How conditional writes are made: by the server in one operation, or with insert-only revision markers. */
export type WriteMode = 'atomic' | 'insert-only';

/** A document as stored: the zod document plus `_id` and the hidden fields. */
export type StoredDoc = Record<string, unknown> & { _id: string };

/** Marks a filter part built by this engine so mongoose's sanitizeFilter keeps its operators. */
const { trusted } = mongoose;

const revisionsCollection = '_revisions';
/** A revision marker older than this whose document did not move on belongs to a writer that died. */
const staleMarkerMs = 5_000;
/** How long a writer waits for others writing the same document before giving up. */
const writeDeadlineMs = 10_000;

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface RevisionMarker {
  _id: string;
  at: number;
}

/** A collection of the MongoDB engine; built by the store, which supplies the connection and write mode. */
export class MongoCollection<T extends object> implements DocumentCollection<T> {
  readonly spec: CollectionSpec<T>;
  private readonly model: Model<StoredDoc>;
  private readonly fields: Set<string>;
  private readonly mode: () => WriteMode;
  private readonly run: <R>(operation: () => Promise<R>) => Promise<R>;
  private indexesReady: Promise<void> | undefined;
  private readonly onIndexNotice: (message: string) => void;

  constructor(
    connection: mongoose.Connection,
    spec: CollectionSpec<T>,
    options: {
      mode: () => WriteMode;
      run: <R>(operation: () => Promise<R>) => Promise<R>;
      onIndexNotice: (message: string) => void;
    },
  ) {
    this.spec = spec;
    this.fields = allowedFields(spec as unknown as CollectionSpec<object>);
    this.model = connection.model<StoredDoc>(spec.name, zodToMongoose(spec.schema), spec.name);
    this.mode = options.mode;
    this.run = options.run;
    this.onIndexNotice = options.onIndexNotice;
    for (const index of spec.indexes ?? [])
      for (const field of index.fields) assertField(this.fields, field, spec.name);
    if (spec.expiresAt) assertField(this.fields, spec.expiresAt, spec.name);
  }

  private get raw(): mongo.Collection<StoredDoc> {
    return this.model.collection as unknown as mongo.Collection<StoredDoc>;
  }

  private revisions(): mongo.Collection<RevisionMarker> {
    return this.model.db.collection(revisionsCollection) as unknown as mongo.Collection<RevisionMarker>;
  }

  /** Creates the spec's indexes once per connection (idempotent on the server). */
  ensureIndexes(): Promise<void> {
    this.indexesReady ??= this.createIndexes().catch((error: unknown) => {
      this.indexesReady = undefined;
      throw error;
    });
    return this.indexesReady;
  }

  /** Forgets that indexes were created, so the next operation creates them again (after a reconnect). */
  resetIndexes(): void {
    this.indexesReady = undefined;
  }

  private async createIndexes(): Promise<void> {
    const collection = this.raw as unknown as mongo.Collection<mongo.Document>;
    for (const index of this.spec.indexes ?? []) {
      const keys = Object.fromEntries(index.fields.map((f) => [f, 1 as const]));
      if (!index.unique) {
        await collection.createIndex(keys);
        continue;
      }
      // Like SQLite, documents lacking one of the fields (missing or null) never collide: index only those that
      // have a value of the field's type. Servers without partial indexes (FerretDB 1.x) already skip missing ones.
      const partial: Record<string, unknown> = {};
      for (const field of index.fields) {
        const type = bsonScalarType(this.spec.schema, field);
        if (type) partial[field] = { $type: type };
      }
      try {
        await collection.createIndex(keys, {
          unique: true,
          ...(Object.keys(partial).length > 0 ? { partialFilterExpression: partial } : {}),
        });
      } catch (error) {
        if (!isNotImplementedError(error)) throw error;
        await collection.createIndex(keys, { unique: true });
        this.onIndexNotice(
          `${this.spec.name}: partial unique indexes not supported; using a plain unique index`,
        );
      }
    }
    if (this.spec.expiresAt && !(await createTtlIndex(collection, hiddenFields.expireAt))) {
      this.onIndexNotice(
        `${this.spec.name}: TTL indexes not supported; expired documents are hidden, not deleted`,
      );
    }
  }

  private async op<R>(operation: () => Promise<R>): Promise<R> {
    return this.run(async () => {
      await this.ensureIndexes();
      return operation();
    });
  }

  private keyOf(doc: Record<string, unknown>): string {
    const key = doc[this.spec.key];
    if (typeof key !== 'string' || key === '')
      throw new Error(`${this.spec.name}: document has no ${this.spec.key}`);
    return key;
  }

  private toStored(doc: Record<string, unknown>, revision?: string): StoredDoc {
    const stored: StoredDoc = { ...escapeKeys(doc), _id: this.keyOf(doc) };
    if (this.spec.expiresAt) {
      const value = doc[this.spec.expiresAt];
      const date = typeof value === 'string' ? new Date(value) : undefined;
      if (date && !Number.isNaN(date.getTime())) stored[hiddenFields.expireAt] = date;
    }
    if (revision) stored[hiddenFields.revision] = revision;
    return stored;
  }

  private fromStored(stored: Record<string, unknown>): T {
    const { _id, [hiddenFields.expireAt]: _expireAt, [hiddenFields.revision]: _rev, ...rest } = stored;
    if (this.spec.key === '_id') rest._id = _id;
    return unescapeKeys(rest) as T;
  }

  private isAlive(stored: Record<string, unknown>, now = new Date()): boolean {
    if (!this.spec.expiresAt) return true;
    const at = stored[hiddenFields.expireAt];
    return !(at instanceof Date) || at.getTime() > now.getTime();
  }

  private aliveClause(): Record<string, unknown> | undefined {
    if (!this.spec.expiresAt) return undefined;
    const field = hiddenFields.expireAt;
    return { $or: [{ [field]: null }, { [field]: trusted({ $gt: new Date() }) }] };
  }

  private validate(doc: T): Record<string, unknown> {
    return this.spec.schema.parse(doc) as Record<string, unknown>;
  }

  private duplicate(key: string, error: unknown): DuplicateKeyError {
    return new DuplicateKeyError(`${this.spec.name}: ${key} or one of its unique fields is already taken`, {
      cause: error,
    });
  }

  async insert(doc: T): Promise<void> {
    const valid = this.validate(doc);
    const key = this.keyOf(valid);
    await this.op(async () => {
      if (this.mode() === 'insert-only') return this.insertByMarkers(valid, key);
      // An expired document with the same key no longer exists: clear it so the key can be reused.
      if (this.spec.expiresAt) {
        await this.model.deleteOne({ _id: key, [hiddenFields.expireAt]: trusted({ $lte: new Date() }) });
      }
      try {
        await this.model.insertOne(this.toStored(valid));
      } catch (error) {
        if (isDuplicateKeyError(error)) throw this.duplicate(key, error);
        throw error;
      }
    });
  }

  async get(key: string): Promise<T | undefined> {
    // Filter on _id alone (the one filter every server answers from its primary index) and check expiry here.
    const stored = await this.op(() =>
      this.model
        .findOne({ _id: String(key) })
        .lean<StoredDoc>()
        .exec(),
    );
    return stored && this.isAlive(stored) ? this.fromStored(stored) : undefined;
  }

  async put(doc: T): Promise<void> {
    const valid = this.validate(doc);
    await this.op(() => this.putValid(valid));
  }

  private async putValid(valid: Record<string, unknown>): Promise<void> {
    const key = this.keyOf(valid);
    if (this.mode() === 'insert-only') {
      await this.writeByMarkers(key, () => ({ write: valid }));
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.model.replaceOne({ _id: key }, this.toStored(valid), { upsert: true });
        return;
      } catch (error) {
        // Two concurrent upserts of a new key: the loser retries as a replace.
        if (isDuplicateKeyError(error) && attempt < 2) continue;
        if (isDuplicateKeyError(error)) throw this.duplicate(key, error);
        throw error;
      }
    }
  }

  async replaceIf(doc: T, field: keyof T & string, expected: Scalar): Promise<boolean> {
    assertField(this.fields, field, this.spec.name);
    if (!isScalar(expected)) throw new Error(`${this.spec.name}: replaceIf expects a scalar for ${field}`);
    const valid = this.validate(doc);
    const key = this.keyOf(valid);
    return this.op(async () => {
      if (this.mode() === 'insert-only') {
        return this.writeByMarkers(key, (current) => {
          if (!current || !this.isAlive(current)) return undefined;
          const value = current[field] ?? null;
          return value === expected ? { write: valid } : undefined;
        });
      }
      const clauses: Record<string, unknown>[] = [{ _id: key }, { [field]: expected }];
      const alive = this.aliveClause();
      if (alive) clauses.push(alive);
      try {
        const result = await this.model.replaceOne({ $and: clauses }, this.toStored(valid));
        return result.matchedCount === 1;
      } catch (error) {
        if (isDuplicateKeyError(error)) throw this.duplicate(key, error);
        throw error;
      }
    });
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.op(() => this.model.deleteOne({ _id: String(key) }).exec());
    return result.deletedCount === 1;
  }

  private filter(query: Omit<FindQuery<T>, 'orderBy' | 'limit'>): Record<string, unknown> {
    const clauses: Record<string, unknown>[] = [];
    for (const [field, value] of Object.entries(query.where ?? {})) {
      if (value === undefined) continue;
      assertField(this.fields, field, this.spec.name);
      if (!isScalar(value))
        throw new Error(`${this.spec.name}: where.${field} must be a string, number, boolean or null`);
      clauses.push({ [field]: value });
    }
    if (query.whereIn) {
      const { field, values } = query.whereIn;
      assertField(this.fields, field, this.spec.name);
      if (!values.every(isScalar)) throw new Error(`${this.spec.name}: whereIn values must be scalars`);
      clauses.push({ [field]: trusted({ $in: [...values] }) });
    }
    if (query.range) {
      const { field, gte, lt } = query.range;
      assertField(this.fields, field, this.spec.name);
      const bounds: Record<string, string | number> = {};
      for (const [op, bound] of [
        ['$gte', gte],
        ['$lt', lt],
      ] as const) {
        if (bound === undefined) continue;
        if (typeof bound !== 'string' && typeof bound !== 'number') {
          throw new Error(`${this.spec.name}: range bounds must be strings or numbers`);
        }
        bounds[op] = bound;
      }
      if (Object.keys(bounds).length > 0) clauses.push({ [field]: trusted(bounds) });
    }
    const alive = this.aliveClause();
    if (alive) clauses.push(alive);
    return clauses.length > 0 ? { $and: clauses } : {};
  }

  async find(query: FindQuery<T> = {}): Promise<T[]> {
    const filter = this.filter(query);
    if (query.orderBy) assertField(this.fields, query.orderBy.field, this.spec.name);
    const limit = query.limit === undefined ? undefined : Math.max(0, Math.floor(query.limit));
    if (limit === 0) return [];
    const docs = await this.op(() => {
      let q = this.model.find(filter);
      if (query.orderBy) {
        const direction = query.orderBy.direction === 'desc' ? -1 : 1;
        q = q.sort({ [query.orderBy.field]: direction, _id: direction });
      }
      if (limit !== undefined) q = q.limit(limit);
      return q.lean<StoredDoc[]>().exec();
    });
    return docs.map((d) => this.fromStored(d));
  }

  async count(query: Omit<FindQuery<T>, 'orderBy' | 'limit'> = {}): Promise<number> {
    const filter = this.filter(query);
    return this.op(() => this.model.countDocuments(filter).exec());
  }

  async deleteOlderThan(field: keyof T & string, isoTime: string): Promise<number> {
    assertField(this.fields, field, this.spec.name);
    const result = await this.op(() =>
      this.model.deleteMany({ [field]: trusted({ $lt: String(isoTime) }) }).exec(),
    );
    return result.deletedCount;
  }

  // ---- Insert-only servers (FerretDB 1.x): conditional writes through revision markers. ----
  //
  // Every stored document carries a random `_rev`. To replace revision r, a writer must first insert the marker
  // (collection, key, r): the unique _id lets exactly one writer supersede r; the others re-read and retry. A new
  // key is created with a plain insert, which the _id index already makes exclusive.

  private markerId(key: string, revision: string, attempt: number): string {
    return JSON.stringify([this.spec.name, key, revision, attempt]);
  }

  /** Takes the right to replace `revision`, or says someone else has it. Recovers markers of dead writers. */
  private async takeRevision(key: string, revision: string): Promise<string | undefined> {
    const markers = this.revisions();
    for (let attempt = 0; attempt < 100; attempt++) {
      const id = this.markerId(key, revision, attempt);
      try {
        await markers.insertOne({ _id: id, at: Date.now() });
        return id;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const marker = await markers.findOne({ _id: id });
      // A live writer holds this revision: let the caller re-read. A stale one died: try the next attempt slot.
      if (marker && Date.now() - marker.at < staleMarkerMs) return undefined;
    }
    return undefined;
  }

  /**
   * Reads the document, asks `decide` what to write, and writes it only if nobody else wrote in between.
   * Returns false when `decide` declined. Used by put, replaceIf and insert over an expired key.
   */
  private async writeByMarkers(
    key: string,
    decide: (current: StoredDoc | undefined) => { write: Record<string, unknown> } | undefined,
  ): Promise<boolean> {
    const deadline = Date.now() + writeDeadlineMs;
    for (let round = 0; Date.now() < deadline; round++) {
      const current = (await this.model.findOne({ _id: key }).lean<StoredDoc>().exec()) ?? undefined;
      const decision = decide(current);
      if (!decision) return false;
      const next = this.toStored(decision.write, randomUUID());
      if (!current) {
        try {
          await this.model.insertOne(next);
          return true;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          // Either another writer created the key (retry as a replace) or a unique index refused it.
          if (!(await this.raw.findOne({ _id: key }))) throw this.duplicate(key, error);
          continue;
        }
      }
      const revision = String(current[hiddenFields.revision] ?? '');
      const marker = await this.takeRevision(key, revision);
      if (!marker) {
        await sleep(Math.min(2 + round, 20) + Math.random() * 3);
        continue;
      }
      try {
        // Filter on _id alone so FerretDB answers from its primary key; the marker already made this writer the only one.
        const result = await this.model.replaceOne({ _id: key }, next);
        if (result.matchedCount === 1) return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) {
          // The server refused the write, so the document is still at `revision`: give the marker back so others
          // need not wait for the stale-marker timeout. After a network error the write may have happened, so
          // the marker stays and only the timeout frees it.
          await this.revisions()
            .deleteOne({ _id: marker })
            .catch(() => undefined);
          throw this.duplicate(key, error);
        }
        throw error;
      }
      // The document was deleted (or recovered by someone else) meanwhile: look again.
    }
    throw new Error(
      `${this.spec.name}: ${key} is being written by others; gave up after ${writeDeadlineMs} ms`,
    );
  }

  private async insertByMarkers(valid: Record<string, unknown>, key: string): Promise<void> {
    try {
      await this.model.insertOne(this.toStored(valid, randomUUID()));
      return;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = this.spec.expiresAt ? await this.raw.findOne({ _id: key }) : null;
      if (!existing || this.isAlive(existing)) throw this.duplicate(key, error);
    }
    // The key is held by an expired document: replace it, unless another writer got there first.
    const replaced = await this.writeByMarkers(key, (current) =>
      current && this.isAlive(current) ? undefined : { write: valid },
    );
    if (!replaced) throw new DuplicateKeyError(`${this.spec.name}: ${key} already exists`);
  }
}
