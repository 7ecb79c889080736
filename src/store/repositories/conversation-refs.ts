// Conversation references: what a platform adapter needs to message a conversation or user later (proactively).
// The core never looks inside a reference: it is opaque JSON owned by the adapter that stored it. A reference
// the platform has rejected for good (bot removed, app blocked) is kept but marked invalid, with the reason.
import { z } from 'zod';
import { platformSchema } from '../../messages/incoming.ts';
import type { DocumentStore } from '../document-store.ts';

export const conversationRefSchema = z.object({
  /** Adapter-chosen key, e.g. `teams:user:<id>` or `teams:conversation:<id>`. */
  key: z.string().min(1).max(600),
  platform: platformSchema,
  /** The reference as JSON text, so any engine stores it verbatim whatever its keys look like. */
  reference: z.string().max(50_000),
  invalid: z.boolean(),
  /** Why the platform refused this reference, when it is invalid. */
  invalidReason: z.string().max(500).nullable(),
  updatedAt: z.iso.datetime(),
});
export type ConversationRefRecord = z.infer<typeof conversationRefSchema>;

export const conversationRefCollection = {
  name: 'conversation_refs',
  schema: conversationRefSchema,
  key: 'key',
  indexes: [{ fields: ['platform', 'invalid'] }],
} as const;

/** A stored reference, parsed back from JSON. */
export interface ConversationRef {
  key: string;
  platform: ConversationRefRecord['platform'];
  reference: unknown;
  invalid: boolean;
  invalidReason: string | null;
  updatedAt: string;
}

/** Repository of conversation references. */
export interface ConversationRefs {
  get(key: string): Promise<ConversationRef | undefined>;
  /** Stores or refreshes a reference; a fresh reference is valid again (the bot was re-added, say). */
  save(
    key: string,
    platform: ConversationRefRecord['platform'],
    reference: unknown,
    now?: Date,
  ): Promise<void>;
  /** Marks a reference as no longer usable, keeping it for the record. Does nothing if the key is unknown. */
  markInvalid(key: string, reason: string, now?: Date): Promise<void>;
  /** References of a platform the platform has refused, newest first (for reports). */
  invalid(platform: ConversationRefRecord['platform'], limit?: number): Promise<ConversationRef[]>;
}

function parse(record: ConversationRefRecord): ConversationRef {
  return { ...record, reference: JSON.parse(record.reference) as unknown };
}

/** Conversation references on any document store. */
export function createConversationRefs(store: DocumentStore): ConversationRefs {
  const c = store.collection(conversationRefCollection);
  return {
    async get(key) {
      const found = await c.get(key);
      return found ? parse(found) : undefined;
    },
    save: (key, platform, reference, now = new Date()) =>
      c.put({
        key,
        platform,
        reference: JSON.stringify(reference),
        invalid: false,
        invalidReason: null,
        updatedAt: now.toISOString(),
      }),
    async markInvalid(key, reason, now = new Date()) {
      const found = await c.get(key);
      if (!found) return;
      await c.put({
        ...found,
        invalid: true,
        invalidReason: reason.slice(0, 500),
        updatedAt: now.toISOString(),
      });
    },
    async invalid(platform, limit = 100) {
      const found = await c.find({
        where: { platform, invalid: true },
        orderBy: { field: 'updatedAt', direction: 'desc' },
        limit,
      });
      return found.map(parse);
    },
  };
}
