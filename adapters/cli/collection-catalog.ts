// Every collection the product keeps, core and adapters alike, so the CLI can register them all on a store.
//
// The server registers collections as its features start; a command that opens the store alone (import, index
// sync) registers these first, so unique indexes hold during an import and every index can be created.
// test/ops/data-transfer.test.ts checks this list against the collections a real server fills.
import type { CollectionSpec, DocumentStore } from '../../src/store/document-store.ts';
import { announcementCollection } from '../../src/store/repositories/announcements.ts';
import { conversationRefCollection } from '../../src/store/repositories/conversation-refs.ts';
import { conversationStateCollection } from '../../src/store/repositories/conversation-state.ts';
import { embeddingCollection } from '../../src/store/repositories/embedding-cache.ts';
import { learnedPhrasingCollection } from '../../src/store/repositories/learned-phrasings.ts';
import { modelUsageCollection } from '../../src/store/repositories/model-usage.ts';
import {
  deliveryCollection,
  introCollection,
  issueCollection,
  reactionCollection,
} from '../../src/store/repositories/newsletter-issues.ts';
import { outboxCollection } from '../../src/store/repositories/outbox.ts';
import { questionCollection } from '../../src/store/repositories/question-log.ts';
import { requestCollection } from '../../src/store/repositories/requests.ts';
import { roleGrantCollection } from '../../src/store/repositories/role-grants.ts';
import { subscriptionCollection } from '../../src/store/repositories/subscriptions.ts';
import { topicSuggestionCollection } from '../../src/store/repositories/topic-suggestions.ts';
import { stashCollection } from '../slack/slack-stash.ts';
import { feedbackRefCollection } from '../teams/feedback-refs.ts';
import { offerCollection } from '../teams/suggested-actions.ts';
import { webMessageCollection } from '../web/web-channel.ts';

/** The specs of every collection, in no particular order. */
export const allCollections: readonly CollectionSpec<object>[] = [
  requestCollection,
  outboxCollection,
  questionCollection,
  conversationStateCollection,
  conversationRefCollection,
  announcementCollection,
  issueCollection,
  deliveryCollection,
  reactionCollection,
  introCollection,
  subscriptionCollection,
  topicSuggestionCollection,
  roleGrantCollection,
  modelUsageCollection,
  embeddingCollection,
  webMessageCollection,
  stashCollection,
  learnedPhrasingCollection,
  feedbackRefCollection,
  offerCollection,
] as unknown as readonly CollectionSpec<object>[];

/** Registers every collection on `store` (idempotent: the store keeps one per name). */
export function registerAllCollections(store: DocumentStore): void {
  for (const spec of allCollections) store.collection(spec);
}
