// The newsletter on the web channel: the archive of past issues (GET /newsletter/archive and
// /newsletter/archive/:key) and the preview of the next one (GET /newsletter/preview, for signed-in liaisons and
// admins listed as web:<id> or granted the role; the session says who asks). Every string is escaped.
import express, { type Router } from 'express';
import { z } from 'zod';
import { resolveRoles } from '../../src/bot/roles.ts';
import type { Config } from '../../src/config/load-config.ts';
import { toPlainText } from '../../src/messages/markdown.ts';
import type { Card, Reply } from '../../src/messages/replies.ts';
import type { NewsletterModule } from '../../src/newsletter/newsletter-module.ts';
import { formatDayTime } from '../../src/time/zoned-time.ts';
import { escapeHtml, markdownToHtml, page } from './html.ts';
import type { WebSessions } from './web-sessions.ts';

/** What the pages need from the app. */
export interface NewsletterPagesDeps {
  config: Config;
  newsletter: NewsletterModule;
}

const issueKeySchema = z.string().regex(/^\d{4}-W\d{2}$/);

function inline(markdown: string): string {
  return escapeHtml(toPlainText(markdown));
}

/** One neutral card as HTML: buttons that need chat are described, link buttons stay links. */
export function newsletterCardHtml(card: Card): string {
  const sections = card.sections
    .map((s) => {
      const heading = s.heading ? `<h2>${inline(s.heading)}</h2>` : '';
      const fields = s.fields?.length
        ? `<dl class="fields">${s.fields.map((f) => `<dt>${inline(f.label)}</dt><dd>${markdownToHtml(f.value)}</dd>`).join('')}</dl>`
        : '';
      return `<section>${heading}${s.text ? markdownToHtml(s.text) : ''}${fields}</section>`;
    })
    .join('\n');
  const links = (card.actions ?? []).filter((b) => b.url);
  const reacts = (card.actions ?? []).some((b) => b.action);
  return `<article class="newsletter">
<h1>${inline(card.title)}</h1>
${card.subtitle ? `<p class="meta">${inline(card.subtitle)}</p>` : ''}
${sections}
${links.length ? `<p>${links.map((b) => `<a href="${escapeHtml(b.url ?? '')}" rel="noopener noreferrer">${inline(b.label)}</a>`).join(' · ')}</p>` : ''}
${reacts ? '<p class="meta">React to this issue or suggest a topic from Slack, Teams or the <a href="/">IT Buddy chat</a>.</p>' : ''}
</article>`;
}

/** Neutral replies as HTML (the newsletter is one card; notices and text may precede it in a preview). */
export function newsletterRepliesHtml(replies: readonly Reply[]): string {
  return replies
    .map((r) => {
      if (r.type === 'card') return newsletterCardHtml(r);
      if (r.type === 'notice') return `<div class="notice notice-${r.tone}">${markdownToHtml(r.text)}</div>`;
      if (r.type === 'text') return markdownToHtml(r.text);
      return '';
    })
    .join('\n');
}

function notFound(message: string): string {
  return page(
    'Not found',
    `<h1>${escapeHtml(message)}</h1><p><a href="/newsletter/archive">All issues</a> · <a href="/">Ask IT Buddy</a></p>`,
  );
}

/** Mounts the newsletter pages. */
export function newsletterPages(deps: NewsletterPagesDeps, sessions: WebSessions): Router {
  const router = express.Router();
  const { newsletter, config } = deps;
  const tz = config.newsletter.timezone;

  router.get('/newsletter/archive', async (_req, res) => {
    const issues = (await newsletter.service.recentIssues(200)).filter((i) => i.status !== 'skipped');
    const items = issues
      .map(
        (i) =>
          `<li><a href="/newsletter/archive/${escapeHtml(i.key)}">${escapeHtml(i.key)}</a> <span class="meta">${escapeHtml(
            formatDayTime(new Date(i.scheduledFor), tz),
          )}${i.quiet ? ' · a quiet week' : ''}</span></li>`,
      )
      .join('\n');
    res
      .type('html')
      .send(
        page(
          'IT newsletter archive',
          `<p><a href="/">← Back to IT Buddy</a></p><h1>IT newsletter archive</h1>${
            items ? `<ul>${items}</ul>` : '<p>No issue has gone out yet.</p>'
          }`,
        ),
      );
  });

  router.get('/newsletter/archive/:key', async (req, res) => {
    const key = issueKeySchema.safeParse(req.params.key);
    const issue = key.success ? await newsletter.service.issue(key.data) : undefined;
    if (!issue || issue.status === 'skipped') {
      res.status(404).type('html').send(notFound("We couldn't find that issue"));
      return;
    }
    res
      .type('html')
      .send(
        page(
          `IT newsletter ${issue.key}`,
          `<p><a href="/newsletter/archive">← All issues</a></p>\n${newsletterRepliesHtml(issue.archive.length ? issue.archive : issue.replies)}`,
        ),
      );
  });

  router.get('/newsletter/preview', async (req, res) => {
    const who = sessions.identify(req, res);
    const roles = await resolveRoles(config, `web:${who.id}`, newsletter.roleGrants);
    if (!roles.canPublish()) {
      res
        .status(403)
        .type('html')
        .send(
          page(
            'Preview',
            '<h1>The preview is for IT liaisons</h1><p>Sign in first; your web id must be listed as <code>web:&lt;id&gt;</code> in LIAISONS or ADMINS, or granted with <code>roles grant</code>.</p><p><a href="/newsletter/archive">Past issues</a> are open to everyone.</p>',
          ),
        );
      return;
    }
    const slot = newsletter.scheduler.status().nextRun ?? new Date();
    const composed = await newsletter.service.compose(slot);
    const banner = `<div class="notice notice-info"><p>Preview of ${escapeHtml(composed.issueKey)}, going out ${escapeHtml(
      formatDayTime(slot, tz),
    )} (${escapeHtml(tz)}). This is exactly what will be posted, as things stand now.</p></div>`;
    const body =
      composed.result.kind === 'skip'
        ? '<p>It is a quiet week and NEWSLETTER_QUIET_WEEK is "skip": nothing will be posted.</p>'
        : newsletterRepliesHtml(composed.result.replies);
    res
      .set({ 'X-Robots-Tag': 'noindex', 'Cache-Control': 'no-store' })
      .type('html')
      .send(page(`Preview ${composed.issueKey}`, `${banner}\n${body}`));
  });
  return router;
}
