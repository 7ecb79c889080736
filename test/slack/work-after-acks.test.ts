// Events' work takes turns: first come, first served, four per turn of the event loop, so whatever the loop has
// to do in between (reading and acknowledging new requests) is never queued behind every event in hand.
import { describe, expect, it } from 'vitest';
import { workTurn } from '../../adapters/slack/work-after-acks.ts';

describe('workTurn', () => {
  it('lets events work in arrival order, four per turn of the event loop', async () => {
    const order: string[] = [];
    const turns = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => workTurn().then(() => order.push(name)));
    await new Promise((resolve) => setImmediate(resolve));
    // However many microtasks run now, the fifth event waits for the next turn.
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    await Promise.all(turns);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('runs a timer that fell due during one turn before the next turn works', async () => {
    const order: string[] = [];
    const first = workTurn().then(() => {
      order.push('first');
      setTimeout(() => order.push('timer'), 0);
      const until = Date.now() + 5;
      while (Date.now() < until) {
        // The first event's work takes a while: the timer is due before the next turn.
      }
    });
    const rest = [2, 3, 4, 5].map((n) => workTurn().then(() => order.push(`event ${n}`)));
    await Promise.all([first, ...rest]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual(['first', 'event 2', 'event 3', 'event 4', 'timer', 'event 5']);
  });
});
