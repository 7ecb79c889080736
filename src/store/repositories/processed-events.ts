// De-duplicates platform events: a redelivered event (Slack retry, Teams resend, Socket Mode replay) is claimed
// once across every replica sharing the store, with one conditional write.
import { randomUUID } from 'node:crypto';
import type { DocumentStore } from '../document-store.ts';

/** Claims event ids; the first claim wins for `ttlMs`, every later claim of the same id loses. */
export interface ProcessedEvents {
  /** True for the first caller to claim `platform:eventId`; false for every redelivery. */
  claim(platform: string, eventId: string): Promise<boolean>;
}

/** Event claims on the store's atomic claim primitive. Ids are kept for a day, longer than any platform retries. */
export function createProcessedEvents(store: DocumentStore, ttlMs = 24 * 3_600_000): ProcessedEvents {
  // A fresh owner per call: even the same replica must not handle the same event twice. One random id per
  // repository and a counter make owners unique everywhere without drawing randomness for every event.
  const replica = randomUUID();
  let calls = 0;
  return {
    claim: (platform, eventId) =>
      store.claim(
        'event',
        `${platform}:${eventId}`,
        `${replica}:${++calls}`,
        new Date(Date.now() + ttlMs).toISOString(),
        // Slack events are acknowledged before they are handled, so Slack never redelivers one this process
        // claimed: losing the mark in a crash cannot cause a second reply. Others wait for it to be on disk.
        { kind: 'mark', durability: platform === 'slack' ? 'relaxed' : 'durable' },
      ),
  };
}
