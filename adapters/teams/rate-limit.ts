// Keeps outgoing Teams traffic inside the platform's limits before Teams has to answer 429: per conversation
// at most 7 messages in any second and 60 in any 30 seconds; per app and tenant at most 50 requests a second.
//
// Sends on IT Buddy's own initiative (the newsletter fan-out, request cards) are `proactive`: they may use at most
// `proactiveShare` of a tenant's per-second budget, so however large a fan-out, people's replies always find room.
//
// Each limit is a sliding window over the times of recent sends rather than a token bucket: a bucket that
// holds 60 tokens and refills 60 per 30 s lets up to 120 through in some 30-second window, which is exactly
// what Teams throttles. A window remembers at most `max` timestamps per key, so memory stays small.

/** One limit: at most `max` sends in any `windowMs` milliseconds. */
export interface Limit {
  max: number;
  windowMs: number;
}

/** The published Teams limits this limiter applies. */
export const teamsLimits = {
  conversationPerSecond: { max: 7, windowMs: 1000 },
  conversationPer30s: { max: 60, windowMs: 30_000 },
  tenantPerSecond: { max: 50, windowMs: 1000 },
} as const satisfies Record<string, Limit>;

/** Of a tenant's per-second budget, what proactive sends may use; the rest is kept for replies. */
export const proactiveShare = 0.8;

/** Waits for permission to send one message. */
export interface RateLimiter {
  acquire(target: {
    conversationId: string;
    tenantId: string | undefined;
    proactive?: boolean;
  }): Promise<void>;
}

export interface RateLimiterOptions {
  limits?: { conversationPerSecond: Limit; conversationPer30s: Limit; tenantPerSecond: Limit };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A limiter with the Teams limits (or the given ones). */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter & { size(): number } {
  const limits = options.limits ?? teamsLimits;
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? defaultSleep;
  const windows = new Map<string, number[]>();

  /** Drops sends older than the window; returns how long until one more may go (0 = now). */
  const waitFor = (key: string, limit: Limit, at: number): number => {
    const times = windows.get(key);
    if (!times) return 0;
    while (times.length > 0 && times[0]! <= at - limit.windowMs) times.shift();
    if (times.length < limit.max) return 0;
    return times[times.length - limit.max]! + limit.windowMs - at;
  };

  const prune = (at: number) => {
    if (windows.size < 5000) return;
    const longest = Math.max(...Object.values(limits).map((l) => l.windowMs));
    for (const [key, times] of windows) if ((times.at(-1) ?? 0) <= at - longest) windows.delete(key);
  };

  return {
    async acquire({ conversationId, tenantId, proactive }) {
      const tenant = tenantId ?? '-';
      const needed: [string, Limit][] = [
        [`c1:${conversationId}`, limits.conversationPerSecond],
        [`c30:${conversationId}`, limits.conversationPer30s],
        [`t:${tenant}`, limits.tenantPerSecond],
      ];
      if (proactive) {
        const { max, windowMs } = limits.tenantPerSecond;
        needed.push([`p:${tenant}`, { max: Math.max(1, Math.floor(max * proactiveShare)), windowMs }]);
      }
      for (;;) {
        const at = now();
        const wait = Math.max(...needed.map(([key, limit]) => waitFor(key, limit, at)));
        if (wait <= 0) {
          // Checking and recording happen without an await in between, so concurrent senders cannot both win.
          prune(at);
          for (const [key, limit] of needed) {
            const times = windows.get(key) ?? [];
            times.push(at);
            if (times.length > limit.max) times.splice(0, times.length - limit.max);
            windows.set(key, times);
          }
          return;
        }
        await sleep(wait);
      }
    },
    size: () => windows.size,
  };
}
