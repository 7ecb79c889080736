// A ReplyStream in a Teams personal chat (Teams streams nowhere else): an informative update first ("Searching
// the knowledge base…"), then the answer as cumulative text chunks, then one final message that replaces what
// was streamed with the finished answer. Chunks go at most once per `chunkEveryMs` (Teams allows one streaming
// request a second); when the user presses Stop, Teams refuses further chunks and the final message still
// closes the stream.
import type { Activity, TurnContext } from 'botbuilder';
import type { Logger } from '../../src/logging/logger.ts';
import type { ReplyStream } from '../../src/messages/reply-stream.ts';
import { streamSafe } from './ai-message.ts';

export interface TeamsStreamOptions {
  /** Smallest gap between streaming requests (ms). */
  chunkEveryMs: number;
}

export const defaultTeamsStreamOptions: TeamsStreamOptions = { chunkEveryMs: 1_000 };

/** A Teams stream for one turn. */
export interface TeamsReplyStream extends ReplyStream {
  /** The stream id once Teams answered the first update; the final message must carry it. */
  readonly streamId: string | undefined;
  /** True once anything was sent (the typing indicator is then not needed). */
  readonly active: boolean;
  /** Sends what is still buffered and waits for requests in flight. */
  drain(): Promise<void>;
  /** Marks `activity` as the stream's final message (streamType final). */
  asFinal(activity: Partial<Activity>): Partial<Activity>;
}

/** Opens (lazily) a stream in the context's personal chat. */
export function createTeamsStream(
  context: TurnContext,
  logger: Logger,
  options: TeamsStreamOptions = defaultTeamsStreamOptions,
): TeamsReplyStream {
  let streamId: string | undefined;
  let sequence = 0;
  let text = '';
  let sentText = '';
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let lastSend = 0;

  function send(streamType: 'informative' | 'streaming', body: string): Promise<void> {
    chain = chain.then(async () => {
      if (stopped) return;
      sequence += 1;
      const info = { streamType, streamSequence: sequence, ...(streamId ? { streamId } : {}) };
      lastSend = Date.now();
      try {
        const response = await context.sendActivity({
          type: 'typing',
          text: body,
          entities: [{ type: 'streaminfo', ...info }],
          channelData: info,
        });
        streamId ??= response?.id;
        if (streamType === 'streaming') sentText = body;
      } catch (error) {
        // 403 ContentStreamNotAllowed: the user pressed Stop (or the stream timed out). Nothing more is sent but
        // the final message, which Teams still accepts.
        stopped = true;
        logger.info({ err: error }, 'Teams stopped accepting stream updates');
      }
    });
    return chain;
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (stopped || text === sentText) return chain;
    return send('streaming', text);
  }

  return {
    get streamId() {
      return streamId;
    },
    get active() {
      return sequence > 0;
    },
    status(status) {
      // Informative updates only before any text (Teams shows them as the progress bar), 1,000 characters at most.
      if (stopped || text !== '') return;
      void send('informative', status.slice(0, 1000));
    },
    write(piece) {
      if (stopped) return;
      // Every chunk carries all the text so far, as Teams requires.
      text += streamSafe(piece);
      if (timer) return;
      timer = setTimeout(() => void flush(), Math.max(0, options.chunkEveryMs - (Date.now() - lastSend)));
    },
    abandon() {
      // The final message replaces the streamed text with the real answer: nothing else to do.
      clearTimeout(timer);
      timer = undefined;
      stopped = true;
    },
    async drain() {
      clearTimeout(timer);
      timer = undefined;
      await chain;
      // The final message is a streaming request too: keep to one a second.
      const wait = options.chunkEveryMs - (Date.now() - lastSend);
      if (streamId && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
    asFinal(activity) {
      const info = { streamId, streamType: 'final' as const };
      return {
        ...activity,
        entities: [...(activity.entities ?? []), { type: 'streaminfo', ...info }],
        channelData: { ...((activity.channelData as object | undefined) ?? {}), ...info },
      };
    },
  };
}
