// The newsletter's work: compose an issue for a schedule slot, create it exactly once, deliver it to every
// destination, resume unfinished deliveries, and report what could not be delivered.
import { createHash, randomUUID } from 'node:crypto';
import { articleUrl } from '../answers/answer-card.ts';
import { howToReachIt } from '../bot/copy.ts';
import { type ChannelRegistry, parseDestination } from '../channels/channel-adapter.ts';
import type { Config } from '../config/load-config.ts';
import type { KbIndex } from '../kb/search-index.ts';
import type { NewsletterIntroWriter } from '../llm/newsletter-intro.ts';
import type { Logger } from '../logging/logger.ts';
import { escapeMarkdown } from '../messages/markdown.ts';
import { type Reply, reply } from '../messages/replies.ts';
import type { RoleAdmin } from '../roles/role-admin.ts';
import type { DocumentStore } from '../store/document-store.ts';
import type { Announcements } from '../store/repositories/announcements.ts';
import type { Delivery, Issue, NewsletterIssues } from '../store/repositories/newsletter-issues.ts';
import type { QuestionLog } from '../store/repositories/question-log.ts';
import type { Subscriptions } from '../store/repositories/subscriptions.ts';
import { issueKeyFor } from '../time/zoned-time.ts';
import {
  archiveLimits,
  type ComposeResult,
  composeIssue,
  placeAnnouncements,
  postLimits,
  sectionHeadings,
} from './compose.ts';
import type { CronSchedule } from './cron-schedule.ts';
import { defaultFanOutOptions, type FanOutOptions, type FanOutResult, fanOut, isFinal } from './fan-out.ts';
import {
  createPlatformRateLimiter,
  type PlatformRateLimiter,
  realTiming,
  type Timing,
} from './rate-limiter.ts';

export interface NewsletterServiceDeps {
  config: Config;
  logger: Logger;
  store: DocumentStore;
  announcements: Announcements;
  issues: NewsletterIssues;
  subscriptions: Subscriptions;
  questions: QuestionLog;
  kb: () => KbIndex;
  channels: ChannelRegistry;
  roleAdmin: RoleAdmin;
  schedule: CronSchedule;
  /** The business clock: what "now" is for slots, periods and records. */
  clock?: () => Date;
  /** Real time for leases, rate limits and retry waits. */
  timing?: Timing;
  limiter?: PlatformRateLimiter;
  fanOut?: Partial<FanOutOptions>;
  /** The language model's intro writer; used only when configured. It never blocks an issue. */
  intro?: NewsletterIntroWriter | undefined;
  /** This replica's id on claims; random by default. */
  owner?: string;
  random?: () => number;
}

/** What running a slot did. */
export type RunOutcome =
  | { kind: 'sent' | 'partial'; issueKey: string; result: FanOutResult }
  | { kind: 'skipped'; issueKey: string }
  | { kind: 'already'; issueKey: string; issue: Issue }
  | { kind: 'busy'; issueKey: string }
  | { kind: 'no-destinations'; issueKey: string };

/** The composed issue for a slot plus its web archive version. */
export interface ComposedIssue {
  issueKey: string;
  slot: Date;
  result: ComposeResult;
  archive: Reply[];
}

/** The newsletter service. */
export interface NewsletterService {
  /** The issue key ("2026-W48") for a send time. */
  keyFor(slot: Date): string;
  /** Every destination: NEWSLETTER_DESTINATIONS plus chat subscriptions, as "platform:id". */
  destinations(): Promise<string[]>;
  /** Composes the issue for `slot` exactly as it would be posted (with the intro, if any). */
  compose(slot: Date): Promise<ComposedIssue>;
  /** Creates the slot's issue once (across replicas) and delivers it; resumes it if it exists. */
  runSlot(slot: Date, trigger: Issue['trigger'], by?: string): Promise<RunOutcome>;
  /** Continues every issue still being delivered. */
  resumeUnfinished(): Promise<void>;
  /** Lines describing recent issues, their deliveries, failures and reactions. */
  history(limit?: number): Promise<string>;
  /** The issue with this key, for the web archive. */
  issue(key: string): Promise<Issue | undefined>;
  recentIssues(limit: number): Promise<Issue[]>;
  /** Stops renewing leases (a stopping replica lets others take over). */
  stop(): void;
  readonly owner: string;
}

const runScope = 'newsletter-run';
const sendScope = 'newsletter-send';
const week = 7 * 86_400_000;

