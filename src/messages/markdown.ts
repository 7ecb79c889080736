// IT Buddy markdown: the small formatting language of neutral replies, and the escaping that keeps user text inert.
import type { Table, TableColumn } from './replies.ts';

const markdownSpecials = /[\\`*_[\]()#>~|]/g;

/**
 * Makes user-supplied text safe to place inside a neutral reply: markdown characters are backslash-escaped
 * (no injected links or formatting), and control characters are dropped. Renderers escape for their platform.
 */
export function escapeMarkdown(text: string): string {
  return stripControl(text).replace(markdownSpecials, (c) => `\\${c}`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Removes control characters except tab and newline. */
export function stripControl(text: string): string {
  return text.replace(controlCharacters, '');
}

/** Shortens text to at most `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** One inline token of IT Buddy markdown. */
export type InlineToken =
  | { kind: 'text'; text: string }
  | { kind: 'bold'; text: string }
  | { kind: 'italic'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'link'; text: string; url: string };

/**
 * Splits one line of IT Buddy markdown into inline tokens, honouring backslash escapes. Renderers map the
 * tokens to their platform's syntax, escaping text as that platform needs. Only http(s) and mailto links count.
 */
export function parseInline(line: string): InlineToken[] {
  const tokens: InlineToken[] = [];
  let buf = '';
  const flush = () => {
    if (buf) tokens.push({ kind: 'text', text: buf });
    buf = '';
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      buf += line[i + 1];
      i += 2;
      continue;
    }
    if (c === '*' && line[i + 1] === '*') {
      const end = findClosing(line, '**', i + 2);
      if (end > i + 2) {
        flush();
        tokens.push({ kind: 'bold', text: unescapeMarkdownText(line.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if (c === '_' && (i === 0 || /\s|\(/.test(line[i - 1]!))) {
      const end = findClosing(line, '_', i + 1);
      if (end > i + 1 && (end + 1 >= line.length || /[\s.,;:!?)]/.test(line[end + 1]!))) {
        flush();
        tokens.push({ kind: 'italic', text: unescapeMarkdownText(line.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (c === '`') {
      const end = line.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        tokens.push({ kind: 'code', text: line.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const close = findClosing(line, ']', i + 1);
      if (close > i && line[close + 1] === '(') {
        const urlEnd = line.indexOf(')', close + 2);
        const url = urlEnd > 0 ? line.slice(close + 2, urlEnd).trim() : '';
        if (/^(https?:\/\/|mailto:)[^\s<>"]+$/i.test(url)) {
          flush();
          tokens.push({ kind: 'link', text: unescapeMarkdownText(line.slice(i + 1, close)), url });
          i = urlEnd + 1;
          continue;
        }
      }
    }
    buf += c;
    i++;
  }
  flush();
  return tokens;
}

function findClosing(line: string, marker: string, from: number): number {
  let i = from;
  while (i < line.length) {
    if (line[i] === '\\') {
      i += 2;
      continue;
    }
    if (line.startsWith(marker, i)) return i;
    i++;
  }
  return -1;
}

function unescapeMarkdownText(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** A block of IT Buddy markdown: a paragraph line, a bullet or a numbered item. */
export type BlockLine = { kind: 'para' | 'bullet' | 'numbered'; number?: number; text: string };

/** Splits IT Buddy markdown into lines tagged as paragraph, bullet or numbered item. */
export function parseBlocks(markdown: string): BlockLine[] {
  return markdown.split('\n').map((raw) => {
    const bullet = /^\s*[-*•]\s+(.*)$/.exec(raw);
    if (bullet) return { kind: 'bullet', text: bullet[1]! };
    const numbered = /^\s*(\d{1,3})[.)]\s+(.*)$/.exec(raw);
    if (numbered) return { kind: 'numbered', number: Number(numbered[1]), text: numbered[2]! };
    return { kind: 'para', text: raw };
  });
}

/** Plain text of IT Buddy markdown, for logs, search and screen readers. */
export function toPlainText(markdown: string): string {
  return parseBlocks(markdown)
    .map((b) => {
      const inline = parseInline(b.text)
        .map((t) => (t.kind === 'link' ? `${t.text} (${t.url})` : t.text))
        .join('');
      return b.kind === 'bullet' ? `• ${inline}` : b.kind === 'numbered' ? `${b.number}. ${inline}` : inline;
    })
    .join('\n');
}

/** Percent-encodes the characters that would end a markdown link early. */
export function safeUrl(url: string): string {
  return url.replace(/[()\s<>"]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A run of IT Buddy markdown: plain text, or a pipe table read into a neutral table. */
export type MarkdownPart = { kind: 'text'; text: string } | { kind: 'table'; table: Table };

/** The cells of one pipe-table line; a `\|` stays escaped (it is a literal bar in the cell's markdown). */
function tableCells(line: string): string[] {
  let body = line.trim();
  if (body.startsWith('|')) body = body.slice(1);
  if (body.endsWith('|') && !body.endsWith('\\|')) body = body.slice(0, -1);
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length) {
      cell += c + body[i + 1];
      i++;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

/** The column alignments of a delimiter row such as `| --- | :---: | ---: |`, or undefined when it is not one. */
function delimiterRow(line: string): TableColumn['align'][] | undefined {
  if (!line.includes('-') || !/^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(line)) return undefined;
  return tableCells(line).map((cell) =>
    cell.startsWith(':') && cell.endsWith(':')
      ? 'center'
      : cell.endsWith(':')
        ? 'right'
        : cell.startsWith(':')
          ? 'left'
          : undefined,
  );
}

/**
 * Splits IT Buddy markdown into text runs and GitHub-style pipe tables: a header line with bars, a delimiter
 * line (`| --- | --- |`) with as many cells, then body lines with bars until a blank line or a line without
 * one. Rows are padded or cut to the header's width; a bar in a cell is written `\|`.
 */
export function splitTables(markdown: string): MarkdownPart[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const parts: MarkdownPart[] = [];
  let text: string[] = [];
  const flushText = () => {
    const joined = text.join('\n').replace(/^\n+|\n+$/g, '');
    if (joined.trim()) parts.push({ kind: 'text', text: joined });
    text = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const aligns = line.includes('|') ? delimiterRow(lines[i + 1] ?? '') : undefined;
    const header = aligns ? tableCells(line) : [];
    if (!aligns || header.length !== aligns.length) {
      text.push(line);
      i++;
      continue;
    }
    flushText();
    const columns = header.map((label, c) => {
      const align = aligns[c];
      return align ? { label, align } : { label };
    });
    const rows: string[][] = [];
    i += 2;
    while (i < lines.length && lines[i]!.includes('|') && lines[i]!.trim()) {
      const cells = tableCells(lines[i]!);
      rows.push(columns.map((_, c) => cells[c] ?? ''));
      i++;
    }
    parts.push({ kind: 'table', table: { columns, rows } });
  }
  flushText();
  return parts;
}

/**
 * A table as IT Buddy markdown, one bullet per row ("**first cell** — Column: value; …"): what a channel
 * shows when a table is over its limits or it has no tables.
 */
export function tableAsText(table: Table): string {
  const labels = table.columns.map((c) => c.label);
  return table.rows
    .map((row) => {
      const [first = '', ...rest] = row;
      const others = rest
        .map((cell, c) => (cell.trim() ? `${labels[c + 1] ?? ''}: ${cell}` : ''))
        .filter(Boolean)
        .join('; ');
      // The first cell names the row: bold, unless it has formatting of its own.
      const lead = !first.trim() ? '' : /[*_`[]/.test(first) ? first : `**${first}**`;
      return `- ${[lead, others].filter(Boolean).join(' — ')}`;
    })
    .join('\n');
}
