// Runs the Slack adapter on its own Express server over a real core (store, knowledge base), optionally with a
// router made of test features, against the fake Slack. For adapter behaviour that needs a feature the product
// does not have yet (a generic form) or tighter timings than the defaults.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import {
  createSlackAdapter,
  type SlackAdapter,
  type SlackAdapterOptions,
} from '../../adapters/slack/slack-adapter.ts';
import { type App, createApp } from '../../src/app.ts';
import { createBot } from '../../src/bot/bot.ts';
import type { BotFeature } from '../../src/bot/feature.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { reply } from '../../src/messages/replies.ts';
import { openStore } from '../../src/store/open-store.ts';
import { testConfig } from '../helpers/test-config.ts';
import { FakeSlack } from './fake-slack.ts';
import { signingSecret } from './slack-harness.ts';

export interface AdapterHarness {
  fake: FakeSlack;
  app: App;
  adapter: SlackAdapter;
  /** Base URL of the Express server carrying /slack/events (HTTP mode). */
  url: string;
  stop(): Promise<void>;
}

export interface HarnessOptions extends SlackAdapterOptions {
  /** Replace the core's features with these (the fallback then answers "fallback"). */
  features?: BotFeature[];
  env?: Record<string, string>;
  /** Socket Mode instead of HTTP. */
  socket?: boolean;
  /** Skip adapter.start() (e.g. to test start failures yourself). */
  noStart?: boolean;
}

/** Starts fake Slack, a core, the adapter and (HTTP mode) a server carrying its router. */
export async function startAdapterHarness(options: HarnessOptions = {}): Promise<AdapterHarness> {
  const fake = new FakeSlack();
  await fake.start();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-slack-'));
  const config = testConfig({
    DATA_DIR: dataDir,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: fake.apiUrl,
    ...(options.socket ? { SLACK_APP_TOKEN: 'xapp-1-test' } : { SLACK_SIGNING_SECRET: signingSecret }),
    ...options.env,
  });
  const logger = silentLogger();
  const store = await openStore(config.store, logger);
  const core = await createApp({ config, logger, store });
  const app: App = options.features
    ? {
        ...core,
        bot: createBot({
          config,
          logger,
          features: options.features,
          fallback: async () => [reply.text('fallback')],
        }),
      }
    : core;
  const adapter = createSlackAdapter(app, config.slack, logger, options);
  let server: Server | undefined;
  let url = '';
  if (adapter.router) {
    const http = express();
    http.use(adapter.router);
    server = await new Promise<Server>((resolve) => {
      const s = http.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  if (!options.noStart && !options.socket) await adapter.start();
  return {
    fake,
    app,
    adapter,
    url,
    async stop() {
      await adapter.stop();
      await new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await core.close();
      await fake.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
