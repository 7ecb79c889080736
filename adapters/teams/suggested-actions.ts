// Choices in a Teams personal chat as suggested actions (at most three buttons above the compose box, gone once
// one is picked). Teams sends a picked suggestion back as the person's own message (imBack), so the offer is kept
// in the shared store for a day and a reply that is exactly one of its titles becomes that button's action again.
import { z } from 'zod';
import type { Action } from '../../src/messages/incoming.ts';
import type { Choices } from '../../src/messages/replies.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';

/** Teams shows at most three suggested actions. */
export const maxSuggestedActions = 3;

const offerSchema = z.object({
  /** The conversation id: one open offer per chat, the latest. */
  id: z.string().max(1000),
  options: z.array(
    z.object({ title: z.string().max(200), id: z.string().max(100), value: z.string().max(2000).optional() }),
  ),
  expiresAt: z.iso.datetime(),
});

/** Where offered suggested actions are kept until answered (the CLI catalog lists it too). */
export const offerCollection = {
  name: 'teams_suggested_actions',
  schema: offerSchema,
  key: 'id',
  expiresAt: 'expiresAt',
} as const;

/** True when `choices` can be suggested actions: one to three buttons, each an action (no links). */
export function suggestable(choices: Choices): boolean {
  return (
    choices.options.length > 0 &&
    choices.options.length <= maxSuggestedActions &&
    choices.options.every((o) => o.action && o.url === undefined)
  );
}

/** The suggestion titles, as Teams shows them and sends them back. */
export function suggestionTitle(label: string): string {
  return label.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Offers made in personal chats, and the action behind a picked one. */
export interface SuggestedActionOffers {
  offer(conversationId: string, choices: Choices): Promise<void>;
  /** The action of the suggestion `text` picks in this chat (the offer is then used up). */
  picked(conversationId: string, text: string): Promise<Action | undefined>;
}

/** Offers on the app's store, each good for `ttlMs` (a day by default). */
export function createSuggestedActionOffers(store: DocumentStore, ttlMs = 86_400_000): SuggestedActionOffers {
  const c = store.collection(offerCollection);
  return {
    async offer(conversationId, choices) {
      await c.put({
        id: conversationId,
        options: choices.options.map((o) => ({
          title: suggestionTitle(o.label),
          id: o.action!.id,
          ...(o.action!.value !== undefined ? { value: o.action!.value } : {}),
        })),
        expiresAt: new Date(Date.now() + ttlMs).toISOString(),
      });
    },
    async picked(conversationId, text) {
      const found = await c.get(conversationId);
      if (!found || Date.parse(found.expiresAt) <= Date.now()) return undefined;
      const wanted = suggestionTitle(text).toLowerCase();
      const option = found.options.find((o) => o.title.toLowerCase() === wanted);
      if (!option) return undefined;
      await c.delete(conversationId);
      return { id: option.id, ...(option.value !== undefined ? { value: option.value } : {}) };
    },
  };
}
