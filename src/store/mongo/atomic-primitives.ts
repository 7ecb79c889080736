// Counters and claims on MongoDB, in two flavours: single conditional writes, or insert-only for FerretDB 1.x.
//
// MongoDB applies findOneAndUpdate atomically, so a counter is one $inc and a claim is one conditional upsert.
// FerretDB 1.x runs findAndModify/update as "query, then write by _id" without a transaction, so two concurrent
// callers can both see the same state and both write (measured: 50 concurrent $inc gave duplicate values).
// The only atomic primitive it offers is an insert rejected by a unique index, so the insert-only flavour turns
// every contended step into "insert the next numbered marker; the one insert that succeeds wins".
import type { mongo } from 'mongoose';
import { isDuplicateKeyError, isNotImplementedError } from './mongo-connection.ts';

/** Counter and claim operations shared by every replica using the database. */
export interface AtomicPrimitives {
  nextSequence(name: string): Promise<number>;
  claim(scope: string, key: string, owner: string, expiresAt: string): Promise<boolean>;
  release(scope: string, key: string, owner: string): Promise<void>;
  /** Current value of every counter, for export. */
  counters(): Promise<{ name: string; value: number }[]>;
  /** Raises a counter to at least `value` (import never lowers a counter). */
  importCounter(name: string, value: number): Promise<void>;
  ensureIndexes(): Promise<void>;
}

/** Collection names used internally; user collection names cannot start with `_`. */
export const internalCollections = {
  counters: '_counters',
  claims: '_claims',
  sequenceMarks: '_sequence_marks',
  claimHeads: '_claim_heads',
  claimGenerations: '_claim_generations',
} as const;

function claimId(scope: string, key: string): string {
  return JSON.stringify([String(scope), String(key)]);
}

function checkIso(expiresAt: string): Date {
  const date = new Date(expiresAt);
  if (Number.isNaN(date.getTime()))
    throw new Error(`claim: expiresAt must be an ISO time, got "${expiresAt}"`);
  return date;
}

/** Creates a TTL index, or a plain index on servers that do not implement TTL (FerretDB 1.x). */
export async function createTtlIndex(
  collection: mongo.Collection<mongo.Document>,
  field: string,
): Promise<boolean> {
  try {
    await collection.createIndex({ [field]: 1 }, { expireAfterSeconds: 0 });
    return true;
  } catch (error) {
    if (!isNotImplementedError(error)) throw error;
    await collection.createIndex({ [field]: 1 });
    return false;
  }
}

interface CounterDoc {
  _id: string;
  value: number;
}

interface ClaimDoc {
  _id: string;
  scope: string;
  key: string;
  owner: string;
  expiresAt: string;
  _expireAt: Date;
}

/** MongoDB: each primitive is one atomic conditional write. */
export class ServerAtomics implements AtomicPrimitives {
  private readonly counterDocs: mongo.Collection<CounterDoc>;
  private readonly claims: mongo.Collection<ClaimDoc>;

  constructor(db: mongo.Db) {
    this.counterDocs = db.collection<CounterDoc>(internalCollections.counters);
    this.claims = db.collection<ClaimDoc>(internalCollections.claims);
  }

  async ensureIndexes(): Promise<void> {
    await createTtlIndex(this.claims as unknown as mongo.Collection<mongo.Document>, '_expireAt');
  }

