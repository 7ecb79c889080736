// Storage engine figures: inserts/s and gets/s at 10,000 request-like documents, µs per event-id claim and per
// durable lease, and inserts/s with 32 writers at once (group commit: concurrent durable writes share an fsync).
//
// Embedded always; MongoDB (or FerretDB) too when TEST_MONGODB_URI is set, in a throwaway database.
// Operations run one at a time (each awaited), which is how a single bot request uses the store. Reads and claims
// stop after 30 s each on slow engines (FerretDB 1.x scans the table for every _id lookup); *Measured says how many.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { CollectionSpec, DocumentStore } from '../src/store/document-store.ts';
import { openEmbeddedStore } from '../src/store/embedded/sqlite-store.ts';
import { openMongoStore } from '../src/store/mongo/mongo-store.ts';

const records = 10_000;
const claims = 2_000;

/** Shaped like an intake request: a dozen scalars, a nested requester, a short history array. */
const benchRequestSchema = z.object({
  reference: z.string(),
  kind: z.enum(['access', 'software', 'hardware', 'incident', 'other']),
  title: z.string(),
  description: z.string(),
  urgency: z.enum(['low', 'medium', 'high', 'critical']),
  status: z.enum(['new', 'triaged', 'in_progress', 'resolved']),
  requesterKey: z.string(),
  requester: z.object({ platform: z.string(), id: z.string(), name: z.string() }),
  assignee: z.string().nullable(),
  history: z.array(z.object({ at: z.string(), by: z.string(), action: z.string() })),
  secretsMasked: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
type BenchRequest = z.infer<typeof benchRequestSchema>;

const benchSpec: CollectionSpec<BenchRequest> = {
  name: 'bench_requests',
  schema: benchRequestSchema,
  key: 'reference',
  indexes: [{ fields: ['requesterKey'] }, { fields: ['createdAt'] }, { fields: ['status'] }],
};

function request(i: number): BenchRequest {
  const at = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
  return {
    reference: `IT-${String(i).padStart(6, '0')}`,
    kind: 'software',
    title: `Install the design tool on laptop ${i}`,
    description: 'I need the design tool for the new campaign. My manager approved it last week. '.repeat(3),
    urgency: 'medium',
    status: 'new',
    requesterKey: `slack:T1:U${i % 500}`,
    requester: { platform: 'slack', id: `U${i % 500}`, name: `Person ${i % 500}` },
    assignee: null,
    history: [{ at, by: 'itbuddy', action: 'created' }],
    secretsMasked: false,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

/** Runs `step(i)` for i = 0.. until `max` steps or `budgetMs` elapsed; returns steps done and time taken. */
async function timed(max: number, budgetMs: number, step: (i: number) => Promise<void>) {
  const started = performance.now();
  let done = 0;
  while (done < max && performance.now() - started < budgetMs) await step(done++);
  return { done, ms: performance.now() - started };
}

async function measure(store: DocumentStore): Promise<Record<string, number>> {
  const c = store.collection(benchSpec);
  await store.syncIndexes();

  const started = performance.now();
  for (let i = 0; i < records; i++) await c.insert(request(i));
  const insertMs = performance.now() - started;

  // Keys in a scattered but reproducible order, so reads do not just walk the newest pages. Slow engines get a
  // time budget instead of all 10,000 reads; the figure is still per read at 10,000 stored documents.
  let missing = 0;
  const gets = await timed(records, 30_000, async (i) => {
    if (!(await c.get(request((i * 7_919) % records).reference))) missing++;
  });
  if (missing > 0) throw new Error(`store bench: ${missing} documents were not read back`);

  // Claims of new event ids (the first delivery), then replays of the same ids (the duplicate delivery).
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  // Slack event ids are relaxed marks (acknowledged before handling); leases are durable.
  const mark = { kind: 'mark', durability: 'relaxed' } as const;
  const firsts = await timed(claims, 30_000, async (i) => {
    if (!(await store.claim('slack-events', `Ev${i}`, 'replica-a', expiresAt, mark)))
      throw new Error('claim refused');
  });
  const replays = await timed(firsts.done, 30_000, async (i) => {
    if (await store.claim('slack-events', `Ev${i}`, 'replica-b', expiresAt, mark))
      throw new Error('replay accepted');
  });
  const leases = await timed(claims, 30_000, async (i) => {
    if (!(await store.claim('outbox', `job${i}`, 'replica-a', expiresAt))) throw new Error('lease refused');
  });

  // 32 writers at once, as under load: each insert still resolves only once it is on disk.
  const concurrent = store.collection({ ...benchSpec, name: 'bench_concurrent' });
  const before = commitStats(store);
  const together = await timed(records / 32, 30_000, async (round) => {
    await Promise.all(Array.from({ length: 32 }, (_, k) => concurrent.insert(request(round * 32 + k))));
  });
  const after = commitStats(store);

  return {
    records,
    insertsPerSecond: perSecond(records, insertMs),
    getsPerSecond: perSecond(gets.done, gets.ms),
    getsMeasured: gets.done,
    microsecondsPerClaim: Math.round((firsts.ms * 1000) / firsts.done),
    microsecondsPerRefusedReplay: Math.round((replays.ms * 1000) / replays.done),
    claimsMeasured: firsts.done,
    microsecondsPerDurableLease: Math.round((leases.ms * 1000) / leases.done),
    concurrentInsertsPerSecond: perSecond(together.done * 32, together.ms),
    ...(before && after
      ? {
          durableWritesPerFsync: round1(
            (after.durableWrites - before.durableWrites) / (after.fsyncs - before.fsyncs),
          ),
        }
      : {}),
  };
}

/** Commits and fsyncs that carried durable writes, and how many durable writes they carried. */
interface CommitStats {
  commits: number;
  durableWrites: number;
  fsyncs: number;
}

/** The embedded engine's group-commit counters, when the store has them. */
function commitStats(store: DocumentStore): CommitStats | undefined {
  const withStats = store as DocumentStore & { commitStats?: () => CommitStats };
  return withStats.commitStats?.();
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Measures each available engine; returns plain JSON figures per engine. */
export async function storeBench(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};

  const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-store-bench-'));
  const embedded = openEmbeddedStore(dir);
  try {
    results.embedded = await measure(embedded);
  } finally {
    await embedded.close();
    await rm(dir, { recursive: true, force: true });
  }

  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) {
    results.mongo = { skipped: 'set TEST_MONGODB_URI to measure the MongoDB engine' };
    return results;
  }
  const dbName = `itbuddy_bench_${randomBytes(4).toString('hex')}`;
  const mongo = openMongoStore(uri, { dbName });
  try {
    const deadline = Date.now() + 15_000;
    while (!(await mongo.health()).ok) {
      if (Date.now() > deadline) throw new Error('store bench: MongoDB not reachable at TEST_MONGODB_URI');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const figures = await measure(mongo);
    results.mongo = { ...figures, writeMode: mongo.writeMode };
  } finally {
    await dropDatabase(uri, dbName);
    await mongo.close();
  }
  return results;
}

async function dropDatabase(uri: string, dbName: string): Promise<void> {
  const { default: mongoose } = await import('mongoose');
  const conn = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 3_000 }).asPromise();
  try {
    await conn.dropDatabase();
  } finally {
    await conn.close();
  }
}
