// The pure Slack renderers: every neutral reply type against expected Block Kit JSON, limits on huge content,
// injection attempts kept inert, and modals built from forms and read back.
import { describe, expect, it } from 'vitest';
import { formMeta, formModal, modalErrors, readSubmission } from '../../adapters/slack/form-modal.ts';
import { neutralActionId, renderMessage } from '../../adapters/slack/render-blocks.ts';
import { fromSlackText, splitMrkdwn, toMrkdwn } from '../../adapters/slack/slack-mrkdwn.ts';
import { escapeMarkdown } from '../../src/messages/markdown.ts';
import { type Card, type Form, reply } from '../../src/messages/replies.ts';
import { blockViolations, modalViolations } from './block-limits.ts';

const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });

describe('IT Buddy markdown → Slack mrkdwn', () => {
  it('turns **bold**, _italic_, `code`, links and lists into Slack syntax', () => {
    expect(
      toMrkdwn('Hello **there**, _quickly_: `vpn.example.com` [the guide](https://example.com/a?b=1&c=2)'),
    ).toBe('Hello *there*, _quickly_: `vpn.example.com` <https://example.com/a?b=1&amp;c=2|the guide>');
    expect(toMrkdwn('- one\n* two\n1. first\n2) second')).toBe('• one\n• two\n1. first\n2. second');
  });

  it('keeps what a user typed inert: mentions, broadcasts and Slack links are shown, never acted on', () => {
    const typed = escapeMarkdown(
      '<!channel> <!here|here> <@U123> <#C123|general> <http://evil.example|click me> & co',
    );
    const out = toMrkdwn(`You said: ${typed}`);
    expect(out).not.toMatch(/<[!@#h]/);
    expect(out).toBe(
      'You said: &lt;!channel&gt; &lt;!here|here&gt; &lt;@U123&gt; &lt;#C123|general&gt; &lt;http://evil.example|click me&gt; &amp; co',
    );
  });

  it('escapes a link label, so a label cannot smuggle in a second link or mention', () => {
    expect(toMrkdwn('[<@U1> win|prize](https://example.com)')).toBe(
      '<https://example.com|&lt;@U1&gt; win|prize>',
    );
  });

  it('only links http(s) and mailto URLs; other schemes stay as text', () => {
    expect(toMrkdwn('[x](javascript:alert(1))')).not.toContain('<javascript');
  });
});

describe('Slack text → plain text for the core', () => {
  it('drops the bot mention, names other people, and decodes entities', () => {
    expect(
      fromSlackText('<@UBOT> ask <@U0BOB|bob> about <#C1|general> &amp; <https://x.example|this>', {
        dropUser: 'UBOT',
      }),
    ).toBe('ask @bob about #general & this (https://x.example)');
    expect(fromSlackText('&lt;script&gt; <!here> <mailto:it@example.com|it@example.com>')).toBe(
      '<script> @here it@example.com',
    );
  });
});

describe('renderMessage: one expected JSON per reply type', () => {
  it('text → a mrkdwn section', () => {
    expect(renderMessage([reply.text('Try **restarting** it')])).toEqual({
      blocks: [{ type: 'section', text: mrkdwn('Try *restarting* it') }],
      text: 'Try restarting it',
    });
  });

  it('notice → a section that starts with an emoji for its tone', () => {
    const tones = {
      info: ':information_source:',
      success: ':white_check_mark:',
      warning: ':warning:',
      error: ':x:',
    } as const;
    for (const [tone, emoji] of Object.entries(tones)) {
      expect(renderMessage([reply.notice(tone as keyof typeof tones, 'Saved')]).blocks).toEqual([
        { type: 'section', text: mrkdwn(`${emoji} Saved`) },
      ]);
    }
  });

  it('card → header, subtitle, sections, fields, buttons (neutral id recoverable), link button, footer', () => {
    const card: Card = {
      type: 'card',
      kind: 'request',
      title: 'IT-0042 · Visio licence',
      subtitle: 'Requested by Alice',
      sections: [
        { heading: 'What', text: 'Visio for **diagrams**' },
        {
          fields: [
            { label: 'Priority', value: 'P3' },
            { label: 'Status', value: 'New' },
          ],
        },
      ],
      actions: [
        reply.button('Acknowledge', 'intake.ack', 'IT-0042', 'primary'),
        reply.button('Decline', 'intake.decline', 'IT-0042', 'danger'),
        reply.button('No value', 'intake.noop'),
      ],
      link: { label: 'Open on the web', url: 'https://itbuddy.example.com/requests/IT-0042' },
      footer: 'Northwind IT',
    };
    expect(renderMessage([card])).toEqual({
      blocks: [
        { type: 'header', text: plain('IT-0042 · Visio licence') },
        { type: 'context', elements: [mrkdwn('Requested by Alice')] },
        { type: 'section', text: mrkdwn('*What*\nVisio for *diagrams*') },
        { type: 'section', fields: [mrkdwn('*Priority*\nP3'), mrkdwn('*Status*\nNew')] },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: plain('Acknowledge'),
              action_id: 'intake.ack#0',
              value: 'IT-0042',
              style: 'primary',
            },
            {
              type: 'button',
              text: plain('Decline'),
              action_id: 'intake.decline#1',
              value: 'IT-0042',
              style: 'danger',
            },
            { type: 'button', text: plain('No value'), action_id: 'intake.noop#2' },
            {
              type: 'button',
              text: plain('Open on the web'),
              action_id: 'itbuddy.slack.link#3',
              url: 'https://itbuddy.example.com/requests/IT-0042',
            },
          ],
        },
        { type: 'context', elements: [mrkdwn('Northwind IT')] },
      ],
      text: 'IT-0042 · Visio licence — What',
    });
    expect(neutralActionId('intake.ack#0')).toBe('intake.ack');
    expect(neutralActionId('answer.not_helped#12')).toBe('answer.not_helped');
  });

  it('choices → a prompt section and a row of buttons', () => {
    expect(
      renderMessage([
        reply.choices('Pass it to IT?', [reply.button('Yes', 'answer.ask_it', 'q1', 'primary')]),
      ]).blocks,
    ).toEqual([
      { type: 'section', text: mrkdwn('Pass it to IT?') },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: plain('Yes'), action_id: 'answer.ask_it#0', value: 'q1', style: 'primary' },
        ],
      },
    ]);
  });

  it('form in a message → its title and intro, and an "Open form" button carrying the form reference', () => {
    const form: Form = {
      type: 'form',
      id: 'intake.request',
      title: 'Ask IT',
      intro: 'Tell us **what** you need.',
      submitLabel: 'Send',
      fields: [{ name: 'title', label: 'Title', kind: 'text', required: true }],
      errors: { title: 'Please fill in a title.' },
    };
    expect(renderMessage([form], { formValue: () => 's:ref-1' }).blocks).toEqual([
      {
        type: 'section',
        text: mrkdwn(
          ':memo: *Ask IT*\nTell us *what* you need.\nPlease check:\n• *Title*: Please fill in a title.',
        ),
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: plain('Open form'),
            action_id: 'itbuddy.slack.open_form#0',
            value: 's:ref-1',
            style: 'primary',
          },
        ],
      },
    ]);
  });

  it('fallback text is escaped too, so a notification cannot ping @channel', () => {
    const { text } = renderMessage([reply.text(escapeMarkdown('<!channel> hi'))]);
    expect(text).toBe('&lt;!channel&gt; hi');
  });
});