/** Creates the newsletter service. */
export function createNewsletterService(deps: NewsletterServiceDeps): NewsletterService {
  const { config, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const timing = deps.timing ?? realTiming;
  const owner = deps.owner ?? randomUUID();
  const limiter = deps.limiter ?? createPlatformRateLimiter(undefined, timing);
  const options: FanOutOptions = { ...defaultFanOutOptions, startedAt: timing.now(), ...deps.fanOut };
  const timeZone = config.newsletter.timezone;
  const inFlight = new Map<string, Promise<FanOutResult | undefined>>();
  const renewals = new Set<NodeJS.Timeout>();
  let stopped = false;

  const keyFor = (slot: Date) => issueKeyFor(slot, timeZone);
  const archiveUrl = (key: string) => `${config.http.publicUrl}/newsletter/archive/${key}`;
  const leaseUntil = (ms: number) => new Date(timing.now() + ms).toISOString();

  /**
   * The heartbeat of a lease this replica holds: renewed every third of the lease time while the work runs, so
   * a live holder keeps it and a dead one's lapses within `leaseMs`. Clear the returned timer when done.
   */
  function keepLease(scope: string, key: string): NodeJS.Timeout {
    const renew = setInterval(
      () => {
        deps.store
          .claim(scope, key, owner, leaseUntil(options.leaseMs))
          .then((held) => {
            if (!held) logger.error({ scope, key }, 'Lost a newsletter lease while working under it');
          })
          .catch((error: unknown) =>
            logger.warn({ err: error, scope }, 'Could not renew a newsletter lease'),
          );
      },
      Math.max(50, Math.floor(options.leaseMs / 3)),
    );
    renew.unref();
    renewals.add(renew);
    return renew;
  }

  async function destinations(): Promise<string[]> {
    const set = new Set<string>();
    for (const raw of (config.newsletter.destinations ?? '').split(',')) {
      const parsed = parseDestination(raw.trim());
      if (parsed) set.add(`${parsed.platform}:${parsed.id}`);
      else if (raw.trim())
        logger.warn({ entry: raw.trim() }, 'NEWSLETTER_DESTINATIONS entry ignored: expected platform:id');
    }
    for (const s of await deps.subscriptions.all()) set.add(s.id);
    return [...set];
  }

  /** Top articles: the most answered over the last 30 days, else the first articles of the knowledge base. */
  async function helpArticles(now: Date): Promise<{ title: string; url: string }[]> {
    const kb = deps.kb();
    const counts = new Map<string, number>();
    try {
      const since = new Date(now.getTime() - 30 * 86_400_000).toISOString();
      for (const q of await deps.questions.since(since, 20_000)) {
        if (q.answered && q.articleId) counts.set(q.articleId, (counts.get(q.articleId) ?? 0) + 1);
      }
    } catch (error) {
      logger.warn(
        { err: error },
        'Question log unavailable; the newsletter lists the first articles instead',
      );
    }
    const ranked = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([id]) => kb.get(id))
      .filter((a) => a !== undefined);
    const articles = ranked.length > 0 ? ranked : kb.articles;
    return articles
      .slice(0, 3)
      .map((a) => ({ title: a.title, url: articleUrl(config.http.publicUrl, a.id) }));
  }

  async function introFor(
    key: string,
    slot: Date,
    candidates: Awaited<ReturnType<Announcements['byStatus']>>,
  ) {
    if (!deps.intro || !config.openai.enabled) return undefined;
    const { placed } = placeAnnouncements(candidates, { start: slot, end: new Date(slot.getTime() + week) });
    if (placed.length === 0) return undefined;
    const input = {
      sectionTitles: [...new Set(placed.map((p) => sectionHeadings[p.section]))],
      announcementTitles: placed.map((p) => p.announcement.title),
    };
    // The same content gets the same intro, so the preview shows exactly what is sent.
    const id = `${key}|${createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16)}`;
    try {
      const cached = await deps.issues.cachedIntro(id);
      if (cached !== undefined) return cached;
      const text = (await deps.intro(input))?.trim();
      if (text) await deps.issues.cacheIntro(id, text.slice(0, 2000), clock().toISOString());
      return text || undefined;
    } catch (error) {
      logger.warn({ err: error, issueKey: key }, 'Newsletter intro unavailable; sending without one');
      return undefined;
    }
  }

  async function compose(slot: Date): Promise<ComposedIssue> {
    const key = keyFor(slot);
    const candidates = await deps.announcements.byStatus('scheduled');
    const base = {
      issueKey: key,
      sendAt: slot,
      period: { start: slot, end: new Date(slot.getTime() + week) },
      announcements: candidates,
      timeZone,
      quietWeek: config.newsletter.quietWeek,
      help: { articles: await helpArticles(clock()), reachIt: howToReachIt(config) },
      archiveUrl: archiveUrl(key),
      intro: await introFor(key, slot, candidates),
    };
    const result = composeIssue({ ...base, limits: postLimits });
    const archived = composeIssue({ ...base, limits: archiveLimits });
    return { issueKey: key, slot, result, archive: archived.kind === 'issue' ? archived.replies : [] };
  }

  /** Delivers an existing issue, holding the send lease so one replica's rate limits govern it. */
  async function deliver(issue: Issue): Promise<FanOutResult | undefined> {
    const running = inFlight.get(issue.key);
    if (running) return running;
    const work = (async () => {
      if (!(await deps.store.claim(sendScope, issue.key, owner, leaseUntil(options.leaseMs))))
        return undefined;
      const renew = keepLease(sendScope, issue.key);
      try {
        // A crash between creating the issue and its deliveries leaves some missing: create them now.
        const now = clock().toISOString();
        const have = new Set((await deps.issues.deliveries(issue.key)).map((d) => d.id));
        for (const spec of issue.destinations) {
          const parsed = parseDestination(spec);
          if (!parsed || have.has(`${issue.key}|${spec}`)) continue;
          await deps.issues.ensureDelivery(newDelivery(issue.key, parsed.platform, parsed.id, now));
        }
        const result = await fanOut(
          {
            issues: deps.issues,
            channels: deps.channels,
            limiter,
            logger,
            owner,
            timing,
            clock,
            options,
            ...(deps.random ? { random: deps.random } : {}),
          },
          issue.key,
          issue.replies,
        );
        logger.info({ issueKey: issue.key, ...result }, 'Newsletter delivery round finished');
        await finishIfDone(issue);
        return result;
      } finally {
        clearInterval(renew);
        renewals.delete(renew);
        if (!stopped) await deps.store.release(sendScope, issue.key, owner).catch(() => undefined);
      }
    })();
    inFlight.set(issue.key, work);
    try {
      return await work;
    } finally {
      inFlight.delete(issue.key);
    }
  }

  /** Marks the issue sent once every delivery is final; the replica that does so reports the failures. */
  async function finishIfDone(issue: Issue): Promise<void> {
    const all = await deps.issues.deliveries(issue.key);
    if (!all.every((d) => isFinal(d, options.maxRounds))) return;
    const failed = all.filter((d) => d.status === 'failed');
    const current = (await deps.issues.get(issue.key)) ?? issue;
    if (current.status !== 'sending') return;
    const done: Issue = {
      ...current,
      status: 'sent',
      completedAt: clock().toISOString(),
      summary: { sent: all.length - failed.length, failed: failed.length },
    };
    if (!(await deps.issues.replaceIfStatus(done, 'sending'))) return;
    logger.info(
      { issueKey: issue.key, sent: done.summary?.sent, failed: failed.length },
      'Newsletter issue delivered',
    );
    if (failed.length > 0) await reportFailures(issue.key, failed);
  }

  /** Tells every liaison IT Buddy can reach which destinations did not get the issue. */
  async function reportFailures(issueKey: string, failed: Delivery[]): Promise<void> {
    const lines = failed
      .slice(0, 20)
      .map(
        (d) =>
          `- ${escapeMarkdown(`${d.platform}:${d.destination}`)}: ${escapeMarkdown(d.reason ?? 'failed')}`,
      );
    if (failed.length > 20) lines.push(`- …and ${failed.length - 20} more (see \`newsletter history\`)`);
    const message = [
      reply.notice(
        'warning',
        `The IT newsletter ${issueKey} could not be delivered to ${failed.length} destination${failed.length === 1 ? '' : 's'}:\n${lines.join('\n')}\nIf a channel was archived or I was removed, type \`unsubscribe\` there or update NEWSLETTER_DESTINATIONS.`,
      ),
    ];
    for (const key of await deps.roleAdmin.holders('liaison')) {
      const parsed = parseDestination(key);
      const adapter = parsed ? deps.channels.get(parsed.platform) : undefined;
      if (!parsed || !adapter) continue;
      try {
        await adapter.sendDirect(parsed.id, message);
      } catch (error) {
        logger.warn(
          { err: error, platform: parsed.platform },
          'Could not tell a liaison about newsletter failures',
        );
      }
    }
    logger.warn({ issueKey, failed: failed.length }, 'Newsletter failures reported to liaisons');
  }

  async function runSlot(slot: Date, trigger: Issue['trigger'], by?: string): Promise<RunOutcome> {
    const key = keyFor(slot);
    const existing = await deps.issues.get(key);
    if (existing) {
      if (existing.status === 'sending') await deliver(existing);
      return { kind: 'already', issueKey: key, issue: (await deps.issues.get(key)) ?? existing };
    }
    const targets = await destinations();
    if (targets.length === 0) {
      logger.info(
        { issueKey: key },
        'No newsletter destinations: set NEWSLETTER_DESTINATIONS or `subscribe` a channel',
      );
      return { kind: 'no-destinations', issueKey: key };
    }
    // One replica composes and creates the issue; the claim lapses on its own if that replica dies.
    if (!(await deps.store.claim(runScope, key, owner, leaseUntil(options.leaseMs))))
      return { kind: 'busy', issueKey: key };
    // Composing may wait on the language model: the heartbeat keeps the run ours meanwhile.
    const composing = keepLease(runScope, key);
    let composed: ComposedIssue;
    try {
      composed = await compose(slot);
    } finally {
      clearInterval(composing);
      renewals.delete(composing);
    }
    const now = clock().toISOString();
    const result = composed.result;
    const issue: Issue = {
      key,
      scheduledFor: slot.toISOString(),
      createdAt: now,
      status: result.kind === 'skip' ? 'skipped' : 'sending',
      trigger,
      triggeredBy: by ?? null,
      quiet: result.kind === 'skip' ? true : result.quiet,
      replies: result.kind === 'issue' ? result.replies : [],
      archive: composed.archive,
      destinations: result.kind === 'issue' ? targets : [],
      announcementIds: result.kind === 'issue' ? result.included : [],
      completedAt: result.kind === 'skip' ? now : null,
      summary: null,
    };
    if (!(await deps.issues.create(issue))) {
      const other = (await deps.issues.get(key))!;
      return { kind: 'already', issueKey: key, issue: other };
    }
    await deps.announcements.markSent([...issue.announcementIds, ...result.retire], key, now);
    if (result.kind === 'skip') {
      logger.info({ issueKey: key, trigger }, 'Quiet week: newsletter skipped');
      return { kind: 'skipped', issueKey: key };
    }
    logger.info(
      { issueKey: key, trigger, destinations: issue.destinations.length },
      'Newsletter issue created',
    );
    const delivered = await deliver(issue);
    const outcome = delivered ?? { posted: 0, failed: 0, deferred: 0, skipped: 0 };
    return { kind: outcome.deferred > 0 ? 'partial' : 'sent', issueKey: key, result: outcome };
  }

  async function history(limit = 5): Promise<string> {
    const recent = await deps.issues.recent(limit);
    if (recent.length === 0) return 'No newsletter has gone out yet.';
    const blocks: string[] = [];
    for (const issue of recent) {
      const ds = await deps.issues.deliveries(issue.key);
      const count = (s: Delivery['status']) => ds.filter((d) => d.status === s).length;
      const reactions = await deps.issues.reactionCounts(issue.key);
      const head = `**${issue.key}** · ${issue.status}${issue.quiet ? ' (quiet week)' : ''} · ${issue.trigger.replace('_', '-')} · ${issue.createdAt.slice(0, 16).replace('T', ' ')} UTC`;
      const lines = [head];
      if (issue.status !== 'skipped') {
        lines.push(
          `- delivered ${count('sent')} of ${ds.length}${count('failed') ? ` · failed ${count('failed')}` : ''}${count('pending') + count('sending') ? ` · in progress ${count('pending') + count('sending')}` : ''} · 👍 ${reactions.up} 😐 ${reactions.meh} 👎 ${reactions.down}`,
        );
        for (const d of ds.filter((x) => x.status === 'failed').slice(0, 10)) {
          lines.push(
            `- failed: ${escapeMarkdown(`${d.platform}:${d.destination}`)}: ${escapeMarkdown(d.reason ?? 'unknown')}`,
          );
        }
      }
      blocks.push(lines.join('\n'));
    }
    return blocks.join('\n\n');
  }

  return {
    owner,
    keyFor,
    destinations,
    compose,
    runSlot,
    async resumeUnfinished() {
      for (const issue of await deps.issues.unfinished()) {
        try {
          await deliver(issue);
        } catch (error) {
          logger.error({ err: error, issueKey: issue.key }, 'Resuming a newsletter issue failed');
        }
      }
    },
    history,
    issue: (key) => deps.issues.get(key),
    recentIssues: (limit) => deps.issues.recent(limit),
    stop() {
      stopped = true;
      for (const r of renewals) clearInterval(r);
      renewals.clear();
    },
  };
}

function newDelivery(
  issueKey: string,
  platform: Delivery['platform'],
  destination: string,
  now: string,
): Delivery {
  return {
    id: `${issueKey}|${platform}:${destination}`,
    issueKey,
    platform,
    destination,
    status: 'pending',
    rev: 0,
    owner: null,
    leaseUntil: null,
    attempts: 0,
    rounds: 0,
    messageId: null,
    reason: null,
    permanent: false,
    retryAt: null,
    updatedAt: now,
  };
}
