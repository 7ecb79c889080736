// Runs the storage contract against MongoDB (or FerretDB) at TEST_MONGODB_URI, plus start-up and outage behaviour.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { Writable } from 'node:stream';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import {
  type MongoDocumentStore,
  type MongoStoreOptions,
  openMongoStore,
} from '../../src/store/mongo/mongo-store.ts';
import { makeRequest, requestSpec, runDocumentStoreContract } from './document-store.contract.ts';

const uri = process.env.TEST_MONGODB_URI;

/** Contract cases FerretDB 1.x cannot make atomic with single conditional writes (see docs/storage.md). */
const ferretCannotMakeAtomic = [
  'of 10 concurrent replaceIf expecting the same value, exactly one succeeds',
  '50 concurrent nextSequence calls get 50 distinct consecutive numbers',
  'an expired claim can be taken over, by exactly one of many',
];

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: { msg?: string; level?: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('MongoDB store start-up without a server', () => {
  it('opens without throwing, reports not ok, refuses writes with StoreUnavailableError, logs once, closes', async () => {
    const { logger, lines } = capturingLogger();
    const states: string[] = [];
    const store = openMongoStore(`mongodb://127.0.0.1:${await closedPort()}/itbuddy`, {
      logger,
      serverSelectionTimeoutMS: 300,
      onStateChange: (state) => states.push(state),
    });
    const health = await store.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/not reachable/);
    const requests = store.collection(requestSpec);
    const insert = requests.insert(makeRequest('r1'));
    await expect(insert).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(insert).rejects.toThrow(/nothing was saved/);
    await expect(store.nextSequence('tickets')).rejects.toBeInstanceOf(StoreUnavailableError);
    // Several attempts happen (300 ms each, then backoff), yet the warning is logged once.
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(lines.filter((l) => l.msg === 'MongoDB not reachable, retrying')).toHaveLength(1);
    await store.close();
    expect(store.state).toBe('closed');
    expect(states).toEqual(['closed']);
    await expect(requests.get('r1')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

if (!uri) {
  if (process.env.CI) {
    describe('MongoDB contract suite', () => {
      it('requires TEST_MONGODB_URI in CI (start one with .ci/start-ferretdb.sh)', () => {
        throw new Error(
          'TEST_MONGODB_URI is not set: CI must run the MongoDB contract suite, never skip it.',
        );
      });
    });
  } else {
    console.warn(
      '\n*** MongoDB contract suite SKIPPED: set TEST_MONGODB_URI (e.g. eval "$(bash .ci/start-ferretdb.sh)") ***\n',
    );
    it.skip('MongoDB contract suite SKIPPED: set TEST_MONGODB_URI', () => {});
  }
} else {
  const runId = `itbuddy_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databases: string[] = [];
  const serverInfo = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  const buildInfo = await serverInfo.db!.admin().command({ buildInfo: 1 });
  await serverInfo.close();
  const isFerretV1 = /^v?1\./.test(String(buildInfo.ferretdbVersion ?? ''));

  async function openFresh(options: MongoStoreOptions = {}): Promise<MongoDocumentStore> {
    const dbName = `${runId}_${databases.length}`;
    databases.push(dbName);
    const store = openMongoStore(uri!, { dbName, ...options });
    await waitFor(async () => (await store.health()).ok, 15_000);
    return store;
  }

  async function dropAll(): Promise<void> {
    const conn = await mongoose.createConnection(uri!, { serverSelectionTimeoutMS: 5_000 }).asPromise();
    for (const name of databases.splice(0)) await conn.useDb(name).dropDatabase();
    await conn.close();
  }

  runDocumentStoreContract(
    `mongo (${isFerretV1 ? 'FerretDB 1.x' : 'MongoDB'}, auto write mode)`,
    openFresh,
    dropAll,
  );
  // Insert-only writes are correct on any server; on real MongoDB, also hold them to the whole contract.
  if (!isFerretV1) {
    runDocumentStoreContract(
      'mongo (forced insert-only writes)',
      () => openFresh({ writeMode: 'insert-only' }),
      dropAll,
    );
  }

  // The single-write path production MongoDB uses, on this server too. On FerretDB 1.x a conditional write is a
  // read then a write without a transaction, so only the cases that race many writers cannot hold; they are
  // skipped by name here, in this run only, and listed in docs/storage.md.
  runDocumentStoreContract(
    'mongo (forced single conditional writes)',
    () => openFresh({ writeMode: 'atomic' }),
    dropAll,
    {
      skip: isFerretV1 ? ferretCannotMakeAtomic : [],
    },
  );

  describe('MongoDB store specifics', () => {
    const stores: DocumentStore[] = [];
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await dropAll();
    });

    it('picks insert-only writes on FerretDB 1.x and single atomic writes elsewhere', async () => {
      const store = await openFresh();
      stores.push(store);
      expect(store.writeMode).toBe(isFerretV1 ? 'insert-only' : 'atomic');
    });

    // The atomic path's concurrency is MongoDB's job; here its one-caller semantics are checked on any server.
    it('atomic write mode: counters, claims, replaceIf and expiry behave the same for one caller', async () => {
      const store = await openFresh({ writeMode: 'atomic' });
      stores.push(store);
      const requests = store.collection(requestSpec);
      expect(await store.nextSequence('t')).toBe(1);
      expect(await store.nextSequence('t')).toBe(2);
      const soon = new Date(Date.now() + 150).toISOString();
      const later = new Date(Date.now() + 3_600_000).toISOString();
      expect(await store.claim('s', 'k', 'a', soon)).toBe(true);
      expect(await store.claim('s', 'k', 'b', later)).toBe(false);
      expect(await store.claim('s', 'k', 'a', soon)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await store.claim('s', 'k', 'b', later)).toBe(true);
      await store.release('s', 'k', 'b');
      expect(await store.claim('s', 'k', 'c', later)).toBe(true);
      await requests.insert(makeRequest('r1', { expiresAt: new Date(Date.now() - 1000).toISOString() }));
      await requests.insert(makeRequest('r1', { assignee: null }));
      expect(await requests.replaceIf(makeRequest('r1', { assignee: 'ana' }), 'assignee', null)).toBe(true);
      expect(await requests.replaceIf(makeRequest('r1', { assignee: 'bo' }), 'assignee', null)).toBe(false);
      await requests.put(makeRequest('r2'));
      expect((await requests.get('r1'))?.assignee).toBe('ana');
      expect(await requests.count()).toBe(2);
    });

    it('survives losing the server mid-run: refuses while down, works again after reconnecting', async () => {
      const target = new URL(uri.replace(/^mongodb:\/\//, 'http://'));
      const proxy = await startProxy(target.hostname, Number(target.port || 27017));
      const { logger, lines } = capturingLogger();
      const store = openMongoStore(`mongodb://127.0.0.1:${proxy.port}/`, {
        dbName: `${runId}_${databases.length}`,
        logger,
        serverSelectionTimeoutMS: 500,
      });
      databases.push(`${runId}_${databases.length}`);
      stores.push(store);
      await waitFor(async () => (await store.health()).ok, 15_000);
      const requests = store.collection(requestSpec);
      await requests.insert(makeRequest('before'));

      await proxy.stop();
      await expect(requests.insert(makeRequest('during'))).rejects.toBeInstanceOf(StoreUnavailableError);
      expect((await store.health()).ok).toBe(false);

      await proxy.restart();
      await waitFor(async () => (await store.health()).ok, 15_000);
      await requests.insert(makeRequest('after'));
      expect((await requests.find()).map((d) => d.id).sort()).toEqual(['after', 'before']);
      expect(lines.some((l) => l.msg === 'MongoDB connection lost; reconnecting in the background')).toBe(
        true,
      );
      await proxy.stop();
    });
  });
}

/** A TCP proxy on loopback that can drop every connection and refuse new ones, then come back on the same port. */
async function startProxy(host: string, port: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let listenPort = 0;
  const listen = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(port, host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(listenPort, '127.0.0.1');
    await once(server, 'listening');
    listenPort = (server.address() as net.AddressInfo).port;
  };
  await listen();
  return {
    get port() {
      return listenPort;
    },
    async stop() {
      const closing = server ? new Promise((resolve) => server?.close(resolve)) : Promise.resolve();
      for (const s of sockets) s.destroy();
      await closing;
    },
    restart: listen,
  };
}
