// The `announce` command: liaisons publish, list, edit and withdraw their announcements through the neutral
// form 'announce.create' (a Slack modal, a Teams card, an HTML form); admins may edit or withdraw any.
import type { BotFeature, TurnContext } from '../bot/feature.ts';
import { escapeMarkdown } from '../messages/markdown.ts';
import { type Card, type Reply, reply } from '../messages/replies.ts';
import type { Announcements } from '../store/repositories/announcements.ts';
import { formatDayTime, formatWindow } from '../time/zoned-time.ts';
import {
  type Announcement,
  announceFormId,
  announcementForm,
  categoryLabels,
  formValuesOf,
  parseAnnouncementForm,
} from './announcement.ts';

/** Button ids the feature owns. */
export const announceActions = {
  edit: 'announce.edit',
  withdraw: 'announce.withdraw',
} as const;

export interface AnnouncementFeatureDeps {
  announcements: Announcements;
  /** Called after any change, so caches (known issues) refresh at once. */
  onChange?: () => void;
  /** When the next newsletter goes out, so a liaison is told when their maintenance will be over before it. */
  nextIssueAt?: () => Date | undefined;
}

/** A polite refusal for someone without the publishing role; logged so admins can see who tried. */
export function refusePublishing(ctx: TurnContext, what: string): Reply[] {
  ctx.logger.info({ userKey: ctx.userKey, attempted: what }, 'Refused: publishing needs the liaison role');
  return [
    reply.notice(
      'info',
      "Sorry, only IT liaisons can publish announcements. If you'd like something in the newsletter, tell your team's liaison, or use _Suggest a topic_ on the next issue. An admin can make you a liaison with `roles grant`.",
    ),
  ];
}

/** Why `ctx` may not change `a`, or undefined when it may. */
function cannotChange(ctx: TurnContext, a: Announcement): string | undefined {
  if (a.authorKey !== ctx.userKey && !ctx.roles.isAdmin()) {
    return `${a.id} belongs to another liaison; only they or an admin can change it.`;
  }
  if (a.status === 'sent') {
    const issue = a.sentInIssue ? ` ${a.sentInIssue}` : '';
    return `${a.id} already went out in the newsletter${issue}, so it can't be changed now.`;
  }
  if (a.status === 'withdrawn') return `${a.id} was withdrawn. Publish a new announcement instead.`;
  return undefined;
}

/**
 * True when a published maintenance ends before the next issue goes out: the newsletter leaves it out (it is no
 * longer news), and it is only a known-issue notice until it ends.
 */
function overBeforeIssue(a: Announcement, nextIssue: Date | undefined): boolean {
  return (
    a.status === 'scheduled' &&
    a.category === 'maintenance' &&
    a.endsAt !== null &&
    a.endsAt !== undefined &&
    nextIssue !== undefined &&
    a.endsAt < nextIssue.toISOString()
  );
}

/** The announcement as a card, with Edit and Withdraw buttons while it can still change. */
export function announcementCard(a: Announcement, timeZone: string, nextIssue?: Date): Card {
  const open = a.status === 'draft' || a.status === 'scheduled';
  return {
    type: 'card',
    kind: 'announcement',
    title: escapeMarkdown(a.title),
    subtitle: `${a.id} · ${categoryLabels[a.category]} · ${statusLabel(a, nextIssue)}`,
    sections: [
      { text: escapeMarkdown(a.what) },
      {
        fields: [
          { label: 'Who is affected', value: escapeMarkdown(a.who) },
          {
            label: 'When',
            value: formatWindow(new Date(a.startsAt), a.endsAt ? new Date(a.endsAt) : undefined, timeZone),
          },
          ...(a.keywords.length > 0
            ? [{ label: 'Services', value: escapeMarkdown(a.keywords.join(', ')) }]
            : []),
        ],
      },
    ],
    ...(open
      ? {
          actions: [
            reply.button('Edit', announceActions.edit, a.id),
            reply.button('Withdraw', announceActions.withdraw, a.id, 'danger'),
          ],
        }
      : {}),
    ...(a.link ? { link: { label: 'Details', url: a.link } } : {}),
  };
}

