// A ReplyStream on Slack: status through assistant.threads.setStatus, model text through chat.startStream /
// appendStream, closed by chat.stopStream with the rest of the answer card (sources, buttons, native feedback).
// Writes are buffered and sent at most once per `appendEveryMs`, so a fast model never outruns Slack's limits.
import type { Logger } from '../../src/logging/logger.ts';
import type { Card, Reply } from '../../src/messages/replies.ts';
import type { ReplyStream } from '../../src/messages/reply-stream.ts';
import { renderStreamTail } from './render-blocks.ts';
import type { WebClient } from './slack-clients.ts';

/** Where the stream goes: always a thread (Slack streams only into threads). */
export interface SlackStreamTarget {
  channel: string;
  threadTs: string;
  /** Who asked; Slack needs it (and the team) to stream outside a DM. */
  userId: string;
  teamId?: string | undefined;
  /** Whether the thread is an agent (Messages tab) thread, where setStatus works. */
  agentThread: boolean;
}

export interface SlackStreamOptions {
  /** Smallest gap between appendStream calls (ms): Tier 4 allows 100+ a minute per workspace. */
  appendEveryMs: number;
  /** Loading messages Slack rotates under the status while nothing is written yet. */
  loadingMessages: string[];
}

export const defaultStreamOptions: SlackStreamOptions = {
  appendEveryMs: 700,
  loadingMessages: ['Searching the knowledge base…', 'Reading the best articles…', 'Checking the steps…'],
};

/** Shown under text that turned out not to be the answer, before the answer from the knowledge base. */
export const abandonedNote =
  '\n\n_The AI answer stopped here. Here is the answer from the knowledge base instead:_';

/** A Slack stream for one turn; `finish` delivers the turn's replies and closes whatever was opened. */
export interface SlackReplyStream extends ReplyStream {
  /** True once any text reached Slack. */
  readonly started: boolean;
  /**
   * Ends the turn: a streamed answer is closed with its card's remaining blocks and the other replies are
   * returned for posting; otherwise every reply is returned (an abandoned stream is closed with a note first).
   */
  finish(replies: Reply[]): Promise<Reply[]>;
}

/** Opens (lazily) a Slack stream into `target`. */
export function createSlackStream(
  client: WebClient,
  target: SlackStreamTarget,
  logger: Logger,
  options: SlackStreamOptions = defaultStreamOptions,
): SlackReplyStream {
  let buffer = '';
  let ts: string | undefined;
  let failed = false;
  let abandoned = false;
  let lastStatus = '';
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let lastSend = 0;

  const fail = (error: unknown, what: string) => {
    failed = true;
    logger.warn({ err: error }, `Slack ${what} failed; the answer is posted whole instead`);
  };

  /** Sends what is buffered: the first send opens the stream. Runs one at a time on `chain`. */
  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    chain = chain.then(async () => {
      if (failed || buffer === '') return;
      const text = buffer;
      buffer = '';
      lastSend = Date.now();
      try {
        if (!ts) {
          const res = await client.chat.startStream({
            channel: target.channel,
            thread_ts: target.threadTs,
            markdown_text: text,
            recipient_user_id: target.userId,
            ...(target.teamId ? { recipient_team_id: target.teamId } : {}),
          });
          ts = res.ts;
          if (!ts) throw new Error('chat.startStream returned no ts');
        } else {
          await client.chat.appendStream({ channel: target.channel, ts, markdown_text: text });
        }
      } catch (error) {
        fail(error, ts ? 'chat.appendStream' : 'chat.startStream');
      }
    });
    return chain;
  }

  function schedule() {
    if (timer) return;
    const wait = ts ? Math.max(0, options.appendEveryMs - (Date.now() - lastSend)) : 0;
    timer = setTimeout(() => void flush(), wait);
  }

  return {
    get started() {
      return ts !== undefined;
    },
    status(text) {
      if (!target.agentThread || failed || ts || text === lastStatus) return;
      lastStatus = text;
      void client.assistant.threads
        .setStatus({
          channel_id: target.channel,
          thread_ts: target.threadTs,
          status: text,
          loading_messages: [text, ...options.loadingMessages.filter((m) => m !== text)].slice(0, 10),
        })
        .catch((error: unknown) => logger.debug({ err: error }, 'Slack setStatus failed'));
    },
    write(text) {
      if (failed || abandoned) return;
      // Slack's markdown is the standard kind; IT Buddy markdown is close enough to pass as it is.
      buffer += text;
      schedule();
    },
    abandon() {
      abandoned = true;
    },
    async finish(replies) {
      await flush();
      if (!ts) return replies;
      if (failed) {
        // The stream broke part-way: close it if Slack lets us, then show the whole answer.
        await client.chat.stopStream({ channel: target.channel, ts }).catch(() => undefined);
        return replies;
      }
      const card = replies.find((r): r is Card => r.type === 'card' && r.kind === 'answer' && !!r.generated);
      if (abandoned || !card) {
        await client.chat
          .stopStream({ channel: target.channel, ts, markdown_text: abandonedNote })
          .catch((error: unknown) => logger.warn({ err: error }, 'Slack chat.stopStream failed'));
        return replies;
      }
      try {
        await client.chat.stopStream({
          channel: target.channel,
          ts,
          blocks: renderStreamTail(card) as never,
        });
      } catch (error) {
        logger.warn({ err: error }, 'Slack chat.stopStream failed; posting the card');
        return replies;
      }
      return replies.filter((r) => r !== card);
    },
  };
}
