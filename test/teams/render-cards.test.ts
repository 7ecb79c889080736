// The Adaptive Card renderer as pure functions: expected JSON for each reply kind, the schema version, the
// size limit, and escaping that keeps user text inert.
import { describe, expect, it } from 'vitest';
import { cardMarkdown, escapeCardText, safeUrl } from '../../adapters/teams/card-markdown.ts';
import {
  type AdaptiveCard,
  cardBytes,
  renderCards,
  renderReplyElements,
  renderSingleCard,
} from '../../adapters/teams/render-cards.ts';
import { escapeMarkdown } from '../../src/messages/markdown.ts';
import { type Card, type Form, type Reply, reply } from '../../src/messages/replies.ts';

/** Every element and action in a card, depth first. */
function walk(card: AdaptiveCard): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (typeof n.type === 'string') out.push(n);
      for (const [key, value] of Object.entries(n)) if (key !== 'data') visit(value);
    }
  };
  visit(card.body);
  return out;
}

const requestCard: Card = {
  type: 'card',
  kind: 'request',
  title: 'REQ-42 · New laptop',
  subtitle: 'From Dana Fischer',
  sections: [
    {
      heading: 'Details',
      text: 'Needs a **16 GB** laptop for CAD work.',
      fields: [{ label: 'Priority', value: 'High' }],
    },
  ],
  actions: [
    reply.button('Assign to me', 'intake.assign', 'REQ-42', 'primary'),
    reply.button('Decline', 'intake.decline', 'REQ-42', 'danger'),
  ],
  link: { label: 'Open in IT Buddy', url: 'https://itbuddy.example.com/requests/REQ-42' },
  footer: 'Submitted via Teams',
};

const laptopForm: Form = {
  type: 'form',
  id: 'intake.request',
  title: 'Ask IT for something',
  intro: 'Tell us what you need.',
  submitLabel: 'Send to IT',
  fields: [
    {
      name: 'summary',
      label: 'What do you need?',
      kind: 'text',
      required: true,
      maxLength: 120,
      placeholder: 'e.g. Visio licence',
    },
    { name: 'details', label: 'Details', kind: 'textarea', required: false, hint: 'Anything that helps IT.' },
    {
      name: 'urgency',
      label: 'How urgent?',
      kind: 'select',
      required: true,
      options: [
        { value: 'low', label: 'Whenever' },
        { value: 'high', label: 'Today' },
      ],
    },
    { name: 'neededBy', label: 'Needed by', kind: 'date', required: false },
  ],
  values: { summary: 'Visio', urgency: 'high', neededBy: '2026-12-01' },
  errors: { details: 'Please add a few words so IT knows what you mean.' },
  state: 'opaque-state-123',
};

