// The one contract every storage engine passes: each engine's test file calls runDocumentStoreContract.
import { afterAll, afterEach, describe, expect, it as vitestIt } from 'vitest';
import { z } from 'zod';
import { DuplicateKeyError } from '../../src/errors.ts';
import type {
  CollectionSpec,
  DocumentCollection,
  DocumentStore,
  Scalar,
  StoredRecord,
} from '../../src/store/document-store.ts';

/** A request-like document: scalars, an enum, null, optional fields, an array, a nested object and a record. */
export const requestSchema = z.object({
  id: z.string().min(1),
  reference: z.string().optional(),
  status: z.enum(['open', 'waiting', 'closed']),
  priority: z.number().int(),
  urgent: z.boolean(),
  assignee: z.string().nullable(),
  createdAt: z.string(),
  tags: z.array(z.string()).optional(),
  details: z
    .object({
      summary: z.string(),
      answers: z.array(z.object({ question: z.string(), answer: z.string() })),
      extra: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  expiresAt: z.string().optional(),
});

/** The document type of the contract's collection. */
export type RequestDoc = z.infer<typeof requestSchema>;

/** The contract's collection: key `id`, a unique optional `reference`, a compound index and expiry. */
export const requestSpec: CollectionSpec<RequestDoc> = {
  name: 'contract_requests',
  schema: requestSchema,
  key: 'id',
  indexes: [{ fields: ['reference'], unique: true }, { fields: ['status', 'createdAt'] }],
  expiresAt: 'expiresAt',
};

/** A valid request document; `overrides` change any field. */
export function makeRequest(id: string, overrides: Partial<RequestDoc> = {}): RequestDoc {
  return {
    id,
    status: 'open',
    priority: 2,
    urgent: false,
    assignee: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const aMinuteAgo = () => new Date(Date.now() - 60_000).toISOString();

function ids(docs: RequestDoc[]): string[] {
  return docs.map((d) => d.id);
}

/** Runs `promise` and returns its documents, or none when the engine refused the query. */
async function matchesOrRefuses<R>(promise: Promise<R[]>): Promise<R[]> {
  try {
    return await promise;
  } catch {
    return [];
  }
}

/**
 * Registers the contract suite for one engine. `open` returns a fresh, empty store each call; the suite closes
 * every store it opened after each test and calls `cleanup` once at the end (drop databases, remove folders).
 */
export function runDocumentStoreContract(
  name: string,
  open: () => Promise<DocumentStore>,
  cleanup: () => Promise<void>,
  options: { skip?: readonly string[] } = {},
): void {
  const skip = new Set(options.skip ?? []);
  // Only this run's named cases are skipped; a name that matches no case is a mistake, so it fails loudly.
  const seen = new Set<string>();
  const it = Object.assign(
    (title: string, fn: () => Promise<void>) => {
      seen.add(title);
      return skip.has(title) ? vitestIt.skip(title, fn) : vitestIt(title, fn);
    },
    { skip: vitestIt.skip },
  );
  describe(`DocumentStore contract: ${name}`, () => {
    const opened: DocumentStore[] = [];

    async function fresh(): Promise<{ store: DocumentStore; requests: DocumentCollection<RequestDoc> }> {
      const store = await open();
      opened.push(store);
      return { store, requests: store.collection(requestSpec) };
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    afterAll(cleanup);

    describe('documents', () => {
      it('get returns exactly what insert stored, nested fields included', async () => {
        const { requests } = await fresh();
        const doc = makeRequest('r1', {
          reference: 'REQ-1',
          tags: ['vpn', 'laptop'],
          assignee: 'ana',
          urgent: true,
          details: {
            summary: 'VPN drops',
            answers: [{ question: 'Since when?', answer: 'Monday' }],
            extra: { 'os.version': '14.2' },
          },
        });
        await requests.insert(doc);
        expect(await requests.get('r1')).toEqual(doc);
        // Optional fields that were absent stay absent (not [] or {}), and null stays null.
        const plain = makeRequest('r2');
        await requests.insert(plain);
        const back = await requests.get('r2');
        expect(back).toEqual(plain);
        expect(back && 'tags' in back).toBe(false);
        expect(back?.assignee).toBeNull();
      });

      it('get of an unknown key is undefined', async () => {
        const { requests } = await fresh();
        expect(await requests.get('nope')).toBeUndefined();
      });

      it('insert rejects an invalid document', async () => {
        const { requests } = await fresh();
        const bad = { ...makeRequest('r1'), status: 'lost' } as unknown as RequestDoc;
        await expect(requests.insert(bad)).rejects.toThrow();
        expect(await requests.count()).toBe(0);
      });

      it('a second insert with the same key throws DuplicateKeyError and keeps the first', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1', { priority: 1 }));
        await expect(requests.insert(makeRequest('r1', { priority: 9 }))).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
        expect((await requests.get('r1'))?.priority).toBe(1);
      });

      it('a unique index rejects a second document with the same value, on insert and on put', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1', { reference: 'REQ-7' }));
        await expect(requests.insert(makeRequest('r2', { reference: 'REQ-7' }))).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
        await requests.insert(makeRequest('r3', { reference: 'REQ-8' }));
        await expect(requests.put(makeRequest('r3', { reference: 'REQ-7' }))).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
        expect((await requests.get('r3'))?.reference).toBe('REQ-8');
        expect(await requests.get('r2')).toBeUndefined();
      });

      it('documents without the uniquely indexed field never collide', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1'));
        await requests.insert(makeRequest('r2'));
        expect(await requests.count()).toBe(2);
      });

      it('put inserts a new document and replaces an existing one whole', async () => {
        const { requests } = await fresh();
        await requests.put(makeRequest('r1', { tags: ['a'], assignee: 'ana' }));
        expect((await requests.get('r1'))?.tags).toEqual(['a']);
        await requests.put(makeRequest('r1', { status: 'closed' }));
        expect(await requests.get('r1')).toEqual(makeRequest('r1', { status: 'closed' }));
      });

      it('delete removes by key and says whether something was deleted', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1'));
        expect(await requests.delete('r1')).toBe(true);
        expect(await requests.get('r1')).toBeUndefined();
        expect(await requests.delete('r1')).toBe(false);
        await requests.insert(makeRequest('r1'));
        expect(await requests.get('r1')).toBeDefined();
      });
    });

    describe('replaceIf', () => {
      it('replaces only while the field still holds the expected value', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1', { status: 'open' }));
        expect(await requests.replaceIf(makeRequest('r1', { status: 'waiting' }), 'status', 'open')).toBe(
          true,
        );
        expect((await requests.get('r1'))?.status).toBe('waiting');
        expect(await requests.replaceIf(makeRequest('r1', { status: 'closed' }), 'status', 'open')).toBe(
          false,
        );
        expect((await requests.get('r1'))?.status).toBe('waiting');
      });

      it('is false for a missing document and creates nothing', async () => {
        const { requests } = await fresh();
        expect(await requests.replaceIf(makeRequest('ghost'), 'status', 'open')).toBe(false);
        expect(await requests.get('ghost')).toBeUndefined();
      });

      it('compares null as a value', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1', { assignee: null }));
        expect(await requests.replaceIf(makeRequest('r1', { assignee: 'ana' }), 'assignee', null)).toBe(true);
        expect(await requests.replaceIf(makeRequest('r1', { assignee: 'bo' }), 'assignee', null)).toBe(false);
        expect((await requests.get('r1'))?.assignee).toBe('ana');
      });

      it('of 10 concurrent replaceIf expecting the same value, exactly one succeeds', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1', { assignee: null }));
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            requests.replaceIf(makeRequest('r1', { assignee: `agent-${i}` }), 'assignee', null),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect((await requests.get('r1'))?.assignee).toBe(`agent-${winner}`);
      });

      it('rejects a field that is not in the schema', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1'));
        const field = 'owner' as keyof RequestDoc & string;
        await expect(requests.replaceIf(makeRequest('r1'), field, null)).rejects.toThrow(/not a field/);
      });
    });

    describe('find and count', () => {
      async function seeded() {
        const s = await fresh();
        const docs = [
          makeRequest('a', {
            status: 'open',
            priority: 3,
            createdAt: '2025-01-01T10:00:00.000Z',
            urgent: true,
          }),
          makeRequest('b', { status: 'waiting', priority: 1, createdAt: '2025-01-02T10:00:00.000Z' }),
          makeRequest('c', {
            status: 'open',
            priority: 2,
            createdAt: '2025-01-03T10:00:00.000Z',
            assignee: 'ana',
          }),
          makeRequest('d', { status: 'closed', priority: 2, createdAt: '2025-01-04T10:00:00.000Z' }),
          makeRequest('e', { status: 'open', priority: 5, createdAt: '2025-01-05T10:00:00.000Z' }),
        ];
        for (const d of docs) await s.requests.insert(d);
        return s;
      }

      it('with no query returns every document', async () => {
        const { requests } = await seeded();
        expect(ids(await requests.find()).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
        expect(await requests.count()).toBe(5);
      });

      it('where matches equality on strings, numbers, booleans and null', async () => {
        const { requests } = await seeded();
        expect(ids(await requests.find({ where: { status: 'open' } })).sort()).toEqual(['a', 'c', 'e']);
        expect(ids(await requests.find({ where: { status: 'open', priority: 2 } }))).toEqual(['c']);
        expect(ids(await requests.find({ where: { urgent: true } }))).toEqual(['a']);
        expect(ids(await requests.find({ where: { assignee: null } })).sort()).toEqual(['a', 'b', 'd', 'e']);
        expect(await requests.count({ where: { status: 'open' } })).toBe(3);
        expect(await requests.find({ where: { status: 'lost' as RequestDoc['status'] } })).toEqual([]);
      });

      it('whereIn matches any of the values, and nothing for an empty list', async () => {
        const { requests } = await seeded();
        const found = await requests.find({ whereIn: { field: 'status', values: ['waiting', 'closed'] } });
        expect(ids(found).sort()).toEqual(['b', 'd']);
        expect(await requests.count({ whereIn: { field: 'priority', values: [2, 5] } })).toBe(3);
        expect(await requests.find({ whereIn: { field: 'status', values: [] } })).toEqual([]);
      });

      it('range is inclusive below and exclusive above, on strings and numbers', async () => {
        const { requests } = await seeded();
        const range = {
          field: 'createdAt' as const,
          gte: '2025-01-02T10:00:00.000Z',
          lt: '2025-01-04T10:00:00.000Z',
        };
        expect(ids(await requests.find({ range })).sort()).toEqual(['b', 'c']);
        expect(ids(await requests.find({ range: { field: 'priority', gte: 3 } })).sort()).toEqual(['a', 'e']);
        expect(await requests.count({ range: { field: 'priority', lt: 2 } })).toBe(1);
      });

      it('orderBy sorts ascending and descending, ties broken by key, and limit cuts', async () => {
        const { requests } = await seeded();
        const asc = await requests.find({ orderBy: { field: 'priority', direction: 'asc' } });
        expect(ids(asc)).toEqual(['b', 'c', 'd', 'a', 'e']);
        const desc = await requests.find({ orderBy: { field: 'priority', direction: 'desc' } });
        expect(ids(desc)).toEqual(['e', 'a', 'd', 'c', 'b']);
        const newestOpen = await requests.find({
          where: { status: 'open' },
          orderBy: { field: 'createdAt', direction: 'desc' },
          limit: 2,
        });
        expect(ids(newestOpen)).toEqual(['e', 'c']);
        expect(await requests.find({ limit: 0 })).toEqual([]);
      });

      it('combines where, whereIn and range', async () => {
        const { requests } = await seeded();
        const found = await requests.find({
          where: { status: 'open' },
          whereIn: { field: 'priority', values: [2, 3, 5] },
          range: { field: 'createdAt', lt: '2025-01-05T00:00:00.000Z' },
          orderBy: { field: 'createdAt', direction: 'asc' },
        });
        expect(ids(found)).toEqual(['a', 'c']);
      });

      it('deleteOlderThan deletes documents before the time and says how many', async () => {
        const { requests } = await seeded();
        expect(await requests.deleteOlderThan('createdAt', '2025-01-03T10:00:00.000Z')).toBe(2);
        expect(ids(await requests.find({ orderBy: { field: 'createdAt', direction: 'asc' } }))).toEqual([
          'c',
          'd',
          'e',
        ]);
      });
    });

    describe('query safety', () => {
      it('an operator object smuggled in as a where value matches nothing', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1', { assignee: 'ana' }));
        const injected = { $ne: null } as unknown as Scalar;
        expect(await matchesOrRefuses(requests.find({ where: { assignee: injected } }))).toEqual([]);
        expect(
          await matchesOrRefuses(requests.find({ where: { id: { $gt: '' } as unknown as Scalar } })),
        ).toEqual([]);
        const count = await requests.count({ where: { assignee: injected } }).catch(() => 0);
        expect(count).toBe(0);
        const inList = [{ $ne: null }] as unknown as Scalar[];
        expect(
          await matchesOrRefuses(requests.find({ whereIn: { field: 'assignee', values: inList } })),
        ).toEqual([]);
      });

      it('an operator written as a string is compared as plain text', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1', { assignee: 'ana' }));
        expect(await requests.find({ where: { assignee: '{"$ne":null}' } })).toEqual([]);
        expect(await requests.find({ where: { id: '{"$gt":""}' } })).toEqual([]);
        expect(await requests.get('{"$ne":null}')).toBeUndefined();
        expect(ids(await requests.find({ where: { assignee: 'ana' } }))).toEqual(['r1']);
      });

      it('field names that are not top-level schema fields are rejected everywhere', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('r1'));
        const bad = (name: string) => name as keyof RequestDoc & string;
        await expect(requests.find({ where: { [bad('$where')]: 'x' } })).rejects.toThrow(/not a field/);
        await expect(requests.find({ where: { [bad('details.summary')]: 'x' } })).rejects.toThrow(
          /not a field/,
        );
        await expect(requests.find({ where: { [bad('owner')]: 'x' } })).rejects.toThrow(/not a field/);
        await expect(requests.count({ whereIn: { field: bad('owner'), values: ['x'] } })).rejects.toThrow(
          /not a field/,
        );
        await expect(requests.find({ range: { field: bad('_id'), gte: 'a' } })).rejects.toThrow(
          /not a field/,
        );
        await expect(requests.find({ orderBy: { field: bad('owner'), direction: 'asc' } })).rejects.toThrow(
          /not a field/,
        );
        await expect(requests.deleteOlderThan(bad('owner'), '2030-01-01T00:00:00.000Z')).rejects.toThrow(
          /not a field/,
        );
        expect(await requests.count()).toBe(1);
      });
    });

    describe('expiry', () => {
      it('a document past its expiresAt is invisible to get, find and count', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('old', { expiresAt: aMinuteAgo() }));
        await requests.insert(makeRequest('live', { expiresAt: inAnHour() }));
        await requests.insert(makeRequest('forever'));
        expect(await requests.get('old')).toBeUndefined();
        expect((await requests.get('live'))?.id).toBe('live');
        expect(ids(await requests.find()).sort()).toEqual(['forever', 'live']);
        expect(ids(await requests.find({ where: { status: 'open' } })).sort()).toEqual(['forever', 'live']);
        expect(await requests.count()).toBe(2);
        expect(await requests.replaceIf(makeRequest('old'), 'status', 'open')).toBe(false);
      });

      it('the key of an expired document can be inserted again', async () => {
        const { requests } = await fresh();
        await requests.insert(makeRequest('k', { expiresAt: aMinuteAgo(), priority: 1 }));
        await requests.insert(makeRequest('k', { expiresAt: inAnHour(), priority: 7 }));
        expect((await requests.get('k'))?.priority).toBe(7);
        await expect(requests.insert(makeRequest('k', { priority: 8 }))).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
      });
    });

    describe('relaxed durability', () => {
      it('a relaxed collection keeps every guarantee of the contract, duplicates and expiry included', async () => {
        const { store } = await fresh();
        const log = store.collection({ ...requestSpec, name: 'contract_relaxed', durability: 'relaxed' });
        await log.insert(makeRequest('a', { reference: 'R1' }));
        await expect(log.insert(makeRequest('a'))).rejects.toBeInstanceOf(DuplicateKeyError);
        await expect(log.put(makeRequest('b', { reference: 'R1' }))).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
        await log.insert(makeRequest('gone', { expiresAt: aMinuteAgo() }));
        await log.insert(makeRequest('gone', { expiresAt: inAnHour(), priority: 5 }));
        expect(
          await log.replaceIf(makeRequest('a', { reference: 'R1', status: 'closed' }), 'status', 'open'),
        ).toBe(true);
        expect(await log.delete('gone')).toBe(true);
        expect(await log.find()).toEqual([makeRequest('a', { reference: 'R1', status: 'closed' })]);
      });
    });

    describe('counters', () => {
      it('nextSequence starts at 1 and counts each name separately', async () => {
        const { store } = await fresh();
        expect(await store.nextSequence('tickets')).toBe(1);
        expect(await store.nextSequence('tickets')).toBe(2);
        expect(await store.nextSequence('other')).toBe(1);
        expect(await store.nextSequence('tickets')).toBe(3);
      });

      it('50 concurrent nextSequence calls get 50 distinct consecutive numbers', async () => {
        const { store } = await fresh();
        const numbers = await Promise.all(Array.from({ length: 50 }, () => store.nextSequence('burst')));
        expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(await store.nextSequence('burst')).toBe(51);
      });
    });

    describe('claims', () => {
      it('of 20 concurrent claims of one key by different owners, exactly one wins', async () => {
        const { store } = await fresh();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.claim('events', 'evt-1', `replica-${i}`, inAnHour())),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('the owner can renew; others cannot take a live claim', async () => {
        const { store } = await fresh();
        expect(await store.claim('jobs', 'digest', 'a', inAnHour())).toBe(true);
        expect(await store.claim('jobs', 'digest', 'b', inAnHour())).toBe(false);
        expect(await store.claim('jobs', 'digest', 'a', inAnHour())).toBe(true);
        expect(await store.claim('jobs', 'digest', 'b', inAnHour())).toBe(false);
      });

      it('an expired claim can be taken over, by exactly one of many', async () => {
        const { store } = await fresh();
        expect(await store.claim('jobs', 'digest', 'a', new Date(Date.now() + 150).toISOString())).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 250));
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.claim('jobs', 'digest', `b${i}`, inAnHour())),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.claim('jobs', 'digest', 'a', inAnHour())).toBe(false);
      });

      it('release frees the claim for others; a non-owner release changes nothing', async () => {
        const { store } = await fresh();
        expect(await store.claim('jobs', 'k', 'a', inAnHour())).toBe(true);
        await store.release('jobs', 'k', 'b');
        expect(await store.claim('jobs', 'k', 'b', inAnHour())).toBe(false);
        await store.release('jobs', 'k', 'a');
        expect(await store.claim('jobs', 'k', 'b', inAnHour())).toBe(true);
        await store.release('jobs', 'never-claimed', 'a');
      });

      it('scopes keep the same key apart', async () => {
        const { store } = await fresh();
        expect(await store.claim('slack-events', 'x', 'a', inAnHour())).toBe(true);
        expect(await store.claim('teams-events', 'x', 'b', inAnHour())).toBe(true);
      });
    });

    describe('engine', () => {
      it('reports healthy and syncs indexes idempotently, saying which it created', async () => {
        const { store } = await fresh();
        expect((await store.health()).ok).toBe(true);
        const first = await store.syncIndexes();
        const mine = (r: { collection: string }) => r.collection === requestSpec.name;
        // The reference, the compound index and the expiry index of the contract's collection.
        expect(first.filter(mine)).toHaveLength(3);
        expect(first.filter(mine).every((r) => r.created)).toBe(true);
        const second = await store.syncIndexes();
        expect(second.filter(mine)).toHaveLength(3);
        expect(second.filter((r) => r.created)).toEqual([]);
      });

      it('export then import into a fresh store gives equal data and counters that continue', async () => {
        const source = await fresh();
        const docs = [
          makeRequest('a', { reference: 'REQ-1', tags: ['x'], details: { summary: 's', answers: [] } }),
          makeRequest('b', { status: 'closed', assignee: 'ana', expiresAt: inAnHour() }),
          makeRequest('c', { priority: 9 }),
        ];
        for (const d of docs) await source.requests.insert(d);
        for (let i = 0; i < 3; i++) await source.store.nextSequence('tickets');

        const dump: { name: string; records: StoredRecord[] }[] = [];
        for (const name of await source.store.collectionNames()) {
          const exported: StoredRecord[] = [];
          for await (const record of source.store.exportRecords(name)) exported.push(record);
          dump.push({ name, records: exported });
        }
        expect(dump.map((d) => d.name)).toContain('_counters');
        expect(dump.map((d) => d.name)).toContain('contract_requests');
        expect(dump.find((d) => d.name === '_counters')?.records).toEqual([
          { key: 'tickets', expiresAt: null, doc: { name: 'tickets', value: 3 } },
        ]);
        expect(dump.find((d) => d.name === 'contract_requests')?.records.map((r) => r.key)).toEqual([
          'a',
          'b',
          'c',
        ]);

        const target = await fresh();
        for (const { name, records } of JSON.parse(JSON.stringify(dump)) as typeof dump) {
          expect(await target.store.importRecords(name, records)).toBe(records.length);
        }
        // A second import changes nothing.
        for (const { name, records } of dump) expect(await target.store.importRecords(name, records)).toBe(0);
        const order = { orderBy: { field: 'id' as const, direction: 'asc' as const } };
        expect(await target.requests.find(order)).toEqual(await source.requests.find(order));
        expect(await target.requests.find(order)).toEqual(docs);
        expect(await target.store.nextSequence('tickets')).toBe(4);
        // Unique indexes hold on imported data too.
        await expect(target.requests.insert(makeRequest('d', { reference: 'REQ-1' }))).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
      });

      it('an imported document that collides with a unique field of another is refused with DuplicateKeyError', async () => {
        const { store, requests } = await fresh();
        await requests.insert(makeRequest('a', { reference: 'REQ-1' }));
        const clash: StoredRecord = {
          key: 'z',
          expiresAt: null,
          doc: { ...makeRequest('z', { reference: 'REQ-1' }) },
        };
        await expect(store.importRecords(requestSpec.name, [clash])).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
        expect(await requests.get('z')).toBeUndefined();
      });

      it('imports into a collection this process never registered, and exports it back unchanged', async () => {
        const { store } = await fresh();
        const records: StoredRecord[] = [
          { key: 'm1', expiresAt: null, doc: { id: 'm1', text: 'hello', nested: { 'a.b': 1 } } },
          { key: 'm2', expiresAt: inAnHour(), doc: { id: 'm2', text: 'bye', list: [1, 'two', null] } },
        ];
        expect(await store.importRecords('unregistered_messages', records)).toBe(2);
        expect(await store.importRecords('unregistered_messages', records)).toBe(0);
        expect(await store.collectionNames()).toContain('unregistered_messages');
        const back: StoredRecord[] = [];
        for await (const record of store.exportRecords('unregistered_messages')) back.push(record);
        expect(back).toEqual(records);
      });
    });

    it('skips by name only cases that exist', async () => {
      expect([...skip].filter((title) => !seen.has(title))).toEqual([]);
    });
  });
}
