// Bolt acknowledges an Events API request before its listeners run; the work an event starts then waits its turn
// here: one event's work per turn of the event loop. Between turns the loop reads new requests and acknowledges
// them, instead of holding their acknowledgements behind every event already in hand. Slack wants the
// acknowledgement within three seconds whatever the load; the answer that follows has no such deadline.
const waiting: (() => void)[] = [];

function releaseNext(): void {
  waiting.shift()?.();
  if (waiting.length > 0) setImmediate(releaseNext);
}

/** Resolves when it is this event's turn to work; turns are taken in arrival order. */
export function workTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) setImmediate(releaseNext);
  });
}