describe('renderReplyElements', () => {
  it('renders text as a wrapping TextBlock', () => {
    expect(renderReplyElements(reply.text('Hello **there**'))).toEqual([
      { type: 'TextBlock', text: 'Hello **there**', wrap: true },
    ]);
  });

  it('colours notices by tone and gives each tone a sign', () => {
    const tones = ['info', 'success', 'warning', 'error'] as const;
    const colours = tones.map((tone) => renderReplyElements(reply.notice(tone, 'Saved'))[0]?.color);
    expect(colours).toEqual(['Accent', 'Good', 'Warning', 'Attention']);
    expect(renderReplyElements(reply.notice('error', 'Nope'))[0]?.text).toBe('❗ Nope');
  });

  it('renders a card: heading, subtitle, section, facts, buttons with action data, link and footer', () => {
    expect(renderReplyElements(requestCard)).toEqual([
      {
        type: 'TextBlock',
        text: 'REQ-42 · New laptop',
        wrap: true,
        size: 'Medium',
        weight: 'Bolder',
        style: 'heading',
      },
      { type: 'TextBlock', text: 'From Dana Fischer', wrap: true, isSubtle: true, spacing: 'None' },
      { type: 'TextBlock', text: 'Details', wrap: true, weight: 'Bolder', spacing: 'Medium' },
      { type: 'TextBlock', text: 'Needs a **16 GB** laptop for CAD work.', wrap: true },
      { type: 'FactSet', facts: [{ title: 'Priority', value: 'High' }] },
      {
        type: 'ActionSet',
        actions: [
          {
            type: 'Action.Submit',
            title: 'Assign to me',
            style: 'positive',
            data: {
              action: { id: 'intake.assign', value: 'REQ-42' },
              msteams: {
                type: 'messageBack',
                displayText: 'Assign to me',
                value: { action: { id: 'intake.assign', value: 'REQ-42' } },
              },
            },
          },
          {
            type: 'Action.Submit',
            title: 'Decline',
            style: 'destructive',
            data: {
              action: { id: 'intake.decline', value: 'REQ-42' },
              msteams: {
                type: 'messageBack',
                displayText: 'Decline',
                value: { action: { id: 'intake.decline', value: 'REQ-42' } },
              },
            },
          },
          {
            type: 'Action.OpenUrl',
            title: 'Open in IT Buddy',
            url: 'https://itbuddy.example.com/requests/REQ-42',
          },
        ],
      },
      { type: 'TextBlock', text: 'Submitted via Teams', wrap: true, isSubtle: true, size: 'Small' },
    ]);
  });

  it('renders choices as a prompt with buttons in place', () => {
    const elements = renderReplyElements(
      reply.choices('Shall I pass it on?', [
        reply.button('Yes', 'answer.ask_it', 'q1'),
        reply.link('Portal', 'https://it.example.com'),
      ]),
    );
    expect(elements.map((e) => e.type)).toEqual(['TextBlock', 'ActionSet']);
    expect((elements[1]!.actions as { type: string }[]).map((a) => a.type)).toEqual([
      'Action.Submit',
      'Action.OpenUrl',
    ]);
  });

  it('renders a form: labelled inputs, required with messages, values prefilled, field errors under the field', () => {
    const elements = renderReplyElements(laptopForm);
    expect(elements).toEqual([
      {
        type: 'TextBlock',
        text: 'Ask IT for something',
        wrap: true,
        size: 'Medium',
        weight: 'Bolder',
        style: 'heading',
      },
      { type: 'TextBlock', text: 'Tell us what you need.', wrap: true },
      {
        type: 'Input.Text',
        id: 'summary',
        label: 'What do you need?',
        isRequired: true,
        errorMessage: 'What do you need? is required',
        placeholder: 'e.g. Visio licence',
        maxLength: 120,
        value: 'Visio',
      },
      { type: 'Input.Text', id: 'details', label: 'Details', isRequired: false, isMultiline: true },
      {
        type: 'TextBlock',
        text: 'Anything that helps IT.',
        wrap: true,
        isSubtle: true,
        size: 'Small',
        spacing: 'None',
      },
      {
        type: 'TextBlock',
        text: 'Please add a few words so IT knows what you mean.',
        wrap: true,
        color: 'Attention',
        spacing: 'None',
      },
      {
        type: 'Input.ChoiceSet',
        id: 'urgency',
        label: 'How urgent?',
        isRequired: true,
        errorMessage: 'How urgent? is required',
        style: 'compact',
        choices: [
          { title: 'Whenever', value: 'low' },
          { title: 'Today', value: 'high' },
        ],
        value: 'high',
      },
      { type: 'Input.Date', id: 'neededBy', label: 'Needed by', isRequired: false, value: '2026-12-01' },
      {
        type: 'ActionSet',
        actions: [
          {
            type: 'Action.Submit',
            title: 'Send to IT',
            style: 'positive',
            data: { form: { formId: 'intake.request', state: 'opaque-state-123' } },
          },
        ],
      },
    ]);
  });
});

