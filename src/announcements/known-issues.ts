// Known issues: maintenance in effect right now whose service keywords match what someone wrote. Questions and
// new incident requests about it are answered with the notice first ("Known issue: VPN maintenance until 14:00").
import type { BotFeature } from '../bot/feature.ts';
import { escapeMarkdown, safeUrl, truncate } from '../messages/markdown.ts';
import { type Reply, reply } from '../messages/replies.ts';
import type { Announcements } from '../store/repositories/announcements.ts';
import { formatClock, formatDayTime, sameLocalDay } from '../time/zoned-time.ts';
import type { Announcement } from './announcement.ts';

/** One maintenance in effect that matches a message. */
export interface KnownIssue {
  announcementId: string;
  title: string;
  /** When it ends (ISO). */
  until: string;
  /** The notice, in IT Buddy markdown: "Known issue: **VPN maintenance** until 14:00. …". */
  notice: string;
  /** A link with the details, when the liaison gave one. */
  url: string | undefined;
}

/**
 * Finds the maintenance in effect at `now` (start ≤ now < end) matching `text`. Intake uses it to link the
 * announcement from the IT summary of an incident request; the router shows it before any answer.
 */
export type ActiveKnownIssues = (text: string, now: Date) => Promise<KnownIssue[]>;

function normalize(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** True when `keyword` occurs in `text` as a whole word or phrase (a plural "s" allowed). */
export function mentions(text: string, keyword: string): boolean {
  const k = normalize(keyword).trim();
  if (k.length < 2) return false;
  const pattern = k
    .split(/\s+/)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s-]+');
  return new RegExp(`(?<![\\p{L}\\p{N}])${pattern}(?:s|es)?(?![\\p{L}\\p{N}])`, 'u').test(normalize(text));
}

/** The known issues among `announcements` for `text` at `now` (pure). */
export function matchKnownIssues(
  announcements: Announcement[],
  text: string,
  now: Date,
  timeZone: string,
): KnownIssue[] {
  const iso = now.toISOString();
  return announcements
    .filter(
      (a) =>
        a.category === 'maintenance' &&
        (a.status === 'scheduled' || a.status === 'sent') &&
        a.startsAt <= iso &&
        a.endsAt !== null &&
        iso < a.endsAt &&
        a.keywords.some((k) => mentions(text, k)),
    )
    .map((a) => {
      const end = new Date(a.endsAt!);
      const until = sameLocalDay(end, now, timeZone)
        ? formatClock(end, timeZone)
        : formatDayTime(end, timeZone);
      const details = a.link ? ` [Details](${safeUrl(a.link)})` : '';
      return {
        announcementId: a.id,
        title: a.title,
        until: a.endsAt!,
        notice: `Known issue: **${escapeMarkdown(a.title)}** until ${until}. ${escapeMarkdown(truncate(a.what, 300))}${details}`,
        url: a.link ?? undefined,
      };
    });
}

/** `activeKnownIssues` over the announcements repository; the candidates are cached for a few seconds. */
export function createActiveKnownIssues(
  announcements: Announcements,
  timeZone: string,
  cacheMs = 10_000,
): ActiveKnownIssues & { invalidate(): void } {
  let cache: { at: number; items: Announcement[] } | undefined;
  const fn = async (text: string, now: Date) => {
    const realNow = Date.now();
    if (!cache || realNow - cache.at > cacheMs) {
      // Maintenance that began up to a year ago covers any window still open; the end is checked per message.
      // Asked about a past moment (an incident's IT card), the cache still covers the present for the router.
      const horizon = Math.max(now.getTime(), realNow) + cacheMs;
      cache = {
        at: realNow,
        items: await announcements.maintenanceStartedBy(new Date(horizon).toISOString()),
      };
    }
    return matchKnownIssues(cache.items, text, now, timeZone);
  };
  return Object.assign(fn, {
    invalidate() {
      cache = undefined;
    },
  });
}

/** Commands about the newsletter itself never get a notice. */
const managementCommands = new Set(['announce', 'newsletter', 'roles', 'subscribe', 'unsubscribe']);

/** The router feature that places the notice before answers, forms and commands about the affected service. */
export function createKnownIssuesFeature(activeKnownIssues: ActiveKnownIssues): BotFeature {
  return {
    name: 'known-issues',
    async preface(ctx): Promise<Reply[]> {
      const first = ctx.text.split(' ')[0]?.replace(/^\//, '').toLowerCase() ?? '';
      if (managementCommands.has(first)) return [];
      const issues = await activeKnownIssues(ctx.text, ctx.now);
      return issues.map((i) => reply.notice('warning', i.notice));
    },
  };
}