describe('renderMessage: limits', () => {
  const longAnswer = (chars: number) => {
    const sentence =
      'Open GlobalProtect, sign in with your work account and wait for the globe to turn solid. ';
    return sentence.repeat(Math.ceil(chars / sentence.length)).slice(0, chars);
  };

  it('a 10,000-character answer becomes several valid sections, with nothing lost', () => {
    const text = longAnswer(10_000);
    const card: Card = {
      type: 'card',
      kind: 'answer',
      title: 'Connect to the VPN',
      sections: [{ text }],
      actions: [reply.button('👍 That helped', 'answer.helped', 'q1')],
      link: { label: 'Read the whole article', url: 'https://kb.example.com/kb/vpn-connect' },
    };
    const { blocks, text: fallback } = renderMessage([card]);
    expect(blockViolations(blocks)).toEqual([]);
    const sections = blocks.filter((b) => b.type === 'section');
    expect(sections.length).toBeGreaterThanOrEqual(4);
    const joined = sections.map((s) => (s.type === 'section' ? s.text?.text : '')).join(' ');
    expect(joined.replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    expect(fallback.length).toBeLessThanOrEqual(3000);
  });

  it('content beyond 50 blocks is shortened with "…" and a link to the whole thing, keeping the buttons', () => {
    const card: Card = {
      type: 'card',
      kind: 'newsletter',
      title: 'x'.repeat(400),
      sections: [{ text: longAnswer(200_000) }],
      actions: Array.from({ length: 30 }, (_, i) =>
        reply.button(`Option ${i} ${'y'.repeat(100)}`, `pick.${i}`, 'v'.repeat(3000)),
      ),
      link: { label: 'Read it on the web', url: 'https://itbuddy.example.com/newsletter/2026-07' },
    };
    const { blocks } = renderMessage([card]);
    expect(blockViolations(blocks)).toEqual([]);
    expect(blocks.length).toBeLessThanOrEqual(50);
    const lastSection = blocks.filter((b) => b.type === 'section').at(-1);
    expect(lastSection?.type === 'section' && lastSection.text?.text).toMatch(
      /\n… <https:\/\/itbuddy\.example\.com\/newsletter\/2026-07\|Read it on the web>$/,
    );
    const buttons = blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons).toHaveLength(31);
  });

  it('many replies beyond 50 blocks end with a note instead of being rejected', () => {
    const replies = Array.from({ length: 80 }, (_, i) => reply.text(`Line ${i}`));
    const { blocks } = renderMessage(replies);
    expect(blocks).toHaveLength(50);
    expect(blockViolations(blocks)).toEqual([]);
    expect(blocks.at(-1)).toEqual({
      type: 'context',
      elements: [mrkdwn('… there was more than fits in one message.')],
    });
  });

  it('more than 10 fields go into several sections', () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `F${i}`, value: 'v'.repeat(3000) }));
    const { blocks } = renderMessage([{ type: 'card', title: 'Report', sections: [{ fields }] }]);
    expect(blockViolations(blocks)).toEqual([]);
    expect(blocks.filter((b) => b.type === 'section' && b.fields)).toHaveLength(3);
  });

  it('splits long mrkdwn at safe places, never inside a link or an entity', () => {
    const link = '<https://example.com/a-very-long-path|a label>';
    const text = `${'word '.repeat(50)}${link} &amp; ${'more '.repeat(50)}`;
    for (const max of [60, 100, 253, 260, 300]) {
      const chunks = splitMrkdwn(text, max);
      for (const c of chunks) {
        expect(c.length).toBeLessThanOrEqual(max);
        expect((c.match(/</g) ?? []).length).toBe((c.match(/>/g) ?? []).length);
        expect(c).not.toMatch(/&[a-z]*$/);
      }
    }
  });
});

