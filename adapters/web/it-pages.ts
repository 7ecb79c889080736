// IT staff pages on the web channel: the IT inbox (GET /it) with working triage buttons, the report
// (GET /it/report, with model usage per week), and a web user's own direct messages (GET /api/inbox). The session
// says who is asking (web-sessions.ts); only a signed-in user listed as `web:<id>` in IT_STAFF or ADMINS, or granted
// the role, gets in.
import express, { type Request, type Response, type Router } from 'express';
import type { App } from '../../src/app.ts';
import { type Roles, resolveRoles } from '../../src/bot/roles.ts';
import { topicsFromKb } from '../../src/intake/kb-gaps.ts';
import { buildReport, formatDuration, type IntakeReport, questionCounts } from '../../src/intake/report.ts';
import { labels, requestKinds, requestStatuses } from '../../src/intake/request-schema.ts';
import { ownsArticle } from '../../src/learning/learning-service.ts';
import { weeklyModelUsage } from '../../src/llm/usage-report.ts';
import { toPlainText } from '../../src/messages/markdown.ts';
import type { Button, Card, Form, Reply } from '../../src/messages/replies.ts';
import { type PhrasingStatus, phrasingStatuses } from '../../src/store/repositories/learned-phrasings.ts';
import { createModelUsageLog } from '../../src/store/repositories/model-usage.ts';
import { isCrossSite } from '../http/cross-site.ts';
import { escapeHtml, markdownToHtml, page, tableToHtml } from './html.ts';
import { kbGapsHtml } from './kb-gaps-section.ts';
import { type KbReviewView, kbReviewPage } from './kb-review-page.ts';
import { modelUsageHtml } from './model-usage-html.ts';
import type { WebChannel, WebMessage } from './web-channel.ts';
import type { WebIdentity, WebSessions } from './web-sessions.ts';

/** IT staff by configuration or by a role granted at run time, exactly as the bot decides it. */
async function isItStaff(app: App, userId: string): Promise<boolean> {
  return (await resolveRoles(app.config, `web:${userId}`, app.newsletter.roleGrants)).canTriage();
}

