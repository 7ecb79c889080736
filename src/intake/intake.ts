// Assembles intake for the app: repositories, routing, the request service, the bot feature with its escalate
// hook, and the outbox worker that posts requests and messages requesters.
import type { ArticleMatchHook, EscalateHandler } from '../answers/answer-feature.ts';
import type { BotFeature } from '../bot/feature.ts';
import type { ChannelRegistry } from '../channels/channel-adapter.ts';
import type { Config } from '../config/load-config.ts';
import type { Logger } from '../logging/logger.ts';
import type { DocumentStore } from '../store/document-store.ts';
import { createConversationStates } from '../store/repositories/conversation-state.ts';
import {
  createOutboxRepository,
  type OutboxJob,
  type OutboxRepository,
} from '../store/repositories/outbox.ts';
import { createRequestRepository, type RequestRepository } from '../store/repositories/requests.ts';
import {
  type ArticleLookup,
  createIntakeFeature,
  type RelatedArticle,
  type RequestPrefill,
} from './intake-feature.ts';
import {
  createOutboxWorker,
  type OutboxWorker,
  type OutboxWorkerOptions,
  type Rendered,
} from './outbox-worker.ts';
import { directMessage, type LinkedKnownIssue, summaryCard } from './request-cards.ts';
import type { RequestRecord } from './request-schema.ts';
import { createRequestService, type RequestService } from './request-service.ts';
import { parseRouting, type Routing } from './routing.ts';

/** Intake as the app holds it. */
export interface Intake {
  feature: BotFeature;
  escalate: EscalateHandler;
  requests: RequestRepository;
  outbox: OutboxRepository;
  service: RequestService;
  worker: OutboxWorker;
  routing: Routing;
}

export interface IntakeOptions {
  config: Config;
  logger: Logger;
  store: DocumentStore;
  channels: ChannelRegistry;
  related?: RelatedArticle;
  /** Optional model prefill of the draft from the requester's words (the deterministic reading comes first). */
  prefill?: RequestPrefill;
  /** Knowledge-base articles for the "answered by article" triage action. */
  articles?: ArticleLookup;
  /** Called when IT answered a request with an article (learning proposes the request's words). */
  onAnsweredByArticle?: ArticleMatchHook;
  /**
   * Known issues (announced maintenance) in effect at a time that match a text: the IT card of an incident links
   * the ones in effect when it was raised. Given by the announcements side; intake works without it.
   */
  knownIssues?: (text: string, at: Date) => Promise<LinkedKnownIssue[]>;
  /** Worker tuning (tests use a fixed clock and run passes by hand). */
  worker?: Partial<Omit<OutboxWorkerOptions, 'store' | 'outbox' | 'channels' | 'render' | 'logger'>>;
}

/** Builds intake. Throws a ConfigError when IT_DESTINATIONS or IT_ROUTES is malformed. */
export function createIntake(options: IntakeOptions): Intake {
  const { config, logger, store, channels } = options;
  const log = logger.child({ feature: 'intake' });
  const routing = parseRouting(config.intake.destinations, config.intake.routes);
  if (routing.defaults.length === 0 && routing.routes.length === 0) {
    log.warn('IT_DESTINATIONS is not set: requests are saved but not posted to any IT channel');
  }
  const requests = createRequestRepository(store);
  const outbox = createOutboxRepository(store);
  const conversations = createConversationStates(store);

  /** The known issues an incident was about when it was raised; none when that cannot be told right now. */
  async function knownIssuesOf(record: RequestRecord): Promise<LinkedKnownIssue[]> {
    if (record.kind !== 'incident' || !options.knownIssues) return [];
    const text = [record.title, record.description, record.affected].filter(Boolean).join('\n');
    return options.knownIssues(text, new Date(record.createdAt)).catch((error: unknown) => {
      log.warn({ err: error, reference: record.reference }, 'Could not look up known issues for the IT card');
      return [];
    });
  }

  async function render(job: OutboxJob): Promise<Rendered> {
    const record = await requests.get(job.subject);
    if (!record) return { kind: 'wait', reason: 'the request is not stored yet' };
    if (job.kind === 'direct') {
      const entry = record.history.find((e) => e.id === job.detail);
      if (!entry) return { kind: 'wait', reason: 'the change is not stored yet' };
      return { kind: 'send', replies: directMessage(record, entry) };
    }
    return { kind: 'send', replies: [summaryCard(record, await knownIssuesOf(record))] };
  }

  const worker = createOutboxWorker({ store, outbox, channels, render, logger: log, ...options.worker });
  const service = createRequestService({
    store,
    requests,
    outbox,
    routing,
    channels,
    logger: log,
    kick: () => worker.kick(),
  });
  const { feature, escalate } = createIntakeFeature({
    store,
    requests,
    conversations,
    service,
    ...(options.related ? { related: options.related } : {}),
    ...(options.prefill ? { prefill: options.prefill } : {}),
    ...(options.articles ? { articles: options.articles } : {}),
    ...(options.onAnsweredByArticle ? { onAnsweredByArticle: options.onAnsweredByArticle } : {}),
  });
  return { feature, escalate, requests, outbox, service, worker, routing };
}
