// A neutral table → Slack's `table` block (rows of raw_text / rich_text cells), or undefined when it is over limits.
import { type InlineToken, parseInline } from '../../src/messages/markdown.ts';
import type { Table } from '../../src/messages/replies.ts';

/** Limits of the table block (Slack's "Table block" reference), and our own cap on its size. */
export const slackTableLimits = {
  /** Rows, the header row included. */
  rows: 100,
  /** Cells in a row, and entries of column_settings. */
  columns: 20,
  /** Slack allows one table block per message (more is rejected with only_one_table_allowed). */
  perMessage: 1,
  /** Our cap on one cell, so a stray paragraph in a cell cannot make the table unreadable. */
  cellText: 500,
  /** Our cap on all cells together (Slack's data table states 10,000 characters; the plain table keeps to it too). */
  totalText: 10_000,
} as const;

/** A cell with no formatting. Slack wants at least one character, so an empty cell shows a dash. */
export interface RawTextCell {
  type: 'raw_text';
  text: string;
}
type RichStyle = { bold?: boolean; italic?: boolean; code?: boolean };
type RichElement =
  | { type: 'text'; text: string; style?: RichStyle }
  | { type: 'link'; url: string; text: string };
/** A cell with bold, italic, code or links: one rich_text section. */
export interface RichTextCell {
  type: 'rich_text';
  elements: [{ type: 'rich_text_section'; elements: RichElement[] }];
}
/** Slack's table block. */
export interface TableBlock {
  type: 'table';
  rows: (RawTextCell | RichTextCell)[][];
  column_settings?: { align?: 'left' | 'center' | 'right'; is_wrapped?: boolean }[];
}

function clipCell(text: string): string {
  return text.length <= slackTableLimits.cellText ? text : `${text.slice(0, slackTableLimits.cellText - 1)}…`;
}

function richElement(token: InlineToken): RichElement | undefined {
  // rich_text is literal text: `<!here>` or `<@U1>` in a cell is shown as typed, never as a mention.
  const text = clipCell(token.text);
  switch (token.kind) {
    case 'text':
      return text ? { type: 'text', text } : undefined;
    case 'bold':
      return { type: 'text', text, style: { bold: true } };
    case 'italic':
      return { type: 'text', text, style: { italic: true } };
    case 'code':
      return { type: 'text', text, style: { code: true } };
    case 'link':
      return { type: 'link', url: token.url, text: text || token.url };
  }
}

/** One cell: raw_text when it is plain, rich_text when it has formatting or a link. */
export function tableCell(markdown: string): RawTextCell | RichTextCell {
  const tokens = parseInline(markdown.trim());
  if (tokens.every((t) => t.kind === 'text')) {
    const text = clipCell(
      tokens
        .map((t) => t.text)
        .join('')
        .trim(),
    );
    return { type: 'raw_text', text: text || '—' };
  }
  const elements = tokens.map(richElement).filter((e): e is RichElement => e !== undefined);
  return { type: 'rich_text', elements: [{ type: 'rich_text_section', elements }] };
}

/** A header cell: the label in bold, since the table block has no header row of its own. */
export function headerCell(markdown: string): RichTextCell {
  const elements = parseInline(markdown.trim())
    .map(richElement)
    .filter((e): e is RichElement => e !== undefined)
    .map((e) => (e.type === 'text' ? { ...e, style: { ...e.style, bold: true } } : e));
  const shown: RichElement[] = elements.length ? elements : [{ type: 'text', text: '—' }];
  return { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: shown }] };
}

/**
 * The table block for `table`, with the header as its first row and long cells wrapped; undefined when the table
 * has more rows or columns than Slack takes, or more text than we allow, so the caller shows it as text instead.
 */
export function tableBlock(table: Table): TableBlock | undefined {
  const columns = table.columns.length;
  if (columns > slackTableLimits.columns || table.rows.length + 1 > slackTableLimits.rows) return undefined;
  const all = [table.columns.map((c) => c.label), ...table.rows];
  const total = all.reduce((n, row) => n + row.reduce((m, cell) => m + cell.length, 0), 0);
  if (total > slackTableLimits.totalText) return undefined;
  return {
    type: 'table',
    rows: [
      table.columns.map((c) => headerCell(c.label)),
      ...table.rows.map((row) => table.columns.map((_, c) => tableCell(row[c] ?? ''))),
    ],
    column_settings: table.columns.map((c) => ({ ...(c.align ? { align: c.align } : {}), is_wrapped: true })),
  };
}
