// Pipe tables in articles: read into the neutral table, and kept apart from the text of answer-card sections.
import { describe, expect, it } from 'vitest';
import { markdownSections } from '../../src/answers/answer-card.ts';
import { splitTables, tableAsText } from '../../src/messages/markdown.ts';
import { sectionSchema } from '../../src/messages/replies.ts';

const article = [
  'Pick the network that fits:',
  '',
  '| Network | Who | Speed |',
  '| :--- | :---: | ---: |',
  '| **Northwind** | Staff | 1 Gbit/s |',
  '| Guest | Visitors \\| contractors | 50 Mbit/s | extra cell |',
  '| Lab |',
  '',
  'Ask IT if unsure.',
].join('\n');

describe('splitTables', () => {
  it('reads a pipe table with alignments, escaped bars, and rows padded or cut to the header', () => {
    expect(splitTables(article)).toEqual([
      { kind: 'text', text: 'Pick the network that fits:' },
      {
        kind: 'table',
        table: {
          columns: [
            { label: 'Network', align: 'left' },
            { label: 'Who', align: 'center' },
            { label: 'Speed', align: 'right' },
          ],
          rows: [
            ['**Northwind**', 'Staff', '1 Gbit/s'],
            ['Guest', 'Visitors \\| contractors', '50 Mbit/s'],
            ['Lab', '', ''],
          ],
        },
      },
      { kind: 'text', text: 'Ask IT if unsure.' },
    ]);
  });

  it('leaves text with bars but no delimiter row alone, and a header whose width differs from the delimiter', () => {
    const text = 'Use a | b when asked\nnext line\n| a | b |\n| --- |';
    expect(splitTables(text)).toEqual([{ kind: 'text', text }]);
  });

  it('shows a table as bulleted rows when a channel cannot draw it', () => {
    const parts = splitTables(article);
    const table = parts.find((p) => p.kind === 'table');
    if (table?.kind !== 'table') throw new Error('no table');
    expect(tableAsText(table.table)).toBe(
      [
        '- **Northwind** — Who: Staff; Speed: 1 Gbit/s',
        '- **Guest** — Who: Visitors \\| contractors; Speed: 50 Mbit/s',
        '- **Lab**',
      ].join('\n'),
    );
  });
});

describe('markdownSections', () => {
  it('puts text and table in one section under the heading, and text after the table in the next', () => {
    const sections = markdownSections('Which network', article, 2400);
    expect(sections.map((s) => sectionSchema.parse(s))).toEqual(sections);
    expect(sections).toHaveLength(2);
    expect(sections[0]).toMatchObject({ heading: 'Which network', text: 'Pick the network that fits:' });
    expect(sections[0]!.table?.rows).toHaveLength(3);
    expect(sections[1]).toEqual({ text: 'Ask IT if unsure.' });
  });

  it('shortens only the text; a table is kept whole', () => {
    const long = `${'word '.repeat(200)}\n\n| A | B |\n| - | - |\n| 1 | 2 |`;
    const [section] = markdownSections('H', long, 50);
    expect(section!.text!.length).toBeLessThanOrEqual(50);
    expect(section!.table).toEqual({ columns: [{ label: 'A' }, { label: 'B' }], rows: [['1', '2']] });
  });
});
