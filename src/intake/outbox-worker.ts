// Delivers outbox jobs through the channel adapters: one replica at a time per job (a lease via store.claim,
// renewed by a heartbeat while the job runs), retries with exponential backoff and jitter, and marks each job
// done with where it was posted.
//
// Exactly once across crashes: before a message goes out the job durably records that an attempt started
// (`attemptedAt`). A worker that later takes the job over and finds that mark knows the last holder died
// mid-delivery, so it asks the platform whether the message is there (`findPosted`, by a hidden delivery id)
// and records it instead of sending it twice. A platform without that lookup gets at-least-once delivery.
import { randomUUID } from 'node:crypto';
import {
  type ChannelAdapter,
  type ChannelRegistry,
  PermanentDeliveryError,
  type PostedMessage,
  RetryableDeliveryError,
} from '../channels/channel-adapter.ts';
import type { Logger } from '../logging/logger.ts';
import { platformSchema } from '../messages/incoming.ts';
import type { Reply } from '../messages/replies.ts';
import type { DocumentStore } from '../store/document-store.ts';
import type { OutboxJob, OutboxRepository } from '../store/repositories/outbox.ts';

/** What to send for a job, derived from the record at delivery time. */
export type Rendered =
  | { kind: 'send'; replies: Reply[] }
  /** Nothing to send any more (e.g. the post it would update failed for good): the job is done. */
  | { kind: 'skip'; reason: string }
  /** Not ready yet (the record it describes is not visible yet): try again shortly without counting an attempt. */
  | { kind: 'wait'; reason: string };

export interface OutboxWorkerOptions {
  store: DocumentStore;
  outbox: OutboxRepository;
  channels: ChannelRegistry;
  render: (job: OutboxJob) => Promise<Rendered>;
  logger: Logger;
  now?: () => Date;
  /** 0 ≤ random() < 1, for jitter. */
  random?: () => number;
  /** Time between passes when idle. */
  intervalMs?: number;
  /**
   * How long a claim on a job lasts without renewal; the heartbeat renews it every third of that while the job
   * runs, so a dead worker's job is taken over within this time and a live one's never.
   */
  leaseMs?: number;
  /** A delivery taking longer than this counts as a retryable failure. */
  sendTimeoutMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** After this many failed attempts the job is marked failed. */
  maxAttempts?: number;
  /** A job still waiting for its record after this long is abandoned (the record was never written). */
  orphanAfterMs?: number;
  /** Jobs taken per pass. */
  batchSize?: number;
}

/** What one pass did. */
export interface PassSummary {
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
  /** Jobs another worker held, or that changed under us. */
  busy: number;
  /** Jobs for a platform this process has no channel for, left to a process that has one. */
  unserved: number;
}

export interface OutboxWorker {
  /** Starts the timer. */
  start(): void;
  /** Stops the timer and waits for the pass in flight. */
  stop(): Promise<void>;
  /** Runs one pass now (after any pass in flight) and reports what it did. */
  runOnce(): Promise<PassSummary>;
  /** Asks for a pass soon, e.g. right after a job was written. */
  kick(): void;
}

/** The delay before attempt `attempts + 1`: exponential, capped, with "equal jitter", never before `retryAfterMs`. */
export function backoffDelay(
  attempts: number,
  options: {
    baseDelayMs: number;
    maxDelayMs: number;
    random: () => number;
    retryAfterMs?: number | undefined;
  },
): number {
  const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  const jittered = exp / 2 + options.random() * (exp / 2);
  return Math.round(Math.max(jittered, options.retryAfterMs ?? 0));
}

const claimScope = 'outbox';

