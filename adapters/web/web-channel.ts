// The web channel as a ChannelAdapter: posts (the IT inbox at /it) and direct messages (a web user's inbox)
// are kept in a store collection, since the local web channel has no push connection to deliver them on.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ChannelAdapter, PostedMessage } from '../../src/channels/channel-adapter.ts';
import { PermanentDeliveryError } from '../../src/channels/channel-adapter.ts';
import { DuplicateKeyError } from '../../src/errors.ts';
import { type Reply, replySchema } from '../../src/messages/replies.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';

export const webMessageSchema = z.object({
  id: z.string(),
  /** post: to a web channel such as `it`; direct: to one web user. */
  kind: z.enum(['post', 'direct']),
  /** The channel id (posts) or user id (direct messages). */
  destination: z.string(),
  threadId: z.string().nullable(),
  replies: z.array(replySchema),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** When the user's inbox last returned it (direct messages). */
  seenAt: z.iso.datetime().nullable(),
});
export type WebMessage = z.infer<typeof webMessageSchema>;

export const webMessageCollection = {
  name: 'web_messages',
  schema: webMessageSchema,
  key: 'id',
  indexes: [{ fields: ['kind', 'destination'] }, { fields: ['updatedAt'] }],
} as const;

/** The web adapter plus reads for the pages that show what was sent. */
export interface WebChannel extends ChannelAdapter {
  /** Posts to a web channel, most recently changed first. */
  posts(destination?: string, limit?: number): Promise<WebMessage[]>;
  /** A user's direct messages, newest first: unseen ones only (and marked seen) unless `all`. */
  inbox(userId: string, options?: { all?: boolean; limit?: number }): Promise<WebMessage[]>;
}

/** Creates the web channel on the store. `now` is injectable for tests. */
export function createWebChannel(store: DocumentStore, now: () => Date = () => new Date()): WebChannel {
  const c = store.collection(webMessageCollection);

  /**
   * Keeps a message. With a delivery id (the outbox job's), the message is stored under that id, so a delivery
   * repeated after a crash finds its first copy instead of adding a second: the web inbox and IT page get each
   * message exactly once.
   */
  async function add(
    kind: WebMessage['kind'],
    destination: string,
    replies: Reply[],
    options: { threadId?: string | undefined; deliveryId?: string | undefined } = {},
  ): Promise<PostedMessage> {
    const at = now().toISOString();
    const message: WebMessage = {
      id: options.deliveryId ? `delivery:${options.deliveryId}` : randomUUID(),
      kind,
      destination,
      threadId: options.threadId ?? null,
      replies,
      createdAt: at,
      updatedAt: at,
      seenAt: null,
    };
    try {
      await c.insert(message);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError) || !options.deliveryId) throw error;
      const first = await c.get(message.id);
      if (!first || first.kind !== kind || first.destination !== destination) throw error;
    }
    return { platform: 'web', destination, messageId: message.id };
  }

  return {
    platform: 'web',
    post: (destination, replies, options) =>
      add('post', destination, replies, { threadId: options?.threadId, deliveryId: options?.deliveryId }),
    sendDirect: (userId, replies, options) =>
      add('direct', userId, replies, { deliveryId: options?.deliveryId }),
    async update(posted, replies) {
      const existing = await c.get(posted.messageId);
      if (!existing) throw new PermanentDeliveryError(`The web message ${posted.messageId} no longer exists`);
      await c.put({ ...existing, replies, updatedAt: now().toISOString() });
    },
    posts: (destination, limit = 100) =>
      c.find({
        where: destination ? { kind: 'post', destination } : { kind: 'post' },
        orderBy: { field: 'updatedAt', direction: 'desc' },
        limit,
      }),
    async inbox(userId, options = {}) {
      const mine = await c.find({
        where: { kind: 'direct', destination: userId, ...(options.all ? {} : { seenAt: null }) },
        orderBy: { field: 'createdAt', direction: 'desc' },
        limit: options.limit ?? 50,
      });
      const at = now().toISOString();
      for (const m of mine) if (!m.seenAt) await c.put({ ...m, seenAt: at });
      return mine;
    },
  };
}
