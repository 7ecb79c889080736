// The load side of the Slack bench, on its own thread: it plays Slack, sending signed events and serving the fake
// Web API the bots reply to. Slack is another machine; sharing the bots' event loop would charge them for the load
// generator's work and hold every acknowledgement until the bot under test yields the thread.
import { parentPort } from 'node:worker_threads';
import { FakeSlack, fixture, sendEvent } from '../test/slack/fake-slack.ts';

export interface DriveCommand {
  url: string;
  secret: string;
  total: number;
  concurrency: number;
  questions: string[];
}

export interface DriveResult {
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
async function drive(fake: FakeSlack, command: DriveCommand): Promise<DriveResult> {
  const { url, secret, total, concurrency, questions } = command;
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

const port = parentPort;
if (port) {
  const fake = new FakeSlack();
  await fake.start();
  port.on('message', (message: { id: number; command?: DriveCommand; stop?: true }) => {
    if (message.stop) {
      void fake.stop().then(() => port.close());
      return;
    }
    if (!message.command) return;
    drive(fake, message.command).then(
      (result) => port.postMessage({ id: message.id, result }),
      (error: unknown) => port.postMessage({ id: message.id, error: String(error) }),
    );
  });
  port.postMessage({ apiUrl: fake.apiUrl });
}
