// The Slack adapter: Bolt in Socket Mode (SLACK_APP_TOKEN set) or HTTP mode on the shared Express server at
// /slack/events, the two Web API clients, the listeners, and the ChannelAdapter the core uses to post, update and DM.
import { App as BoltApp, ExpressReceiver, type Receiver, SocketModeReceiver, webApi } from '@slack/bolt';
import express, { type Router } from 'express';
import type { App } from '../../src/app.ts';
import type { ChannelAdapter } from '../../src/channels/channel-adapter.ts';
import type { Config } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/errors.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { createProcessedEvents } from '../../src/store/repositories/processed-events.ts';
import { verifySlackRequests } from './request-signature.ts';
import {
  baseClientOptions,
  bulkClientOptions,
  defaultTuning,
  interactiveClientOptions,
  type SlackClientTuning,
  slackErrorCode,
  slackLogger,
  type WebClient,
} from './slack-clients.ts';
import { createDelivery } from './slack-delivery.ts';
import { defaultTiming, type ListenerTiming, registerListeners, within } from './slack-listeners.ts';
import { createSlackStash } from './slack-stash.ts';
import { defaultStreamOptions, type SlackStreamOptions } from './slack-stream.ts';

/** Slack settings as read by the configuration (enabled). */
export type SlackAdapterConfig = Extract<Config['slack'], { enabled: true }>;

/** The one endpoint for events, slash commands and interactivity in HTTP mode. */
export const slackEventsPath = '/slack/events';

export interface SlackAdapterOptions {
  tuning?: Partial<SlackClientTuning>;
  timing?: Partial<ListenerTiming>;
  /** The clock for the timestamp check (tests). */
  now?: () => number;
  /** Pacing of streamed answers (tests and the bench). */
  streaming?: Partial<SlackStreamOptions>;
}

