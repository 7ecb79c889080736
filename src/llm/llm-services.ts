// Assembles the language-model features from an enabled configuration: one client, one gateway (budget, usage,
// failures), semantic ranking when an embedding model is set, and the functions other features call.
import type { OpenAI } from 'openai';
import type { Answerer } from '../answers/answerer.ts';
import type { KbIndex } from '../kb/search-index.ts';
import type { Logger } from '../logging/logger.ts';
import type { DocumentStore } from '../store/document-store.ts';
import { createEmbeddingCache } from '../store/repositories/embedding-cache.ts';
import { createModelUsageLog, type ModelUsageLog } from '../store/repositories/model-usage.ts';
import { createGroundedAnswerer } from './grounded-answerer.ts';
import { createModelGateway, type ModelGateway } from './model-gateway.ts';
import { createNewsletterIntroWriter, type NewsletterIntroWriter } from './newsletter-intro.ts';
import { createOpenAiClient, type OpenAiSettings } from './openai-client.ts';
import { createRequestExtractor, type RequestExtractor } from './request-extractor.ts';
import { createSemanticLayer, type SemanticLayer } from './semantic-index.ts';
import { type ModelUsageSummary, modelUsageSummary } from './usage-report.ts';

/** The model-backed features. Each one falls back to the deterministic behaviour on any failure. */
export interface LlmServices {
  gateway: ModelGateway;
  semantic: SemanticLayer;
  usage: ModelUsageLog;
  /** Decorates the deterministic answerer with grounded model answers. */
  wrapAnswerer(inner: Answerer, index: () => KbIndex): Answerer;
  /** Prefills an intake request from free text (see request-extractor.ts). */
  extractRequest: RequestExtractor;
  /** Writes a newsletter issue's introduction (see newsletter-intro.ts). */
  newsletterIntro: NewsletterIntroWriter;
  /** This month's usage against the budget. */
  usageSummary(now?: Date): Promise<ModelUsageSummary>;
  /** Starts building article vectors for `index` in the background (no-op without an embedding model). */
  warm(index: KbIndex): void;
  /** Waits for usage writes in flight; call before closing the store. */
  flush(): Promise<void>;
}

/** Creates the services. `client` replaces the configured client (tests and tools). */
export function createLlmServices(options: {
  settings: OpenAiSettings;
  store: DocumentStore;
  logger: Logger;
  client?: OpenAI;
  clock?: () => Date;
  /** The zone in which "today" is read for request dates (INTAKE_TIMEZONE). */
  timeZone?: string;
}): LlmServices {
  const { settings, store, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const client = options.client ?? createOpenAiClient(settings, logger);
  const usage = createModelUsageLog(store);
  const gateway = createModelGateway({
    client,
    model: settings.model,
    embeddingModel: settings.embeddingModel,
    monthlyTokenBudget: settings.monthlyTokenBudget,
    usage,
    logger,
    clock,
  });
  const semantic = createSemanticLayer({ gateway, cache: createEmbeddingCache(store), logger, clock });
  logger.info(
    {
      model: settings.model,
      embeddingModel: settings.embeddingModel ?? null,
      timeoutMs: settings.timeoutMs,
      monthlyTokenBudget: settings.monthlyTokenBudget,
      customEndpoint: settings.baseUrl !== undefined,
    },
    'Language model enabled',
  );
  return {
    gateway,
    semantic,
    usage,
    wrapAnswerer: (inner, index) =>
      createGroundedAnswerer({ inner, index, gateway, semantic, logger, timeoutMs: settings.timeoutMs }),
    extractRequest: createRequestExtractor({
      gateway,
      logger,
      timeoutMs: settings.timeoutMs,
      clock,
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    }),
    newsletterIntro: createNewsletterIntroWriter({ gateway, logger, timeoutMs: settings.timeoutMs }),
    usageSummary: (now = clock()) =>
      modelUsageSummary(usage, { now, monthlyTokenBudget: settings.monthlyTokenBudget }),
    warm(index) {
      void semantic.ready(index);
    },
    flush: () => gateway.flush(),
  };
}
