// Delivers one issue to its destinations: bounded concurrency, per-platform rate limits, retries that honour
// Retry-After and back off with jitter, and every outcome recorded per destination so a restart resumes.
//
// Each delivery is claimed with one conditional write (pending → sending, on its revision) before it is posted,
// so replicas resuming the same issue never post twice to one destination. Fan-out runs only under the issue's
// send lease (renewed by a heartbeat), so a delivery another owner left "sending" belongs to a replica that lost
// that lease, i.e. died: it is taken over at once. Its post may have gone out just before the crash, so the
// platform is asked first (`findPosted`, by the delivery id hidden in the message); only platforms without that
// lookup can see the post in flight at the crash repeat.
import {
  type ChannelRegistry,
  PermanentDeliveryError,
  RetryableDeliveryError,
} from '../channels/channel-adapter.ts';
import type { Logger } from '../logging/logger.ts';
import type { Reply } from '../messages/replies.ts';
import type { Delivery, NewsletterIssues } from '../store/repositories/newsletter-issues.ts';
import type { PlatformRateLimiter, Timing } from './rate-limiter.ts';

export interface FanOutOptions {
  /** Posts in flight at once. */
  concurrency: number;
  /** Post attempts per destination in one round before it is recorded as failed. */
  maxAttempts: number;
  /** Rounds (one per resume) after which a retryable failure is final. */
  maxRounds: number;
  /** First backoff step for 5xx and network errors; doubles per attempt up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this ends the round; the delivery is retried on a later resume. */
  maxRetryAfterMs: number;
  /** How long the send lease (and a sending claim) holds without renewal; the heartbeat renews it every third. */
  leaseMs: number;
  /** A platform with no registered adapter is waited for this long (adapters start after the core). */
  adapterGraceMs: number;
  /** When this replica's scheduler started (for the adapter grace period). */
  startedAt: number;
}

export const defaultFanOutOptions: Omit<FanOutOptions, 'startedAt'> = {
  concurrency: 8,
  maxAttempts: 5,
  maxRounds: 3,
  baseBackoffMs: 500,
  maxBackoffMs: 30_000,
  maxRetryAfterMs: 120_000,
  leaseMs: 45_000,
  adapterGraceMs: 5 * 60_000,
};

export interface FanOutDeps {
  issues: NewsletterIssues;
  channels: ChannelRegistry;
  limiter: PlatformRateLimiter;
  logger: Logger;
  /** This replica's id, recorded on claims. */
  owner: string;
  timing: Timing;
  /** The business clock, for `updatedAt` (injectable for tests). */
  clock: () => Date;
  random?: () => number;
  options: FanOutOptions;
}

/** What one fan-out round did. */
export interface FanOutResult {
  posted: number;
  failed: number;
  /** Deliveries left for a later round (retry later, adapter not registered yet). */
  deferred: number;
  /** Deliveries another replica held. */
  skipped: number;
}

/**
 * True when this delivery may be worked on now (by whoever claims it first). Leases and retry times are real
 * time, like the store's claims, never a business clock.
 */
export function isClaimable(d: Delivery, nowMs: number, maxRounds: number, holder?: string): boolean {
  const iso = new Date(nowMs).toISOString();
  if (d.status === 'pending') return !d.retryAt || d.retryAt <= iso;
  // `holder` is the send lease's holder: a sending claim by anyone else was left by a replica that died.
  if (d.status === 'sending')
    return !d.leaseUntil || d.leaseUntil <= iso || (holder !== undefined && d.owner !== holder);
  if (d.status === 'failed') return !d.permanent && d.rounds < maxRounds && (!d.retryAt || d.retryAt <= iso);
  return false;
}

/** True when nothing more will happen to this delivery. */
export function isFinal(d: Delivery, maxRounds: number): boolean {
  return d.status === 'sent' || (d.status === 'failed' && (d.permanent || d.rounds >= maxRounds));
}

