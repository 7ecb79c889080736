// Wires announcements, known issues, role grants and the newsletter (service, schedule, chat features) from
// configuration, so the composition root adds them with a few lines.
import { createAnnouncementFeature } from '../announcements/announcement-feature.ts';
import {
  type ActiveKnownIssues,
  createActiveKnownIssues,
  createKnownIssuesFeature,
} from '../announcements/known-issues.ts';
import type { BotFeature } from '../bot/feature.ts';
import type { RoleGrants } from '../bot/roles.ts';
import type { ChannelRegistry } from '../channels/channel-adapter.ts';
import type { Config } from '../config/load-config.ts';
import type { KbIndex } from '../kb/search-index.ts';
import type { NewsletterIntroWriter } from '../llm/newsletter-intro.ts';
import type { Logger } from '../logging/logger.ts';
import { createRoleAdmin, createStoreRoleGrants, type RoleAdmin } from '../roles/role-admin.ts';
import { createRolesFeature } from '../roles/roles-feature.ts';
import type { DocumentStore } from '../store/document-store.ts';
import { type Announcements, createAnnouncements } from '../store/repositories/announcements.ts';
import { createNewsletterIssues, type NewsletterIssues } from '../store/repositories/newsletter-issues.ts';
import type { QuestionLog } from '../store/repositories/question-log.ts';
import { createRoleGrantStore } from '../store/repositories/role-grants.ts';
import { createSubscriptions, type Subscriptions } from '../store/repositories/subscriptions.ts';
import { createTopicSuggestions, type TopicSuggestions } from '../store/repositories/topic-suggestions.ts';
import { createCronSchedule } from './cron-schedule.ts';
import type { FanOutOptions } from './fan-out.ts';
import { createNewsletterFeature, type NewsletterFeature } from './newsletter-feature.ts';
import { createNewsletterService, type NewsletterService } from './newsletter-service.ts';
import type { PlatformRateLimiter, Timing } from './rate-limiter.ts';
import { createNewsletterScheduler, type NewsletterScheduler } from './scheduler.ts';

export interface NewsletterModuleDeps {
  config: Config;
  logger: Logger;
  store: DocumentStore;
  questions: QuestionLog;
  kb: () => KbIndex;
  channels: ChannelRegistry;
  intro?: NewsletterIntroWriter | undefined;
  clock?: () => Date;
  timing?: Timing;
  limiter?: PlatformRateLimiter;
  fanOut?: Partial<FanOutOptions>;
  owner?: string;
  housekeepingMs?: number;
}

/** Everything the newsletter issue (#7) adds to the core. */
export interface NewsletterModule {
  /** Router features: known-issue notices first, then announcements, newsletter and roles commands. */
  features: BotFeature[];
  roleGrants: RoleGrants;
  roleAdmin: RoleAdmin;
  /** Maintenance in effect matching a text; intake links it from the IT summary of an incident. */
  activeKnownIssues: ActiveKnownIssues;
  announcements: Announcements;
  issues: NewsletterIssues;
  subscriptions: Subscriptions;
  suggestions: TopicSuggestions;
  service: NewsletterService;
  scheduler: NewsletterScheduler;
  feature: NewsletterFeature;
  /** Starts the schedule (logs the next run, catches up a missed issue, resumes unfinished ones). */
  start(): Promise<void>;
  /** Runs catch-up and resume now, e.g. once every channel adapter is registered. */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

/** Creates the module; nothing runs until `start()`. */
export function createNewsletterModule(deps: NewsletterModuleDeps): NewsletterModule {
  const { config, logger, store } = deps;
  const log = logger.child({ component: 'newsletter' });
  const announcements = createAnnouncements(store);
  const issues = createNewsletterIssues(store);
  const subscriptions = createSubscriptions(store);
  const suggestions = createTopicSuggestions(store);
  const grantStore = createRoleGrantStore(store);
  const roleAdmin = createRoleAdmin(config, grantStore);
  const activeKnownIssues = createActiveKnownIssues(announcements, config.newsletter.timezone);
  const schedule = createCronSchedule(config.newsletter.cron, config.newsletter.timezone);
  const service = createNewsletterService({
    config,
    logger: log,
    store,
    announcements,
    issues,
    subscriptions,
    questions: deps.questions,
    kb: deps.kb,
    channels: deps.channels,
    roleAdmin,
    schedule,
    intro: deps.intro,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.timing ? { timing: deps.timing } : {}),
    ...(deps.limiter ? { limiter: deps.limiter } : {}),
    ...(deps.fanOut ? { fanOut: deps.fanOut } : {}),
    ...(deps.owner ? { owner: deps.owner } : {}),
  });
  const scheduler = createNewsletterScheduler({
    service,
    issues,
    store,
    schedule,
    logger: log,
    catchUpHours: config.newsletter.catchUpHours,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.housekeepingMs ? { housekeepingMs: deps.housekeepingMs } : {}),
  });
  const feature = createNewsletterFeature({
    service,
    scheduler,
    issues,
    subscriptions,
    suggestions,
    channels: deps.channels,
  });
  const features: BotFeature[] = [
    createKnownIssuesFeature(activeKnownIssues),
    createAnnouncementFeature({
      announcements,
      onChange: () => activeKnownIssues.invalidate(),
      nextIssueAt: () => scheduler.status().nextRun,
    }),
    feature,
    createRolesFeature(roleAdmin),
  ];
  return {
    features,
    roleGrants: createStoreRoleGrants(grantStore),
    roleAdmin,
    activeKnownIssues,
    announcements,
    issues,
    subscriptions,
    suggestions,
    service,
    scheduler,
    feature,
    start: () => scheduler.start(),
    kick: () => scheduler.housekeeping(),
    async stop() {
      await scheduler.stop();
      // A manual send still running gets a moment to record its progress; what is left resumes on restart.
      await Promise.race([feature.idle(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    },
  };
}
