// Renders a knowledge-base article as a web page, the target of every "Read the whole article" link.
import type { Article } from '../../src/kb/article.ts';
import { escapeHtml, markdownToHtml, page } from './html.ts';

/** The article's page. Markdown headings inside sections become h2; everything is escaped. */
export function articlePage(article: Article): string {
  const sections = article.sections
    .map((s) => `<section><h2>${escapeHtml(s.heading)}</h2>\n${markdownToHtml(s.text)}</section>`)
    .join('\n');
  const meta = [
    article.owner ? `Kept by ${escapeHtml(article.owner)}` : '',
    article.updated ? `updated ${escapeHtml(article.updated)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return page(
    article.title,
    `<p><a href="/">← Back to IT Buddy</a></p>
<article>
<h1>${escapeHtml(article.title)}</h1>
${meta ? `<p class="meta">${meta}</p>` : ''}
${markdownToHtml(article.intro)}
${sections}
</article>`,
  );
}
