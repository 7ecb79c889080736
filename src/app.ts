// Assembles the platform-neutral core from configuration: store, knowledge base, answering and the router.
// Adapters receive this and never build core pieces themselves.
import { articleUrl } from './answers/answer-card.ts';
import { createAnswerFeature } from './answers/answer-feature.ts';
import { closeEnough, createIndexAnswerer } from './answers/answerer.ts';
import { type Bot, createBot } from './bot/bot.ts';
import type { BotFeature } from './bot/feature.ts';
import { ChannelRegistry } from './channels/channel-adapter.ts';
import type { Config } from './config/load-config.ts';
import { createIntake, type Intake, type IntakeOptions } from './intake/intake.ts';
import type { ArticleLookup } from './intake/intake-feature.ts';
import type { OutboxWorker } from './intake/outbox-worker.ts';
import { createKbService, type KbService } from './kb/kb-service.ts';
import { createLearningService, type LearningService } from './learning/learning-service.ts';
import { createLlmServices, type LlmServices } from './llm/llm-services.ts';
import type { Logger } from './logging/logger.ts';
import {
  createNewsletterModule,
  type NewsletterModule,
  type NewsletterModuleDeps,
} from './newsletter/newsletter-module.ts';
import type { DocumentStore } from './store/document-store.ts';
import { createLearnedPhrasingStore } from './store/repositories/learned-phrasings.ts';
import type { OutboxRepository } from './store/repositories/outbox.ts';
import {
  createQuestionLog,
  defaultQuestionLogBuffer,
  type QuestionLog,
} from './store/repositories/question-log.ts';
import type { RequestRepository } from './store/repositories/requests.ts';

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
  /** Request intake (see docs/intake.md): its repositories and the outbox worker that posts for it. */
  intake: Intake;
  requests: RequestRepository;
  outbox: OutboxRepository;
  outboxWorker: OutboxWorker;
  /** Announcements, known issues, role grants and the weekly newsletter (see docs/newsletter.md). */
  newsletter: NewsletterModule;
  /** Learned phrasings: proposals from use, approval, and the live index kept in step (docs/answering.md). */
  learning: LearningService;
  /** Stops timers and watchers and closes the store. */
  close(): Promise<void>;
}

/** Builds the core on an already-open store. */
export async function createApp(options: {
  config: Config;
  logger: Logger;
  store: DocumentStore;
  /** Outbox worker tuning; tests pass a clock and a long interval and run passes themselves. */
  outbox?: IntakeOptions['worker'];
  /** Newsletter tuning: tests pass a clock, fake timing or a replica id. */
  newsletter?: Pick<
    NewsletterModuleDeps,
    'clock' | 'timing' | 'limiter' | 'fanOut' | 'owner' | 'housekeepingMs'
  >;
}): Promise<App> {
  const { config, logger, store } = options;
  const kb = await createKbService({
    dir: config.kb.dir,
    watchFiles: config.kb.watch,
    minConfidence: config.kb.minConfidence,
    logger,
  });
  const questions = createQuestionLog(store, defaultQuestionLogBuffer(logger));
  const learning = createLearningService({
    phrasings: createLearnedPhrasingStore(store),
    kb,
    logger,
  });
  const channels = new ChannelRegistry();
  const llm = config.openai.enabled
    ? createLlmServices({ settings: config.openai, store, logger, timeZone: config.intake.timeZone })
    : undefined;
  const indexAnswerer = createIndexAnswerer(() => kb.current());
  // With a model, grounded answers decorate the deterministic answerer, which stays the fallback of every failure.
  const answerer = llm ? llm.wrapAnswerer(indexAnswerer, () => kb.current()) : indexAnswerer;
  llm?.warm(kb.current());
  // Before intake, so intake can link known issues (newsletter.activeKnownIssues) from incident summaries.
  const newsletter = createNewsletterModule({
    config,
    logger,
    store,
    questions,
    kb: () => kb.current(),
    channels,
    intro: llm?.newsletterIntro,
    ...options.newsletter,
  });
  const intake = createIntake({
    config,
    logger,
    store,
    channels,
    related: (text) => {
      const outcome = kb.current().search(text);
      const top = outcome.answered ? outcome.hits[0] : undefined;
      return top
        ? { title: top.article.title, url: articleUrl(config.http.publicUrl, top.article.id) }
        : undefined;
    },
    ...(llm ? { prefill: (text: string) => llm.extractRequest(text) } : {}),
    knownIssues: newsletter.activeKnownIssues,
    ...(options.outbox ? { worker: options.outbox } : {}),
    articles: articleLookup(kb, config.http),
    onAnsweredByArticle: learning.onAnsweredByArticle,
  });
  const answers = createAnswerFeature({
    answerer,
    questions,
    article: (id) => kb.current().get(id),
    escalate: intake.escalate,
    onHelpful: learning.onHelpful,
    onArticleChosen: learning.onArticleChosen,
  });
  // Intake comes first so its intercept holds an ongoing request conversation before anything else reads it.
  const features: BotFeature[] = [intake.feature, answers, ...newsletter.features];
  const bot = createBot({
    config,
    logger,
    features,
    fallback: (ctx, text) => answers.answerQuestion(ctx, text),
    roleGrants: newsletter.roleGrants,
  });

  const retention = setInterval(() => {
    const cutoff = new Date(Date.now() - config.questionLogRetentionDays * 86_400_000).toISOString();
    questions
      .purgeBefore(cutoff)
      .catch((error: unknown) => logger.warn({ err: error }, 'Question log purge failed'));
  }, 6 * 3_600_000);
  retention.unref();
  intake.worker.start();
  await newsletter.start();
  await learning.start();

  return {
    config,
    logger,
    store,
    kb,
    bot,
    channels,
    questions,
    llm,
    intake,
    requests: intake.requests,
    outbox: intake.outbox,
    outboxWorker: intake.worker,
    newsletter,
    learning,
    async close() {
      clearInterval(retention);
      learning.stop();
      await newsletter.stop();
      await intake.worker.stop();
      kb.close();
      await llm?.flush();
      await store.close();
    },
  };
}

/** Finds articles by id or link for the "answered by article" triage action. */
function articleLookup(kb: KbService, http: { publicUrl: string }): ArticleLookup {
  const link = (id: string) => {
    const article = kb.current().get(id);
    return article
      ? { id: article.id, title: article.title, url: articleUrl(http.publicUrl, article.id) }
      : undefined;
  };
  return {
    find(idOrLink) {
      const fromLink = /\/kb\/([^/?#\s]+)/.exec(idOrLink)?.[1];
      let id = idOrLink.trim().toLowerCase();
      if (fromLink) {
        try {
          id = decodeURIComponent(fromLink);
        } catch {
          return undefined;
        }
      }
      return link(id);
    },
    suggest(text) {
      const top = kb.current().search(text).hits[0];
      return top && top.confidence >= closeEnough ? top.article.id : undefined;
    },
  };
}
