// Bolt acknowledges an Events API request before its listeners run; the work an event starts then waits its turn
// here: a few events' work per turn of the event loop. Between turns the loop reads new requests and acknowledges
// them, instead of holding their acknowledgements behind every event already in hand. Slack wants the
// acknowledgement within three seconds whatever the load; the answer that follows has no such deadline.
// Four per turn, not one: one was fairest to acknowledgements but lost a fifth of the throughput at 32 events in
// flight to the extra turns; four keeps an acknowledgement's wait to a few milliseconds.
const perTurn = 4;
const waiting: (() => void)[] = [];

function releaseSome(): void {
  for (let i = 0; i < perTurn && waiting.length > 0; i++) waiting.shift()?.();
  if (waiting.length > 0) setImmediate(releaseSome);
}

/** Resolves when it is this event's turn to work; turns are taken in arrival order. */
export function workTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) setImmediate(releaseSome);
  });
}
