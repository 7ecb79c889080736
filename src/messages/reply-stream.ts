// A live reply the core may write into while it works: a status line, then model text as it arrives. Adapters
// whose platform streams (Slack agent threads and DMs, Teams personal chats) supply one; the rest pass none and
// get the finished replies only. Writes never wait for the platform: the adapter buffers and paces them.

/** What the core may do with a reply while it is still being produced. */
export interface ReplyStream {
  /** Shows what IT Buddy is doing now ("Searching the knowledge base…"). */
  status(text: string): void;
  /** Appends IT Buddy markdown to the visible answer. Only model-written text is ever streamed. */
  write(text: string): void;
  /**
   * The text written so far is not the answer after all (the model failed or its answer did not pass the
   * checks): the adapter closes the stream cleanly and shows the turn's replies in full instead.
   */
  abandon(): void;
}

/** A stream that remembers whether anything was written and ignores calls once the answer is settled. */
export interface TrackedStream extends ReplyStream {
  /** True once any text was written. */
  readonly wrote: boolean;
  /** Stops passing anything on (the turn has its answer; a late model chunk must not reach the user). */
  settle(): void;
}

/** Wraps `inner` so late writes after `settle()` are dropped and `abandon()` is passed on at most once. */
export function trackStream(inner: ReplyStream): TrackedStream {
  let wrote = false;
  let settled = false;
  return {
    get wrote() {
      return wrote;
    },
    status(text) {
      if (!settled && !wrote) inner.status(text);
    },
    write(text) {
      if (settled || text === '') return;
      wrote = true;
      inner.write(text);
    },
    abandon() {
      if (settled) return;
      settled = true;
      if (wrote) inner.abandon();
    },
    settle() {
      settled = true;
    },
  };
}
