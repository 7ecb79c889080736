// IT staff pages on the local web channel: the IT inbox (GET /it) with working triage buttons, the report
// (GET /it/report, with model usage per week), and a web user's direct messages (GET /api/inbox). The web channel is for local use and
// has no sign-in: `?user=` names the user, and only users listed as `web:<id>` in IT_STAFF or ADMINS get in.
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { App } from '../../src/app.ts';
import { resolveRoles } from '../../src/bot/roles.ts';
import { buildReport, formatDuration, type IntakeReport } from '../../src/intake/report.ts';
import { labels, requestKinds, requestStatuses } from '../../src/intake/request-schema.ts';
import { weeklyModelUsage } from '../../src/llm/usage-report.ts';
import { toPlainText } from '../../src/messages/markdown.ts';
import type { Button, Card, Form, Reply } from '../../src/messages/replies.ts';
import { createModelUsageLog } from '../../src/store/repositories/model-usage.ts';
import { escapeHtml, markdownToHtml, page } from './html.ts';
import { modelUsageHtml } from './model-usage-html.ts';
import type { WebChannel, WebMessage } from './web-channel.ts';

const userIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.@-]+$/);

/** The signed-in-by-name web user, or undefined when the id is missing or malformed. */
function userOf(value: unknown): string | undefined {
  const parsed = userIdSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

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

function buttonHtml(button: Button, user: string): string {
  const style = button.style ? ` button-${button.style}` : '';
  if (button.url) {
    return `<a class="button${style}" href="${escapeHtml(button.url)}" rel="noopener noreferrer">${inline(button.label)}</a>`;
  }
  if (!button.action) return '';
  return `<form method="post" action="/it/act" class="inline-form">${hidden('user', user)}${hidden('id', button.action.id)}${
    button.action.value !== undefined ? hidden('value', button.action.value) : ''
  }<button type="submit" class="button${style}">${inline(button.label)}</button></form>`;
}

function cardHtml(card: Card, user: string): string {
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
      return `<section class="card-section">${heading}${text}${fields}</section>`;
    })
    .join('\n');
  const actions = card.actions?.length
    ? `<div class="actions card-actions">${card.actions.map((b) => buttonHtml(b, user)).join('')}</div>`
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

function formHtml(form: Form, user: string): string {
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
${hidden('user', user)}${hidden('formId', form.id)}${form.state !== undefined ? hidden('state', form.state) : ''}
<fieldset class="form-fields">${fields}</fieldset>
<div class="actions card-actions"><button type="submit" class="button button-primary">${inline(form.submitLabel)}</button></div>
</form>`;
}

/** Renders neutral replies as HTML whose buttons and forms post back to the IT pages. */
export function repliesHtml(replies: readonly Reply[], user: string): string {
  return replies
    .map((r) => {
      switch (r.type) {
        case 'text':
          return `<div class="bubble bubble-bot">${markdownToHtml(r.text)}</div>`;
        case 'notice':
          return `<div class="notice notice-${r.tone}"><span class="notice-icon" aria-hidden="true"></span><div class="notice-text">${markdownToHtml(r.text)}</div></div>`;
        case 'card':
          return cardHtml(r, user);
        case 'choices':
          return `<div class="choices"><div class="choices-prompt">${markdownToHtml(r.prompt)}</div><div class="actions">${r.options
            .map((b) => buttonHtml(b, user))
            .join('')}</div></div>`;
        case 'form':
          return formHtml(r, user);
        default:
          return '';
      }
    })
    .join('\n');
}

function forbidden(res: Response): void {
  res
    .status(403)
    .type('html')
    .send(
      page(
        'IT staff only',
        '<h1>This page is for IT staff</h1><p>Open it as <code>/it?user=&lt;your web id&gt;</code>; your id must be listed as <code>web:&lt;id&gt;</code> in IT_STAFF or ADMINS.</p><p><a href="/">Back to IT Buddy</a></p>',
      ),
    );
}

/** Refuses posts sent from other sites (the pages have no sign-in, so this keeps other tabs from triaging). */
function crossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.get('origin');
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true;
  }
}

function inboxPage(posts: WebMessage[], user: string): string {
  const items = posts.length
    ? posts
        .map(
          (m) =>
            `<div class="it-item" data-message-id="${escapeHtml(m.id)}">${repliesHtml(m.replies, user)}</div>`,
        )
        .join('\n')
    : '<p>No requests yet. New requests appear here when IT_DESTINATIONS includes <code>web:it</code>.</p>';
  return page(
    'IT inbox',
    `<p><a href="/it/report?user=${encodeURIComponent(user)}">Report</a> · <a href="/">Chat</a></p>
<h1>IT inbox</h1>
${items}`,
  );
}

function reportHtml(
  report: IntakeReport,
  user: string,
  articleTitle: (id: string) => string | undefined,
  /** Further sections, such as model usage, placed after the intake figures. */
  extra = '',
): string {
  const r = report.requests;
  const row = (label: string, value: string | number) =>
    `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(String(value))}</td></tr>`;
  const table = (title: string, rows: string[]) =>
    `<h2>${escapeHtml(title)}</h2><table class="report-table">${rows.join('')}</table>`;
  const list = (items: string[]) => (items.length ? `<ul>${items.join('')}</ul>` : '<p>None.</p>');
  return page(
    'IT report',
    `<p><a href="/it?user=${encodeURIComponent(user)}">← IT inbox</a></p>
