// Channels subscribed to the newsletter from chat (`subscribe` / `unsubscribe`), on top of configured ones.
import { z } from 'zod';
import { DuplicateKeyError } from '../../errors.ts';
import { platformSchema } from '../../messages/incoming.ts';
import type { DocumentStore } from '../document-store.ts';

export const subscriptionSchema = z.object({
  /** "platform:destinationId", the same form as NEWSLETTER_DESTINATIONS entries. */
  id: z.string().min(3).max(600),
  platform: platformSchema,
  destination: z.string().min(1).max(500),
  subscribedBy: z.string().max(300),
  subscribedAt: z.iso.datetime(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export const subscriptionCollection = {
  name: 'newsletter_subscriptions',
  schema: subscriptionSchema,
  key: 'id',
  indexes: [{ fields: ['platform'] }],
} as const;

/** Repository over newsletter subscriptions. */
export interface Subscriptions {
  /** Adds the subscription; false when it already existed. */
  add(s: Subscription): Promise<boolean>;
  /** Removes it; false when there was none. */
  remove(id: string): Promise<boolean>;
  get(id: string): Promise<Subscription | undefined>;
  all(): Promise<Subscription[]>;
}

/** Subscriptions on any document store. */
export function createSubscriptions(store: DocumentStore): Subscriptions {
  const c = store.collection(subscriptionCollection);
  return {
    async add(s) {
      try {
        await c.insert(s);
        return true;
      } catch (error) {
        if (error instanceof DuplicateKeyError) return false;
        throw error;
      }
    },
    remove: (id) => c.delete(id),
    get: (id) => c.get(id),
    all: () => c.find({ orderBy: { field: 'subscribedAt', direction: 'asc' }, limit: 10_000 }),
  };
}
