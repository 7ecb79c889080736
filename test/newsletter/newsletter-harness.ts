// Test harness for the newsletter: a throwaway embedded store, fake channel adapters that record what they
// were asked to post (and fail on cue), announcement fixtures, and the real newsletter module around them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Announcement } from '../../src/announcements/announcement.ts';
import {
  type ChannelAdapter,
  ChannelRegistry,
  PermanentDeliveryError,
  type PostedMessage,
  RetryableDeliveryError,
} from '../../src/channels/channel-adapter.ts';
import type { Config } from '../../src/config/load-config.ts';
import { buildIndex } from '../../src/kb/search-index.ts';
import { createLogger, type Logger } from '../../src/logging/logger.ts';
import type { Platform } from '../../src/messages/incoming.ts';
import type { Reply } from '../../src/messages/replies.ts';
import { createNewsletterModule, type NewsletterModule } from '../../src/newsletter/newsletter-module.ts';
import { createPlatformRateLimiter, type Timing } from '../../src/newsletter/rate-limiter.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { createQuestionLog } from '../../src/store/repositories/question-log.ts';
import { testConfig } from '../helpers/test-config.ts';

/** A store in a fresh temporary folder. */
export async function tempStore(): Promise<{ store: DocumentStore; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-newsletter-'));
  const store = openEmbeddedStore(dir);
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What a fake adapter does with one post: succeed, or throw a delivery error, or never answer (a crash). */
export type PostBehaviour = 'ok' | '429' | '500' | 'gone' | 'hang';

/** A channel adapter that records posts and direct messages; `script` decides each call's fate. */
export class FakeChannel implements ChannelAdapter {
  readonly platform: Platform;
  readonly posts: { destination: string; replies: Reply[] }[] = [];
  readonly directs: { userId: string; replies: Reply[] }[] = [];
  /** Attempts per destination, successful or not. */
  readonly attempts = new Map<string, number>();
  script: (destination: string, attempt: number, callNumber: number) => PostBehaviour = () => 'ok';
  retryAfterMs = 1500;
  private calls = 0;

  constructor(platform: Platform) {
    this.platform = platform;
  }

  async post(destination: string, replies: Reply[]): Promise<PostedMessage> {
    const attempt = (this.attempts.get(destination) ?? 0) + 1;
    this.attempts.set(destination, attempt);
    this.calls++;
    const behaviour = this.script(destination, attempt, this.calls);
    if (behaviour === 'hang') return new Promise<PostedMessage>(() => undefined);
    if (behaviour === '429') throw new RetryableDeliveryError('rate limited (429)', this.retryAfterMs);
    if (behaviour === '500') throw new RetryableDeliveryError('server error (500)');
    if (behaviour === 'gone') throw new PermanentDeliveryError('channel_not_found: the channel was archived');
    this.posts.push({ destination, replies });
    return { platform: this.platform, destination, messageId: `m-${this.posts.length}` };
  }

  async sendDirect(userId: string, replies: Reply[]): Promise<PostedMessage> {
    this.directs.push({ userId, replies });
    return { platform: this.platform, destination: userId, messageId: `d-${this.directs.length}` };
  }

  /** How many times each destination received a post. */
  postCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const p of this.posts) counts.set(p.destination, (counts.get(p.destination) ?? 0) + 1);
    return counts;
  }
}

/** Real time, but waits are recorded and skipped: retries are asserted by what was asked, not by the clock. */
export function recordingTiming(): Timing & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}

/** A logger whose lines are kept, parsed. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}

/** `n` destination ids on one platform, e.g. slack:C0000 … slack:C0009. */
export function destinationList(platform: Platform, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${platform}:C${String(i).padStart(4, '0')}`);
}

/** A Config for newsletter tests. */
export function newsletterConfig(overrides: Record<string, string> = {}): Config {
  return testConfig({
    NEWSLETTER_CRON: '0 9 * * 1',
    NEWSLETTER_TIMEZONE: 'UTC',
    PUBLIC_URL: 'https://itbuddy.example.com',
    IT_HELP_EMAIL: 'it@example.com',
    ...overrides,
  });
}

export interface ModuleOptions {
  config?: Config;
  channels?: ChannelRegistry;
  clock?: () => Date;
  timing?: Timing;
  logger?: Logger;
  owner?: string;
  leaseMs?: number;
}

/** The real newsletter module on `store`, with fast rate limits and recorded waits unless told otherwise. */
export function newsletterModule(store: DocumentStore, options: ModuleOptions = {}): NewsletterModule {
  const config = options.config ?? newsletterConfig();
  const timing = options.timing ?? recordingTiming();
  return createNewsletterModule({
    config,
    logger: options.logger ?? createLogger('silent'),
    store,
    questions: createQuestionLog(store),
    kb: () => buildIndex([]),
    channels: options.channels ?? new ChannelRegistry(),
    ...(options.clock ? { clock: options.clock } : {}),
    timing,
    // Generous limits: these tests are about outcomes; the bench measures pacing.
    limiter: createPlatformRateLimiter(
      {
        slack: {
          global: { ratePerSec: 10_000, burst: 1000 },
          perDestination: { ratePerSec: 1000, burst: 10 },
        },
        teams: {
          global: { ratePerSec: 10_000, burst: 1000 },
          perDestination: { ratePerSec: 1000, burst: 10 },
        },
      },
      timing,
    ),
    fanOut: { adapterGraceMs: 0, ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}) },
    ...(options.owner ? { owner: options.owner } : {}),
  });
}

let sequence = 0;

/** An announcement fixture, scheduled (published) unless told otherwise. */
export function announcement(
  overrides: Partial<Announcement> & Pick<Announcement, 'startsAt'>,
): Announcement {
  sequence++;
  return {
    id: `ann-f${sequence}`,
    title: `Announcement ${sequence}`,
    what: 'Something is changing for the better, and here is what it means for you.',
    who: 'Everyone',
    endsAt: null,
    category: 'change',
    link: null,
    keywords: [],
    authorKey: 'slack:ULIAISON',
    authorName: 'Lee Liaison',
    status: 'scheduled',
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:00.000Z',
    sentInIssue: null,
    ...overrides,
  };
}

/** Waits until `condition` holds, checking every 20 ms (fails the test after `timeoutMs`). */
export async function eventually(
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