<h1>IT report</h1>
<form method="get" action="/it/report">${hidden('user', user)}<label>Since <input type="date" name="since" value="${escapeHtml(report.since.slice(0, 10))}"></label> <button class="button" type="submit">Show</button></form>
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
<h2>Questions</h2><p>${report.questions.total} asked: ${report.questions.answered} answered, ${report.questions.unanswered} unanswered, ${report.questions.notHelped} marked “didn’t help”.</p>
<h2>KB gaps: questions I could not answer</h2>
${list(report.unanswered.map((g) => `<li><strong>${g.count}×</strong> ${escapeHtml(g.text)}</li>`))}
<h2>KB gaps: answers marked “didn’t help”</h2>
${list(
  report.notHelped.map(
    (g) =>
      `<li><strong>${g.count}×</strong> ${escapeHtml(g.articleId ? (articleTitle(g.articleId) ?? g.articleId) : '(no article)')}${
        g.examples.length ? ` — e.g. ${g.examples.map((e) => `“${escapeHtml(e)}”`).join(', ')}` : ''
      }</li>`,
  ),
)}
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

/** Mounts the IT pages and the web inbox. */
export function itPages(app: App, web: WebChannel): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '100kb' });
  const articleTitle = (id: string) => app.kb.current().get(id)?.title;

  async function staffFrom(req: Request, res: Response, value: unknown): Promise<string | undefined> {
    const user = userOf(value);
    if (!user || !(await isItStaff(app, user))) {
      if (user) app.logger.warn({ userKey: `web:${user}`, path: req.path }, 'IT page refused: not IT staff');
      forbidden(res);
      return undefined;
    }
    return user;
  }

  async function handle(
    user: string,
    input: {
      action?: { id: string; value?: string };
      form?: { formId: string; values: Record<string, string>; state?: string };
    },
  ) {
    return app.bot.handle({
      platform: 'web',
      user: { id: user },
      conversation: { id: `web:${user}`, kind: 'personal' },
      ...input,
    });
  }

  function resultPage(res: Response, replies: Reply[], user: string): void {
    res
      .type('html')
      .send(
        page(
          'IT inbox',
          `<p><a href="/it?user=${encodeURIComponent(user)}">← Back to the IT inbox</a></p>\n${repliesHtml(replies, user)}`,
        ),
      );
  }

  router.get('/it', async (req, res) => {
    const user = await staffFrom(req, res, req.query.user);
    if (!user) return;
    res.type('html').send(inboxPage(await web.posts(undefined, 200), user));
  });

  router.post('/it/act', form, async (req, res) => {
    if (crossSite(req)) {
      res.status(403).json({ error: 'Cross-site requests are not accepted' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = await staffFrom(req, res, body.user);
    if (!user) return;
    const id = typeof body.id === 'string' ? body.id.slice(0, 100) : '';
    const value = typeof body.value === 'string' ? body.value.slice(0, 2000) : undefined;
    if (!id) {
      res.status(400).json({ error: 'id is required' });
      return;
    }
    resultPage(res, await handle(user, { action: value === undefined ? { id } : { id, value } }), user);
  });

  router.post('/it/form', form, async (req, res) => {
    if (crossSite(req)) {
      res.status(403).json({ error: 'Cross-site requests are not accepted' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = await staffFrom(req, res, body.user);
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
      user,
    );
  });

  router.get('/it/report', async (req, res) => {
    const user = await staffFrom(req, res, req.query.user);
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
      { since, until: now },
    );
    const usage = await weeklyModelUsage(createModelUsageLog(app.store), {
      since,
      until: now,
      prices: app.config.modelPrices,
    });
    res.type('html').send(reportHtml(report, user, articleTitle, modelUsageHtml(usage)));
  });

  router.get('/api/inbox', async (req, res) => {
    const user = userOf(req.query.userId);
    if (!user) {
      res.status(400).json({ error: 'userId: required; letters, digits, . _ @ - only' });
      return;
    }
    const messages = await web.inbox(user, { all: req.query.all === '1' || req.query.all === 'true' });
    res.json({ messages: messages.map((m) => ({ id: m.id, at: m.createdAt, replies: m.replies })) });
  });

  return router;
}