/** Creates the worker; call start() to run it on a timer. */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, outbox, channels, render, logger } = options;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const intervalMs = options.intervalMs ?? 5000;
  const leaseMs = options.leaseMs ?? 30_000;
  const sendTimeoutMs = options.sendTimeoutMs ?? 60_000;
  const baseDelayMs = options.baseDelayMs ?? 5000;
  const maxDelayMs = options.maxDelayMs ?? 30 * 60_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const orphanAfterMs = options.orphanAfterMs ?? 10 * 60_000;
  const batchSize = options.batchSize ?? 25;
  const workerId = randomUUID();
  const log = logger.child({ component: 'outbox', workerId });

  let timer: NodeJS.Timeout | undefined;
  let unservedCheckedAt = Number.NEGATIVE_INFINITY;

  /** Jobs for platforms without a channel here are left to a process that has one; say so once an hour. */
  async function countUnserved(summary: PassSummary): Promise<void> {
    if (now().getTime() - unservedCheckedAt < 3_600_000) return;
    unservedCheckedAt = now().getTime();
    const served = new Set(channels.platforms());
    for (const platform of platformSchema.options.filter((p) => !served.has(p))) {
      const waiting = await outbox.pendingFor(platform);
      summary.unserved += waiting;
      if (waiting > 0) {
        log.warn(
          { platform, waiting },
          `Outbox jobs are waiting for ${platform}, which is not running in this process`,
        );
      }
    }
  }
  let running = false;
  let inFlight: Promise<PassSummary> = Promise.resolve(emptySummary());

  function emptySummary(): PassSummary {
    return { sent: 0, retried: 0, failed: 0, skipped: 0, busy: 0, unserved: 0 };
  }

  /** Writes the job's next state; the lease holder is the only writer, so a conflict means it changed under us. */
  async function save(job: OutboxJob, changes: Partial<OutboxJob>): Promise<boolean> {
    return (await saved(job, changes)) !== undefined;
  }

  /** Like save, returning the written job (or undefined on a conflict). */
  async function saved(job: OutboxJob, changes: Partial<OutboxJob>): Promise<OutboxJob | undefined> {
    const next: OutboxJob = { ...job, ...changes, updatedAt: now().toISOString(), version: job.version + 1 };
    return (await outbox.replace(next, job.version)) ? next : undefined;
  }

  /**
   * A job whose last attempt never recorded its outcome: the holder died after starting it. Returns where the
   * message is if the platform has it, undefined if it is not there (or the platform cannot tell us).
   */
  async function alreadyPosted(
    adapter: ChannelAdapter,
    job: OutboxJob,
    jobLog: Logger,
  ): Promise<PostedMessage | undefined> {
    if (!job.attemptedAt || job.kind === 'update' || !adapter.findPosted) return undefined;
    const destination = job.kind === 'post' ? job.destination : undefined;
    if (!destination) return undefined;
    try {
      // A minute of slack for clocks that disagree between replicas and the platform.
      const since = new Date(Date.parse(job.attemptedAt) - 60_000);
      return await adapter.findPosted(destination, job.id, {
        since,
        ...(job.threadId ? { threadId: job.threadId } : {}),
      });
    } catch (error) {
      jobLog.warn(
        { err: error },
        'Could not check whether an interrupted delivery went out; sending it again',
      );
      return undefined;
    }
  }

  async function markDone(job: OutboxJob, posted: PostedMessage | null): Promise<void> {
    // The message is out: marking it is the one thing standing between us and a duplicate, so retry in place.
    let lastError: unknown;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await save(job, {
          status: 'done',
          posted,
          lastError: null,
          attempts: job.attempts + 1,
          attemptedAt: null,
        });
        return;
      } catch (error) {
        lastError = error;
        await sleep(200 * 2 ** attempt);
      }
    }
    log.error(
      { err: lastError, jobId: job.id, posted },
      'Delivered but could not mark the job done; it may be delivered again when its lease expires',
    );
  }

  async function deliver(
    adapter: ChannelAdapter,
    job: OutboxJob,
    replies: Reply[],
  ): Promise<PostedMessage | null> {
    if (job.kind === 'direct') return adapter.sendDirect(job.destination, replies, { deliveryId: job.id });
    if (job.kind === 'post') {
      return adapter.post(job.destination, replies, {
        deliveryId: job.id,
        ...(job.threadId ? { threadId: job.threadId } : {}),
      });
    }
    // An update: the destination is the post job whose message is replaced.
    const target = await outbox.get(job.destination);
    const posted = target?.posted;
    if (!posted) throw new RetryableDeliveryError('The message to update has not been posted yet');
    if (adapter.update) {
      await adapter.update(posted, replies);
      return posted;
    }
    // A platform without in-place updates gets the new summary as a reply under the original.
    return adapter.post(posted.destination, replies, { threadId: posted.messageId });
  }

  /** For update jobs: whether the post they update is settled (done → go, failed → skip, else wait). */
  async function updateTargetState(job: OutboxJob): Promise<'ready' | 'gone' | 'pending'> {
    if (job.kind !== 'update') return 'ready';
    const target = await outbox.get(job.destination);
    if (!target || target.status === 'failed') return 'gone';
    return target.status === 'done' ? 'ready' : 'pending';
  }

  async function work(queued: OutboxJob, summary: PassSummary): Promise<void> {
    const owner = `${workerId}:${randomUUID()}`;
    // Leases are real time, like the store's own expiry check, never the (injectable) business clock.
    const leaseEnd = () => new Date(Date.now() + leaseMs).toISOString();
    const claimed = await store.claim(claimScope, queued.id, owner, leaseEnd());
    if (!claimed) {
      summary.busy++;
      return;
    }
    // The heartbeat: while this job runs (a slow platform, retries), the lease stays ours.
    const heartbeat = setInterval(
      () => {
        store
          .claim(claimScope, queued.id, owner, leaseEnd())
          .then((held) => {
            if (!held) log.error({ jobId: queued.id }, 'Lost the lease on an outbox job while working on it');
          })
          .catch((error: unknown) =>
            log.warn({ err: error, jobId: queued.id }, 'Could not renew an outbox lease'),
          );
      },
      Math.max(20, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      // Re-read under the lease: another replica may have finished it between our query and our claim.
      let job = await outbox.get(queued.id);
      if (job?.status !== 'pending' || Date.parse(job.nextAttemptAt) > now().getTime()) {
        summary.busy++;
        return;
      }
      const jobLog = log.child({ jobId: job.id, kind: job.kind, platform: job.platform });
      const target = await updateTargetState(job);
      if (target === 'gone') {
        await save(job, { status: 'done', lastError: 'the message to update was never posted' });
        summary.skipped++;
        return;
      }
      if (target === 'pending') {
        // The post settles on its own (done or failed); an update waits for it however long that takes.
        const delay = backoffDelay(1, { baseDelayMs: Math.min(baseDelayMs, 2000), maxDelayMs, random });
        await save(job, { nextAttemptAt: new Date(now().getTime() + delay).toISOString() });
        summary.retried++;
        return;
      }
      const rendered = await render(job);
      if (rendered.kind === 'skip') {
        await save(job, { status: 'done', lastError: rendered.reason });
        summary.skipped++;
        return;
      }
      if (rendered.kind === 'wait') {
        if (now().getTime() - Date.parse(job.createdAt) > orphanAfterMs) {
          jobLog.warn({ reason: rendered.reason }, 'Outbox job abandoned: what it describes never appeared');
          await save(job, { status: 'failed', lastError: `abandoned: ${rendered.reason}` });
          summary.failed++;
          return;
        }
        const delay = backoffDelay(1, { baseDelayMs: Math.min(baseDelayMs, 2000), maxDelayMs, random });
        await save(job, {
          nextAttemptAt: new Date(now().getTime() + delay).toISOString(),
          lastError: rendered.reason,
        });
        summary.retried++;
        return;
      }

      const adapter = channels.get(job.platform);
      let posted: PostedMessage | null;
      try {
        if (!adapter) throw new RetryableDeliveryError(`The ${job.platform} channel stopped`);
        const earlier = await alreadyPosted(adapter, job, jobLog);
        if (earlier) {
          jobLog.warn({ posted: earlier }, 'An interrupted delivery had gone out; recorded, not sent again');
          await markDone(job, earlier);
          summary.sent++;
          return;
        }
        // On disk before the message goes out: whoever holds the lease next knows to look before sending.
        const attempting = await saved(job, { attemptedAt: now().toISOString() });
        if (!attempting) {
          summary.busy++;
          return;
        }
        job = attempting;
        posted = await withTimeout(deliver(adapter, job, rendered.replies), sendTimeoutMs);
      } catch (error) {
        const attempts = job.attempts + 1;
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof PermanentDeliveryError) {
          jobLog.error({ err: error, attempts }, 'Outbox delivery failed for good');
          await save(job, { status: 'failed', attempts, lastError: message, attemptedAt: null });
          summary.failed++;
          return;
        }
        if (attempts >= maxAttempts) {
          jobLog.error({ err: error, attempts }, 'Outbox delivery gave up after the last retry');
          await save(job, { status: 'failed', attempts, lastError: message, attemptedAt: null });
          summary.failed++;
          return;
        }
        const retryAfterMs = error instanceof RetryableDeliveryError ? error.retryAfterMs : undefined;
        const delay = backoffDelay(attempts, { baseDelayMs, maxDelayMs, random, retryAfterMs });
        if (!(error instanceof RetryableDeliveryError))
          jobLog.error({ err: error, attempts }, 'Outbox delivery threw');
        else jobLog.warn({ err: error, attempts, delayMs: delay }, 'Outbox delivery will be retried');
        await save(job, {
          attempts,
          lastError: message,
          // attemptedAt stays: a timed-out or failed send may still have gone out, so the next try looks first.
          nextAttemptAt: new Date(now().getTime() + delay).toISOString(),
        });
        summary.retried++;
        return;
      }
      await markDone(job, posted);
      summary.sent++;
      jobLog.info({ attempts: job.attempts + 1 }, 'Outbox job delivered');
    } finally {
      clearInterval(heartbeat);
      // Release only after the job is marked: a released pending job is fair game for another worker.
      await store.release(claimScope, queued.id, owner).catch(() => undefined);
    }
  }

  async function pass(): Promise<PassSummary> {
    const summary = emptySummary();
    let jobs: OutboxJob[];
    try {
      await countUnserved(summary);
      // Only platforms with a channel here: a command-line process never takes the server's jobs.
      jobs = await outbox.due(now().toISOString(), channels.platforms(), batchSize);
    } catch (error) {
      log.warn({ err: error }, 'Outbox pass could not read due jobs');
      return summary;
    }
    for (const job of jobs) {
      try {
        await work(job, summary);
      } catch (error) {
        log.error({ err: error, jobId: job.id }, 'Outbox job handling failed');
      }
    }
    return summary;
  }

  function runOnce(): Promise<PassSummary> {
    inFlight = inFlight.then(pass, pass);
    return inFlight;
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      void runOnce().finally(() => schedule(intervalMs));
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(intervalMs);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await inFlight.catch(() => undefined);
    },
    runOnce,
    kick() {
      schedule(0);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RetryableDeliveryError(`Delivery took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
