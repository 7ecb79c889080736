// Topics readers suggest for the newsletter ("Suggest a topic"), read by liaisons.
import { z } from 'zod';
import type { DocumentStore } from '../document-store.ts';

export const topicSuggestionSchema = z.object({
  id: z.string().min(1),
  /** The issue the reader was looking at, if any. */
  issueKey: z.string().max(40).nullable(),
  userKey: z.string().max(300),
  /** The suggestion as typed (escaped whenever shown). */
  text: z.string().min(1).max(500),
  createdAt: z.iso.datetime(),
});
export type TopicSuggestion = z.infer<typeof topicSuggestionSchema>;

export const topicSuggestionCollection = {
  name: 'topic_suggestions',
  schema: topicSuggestionSchema,
  key: 'id',
  indexes: [{ fields: ['createdAt'] }],
} as const;

/** Repository over topic suggestions. */
export interface TopicSuggestions {
  add(s: TopicSuggestion): Promise<void>;
  /** The newest suggestions first. */
  recent(limit?: number): Promise<TopicSuggestion[]>;
}

/** Topic suggestions on any document store. */
export function createTopicSuggestions(store: DocumentStore): TopicSuggestions {
  const c = store.collection(topicSuggestionCollection);
  return {
    add: (s) => c.insert(s),
    recent: (limit = 20) => c.find({ orderBy: { field: 'createdAt', direction: 'desc' }, limit }),
  };
}
