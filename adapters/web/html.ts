// Server-side HTML helpers: escaping and IT Buddy markdown to HTML (every user- or file-supplied string escaped).
import { parseBlocks, parseInline, splitTables } from '../../src/messages/markdown.ts';
import type { Table } from '../../src/messages/replies.ts';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`,
  );
}

function inlineHtml(text: string): string {
  return parseInline(text)
    .map((t) => {
      switch (t.kind) {
        case 'bold':
          return `<strong>${escapeHtml(t.text)}</strong>`;
        case 'italic':
          return `<em>${escapeHtml(t.text)}</em>`;
        case 'code':
          return `<code>${escapeHtml(t.text)}</code>`;
        case 'link':
          return `<a href="${escapeHtml(t.url)}" rel="noopener noreferrer">${escapeHtml(t.text)}</a>`;
        default:
          return escapeHtml(t.text);
      }
    })
    .join('');
}

/** A neutral table as a safe HTML table (header cells with scope, alignment as classes), in a scrolling box. */
export function tableToHtml(table: Table): string {
  const cls = (i: number) => {
    const align = table.columns[i]?.align;
    return align ? ` class="align-${align}"` : '';
  };
  const head = table.columns.map((c, i) => `<th scope="col"${cls(i)}>${inlineHtml(c.label)}</th>`).join('');
  const rows = table.rows
    .map(
      (row) =>
        `<tr>${table.columns.map((_, i) => `<td${cls(i)}>${inlineHtml(row[i] ?? '')}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table-scroll"><table class="md-table"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

/** Renders IT Buddy markdown (paragraphs, lists, inline marks and pipe tables) as safe HTML. */
export function markdownToHtml(markdown: string): string {
  return splitTables(markdown)
    .map((part) => (part.kind === 'table' ? tableToHtml(part.table) : textToHtml(part.text)))
    .join('\n');
}

function textToHtml(markdown: string): string {
  const out: string[] = [];
  let list: 'ul' | 'ol' | undefined;
  const close = () => {
    if (list) out.push(`</${list}>`);
    list = undefined;
  };
  for (const block of parseBlocks(markdown)) {
    if (block.kind === 'para') {
      close();
      if (block.text.trim()) out.push(`<p>${inlineHtml(block.text)}</p>`);
      continue;
    }
    const want = block.kind === 'bullet' ? 'ul' : 'ol';
    if (list !== want) {
      close();
      out.push(`<${want}>`);
      list = want;
    }
    out.push(`<li>${inlineHtml(block.text)}</li>`);
  }
  close();
  return out.join('\n');
}

/** A complete page in the web channel's look. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · IT Buddy</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main class="page">
${body}
</main>
</body>
</html>`;
}
