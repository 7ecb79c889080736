// The outbox worker against a real embedded store and a fake channel adapter: retries with backoff, permanent
// failures, one delivery across workers and restarts, updates in place, and jobs whose record never appeared.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ChannelAdapter,
  ChannelRegistry,
  PermanentDeliveryError,
  type PostedMessage,
  RetryableDeliveryError,
} from '../../src/channels/channel-adapter.ts';
import {
  backoffDelay,
  createOutboxWorker,
  type OutboxWorkerOptions,
  type Rendered,
} from '../../src/intake/outbox-worker.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { Reply } from '../../src/messages/replies.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import {
  createOutboxRepository,
  newJob,
  type OutboxJob,
  type OutboxRepository,
} from '../../src/store/repositories/outbox.ts';

/** A channel adapter that records what it was asked to send and fails as scripted. */
class FakeAdapter implements ChannelAdapter {
  readonly platform = 'slack' as const;
  readonly posts: { destination: string; replies: Reply[] }[] = [];
  readonly updates: { posted: PostedMessage; replies: Reply[] }[] = [];
  readonly directs: { userId: string; replies: Reply[]; deliveryId?: string | undefined }[] = [];
  /** Errors thrown by the next calls, in order; an empty list means success. */
  failures: Error[] = [];
  calls = 0;
  /** When set, post() waits for it (to hold a job mid-delivery). */
  gate: Promise<void> | undefined;
  entered: () => void = () => undefined;

  private next(): void {
    this.calls++;
    const failure = this.failures.shift();
    if (failure) throw failure;
  }

  async post(destination: string, replies: Reply[]): Promise<PostedMessage> {
    this.entered();
    if (this.gate) await this.gate;
    this.next();
    this.posts.push({ destination, replies });
    return { platform: 'slack', destination, messageId: `m${this.posts.length}` };
  }

  /** What the platform "has" for findPosted, by delivery id; undefined disables the lookup. */
  existing: Map<string, PostedMessage> | undefined;
  lookups: string[] = [];

  findPosted = async (_destination: string, deliveryId: string): Promise<PostedMessage | undefined> => {
    this.lookups.push(deliveryId);
    return this.existing?.get(deliveryId);
  };

  async update(posted: PostedMessage, replies: Reply[]): Promise<void> {
    this.next();
    this.updates.push({ posted, replies });
  }

  async sendDirect(
    userId: string,
    replies: Reply[],
    options?: { deliveryId?: string },
  ): Promise<PostedMessage> {
    this.next();
    this.directs.push({ userId, replies, deliveryId: options?.deliveryId });
    return { platform: 'slack', destination: userId, messageId: `d${this.directs.length}` };
  }
}

let dir: string;
let store: DocumentStore;
let outbox: OutboxRepository;
let adapter: FakeAdapter;
let channels: ChannelRegistry;
let clock: Date;
/** What render says, by subject; anything else renders a card. */
let renders: Map<string, Rendered>;

const card: Reply = { type: 'card', kind: 'request', title: 'IT-0001 · Visio', sections: [] };

function worker(overrides: Partial<OutboxWorkerOptions> = {}) {
  return createOutboxWorker({
    store,
    outbox,
    channels,
    logger: silentLogger(),
    render: async (job) => renders.get(job.subject) ?? { kind: 'send', replies: [card] },
    now: () => clock,
    random: () => 0.5,
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    maxAttempts: 5,
    ...overrides,
  });
}

function postJob(id = 'IT-0001|post|slack:C1', subject = 'IT-0001'): OutboxJob {
  return newJob({ id, kind: 'post', subject, platform: 'slack', destination: 'C1' }, clock);
}

