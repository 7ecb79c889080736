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
  return {
    claim: (platform, eventId) =>
      // A fresh owner per call: even the same replica must not handle the same event twice.
      store.claim(
        'event',
        `${platform}:${eventId}`,
        randomUUID(),
        new Date(Date.now() + ttlMs).toISOString(),
      ),
  };
}
