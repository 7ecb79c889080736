// Assembles the platform-neutral core from configuration: store, knowledge base, answering and the router.
// Adapters receive this and never build core pieces themselves.
import { createAnswerFeature } from './answers/answer-feature.ts';
import { createIndexAnswerer } from './answers/answerer.ts';
import { type Bot, createBot } from './bot/bot.ts';
import type { BotFeature } from './bot/feature.ts';
import { ChannelRegistry } from './channels/channel-adapter.ts';
import type { Config } from './config/load-config.ts';
import { createKbService, type KbService } from './kb/kb-service.ts';
import { createLlmServices, type LlmServices } from './llm/llm-services.ts';
import type { Logger } from './logging/logger.ts';
import type { DocumentStore } from './store/document-store.ts';
import { createQuestionLog, type QuestionLog } from './store/repositories/question-log.ts';

/** The running core. */
export interface App {
  config: Config;
  logger: Logger;
  store: DocumentStore;
  kb: KbService;
  bot: Bot;
  channels: ChannelRegistry;
  questions: QuestionLog;
  /** The language-model features, when OPENAI_API_KEY is set (see docs/openai.md). */
  llm: LlmServices | undefined;
  /** Stops timers and watchers and closes the store. */
  close(): Promise<void>;
}

/** Builds the core on an already-open store. */
export async function createApp(options: { config: Config; logger: Logger; store: DocumentStore }): Promise<App> {
  const { config, logger, store } = options;
  const kb = await createKbService({
    dir: config.kb.dir,
    watchFiles: config.kb.watch,
    minConfidence: config.kb.minConfidence,
    logger,
  });
  const questions = createQuestionLog(store);
  const channels = new ChannelRegistry();
  const llm = config.openai.enabled ? createLlmServices({ settings: config.openai, store, logger }) : undefined;
  const indexAnswerer = createIndexAnswerer(() => kb.current());
  // With a model, grounded answers decorate the deterministic answerer, which stays the fallback of every failure.
  const answerer = llm ? llm.wrapAnswerer(indexAnswerer, () => kb.current()) : indexAnswerer;
  llm?.warm(kb.current());
  const answers = createAnswerFeature({ answerer, questions });
  const features: BotFeature[] = [answers];
  const bot = createBot({
    config,
    logger,
    features,
    fallback: (ctx, text) => answers.answerQuestion(ctx, text),
  });

  const retention = setInterval(
    () => {
      const cutoff = new Date(Date.now() - config.questionLogRetentionDays * 86_400_000).toISOString();
      questions.purgeBefore(cutoff).catch((error: unknown) => logger.warn({ err: error }, 'Question log purge failed'));
    },
    6 * 3_600_000,
  );
  retention.unref();

  return {
    config,
    logger,
    store,
    kb,
    bot,
    channels,
    questions,
    llm,
    async close() {
      clearInterval(retention);
      kb.close();
      await llm?.flush();
      await store.close();
    },
  };
}
