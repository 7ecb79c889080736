// Keeps outgoing Teams traffic inside the platform's limits before Teams has to say 429: per conversation at
// most 7 messages a second and 60 in 30 seconds; per app and tenant at most 50 requests a second. Token
// buckets, one per limit and key; a send waits until every bucket it needs has a token.

/** One limit: `capacity` tokens refilled evenly over `perMs` milliseconds. */
export interface Limit {
  capacity: number;
  perMs: number;
}

/** The published Teams limits this limiter applies. */
export const teamsLimits = {
  conversationPerSecond: { capacity: 7, perMs: 1000 },
  conversationPer30s: { capacity: 60, perMs: 30_000 },
  tenantPerSecond: { capacity: 50, perMs: 1000 },
} as const satisfies Record<string, Limit>;

/** Waits for permission to send one message. */
export interface RateLimiter {
  acquire(target: { conversationId: string; tenantId: string | undefined }): Promise<void>;
}

export interface RateLimiterOptions {
  limits?: typeof teamsLimits;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

class Bucket {
  tokens: number;
  last: number;
  readonly limit: Limit;

  constructor(limit: Limit, now: number) {
    this.limit = limit;
    this.tokens = limit.capacity;
    this.last = now;
  }

  refill(now: number): void {
    const rate = this.limit.capacity / this.limit.perMs;
    this.tokens = Math.min(this.limit.capacity, this.tokens + (now - this.last) * rate);
    this.last = now;
  }

  /** Milliseconds until one token is available (0 when one is). */
  waitMs(): number {
    if (this.tokens >= 1) return 0;
    return Math.ceil((1 - this.tokens) / (this.limit.capacity / this.limit.perMs));
  }

  full(): boolean {
    return this.tokens >= this.limit.capacity;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A limiter with the Teams limits (or the given ones, for tests). */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter & { size(): number } {
  const limits = options.limits ?? teamsLimits;
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? defaultSleep;
  const buckets = new Map<string, Bucket>();

  const bucket = (key: string, limit: Limit, at: number): Bucket => {
    let b = buckets.get(key);
    if (!b) {
      b = new Bucket(limit, at);
      buckets.set(key, b);
    }
    return b;
  };

  const prune = (at: number) => {
    if (buckets.size < 2000) return;
    for (const [key, b] of buckets) {
      b.refill(at);
      if (b.full()) buckets.delete(key);
    }
  };

  return {
    async acquire({ conversationId, tenantId }) {
      for (;;) {
        const at = now();
        prune(at);
        const needed = [
          bucket(`c1:${conversationId}`, limits.conversationPerSecond, at),
          bucket(`c30:${conversationId}`, limits.conversationPer30s, at),
          bucket(`t:${tenantId ?? '-'}`, limits.tenantPerSecond, at),
        ];
        for (const b of needed) b.refill(at);
        const wait = Math.max(...needed.map((b) => b.waitMs()));
        if (wait === 0) {
          // Checking and taking happen without an await in between, so concurrent senders cannot both win.
          for (const b of needed) b.tokens -= 1;
          return;
        }
        await sleep(wait);
      }
    },
    size: () => buckets.size,
  };
}
