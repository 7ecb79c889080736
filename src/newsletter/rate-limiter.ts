// Rate limiting for sending on our own initiative: a bucket per scope (one per platform, one per destination),
// each a first-come-first-served queue released at the pace of the platform's published limits (GCRA).
//
// Any number of concurrent senders share one bucket; the spacing between two releases is never below 1/rate once
// the burst is spent, measured when the slot is actually released. A platform's Retry-After pauses the bucket.

/** A limit: `ratePerSec` sends per second on average, up to `burst` at once. */
export interface RateRule {
  ratePerSec: number;
  /** Sends allowed back to back before spacing applies; defaults to 1. */
  burst?: number;
}

/** The time source and sleeper, injectable so tests need no real waiting. */
export interface Timing {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Real time. */
export const realTiming: Timing = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** One bucket. */
export interface RateLimiter {
  /** Waits for the next send slot (first come, first served). */
  acquire(): Promise<void>;
  /** Holds every send back until `ms` from now (a Retry-After). */
  pause(ms: number): void;
  /** Callers waiting for a slot. */
  waiting(): number;
}

/**
 * A bucket for `rule`. Slots are handed out at the moment they are due (GCRA checked against the real release
 * time), never reserved ahead: after an event-loop stall, at most `burst` sends go out together instead of every
 * slot that came due during the stall.
 */
export function createRateLimiter(rule: RateRule, timing: Timing = realTiming): RateLimiter {
  if (!(rule.ratePerSec > 0)) throw new Error('ratePerSec must be positive');
  const interval = 1000 / rule.ratePerSec;
  const tolerance = Math.max(0, (rule.burst ?? 1) - 1) * interval;
  const queue: (() => void)[] = [];
  let tat = Number.NEGATIVE_INFINITY;
  let pumping = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0) {
        const now = timing.now();
        const wait = tat - tolerance - now;
        if (wait > 0) {
          await timing.sleep(wait);
          continue;
        }
        tat = Math.max(tat, now) + interval;
        queue.shift()!();
      }
    } finally {
      pumping = false;
    }
  };
  return {
    acquire() {
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        void pump();
      });
    },
    pause(ms) {
      tat = Math.max(tat, timing.now() + ms + tolerance);
    },
    waiting: () => queue.length,
  };
}

/** Buckets by key (e.g. one per channel), created on first use; idle ones are forgotten past `maxKeys`. */
export interface KeyedRateLimiter {
  acquire(key: string): Promise<void>;
  pause(key: string, ms: number): void;
}

/** Keyed buckets sharing one rule. */
export function createKeyedRateLimiter(
  rule: RateRule,
  timing: Timing = realTiming,
  maxKeys = 10_000,
): KeyedRateLimiter {
  const buckets = new Map<string, RateLimiter>();
  const bucket = (key: string) => {
    let b = buckets.get(key);
    if (b) {
      // Map order doubles as recency: re-insert on use, evict from the front.
      buckets.delete(key);
    } else {
      b = createRateLimiter(rule, timing);
      if (buckets.size >= maxKeys) {
        // Forget the least recently used bucket nobody is waiting on.
        for (const [k, old] of buckets) {
          if (old.waiting() === 0) {
            buckets.delete(k);
            break;
          }
        }
      }
    }
    buckets.set(key, b);
    return b;
  };
  return {
    acquire: (key) => bucket(key).acquire(),
    pause: (key, ms) => bucket(key).pause(ms),
  };
}

/** The limits of one platform: across the whole app, and per destination (channel, conversation). */
export interface PlatformRules {
  global: RateRule;
  perDestination: RateRule;
}

/**
 * Published limits for posting on our own initiative.
 * Slack chat.postMessage: about 1 message per second per channel, plus an unpublished workspace-wide limit
 * (we stay at 10/s). Teams: 7 per second per conversation, and 50 requests per second per app per tenant.
 * The web and CLI channels have no platform limit; a generous bucket keeps a runaway loop in check.
 */
export const defaultPlatformRules: Record<string, PlatformRules> = {
  slack: { global: { ratePerSec: 10, burst: 1 }, perDestination: { ratePerSec: 1, burst: 1 } },
  teams: { global: { ratePerSec: 50, burst: 1 }, perDestination: { ratePerSec: 7, burst: 1 } },
  web: { global: { ratePerSec: 100, burst: 10 }, perDestination: { ratePerSec: 10, burst: 1 } },
  cli: { global: { ratePerSec: 100, burst: 10 }, perDestination: { ratePerSec: 10, burst: 1 } },
};

/** Limits per platform and per destination, as one object the fan-out asks before every post. */
export interface PlatformRateLimiter {
  /** Waits until both the destination's and the platform's bucket allow one more send. */
  acquire(platform: string, destination: string): Promise<void>;
  /** Applies a Retry-After to one destination. */
  pauseDestination(platform: string, destination: string, ms: number): void;
  /** Applies a Retry-After to a whole platform. */
  pausePlatform(platform: string, ms: number): void;
}

/** A limiter over `rules` (unlisted platforms get the web rule). */
export function createPlatformRateLimiter(
  rules: Record<string, PlatformRules> = defaultPlatformRules,
  timing: Timing = realTiming,
): PlatformRateLimiter {
  const fallback = rules.web ?? defaultPlatformRules.web!;
  const globals = new Map<string, RateLimiter>();
  const perDestination = new Map<string, KeyedRateLimiter>();
  const forPlatform = (platform: string) => {
    let g = globals.get(platform);
    let d = perDestination.get(platform);
    if (!g || !d) {
      const rule = rules[platform] ?? fallback;
      g = createRateLimiter(rule.global, timing);
      d = createKeyedRateLimiter(rule.perDestination, timing);
      globals.set(platform, g);
      perDestination.set(platform, d);
    }
    return { global: g, destination: d };
  };
  return {
    async acquire(platform, destination) {
      const b = forPlatform(platform);
      // The destination first: a busy channel must not hold a platform-wide slot while it waits.
      await b.destination.acquire(destination);
      await b.global.acquire();
    },
    pauseDestination: (platform, destination, ms) => forPlatform(platform).destination.pause(destination, ms),
    pausePlatform: (platform, ms) => forPlatform(platform).global.pause(ms),
  };
}
