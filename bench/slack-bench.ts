// Slack adapter throughput: signed DM events through the real HTTP endpoint at rising concurrency, against the
// fake Slack Web API on loopback, beside a bare Bolt app (same ExpressReceiver) that replies a fixed text.
// Prints events/s (answered: the reply reached the Web API) and p50/p99 time-to-ack, and IT Buddy's ratio.
// Run alone with `node bench/slack-bench.ts`.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { App as BoltApp, ExpressReceiver } from '@slack/bolt';
import { startServer } from '../adapters/server.ts';
import { slackLogger } from '../adapters/slack/slack-clients.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { silentLogger } from '../src/logging/logger.ts';
import { startAdapterHarness } from '../test/slack/adapter-harness.ts';
import type { DriveCommand, DriveResult } from './slack-load.ts';

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
  /** CPU time of the thread running the bots, per event (the load runs on its own thread). */
  cpuUsPerEvent: number;
}

/** The load thread: a fake Slack that sends events and takes the bots' Web API calls. */
interface LoadThread {
  apiUrl: string;
  drive(url: string, total: number, concurrency: number): Promise<DriveResult>;
  stop(): Promise<void>;
}

async function startLoadThread(): Promise<LoadThread> {
  const worker = new Worker(new URL('./slack-load.ts', import.meta.url));
  const pending = new Map<number, { resolve(r: DriveResult): void; reject(e: Error): void }>();
  let nextId = 0;
  const apiUrl = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { apiUrl: string }) => resolve(m.apiUrl));
  });
  worker.on('message', (m: { id?: number; result?: DriveResult; error?: string }) => {
    const waiter = m.id === undefined ? undefined : pending.get(m.id);
    if (!waiter || m.id === undefined) return;
    pending.delete(m.id);
    if (m.result) waiter.resolve(m.result);
    else waiter.reject(new Error(m.error ?? 'the load thread failed'));
  });
  return {
    apiUrl,
    drive: (url, total, concurrency) =>
      new Promise<DriveResult>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const command: DriveCommand = { url, secret, total, concurrency, questions };
        worker.postMessage({ id, command });
      }),
    stop: async () => {
      worker.postMessage({ stop: true });
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

/** A bare Bolt app on the same receiver type, answering every DM with a fixed text. */
async function startBareBolt(apiUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const quiet = slackLogger(silentLogger());
  const receiver = new ExpressReceiver({
    signingSecret: secret,
    processBeforeResponse: false,
    logger: quiet,
  });
  const bolt = new BoltApp({
    receiver,
    token: 'xoxb-bench',
    clientOptions: { slackApiUrl: apiUrl },
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

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function rounded(
  ratios: Record<string, { itbuddy: number; adapter: number }>,
): Record<string, { itbuddy: number; adapter: number }> {
  return Object.fromEntries(
    Object.entries(ratios).map(([k, v]) => [
      k,
      { itbuddy: Math.round(v.itbuddy * 100) / 100, adapter: Math.round(v.adapter * 100) / 100 },
    ]),
  );
}

/** Runs the benchmark, prints a table on stderr, and returns the figures (for `npm run bench`). */
export async function slackBench(
  options: { levels?: number[]; events?: number; rounds?: number } = {},
): Promise<{
  rows: BenchRow[];
  ratioToBareBolt: Record<string, { itbuddy: number; adapter: number }>;
  cpuRatioToBareBolt: Record<string, { itbuddy: number; adapter: number }>;
}> {
  const levels = options.levels ?? [1, 8, 32];
  const total = options.events ?? 600;
  const rounds = options.rounds ?? 7;
  const load = await startLoadThread();
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
      SLACK_API_URL: load.apiUrl,
    },
    { envFile: false },
  );
  const itbuddy = await startServer(config, silentLogger());
  const bare = await startBareBolt(load.apiUrl);
  // The adapter alone (verification, dedupe claim, users.info, rendering) over a core with no features.
  const adapterOnly = await startAdapterHarness({
    features: [],
    env: { SLACK_SIGNING_SECRET: secret, SLACK_API_URL: load.apiUrl },
  });
  const rows: BenchRow[] = [];
  const ratios: Record<string, { itbuddy: number; adapter: number }> = {};
  const cpuRatios: Record<string, { itbuddy: number; adapter: number }> = {};
  try {
    const targets = [
      { target: 'itbuddy', url: itbuddy.url },
      { target: 'adapter', url: adapterOnly.url },
      { target: 'bare-bolt', url: bare.url },
    ] as const;
    // Warm every target up alike (JIT, caches, auth.test): the product has far more code to compile.
    for (const { url } of targets) await load.drive(url, 500, 8);
    for (const concurrency of levels) {
      // Short rounds in rotating order; each ratio is taken within a round, between runs seconds apart, and the
      // median of the rounds kept: these machines' speed drifts by half within a minute.
      const runs = new Map<string, (DriveResult & { cpuUsPerEvent: number })[]>();
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < targets.length; k++) {
          const { target, url } = targets[(k + round) % targets.length]!;
          const cpu = process.threadCpuUsage();
          const result = await load.drive(url, total, concurrency);
          const used = process.threadCpuUsage(cpu);
          const run = { ...result, cpuUsPerEvent: (used.user + used.system) / total };
          runs.set(target, [...(runs.get(target) ?? []), run]);
        }
      }
      const base = runs.get('bare-bolt')!;
      const ratioKey = `c${concurrency}`;
      ratios[ratioKey] = { itbuddy: 0, adapter: 0 };
      cpuRatios[ratioKey] = { itbuddy: 0, adapter: 0 };
      for (const { target } of targets) {
        const mine = runs.get(target)!;
        const byThroughput = [...mine].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
        const median = byThroughput[Math.floor(byThroughput.length / 2)]!;
        rows.push({ target, concurrency, events: total, ...median });
        if (target === 'bare-bolt') continue;
        ratios[ratioKey][target] = medianOf(mine.map((r, i) => r.eventsPerSecond / base[i]!.eventsPerSecond));
        cpuRatios[ratioKey][target] = medianOf(mine.map((r, i) => base[i]!.cpuUsPerEvent / r.cpuUsPerEvent));
      }
    }
  } finally {
    await adapterOnly.stop();
    await bare.stop();
    await itbuddy.stop();
    await load.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  // The table goes to stderr: stdout carries the JSON document of `npm run bench`.
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say('\nSlack adapter: signed DM events through /slack/events (fake Web API on loopback)');
  say('concurrency  target      events/s  ack p50 ms  ack p99 ms  CPU µs/event  ratio  CPU ratio');
  for (const concurrency of levels) {
    const at = (target: BenchRow['target']) =>
      rows.find((r) => r.target === target && r.concurrency === concurrency)!;
    for (const r of [at('itbuddy'), at('adapter'), at('bare-bolt')]) {
      const pct = (v: number | undefined) => (v === undefined ? '' : `${Math.round(v * 100)}%`);
      const key = `c${concurrency}`;
      const shown =
        r.target === 'bare-bolt' ? ['', ''] : [pct(ratios[key]?.[r.target]), pct(cpuRatios[key]?.[r.target])];
      say(
        `${String(concurrency).padStart(11)}  ${r.target.padEnd(10)}  ${r.eventsPerSecond.toFixed(0).padStart(8)}  ${r.ackP50Ms.toFixed(1).padStart(10)}  ${r.ackP99Ms.toFixed(1).padStart(10)}  ${r.cpuUsPerEvent.toFixed(0).padStart(12)}  ${shown[0]!.padStart(5)}  ${shown[1]!.padStart(9)}`,
      );
    }
  }
  say('ratio = events/s ÷ bare Bolt events/s in the same round, median of the rounds (aim: ≥ 70%);');
  say(
    'CPU ratio = bare Bolt CPU per event ÷ this CPU per event, on the bots\' thread. "itbuddy" includes the core:',
  );
  say(
    'knowledge-base search, intake and the question log; "adapter" is the Slack adapter over an empty core.',
  );
  return {
    rows: rows.map((r) => ({
      ...r,
      eventsPerSecond: Math.round(r.eventsPerSecond),
      ackP50Ms: Math.round(r.ackP50Ms * 10) / 10,
      ackP99Ms: Math.round(r.ackP99Ms * 10) / 10,
      cpuUsPerEvent: Math.round(r.cpuUsPerEvent),
    })),
    ratioToBareBolt: rounded(ratios),
    cpuRatioToBareBolt: rounded(cpuRatios),
  };
}

if (import.meta.main) await slackBench();
