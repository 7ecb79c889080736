// Leases between replicas sharing MongoDB: a replica mid-delivery keeps its outbox lease alive with a heartbeat,
// so no other replica takes the job however long the delivery takes; killed with SIGKILL, its lease lapses and
// another replica delivers the job. Runs against TEST_MONGODB_URI (FerretDB in CI); skipped without it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ChannelAdapter,
  ChannelRegistry,
  type PostedMessage,
} from '../../src/channels/channel-adapter.ts';
import { createOutboxWorker } from '../../src/intake/outbox-worker.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { openMongoStore } from '../../src/store/mongo/mongo-store.ts';
import { createOutboxRepository, newJob } from '../../src/store/repositories/outbox.ts';

const uri = process.env.TEST_MONGODB_URI;
const dbName = `lease_${randomBytes(4).toString('hex')}`;
/** Short for the test; the running bot uses 30 s. The heartbeat renews every third of it. */
const leaseMs = 600;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  if (!uri) return;
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  await conn.useDb(dbName).dropDatabase();
  await conn.close();
});

describe.skipIf(!uri)('outbox leases across replicas (MongoDB)', () => {
  it('a live replica keeps its job however long it takes; once it is killed another replica delivers it', async () => {
    const store = openMongoStore(uri!, { dbName });
    for (let i = 0; i < 300 && !(await store.health()).ok; i++) await sleep(50);
    const outbox = createOutboxRepository(store);
    await outbox.enqueue([
      newJob(
        {
          id: 'IT-0001|post|slack:C1',
          kind: 'post',
          subject: 'IT-0001',
          platform: 'slack',
          destination: 'C1',
        },
        new Date(),
      ),
    ]);

    // The other replica: the real worker, whose platform call never returns (a very slow Slack).
    const modules = {
      store: new URL('../../src/store/mongo/mongo-store.ts', import.meta.url).href,
      outbox: new URL('../../src/store/repositories/outbox.ts', import.meta.url).href,
      worker: new URL('../../src/intake/outbox-worker.ts', import.meta.url).href,
      channels: new URL('../../src/channels/channel-adapter.ts', import.meta.url).href,
      logger: new URL('../../src/logging/logger.ts', import.meta.url).href,
    };
    const script = `
      const { openMongoStore } = await import(${JSON.stringify(modules.store)});
      const { createOutboxRepository } = await import(${JSON.stringify(modules.outbox)});
      const { createOutboxWorker } = await import(${JSON.stringify(modules.worker)});
      const { ChannelRegistry } = await import(${JSON.stringify(modules.channels)});
      const { silentLogger } = await import(${JSON.stringify(modules.logger)});
      const store = openMongoStore(${JSON.stringify(uri)}, { dbName: ${JSON.stringify(dbName)} });
      while (!(await store.health()).ok) await new Promise((r) => setTimeout(r, 50));
      const channels = new ChannelRegistry();
      channels.register({
        platform: 'slack',
        post: () => { process.stdout.write('posting\\n'); return new Promise(() => {}); },
        sendDirect: () => new Promise(() => {}),
      });
      const worker = createOutboxWorker({
        store, outbox: createOutboxRepository(store), channels, logger: silentLogger(),
        render: async () => ({ kind: 'send', replies: [{ type: 'text', text: 'IT-0001' }] }),
        leaseMs: ${leaseMs}, sendTimeoutMs: 600000,
      });
      await worker.runOnce();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          if (c.toString().includes('posting')) resolve();
        });
        void exited.then(() => reject(new Error(`the replica exited: ${stderr}`)));
      });

      const posts: string[] = [];
      const adapter: ChannelAdapter = {
        platform: 'slack',
        post: async (destination): Promise<PostedMessage> => {
          posts.push(destination);
          return { platform: 'slack', destination, messageId: 'm1' };
        },
        sendDirect: async (userId) => ({ platform: 'slack', destination: userId, messageId: 'd1' }),
      };
      const channels = new ChannelRegistry();
      channels.register(adapter);
      const worker = createOutboxWorker({
        store,
        outbox,
        channels,
        logger: silentLogger(),
        render: async () => ({ kind: 'send', replies: [{ type: 'text', text: 'IT-0001' }] }),
        leaseMs,
      });

      // Five lease times with the other replica alive and stuck mid-post: its heartbeat keeps the job.
      for (let i = 0; i < 5; i++) {
        await sleep(leaseMs);
        expect(await worker.runOnce()).toMatchObject({ busy: 1, sent: 0 });
      }
      expect(posts).toEqual([]);

      child.kill('SIGKILL');
      await exited;
      // Its lease lapses within one lease time of its death; then this replica delivers the job, once.
      for (let i = 0; i < 40 && posts.length === 0; i++) {
        await sleep(leaseMs / 4);
        await worker.runOnce();
      }
      expect(posts).toEqual(['C1']);
      expect((await outbox.get('IT-0001|post|slack:C1'))?.status).toBe('done');
    } finally {
      child.kill('SIGKILL');
      await exited;
      await store.close();
    }
  }, 60_000);
});
