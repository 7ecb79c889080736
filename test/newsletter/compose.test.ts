// Composition from fixture announcements: sections and their order, quiet weeks, the help section, and long
// content split within platform limits.
import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/messages/replies.ts';
import {
  type ComposeInput,
  composeIssue,
  newsletterActions,
  postLimits,
  sectionHeadings,
} from '../../src/newsletter/compose.ts';
import { announcement } from './newsletter-harness.ts';

const sendAt = new Date('2026-11-23T09:00:00.000Z');
const period = { start: sendAt, end: new Date('2026-11-30T09:00:00.000Z') };

function input(overrides: Partial<ComposeInput> = {}): ComposeInput {
  return {
    issueKey: '2026-W48',
    sendAt,
    period,
    announcements: [],
    timeZone: 'Europe/London',
    quietWeek: 'short',
    help: {
      articles: [
        { title: 'Connect to the VPN', url: 'https://itbuddy.example.com/kb/vpn' },
        { title: 'Reset your password', url: 'https://itbuddy.example.com/kb/password' },
      ],
      reachIt: 'You can also email it@example.com.',
    },
    archiveUrl: 'https://itbuddy.example.com/newsletter/archive/2026-W48',
    ...overrides,
  };
}

function cardOf(result: ReturnType<typeof composeIssue>): Card {
  if (result.kind !== 'issue') throw new Error(`expected an issue, got ${result.kind}`);
  const card = result.replies[0];
  if (card?.type !== 'card') throw new Error('expected a card');
  return card;
}

const headings = (card: Card) => card.sections.map((s) => s.heading);

