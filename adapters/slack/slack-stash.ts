// Short-lived storage for what does not fit in Slack's small fields: a form behind an "Open form" button (values
// are limited to 2,000 characters) or modal metadata over 3,000 characters. Kept in the shared store, so any
// replica can open the form a user clicks, and expired after a week.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DocumentStore } from '../../src/store/document-store.ts';

const stashSchema = z.object({
  id: z.string(),
  kind: z.enum(['form', 'meta', 'share']),
  data: z.string().max(200_000),
  expiresAt: z.iso.datetime(),
});

export const stashCollection = {
  name: 'slack_stash',
  schema: stashSchema,
  key: 'id',
  expiresAt: 'expiresAt',
} as const;

export type StashKind = z.infer<typeof stashSchema>['kind'];

/** Puts and gets JSON-able values by a random reference. */
export interface SlackStash {
  put(kind: StashKind, value: unknown): Promise<string>;
  get(kind: StashKind, ref: string): Promise<unknown>;
  /** Deletes expired entries; returns how many. */
  purge(): Promise<number>;
}

/** The stash on the app's store; entries live `ttlMs` (a week by default). */
export function createSlackStash(store: DocumentStore, ttlMs = 7 * 86_400_000): SlackStash {
  const c = store.collection(stashCollection);
  return {
    async put(kind, value) {
      const id = randomUUID();
      await c.insert({
        id,
        kind,
        data: JSON.stringify(value),
        expiresAt: new Date(Date.now() + ttlMs).toISOString(),
      });
      return id;
    },
    async get(kind, ref) {
      const found = await c.get(ref);
      if (!found || found.kind !== kind) return undefined;
      return JSON.parse(found.data) as unknown;
    },
    purge: () => c.deleteOlderThan('expiresAt', new Date().toISOString()),
  };
}