/** Plain text of IT Buddy markdown, escaped for HTML (titles and labels). */
function inline(markdown: string): string {
  return escapeHtml(toPlainText(markdown));
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

function buttonHtml(button: Button): string {
  const style = button.style ? ` button-${button.style}` : '';
  if (button.url) {
    return `<a class="button${style}" href="${escapeHtml(button.url)}" rel="noopener noreferrer">${inline(button.label)}</a>`;
  }
  if (!button.action) return '';
  return `<form method="post" action="/it/act" class="inline-form">${hidden('id', button.action.id)}${
    button.action.value !== undefined ? hidden('value', button.action.value) : ''
  }<button type="submit" class="button${style}">${inline(button.label)}</button></form>`;
}

function cardHtml(card: Card): string {
  const sections = card.sections
    .map((s) => {
      const heading = s.heading ? `<h3 class="card-heading">${inline(s.heading)}</h3>` : '';
      const text = s.text ? markdownToHtml(s.text) : '';
      const fields = s.fields?.length
        ? `<dl class="fields">${s.fields
            .map(
              (f) =>
                `<div class="field"><dt>${inline(f.label)}</dt><dd>${markdownToHtml(f.value)}</dd></div>`,
            )
            .join('')}</dl>`
        : '';
      const table = s.table ? tableToHtml(s.table) : '';
      return `<section class="card-section">${heading}${text}${table}${fields}</section>`;
    })
    .join('\n');
  const actions = card.actions?.length
    ? `<div class="actions card-actions">${card.actions.map((b) => buttonHtml(b)).join('')}</div>`
    : '';
  const link = card.link
    ? `<p class="card-link-row"><a class="card-link" href="${escapeHtml(card.link.url)}" rel="noopener noreferrer">${inline(card.link.label)}</a></p>`
    : '';
  return `<article class="card${card.kind ? ` card-${card.kind}` : ''}">
<header class="card-header"><h2 class="card-title">${inline(card.title)}</h2>${
    card.subtitle ? `<p class="card-subtitle">${inline(card.subtitle)}</p>` : ''
  }</header>
${sections}${link}${actions}${card.footer ? `<footer class="card-footer">${markdownToHtml(card.footer)}</footer>` : ''}
</article>`;
}

function formHtml(form: Form): string {
  const fields = form.fields
    .map((f) => {
      const id = `f-${f.name}`;
      const value = form.values?.[f.name] ?? '';
      const attrs = `id="${id}" name="field.${escapeHtml(f.name)}"${f.required ? ' required' : ''}${
        f.maxLength ? ` maxlength="${f.maxLength}"` : ''
      }${f.placeholder ? ` placeholder="${escapeHtml(f.placeholder)}"` : ''}`;
      const control =
        f.kind === 'textarea'
          ? `<textarea class="field-control" ${attrs} rows="4">${escapeHtml(value)}</textarea>`
          : f.kind === 'select'
            ? `<select class="field-control" ${attrs}><option value=""></option>${(f.options ?? [])
                .map(
                  (o) =>
                    `<option value="${escapeHtml(o.value)}"${o.value === value ? ' selected' : ''}>${escapeHtml(o.label)}</option>`,
                )
                .join('')}</select>`
            : `<input class="field-control" type="${f.kind === 'date' ? 'date' : 'text'}" ${attrs} value="${escapeHtml(value)}">`;
      const error = form.errors?.[f.name]
        ? `<p class="field-error">${escapeHtml(form.errors[f.name]!)}</p>`
        : '';
      const hint = f.hint ? `<p class="field-hint">${escapeHtml(f.hint)}</p>` : '';
      return `<div class="form-field"><label class="field-label" for="${id}">${inline(f.label)}${
        f.required ? ' *' : ''
      }</label>${hint}${control}${error}</div>`;
    })
    .join('\n');
  return `<form class="card form-card" method="post" action="/it/form">
<header class="card-header"><h2 class="card-title">${inline(form.title)}</h2></header>
${form.intro ? `<div class="form-intro">${markdownToHtml(form.intro)}</div>` : ''}
${hidden('formId', form.id)}${form.state !== undefined ? hidden('state', form.state) : ''}
<fieldset class="form-fields">${fields}</fieldset>
<div class="actions card-actions"><button type="submit" class="button button-primary">${inline(form.submitLabel)}</button></div>
</form>`;
}

/** Renders neutral replies as HTML whose buttons and forms post back to the IT pages. */
export function repliesHtml(replies: readonly Reply[]): string {
  return replies
    .map((r) => {
      switch (r.type) {
        case 'text':
          return `<div class="bubble bubble-bot">${markdownToHtml(r.text)}</div>`;
        case 'notice':
          return `<div class="notice notice-${r.tone}"><span class="notice-icon" aria-hidden="true"></span><div class="notice-text">${markdownToHtml(r.text)}</div></div>`;
        case 'card':
          return cardHtml(r);
        case 'choices':
          return `<div class="choices"><div class="choices-prompt">${markdownToHtml(r.prompt)}</div><div class="actions">${r.options
            .map((b) => buttonHtml(b))
            .join('')}</div></div>`;
        case 'form':
          return formHtml(r);
        default:
          return '';
      }
    })
    .join('\n');
}

/** Where a person can sign in, as links for the refusal pages. */
export function signInHint(app: App): string {
  const web = app.config.web;
  const ways = [
    web.oidc ? '<a href="/auth/login">Sign in</a>' : '',
    web.trialSignIn ? '<a href="/auth/trial">Pick a trial identity</a> (this machine only)' : '',
  ].filter(Boolean);
  return ways.length ? `<p>${ways.join(' · ')}</p>` : '';
}

function forbidden(app: App, res: Response, who: WebIdentity): void {
  const signedIn = who.via !== 'anonymous';
  res
    .status(403)
    .type('html')
    .send(
      page(
        'IT staff only',
        `<h1>This page is for IT staff</h1><p>${
          signedIn
            ? `You are signed in as <code>${escapeHtml(who.id)}</code>, which is not listed as <code>web:${escapeHtml(who.id)}</code> in IT_STAFF or ADMINS.`
            : 'Sign in first: the page opens for signed-in users listed as <code>web:&lt;id&gt;</code> in IT_STAFF or ADMINS.'
        }</p>${signedIn ? '' : signInHint(app)}<p><a href="/">Back to IT Buddy</a></p>`,
      ),
    );
}

function inboxPage(posts: WebMessage[]): string {
  const items = posts.length
    ? posts
        .map(
          (m) => `<div class="it-item" data-message-id="${escapeHtml(m.id)}">${repliesHtml(m.replies)}</div>`,
        )
        .join('\n')
    : '<p>No requests yet. New requests appear here when IT_DESTINATIONS includes <code>web:it</code>.</p>';
  return page(
    'IT inbox',
    `<p><a href="/it/report">Report</a> · <a href="/it/kb">Learned phrasings</a> · <a href="/">Chat</a></p>
<h1>IT inbox</h1>
${items}`,
  );
}

function reportHtml(
  report: IntakeReport,
  articleTitle: (id: string) => string | undefined,
  /** Further sections, such as model usage, placed after the intake figures. */
  extra = '',
): string {
  const r = report.requests;
  const row = (label: string, value: string | number) =>
    `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(String(value))}</td></tr>`;
  const table = (title: string, rows: string[]) =>
    `<h2>${escapeHtml(title)}</h2><table class="report-table">${rows.join('')}</table>`;
  return page(
    'IT report',
    `<p><a href="/it">← IT inbox</a></p>
<h1>IT report</h1>
<form method="get" action="/it/report"><label>Since <input type="date" name="since" value="${escapeHtml(report.since.slice(0, 10))}"></label> <button class="button" type="submit">Show</button></form>
<p class="meta">${escapeHtml(report.since.slice(0, 10))} → ${escapeHtml(report.until.slice(0, 10))}</p>
${table('Requests', [
  row('Total', r.total),
  row(
    'Median time to acknowledge',
    `${formatDuration(report.medianAcknowledgeMs)} (${report.acknowledgedCount} acknowledged)`,
  ),
  row(
    'Median time to resolve',
    `${formatDuration(report.medianResolveMs)} (${report.resolvedCount} resolved)`,
  ),
])}
${table(
  'By kind',
  requestKinds.map((k) => row(labels.kind[k], r.byKind[k])),
)}
${table(
  'By status',
  requestStatuses.map((s) => row(labels.status[s], r.byStatus[s])),
)}
${table('By department', r.byDepartment.length ? r.byDepartment.map((d) => row(d.department, d.count)) : [row('None', 0)])}
<h2>Questions</h2><p>${report.questions.total} asked: ${escapeHtml(questionCounts(report.questions))}, ${report.questions.notHelped} marked “didn’t help”.</p>
${kbGapsHtml(report.kbGaps, articleTitle)}
${extra}`,
  );
}

/** Parses `since` (YYYY-MM-DD); defaults to 30 days before now. */
export function sinceDate(value: unknown, now: Date): Date | undefined {
  if (value === undefined || value === '') return new Date(now.getTime() - 30 * 86_400_000);
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Who reviews learned phrasings on /it/kb, and what they may decide. */
interface Reviewer {
  user: string;
  decider: { userKey: string; roles: Roles };
  mayDecide: (articleId: string) => boolean;
}

/** Mounts the IT pages and the web inbox. */
export function itPages(app: App, web: WebChannel, sessions: WebSessions): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '100kb' });
  const articleTitle = (id: string) => app.kb.current().get(id)?.title;

  /** The session's user when IT staff; otherwise answers 403 and returns undefined. */
  async function staffFrom(req: Request, res: Response): Promise<WebIdentity | undefined> {
    const who = sessions.identify(req, res);
    if (!(await isItStaff(app, who.id))) {
      if (who.via !== 'anonymous') {
        app.logger.warn({ userKey: `web:${who.id}`, path: req.path }, 'IT page refused: not IT staff');
      }
      forbidden(app, res, who);
      return undefined;
    }
    return who;
  }

  // The signed-in name goes with each action, so requesters read "Ivy Chen from IT", as in the chat.
  async function handle(
    who: WebIdentity,
    input: {
      action?: { id: string; value?: string };
      form?: { formId: string; values: Record<string, string>; state?: string };
    },
  ) {
    return app.bot.handle({
      platform: 'web',
      user: { id: who.id, ...(who.name ? { name: who.name } : {}) },
      conversation: { id: `web:${who.id}`, kind: 'personal' },
      ...input,
    });
  }

  function resultPage(res: Response, replies: Reply[]): void {
    res
      .type('html')
      .send(page('IT inbox', `<p><a href="/it">← Back to the IT inbox</a></p>\n${repliesHtml(replies)}`));
  }

  router.get('/it', async (req, res) => {
    const user = await staffFrom(req, res);
    if (!user) return;
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(inboxPage(await web.posts(undefined, 200)));
  });

  router.post('/it/act', form, async (req, res) => {
    if (isCrossSite(req)) {
      res.status(403).json({ error: 'Cross-site requests are not accepted' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = await staffFrom(req, res);
    if (!user) return;
    const id = typeof body.id === 'string' ? body.id.slice(0, 100) : '';
    const value = typeof body.value === 'string' ? body.value.slice(0, 2000) : undefined;
    if (!id) {
      res.status(400).json({ error: 'id is required' });
      return;
    }
    resultPage(res, await handle(user, { action: value === undefined ? { id } : { id, value } }));
  });

  router.post('/it/form', form, async (req, res) => {
    if (isCrossSite(req)) {
      res.status(403).json({ error: 'Cross-site requests are not accepted' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = await staffFrom(req, res);
    if (!user) return;
    const formId = typeof body.formId === 'string' ? body.formId.slice(0, 100) : '';
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) {
      if (k.startsWith('field.') && typeof v === 'string') values[k.slice(6)] = v.slice(0, 20_000);
    }
    const state = typeof body.state === 'string' ? body.state.slice(0, 10_000) : undefined;
    resultPage(
      res,
      await handle(user, { form: { formId, values, ...(state !== undefined ? { state } : {}) } }),
    );
  });

  router.get('/it/report', async (req, res) => {
    const user = await staffFrom(req, res);
    if (!user) return;
    const now = new Date();
    const since = sinceDate(req.query.since, now);
    if (!since) {
      res
        .status(400)
        .type('html')
        .send(page('Bad date', '<p>Use a date like 2026-03-01 for <code>since</code>.</p>'));
      return;
    }
    const report = await buildReport(
      { requests: app.requests, questions: app.questions },
      { since, until: now, topicOf: topicsFromKb(app.kb.current()) },
    );
    const usage = await weeklyModelUsage(createModelUsageLog(app.store), {
      since,
      until: now,
      prices: app.config.modelPrices,
    });
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(reportHtml(report, articleTitle, modelUsageHtml(usage)));
  });

  /**
   * The reviewer of learned phrasings: IT staff, or someone who owns at least one article (`owner:` naming their
   * key). Undefined, with the refusal sent, for anyone else.
   */
  async function reviewerFrom(req: Request, res: Response): Promise<Reviewer | undefined> {
    const who = sessions.identify(req, res);
    const user = who.id;
    const userKey = `web:${user}`;
    const roles = await resolveRoles(app.config, userKey, app.newsletter.roleGrants);
    const mayDecide = (articleId: string) => app.learning.mayDecide({ userKey, roles }, articleId);
    if (!roles.canTriage() && !app.kb.current().articles.some((a) => ownsArticle(a, userKey))) {
      if (who.via !== 'anonymous') {
        app.logger.warn(
          { userKey, path: req.path },
          'IT page refused: neither IT staff nor an article owner',
        );
      }
      forbidden(app, res, who);
      return undefined;
    }
    return { user, decider: { userKey, roles }, mayDecide };
  }

  async function kbReview(
    reviewer: Reviewer,
    status: PhrasingStatus,
    notice?: KbReviewView['notice'],
  ): Promise<string> {
    // Owners see only their articles' phrasings; IT staff see all. An owner's are read per owned article: the
    // 500 most recent of all could be other articles' and, filtered afterwards, leave the owner an empty page.
    const phrasings = reviewer.decider.roles.canTriage()
      ? await app.learning.list({ status, limit: 500 })
      : (
          await Promise.all(
            app.kb
              .current()
              .articles.filter((a) => ownsArticle(a, reviewer.decider.userKey))
              .map((a) => app.learning.list({ status, articleId: a.id, limit: 500 })),
          )
        )
          .flat()
          .sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt))
          .slice(0, 500);
    return kbReviewPage({
      user: reviewer.user,
      status,
      phrasings,
      articleTitle,
      mayDecide: reviewer.mayDecide,
      ...(notice ? { notice } : {}),
    });
  }

  const statusOf = (value: unknown): PhrasingStatus =>
    phrasingStatuses.find((s) => s === value) ?? 'proposed';

  router.get('/it/kb', async (req, res) => {
    const reviewer = await reviewerFrom(req, res);
    if (!reviewer) return;
    res.type('html').send(await kbReview(reviewer, statusOf(req.query.status)));
  });

  router.post('/it/kb/decide', form, async (req, res) => {
    if (isCrossSite(req)) {
      res.status(403).json({ error: 'Cross-site requests are not accepted' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const reviewer = await reviewerFrom(req, res);
    if (!reviewer) return;
    const id = typeof body.id === 'string' ? body.id.slice(0, 40) : '';
    const verdict =
      body.verdict === 'approve' ? 'approved' : body.verdict === 'reject' ? 'rejected' : undefined;
    if (!id || !verdict) {
      res.status(400).json({ error: 'id and verdict (approve or reject) are required' });
      return;
    }
    const outcome = await app.learning.decide(id, verdict, reviewer.decider);
    const back = statusOf(body.from);
    if (outcome.kind === 'missing') {
      res
        .status(404)
        .type('html')
        .send(await kbReview(reviewer, back, { tone: 'warning', text: 'That phrasing no longer exists.' }));
      return;
    }
    if (outcome.kind === 'forbidden') {
      res
        .status(403)
        .type('html')
        .send(
          await kbReview(reviewer, back, {
            tone: 'warning',
            text: "Only IT staff or the article's owner can decide on its phrasings.",
          }),
        );
      return;
    }
    const text = `“${outcome.phrasing.text}” is ${verdict === 'approved' ? 'approved: it now counts as one of the article’s questions' : 'rejected'}.`;
    res.type('html').send(await kbReview(reviewer, back, { tone: 'success', text }));
  });

  // The session's own messages only; `userId` in the query is ignored. Reading marks them seen, so another
  // site may not trigger it.
  router.get('/api/inbox', async (req, res) => {
    if (isCrossSite(req)) {
      res.status(403).json({ error: 'Cross-site requests are not accepted' });
      return;
    }
    const who = sessions.identify(req, res);
    const messages = await web.inbox(who.id, { all: req.query.all === '1' || req.query.all === 'true' });
    res
      .set('Cache-Control', 'no-store')
      .json({ messages: messages.map((m) => ({ id: m.id, at: m.createdAt, replies: m.replies })) });
  });

  return router;
}
