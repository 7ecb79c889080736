// Builds the model features against the stub: a throwaway store, the fixture knowledge base, a captured log,
// and either the bare services or the whole core (createApp) with OPENAI_BASE_URL pointing at the stub.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type Answerer, createIndexAnswerer } from '../../src/answers/answerer.ts';
import { type App, createApp } from '../../src/app.ts';
import { type Article, parseArticle } from '../../src/kb/article.ts';
import { buildIndex, type KbIndex } from '../../src/kb/search-index.ts';
import { createLlmServices, type LlmServices } from '../../src/llm/llm-services.ts';
import type { OpenAiSettings } from '../../src/llm/openai-client.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { IncomingMessage } from '../../src/messages/incoming.ts';
import type { Reply } from '../../src/messages/replies.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { testConfig } from '../helpers/test-config.ts';
import { fixtureArticles, writeFixtureKb } from './fixture-kb.ts';
import { type StubOpenAi, startStubOpenAi } from './stub-openai.ts';

/** A key that must never show up in a log line or a request body other than the Authorization header. */
export const testApiKey = 'sk-test-itbuddy-never-log-0123456789';

/** Log lines written while the harness ran, as text. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface ServicesHarness {
  stub: StubOpenAi;
  store: DocumentStore;
  index: KbIndex;
  llm: LlmServices;
  /** The grounded answerer over the fixture KB. */
  answerer: Answerer;
  /** The deterministic answerer alone, to compare against. */
  indexAnswerer: Answerer;
  log: LogCapture;
  settings: OpenAiSettings;
  close(): Promise<void>;
}

/** The fixture articles, parsed. */
export function fixtureKb(): Article[] {
  return Object.entries(fixtureArticles).map(([name, text]) => parseArticle(text, name));
}

/** The fixture knowledge base as an index. */
export function fixtureIndex(): KbIndex {
  return buildIndex(fixtureKb());
}

/** The services on a fresh store and stub. */
export async function servicesHarness(
  overrides: Partial<OpenAiSettings> = {},
  options: { stub?: StubOpenAi; clock?: () => Date; timeZone?: string } = {},
): Promise<ServicesHarness> {
  const stub = options.stub ?? (await startStubOpenAi());
  const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-llm-'));
  const store = openEmbeddedStore(dir);
  const index = fixtureIndex();
  const log = new LogCapture();
  const logger = createLogger('debug', log);
  const settings: OpenAiSettings = {
    enabled: true,
    apiKey: testApiKey,
    baseUrl: stub.baseUrl,
    model: 'gpt-4.1-mini',
    embeddingModel: undefined,
    timeoutMs: 2000,
    monthlyTokenBudget: 1_000_000,
    ...overrides,
  };
  const llm = createLlmServices({
    settings,
    store,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  const indexAnswerer = createIndexAnswerer(() => index);
  return {
    stub,
    store,
    index,
    llm,
    answerer: llm.wrapAnswerer(indexAnswerer, () => index),
    indexAnswerer,
    log,
    settings,
    async close() {
      await llm.flush();
      await store.close();
      if (!options.stub) await stub.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface AppHarness {
  stub: StubOpenAi;
  app: App;
  log: LogCapture;
  /** Sends a text message as a web user and returns the replies. */
  ask(text: string, user?: IncomingMessage['user']): Promise<Reply[]>;
  close(): Promise<void>;
}

/** The whole core from configuration (as production builds it), with the model pointed at the stub. */
export async function appHarness(env: Record<string, string> = {}): Promise<AppHarness> {
  const stub = await startStubOpenAi();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-llm-app-'));
  const kbDir = await writeFixtureKb();
  const config = testConfig({
    KB_DIR: kbDir,
    DATA_DIR: dataDir,
    PUBLIC_URL: 'https://buddy.example.com',
    OPENAI_API_KEY: testApiKey,
    OPENAI_BASE_URL: stub.baseUrl,
    OPENAI_MODEL: 'gpt-4.1-mini',
    ...env,
  });
  const log = new LogCapture();
  const logger = createLogger('debug', log);
  const store = openEmbeddedStore(dataDir);
  const app = await createApp({ config, logger, store });
  return {
    stub,
    app,
    log,
    ask: (text, user = { id: 'alice' }) =>
      app.bot.handle({ platform: 'web', user, conversation: { id: 'web-conv-1', kind: 'personal' }, text }),
    async close() {
      await app.close();
      await stub.close();
      await rm(dataDir, { recursive: true, force: true });
      await rm(kbDir, { recursive: true, force: true });
    },
  };
}