/** The Slack adapter: a ChannelAdapter plus what the composition root needs to run it. */
export interface SlackAdapter extends ChannelAdapter {
  readonly platform: 'slack';
  readonly mode: 'http' | 'socket';
  /** The client that answers people (replies to messages, commands, clicks, modals). */
  readonly client: WebClient;
  /**
   * The client behind post, update and sendDirect — everything sent on IT Buddy's own initiative (newsletter
   * fan-out, request cards, notifications): its own queue, retries and rate limits, so it never delays an answer.
   */
  readonly bulkClient: WebClient;
  /** HTTP mode: the router serving POST /slack/events, to mount on the shared server. */
  readonly router: Router | undefined;
  /** The Bolt app (for tests and diagnostics). */
  readonly bolt: BoltApp;
  readonly receiver: Receiver;
  /** Checks the token with Slack and, in Socket Mode, connects. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Creates the Slack adapter for `app` and registers it in `app.channels`. */
export function createSlackAdapter(
  app: App,
  config: Config['slack'],
  logger: Logger,
  options: SlackAdapterOptions = {},
): SlackAdapter {
  if (!config.enabled) throw new ConfigError('SLACK_BOT_TOKEN: set it to turn the Slack adapter on.');
  const mode = config.appToken ? 'socket' : 'http';
  if (mode === 'http' && !config.signingSecret) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET: required for Slack HTTP mode (or set SLACK_APP_TOKEN for Socket Mode). Find it under Basic Information in your Slack app.',
    );
  }
  const log = logger.child({ component: 'slack' });
  const tuning = { ...defaultTuning, ...options.tuning };
  const timing = { ...defaultTiming, ...options.timing };
  const base = baseClientOptions(log, config.apiUrl);
  const interactiveOptions = interactiveClientOptions(base, tuning);
  const client = new webApi.WebClient(config.botToken, interactiveOptions);
  const bulkClient = new webApi.WebClient(config.botToken, bulkClientOptions(base, tuning));
  // Streams give way to a whole answer rather than wait: a 429 or a failure is not retried.
  const streamClient = new webApi.WebClient(config.botToken, {
    ...interactiveOptions,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });

  // Who the bot is, asked once and kept; a failure is forgotten so the next event asks again.
  let identity: Promise<{ botUserId?: string; botId?: string }> | undefined;
  // Once known, every event's authorize returns it at once, with no timer raced against the lookup.
  let knownIdentity: { botUserId?: string; botId?: string } | undefined;
  const whoAmI = () => {
    identity ??= client.auth.test().then((r) => {
      knownIdentity = {
        ...(r.user_id ? { botUserId: r.user_id } : {}),
        ...(r.bot_id ? { botId: r.bot_id } : {}),
      };
      return knownIdentity;
    });
    return identity.catch((error: unknown) => {
      identity = undefined;
      throw error;
    });
  };

  const boltLogger = slackLogger(log);
  let receiver: Receiver;
  let router: Router | undefined;
  if (mode === 'socket') {
    receiver = new SocketModeReceiver({
      appToken: config.appToken!,
      logger: boltLogger,
      installerOptions: { clientOptions: base },
    });
  } else {
    const express_ = new ExpressReceiver({
      signingSecret: config.signingSecret!,
      endpoints: slackEventsPath,
      processBeforeResponse: false,
      // verifySlackRequests below checks every request first, more cheaply and stricter on timestamps.
      signatureVerification: false,
      logger: boltLogger,
      router: express.Router(),
    });
    receiver = express_;
    router = express.Router();
    router.post(slackEventsPath, verifySlackRequests(config.signingSecret!, options.now));
    router.use(express_.router);
  }

  const bolt = new BoltApp({
    receiver,
    // Events are acknowledged after authorize: never hold that up for long on a slow auth.test.
    authorize: async () => ({
      botToken: config.botToken,
      ...(knownIdentity ?? (await within(whoAmI(), timing.userLookupMs).catch(() => undefined))?.value),
    }),
    clientOptions: interactiveOptions,
    logger: boltLogger,
    ignoreSelf: true,
    convoStore: false,
  });

  const stash = createSlackStash(app.store);
  const delivery = createDelivery({
    client,
    stash,
    logger: log,
    responseTimeoutMs: tuning.interactiveTimeoutMs,
  });
  registerListeners({
    app,
    bolt,
    client,
    streamClient,
    delivery,
    processed: createProcessedEvents(app.store),
    logger: log,
    timing,
    streaming: { ...defaultStreamOptions, ...options.streaming },
  });

  // The ChannelAdapter contract is for sending on IT Buddy's own initiative: it never shares the answering client.
  const outbound = delivery.channelAdapter(bulkClient);
  let purge: NodeJS.Timeout | undefined;

  const adapter: SlackAdapter = {
    platform: 'slack',
    mode,
    client,
    bulkClient,
    router,
    bolt,
    receiver,
    post: (destination, replies, opts) => outbound.post(destination, replies, opts),
    update: (posted, replies) => outbound.update!(posted, replies),
    findPosted: (destination, deliveryId, options) => outbound.findPosted!(destination, deliveryId, options),
    sendDirect: (userId, replies) => outbound.sendDirect(userId, replies),
    async start() {
      try {
        await whoAmI();
      } catch (error) {
        const code = slackErrorCode(error);
        if (
          code &&
          ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired'].includes(code)
        ) {
          throw new ConfigError(
            `SLACK_BOT_TOKEN: Slack rejected the token (${code}). Copy the Bot User OAuth Token again.`,
            {
              cause: error,
            },
          );
        }
        log.warn(
          { err: error },
          'Could not reach Slack to check the token; will try again on the first event',
        );
      }
      if (mode === 'socket') {
        try {
          await bolt.start();
        } catch (error) {
          const code = slackErrorCode(error);
          if (
            code &&
            ['invalid_auth', 'not_authed', 'not_allowed_token_type', 'token_revoked'].includes(code)
          ) {
            throw new ConfigError(
              `SLACK_APP_TOKEN: Slack refused the app-level token (${code}). Generate one with the connections:write scope under Basic Information.`,
              { cause: error },
            );
          }
          throw error;
        }
      }
      purge = setInterval(() => void stash.purge().catch(() => undefined), 6 * 3_600_000);
      purge.unref();
    },
    async stop() {
      if (purge) clearInterval(purge);
      if (mode === 'socket')
        await bolt.stop().catch((error: unknown) => log.warn({ err: error }, 'Socket Mode stop failed'));
    },
  };
  app.channels.register(adapter);
  return adapter;
}