describe('renderCards', () => {
  const everyKind: Reply[] = [
    reply.text('Hi'),
    reply.notice('warning', 'Careful'),
    requestCard,
    reply.choices('Pick one', [reply.button('A', 'x.a')]),
    laptopForm,
  ];

  it('never uses a schema version above 1.5, nor an element type 1.5 lacks', () => {
    const known = new Set([
      'TextBlock',
      'FactSet',
      'ActionSet',
      'Input.Text',
      'Input.ChoiceSet',
      'Input.Date',
      'Action.Submit',
      'Action.OpenUrl',
    ]);
    for (const card of renderCards(everyKind)) {
      expect(Number(card.version)).toBeLessThanOrEqual(1.5);
      for (const node of walk(card)) expect(known).toContain(node.type);
    }
  });

  it('puts several replies in one card, each after the first starting with a separator', () => {
    const cards = renderCards([reply.text('One'), reply.text('Two')]);
    expect(cards).toHaveLength(1);
    expect(cards[0]?.body).toEqual([
      { type: 'TextBlock', text: 'One', wrap: true },
      { type: 'TextBlock', text: 'Two', wrap: true, separator: true, spacing: 'Medium' },
    ]);
  });

  it('keeps a 10,000-character answer in one card under 40 KB', () => {
    const answer = Array.from({ length: 1000 }, (_, i) => `Step ${i} ok`)
      .join(' ')
      .slice(0, 10_000);
    const card: Card = { type: 'card', kind: 'answer', title: 'Long one', sections: [{ text: answer }] };
    const cards = renderCards([card]);
    expect(cards).toHaveLength(1);
    expect(cardBytes(cards[0]!)).toBeLessThan(40 * 1024);
  });

  it('splits a huge answer over several cards, each under 40 KB, losing nothing', () => {
    const words = Array.from({ length: 30_000 }, (_, i) => `w${i}`);
    const cards = renderCards([{ type: 'card', title: 'Huge', sections: [{ text: words.join(' ') }] }]);
    expect(cards.length).toBeGreaterThan(1);
    for (const card of cards) expect(cardBytes(card)).toBeLessThan(40 * 1024);
    const all = cards.flatMap((c) => c.body.map((e) => String(e.text ?? ''))).join(' ');
    const seen = new Set(all.split(/\s+/));
    expect(words.filter((w) => !seen.has(w))).toEqual([]);
  });

  it('multi-byte text is measured in bytes, not characters', () => {
    const cards = renderCards([reply.text('ü€😀 '.repeat(12_000))]);
    expect(cards.length).toBeGreaterThan(1);
    for (const card of cards) expect(cardBytes(card)).toBeLessThan(40 * 1024);
  });

  it('renderSingleCard keeps what fits and says it was shortened, with the link', () => {
    const big: Card = {
      type: 'card',
      title: 'Huge',
      sections: [{ text: 'word '.repeat(40_000) }],
      link: { label: 'Open', url: 'https://itbuddy.example.com/r/1' },
    };
    const card = renderSingleCard([big]);
    expect(cardBytes(card)).toBeLessThan(40 * 1024);
    expect(card.body.at(-1)?.text).toBe(
      'This message was shortened. [Read all of it](https://itbuddy.example.com/r/1)',
    );
  });
});

describe('escaping user text', () => {
  it('neutralises markdown, HTML, entities and template functions in text runs', () => {
    const hostile =
      '**bold** _it_ [click](https://evil.example) <script>alert(1)</script> &amp; {{DATE(2026-01-01T00:00:00Z)}} `x` ~y~ #h |t|';
    expect(escapeCardText(hostile)).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\[click\\](https://evil.example) \\<script\\>alert(1)\\</script\\> \\&amp; \\{\\{DATE(2026-01-01T00:00:00Z)\\}\\} \\`x\\` \\~y\\~ #h |t|',
    );
  });

  it('user text escaped by the core stays literal in the card: no link, no bold', () => {
    const text = `You said: ${escapeMarkdown('**urgent** [free laptop](https://evil.example)')}`;
    const out = cardMarkdown(text);
    expect(out).toBe('You said: \\*\\*urgent\\*\\* \\[free laptop\\](https://evil.example)');
    expect(out).not.toMatch(/(^|[^\\])\[free laptop\]\(/);
  });

  it('keeps the core’s own formatting and safe links', () => {
    expect(cardMarkdown('Read **this** and _that_: [the guide](https://kb.example.com/find?q=[vpn])')).toBe(
      'Read **this** and _that_: [the guide](https://kb.example.com/find?q=%5Bvpn%5D)',
    );
  });

  it('drops links that are not http(s) or mailto', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,hi')).toBeUndefined();
    expect(safeUrl('mailto:it@example.com')).toBe('mailto:it@example.com');
    const card = renderReplyElements({
      type: 'card',
      title: 'x',
      sections: [],
      actions: [reply.link('Bad', 'javascript:alert(1)')],
    });
    expect(card.map((e) => e.type)).toEqual(['TextBlock']);
  });

  it('a paragraph that looks like a list or heading stays a paragraph; real lists stay lists', () => {
    expect(cardMarkdown('\\- not a bullet\n2021\\. was a year\n\\# not a heading')).toBe(
      '\\- not a bullet\n\n2021\\. was a year\n\n\\# not a heading',
    );
    expect(cardMarkdown('- one\n- two\n\n1. first\n2. second')).toBe('- one\n- two\n\n1. first\n2. second');
  });

  it('labels and button titles are plain text, without markdown or escapes', () => {
    const [element] = renderReplyElements(
      reply.choices('x', [reply.button(escapeMarkdown('**Yes** [now]'), 'a.b')]),
    ).slice(1);
    expect((element!.actions as { title: string }[])[0]?.title).toBe('**Yes** [now]');
  });
});

