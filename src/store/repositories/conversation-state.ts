// Conversation state: what a feature remembers between turns of one user's conversation (an intake request
// half filled in), kept in the store with an expiry so a restart resumes and abandoned ones disappear.
import { z } from 'zod';
import type { DocumentStore } from '../document-store.ts';

export const conversationStateSchema = z.object({
  /** `feature|platform|conversationId|userId`. */
  key: z.string(),
  feature: z.string(),
  /** The feature's own data; the feature validates it with its own schema when reading. */
  data: z.record(z.string(), z.unknown()),
  updatedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type ConversationState = z.infer<typeof conversationStateSchema>;

export const conversationStateCollection = {
  name: 'conversation_state',
  schema: conversationStateSchema,
  key: 'key',
  expiresAt: 'expiresAt',
  // Durable (the default): the next question a person was shown must still be where they left it after a crash.
} as const;

/** Where one user's conversation with one feature lives. */
export interface ConversationAddress {
  feature: string;
  platform: string;
  conversationId: string;
  userId: string;
}

/** The store key of a conversation address. */
export function conversationKey(a: ConversationAddress): string {
  return [a.feature, a.platform, a.conversationId, a.userId].join('|');
}

/** Repository over conversation state. */
export interface ConversationStates {
  get(address: ConversationAddress): Promise<ConversationState | undefined>;
  /** Saves the data with a fresh expiry `ttlMs` from `now`; the version grows by one. */
  save(
    address: ConversationAddress,
    data: Record<string, unknown>,
    now: Date,
    ttlMs: number,
  ): Promise<ConversationState>;
  clear(address: ConversationAddress): Promise<void>;
}

/** Conversation state on any document store. */
export function createConversationStates(store: DocumentStore): ConversationStates {
  const c = store.collection(conversationStateCollection);
  return {
    get: (address) => c.get(conversationKey(address)),
    async save(address, data, now, ttlMs) {
      const key = conversationKey(address);
      const previous = await c.get(key);
      const state: ConversationState = {
        key,
        feature: address.feature,
        data,
        updatedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
        version: (previous?.version ?? 0) + 1,
      };
      await c.put(state);
      return state;
    },
    async clear(address) {
      await c.delete(conversationKey(address));
    },
  };
}
