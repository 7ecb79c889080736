// Composes one newsletter issue from announcements: pure, so previews, sends and tests all see the same thing.
//
// Sections appear in a fixed order, each bounded in length so every platform can carry it (Slack section text
// stops at 3,000 characters, a Teams card at about 28 KB): a long section is split into several, and beyond
// `maxItemsPerSection` items the rest is left to the web archive with an "and N more" link.
import type { Announcement, AnnouncementCategory } from '../announcements/announcement.ts';
import { escapeMarkdown, safeUrl, truncate } from '../messages/markdown.ts';
import type { Card, Reply, Section } from '../messages/replies.ts';
import { reply } from '../messages/replies.ts';
import { formatDay, formatWindow } from '../time/zoned-time.ts';

/** Section ids in the order they appear. */
export const sectionOrder = ['changing', 'coming_up', 'maintenance', 'tips', 'success'] as const;
export type SectionId = (typeof sectionOrder)[number];

export const sectionHeadings: Record<SectionId, string> = {
  changing: "What's changing",
  coming_up: 'Coming up',
  maintenance: 'Maintenance & outages',
  tips: 'Tips',
  success: 'Success stories',
};

const homeSection: Record<AnnouncementCategory, SectionId> = {
  change: 'changing',
  coming_up: 'coming_up',
  maintenance: 'maintenance',
  tip: 'tips',
  success: 'success',
};

/** Action ids the issue's buttons carry; the newsletter feature handles them. */
export const newsletterActions = {
  react: 'newsletter.react',
  suggest: 'newsletter.suggest',
} as const;

/** Size limits that keep an issue within every platform's message limits. */
export interface ComposeLimits {
  maxItemsPerSection: number;
  maxSectionChars: number;
  maxItemChars: number;
}

/** Limits for what is posted to chat platforms. */
export const postLimits: ComposeLimits = { maxItemsPerSection: 6, maxSectionChars: 2500, maxItemChars: 400 };
/** Limits for the web archive: every item, sections still split. */
export const archiveLimits: ComposeLimits = {
  maxItemsPerSection: 10_000,
  maxSectionChars: 2500,
  maxItemChars: 1200,
};

export interface ComposeInput {
  issueKey: string;
  /** When the issue goes out; the issue covers the week from here. */
  sendAt: Date;
  /** The covered period: announcements taking effect in it are this issue's news; later ones are "coming up". */
  period: { start: Date; end: Date };
  /** Candidates; only `scheduled` ones are used. */
  announcements: Announcement[];
  timeZone: string;
  quietWeek: 'skip' | 'short';
  help: {
    /** The most useful knowledge-base articles, already with their web links. */
    articles: { title: string; url: string }[];
    /** How to reach IT, one sentence of IT Buddy markdown built from configuration. */
    reachIt: string;
  };
  archiveUrl: string;
  /** An optional intro written by the language model; treated as untrusted text. */
  intro?: string | undefined;
  limits?: ComposeLimits;
}

export type ComposeResult =
  | { kind: 'skip'; issueKey: string; retire: string[] }
  | {
      kind: 'issue';
      issueKey: string;
      quiet: boolean;
      replies: Reply[];
      /** Announcements this issue tells for the last time (they become `sent`). */
      included: string[];
      /** Announcements that are no longer news (maintenance already over) and are retired unseen. */
      retire: string[];
      counts: Record<SectionId, number>;
    };

interface Placed {
  section: SectionId;
  announcement: Announcement;
  /** True when this issue is its home (it becomes `sent`); false for an early "coming up" mention. */
  home: boolean;
}

/** Decides which section each announcement belongs in, or that it is not news any more. */
export function placeAnnouncements(
  announcements: Announcement[],
  period: ComposeInput['period'],
): { placed: Placed[]; retire: string[] } {
  const placed: Placed[] = [];
  const retire: string[] = [];
  const start = period.start.toISOString();
  const end = period.end.toISOString();
  for (const a of announcements) {
    if (a.status !== 'scheduled') continue;
    if (a.startsAt >= end) {
      placed.push({ section: 'coming_up', announcement: a, home: false });
      continue;
    }
    if (a.category === 'maintenance' && a.endsAt && a.endsAt < start) {
      retire.push(a.id);
      continue;
    }
    placed.push({ section: homeSection[a.category], announcement: a, home: true });
  }
  placed.sort(
    (x, y) =>
      x.announcement.startsAt.localeCompare(y.announcement.startsAt) ||
      x.announcement.title.localeCompare(y.announcement.title),
  );
  return { placed, retire };
}

/** One announcement as IT Buddy markdown (every user-written part escaped). */
export function renderItem(a: Announcement, timeZone: string, maxChars: number): string {
  const when = formatWindow(new Date(a.startsAt), a.endsAt ? new Date(a.endsAt) : undefined, timeZone);
  const head = `**${escapeMarkdown(a.title)}** · ${when}`;
  const who = `_Who's affected:_ ${escapeMarkdown(truncate(a.who, 200))}`;
  const link = a.link ? ` · [Details](${safeUrl(a.link)})` : '';
  const tail = `${who}${link}`;
  const room = Math.max(40, maxChars - head.length - tail.length - 2);
  return `${head}\n${escapeMarkdown(truncate(a.what, room))}\n${tail}`;
}