/** Posts `replies` to every claimable delivery of `issueKey`. */
export async function fanOut(deps: FanOutDeps, issueKey: string, replies: Reply[]): Promise<FanOutResult> {
  const { options, logger } = deps;
  const random = deps.random ?? Math.random;
  const result: FanOutResult = { posted: 0, failed: 0, deferred: 0, skipped: 0 };
  const queue = (await deps.issues.deliveries(issueKey)).filter((d) =>
    isClaimable(d, deps.timing.now(), options.maxRounds, deps.owner),
  );

  const write = async (current: Delivery, patch: Partial<Delivery>): Promise<Delivery | undefined> => {
    const next: Delivery = {
      ...current,
      ...patch,
      rev: current.rev + 1,
      updatedAt: deps.clock().toISOString(),
    };
    return (await deps.issues.updateDelivery(next)) ? next : undefined;
  };

  const deliverOne = async (initial: Delivery) => {
    const claimed = await write(initial, {
      status: 'sending',
      owner: deps.owner,
      leaseUntil: new Date(deps.timing.now() + options.leaseMs).toISOString(),
      retryAt: null,
    });
    if (!claimed) {
      result.skipped++;
      return;
    }
    let d = claimed;
    const adapter = deps.channels.get(d.platform);
    if (!adapter) {
      if (deps.timing.now() - options.startedAt < options.adapterGraceMs) {
        await write(d, { status: 'pending', owner: null, leaseUntil: null });
        result.deferred++;
        return;
      }
      await write(d, {
        status: 'failed',
        permanent: true,
        owner: null,
        leaseUntil: null,
        reason: `IT Buddy is not connected to ${d.platform}, so it cannot post there.`,
      });
      result.failed++;
      return;
    }
    if (initial.status === 'sending' && adapter.findPosted) {
      // Taken over from a replica that died mid-post: the message may be there already.
      try {
        const since = new Date(Date.parse(initial.updatedAt) - 60_000);
        const earlier = await adapter.findPosted(d.destination, d.id, { since });
        if (earlier) {
          await write(d, {
            status: 'sent',
            attempts: d.attempts + 1,
            messageId: earlier.messageId,
            owner: null,
            leaseUntil: null,
            reason: null,
          });
          logger.warn(
            { issueKey, destination: d.id },
            'An interrupted newsletter post had gone out; recorded',
          );
          result.posted++;
          return;
        }
      } catch (error) {
        logger.warn(
          { err: error, issueKey, destination: d.id },
          'Could not check an interrupted post; posting',
        );
      }
    }
    for (let attempt = 1; ; attempt++) {
      await deps.limiter.acquire(d.platform, d.destination);
      try {
        const posted = await adapter.post(d.destination, replies, { deliveryId: d.id });
        const done = await write(d, {
          status: 'sent',
          attempts: d.attempts + 1,
          messageId: posted.messageId,
          owner: null,
          leaseUntil: null,
          reason: null,
        });
        if (!done)
          logger.warn({ issueKey, destination: d.id }, 'Newsletter delivery record changed while posting');
        result.posted++;
        return;
      } catch (error) {
        d = { ...d, attempts: d.attempts + 1 };
        if (error instanceof PermanentDeliveryError) {
          logger.warn({ issueKey, destination: d.id, code: error.code }, 'Newsletter destination is gone');
          await write(d, {
            status: 'failed',
            permanent: true,
            owner: null,
            leaseUntil: null,
            reason: error.message.slice(0, 500),
          });
          result.failed++;
          return;
        }
        const retryAfter = error instanceof RetryableDeliveryError ? error.retryAfterMs : undefined;
        const wait =
          retryAfter !== undefined
            ? retryAfter
            : Math.round(
                random() * Math.min(options.maxBackoffMs, options.baseBackoffMs * 2 ** (attempt - 1)),
              );
        const reason = (error as Error).message?.slice(0, 500) || 'delivery failed';
        if (attempt >= options.maxAttempts || wait > options.maxRetryAfterMs) {
          logger.warn(
            { issueKey, destination: d.id, attempts: d.attempts, err: error },
            'Newsletter delivery failed; will retry later',
          );
          const rounds = d.rounds + 1;
          const final = rounds >= options.maxRounds;
          await write(d, {
            status: 'failed',
            permanent: false,
            rounds,
            owner: null,
            leaseUntil: null,
            reason,
            retryAt: final ? null : new Date(deps.timing.now() + Math.max(wait, 60_000)).toISOString(),
          });
          if (final) result.failed++;
          else result.deferred++;
          return;
        }
        // Each destination gets one post per issue, so waiting here is the destination's whole Retry-After.
        logger.debug(
          { issueKey, destination: d.id, attempt, waitMs: wait },
          'Newsletter delivery will be retried',
        );
        await deps.timing.sleep(wait);
      }
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const d = queue[next++]!;
      try {
        await deliverOne(d);
      } catch (error) {
        // A store failure mid-delivery: leave the claim to expire so a later round picks it up.
        logger.error(
          { err: error, issueKey, destination: d.id },
          'Newsletter delivery could not be recorded',
        );
        result.deferred++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, worker));
  return result;
}
