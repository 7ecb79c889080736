// The learned-phrasings review page (GET /it/kb): phrasings proposed from use, with approve and reject buttons,
// for IT staff (every article) or an article's owner (their articles only). Every stored string is escaped.
import type { LearnedPhrasing, PhrasingStatus } from '../../src/store/repositories/learned-phrasings.ts';
import { escapeHtml, page } from './html.ts';

/** What the page shows: the phrasings of one status, the articles they belong to, and an optional notice. */
export interface KbReviewView {
  user: string;
  status: PhrasingStatus;
  phrasings: LearnedPhrasing[];
  /** Title of an article by id, when it still exists. */
  articleTitle: (id: string) => string | undefined;
  /** Whether this user may decide for the article (IT staff: always; owners: their own). */
  mayDecide: (articleId: string) => boolean;
  notice?: { tone: 'success' | 'info' | 'warning'; text: string };
}

const statusLabels: Record<PhrasingStatus, string> = {
  proposed: 'Waiting for a decision',
  approved: 'Approved',
  rejected: 'Rejected',
};

const sourceLabels = { choice: 'picked from choices', 'thumbs-up': '👍', triage: 'answered by IT' } as const;

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

function decideButton(p: LearnedPhrasing, verdict: 'approve' | 'reject'): string {
  const style = verdict === 'approve' ? ' button-primary' : ' button-danger';
  return `<form method="post" action="/it/kb/decide" class="inline-form">${hidden('id', p.id)}${hidden(
    'verdict',
    verdict,
  )}${hidden('from', p.status)}<button type="submit" class="button${style}">${verdict === 'approve' ? 'Approve' : 'Reject'}</button></form>`;
}

function seen(p: LearnedPhrasing): string {
  const parts = (Object.keys(sourceLabels) as (keyof typeof sourceLabels)[])
    .filter((s) => p.counts[s] > 0)
    .map((s) => `${p.counts[s]}× ${sourceLabels[s]}`);
  return escapeHtml(parts.join(', '));
}

function row(view: KbReviewView, p: LearnedPhrasing): string {
  const title = view.articleTitle(p.articleId);
  const article = title
    ? `<a href="/kb/${encodeURIComponent(p.articleId)}">${escapeHtml(title)}</a>`
    : `${escapeHtml(p.articleId)} <span class="meta">(no longer in the knowledge base)</span>`;
  const actions = !view.mayDecide(p.articleId)
    ? ''
    : [
        p.status !== 'approved' ? decideButton(p, 'approve') : '',
        p.status !== 'rejected' ? decideButton(p, 'reject') : '',
      ].join('');
  const decided = p.decidedBy
    ? `<br><span class="meta">${escapeHtml(p.status)} by ${escapeHtml(p.decidedBy)} on ${escapeHtml(p.decidedAt?.slice(0, 10) ?? '')}</span>`
    : '';
  return `<tr data-phrasing-id="${escapeHtml(p.id)}"><td>“${escapeHtml(p.text)}”<br><span class="meta">${escapeHtml(p.id)}</span></td><td>${article}</td><td>${seen(p)}<br><span class="meta">${escapeHtml(p.firstSeenAt.slice(0, 10))} → ${escapeHtml(p.lastSeenAt.slice(0, 10))}</span>${decided}</td><td class="actions">${actions}</td></tr>`;
}

/** The page's HTML. */
export function kbReviewPage(view: KbReviewView): string {
  const tabs = (Object.keys(statusLabels) as PhrasingStatus[])
    .map((s) =>
      s === view.status
        ? `<strong>${statusLabels[s]}</strong>`
        : `<a href="/it/kb?status=${s}">${statusLabels[s]}</a>`,
    )
    .join(' · ');
  const notice = view.notice
    ? `<div class="notice notice-${view.notice.tone}"><span class="notice-icon" aria-hidden="true"></span><div class="notice-text">${escapeHtml(view.notice.text)}</div></div>`
    : '';
  const table = view.phrasings.length
    ? `<table class="report-table"><thead><tr><th>Phrasing</th><th>Article</th><th>Seen</th><th></th></tr></thead><tbody>${view.phrasings
        .map((p) => row(view, p))
        .join('')}</tbody></table>`
    : '<p>Nothing here.</p>';
  return page(
    'Learned phrasings',
    `<p><a href="/it">← IT inbox</a> · <a href="/it/report">Report</a></p>
<h1>Learned phrasings</h1>
<p>Ways people asked for an article, learned when an answer got a 👍, when someone picked the article from choices, or when IT answered a request with it. Approved phrasings count like the article's own questions at once; <code>itbuddy kb learned export</code> writes them into the articles' front matter.</p>
${notice}
<p>${tabs}</p>
${table}`,
  );
}