/**
 * Packs items into sections of at most `maxChars` characters: the first carries the heading, the rest say
 * "(continued)". A single item longer than the limit is cut to fit.
 */
export function packSection(heading: string, items: string[], maxChars: number, more?: string): Section[] {
  const sections: Section[] = [];
  let current: string[] = [];
  let length = 0;
  const flush = () => {
    if (current.length === 0) return;
    sections.push({
      heading: sections.length === 0 ? heading : `${heading} (continued)`,
      text: current.join('\n\n'),
    });
    current = [];
    length = 0;
  };
  const all = more ? [...items, more] : items;
  for (const raw of all) {
    const item = truncate(raw, maxChars);
    const added = current.length === 0 ? item.length : item.length + 2;
    if (length + added > maxChars) flush();
    current.push(item);
    length += current.length === 1 ? item.length : item.length + 2;
  }
  flush();
  return sections;
}

/** The "where to get help" section every issue ends with. */
export function helpSection(help: ComposeInput['help']): Section {
  const lines = [
    '- **Ask me, IT Buddy**: message me a question in your own words, like _how do I connect to the VPN?_',
  ];
  if (help.articles.length > 0) {
    lines.push(
      `- **Popular guides**: ${help.articles
        .slice(0, 5)
        .map((a) => `[${escapeMarkdown(truncate(a.title, 80))}](${safeUrl(a.url)})`)
        .join(', ')}`,
    );
  }
  lines.push(`- **Need a person?** ${help.reachIt}`);
  return { heading: 'Where to get help', text: lines.join('\n') };
}

/** The feedback ask and its buttons: one-click reactions and "Suggest a topic". */
export function feedbackParts(issueKey: string): { section: Section; actions: Card['actions'] } {
  return {
    section: {
      heading: 'How was this issue?',
      text: 'One click tells the team what to keep doing. Missing something? Suggest a topic for next week.',
    },
    actions: [
      reply.button('👍', newsletterActions.react, `${issueKey}|up`),
      reply.button('😐', newsletterActions.react, `${issueKey}|meh`),
      reply.button('👎', newsletterActions.react, `${issueKey}|down`),
      reply.button('Suggest a topic', newsletterActions.suggest, issueKey, 'primary'),
    ],
  };
}

/** Composes the issue: a single neutral card of kind 'newsletter', or a skip on a quiet week in skip mode. */
export function composeIssue(input: ComposeInput): ComposeResult {
  const limits = input.limits ?? postLimits;
  const { placed, retire } = placeAnnouncements(input.announcements, input.period);
  const counts = Object.fromEntries(sectionOrder.map((s) => [s, 0])) as Record<SectionId, number>;
  for (const p of placed) counts[p.section]++;
  const quiet = placed.length === 0;
  if (quiet && input.quietWeek === 'skip') return { kind: 'skip', issueKey: input.issueKey, retire };

  const sections: Section[] = [];
  if (input.intro?.trim()) sections.push({ text: escapeMarkdown(truncate(input.intro.trim(), 600)) });
  if (quiet) {
    sections.push({
      heading: 'No changes this week',
      text: 'Nothing new from IT this week: no changes, no planned maintenance. Enjoy the quiet!',
    });
  }
  for (const id of sectionOrder) {
    const items = placed.filter((p) => p.section === id);
    if (items.length === 0) continue;
    const shown = items.slice(0, limits.maxItemsPerSection);
    const hidden = items.length - shown.length;
    const more =
      hidden > 0 ? `_…and ${hidden} more — [see the archive](${safeUrl(input.archiveUrl)})_` : undefined;
    sections.push(
      ...packSection(
        sectionHeadings[id],
        shown.map((p) => renderItem(p.announcement, input.timeZone, limits.maxItemChars)),
        limits.maxSectionChars,
        more,
      ),
    );
  }
  sections.push(helpSection(input.help));
  const feedback = feedbackParts(input.issueKey);
  sections.push(feedback.section);

  const card: Card = {
    type: 'card',
    kind: 'newsletter',
    title: quiet ? 'IT news: a quiet week' : 'IT news this week',
    subtitle: `Week of ${formatDay(input.sendAt, input.timeZone)} · ${input.issueKey}`,
    sections,
    ...(feedback.actions ? { actions: feedback.actions } : {}),
    link: { label: 'Read it on the web', url: input.archiveUrl },
    footer: 'You get this because this channel is subscribed to the IT newsletter.',
  };
  return {
    kind: 'issue',
    issueKey: input.issueKey,
    quiet,
    replies: [card],
    included: placed.filter((p) => p.home).map((p) => p.announcement.id),
    retire,
    counts,
  };
}
