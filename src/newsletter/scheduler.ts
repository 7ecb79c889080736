// Runs the newsletter on its schedule: a named node-cron task in NEWSLETTER_TIMEZONE, coordinated across
// replicas through the store, plus housekeeping that catches up a missed issue and resumes unfinished ones.
import cron, { type RunCoordinator, type ScheduledTask } from 'node-cron';
import type { Logger } from '../logging/logger.ts';
import type { DocumentStore } from '../store/document-store.ts';
import type { NewsletterIssues } from '../store/repositories/newsletter-issues.ts';
import type { CronSchedule } from './cron-schedule.ts';
import type { NewsletterService, RunOutcome } from './newsletter-service.ts';

/** The node-cron task name; it prefixes node-cron's coordination key, so every replica must use the same. */
export const newsletterTaskName = 'itbuddy-newsletter';

/**
 * node-cron's RunCoordinator over the store: the key node-cron passes is "name:slotISO"; the claim is made on
 * the slot's issue key with one conditional write, so exactly one replica is elected per issue. The claim is
 * not released on completion: it lapses after the lease, and the issue document itself then prevents repeats.
 */
export function createStoreRunCoordinator(options: {
  store: DocumentStore;
  owner: string;
  keyFor: (slot: Date) => string;
  now?: () => number;
}): RunCoordinator {
  return {
    async shouldRun(key, ttlMs) {
      const slot = new Date(key.slice(key.indexOf(':') + 1));
      const issueKey = Number.isNaN(slot.getTime()) ? key : options.keyFor(slot);
      const now = options.now?.() ?? Date.now();
      return options.store.claim(
        'newsletter-run',
        issueKey,
        options.owner,
        new Date(now + ttlMs).toISOString(),
      );
    },
  };
}

export interface NewsletterSchedulerDeps {
  service: NewsletterService;
  issues: NewsletterIssues;
  store: DocumentStore;
  schedule: CronSchedule;
  logger: Logger;
  catchUpHours: number;
  clock?: () => Date;
  /** How often housekeeping runs (catch-up and resume); 60 s by default. */
  housekeepingMs?: number;
  /** How long an elected replica holds a slot before another may take it over (node-cron distributedLease). */
  leaseMs?: number;
}

/** What `newsletter status` shows. */
export interface SchedulerStatus {
  running: boolean;
  cron: string;
  timeZone: string;
  nextRun: Date | undefined;
  catchUpHours: number;
}

/** The schedule's controls. */
export interface NewsletterScheduler {
  /** Starts the cron task and logs the next run; housekeeping follows shortly (or on `housekeeping()`). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** What node-cron does at a fire time: ask the coordinator, then run the slot. */
  fire(slot: Date): Promise<RunOutcome | undefined>;
  /** Sends a missed issue (within the catch-up window) and resumes unfinished ones. */
  housekeeping(): Promise<void>;
  /** The missed slot that catch-up would send now, if any. */
  missedSlot(): Promise<Date | undefined>;
  status(): SchedulerStatus;
}

/** Creates the scheduler (not started). */
export function createNewsletterScheduler(deps: NewsletterSchedulerDeps): NewsletterScheduler {
  const { service, logger, schedule } = deps;
  const clock = deps.clock ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? 15 * 60_000;
  const coordinator = createStoreRunCoordinator({
    store: deps.store,
    owner: service.owner,
    keyFor: service.keyFor,
  });
  let task: ScheduledTask | undefined;
  let timer: NodeJS.Timeout | undefined;
  let firstRun: NodeJS.Timeout | undefined;
  let housekeepingRun: Promise<void> | undefined;

  const fire = async (slot: Date) => {
    const key = `${newsletterTaskName}:${slot.toISOString()}`;
    if (!(await coordinator.shouldRun(key, leaseMs))) {
      logger.debug({ issueKey: service.keyFor(slot) }, 'Another replica sends this newsletter');
      return undefined;
    }
    return service.runSlot(slot, 'schedule');
  };

  /** A fire time inside the catch-up window with no issue yet. Recent slots are left to the cron task itself. */
  const missedSlot = async () => {
    if (deps.catchUpHours <= 0) return undefined;
    const now = clock();
    const settle = 2 * 60_000;
    const prev = schedule.previousFire(
      new Date(now.getTime() - settle),
      deps.catchUpHours * 3_600_000 - settle,
    );
    if (!prev) return undefined;
    return (await deps.issues.get(service.keyFor(prev))) ? undefined : prev;
  };

  const housekeeping = () => {
    housekeepingRun ??= (async () => {
      try {
        const missed = await missedSlot();
        if (missed) {
          logger.info(
            { slot: missed.toISOString(), issueKey: service.keyFor(missed) },
            'Sending a missed newsletter',
          );
          const outcome = await service.runSlot(missed, 'catch_up');
          logger.info({ outcome: outcome.kind, issueKey: outcome.issueKey }, 'Newsletter catch-up finished');
        }
        await service.resumeUnfinished();
      } catch (error) {
        logger.error({ err: error }, 'Newsletter housekeeping failed');
      } finally {
        housekeepingRun = undefined;
      }
    })();
    return housekeepingRun;
  };

  const status = (): SchedulerStatus => ({
    running: task !== undefined,
    cron: schedule.expression,
    timeZone: schedule.timeZone,
    nextRun: schedule.nextFire(clock()),
    catchUpHours: deps.catchUpHours,
  });

  return {
    fire,
    housekeeping,
    missedSlot,
    status,
    async start() {
      if (task) return;
      task = cron.schedule(
        schedule.expression,
        async (ctx) => {
          try {
            const outcome = await service.runSlot(ctx.date, 'schedule');
            logger.info(
              { outcome: outcome.kind, issueKey: outcome.issueKey },
              'Scheduled newsletter run finished',
            );
          } catch (error) {
            logger.error({ err: error }, 'Scheduled newsletter run failed');
          }
        },
        {
          name: newsletterTaskName,
          timezone: schedule.timeZone,
          distributed: true,
          runCoordinator: coordinator,
          distributedLease: leaseMs,
          noOverlap: true,
          unref: true,
        },
      );
      task.on('execution:skipped', (ctx) => {
        logger.debug({ slot: ctx.date.toISOString(), reason: ctx.reason }, 'Newsletter slot run elsewhere');
      });
      const next = status().nextRun;
      logger.info(
        { cron: schedule.expression, timeZone: schedule.timeZone, nextRun: next?.toISOString() },
        `Newsletter scheduled; next issue ${next ? next.toISOString() : 'never (the schedule has no future time)'}`,
      );
      timer = setInterval(() => void housekeeping(), deps.housekeepingMs ?? 60_000);
      timer.unref();
      // The first catch-up waits a moment for the platform adapters, which register after the core is built;
      // the composition root calls housekeeping() itself as soon as they are in.
      firstRun = setTimeout(() => void housekeeping(), 5000);
      firstRun.unref();
    },
    async stop() {
      clearInterval(timer);
      clearTimeout(firstRun);
      timer = undefined;
      await task?.destroy();
      task = undefined;
      service.stop();
      schedule.dispose();
    },
  };
}