describe('composing an issue', () => {
  const week = [
    announcement({
      id: 'tip',
      title: 'Lock your screen',
      category: 'tip',
      startsAt: '2026-11-24T00:00:00.000Z',
    }),
    announcement({
      id: 'win',
      title: 'Laptops refreshed',
      category: 'success',
      startsAt: '2026-11-23T10:00:00.000Z',
    }),
    announcement({
      id: 'vpn',
      title: 'VPN maintenance',
      category: 'maintenance',
      startsAt: '2026-11-26T09:00:00.000Z',
      endsAt: '2026-11-26T14:00:00.000Z',
      keywords: ['vpn'],
    }),
    announcement({
      id: 'mfa',
      title: 'New sign-in prompt',
      category: 'change',
      startsAt: '2026-11-25T08:00:00.000Z',
    }),
    announcement({
      id: 'later',
      title: 'Windows 12 upgrade',
      category: 'change',
      startsAt: '2026-12-10T08:00:00.000Z',
    }),
    announcement({
      id: 'soon',
      title: 'Printer swap',
      category: 'coming_up',
      startsAt: '2026-11-27T08:00:00.000Z',
    }),
    announcement({
      id: 'draft',
      title: 'Not ready',
      category: 'change',
      status: 'draft',
      startsAt: '2026-11-24T08:00:00.000Z',
    }),
    announcement({
      id: 'gone',
      title: 'Withdrawn',
      category: 'change',
      status: 'withdrawn',
      startsAt: '2026-11-24T08:00:00.000Z',
    }),
  ];

  it('puts each announcement in its section, in the fixed order, with help and feedback last', () => {
    const result = composeIssue(input({ announcements: week }));
    const card = cardOf(result);
    expect(card.kind).toBe('newsletter');
    expect(headings(card)).toEqual([
      sectionHeadings.changing,
      sectionHeadings.coming_up,
      sectionHeadings.maintenance,
      sectionHeadings.tips,
      sectionHeadings.success,
      'Where to get help',
      'How was this issue?',
    ]);
    const text = (h: string) => card.sections.find((s) => s.heading === h)?.text ?? '';
    expect(text(sectionHeadings.changing)).toContain('New sign-in prompt');
    // An announcement starting after this week is "coming up", whatever its category, after the week's own.
    expect(text(sectionHeadings.coming_up).indexOf('Printer swap')).toBeLessThan(
      text(sectionHeadings.coming_up).indexOf('Windows 12 upgrade'),
    );
    expect(text(sectionHeadings.maintenance)).toContain('Thu 26 Nov, 09:00–14:00');
    const all = card.sections.map((s) => s.text).join('\n');
    expect(all).not.toContain('Not ready');
    expect(all).not.toContain('Withdrawn');
  });

  it('marks only the announcements this issue tells for the last time as included', () => {
    const result = composeIssue(input({ announcements: week }));
    if (result.kind !== 'issue') throw new Error('expected an issue');
    expect(result.included.sort()).toEqual(['mfa', 'soon', 'tip', 'vpn', 'win']);
  });

  it('retires maintenance that is already over instead of announcing it', () => {
    const past = announcement({
      id: 'old',
      title: 'Old outage',
      category: 'maintenance',
      startsAt: '2026-11-20T09:00:00.000Z',
      endsAt: '2026-11-20T10:00:00.000Z',
    });
    const result = composeIssue(input({ announcements: [past, ...week] }));
    if (result.kind !== 'issue') throw new Error('expected an issue');
    expect(result.retire).toEqual(['old']);
    expect(
      cardOf(result)
        .sections.map((s) => s.text)
        .join('\n'),
    ).not.toContain('Old outage');
  });

  it('carries one-click reactions and "Suggest a topic" for this issue', () => {
    const card = cardOf(composeIssue(input({ announcements: week })));
    expect(card.actions?.map((a) => [a.label, a.action?.id, a.action?.value])).toEqual([
      ['👍', newsletterActions.react, '2026-W48|up'],
      ['😐', newsletterActions.react, '2026-W48|meh'],
      ['👎', newsletterActions.react, '2026-W48|down'],
      ['Suggest a topic', newsletterActions.suggest, '2026-W48'],
    ]);
    expect(card.link?.url).toBe('https://itbuddy.example.com/newsletter/archive/2026-W48');
  });

  it('always ends with where to get help: IT Buddy, top articles and how to reach IT', () => {
    for (const announcements of [week, []]) {
      const card = cardOf(composeIssue(input({ announcements })));
      const help = card.sections.find((s) => s.heading === 'Where to get help');
      expect(help?.text).toContain('IT Buddy');
      expect(help?.text).toContain('[Connect to the VPN](https://itbuddy.example.com/kb/vpn)');
      expect(help?.text).toContain('it@example.com');
    }
  });

  it('on a quiet week in short mode sends "no changes this week" with the help section', () => {
    const card = cardOf(composeIssue(input({ announcements: [] })));
    expect(headings(card)).toEqual(['No changes this week', 'Where to get help', 'How was this issue?']);
    expect(card.title).toContain('quiet');
  });

  it('on a quiet week in skip mode sends nothing', () => {
    expect(composeIssue(input({ announcements: [], quietWeek: 'skip' })).kind).toBe('skip');
    // Drafts and withdrawn announcements do not make a week busy.
    const onlyDrafts = week.filter((a) => a.status !== 'scheduled');
    expect(composeIssue(input({ announcements: onlyDrafts, quietWeek: 'skip' })).kind).toBe('skip');
    expect(composeIssue(input({ announcements: week, quietWeek: 'skip' })).kind).toBe('issue');
  });

  it('escapes what liaisons wrote, so nobody can inject links or formatting', () => {
    const sneaky = announcement({
      title: 'Click [here](https://evil.example) **now**',
      what: 'Visit [our portal](https://evil.example) for _free_ laptops',
      startsAt: '2026-11-24T08:00:00.000Z',
    });
    const text = cardOf(composeIssue(input({ announcements: [sneaky] }))).sections[0]?.text ?? '';
    expect(text).toContain('Click \\[here\\]\\(https://evil.example\\) \\*\\*now\\*\\*');
    expect(text).not.toContain('[our portal](https://evil.example)');
  });

  it('splits long content into bounded sections and caps items with a link to the archive', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      announcement({
        title: `Change number ${i} with a fairly long title to fill the space`,
        what: `${'A long explanation of what is changing and why it matters to everyone. '.repeat(20)}`,
        who: 'Everyone in every office, all contractors, and anyone using a company laptop or phone',
        category: (['change', 'maintenance', 'tip', 'success', 'coming_up'] as const)[i % 5]!,
        startsAt: `2026-11-${String(23 + (i % 5)).padStart(2, '0')}T10:00:00.000Z`,
        endsAt: `2026-11-${String(23 + (i % 5)).padStart(2, '0')}T12:00:00.000Z`,
        keywords: ['laptop'],
        link: 'https://intranet.example.com/changes/(details)',
      }),
    );
    const card = cardOf(composeIssue(input({ announcements: many })));
    for (const section of card.sections)
      expect(section.text?.length ?? 0).toBeLessThanOrEqual(postLimits.maxSectionChars);
    // Slack allows 50 blocks a message and a Teams card about 28 KB: stay well inside both.
    expect(card.sections.length).toBeLessThanOrEqual(20);
    expect(JSON.stringify(card).length).toBeLessThan(24_000);
    const all = card.sections.map((s) => s.text).join('\n');
    expect(all).toContain(
      'and 2 more — [see the archive](https://itbuddy.example.com/newsletter/archive/2026-W48)',
    );
    expect(card.sections.some((s) => s.heading?.endsWith('(continued)'))).toBe(true);
    // Parentheses in a link are encoded so the link survives markdown.
    expect(all).toContain('https://intranet.example.com/changes/%28details%29');

    // The archive keeps every item, still in bounded sections.
    const archive = cardOf(
      composeIssue(
        input({
          announcements: many,
          limits: { maxItemsPerSection: 1000, maxSectionChars: 2500, maxItemChars: 1200 },
        }),
      ),
    );
    for (const section of archive.sections) expect(section.text?.length ?? 0).toBeLessThanOrEqual(2500);
    expect(archive.sections.map((s) => s.text).join('\n')).not.toContain('more — [see the archive]');
    expect(archive.sections.filter((s) => s.text?.includes('Change number 39')).length).toBe(1);
  });

  it('puts the model intro first, escaped', () => {
    const card = cardOf(
      composeIssue(input({ announcements: week, intro: 'This week: a new *sign-in* prompt.' })),
    );
    expect(card.sections[0]).toEqual({ text: 'This week: a new \\*sign-in\\* prompt.' });
  });
});
