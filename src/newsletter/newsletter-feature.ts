// Chat commands around the newsletter: preview, send-now, history and status; subscribe and unsubscribe for a
// channel; and the issue's own buttons (reactions, "Suggest a topic") with the suggestion form.
import { randomUUID } from 'node:crypto';
import type { BotFeature, TurnContext } from '../bot/feature.ts';
import type { ChannelRegistry } from '../channels/channel-adapter.ts';
import { escapeMarkdown, stripControl } from '../messages/markdown.ts';
import { type Form, type Reply, reply } from '../messages/replies.ts';
import type { NewsletterIssues, ReactionValue } from '../store/repositories/newsletter-issues.ts';
import { reactionValues } from '../store/repositories/newsletter-issues.ts';
import type { Subscriptions } from '../store/repositories/subscriptions.ts';
import type { TopicSuggestions } from '../store/repositories/topic-suggestions.ts';
import { formatDayTime } from '../time/zoned-time.ts';
import { newsletterActions } from './compose.ts';
import type { NewsletterService } from './newsletter-service.ts';
import type { NewsletterScheduler } from './scheduler.ts';

export const suggestFormId = 'newsletter.suggest';

export interface NewsletterFeatureDeps {
  service: NewsletterService;
  scheduler: NewsletterScheduler;
  issues: NewsletterIssues;
  subscriptions: Subscriptions;
  suggestions: TopicSuggestions;
  channels: ChannelRegistry;
}

/** The feature, plus a way to wait for sends it started in the background (tests, shutdown). */
export type NewsletterFeature = BotFeature & { idle(): Promise<void> };

function refuse(ctx: TurnContext, what: string, needs: 'liaison' | 'admin'): Reply[] {
  ctx.logger.info({ userKey: ctx.userKey, attempted: what }, `Refused: ${what} needs the ${needs} role`);
  return [
    reply.notice(
      'info',
      needs === 'admin'
        ? `Sorry, only IT Buddy admins can use \`${what}\`. Ask an admin if the newsletter needs to go out early.`
        : `Sorry, only IT liaisons can use \`${what}\`. Ask your team's liaison, or an admin, to do it for this channel.`,
    ),
  ];
}

function suggestForm(issueKey: string | undefined, error?: string): Form {
  return {
    type: 'form',
    id: suggestFormId,
    title: 'Suggest a topic',
    intro: 'What would you like the IT newsletter to cover? The IT liaisons read every suggestion.',
    submitLabel: 'Send suggestion',
    fields: [{ name: 'topic', label: 'Your topic', kind: 'textarea', required: true, maxLength: 500 }],
    ...(error ? { errors: { topic: error } } : {}),
    ...(issueKey ? { state: issueKey } : {}),
  };
}