  async nextSequence(name: string): Promise<number> {
    // Concurrent first calls may both try the upsert insert; the server retries most, the loser retries here.
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this.counterDocs.findOneAndUpdate(
          { _id: String(name) },
          { $inc: { value: 1 } },
          { upsert: true, returnDocument: 'after' },
        );
        if (!doc) throw new Error(`nextSequence(${name}): the server returned no document`);
        return doc.value;
      } catch (error) {
        if (!isDuplicateKeyError(error) || attempt >= 5) throw error;
      }
    }
  }

  async claim(scope: string, key: string, owner: string, expiresAt: string): Promise<boolean> {
    const expireAt = checkIso(expiresAt);
    const now = new Date().toISOString();
    try {
      // Matches when the claim expired or `owner` holds it; otherwise the upsert's insert hits the taken _id.
      await this.claims.findOneAndUpdate(
        { _id: claimId(scope, key), $or: [{ expiresAt: { $lte: now } }, { owner: String(owner) }] },
        {
          $set: {
            scope: String(scope),
            key: String(key),
            owner: String(owner),
            expiresAt,
            _expireAt: expireAt,
          },
        },
        { upsert: true },
      );
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async release(scope: string, key: string, owner: string): Promise<void> {
    await this.claims.deleteOne({ _id: claimId(scope, key), owner: String(owner) });
  }

  async counters(): Promise<{ name: string; value: number }[]> {
    const docs = await this.counterDocs.find({}).toArray();
    return docs.map((d) => ({ name: d._id, value: d.value }));
  }

  async importCounter(name: string, value: number): Promise<void> {
    await this.counterDocs.updateOne({ _id: String(name) }, { $max: { value } }, { upsert: true });
  }
}

interface SequenceMark {
  _id: string;
  name: string;
  n: number;
  at: string;
}

interface ClaimHead {
  _id: string;
  gen: number;
}

interface ClaimGeneration {
  _id: string;
  scope: string;
  key: string;
  gen: number;
  owner: string;
  expiresAt: string;
  at: string;
}

/** An owner no caller can have: marks a released claim. */
const releasedOwner = '\u0000released';
const longAgo = '1970-01-01T00:00:00.000Z';

/**
 * FerretDB 1.x: only inserts are atomic. A counter issues number n by inserting the marker (name, n); a claim
 * takes generation g+1 of a key by inserting (scope, key, g+1) after checking generation g. A "head" document
 * per counter/claim remembers roughly where the chain ends so lookups stay by _id (the only filter FerretDB's
 * SQLite backend pushes down); it may lag behind, so readers always probe past it. Markers are never deleted,
 * which is what keeps "exactly one insert succeeds" true.
 */
export class InsertOnlyAtomics implements AtomicPrimitives {
  private readonly counterDocs: mongo.Collection<CounterDoc>;
  private readonly marks: mongo.Collection<SequenceMark>;
  private readonly heads: mongo.Collection<ClaimHead>;
  private readonly generations: mongo.Collection<ClaimGeneration>;

  constructor(db: mongo.Db) {
    this.counterDocs = db.collection<CounterDoc>(internalCollections.counters);
    this.marks = db.collection<SequenceMark>(internalCollections.sequenceMarks);
    this.heads = db.collection<ClaimHead>(internalCollections.claimHeads);
    this.generations = db.collection<ClaimGeneration>(internalCollections.claimGenerations);
  }

  async ensureIndexes(): Promise<void> {
    // Lookups are by _id; nothing else is needed.
  }

  private async counterHint(name: string): Promise<number> {
    const doc = await this.counterDocs.findOne({ _id: name });
    return typeof doc?.value === 'number' ? doc.value : 0;
  }

  /** Best effort: the hint only speeds up the next probe, so a lost or reordered update is harmless. */
  private async raiseCounterHint(name: string, value: number): Promise<void> {
    await this.counterDocs
      .updateOne({ _id: name }, { $max: { value } }, { upsert: true })
      .catch(() => undefined);
  }

  async nextSequence(rawName: string): Promise<number> {
    const name = String(rawName);
    let n = (await this.counterHint(name)) + 1;
    for (let attempt = 0; attempt < 100_000; attempt++) {
      try {
        await this.marks.insertOne({ _id: claimId(name, String(n)), name, n, at: new Date().toISOString() });
        await this.raiseCounterHint(name, n);
        return n;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        n = Math.max(n + 1, (await this.counterHint(name)) + 1);
      }
    }
    throw new Error(`nextSequence(${name}): gave up after too many concurrent attempts`);
  }

  private generationId(scope: string, key: string, gen: number): string {
    return JSON.stringify([scope, key, gen]);
  }

  /** The newest generation of a claim (0 and undefined when it was never claimed). */
  private async latest(
    scope: string,
    key: string,
  ): Promise<{ gen: number; doc: ClaimGeneration | undefined }> {
    const head = await this.heads.findOne({ _id: claimId(scope, key) });
    let gen = head?.gen ?? 0;
    let doc =
      gen > 0
        ? ((await this.generations.findOne({ _id: this.generationId(scope, key, gen) })) ?? undefined)
        : undefined;
    for (;;) {
      const next = await this.generations.findOne({ _id: this.generationId(scope, key, gen + 1) });
      if (!next) return { gen, doc };
      gen += 1;
      doc = next;
    }
  }

  private async append(
    scope: string,
    key: string,
    gen: number,
    owner: string,
    expiresAt: string,
  ): Promise<boolean> {
    try {
      await this.generations.insertOne({
        _id: this.generationId(scope, key, gen),
        scope,
        key,
        gen,
        owner,
        expiresAt,
        at: new Date().toISOString(),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    // Generation 1 needs no head: readers without one start probing at 1. Most claims (event ids) stop there.
    if (gen > 1) {
      await this.heads
        .updateOne({ _id: claimId(scope, key) }, { $max: { gen } }, { upsert: true })
        .catch(() => undefined);
    }
    return true;
  }

  async claim(rawScope: string, rawKey: string, rawOwner: string, expiresAt: string): Promise<boolean> {
    checkIso(expiresAt);
    const [scope, key, owner] = [String(rawScope), String(rawKey), String(rawOwner)];
    // First claim of a key (the common case: a new event id) is a single insert; if it is taken, look.
    if (await this.append(scope, key, 1, owner, expiresAt)) return true;
    // Each round either wins, sees a live claim of someone else, or lost a race and looks again.
    for (let round = 0; round < 50; round++) {
      const now = new Date().toISOString();
      const { gen, doc } = await this.latest(scope, key);
      if (doc && doc.expiresAt > now && doc.owner !== owner) return false;
      if (await this.append(scope, key, gen + 1, owner, expiresAt)) return true;
    }
    return false;
  }

  async release(rawScope: string, rawKey: string, rawOwner: string): Promise<void> {
    const [scope, key, owner] = [String(rawScope), String(rawKey), String(rawOwner)];
    for (let round = 0; round < 50; round++) {
      const { gen, doc } = await this.latest(scope, key);
      if (!doc || doc.owner !== owner || doc.expiresAt <= new Date().toISOString()) return;
      if (await this.append(scope, key, gen + 1, releasedOwner, longAgo)) return;
    }
  }

  async counters(): Promise<{ name: string; value: number }[]> {
    const highest = new Map<string, number>();
    for await (const mark of this.marks.find({})) {
      highest.set(mark.name, Math.max(highest.get(mark.name) ?? 0, mark.n));
    }
    return [...highest].map(([name, value]) => ({ name, value }));
  }

  async importCounter(rawName: string, value: number): Promise<void> {
    const name = String(rawName);
    try {
      await this.marks.insertOne({
        _id: claimId(name, String(value)),
        name,
        n: value,
        at: new Date().toISOString(),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    await this.raiseCounterHint(name, value);
  }
}
