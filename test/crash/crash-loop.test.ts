// Kills the real bot with SIGKILL at seeded random points of a Slack request conversation, restarts it on the same
// data folder, and checks what people were shown against what survived: every request confirmed with "Saved as
// IT-000n" exists, each request reached the IT channel exactly once, and no conversation went back behind the
// question the person was last shown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { createOutboxRepository } from '../../src/store/repositories/outbox.ts';
import { createRequestRepository } from '../../src/store/repositories/requests.ts';
import { FakeSlack, fixture, newEventId, type RecordedCall, sendEvent } from '../slack/fake-slack.ts';
import { signingSecret } from '../slack/slack-harness.ts';
import { type BotProcess, type WarmBot, warmBot } from './bot-process.ts';

// CRASH_SEED replays another sequence of kill points; CRASH_RUNS shortens a local investigation (CI runs 30).
const runs = Number(process.env.CRASH_RUNS ?? 30);
const seed = Number(process.env.CRASH_SEED ?? 20261203);
const itChannel = 'C0ITDESK';

/** What the person types, in order; answer k is what moves the conversation from stage k to stage k + 1. */
const script = [
  'I need Visio installed',
  'just me',
  'I draw the office floor plans for the move',
  'no rush',
  'confirm',
];

/** How far a reply shows the conversation to be: 1 to 4 are its questions, 5 is "Saved as". */
const stages: [number, RegExp][] = [
  [5, /Saved as \W*IT-\d{4}/],
  [4, /Here is what I will send to IT/],
  [3, /By when do you need it/],
  [2, /What do you need it for/],
  [1, /Who is it for/],
];

function stageOf(call: RecordedCall): number {
  const text = JSON.stringify(call.args);
  return stages.find(([, pattern]) => pattern.test(text))?.[0] ?? 0;
}

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
function seeded(value: number): () => number {
  let a = value >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let fake: FakeSlack;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  fake = new FakeSlack();
  await fake.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-crash-'));
  env = {
    DATA_DIR: dataDir,
    KB_DIR: path.resolve('kb'),
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: fake.apiUrl,
    IT_DESTINATIONS: `slack:${itChannel}`,
  };
});

