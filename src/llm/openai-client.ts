// The one OpenAI client of the process: short timeout, no retries, settings only from the typed configuration.
//
// Why no retries: a chat reply has a budget of a few seconds and the deterministic answer is always ready, so a
// failed call falls back at once instead of waiting for the SDK's retry back-off (its defaults are a 10-minute
// timeout and 2 retries, fine for batch jobs and far too long for a chat turn).
import { OpenAI } from 'openai';
import type { Config } from '../config/load-config.ts';
import type { Logger } from '../logging/logger.ts';

/** The model settings of an enabled configuration. */
export type OpenAiSettings = Extract<Config['openai'], { enabled: true }>;

/** Options for tests and tools; production passes none. */
export interface OpenAiClientOptions {
  /** Retries per request; 0 by default (the deterministic path is the retry). */
  maxRetries?: number;
}

/** Creates the client for `settings` (OpenAI, Azure OpenAI's v1 endpoint, or any compatible server via baseUrl). */
export function createOpenAiClient(
  settings: OpenAiSettings,
  logger: Logger,
  options: OpenAiClientOptions = {},
): OpenAI {
  const log = logger.child({ component: 'openai-sdk' });
  return new OpenAI({
    apiKey: settings.apiKey,
    // `null` (not undefined) stops the SDK from reading these from the environment: configuration is read once.
    baseURL: settings.baseUrl ?? null,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    timeout: settings.timeoutMs,
    maxRetries: options.maxRetries ?? 0,
    logLevel: 'warn',
    // Only the SDK's message goes to our log: its extra arguments can hold request details.
    logger: {
      error: (message: string) => log.error(message),
      warn: (message: string) => log.warn(message),
      info: (message: string) => log.info(message),
      debug: (message: string) => log.debug(message),
    },
  });
}