function statusLabel(a: Announcement, nextIssue: Date | undefined): string {
  if (overBeforeIssue(a, nextIssue)) return 'over before the next newsletter';
  return { draft: 'draft', scheduled: 'in the next newsletter', sent: 'sent', withdrawn: 'withdrawn' }[
    a.status
  ];
}

/** The announcements feature. */
export function createAnnouncementFeature(deps: AnnouncementFeatureDeps): BotFeature {
  const { announcements } = deps;
  const changed = () => deps.onChange?.();
  const nextIssue = () => deps.nextIssueAt?.();

  /** What publishing did, told honestly: a maintenance over before the next issue never appears in it. */
  function published(a: Announcement, tz: string): string {
    const next = nextIssue();
    if (next && a.endsAt && overBeforeIssue(a, next)) {
      return `Published (${a.id}). It ends (${formatDayTime(new Date(a.endsAt), tz)}) before the next IT newsletter goes out (${formatDayTime(next, tz)}), so the newsletter will leave it out; until then, anyone asking about ${escapeMarkdown(a.keywords.join(', '))} sees it as a known issue.`;
    }
    return `Published (${a.id}): it goes into the next IT newsletter.`;
  }

  async function list(ctx: TurnContext, all: boolean): Promise<Reply[]> {
    const tz = ctx.config.newsletter.timezone;
    const items = all
      ? [...(await announcements.byStatus('scheduled', 50)), ...(await announcements.byStatus('draft', 50))]
      : await announcements.byAuthor(ctx.userKey, 30);
    if (items.length === 0) {
      return [
        reply.text(
          all
            ? 'There are no open announcements.'
            : "You haven't written any announcements yet. Type `announce` to start one.",
        ),
      ];
    }
    return [
      {
        type: 'card',
        kind: 'list',
        title: all ? 'Open announcements' : 'Your announcements',
        sections: items.slice(0, 30).map((a) => ({
          text: `**${escapeMarkdown(a.title)}** · \`${a.id}\` · ${statusLabel(a, nextIssue())}\n${categoryLabels[a.category]} · ${formatWindow(
            new Date(a.startsAt),
            a.endsAt ? new Date(a.endsAt) : undefined,
            tz,
          )}`,
        })),
        footer: 'Change one with `announce edit <id>` or `announce withdraw <id>`.',
      },
    ];
  }

  /** The announcement `id` if this user may still change it; otherwise the replies that say why not. */
  async function changeable(ctx: TurnContext, id: string | undefined, verb: 'edit' | 'withdraw') {
    if (!ctx.roles.canPublish()) return refusePublishing(ctx, `announce ${verb}`);
    if (!id?.trim()) {
      return [
        reply.text(
          `Which announcement? Say \`announce ${verb} <id>\`, like \`announce ${verb} ann-3\`; \`announce list\` shows yours with their ids.`,
        ),
      ];
    }
    const a = await announcements.get(id.trim());
    if (!a) {
      return [
        reply.text(
          `I couldn't find announcement ${escapeMarkdown(id?.trim() || '')}. Type \`announce list\` to see yours.`,
        ),
      ];
    }
    const reason = cannotChange(ctx, a);
    if (reason) {
      ctx.logger.info(
        { userKey: ctx.userKey, announcementId: a.id, status: a.status },
        `Refused: announcement ${verb === 'edit' ? 'edit' : 'withdrawal'}`,
      );
      return [reply.notice('info', reason)];
    }
    return a;
  }

  async function editForm(ctx: TurnContext, id: string | undefined): Promise<Reply[]> {
    const found = await changeable(ctx, id, 'edit');
    if (Array.isArray(found)) return found;
    const a = found;
    return [announcementForm({ values: formValuesOf(a, ctx.config.newsletter.timezone), editing: a.id })];
  }

  async function withdraw(ctx: TurnContext, id: string | undefined): Promise<Reply[]> {
    const found = await changeable(ctx, id, 'withdraw');
    if (Array.isArray(found)) return found;
    const a = found;
    const ok = await announcements.replaceIf(
      { ...a, status: 'withdrawn', updatedAt: ctx.now.toISOString() },
      a.updatedAt,
    );
    if (!ok)
      return [
        reply.notice('info', `${a.id} changed a moment ago. Please look again with \`announce list\`.`),
      ];
    changed();
    ctx.logger.info({ announcementId: a.id, by: ctx.userKey }, 'Announcement withdrawn');
    return [
      reply.notice(
        'success',
        `Withdrawn: **${escapeMarkdown(a.title)}** won't appear in the newsletter or as a notice.`,
      ),
    ];
  }

  return {
    name: 'announcements',
    commands: {
      async announce(ctx, args) {
        const [sub = '', ...rest] = args.trim().split(/\s+/);
        const verb = sub.toLowerCase();
        if (verb === 'list') {
          if (!ctx.roles.canPublish()) return refusePublishing(ctx, 'announce list');
          const all = rest[0]?.toLowerCase() === 'all';
          if (all && !ctx.roles.isAdmin()) return list(ctx, false);
          return list(ctx, all);
        }
        if (verb === 'edit') return editForm(ctx, rest[0]);
        if (verb === 'withdraw') return withdraw(ctx, rest[0]);
        if (verb !== '' && verb !== 'new') {
          return [
            reply.text(
              'Try `announce` for a new announcement, `announce list`, `announce edit <id>` or `announce withdraw <id>`.',
            ),
          ];
        }
        if (!ctx.roles.canPublish()) return refusePublishing(ctx, 'announce');
        return [announcementForm({ values: { publish: 'scheduled' } })];
      },
    },
    actions: {
      [announceActions.edit]: (ctx, value) => editForm(ctx, value),
      [announceActions.withdraw]: (ctx, value) => withdraw(ctx, value),
    },
    forms: {
      async [announceFormId](ctx, form) {
        if (!ctx.roles.canPublish()) return refusePublishing(ctx, 'announce submit');
        const tz = ctx.config.newsletter.timezone;
        const editingId = form.state?.trim() || undefined;
        const parsed = parseAnnouncementForm(form.values, tz);
        if (!parsed.ok) {
          return [
            announcementForm({
              values: form.values,
              errors: parsed.errors,
              ...(editingId ? { editing: editingId } : {}),
            }),
          ];
        }
        const now = ctx.now.toISOString();
        const status = parsed.publish;
        if (editingId) {
          const existing = await announcements.get(editingId);
          if (!existing)
            return [reply.text(`I couldn't find announcement ${escapeMarkdown(editingId)} any more.`)];
          const reason = cannotChange(ctx, existing);
          if (reason) {
            ctx.logger.info(
              { userKey: ctx.userKey, announcementId: existing.id },
              'Refused: announcement edit',
            );
            return [reply.notice('info', reason)];
          }
          const updated: Announcement = { ...existing, ...parsed.content, status, updatedAt: now };
          if (!(await announcements.replaceIf(updated, existing.updatedAt))) {
            return [
              reply.notice(
                'info',
                `${existing.id} changed while you were editing. Open it again with \`announce edit ${existing.id}\`.`,
              ),
            ];
          }
          changed();
          ctx.logger.info({ announcementId: updated.id, by: ctx.userKey, status }, 'Announcement updated');
          return [reply.notice('success', 'Saved your changes.'), announcementCard(updated, tz, nextIssue())];
        }
        const created: Announcement = {
          id: await announcements.nextId(),
          ...parsed.content,
          authorKey: ctx.userKey,
          authorName: ctx.message.user.name ?? null,
          status,
          createdAt: now,
          updatedAt: now,
          sentInIssue: null,
        };
        await announcements.insert(created);
        changed();
        ctx.logger.info(
          { announcementId: created.id, by: ctx.userKey, category: created.category, status },
          'Announcement created',
        );
        return [
          reply.notice(
            'success',
            status === 'draft'
              ? `Saved as a draft (${created.id}). Publish it later with \`announce edit ${created.id}\`.`
              : published(created, tz),
          ),
          announcementCard(created, tz, nextIssue()),
        ];
      },
    },
    help: (ctx) =>
      ctx.roles.canPublish()
        ? [
            '`announce` – publish an IT announcement (`announce list`, `announce edit <id>`, `announce withdraw <id>`)',
          ]
        : [],
  };
}