/** Creates the newsletter feature. */
export function createNewsletterFeature(deps: NewsletterFeatureDeps): NewsletterFeature {
  const { service, scheduler } = deps;
  const background = new Set<Promise<unknown>>();

  async function preview(ctx: TurnContext): Promise<Reply[]> {
    if (!ctx.roles.canPublish()) return refuse(ctx, 'newsletter preview', 'liaison');
    const slot = scheduler.status().nextRun ?? ctx.now;
    const composed = await service.compose(slot);
    const destinations = await service.destinations();
    const tz = ctx.config.newsletter.timezone;
    const when = `${formatDayTime(slot, tz)} (${tz})`;
    const replies: Reply[] =
      composed.result.kind === 'skip'
        ? [
            reply.notice(
              'info',
              `Preview of ${composed.issueKey}: it's a quiet week and NEWSLETTER_QUIET_WEEK is "skip", so nothing will be posted on ${when}.`,
            ),
          ]
        : [
            reply.notice(
              'info',
              destinations.length === 0
                ? `Preview of ${composed.issueKey}, due ${when}. No channel gets the newsletter yet, so nothing will be posted: set NEWSLETTER_DESTINATIONS, or say \`subscribe\` in a Slack or Teams channel. This is what would be posted, as things stand now.`
                : `Preview of ${composed.issueKey}, going out ${when} to ${destinations.length} destination${destinations.length === 1 ? '' : 's'}. This is exactly what will be posted, as things stand now.`,
            ),
            ...composed.result.replies,
          ];
    // In a shared channel the preview goes to the liaison privately.
    const adapter = deps.channels.get(ctx.message.platform);
    if (ctx.message.conversation.kind !== 'personal' && adapter) {
      await adapter.sendDirect(ctx.message.user.id, replies);
      return [reply.notice('success', 'I sent you the preview in a direct message.')];
    }
    return replies;
  }

  async function sendNow(ctx: TurnContext): Promise<Reply[]> {
    if (!ctx.roles.isAdmin()) return refuse(ctx, 'newsletter send-now', 'admin');
    const key = service.keyFor(ctx.now);
    const existing = await deps.issues.get(key);
    if (existing) {
      return [
        reply.notice(
          'info',
          `This week's issue (${key}) is already ${existing.status === 'sending' ? 'going out' : existing.status === 'skipped' ? 'skipped as a quiet week' : 'sent'}. Type \`newsletter history\` for details.`,
        ),
      ];
    }
    const destinations = await service.destinations();
    ctx.logger.info({ issueKey: key, by: ctx.userKey }, 'Newsletter send-now requested');
    const run = service
      .runSlot(ctx.now, 'manual', ctx.userKey)
      .catch((error: unknown) =>
        ctx.logger.error({ err: error, issueKey: key }, 'Manual newsletter send failed'),
      );
    background.add(run);
    void run.finally(() => background.delete(run));
    return [
      reply.notice(
        'success',
        `Sending ${key} now to ${destinations.length} destination${destinations.length === 1 ? '' : 's'}. Type \`newsletter history\` to follow it.`,
      ),
    ];
  }

  async function history(ctx: TurnContext): Promise<Reply[]> {
    if (!ctx.roles.canPublish() && !ctx.roles.canTriage())
      return refuse(ctx, 'newsletter history', 'liaison');
    const text = await service.history(5);
    const recent = await deps.suggestions.recent(5);
    const sections = [{ text }];
    if (recent.length > 0) {
      sections.push({
        text: `**Latest topic suggestions**\n${recent.map((s) => `- ${escapeMarkdown(s.text)}`).join('\n')}`,
      });
    }
    return [{ type: 'card', kind: 'report', title: 'Newsletter history', sections }];
  }

  async function status(ctx: TurnContext): Promise<Reply[]> {
    const s = scheduler.status();
    const tz = s.timeZone;
    const card = (fields: { label: string; value: string }[], footer?: string): Reply[] => [
      {
        type: 'card',
        kind: 'report',
        title: 'Newsletter status',
        sections: [{ fields }],
        ...(footer ? { footer } : {}),
      },
    ];
    // Employees want to know when the next issue comes; the cron line, exact instant and counts are for those
    // who run it (and cost store reads nobody else needs).
    if (!ctx.roles.canPublish() && !ctx.roles.canTriage()) {
      return card(
        [
          {
            label: 'Next issue',
            value: s.nextRun ? `${formatDayTime(s.nextRun, tz)} (${tz} time)` : 'not scheduled',
          },
        ],
        `Past issues are at ${ctx.config.http.publicUrl}/newsletter/archive.`,
      );
    }
    const last = (await service.recentIssues(1))[0];
    const destinations = await service.destinations();
    return card(
      [
        { label: 'Schedule', value: `\`${s.cron}\` (${tz})` },
        {
          label: 'Next issue',
          value: s.nextRun ? `${formatDayTime(s.nextRun, tz)} (${s.nextRun.toISOString()})` : 'none',
        },
        { label: 'Destinations', value: String(destinations.length) },
        { label: 'Last issue', value: last ? `${last.key} · ${last.status}` : 'none yet' },
        { label: 'Catch-up window', value: `${s.catchUpHours} h` },
      ],
      ctx.roles.canPublish() ? 'Type `newsletter preview` to see the next issue.' : undefined,
    );
  }

  async function subscribe(ctx: TurnContext, on: boolean): Promise<Reply[]> {
    const word = on ? 'subscribe' : 'unsubscribe';
    if (!ctx.roles.canPublish()) return refuse(ctx, word, 'liaison');
    const { platform } = ctx.message;
    if (!deps.channels.get(platform)) {
      return [
        reply.text(
          `I can't post the newsletter here. On the web, every issue is at ${ctx.config.http.publicUrl}/newsletter/archive; subscriptions work in Slack and Teams channels.`,
        ),
      ];
    }
    const id = `${platform}:${ctx.message.conversation.id}`;
    const configured = (ctx.config.newsletter.destinations ?? '').split(',').map((s) => s.trim());
    if (on) {
      const added = await deps.subscriptions.add({
        id,
        platform,
        destination: ctx.message.conversation.id,
        subscribedBy: ctx.userKey,
        subscribedAt: ctx.now.toISOString(),
      });
      ctx.logger.info({ destination: id, by: ctx.userKey, added }, 'Newsletter subscription');
      return [
        reply.notice(
          'success',
          added
            ? 'Done: this conversation will get the IT newsletter. Type `unsubscribe` to stop.'
            : 'This conversation already gets the IT newsletter.',
        ),
      ];
    }
    const removed = await deps.subscriptions.remove(id);
    ctx.logger.info({ destination: id, by: ctx.userKey, removed }, 'Newsletter unsubscription');
    if (configured.includes(id)) {
      return [
        reply.notice(
          'info',
          'This conversation gets the newsletter through NEWSLETTER_DESTINATIONS; an admin can remove it there.',
        ),
      ];
    }
    return [
      reply.notice(
        'success',
        removed ? 'Done: no more newsletters here.' : "This conversation wasn't subscribed.",
      ),
    ];
  }

  return {
    name: 'newsletter',
    idle: async () => {
      await Promise.allSettled([...background]);
    },
    commands: {
      async newsletter(ctx, args) {
        const verb = args.trim().toLowerCase();
        if (verb === 'preview') return preview(ctx);
        if (verb === 'send-now' || verb === 'send now') return sendNow(ctx);
        if (verb === 'history') return history(ctx);
        if (verb === 'status' || verb === '') return status(ctx);
        return [
          reply.text(
            'Try `newsletter preview`, `newsletter history`, `newsletter status` or (admins) `newsletter send-now`.',
          ),
        ];
      },
      subscribe: (ctx) => subscribe(ctx, true),
      unsubscribe: (ctx) => subscribe(ctx, false),
    },
    actions: {
      async [newsletterActions.react](ctx, value) {
        const [issueKey = '', raw = ''] = (value ?? '').split('|');
        const reaction = raw as ReactionValue;
        if (!reactionValues.includes(reaction) || !(await deps.issues.get(issueKey))) {
          return [reply.text("I couldn't record that reaction; the issue may be too old.")];
        }
        await deps.issues.react({
          id: `${issueKey}|${ctx.userKey}`,
          issueKey,
          userKey: ctx.userKey,
          reaction,
          at: ctx.now.toISOString(),
        });
        return [
          reply.notice(
            'success',
            reaction === 'down'
              ? 'Thanks for telling us. Want to suggest what would be more useful?'
              : 'Thanks for the feedback!',
          ),
        ];
      },
      [newsletterActions.suggest]: async (_ctx, value) => [suggestForm(value)],
    },
    forms: {
      async [suggestFormId](ctx, form) {
        const text = stripControl(form.values.topic ?? '').trim();
        if (text.length < 3) return [suggestForm(form.state, 'write a few words about the topic')];
        if (text.length > 500) return [suggestForm(form.state, 'keep it under 500 characters')];
        const issueKey = form.state && /^\d{4}-W\d{2}$/.test(form.state) ? form.state : null;
        await deps.suggestions.add({
          id: randomUUID(),
          issueKey,
          userKey: ctx.userKey,
          text,
          createdAt: ctx.now.toISOString(),
        });
        ctx.logger.info({ issueKey }, 'Newsletter topic suggested');
        return [reply.notice('success', 'Thanks! Your suggestion went to the IT liaisons.')];
      },
    },
    help: (ctx) => [
      '`newsletter status` – when the next IT newsletter goes out',
      ...(ctx.roles.canPublish()
        ? [
            '`newsletter preview` / `newsletter history` – see the next issue and past ones',
            '`subscribe` / `unsubscribe` – get the newsletter in this channel',
          ]
        : []),
      ...(ctx.roles.isAdmin() ? ['`newsletter send-now` – send this week’s issue now'] : []),
    ],
  };
}