describe('forms ↔ modals', () => {
  const form: Form = {
    type: 'form',
    id: 'intake.request',
    title: 'Ask IT for something new, please',
    intro: 'Tell us **what** you need.',
    submitLabel: 'Send to IT',
    fields: [
      {
        name: 'title',
        label: 'Title',
        kind: 'text',
        required: true,
        placeholder: 'Short title',
        maxLength: 120,
      },
      { name: 'description', label: 'What do you need?', kind: 'textarea', required: true },
      {
        name: 'urgency',
        label: 'Urgency',
        kind: 'select',
        required: true,
        options: [
          { value: 'low', label: 'Low' },
          { value: 'high', label: 'High' },
        ],
      },
      { name: 'neededBy', label: 'Needed by', kind: 'date', required: false, hint: 'Optional' },
    ],
    values: { title: 'Visio', urgency: 'high', neededBy: '2026-03-31' },
    errors: { description: 'Please fill in what you need.' },
    state: 'draft-7',
  };

  it('builds a pre-filled modal: block_id = field name, one input element per kind, title within 24', () => {
    const meta = formMeta(form, { id: 'D0ALICE', kind: 'personal' });
    const view = formModal(form, JSON.stringify(meta), meta);
    expect(modalViolations(view as never)).toEqual([]);
    expect(view.title.text).toBe('Ask IT for something ne…');
    expect(JSON.parse(view.private_metadata)).toEqual({
      f: 'intake.request',
      s: 'draft-7',
      c: { id: 'D0ALICE', kind: 'personal' },
    });
    expect(view.blocks).toEqual([
      { type: 'section', text: mrkdwn('Tell us *what* you need.') },
      {
        type: 'input',
        block_id: 'title',
        label: plain('Title'),
        optional: false,
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          initial_value: 'Visio',
          max_length: 120,
          placeholder: plain('Short title'),
        },
      },
      {
        type: 'input',
        block_id: 'description',
        label: plain('What do you need?'),
        optional: false,
        hint: plain('⚠️ Please fill in what you need.'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 },
      },
      {
        type: 'input',
        block_id: 'urgency',
        label: plain('Urgency'),
        optional: false,
        element: {
          type: 'static_select',
          action_id: 'value',
          options: [
            { text: plain('Low'), value: 'low' },
            { text: plain('High'), value: 'high' },
          ],
          initial_option: { text: plain('High'), value: 'high' },
        },
      },
      {
        type: 'input',
        block_id: 'neededBy',
        label: plain('Needed by'),
        optional: true,
        hint: plain('Optional'),
        element: { type: 'datepicker', action_id: 'value', initial_date: '2026-03-31' },
      },
    ]);
  });

  it('reads a submission back by field name, with the form id and state', () => {
    const state = {
      values: {
        title: { value: { type: 'plain_text_input', value: 'Visio Pro' } },
        description: { value: { type: 'plain_text_input', value: null } },
        urgency: { value: { type: 'static_select', selected_option: { text: plain('Low'), value: 'low' } } },
        neededBy: { value: { type: 'datepicker', selected_date: '2026-04-01' } },
      },
    };
    expect(readSubmission(state, { f: 'intake.request', s: 'draft-7' })).toEqual({
      formId: 'intake.request',
      state: 'draft-7',
      values: { title: 'Visio Pro', description: '', urgency: 'low', neededBy: '2026-04-01' },
    });
  });

  it('keeps select values longer than Slack allows by index, and maps them back', () => {
    const long = `team:${'x'.repeat(200)}`;
    const f: Form = {
      ...form,
      fields: [
        {
          name: 'team',
          label: 'Team',
          kind: 'select',
          required: true,
          options: [
            { value: 'a', label: 'A' },
            { value: long, label: 'Long' },
          ],
        },
      ],
      values: { team: long },
      errors: {},
    };
    const meta = formMeta(f);
    const view = formModal(f, JSON.stringify(meta), meta);
    expect(modalViolations(view as never)).toEqual([]);
    const state = {
      values: { team: { value: { type: 'static_select', selected_option: { value: '#1' } } } },
    };
    expect(readSubmission(state, meta).values.team).toBe(long);
  });

  it('field errors for response_action errors, keyed by block id; unknown keys land on the first field', () => {
    expect(modalErrors({ ...form, errors: { description: 'Needed.', general: 'Try again.' } })).toEqual({
      description: 'Needed.',
      title: 'Try again.',
    });
  });
});

