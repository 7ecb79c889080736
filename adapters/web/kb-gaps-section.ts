// The KB-gap section of /it/report: abstentions, "None of these" and "didn't help", grouped by topic.
import { gapHeadings, gapKinds, gapLine, type KbGaps } from '../../src/intake/kb-gaps.ts';
import { escapeHtml } from './html.ts';

/** The section's HTML; every stored string is escaped. */
export function kbGapsHtml(gaps: KbGaps, articleTitle: (id: string) => string | undefined): string {
  const t = gaps.totals;
  const intro = `<p>${t.abstained} not answered · ${t.noneOfThese} ended in “None of these” · ${t.notHelped} marked “didn’t help”. Grouped by the topic of the closest article, so the people who keep those articles know what to write next.</p>`;
  if (gaps.topics.length === 0) return `<h2>KB gaps by topic</h2>${intro}<p>None.</p>`;
  const topics = gaps.topics
    .map((topic) => {
      const kinds = gapKinds
        .filter((kind) => topic[kind].length > 0)
        .map(
          (kind) =>
            `<h4>${escapeHtml(gapHeadings[kind])}</h4><ul>${topic[kind]
              .map((g) => `<li><strong>${g.count}×</strong> ${escapeHtml(gapLine(g, articleTitle))}</li>`)
              .join('')}</ul>`,
        )
        .join('');
      const owners = topic.owners.length
        ? ` <span class="meta">kept by ${escapeHtml(topic.owners.join(', '))}</span>`
        : '';
      return `<section class="kb-gap-topic" data-topic="${escapeHtml(topic.topic)}"><h3>${escapeHtml(topic.topic)} · ${topic.total}${owners}</h3>${kinds}</section>`;
    })
    .join('\n');
  return `<h2>KB gaps by topic</h2>${intro}\n${topics}`;
}