describe('tables', () => {
  const table = {
    columns: [{ label: 'To do this' }, { label: 'On a Mac', align: 'right' as const }],
    rows: [
      ['Open the settings', '**System Settings > Displays**'],
      ['<b>x</b> {{DATE(2026-01-01)}}', ''],
    ],
  };

  it('renders a section table as an Adaptive Card Table (schema 1.5) with a bold header row', () => {
    const elements = renderReplyElements({
      type: 'card',
      kind: 'answer',
      title: 'Set up a monitor',
      sections: [{ heading: 'Display settings', table }],
    });
    expect(elements.find((e) => e.type === 'Table')).toEqual({
      type: 'Table',
      columns: [{ width: 1 }, { width: 1, horizontalCellContentAlignment: 'Right' }],
      rows: [
        {
          type: 'TableRow',
          cells: [
            {
              type: 'TableCell',
              items: [{ type: 'TextBlock', text: 'To do this', wrap: true, weight: 'Bolder' }],
            },
            {
              type: 'TableCell',
              items: [{ type: 'TextBlock', text: 'On a Mac', wrap: true, weight: 'Bolder' }],
            },
          ],
        },
        {
          type: 'TableRow',
          cells: [
            { type: 'TableCell', items: [{ type: 'TextBlock', text: 'Open the settings', wrap: true }] },
            {
              type: 'TableCell',
              items: [{ type: 'TextBlock', text: '**System Settings \\> Displays**', wrap: true }],
            },
          ],
        },
        {
          type: 'TableRow',
          cells: [
            {
              type: 'TableCell',
              // HTML and template functions in a cell stay literal text.
              items: [
                { type: 'TextBlock', text: '\\<b\\>x\\</b\\> \\{\\{DATE(2026-01-01)\\}\\}', wrap: true },
              ],
            },
            { type: 'TableCell', items: [{ type: 'TextBlock', text: '—', wrap: true }] },
          ],
        },
      ],
      firstRowAsHeader: true,
      showGridLines: true,
    });
    // The heading comes first, then the table.
    expect(elements.map((e) => e.type).slice(0, 3)).toEqual(['TextBlock', 'TextBlock', 'Table']);
  });

  it('shows a table over its limits (11 columns, or more than the byte budget) as bulleted rows', () => {
    const wide = {
      columns: Array.from({ length: 11 }, (_, i) => ({ label: `C${i}` })),
      rows: [Array.from({ length: 11 }, (_, i) => `v${i}`)],
    };
    const [wideShown] = renderReplyElements({ type: 'card', title: 'T', sections: [{ table: wide }] }).slice(
      1,
    );
    expect(wideShown).toMatchObject({
      type: 'TextBlock',
      text: '- **v0** — C1: v1; C2: v2; C3: v3; C4: v4; C5: v5; C6: v6; C7: v7; C8: v8; C9: v9; C10: v10',
    });
    const long = {
      columns: [{ label: 'Model' }, { label: 'Note' }],
      rows: Array.from({ length: 100 }, (_, i) => [`Model ${i}`, 'x'.repeat(200)]),
    };
    const replies: Reply[] = [{ type: 'card', title: 'T', sections: [{ table: long }] }];
    const elements = renderReplyElements(replies[0]!);
    expect(elements.some((e) => e.type === 'Table')).toBe(false);
    expect(elements.map((e) => String(e.text ?? '')).join('\n')).toContain('- **Model 99** — Note: ');
    for (const card of renderCards(replies)) expect(cardBytes(card)).toBeLessThanOrEqual(36_000);
  });
});