function advance(ms: number): void {
  clock = new Date(clock.getTime() + ms);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-outbox-'));
  store = openEmbeddedStore(dir);
  outbox = createOutboxRepository(store);
  adapter = new FakeAdapter();
  channels = new ChannelRegistry();
  channels.register(adapter);
  clock = new Date();
  renders = new Map();
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('retries', () => {
  it('retries a retryable failure with backoff, honours retry-after, and posts exactly once', async () => {
    adapter.failures = [
      new RetryableDeliveryError('rate limited'),
      new RetryableDeliveryError('rate limited', 30_000),
    ];
    await outbox.enqueue([postJob()]);
    const w = worker();

    expect(await w.runOnce()).toMatchObject({ retried: 1, sent: 0 });
    let job = (await outbox.get('IT-0001|post|slack:C1'))!;
    expect(job).toMatchObject({ status: 'pending', attempts: 1, lastError: 'rate limited' });
    // First retry after base delay with "equal jitter": between half and all of 1 s (0.75 s with random 0.5).
    expect(Date.parse(job.nextAttemptAt) - clock.getTime()).toBe(750);

    // Not due yet: nothing is tried.
    expect(await w.runOnce()).toMatchObject({ retried: 0, sent: 0 });
    expect(adapter.calls).toBe(1);

    advance(750);
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    job = (await outbox.get(job.id))!;
    // The platform asked for 30 s, longer than our 1.5 s backoff: its hint wins.
    expect(Date.parse(job.nextAttemptAt) - clock.getTime()).toBe(30_000);
    advance(29_999);
    await w.runOnce();
    expect(adapter.calls).toBe(2);

    advance(1);
    expect(await w.runOnce()).toMatchObject({ sent: 1 });
    job = (await outbox.get(job.id))!;
    expect(job).toMatchObject({
      status: 'done',
      attempts: 3,
      posted: { platform: 'slack', destination: 'C1', messageId: 'm1' },
    });
    expect(adapter.posts).toHaveLength(1);

    advance(3_600_000);
    await w.runOnce();
    expect(adapter.posts).toHaveLength(1);
  });

  it('marks a permanent failure failed at once and never retries it', async () => {
    adapter.failures = [new PermanentDeliveryError('channel archived')];
    await outbox.enqueue([postJob()]);
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ failed: 1 });
    expect(await outbox.get('IT-0001|post|slack:C1')).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'channel archived',
    });
    advance(86_400_000);
    await w.runOnce();
    await w.runOnce();
    expect(adapter.calls).toBe(1);
  });

  it('gives up after the last attempt', async () => {
    adapter.failures = Array.from({ length: 10 }, () => new RetryableDeliveryError('down'));
    await outbox.enqueue([postJob()]);
    const w = worker({ maxAttempts: 3 });
    for (let i = 0; i < 6; i++) {
      await w.runOnce();
      advance(60_000);
    }
    expect(adapter.calls).toBe(3);
    expect(await outbox.get('IT-0001|post|slack:C1')).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('leaves jobs for a platform it has no channel for to a process that has one', async () => {
    await outbox.enqueue([
      newJob({ id: 'j-teams', kind: 'post', subject: 'IT-0001', platform: 'teams', destination: 'x' }, clock),
    ]);
    expect(await worker().runOnce()).toMatchObject({ unserved: 1, retried: 0 });
    expect(await outbox.get('j-teams')).toMatchObject({ status: 'pending', attempts: 0, version: 1 });
  });

  it('grows the delay exponentially up to the cap', () => {
    const opts = { baseDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, { ...opts, random: () => 0.999999 }))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(backoffDelay(3, { ...opts, random: () => 0 })).toBe(2000);
    expect(backoffDelay(1, { ...opts, random: () => 0, retryAfterMs: 5000 })).toBe(5000);
  });
});

describe('one delivery', () => {
  it('lets only one of two workers on the same store post a job', async () => {
    await outbox.enqueue([postJob()]);
    let open: () => void = () => undefined;
    adapter.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const entered = new Promise<void>((resolve) => {
      adapter.entered = resolve;
    });
    const first = worker();
    const second = worker();

    const running = first.runOnce();
    await entered; // the first worker holds the job and is mid-post
    expect(await second.runOnce()).toMatchObject({ busy: 1, sent: 0 });
    open();
    expect(await running).toMatchObject({ sent: 1 });

    // A third worker (a restart) finds it done.
    expect(await worker().runOnce()).toMatchObject({ sent: 0 });
    expect(adapter.posts).toHaveLength(1);
  });

  it("waits out another replica's lease and takes over once it expires", async () => {
    await outbox.enqueue([postJob('held'), postJob('abandoned')]);
    // One job is held by a live replica, the other by one that died (its lease has run out).
    await store.claim('outbox', 'held', 'live-replica', new Date(Date.now() + 60_000).toISOString());
    await store.claim('outbox', 'abandoned', 'dead-replica', new Date(Date.now() - 1).toISOString());
    expect(await worker().runOnce()).toMatchObject({ sent: 1, busy: 1 });
    expect((await outbox.get('abandoned'))?.status).toBe('done');
    expect((await outbox.get('held'))?.status).toBe('pending');
  });
});

