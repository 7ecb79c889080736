// The newsletter's cron expression in its time zone: validation, the next fire time, and the previous one
// (node-cron only looks forward, so the previous fire is found by matching candidate times backwards).
import cron, { type ScheduledTask } from 'node-cron';
import { ConfigError } from '../errors.ts';
import { isValidTimeZone } from '../time/zoned-time.ts';

/** A validated schedule. */
export interface CronSchedule {
  readonly expression: string;
  readonly timeZone: string;
  /** True when the schedule fires at `date` (to the second). */
  matches(date: Date): boolean;
  /** The latest fire time at or before `now` and no earlier than `now - windowMs`, if any. */
  previousFire(now: Date, windowMs: number): Date | undefined;
  /** The next fire time after `now`. */
  nextFire(now: Date): Date | undefined;
  /** Releases node-cron's matcher task. */
  dispose(): void;
}

/** Validates NEWSLETTER_CRON and NEWSLETTER_TIMEZONE; throws a ConfigError naming the variable at fault. */
export function createCronSchedule(expression: string, timeZone: string): CronSchedule {
  const validation = cron.validateDetailed(expression);
  if (!validation.valid) {
    const first = validation.errors[0];
    throw new ConfigError(
      `NEWSLETTER_CRON: "${expression}" is not a valid cron expression${first ? ` (${first.field}: ${first.message})` : ''}. Example: 0 9 * * 1 (Mondays at 09:00).`,
    );
  }
  if (!isValidTimeZone(timeZone)) {
    throw new ConfigError(
      `NEWSLETTER_TIMEZONE: "${timeZone}" is not a time zone name. Example: Europe/Berlin.`,
    );
  }
  const seconds = [...cron.parse(expression).second].sort((a, b) => b - a);
  let matcher: ScheduledTask | undefined;
  // A never-started task is node-cron's public way to ask "does the schedule fire at this time?".
  const match = (date: Date) => {
    matcher ??= cron.createTask(expression, () => undefined, { timezone: timeZone });
    return matcher.match(date);
  };
  // Incremental search: remember how far back we already looked, so periodic calls scan only the new minutes.
  let cache: { scannedTo: number; found: number | undefined } | undefined;

  return {
    expression,
    timeZone,
    matches: match,
    previousFire(now, windowMs) {
      const nowMs = now.getTime();
      const lowest = nowMs - windowMs;
      const scan = (from: number, downTo: number): number | undefined => {
        for (
          let minute = Math.floor(from / 60_000) * 60_000;
          minute >= Math.floor(downTo / 60_000) * 60_000;
          minute -= 60_000
        ) {
          for (const s of seconds) {
            const t = minute + s * 1000;
            if (t > from || t < downTo) continue;
            if (match(new Date(t))) return t;
          }
        }
        return undefined;
      };
      let found: number | undefined;
      if (cache && cache.scannedTo <= nowMs && cache.scannedTo >= lowest) {
        found = scan(nowMs, cache.scannedTo + 1) ?? cache.found;
      } else {
        found = scan(nowMs, lowest);
      }
      cache = { scannedTo: nowMs, found };
      return found !== undefined && found >= lowest ? new Date(found) : undefined;
    },
    nextFire(now) {
      match(now);
      // getNextRuns counts from the real clock; with an injected clock, walk forward minute by minute instead.
      if (Math.abs(now.getTime() - Date.now()) < 1000) return matcher?.getNextRuns(1)[0];
      const limit = now.getTime() + 366 * 86_400_000;
      for (let minute = Math.floor(now.getTime() / 60_000) * 60_000; minute <= limit; minute += 60_000) {
        for (const s of [...seconds].reverse()) {
          const t = minute + s * 1000;
          if (t > now.getTime() && match(new Date(t))) return new Date(t);
        }
      }
      return undefined;
    },
    dispose() {
      void matcher?.destroy();
      matcher = undefined;
    },
  };
}
