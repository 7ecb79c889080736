// Exactly-once delivery: replicas racing for one slot, a crash half-way, retries after 429 and 5xx, destinations
// that are gone, and the missed-run catch-up at start-up.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelRegistry } from '../../src/channels/channel-adapter.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import {
  announcement,
  destinationList,
  eventually,
  FakeChannel,
  newsletterConfig,
  newsletterModule,
  recordingTiming,
  tempStore,
} from './newsletter-harness.ts';

let store: DocumentStore;
let cleanup: () => Promise<void>;
const stoppers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
});

afterEach(async () => {
  for (const stop of stoppers.splice(0)) await stop();
  await cleanup();
});

const slot = new Date('2026-11-23T09:00:00.000Z');

function registryWith(...channels: FakeChannel[]): ChannelRegistry {
  const registry = new ChannelRegistry();
  for (const c of channels) registry.register(c);
  return registry;
}

describe('two replicas firing the same schedule', () => {
  it('create one issue and post it once to each destination', async () => {
    const destinations = [...destinationList('slack', 6), ...destinationList('teams', 4)];
    const config = newsletterConfig({ NEWSLETTER_DESTINATIONS: destinations.join(',') });
    const slackA = new FakeChannel('slack');
    const teamsA = new FakeChannel('teams');
    const slackB = new FakeChannel('slack');
    const teamsB = new FakeChannel('teams');
    const a = newsletterModule(store, { config, channels: registryWith(slackA, teamsA), owner: 'replica-a' });
    const b = newsletterModule(store, { config, channels: registryWith(slackB, teamsB), owner: 'replica-b' });
    await a.announcements.insert(
      announcement({ title: 'New printers', startsAt: '2026-11-24T09:00:00.000Z' }),
    );

    const outcomes = await Promise.all([a.scheduler.fire(slot), b.scheduler.fire(slot)]);
    // Whoever lost the election may still help resume; either way each destination gets exactly one post.
    await a.service.resumeUnfinished();
    await b.service.resumeUnfinished();

    expect(outcomes.filter((o) => o?.kind === 'sent')).toHaveLength(1);
    expect(await a.service.recentIssues(10)).toHaveLength(1);
    const counts = new Map<string, number>();
    for (const c of [slackA, teamsA, slackB, teamsB]) {
      for (const p of c.posts)
        counts.set(`${c.platform}:${p.destination}`, (counts.get(`${c.platform}:${p.destination}`) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...destinations].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const issue = await a.service.issue('2026-W48');
    expect(issue?.status).toBe('sent');
    expect(issue?.summary).toEqual({ sent: 10, failed: 0 });
  });

  it('through node-cron itself: every tick of a per-second schedule on both replicas yields one issue', async () => {
    const destinations = destinationList('slack', 3);
    // No catch-up: the issue must come from node-cron firing, not from start-up housekeeping.
    const config = newsletterConfig({
      NEWSLETTER_CRON: '* * * * * *',
      NEWSLETTER_DESTINATIONS: destinations.join(','),
      NEWSLETTER_CATCHUP_HOURS: '0',
    });
    const slackA = new FakeChannel('slack');
    const slackB = new FakeChannel('slack');
    const a = newsletterModule(store, { config, channels: registryWith(slackA), owner: 'replica-a' });
    const b = newsletterModule(store, { config, channels: registryWith(slackB), owner: 'replica-b' });
    stoppers.push(
      () => a.stop(),
      () => b.stop(),
    );
    const fired: string[] = [];
    await a.start();
    await b.start();
    // Count the slots node-cron fired on either replica (run there or skipped as "not elected").
    for (const task of [...(await import('node-cron')).getTasks().values()]) {
      if (task.name !== 'itbuddy-newsletter') continue;
      task.on('execution:finished', (ctx) => void fired.push(`${task.id}:${ctx.date.toISOString()}`));
      task.on('execution:skipped', (ctx) => void fired.push(`${task.id}:${ctx.date.toISOString()}`));
    }
    await eventually(async () => (await a.service.issue(a.service.keyFor(new Date())))?.status === 'sent');
    await eventually(() => new Set(fired.map((f) => f.split(':').slice(1).join(':'))).size >= 3);

    const issues = await a.service.recentIssues(10);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.trigger).toBe('schedule');
    const all = [...slackA.posts, ...slackB.posts].map((p) => p.destination).sort();
    expect(all).toEqual(destinations.map((d) => d.slice('slack:'.length)).sort());
  });
});

describe('a crash half-way through the fan-out', () => {
  it('is resumed by a fresh scheduler, which delivers exactly the remaining destinations', async () => {
    const n = 12;
    const k = 5;
    const destinations = destinationList('teams', n);
    const config = newsletterConfig({ NEWSLETTER_DESTINATIONS: destinations.join(',') });
    const crashing = new FakeChannel('teams');
    // After k posts the "process" freezes: every later post never answers.
    crashing.script = (_d, _attempt, call) => (call <= k ? 'ok' : 'hang');
    const first = newsletterModule(store, {
      config,
      channels: registryWith(crashing),
      owner: 'crashed',
      leaseMs: 300,
    });
    void first.service.runSlot(slot, 'schedule');
    await eventually(() => crashing.posts.length === k && crashing.attempts.size > k);
    // The crash: timers stop (no more lease renewals); the in-flight posts never finish.
    first.service.stop();

    const healthy = new FakeChannel('teams');
    const fresh = newsletterModule(store, { config, channels: registryWith(healthy), owner: 'fresh' });
    stoppers.push(() => fresh.stop());
    // Start-up resumes unfinished issues once the crashed replica's leases have lapsed.
    await eventually(async () => {
      await fresh.start();
      await fresh.kick();
      return (await fresh.service.issue('2026-W48'))?.status === 'sent';
    });

    expect(healthy.posts).toHaveLength(n - k);
    const delivered = [...crashing.posts, ...healthy.posts].map((p) => p.destination).sort();
    expect(delivered).toEqual(destinations.map((d) => d.slice('teams:'.length)).sort());
    expect(new Set(delivered).size).toBe(n);
  });
});

describe('retries', () => {
  it('a 429 then success and a 500 then success each reach the destination once, honouring Retry-After', async () => {
    const config = newsletterConfig({ NEWSLETTER_DESTINATIONS: 'slack:C429,slack:C500,slack:COK' });
    const slack = new FakeChannel('slack');
    slack.retryAfterMs = 1500;
    slack.script = (d, attempt) =>
      attempt === 1 && d === 'C429' ? '429' : attempt === 1 && d === 'C500' ? '500' : 'ok';
    const timing = recordingTiming();
    const m = newsletterModule(store, { config, channels: registryWith(slack), timing });

    const outcome = await m.service.runSlot(slot, 'schedule');

    expect(outcome.kind).toBe('sent');
    expect([...slack.postCounts().entries()].sort()).toEqual([
      ['C429', 1],
      ['C500', 1],
      ['COK', 1],
    ]);
    expect(slack.attempts.get('C429')).toBe(2);
    expect(slack.attempts.get('C500')).toBe(2);
    // The 429 waited exactly what the platform asked; the 500 backed off with jitter, within the first step.
    expect(timing.sleeps).toContain(1500);
    expect(timing.sleeps.filter((ms) => ms !== 1500).every((ms) => ms >= 0 && ms <= 500)).toBe(true);
    expect((await m.service.issue('2026-W48'))?.summary).toEqual({ sent: 3, failed: 0 });
  });

  it('gives up on a destination that keeps failing after a bounded number of attempts', async () => {
    const config = newsletterConfig({ NEWSLETTER_DESTINATIONS: 'slack:CDOWN' });
    const slack = new FakeChannel('slack');
    slack.script = () => '500';
    const m = newsletterModule(store, { config, channels: registryWith(slack) });

    const outcome = await m.service.runSlot(slot, 'schedule');

    expect(outcome.kind).toBe('partial');
    expect(slack.attempts.get('CDOWN')).toBe(5);
    expect(slack.posts).toHaveLength(0);
    const [delivery] = await m.issues.deliveries('2026-W48');
    expect(delivery).toMatchObject({ status: 'failed', permanent: false, rounds: 1 });
    expect(delivery?.retryAt).not.toBeNull();
  });
});

describe('a destination that is gone', () => {
  it('is recorded as failed, not retried, reported to liaisons and shown in the history', async () => {
    const config = newsletterConfig({
      NEWSLETTER_DESTINATIONS: 'slack:CGONE,slack:CFINE',
      LIAISONS: 'slack:ULEE,teams:0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a',
    });
    const slack = new FakeChannel('slack');
    slack.script = (d) => (d === 'CGONE' ? 'gone' : 'ok');
    const m = newsletterModule(store, { config, channels: registryWith(slack) });

    await m.service.runSlot(slot, 'schedule');

    expect(slack.attempts.get('CGONE')).toBe(1);
    const deliveries = await m.issues.deliveries('2026-W48');
    expect(deliveries.find((d) => d.destination === 'CGONE')).toMatchObject({
      status: 'failed',
      permanent: true,
    });
    expect((await m.service.issue('2026-W48'))?.summary).toEqual({ sent: 1, failed: 1 });
    // The Slack liaison gets a direct message; the Teams one cannot be reached without a Teams adapter.
    expect(slack.directs.map((d) => d.userId)).toEqual(['ULEE']);
    const notice = slack.directs[0]?.replies[0];
    expect(notice?.type === 'notice' && notice.text).toContain('slack:CGONE');
    expect(await m.service.history()).toContain('failed: slack:CGONE: channel\\_not\\_found');

    // A later resume leaves it alone, and the report is not sent again.
    await m.service.resumeUnfinished();
    await m.service.runSlot(slot, 'schedule');
    expect(slack.attempts.get('CGONE')).toBe(1);
    expect(slack.directs).toHaveLength(1);
  });
});

describe('catch-up at start-up', () => {
  it('sends the issue missed while the bot was down, once, and not again on a second start', async () => {
    const config = newsletterConfig({
      NEWSLETTER_DESTINATIONS: 'slack:C1,slack:C2',
      NEWSLETTER_CATCHUP_HOURS: '24',
    });
    // The bot comes up Monday at 20:00; the Monday 09:00 issue was missed.
    const clock = () => new Date('2026-11-23T20:00:00.000Z');
    const slack = new FakeChannel('slack');
    const first = newsletterModule(store, { config, channels: registryWith(slack), clock });
    await first.start();
    await first.kick();
    await first.stop();

    expect(slack.posts.map((p) => p.destination).sort()).toEqual(['C1', 'C2']);
    const issue = await first.service.issue('2026-W48');
    expect(issue).toMatchObject({
      trigger: 'catch_up',
      scheduledFor: '2026-11-23T09:00:00.000Z',
      status: 'sent',
    });

    const second = newsletterModule(store, { config, channels: registryWith(slack), clock });
    await second.start();
    await second.kick();
    await second.stop();
    expect(slack.posts).toHaveLength(2);
  });

  it('does not send an issue missed longer ago than NEWSLETTER_CATCHUP_HOURS', async () => {
    const config = newsletterConfig({ NEWSLETTER_DESTINATIONS: 'slack:C1', NEWSLETTER_CATCHUP_HOURS: '6' });
    const clock = () => new Date('2026-11-23T20:00:00.000Z');
    const slack = new FakeChannel('slack');
    const m = newsletterModule(store, { config, channels: registryWith(slack), clock });
    await m.start();
    await m.kick();
    await m.stop();
    expect(slack.posts).toHaveLength(0);
    expect(await m.service.recentIssues(5)).toHaveLength(0);
  });
});
