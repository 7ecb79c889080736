// The sending policy on its own: how connector failures are read, how retries wait, and the rate limits
// (with a fake clock: sleeping advances time, so nothing here waits for real).
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  classifyDeliveryError,
  DeliveryFailure,
  defaultRetryPolicy,
  parseRetryAfter,
  sendWithRetry,
} from '../../adapters/teams/delivery.ts';
import { createRateLimiter, teamsLimits } from '../../adapters/teams/rate-limit.ts';

/** An error shaped like the one botbuilder's HTTP layer throws for a non-2xx answer. */
function restError(status: number, body: unknown = {}, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`status ${status}`), {
    statusCode: status,
    response: {
      status,
      bodyAsText: JSON.stringify(body),
      headers: { get: (n: string) => headers[n.toLowerCase()] },
    },
  });
}

describe('classifyDeliveryError', () => {
  it('reads the Teams codes that mean the bot cannot reach the conversation any more', () => {
    for (const code of ['BotNotInConversationRoster', 'BotDisabledByAdmin', 'MessageWritesBlocked']) {
      expect(classifyDeliveryError(restError(403, { error: { code, message: 'no' } }))).toMatchObject({
        kind: 'gone',
        code,
      });
    }
    expect(
      classifyDeliveryError(
        restError(404, { error: { code: 'NotFound', message: 'Conversation not found.' } }),
      ).kind,
    ).toBe('gone');
  });

  it('retries throttling and gateway errors, with the Retry-After they give', () => {
    expect(classifyDeliveryError(restError(429, {}, { 'retry-after': '2' }))).toMatchObject({
      kind: 'retry',
      retryAfterMs: 2000,
    });
    for (const status of [412, 502, 503, 504])
      expect(classifyDeliveryError(restError(status)).kind).toBe('retry');
    expect(
      classifyDeliveryError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).kind,
    ).toBe('retry');
  });

  it('does not retry a server error at once, nor a request Teams will never take', () => {
    expect(classifyDeliveryError(restError(500)).kind).toBe('later');
    expect(classifyDeliveryError(restError(400, { error: { code: 'BadArgument' } })).kind).toBe('fail');
    expect(classifyDeliveryError(restError(403, { error: { code: 'Forbidden' } })).kind).toBe('fail');
    expect(
      classifyDeliveryError(restError(404, { error: { code: 'NotFound', message: 'Activity missing' } }))
        .kind,
    ).toBe('fail');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.25')).toBe(250);
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('sendWithRetry', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

  it('waits Retry-After when given, otherwise backs off exponentially with jitter, then succeeds', async () => {
    const waits: number[] = [];
    const answers = [restError(429, {}, { 'retry-after': '1' }), restError(503), restError(502)];
    let calls = 0;
    const result = await sendWithRetry(
      async () => {
        calls++;
        const next = answers.shift();
        if (next) throw next;
        return 'sent';
      },
      { policy, sleep: async (ms) => void waits.push(ms), random: () => 1 },
    );
    expect(result).toBe('sent');
    expect(calls).toBe(4);
    expect(waits).toEqual([1000, 200, 400]);
  });

  it('gives up after the bounded number of attempts with the last problem', async () => {
    let calls = 0;
    const failure = await sendWithRetry(
      async () => {
        calls++;
        throw restError(429, {}, { 'retry-after': '0' });
      },
      { policy, sleep: async () => undefined },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryFailure);
    expect((failure as DeliveryFailure).attempts).toBe(4);
    expect(calls).toBe(4);
  });

  it('does not sit out a Retry-After longer than the policy allows', async () => {
    let calls = 0;
    const failure = (await sendWithRetry(
      async () => {
        calls++;
        throw restError(429, {}, { 'retry-after': '120' });
      },
      { policy, sleep: async () => undefined },
    ).catch((e: unknown) => e)) as DeliveryFailure;
    expect(calls).toBe(1);
    expect(failure.retryAfterMs).toBe(120_000);
  });

  it('keeps jittered backoff between half and all of the exponential ceiling, capped', () => {
    for (const r of [0, 0.5, 1]) {
      const wait = backoffMs(3, undefined, defaultRetryPolicy, () => r);
      expect(wait).toBeGreaterThanOrEqual(1000);
      expect(wait).toBeLessThanOrEqual(2000);
    }
    expect(backoffMs(20, undefined, defaultRetryPolicy, () => 1)).toBe(defaultRetryPolicy.maxDelayMs);
  });
});

describe('rate limiter', () => {
  function clock() {
    let now = 0;
    return {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
  }

  it('lets 7 messages a second through a conversation at once, then spaces them out', async () => {
    const c = clock();
    const limiter = createRateLimiter(c);
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      await limiter.acquire({ conversationId: 'conv', tenantId: 't' });
      times.push(c.now());
    }
    expect(times.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(times[7]).toBe(1000);
  });

  it('never sends more than 7 in a second or 60 in 30 seconds to one conversation', async () => {
    const c = clock();
    const limiter = createRateLimiter(c);
    const times: number[] = [];
    for (let i = 0; i < 150; i++) {
      await limiter.acquire({ conversationId: 'conv', tenantId: 't' });
      times.push(c.now());
    }
    for (let i = 0; i + 7 < times.length; i++) expect(times[i + 7]! - times[i]!).toBeGreaterThanOrEqual(1000);
    for (let i = 0; i + 60 < times.length; i++)
      expect(times[i + 60]! - times[i]!).toBeGreaterThanOrEqual(30_000);
  });

  it('never sends more than 50 a second per tenant, across conversations; other tenants are not held up', async () => {
    const c = clock();
    const limiter = createRateLimiter(c);
    const times: number[] = [];
    for (let i = 0; i < 120; i++) {
      await limiter.acquire({ conversationId: `conv-${i}`, tenantId: 'busy' });
      times.push(c.now());
    }
    for (let i = 0; i + 50 < times.length; i++)
      expect(times[i + 50]! - times[i]!).toBeGreaterThanOrEqual(1000);
    const before = c.now();
    await limiter.acquire({ conversationId: 'elsewhere', tenantId: 'quiet' });
    expect(c.now()).toBe(before);
  });

  it('keeps a fifth of a tenant’s second for replies, however large a proactive fan-out', async () => {
    const c = clock();
    const limiter = createRateLimiter(c);
    const fanOut: number[] = [];
    for (let i = 0; i < 100; i++) {
      await limiter.acquire({ conversationId: `conv-${i}`, tenantId: 'acme', proactive: true });
      fanOut.push(c.now());
    }
    // 40 a second at most for the fan-out…
    for (let i = 0; i + 40 < fanOut.length; i++)
      expect(fanOut[i + 40]! - fanOut[i]!).toBeGreaterThanOrEqual(1000);
    // …so a reply in the same second as the last 40 proactive sends still goes at once.
    const before = c.now();
    await limiter.acquire({ conversationId: 'someone-asking', tenantId: 'acme' });
    expect(c.now()).toBe(before);
  });

  it('uses the published Teams limits', () => {
    expect(teamsLimits).toEqual({
      conversationPerSecond: { max: 7, windowMs: 1000 },
      conversationPer30s: { max: 60, windowMs: 30_000 },
      tenantPerSecond: { max: 50, windowMs: 1000 },
    });
  });
});
