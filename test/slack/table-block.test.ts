// Tables in Slack: a card section's table becomes Slack's table block (one per message, within its limits), and
// past those limits its rows arrive as text.
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/slack/render-blocks.ts';
import { tableBlock } from '../../adapters/slack/table-block.ts';
import type { Card, Table } from '../../src/messages/replies.ts';
import { blockViolations } from './block-limits.ts';

const table: Table = {
  columns: [{ label: 'To do this' }, { label: 'On Windows' }, { label: 'On a Mac', align: 'right' }],
  rows: [
    ['Open the settings', '**Settings > Display**', '[Displays](https://support.example.com/mac)'],
    ['<!here> <@U123>', '', '`Cmd` + F1'],
  ],
};

const card = (tables: Table[]): Card => ({
  type: 'card',
  kind: 'answer',
  title: 'Set up a monitor',
  sections: tables.map((t, i) => ({ heading: `Part ${i + 1}`, table: t })),
});

describe('tableBlock', () => {
  it('renders the header in bold, plain cells as raw_text, formatted cells as rich_text, and wraps columns', () => {
    expect(tableBlock(table)).toEqual({
      type: 'table',
      rows: [
        [
          {
            type: 'rich_text',
            elements: [
              {
                type: 'rich_text_section',
                elements: [{ type: 'text', text: 'To do this', style: { bold: true } }],
              },
            ],
          },
          {
            type: 'rich_text',
            elements: [
              {
                type: 'rich_text_section',
                elements: [{ type: 'text', text: 'On Windows', style: { bold: true } }],
              },
            ],
          },
          {
            type: 'rich_text',
            elements: [
              {
                type: 'rich_text_section',
                elements: [{ type: 'text', text: 'On a Mac', style: { bold: true } }],
              },
            ],
          },
        ],
        [
          { type: 'raw_text', text: 'Open the settings' },
          {
            type: 'rich_text',
            elements: [
              {
                type: 'rich_text_section',
                elements: [{ type: 'text', text: 'Settings > Display', style: { bold: true } }],
              },
            ],
          },
          {
            type: 'rich_text',
            elements: [
              {
                type: 'rich_text_section',
                elements: [{ type: 'link', url: 'https://support.example.com/mac', text: 'Displays' }],
              },
            ],
          },
        ],
        [
          // Raw text is shown as typed: never a mention, never escaped into entities.
          { type: 'raw_text', text: '<!here> <@U123>' },
          // Slack wants at least one character in a cell.
          { type: 'raw_text', text: '—' },
          {
            type: 'rich_text',
            elements: [
              {
                type: 'rich_text_section',
                elements: [
                  { type: 'text', text: 'Cmd', style: { code: true } },
                  { type: 'text', text: ' + F1' },
                ],
              },
            ],
          },
        ],
      ],
      column_settings: [{ is_wrapped: true }, { is_wrapped: true }, { align: 'right', is_wrapped: true }],
    });
  });

  it('refuses a table over 100 rows (header included) or 20 columns', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => [`row ${i}`]);
    expect(tableBlock({ columns: [{ label: 'A' }], rows: rows(99) })?.rows).toHaveLength(100);
    expect(tableBlock({ columns: [{ label: 'A' }], rows: rows(100) })).toBeUndefined();
    const columns = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `C${i}` }));
    expect(tableBlock({ columns: columns(20), rows: [] })?.rows[0]).toHaveLength(20);
    expect(tableBlock({ columns: columns(21), rows: [] })).toBeUndefined();
  });
});

describe('renderMessage with tables', () => {
  it('puts an answer section table in a table block after its heading', () => {
    const { blocks } = renderMessage([card([table])]);
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'table']);
    expect(blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*Part 1*' } });
    expect(blocks[2]).toEqual(tableBlock(table));
    expect(blockViolations(blocks)).toEqual([]);
  });

  it('keeps to one table block per message: a second table arrives as rows of text', () => {
    const { blocks } = renderMessage([card([table, table])]);
    expect(blocks.filter((b) => b.type === 'table')).toHaveLength(1);
    const last = blocks.at(-1);
    expect(last).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          '• *Open the settings* — On Windows: *Settings &gt; Display*; On a Mac: <https://support.example.com/mac|Displays>',
          '• *&lt;!here&gt; &lt;@U123&gt;* — On a Mac: `Cmd` + F1',
        ].join('\n'),
      },
    });
    expect(blockViolations(blocks)).toEqual([]);
  });

  it('sends a table with too many rows as text sections, within every block limit', () => {
    const big: Table = {
      columns: [{ label: 'Model' }, { label: 'Cable' }],
      rows: Array.from({ length: 150 }, (_, i) => [`Model ${i}`, 'USB-C']),
    };
    const { blocks } = renderMessage([card([big])]);
    expect(blocks.some((b) => b.type === 'table')).toBe(false);
    const text = blocks.map((b) => (b.type === 'section' ? (b.text?.text ?? '') : '')).join('\n');
    expect(text).toContain('• *Model 0* — Cable: USB-C');
    expect(text).toContain('• *Model 149* — Cable: USB-C');
    expect(blockViolations(blocks)).toEqual([]);
  });
});