describe('answers with lists, native feedback and the AI label', () => {
  const answer = (sections: Card['sections'], extra: Partial<Card> = {}): Card => ({
    type: 'card',
    kind: 'answer',
    title: 'Connect to the VPN',
    sections,
    actions: [
      reply.button('👍 That helped', 'answer.helped', 'q1'),
      reply.button("👎 Didn't help", 'answer.not_helped', 'q1'),
      reply.button('Ask IT', 'answer.ask_it', 'q1', 'primary'),
    ],
    ...extra,
  });

  it('puts steps in a markdown block, keeps prose in mrkdwn, and shows 👍/👎 as native feedback buttons', () => {
    const { blocks } = renderMessage([
      answer([
        { text: 'Works from anywhere.' },
        { heading: 'Connect', text: '1. Open **GlobalProtect**.\n2. Sign in with <@U123> nothing.' },
      ]),
    ]);
    expect(blocks.slice(1, 3)).toEqual([
      { type: 'section', text: mrkdwn('Works from anywhere.') },
      {
        type: 'markdown',
        text: '**Connect**\n\n1. Open **GlobalProtect**.\n2. Sign in with ‹@U123› nothing.',
      },
    ]);
    expect(blocks.find((b) => b.type === 'context_actions')).toEqual({
      type: 'context_actions',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: 'itbuddy.slack.feedback',
          positive_button: {
            text: plain('👍'),
            value: 'answer.helped|q1',
            accessibility_label: '👍 That helped',
          },
          negative_button: {
            text: plain('👎'),
            value: 'answer.not_helped|q1',
            accessibility_label: "👎 Didn't help",
          },
        },
      ],
    });
    expect(JSON.stringify(blocks)).not.toContain('answer.helped#');
    expect(JSON.stringify(blocks)).not.toContain('AI-generated');
    expect(blockViolations(blocks)).toEqual([]);
  });

  it('falls back to mrkdwn sections once the message has used its 12,000 markdown characters', () => {
    const steps = Array.from(
      { length: 300 },
      (_, i) => `${i + 1}. Step number ${i + 1} of the long list`,
    ).join('\n');
    // Six answers of 2,400 characters: five fit in 12,000, the sixth is drawn as mrkdwn sections.
    const six = Array.from({ length: 6 }, () => answer([{ text: steps.slice(0, 2400) }]));
    const { blocks } = renderMessage(six);
    expect(blocks.filter((b) => b.type === 'markdown')).toHaveLength(5);
    const sections = blocks.filter(
      (b) => b.type === 'section' && b.text?.text.startsWith('1. Step number 1'),
    );
    expect(sections).toHaveLength(1);
    expect(blockViolations(blocks)).toEqual([]);
  });

  it('labels a model-written answer as AI-generated with numbered source links', () => {
    const { blocks } = renderMessage([
      answer([{ text: 'Open the app and sign in.' }], {
        generated: true,
        citations: [
          { title: 'Connect to the VPN', url: 'https://buddy.example.com/kb/connect-vpn' },
          { title: 'Office Wi-Fi', url: 'https://buddy.example.com/kb/office-wifi' },
        ],
      }),
    ]);
    expect(blocks.find((b) => b.type === 'context' && JSON.stringify(b).includes('AI-generated'))).toEqual({
      type: 'context',
      elements: [
        mrkdwn(
          ':sparkles: *AI-generated* — check the source if in doubt. Sources: 1. <https://buddy.example.com/kb/connect-vpn|Connect to the VPN>  2. <https://buddy.example.com/kb/office-wifi|Office Wi-Fi>',
        ),
      ],
    });
  });
});