describe('crashes and leases', () => {
  it('a job whose last delivery was cut short is recorded, not posted again, when the platform has the message', async () => {
    // The state a worker killed between the platform accepting the post and the job being marked leaves behind.
    await outbox.enqueue([{ ...postJob('cut-short'), attemptedAt: clock.toISOString() }]);
    adapter.existing = new Map([
      ['cut-short', { platform: 'slack', destination: 'C1', messageId: 'm-early' }],
    ]);
    expect(await worker().runOnce()).toMatchObject({ sent: 1 });
    expect(adapter.posts).toHaveLength(0);
    expect(adapter.lookups).toEqual(['cut-short']);
    expect(await outbox.get('cut-short')).toMatchObject({
      status: 'done',
      attemptedAt: null,
      posted: { messageId: 'm-early' },
    });
  });

  it('a job whose last delivery was cut short before the platform had it is posted once', async () => {
    await outbox.enqueue([{ ...postJob('never-sent'), attemptedAt: clock.toISOString() }, postJob('fresh')]);
    adapter.existing = new Map();
    expect(await worker().runOnce()).toMatchObject({ sent: 2 });
    expect(adapter.posts).toHaveLength(2);
    // Only the interrupted job needed a look; a fresh one is simply sent.
    expect(adapter.lookups).toEqual(['never-sent']);
  });

  it('records that a delivery started, on disk, before the message goes out', async () => {
    await outbox.enqueue([postJob('watched')]);
    let seen: OutboxJob | undefined;
    adapter.entered = () => undefined;
    const original = adapter.post.bind(adapter);
    adapter.post = async (destination, replies) => {
      seen = await outbox.get('watched');
      return original(destination, replies);
    };
    await worker().runOnce();
    expect(seen?.attemptedAt).toBe(clock.toISOString());
    expect((await outbox.get('watched'))?.attemptedAt).toBeNull();
  });

  it("a live worker's heartbeat keeps its lease past the lease time; another takes over only after it stops", async () => {
    await outbox.enqueue([postJob()]);
    let open: () => void = () => undefined;
    adapter.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const entered = new Promise<void>((resolve) => {
      adapter.entered = resolve;
    });
    const leaseMs = 150;
    const running = worker({ leaseMs }).runOnce();
    await entered;
    // Only the first post waits: a second worker that wrongly took over would post at once.
    adapter.gate = undefined;
    // Three lease times pass while the first worker is mid-post: its heartbeat renews the lease every 50 ms.
    await new Promise((resolve) => setTimeout(resolve, leaseMs * 3));
    expect(await worker({ leaseMs }).runOnce()).toMatchObject({ busy: 1, sent: 0 });
    open();
    expect(await running).toMatchObject({ sent: 1 });
    expect(adapter.posts).toHaveLength(1);
  });
});

describe('updates and missing records', () => {
  it('updates the posted message in place, waiting for the post to go out first', async () => {
    adapter.failures = [new RetryableDeliveryError('busy')];
    const post = postJob();
    const update = newJob(
      { id: 'IT-0001|update|1', kind: 'update', subject: 'IT-0001', platform: 'slack', destination: post.id },
      clock,
    );
    await outbox.enqueue([post, update]);
    const w = worker();

    await w.runOnce();
    expect(adapter.updates).toHaveLength(0);
    expect((await outbox.get(update.id))?.attempts).toBe(0); // waiting is not a failed attempt

    advance(5000);
    await w.runOnce();
    advance(5000);
    await w.runOnce();
    expect(adapter.posts).toHaveLength(1);
    expect(adapter.updates).toEqual([
      { posted: { platform: 'slack', destination: 'C1', messageId: 'm1' }, replies: [card] },
    ]);
    expect((await outbox.get(update.id))?.status).toBe('done');
  });

  it('skips an update whose post failed for good', async () => {
    adapter.failures = [new PermanentDeliveryError('gone')];
    const post = postJob();
    const update = newJob(
      { id: 'u', kind: 'update', subject: 'IT-0001', platform: 'slack', destination: post.id },
      clock,
    );
    await outbox.enqueue([post, update]);
    expect(await worker().runOnce()).toMatchObject({ failed: 1, skipped: 1 });
    expect(await outbox.get('u')).toMatchObject({
      status: 'done',
      lastError: 'the message to update was never posted',
    });
    expect(adapter.updates).toHaveLength(0);
  });

  it('holds a job whose record is not visible yet, then abandons it if it never appears', async () => {
    renders.set('IT-0404', { kind: 'wait', reason: 'the request is not stored yet' });
    await outbox.enqueue([postJob('j', 'IT-0404')]);
    const w = worker({ orphanAfterMs: 60_000 });
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    expect(await outbox.get('j')).toMatchObject({ status: 'pending', attempts: 0 });
    advance(61_000);
    expect(await w.runOnce()).toMatchObject({ failed: 1 });
    expect((await outbox.get('j'))?.lastError).toMatch(/^abandoned/);
    expect(adapter.calls).toBe(0);
  });

  it('sends direct messages through sendDirect, with the job as delivery id', async () => {
    await outbox.enqueue([
      newJob(
        { id: 'dm', kind: 'direct', subject: 'IT-0001', platform: 'slack', destination: 'U1', detail: 'h1' },
        clock,
      ),
    ]);
    await worker().runOnce();
    expect(adapter.directs).toEqual([{ userId: 'U1', replies: [card], deliveryId: 'dm' }]);
    expect(await outbox.get('dm')).toMatchObject({ status: 'done', posted: { messageId: 'd1' } });
  });
});
