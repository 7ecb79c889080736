// Slack adapter throughput: signed DM events through the real HTTP endpoint at rising concurrency, against the
// fake Slack Web API on loopback, beside a bare Bolt app (same ExpressReceiver) that replies a fixed text.
// Prints events/s (answered: the reply reached the Web API) and p50/p99 time-to-ack, and IT Buddy's ratio.
// Run alone with `node bench/slack-bench.ts`.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App as BoltApp, ExpressReceiver } from '@slack/bolt';
import { startServer } from '../adapters/server.ts';
import { slackLogger } from '../adapters/slack/slack-clients.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { silentLogger } from '../src/logging/logger.ts';
import { startAdapterHarness } from '../test/slack/adapter-harness.ts';
import { FakeSlack, fixture, sendEvent } from '../test/slack/fake-slack.ts';

const secret = 'bench-signing-secret-0123456789abcdef';
const questions = [
  'how do I connect to the VPN?',
  'I forgot my password',
  'printer on floor 2 is not working',
  'how do I set up MFA on my new phone',
  'outlook is not receiving email',
  'can I get access to the finance shared folder',
];

export interface BenchRow {
  /** itbuddy: the whole product; adapter: the Slack adapter over a core that replies a fixed text; bare-bolt. */
  target: 'itbuddy' | 'adapter' | 'bare-bolt';
  concurrency: number;
  events: number;
  eventsPerSecond: number;
  ackP50Ms: number;
  ackP99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

let seq = 0;

/** Sends `total` signed DM events with `concurrency` in flight; resolves when every reply reached the fake API. */
async function drive(url: string, fake: FakeSlack, total: number, concurrency: number) {
  fake.reset();
  const acks: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      seq += 1;
      const body = fixture('event-message-im', {
        event_id: `EvBench${seq}`,
        event: {
          text: questions[i % questions.length],
          user: `U0B${i % 20}`,
          channel: `D0B${i % 20}`,
          ts: `${1_700_000_000 + seq}.000100`,
        },
      });
      const t0 = performance.now();
      const res = await sendEvent(url, secret, body);
      acks.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`event answered HTTP ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await fake.waitFor('chat.postMessage', total);
  const seconds = (performance.now() - started) / 1000;
  acks.sort((a, b) => a - b);
  return { eventsPerSecond: total / seconds, ackP50Ms: percentile(acks, 50), ackP99Ms: percentile(acks, 99) };
}

/** A bare Bolt app on the same receiver type, answering every DM with a fixed text. */
async function startBareBolt(fake: FakeSlack): Promise<{ url: string; stop(): Promise<void> }> {
  const quiet = slackLogger(silentLogger());
  const receiver = new ExpressReceiver({
    signingSecret: secret,
    processBeforeResponse: false,
    logger: quiet,
  });
  const bolt = new BoltApp({
    receiver,
    token: 'xoxb-bench',
    clientOptions: { slackApiUrl: fake.apiUrl },
    logger: quiet,
  });
  bolt.event('message', async ({ event, client }) => {
    const e = event as { channel: string; bot_id?: string };
    if (e.bot_id) return;
    await client.chat.postMessage({ channel: e.channel, text: 'Thanks, IT will get back to you.' });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = receiver.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Runs the benchmark, prints a table on stderr, and returns the figures (for `npm run bench`). */
export async function slackBench(
  options: { levels?: number[]; events?: number } = {},
): Promise<{ rows: BenchRow[]; ratioToBareBolt: Record<string, { itbuddy: number; adapter: number }> }> {
  const levels = options.levels ?? [1, 8, 32];
  const total = options.events ?? 300;
  const fake = new FakeSlack();
  await fake.start();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-slack-bench-'));
  const config = loadConfig(
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      PORT: '0',
      HOST: '127.0.0.1',
      KB_WATCH: 'false',
      DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: fake.apiUrl,
    },
    { envFile: false },
  );
  const itbuddy = await startServer(config, silentLogger());
  const bare = await startBareBolt(fake);
  // The adapter alone (verification, dedupe claim, users.info, rendering) over a core with no features.
  const adapterOnly = await startAdapterHarness({ features: [], env: { SLACK_SIGNING_SECRET: secret } });
  const rows: BenchRow[] = [];
  try {
    // Warm up both (JIT, caches, auth.test) before measuring.
    await drive(itbuddy.url, fake, 30, 4);
    await drive(bare.url, fake, 30, 4);
    await drive(adapterOnly.url, adapterOnly.fake, 30, 4);
    for (const concurrency of levels) {
      const mine = await drive(itbuddy.url, fake, total, concurrency);
      const adapter = await drive(adapterOnly.url, adapterOnly.fake, total, concurrency);
      const base = await drive(bare.url, fake, total, concurrency);
      rows.push({ target: 'itbuddy', concurrency, events: total, ...mine });
      rows.push({ target: 'adapter', concurrency, events: total, ...adapter });
      rows.push({ target: 'bare-bolt', concurrency, events: total, ...base });
    }
  } finally {
    await adapterOnly.stop();
    await bare.stop();
    await itbuddy.stop();
    await fake.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  // The table goes to stderr: stdout carries the JSON document of `npm run bench`.
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say('\nSlack adapter: signed DM events through /slack/events (fake Web API on loopback)');
  say('concurrency  target      events/s  ack p50 ms  ack p99 ms  ratio');
  const ratios: Record<string, { itbuddy: number; adapter: number }> = {};
  for (const concurrency of levels) {
    const at = (target: BenchRow['target']) =>
      rows.find((r) => r.target === target && r.concurrency === concurrency)!;
    const base = at('bare-bolt');
    const ratio = (r: BenchRow) => Math.round((r.eventsPerSecond / base.eventsPerSecond) * 100) / 100;
    ratios[`c${concurrency}`] = { itbuddy: ratio(at('itbuddy')), adapter: ratio(at('adapter')) };
    for (const r of [at('itbuddy'), at('adapter'), base]) {
      const shown = r === base ? '' : `${Math.round(ratio(r) * 100)}%`;
      say(
        `${String(concurrency).padStart(11)}  ${r.target.padEnd(10)}  ${r.eventsPerSecond.toFixed(0).padStart(8)}  ${r.ackP50Ms.toFixed(1).padStart(10)}  ${r.ackP99Ms.toFixed(1).padStart(10)}  ${shown}`,
      );
    }
  }
  say(
    'ratio = events/s ÷ bare Bolt events/s (aim: ≥ 70%). "itbuddy" includes the core: knowledge-base search,',
  );
  say(
    'intake and the question log; "adapter" is the Slack adapter alone (signature, dedupe claim, rendering).',
  );
  return {
    rows: rows.map((r) => ({
      ...r,
      eventsPerSecond: Math.round(r.eventsPerSecond),
      ackP50Ms: Math.round(r.ackP50Ms * 10) / 10,
      ackP99Ms: Math.round(r.ackP99Ms * 10) / 10,
    })),
    ratioToBareBolt: ratios,
  };
}

if (import.meta.main) await slackBench();