afterAll(async () => {
  await fake?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('crash loop', () => {
  it(`after ${runs} SIGKILLs mid-conversation: every confirmed request exists, each was posted once, no conversation went back`, async () => {
    const random = seeded(seed);
    const dmsTo = (channel: string) =>
      fake.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel);
    const lastStage = (channel: string) => {
      const posts = dmsTo(channel);
      return posts.length > 0 ? stageOf(posts[posts.length - 1]!) : 0;
    };
    const confirmed = new Set<string>();
    const noteConfirmations = (channel: string) => {
      for (const post of dmsTo(channel)) {
        const match = /Saved as \W*(IT-\d{4})/.exec(JSON.stringify(post.args));
        if (match) confirmed.add(match[1]!);
      }
    };
    const rollbacks: string[] = [];
    const killedAt: Record<string, number> = {};

    /** Sends one DM; resolves once a reply showing at least `expected` arrived, or the bot died. */
    async function say(bot: BotProcess, user: string, channel: string, text: string, expected: number) {
      const before = dmsTo(channel).length;
      const event = fixture('event-message-im', {
        event: { user, channel, text, client_msg_id: newEventId() },
        event_id: newEventId(),
      });
      try {
        await sendEvent(bot.url, signingSecret, event);
      } catch {
        return; // The bot died before it took the event.
      }
      for (let waited = 0; bot.alive() && waited < 15_000; waited += 5) {
        const posts = dmsTo(channel);
        if (posts.length > before && stageOf(posts[posts.length - 1]!) >= expected) return;
        await sleep(5);
      }
    }

    // The next process loads while the current one runs, so a restart costs only the bot's own start-up.
    let spare: Promise<WarmBot> = warmBot(env);
    const restart = async () => {
      const next = await (await spare).start();
      spare = warmBot(env);
      return next;
    };
    let bot = await restart();
    try {
      for (let run = 0; run < runs; run++) {
        const user = `U0RUN${run}`;
        const channel = `D0RUN${run}`;
        // Where this run dies: a few milliseconds after sending message `step` (0-4), or after "Saved as" (5).
        const step = Math.floor(random() * 6);
        const delay = Math.floor(random() * 30);
        killedAt[step === 5 ? 'after saved' : `after message ${step + 1}`] =
          (killedAt[step === 5 ? 'after saved' : `after message ${step + 1}`] ?? 0) + 1;
        let kill: Promise<void> | undefined;
        const current = bot;
        for (let i = 0; i < script.length && current.alive(); i++) {
          const sent = say(current, user, channel, script[i]!, i + 1);
          if (step === i) kill = sleep(delay).then(() => current.kill());
          await sent;
        }
        if (!kill) kill = sleep(delay).then(() => current.kill());
        await kill;
        noteConfirmations(channel);

        bot = await restart();
        // What the person was last shown must still be where the conversation stands: answering it moves on.
        const shown = lastStage(channel);
        if (shown >= 1 && shown <= 4) {
          await say(bot, user, channel, script[shown]!, shown + 1);
          const now = lastStage(channel);
          if (now <= shown)
            rollbacks.push(
              `run ${run}: shown stage ${shown}, then answered with stage ${now}: ${JSON.stringify(
                dmsTo(channel)
                  .slice(-1)
                  .map((p) => p.args.text),
              )}`,
            );
          noteConfirmations(channel);
        }
      }

      // Let the outbox drain: wait for every confirmed request's post, then look in the store for jobs still
      // pending (a post interrupted by the last kill, a request saved but never confirmed) and run the bot until
      // its worker has settled each of them, as its log says.
      const postsOf = (reference: string) =>
        fake.calls.filter(
          (c) =>
            c.method === 'chat.postMessage' &&
            c.args.channel === itChannel &&
            !c.args.thread_ts &&
            JSON.stringify(c.args).includes(reference),
        );
      for (const reference of confirmed)
        for (let waited = 0; postsOf(reference).length === 0 && waited < 30_000; waited += 20)
          await sleep(20);
      await bot.stop();
      const pendingJobs = async () => {
        const store = openEmbeddedStore(dataDir);
        try {
          const saved = (await createRequestRepository(store).createdSince('2000-01-01T00:00:00.000Z')).map(
            (r) => r.reference,
          );
          const jobs = await createOutboxRepository(store).withStatus('pending');
          return {
            saved,
            // A job whose request was never written (killed between the two writes of a save, before anyone was
            // told) waits for it and is abandoned after ten minutes; it can never post.
            pending: jobs.filter((j) => saved.includes(j.subject)).map((j) => j.id),
            orphans: jobs.filter((j) => !saved.includes(j.subject)).length,
          };
        } finally {
          await store.close();
        }
      };
      let { saved, pending, orphans } = await pendingJobs();
      for (let round = 0; round < 3 && pending.length > 0; round++) {
        bot = await restart();
        const settled = (id: string) =>
          bot
            .output()
            .split('\n')
            .some(
              (line) =>
                line.includes(JSON.stringify(id)) && /Outbox job delivered|had gone out; recorded/.test(line),
            );
        for (let waited = 0; !pending.every(settled) && waited < 30_000; waited += 20) await sleep(20);
        await bot.stop();
        ({ saved, pending, orphans } = await pendingJobs());
      }

      const missing = [...confirmed].filter((r) => !saved.includes(r));
      const postCounts = saved.map((r) => [r, postsOf(r).length] as const);
      const postedOnce = postCounts.filter(([, n]) => n === 1).length;
      const duplicates = postCounts.filter(([, n]) => n > 1);
      const figures = {
        seed,
        runs,
        killedAt,
        confirmed: confirmed.size,
        saved: saved.length,
        postedOnce,
        duplicates: duplicates.length,
        rollbacks: rollbacks.length,
        jobsWithoutRequest: orphans,
        // Interrupted posts the restarted bot looked for on Slack before posting (and found already there).
        lookups: fake.calls.filter((c) => c.method === 'conversations.history').length,
        foundAlreadyPosted: fake.calls.filter(
          (c) => c.method === 'conversations.history' && ((c.result?.messages as unknown[]) ?? []).length > 0,
        ).length,
      };
      console.info(`crash loop: ${JSON.stringify(figures)}`);

      expect(missing, 'confirmed requests that were lost').toEqual([]);
      expect(duplicates, 'requests posted to the IT channel more than once').toEqual([]);
      expect(
        postCounts.filter(([, n]) => n === 0),
        'requests never posted',
      ).toEqual([]);
      expect(pending, 'outbox jobs still pending').toEqual([]);
      expect(rollbacks, 'conversations behind what the person was shown').toEqual([]);
      // The loop must have exercised what it checks.
      expect(confirmed.size).toBeGreaterThan(0);
    } finally {
      await bot.kill();
      await (await spare).discard();
    }
  }, 300_000);
});
