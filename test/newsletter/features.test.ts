// The chat side as conversations: announcing (and being refused), field errors, editing and withdrawing,
// known-issue notices before answers, roles, subscriptions, reactions, suggestions, preview, send-now, history.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { announceFormId } from '../../src/announcements/announcement.ts';
import { type Bot, createBot } from '../../src/bot/bot.ts';
import { ChannelRegistry } from '../../src/channels/channel-adapter.ts';
import type { Config } from '../../src/config/load-config.ts';
import type { IncomingMessage } from '../../src/messages/incoming.ts';
import type { Card, Form, Reply } from '../../src/messages/replies.ts';
import { newsletterActions } from '../../src/newsletter/compose.ts';
import type { NewsletterModule } from '../../src/newsletter/newsletter-module.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import {
  capturingLogger,
  eventually,
  FakeChannel,
  newsletterConfig,
  newsletterModule,
  tempStore,
} from './newsletter-harness.ts';

let store: DocumentStore;
let cleanup: () => Promise<void>;
let m: NewsletterModule;
let bot: Bot;
let slack: FakeChannel;
let logLines: Record<string, unknown>[];
let now: Date;

const liaison = { platform: 'slack', user: 'ULEE' } as const;
const otherLiaison = { platform: 'slack', user: 'UOTHER' } as const;
const admin = { platform: 'slack', user: 'UADMIN' } as const;
const employee = { platform: 'slack', user: 'UEMP' } as const;
type Who = { platform: 'slack' | 'web'; user: string };

function setUp(config: Config) {
  const captured = capturingLogger();
  logLines = captured.lines;
  slack = new FakeChannel('slack');
  const channels = new ChannelRegistry();
  channels.register(slack);
  m = newsletterModule(store, { config, channels, clock: () => now, logger: captured.logger });
  bot = createBot({
    config,
    logger: captured.logger,
    features: m.features,
    roleGrants: m.roleGrants,
    clock: () => now,
    // Stands in for the knowledge-base answer, so the test can see what comes before it.
    fallback: async (_ctx, text) => [
      { type: 'card', kind: 'answer', title: `Answer to: ${text}`, sections: [] },
    ],
  });
}

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
  now = new Date('2026-11-24T10:00:00.000Z');
  setUp(
    newsletterConfig({
      LIAISONS: 'slack:ULEE,slack:UOTHER',
      ADMINS: 'slack:UADMIN',
      NEWSLETTER_DESTINATIONS: 'slack:CNEWS',
      NEWSLETTER_TIMEZONE: 'Europe/London',
    }),
  );
});

afterEach(async () => {
  await m.stop();
  await cleanup();
});

function message(
  who: Who,
  content: Pick<IncomingMessage, 'text' | 'action' | 'form'>,
  channel?: string,
): IncomingMessage {
  return {
    platform: who.platform,
    user: { id: who.user, name: 'Someone' },
    conversation: channel ? { id: channel, kind: 'channel' } : { id: `D-${who.user}`, kind: 'personal' },
    ...content,
  };
}

const say = (who: Who, text: string, channel?: string) => bot.handle(message(who, { text }, channel));
const press = (who: Who, id: string, value?: string) =>
  bot.handle(message(who, { action: value === undefined ? { id } : { id, value } }));
const submit = (who: Who, formId: string, values: Record<string, string>, state?: string) =>
  bot.handle(message(who, { form: { formId, values, ...(state ? { state } : {}) } }));

function only<T extends Reply['type']>(replies: Reply[], type: T): Extract<Reply, { type: T }> {
  const found = replies.find((r) => r.type === type);
  if (!found) throw new Error(`no ${type} in ${JSON.stringify(replies)}`);
  return found as Extract<Reply, { type: T }>;
}

const vpnMaintenance = {
  title: 'VPN maintenance',
  what: 'The VPN is being upgraded and will be unavailable.',
  who: 'Everyone working remotely',
  starts: '2026-11-24 09:00',
  ends: '2026-11-24 14:00',
  category: 'maintenance',
  link: 'https://status.example.com/vpn',
  keywords: 'VPN, remote access',
  publish: 'scheduled',
};

