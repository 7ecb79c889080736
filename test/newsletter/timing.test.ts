// The pieces that deal with time: the rate limiter's spacing, the cron schedule's previous and next fire times
// in a time zone, and issue keys.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { createCronSchedule } from '../../src/newsletter/cron-schedule.ts';
import {
  createPlatformRateLimiter,
  createRateLimiter,
  type Timing,
} from '../../src/newsletter/rate-limiter.ts';
import { issueKeyFor, parseLocalDateTime } from '../../src/time/zoned-time.ts';

/** A clock that only moves when the limiter sleeps. */
function virtualTiming(): Timing & { sends: number[] } {
  let t = 1_000_000;
  return {
    sends: [],
    now: () => t,
    // Time moves on only after everything already due has run, as it would on a real clock.
    sleep: (ms) =>
      new Promise((resolve) =>
        setImmediate(() => {
          t += ms;
          resolve();
        }),
      ),
  };
}

describe('rate limiter', () => {
  it('spaces sends at 1/rate after the burst', async () => {
    const timing = virtualTiming();
    const limiter = createRateLimiter({ ratePerSec: 50, burst: 5 }, timing);
    for (let i = 0; i < 105; i++) {
      await limiter.acquire();
      timing.sends.push(timing.now());
    }
    const start = timing.sends[0]!;
    expect(timing.sends.slice(0, 5).every((t) => t === start)).toBe(true);
    // 100 sends after the burst take 2 s at 50/s.
    expect(timing.sends.at(-1)! - start).toBeCloseTo(2000, 5);
    // No one-second window ever holds more than rate + burst sends.
    for (const t of timing.sends)
      expect(timing.sends.filter((s) => s >= t && s < t + 1000).length).toBeLessThanOrEqual(55);
  });

  it('serves concurrent callers in turn, one interval apart', async () => {
    const timing = virtualTiming();
    const limiter = createRateLimiter({ ratePerSec: 10 }, timing);
    const start = timing.now();
    const released: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, () => limiter.acquire().then(() => released.push(timing.now() - start))),
    );
    expect(released).toEqual([0, 100, 200, 300, 400]);
  });

  it('holds back after a Retry-After pause', async () => {
    const timing = virtualTiming();
    const limiter = createRateLimiter({ ratePerSec: 10 }, timing);
    const start = timing.now();
    limiter.pause(1500);
    await limiter.acquire();
    expect(timing.now() - start).toBe(1500);
  });

  it('after a stall lets out one send, not every slot that came due', async () => {
    let t = 0;
    const sleeps: number[] = [];
    const timing: Timing = {
      now: () => t,
      sleep: (ms) =>
        new Promise((resolve) =>
          setImmediate(() => {
            sleeps.push(ms);
            t += ms;
            resolve();
          }),
        ),
    };
    const limiter = createRateLimiter({ ratePerSec: 50 }, timing);
    await limiter.acquire();
    t += 500; // the event loop was blocked for half a second
    const released: number[] = [];
    await Promise.all(Array.from({ length: 3 }, () => limiter.acquire().then(() => released.push(t))));
    expect(released).toEqual([500, 520, 540]);
  });

  it('limits each destination and the platform as a whole', async () => {
    const timing = virtualTiming();
    const limiter = createPlatformRateLimiter(
      { slack: { global: { ratePerSec: 100 }, perDestination: { ratePerSec: 1 } } },
      timing,
    );
    const start = timing.now();
    const at: number[] = [];
    for (const channel of ['C1', 'C2', 'C1']) {
      await limiter.acquire('slack', channel);
      at.push(timing.now() - start);
    }
    // Two channels go out 10 ms apart (100/s); the second post to C1 waits for its channel's second.
    expect(at).toEqual([0, 10, 1000]);
  });
});

describe('cron schedule', () => {
  it('finds the previous fire time in the schedule’s time zone', () => {
    const schedule = createCronSchedule('0 9 * * 1', 'America/New_York');
    try {
      // Monday 23 November 2026, 09:00 in New York is 14:00 UTC.
      const now = new Date('2026-11-24T03:00:00.000Z');
      expect(schedule.previousFire(now, 24 * 3_600_000)?.toISOString()).toBe('2026-11-23T14:00:00.000Z');
      expect(schedule.previousFire(now, 12 * 3_600_000)).toBeUndefined();
      expect(schedule.nextFire(now)?.toISOString()).toBe('2026-11-30T14:00:00.000Z');
      // Called again a little later, the incremental search still agrees.
      expect(schedule.previousFire(new Date('2026-11-24T04:00:00.000Z'), 24 * 3_600_000)?.toISOString()).toBe(
        '2026-11-23T14:00:00.000Z',
      );
      expect(schedule.previousFire(new Date('2026-11-30T14:00:30.000Z'), 3_600_000)?.toISOString()).toBe(
        '2026-11-30T14:00:00.000Z',
      );
    } finally {
      schedule.dispose();
    }
  });

  it('rejects a bad expression or time zone, naming the variable', () => {
    expect(() => createCronSchedule('0 25 * * 1', 'UTC')).toThrow(ConfigError);
    expect(() => createCronSchedule('0 25 * * 1', 'UTC')).toThrow(/NEWSLETTER_CRON/);
    expect(() => createCronSchedule('0 9 * * 1', 'Mars/Olympus')).toThrow(/NEWSLETTER_TIMEZONE/);
  });
});

describe('zoned time', () => {
  it('keys issues by the ISO week of the local date', () => {
    expect(issueKeyFor(new Date('2026-11-23T09:00:00.000Z'), 'UTC')).toBe('2026-W48');
    // Sunday late evening UTC is already Monday in Tokyo.
    expect(issueKeyFor(new Date('2026-11-29T20:00:00.000Z'), 'UTC')).toBe('2026-W48');
    expect(issueKeyFor(new Date('2026-11-29T20:00:00.000Z'), 'Asia/Tokyo')).toBe('2026-W49');
    expect(issueKeyFor(new Date('2027-01-01T12:00:00.000Z'), 'UTC')).toBe('2026-W53');
  });

  it('reads local times across daylight saving', () => {
    expect(parseLocalDateTime('2026-07-01 09:00', 'Europe/Berlin')?.toISOString()).toBe(
      '2026-07-01T07:00:00.000Z',
    );
    expect(parseLocalDateTime('2026-12-01 09:00', 'Europe/Berlin')?.toISOString()).toBe(
      '2026-12-01T08:00:00.000Z',
    );
    expect(parseLocalDateTime('2026-12-01', 'UTC')?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseLocalDateTime('2026-02-30', 'UTC')).toBeUndefined();
    expect(parseLocalDateTime('tomorrow', 'UTC')).toBeUndefined();
  });
});
