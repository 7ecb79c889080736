// The App Home tab: the user's open requests, current and upcoming announcements, how to use IT Buddy, and for IT staff the
// newest requests waiting for triage. Built as neutral cards, then rendered like any message (up to 100 blocks).
//
// The data comes from the core. When the core offers `app.home(userKey)` (neutral replies), that is used as-is;
// otherwise this reads what the app exposes (`app.requests`, `app.newsletter.announcements`, role grants)
// defensively, so the tab still works, with less in it, when a feature is absent.

import { type Announcement, currentAndUpcoming } from '../../src/announcements/announcement.ts';
import type { App } from '../../src/app.ts';
import { type RoleGrants, resolveRoles } from '../../src/bot/roles.ts';
import { escapeMarkdown, truncate } from '../../src/messages/markdown.ts';
import type { Card, Reply } from '../../src/messages/replies.ts';
import { formatWindow } from '../../src/time/zoned-time.ts';
import { type MessageBlock, renderMessage, slackLimits } from './render-blocks.ts';

/** A home view for views.publish. */
export interface HomeView {
  type: 'home';
  blocks: MessageBlock[];
}

type Loose = Record<string, unknown>;
type Fn = (...args: unknown[]) => unknown;

const closedStatuses = new Set(['resolved', 'closed', 'declined', 'withdrawn', 'done', 'cancelled']);

function member(obj: unknown, name: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Loose)[name] : undefined;
}

/** Calls the first of `names` that `obj` has as a method; undefined when none exists or it fails. */
async function callFirst(obj: unknown, names: string[], ...args: unknown[]): Promise<Loose[] | undefined> {
  for (const name of names) {
    const fn = member(obj, name);
    if (typeof fn !== 'function') continue;
    const result: unknown = await (fn as Fn).apply(obj, args);
    return Array.isArray(result)
      ? result.filter((r): r is Loose => r !== null && typeof r === 'object')
      : undefined;
  }
  return undefined;
}

function str(item: Loose, ...keys: string[]): string {
  for (const k of keys) {
    const v = item[k];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return '';
}

function statusLabel(status: string): string {
  return status.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

function requestLine(r: Loose): string {
  const ref = str(r, 'reference', 'ref', 'key', 'id');
  const title = truncate(str(r, 'title', 'summary', 'subject', 'description', 'text'), 120);
  const status = str(r, 'status', 'state');
  return `- ${ref ? `**${escapeMarkdown(ref)}** · ` : ''}${escapeMarkdown(title || 'Request')}${status ? ` · _${escapeMarkdown(statusLabel(status))}_` : ''}`;
}

function announcementLine(a: Announcement, timeZone: string): string {
  const window = formatWindow(new Date(a.startsAt), a.endsAt ? new Date(a.endsAt) : undefined, timeZone);
  return `- **${escapeMarkdown(truncate(a.title, 120))}** (${window}) — ${escapeMarkdown(truncate(a.what, 200))}`;
}

const howTo: Card = {
  type: 'card',
  kind: 'help',
  title: 'How to use IT Buddy',
  sections: [
    {
      text: [
        '- Ask a question in the **Messages** tab, like _how do I connect to the VPN?_',
        '- Mention @IT Buddy in a channel and I answer in the thread.',
        '- `/itbuddy request` asks IT for something; `/itbuddy status` shows your requests.',
        '- On any message: **⋯ → Create IT request** turns it into a request.',
      ].join('\n'),
    },
  ],
};

/** The neutral content of the Home tab for `userKey`. */
export async function homeReplies(app: App, userKey: string): Promise<Reply[]> {
  const home = member(app, 'home');
  if (typeof home === 'function') {
    const replies: unknown = await (home as Fn).call(app, userKey);
    if (Array.isArray(replies) && replies.length > 0) return [...(replies as Reply[]), howTo];
  }
  const cards: Reply[] = [];
  const requests = member(app, 'requests');
  const mine = await callFirst(requests, ['listByRequester', 'byRequester'], userKey, 20).catch(
    () => undefined,
  );
  if (mine) {
    const open = mine.filter((r) => !closedStatuses.has(str(r, 'status'))).slice(0, 10);
    cards.push({
      type: 'card',
      kind: 'list',
      title: 'Your open requests',
      sections: [
        { text: open.length > 0 ? open.map(requestLine).join('\n') : 'You have no open requests. 🎉' },
      ],
    });
  }
  // What is in effect now and what is coming, as soon as it is published: an outage must not wait for the
  // newsletter to carry it before it shows here.
  const now = new Date();
  const published = await app.newsletter.announcements
    .publishedStartingFrom(new Date(now.getTime() - 366 * 86_400_000).toISOString())
    .catch(() => undefined);
  const { current, upcoming } = currentAndUpcoming(published ?? [], now);
  if (current.length > 0 || upcoming.length > 0) {
    cards.push({
      type: 'card',
      kind: 'announcement',
      title: 'Announcements',
      sections: [
        ...(current.length > 0
          ? [
              {
                heading: 'Now',
                text: current
                  .slice(0, 5)
                  .map((a) => announcementLine(a, app.config.newsletter.timezone))
                  .join('\n'),
              },
            ]
          : []),
        ...(upcoming.length > 0
          ? [
              {
                heading: 'Coming up',
                text: upcoming
                  .slice(0, 5)
                  .map((a) => announcementLine(a, app.config.newsletter.timezone))
                  .join('\n'),
              },
            ]
          : []),
      ],
    });
  }
  const grants = member(member(app, 'newsletter'), 'roleGrants') as RoleGrants | undefined;
  const roles = await resolveRoles(app.config, userKey, grants).catch(() =>
    resolveRoles(app.config, userKey),
  );
  if (roles.canTriage()) {
    const waiting =
      (await callFirst(requests, ['listUnacknowledged'], 10).catch(() => undefined)) ??
      (await callFirst(requests, ['withStatus'], ['new'], 10).catch(() => undefined));
    if (waiting) {
      cards.push({
        type: 'card',
        kind: 'list',
        title: 'Waiting for triage',
        sections: [
          {
            text:
              waiting.length > 0
                ? waiting.slice(0, 10).map(requestLine).join('\n')
                : 'Nothing waiting. Nice work!',
          },
        ],
      });
    }
  }
  return [...cards, howTo];
}

/** The Home tab view for `userKey`. */
export async function buildHomeView(app: App, userKey: string): Promise<HomeView> {
  const replies = await homeReplies(app, userKey);
  return { type: 'home', blocks: renderMessage(replies, { maxBlocks: slackLimits.viewBlocks }).blocks };
}