describe('announce', () => {
  it('refuses someone who is not a liaison, politely, and logs it', async () => {
    const replies = await say(employee, 'announce');
    const notice = only(replies, 'notice');
    expect(notice.text).toMatch(/^Sorry, only IT liaisons can publish announcements/);
    expect(replies.some((r) => r.type === 'form')).toBe(false);
    expect(
      logLines.some(
        (l) => l.msg === 'Refused: publishing needs the liaison role' && l.userKey === 'slack:UEMP',
      ),
    ).toBe(true);
    // Submitting the form directly is refused the same way, and nothing is stored.
    const submitted = await submit(employee, announceFormId, vpnMaintenance);
    expect(only(submitted, 'notice').text).toMatch(/only IT liaisons/);
    expect(await m.announcements.byStatus('scheduled')).toHaveLength(0);
  });

  it('gives a liaison the announce.create form, from any channel', async () => {
    const form = only(await say(liaison, 'announce', 'C-GENERAL'), 'form');
    expect(form.id).toBe(announceFormId);
    expect(form.fields.map((f) => f.name)).toEqual([
      'title',
      'what',
      'who',
      'starts',
      'ends',
      'category',
      'link',
      'keywords',
      'publish',
    ]);
  });

  it('returns field-by-field errors with what was typed kept', async () => {
    const values = {
      ...vpnMaintenance,
      title: 'V',
      link: 'http://status.example.com',
      ends: '',
      starts: 'next tuesday',
    };
    const form = only(await submit(liaison, announceFormId, values), 'form') as Form;
    expect(form.errors).toEqual({
      title: 'give it a short title (at least 3 characters)',
      starts: 'use a date like 2026-11-30 or a date and time like 2026-11-30 14:00',
      link: 'use a full https:// link',
      ends: 'maintenance needs an end time, so the known-issue notice stops on time',
    });
    expect(form.values?.title).toBe('V');

    const noEnd = only(await submit(liaison, announceFormId, { ...vpnMaintenance, ends: '' }), 'form');
    expect(noEnd.errors?.ends).toMatch(/maintenance needs an end time/);
    const backwards = only(
      await submit(liaison, announceFormId, { ...vpnMaintenance, ends: '2026-11-24 08:00' }),
      'form',
    );
    expect(backwards.errors?.ends).toBe('the end must be after the start');
  });

  it('publishes, lists, edits and withdraws your own, and not someone else’s', async () => {
    const created = await submit(liaison, announceFormId, vpnMaintenance);
    expect(only(created, 'notice').text).toMatch(/^Published \(ann-1\)/);
    const stored = await m.announcements.get('ann-1');
    expect(stored).toMatchObject({
      status: 'scheduled',
      authorKey: 'slack:ULEE',
      keywords: ['vpn', 'remote access'],
      // 09:00 London time in November is 09:00 UTC.
      startsAt: '2026-11-24T09:00:00.000Z',
      endsAt: '2026-11-24T14:00:00.000Z',
    });

    const list = only(await say(liaison, 'announce list'), 'card') as Card;
    expect(list.sections[0]?.text).toContain('ann-1');
    expect(only(await say(otherLiaison, 'announce list'), 'text').text).toMatch(/haven't written any/);

    const refused = await say(otherLiaison, 'announce withdraw ann-1');
    expect(only(refused, 'notice').text).toBe(
      'ann-1 belongs to another liaison; only they or an admin can change it.',
    );
    const forged = await submit(
      otherLiaison,
      announceFormId,
      { ...vpnMaintenance, title: 'Hijacked' },
      'ann-1',
    );
    expect(only(forged, 'notice').text).toMatch(/belongs to another liaison/);

    const editForm = only(await press(liaison, 'announce.edit', 'ann-1'), 'form');
    expect(editForm.values?.starts).toBe('2026-11-24 09:00');
    expect(editForm.state).toBe('ann-1');
    await submit(liaison, announceFormId, { ...editForm.values, title: 'VPN upgrade' }, 'ann-1');
    expect((await m.announcements.get('ann-1'))?.title).toBe('VPN upgrade');

    // An admin may edit anyone's.
    await submit(admin, announceFormId, { ...editForm.values, title: 'VPN upgrade (admin)' }, 'ann-1');
    expect((await m.announcements.get('ann-1'))?.title).toBe('VPN upgrade (admin)');

    const withdrawn = await say(liaison, 'announce withdraw ann-1');
    expect(only(withdrawn, 'notice').tone).toBe('success');
    expect((await m.announcements.get('ann-1'))?.status).toBe('withdrawn');
  });

  it('tells a liaison when their maintenance is over before the next issue, instead of promising it a place', async () => {
    // Tuesday 24 November; the next issue goes out Monday 30 November.
    const shortOne = await submit(liaison, announceFormId, vpnMaintenance);
    expect(only(shortOne, 'notice').text).toMatch(
      /^Published \(ann-1\)\. It ends \(Tue 24 Nov, 14:00\) before the next IT newsletter goes out \(Mon 30 Nov, 09:00\), so the newsletter will leave it out; until then, anyone asking about vpn, remote access sees it as a known issue\.$/,
    );
    expect((only(shortOne, 'card') as Card).subtitle).toMatch(/over before the next newsletter$/);
    const preview = JSON.stringify(await say(liaison, 'newsletter preview'));
    expect(preview).not.toContain('VPN maintenance');

    const longOne = await submit(liaison, announceFormId, { ...vpnMaintenance, ends: '2026-12-01 14:00' });
    expect(only(longOne, 'notice').text).toBe('Published (ann-2): it goes into the next IT newsletter.');
    expect((only(longOne, 'card') as Card).subtitle).toMatch(/in the next newsletter$/);
  });

  it('asks which announcement when edit or withdraw comes without an id', async () => {
    for (const verb of ['edit', 'withdraw']) {
      const text = only(await say(liaison, `announce ${verb}`), 'text').text;
      expect(text).toBe(
        `Which announcement? Say \`announce ${verb} <id>\`, like \`announce ${verb} ann-3\`; \`announce list\` shows yours with their ids.`,
      );
    }
  });

  it('cannot change an announcement once it went out', async () => {
    await submit(liaison, announceFormId, { ...vpnMaintenance, category: 'change', ends: '' });
    await m.service.runSlot(new Date('2026-11-23T09:00:00.000Z'), 'schedule');
    expect((await m.announcements.get('ann-1'))?.status).toBe('sent');
    const replies = await say(liaison, 'announce edit ann-1');
    expect(only(replies, 'notice').text).toMatch(/already went out in the newsletter 2026-W48/);
  });
});

describe('known issues first', () => {
  beforeEach(async () => {
    await submit(liaison, announceFormId, vpnMaintenance);
  });

  it('answers a matching question with the notice before the article', async () => {
    const replies = await say(employee, 'my vpn keeps dropping');
    expect(replies.map((r) => r.type)).toEqual(['notice', 'card']);
    const notice = only(replies, 'notice');
    expect(notice.tone).toBe('warning');
    expect(notice.text).toMatch(/^Known issue: \*\*VPN maintenance\*\* until 14:00\./);
    expect(notice.text).toContain('[Details](https://status.example.com/vpn)');
    expect(m.activeKnownIssues).toBeTypeOf('function');
    expect((await m.activeKnownIssues('remote access is broken', now)).map((k) => k.announcementId)).toEqual([
      'ann-1',
    ]);
  });

  it('says nothing for other topics, before the window, or after it ends', async () => {
    expect((await say(employee, 'how do I reset my password')).map((r) => r.type)).toEqual(['card']);
    now = new Date('2026-11-24T08:59:00.000Z');
    expect((await say(employee, 'vpn down')).map((r) => r.type)).toEqual(['card']);
    now = new Date('2026-11-24T14:00:00.000Z');
    expect((await say(employee, 'vpn down')).map((r) => r.type)).toEqual(['card']);
  });

  it('stops as soon as the maintenance is withdrawn', async () => {
    await say(liaison, 'announce withdraw ann-1');
    expect((await say(employee, 'vpn down')).map((r) => r.type)).toEqual(['card']);
  });
});

describe('roles', () => {
  it('are for admins only, and a grant takes effect at once', async () => {
    const refused = await say(employee, 'roles grant slack:UEMP liaison');
    expect(only(refused, 'notice').text).toMatch(/^Sorry, only IT Buddy admins/);
    expect(logLines.some((l) => l.msg === 'Refused: roles needs the admin role')).toBe(true);

    expect(only(await say(admin, 'roles grant slack:UEMP liaison'), 'notice').tone).toBe('success');
    expect(only(await say(employee, 'announce'), 'form').id).toBe(announceFormId);
    const list = only(await say(admin, 'roles list'), 'card');
    expect(list.sections[0]?.text).toContain('`slack:UEMP` · liaison · granted by slack:UADMIN');
    expect(list.sections[0]?.text).toContain('`slack:ULEE` · liaison · configuration');

    await say(admin, 'roles revoke slack:UEMP liaison');
    expect(only(await say(employee, 'announce'), 'notice').text).toMatch(/only IT liaisons/);
    const configured = await say(admin, 'roles revoke slack:ULEE liaison');
    expect(only(configured, 'notice').text).toContain('LIAISONS');
  });
});

describe('roles typed loosely', () => {
  it('says which part was not understood, and takes a two-word role', async () => {
    const bare = only(await say(admin, 'roles grant sam liaison'), 'text');
    expect(bare.text).toMatch(/can't tell who `sam` is/);
    expect(bare.text).toContain('`web:sam`');
    const unknownRole = only(await say(admin, 'roles grant slack:USAM librarian'), 'text');
    expect(unknownRole.text).toMatch(/`librarian` is not a role: use liaison, it-staff or admin/);
    expect(only(await say(admin, 'roles grant slack:USAM IT staff'), 'notice').tone).toBe('success');
    expect(only(await say(admin, 'roles list'), 'card').sections[0]?.text).toContain(
      '`slack:USAM` · it_staff',
    );
    await say(admin, 'roles revoke slack:USAM it-staff');
  });
});

describe('subscriptions, reactions and suggestions', () => {
  it('lets a liaison subscribe a channel, which then receives the newsletter', async () => {
    expect(only(await say(employee, 'subscribe', 'C-TEAM'), 'notice').text).toMatch(/only IT liaisons/);
    expect(only(await say(liaison, 'subscribe', 'C-TEAM'), 'notice').text).toMatch(/^Done/);
    expect(await m.service.destinations()).toEqual(['slack:CNEWS', 'slack:C-TEAM']);
    await m.service.runSlot(new Date('2026-11-23T09:00:00.000Z'), 'schedule');
    expect(slack.posts.map((p) => p.destination).sort()).toEqual(['C-TEAM', 'CNEWS']);
    expect(only(await say(liaison, 'unsubscribe', 'C-TEAM'), 'notice').text).toMatch(/no more newsletters/);
    expect(await m.service.destinations()).toEqual(['slack:CNEWS']);
  });

  it('stores one reaction per reader per issue, and topic suggestions', async () => {
    await m.service.runSlot(new Date('2026-11-23T09:00:00.000Z'), 'schedule');
    await press(employee, newsletterActions.react, '2026-W48|up');
    await press(employee, newsletterActions.react, '2026-W48|down');
    await press(liaison, newsletterActions.react, '2026-W48|meh');
    expect(await m.issues.reactionCounts('2026-W48')).toEqual({ up: 0, meh: 1, down: 1 });
    expect(only(await press(employee, newsletterActions.react, '1999-W01|up'), 'text').text).toMatch(
      /couldn't record/,
    );

    const form = only(await press(employee, newsletterActions.suggest, '2026-W48'), 'form');
    expect(form.state).toBe('2026-W48');
    expect(
      only(await submit(employee, form.id, { topic: '' }, '2026-W48'), 'form').errors?.topic,
    ).toBeDefined();
    await submit(
      employee,
      form.id,
      { topic: 'How to use [the new printers](https://x.example)' },
      '2026-W48',
    );
    const [suggestion] = await m.suggestions.recent(5);
    expect(suggestion).toMatchObject({ issueKey: '2026-W48', userKey: 'slack:UEMP' });
    const history = only(await say(liaison, 'newsletter history'), 'card');
    expect(history.sections[1]?.text).toContain('How to use \\[the new printers\\]\\(https://x.example\\)');
  });
});

describe('newsletter commands', () => {
  it('preview shows a liaison exactly what will be posted, privately when asked in a channel', async () => {
    await submit(liaison, announceFormId, {
      ...vpnMaintenance,
      category: 'change',
      ends: '',
      starts: '2026-12-01 09:00',
    });
    expect(only(await say(employee, 'newsletter preview'), 'notice').text).toMatch(/only IT liaisons/);

    const replies = await say(liaison, 'newsletter preview');
    expect(only(replies, 'notice').text).toMatch(
      /^Preview of 2026-W49, going out Mon 30 Nov, 09:00 \(Europe\/London\) to 1 destination/,
    );
    const preview = only(replies, 'card');
    expect(preview.kind).toBe('newsletter');

    const inChannel = await say(liaison, 'newsletter preview', 'C-GENERAL');
    expect(only(inChannel, 'notice').text).toBe('I sent you the preview in a direct message.');
    expect(slack.directs.map((d) => d.userId)).toEqual(['ULEE']);

    // What is then sent is the same card.
    now = new Date('2026-11-30T09:00:00.000Z');
    await m.service.runSlot(now, 'schedule');
    expect(slack.posts[0]?.replies).toEqual([preview]);
  });

  it('send-now is for admins, sends this week’s issue once, and history shows it', async () => {
    expect(only(await say(liaison, 'newsletter send-now'), 'notice').text).toMatch(/only IT Buddy admins/);
    expect(only(await say(admin, 'newsletter send-now'), 'notice').text).toMatch(
      /^Sending 2026-W48 now to 1 destination/,
    );
    await m.feature.idle();
    await eventually(async () => (await m.service.issue('2026-W48'))?.status === 'sent');
    expect(only(await say(admin, 'newsletter send-now'), 'notice').text).toMatch(/already sent/);
    expect(slack.posts).toHaveLength(1);
    const history = only(await say(liaison, 'newsletter history'), 'card');
    expect(history.sections[0]?.text).toMatch(/\*\*2026-W48\*\* · sent \(quiet week\) · manual/);
    expect(history.sections[0]?.text).toContain('delivered 1 of 1');
  });

  it('status tells an employee when the next issue comes, in words, without the schedule internals', async () => {
    const status = only(await say(employee, 'newsletter status'), 'card');
    expect(status.sections[0]?.fields).toEqual([
      { label: 'Next issue', value: 'Mon 30 Nov, 09:00 (Europe/London time)' },
    ]);
    expect(status.footer).toMatch(/\/newsletter\/archive\.$/);
  });

  it('status shows the schedule and the next issue', async () => {
    const status = only(await say(liaison, 'newsletter status'), 'card');
    expect(status.sections[0]?.fields).toContainEqual({
      label: 'Schedule',
      value: '`0 9 * * 1` (Europe/London)',
    });
    expect(status.sections[0]?.fields).toContainEqual({
      label: 'Next issue',
      value: 'Mon 30 Nov, 09:00 (2026-11-30T09:00:00.000Z)',
    });
  });

  it('help lists the commands each role may use', async () => {
    const helpOf = async (who: Who) => only(await say(who, 'help'), 'card').sections[1]?.text ?? '';
    expect(await helpOf(employee)).not.toContain('announce');
    expect(await helpOf(liaison)).toContain('`announce`');
    expect(await helpOf(admin)).toContain('`roles list|grant|revoke');
  });
});
