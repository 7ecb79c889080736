// The Slack Web API clients: one that answers people (short timeouts, few retries) and one for what IT Buddy
// sends on its own initiative (newsletter fan-out, request cards; patient retries, low concurrency), so a fan-out
// being rate limited never delays an answer.
import { LogLevel, type Logger as SlackLogger, webApi } from '@slack/bolt';
import { PermanentDeliveryError, RetryableDeliveryError } from '../../src/channels/channel-adapter.ts';
import type { Logger } from '../../src/logging/logger.ts';

export type WebClient = InstanceType<typeof webApi.WebClient>;
export type WebClientOptions = NonNullable<ConstructorParameters<typeof webApi.WebClient>[1]>;

/** Timeouts and retries of the two clients; tests shorten them. */
export interface SlackClientTuning {
  /** Per-request timeout of the interactive client (ms). */
  interactiveTimeoutMs: number;
  /** Retries (after 429 Retry-After waits, 5xx and network errors) of the interactive client. */
  interactiveRetries: number;
  bulkTimeoutMs: number;
  bulkRetries: number;
  /** Concurrent requests of the bulk client. */
  bulkConcurrency: number;
  /** Smallest back-off between retries (ms). */
  minRetryDelayMs: number;
}

export const defaultTuning: SlackClientTuning = {
  interactiveTimeoutMs: 10_000,
  interactiveRetries: 3,
  bulkTimeoutMs: 30_000,
  bulkRetries: 4,
  bulkConcurrency: 3,
  minRetryDelayMs: 500,
};

const pinoLevel = { info: 'info', warn: 'warn', error: 'error' } as const;

/**
 * Slack's logger interface over the injected pino logger. Slack's debug output is dropped: it carries request
 * and response bodies (message text, profiles with email addresses) that must not reach the logs.
 */
export function slackLogger(logger: Logger): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  const log = (method: keyof typeof pinoLevel, msg: unknown[]) => {
    const text = msg
      .map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : safeJson(m)))
      .join(' ');
    logger[pinoLevel[method]](text);
  };
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => log('info', msg),
    warn: (...msg: unknown[]) => log('warn', msg),
    error: (...msg: unknown[]) => log('error', msg),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Options shared by every client: the API URL (a fake in tests), logging, and never rejecting on 429. */
export function baseClientOptions(logger: Logger, apiUrl: string | undefined): WebClientOptions {
  return {
    logger: slackLogger(logger),
    logLevel: LogLevel.INFO,
    rejectRateLimitedCalls: false,
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
  };
}

/** The client that answers people: requests time out quickly and are retried a few times at most. */
export function interactiveClientOptions(base: WebClientOptions, t: SlackClientTuning): WebClientOptions {
  return {
    ...base,
    timeout: t.interactiveTimeoutMs,
    retryConfig: {
      retries: t.interactiveRetries,
      factor: 2,
      minTimeout: t.minRetryDelayMs,
      maxTimeout: 4_000,
      randomize: true,
    },
  };
}

/** The client for bulk sending: patient retries, few requests at a time. */
export function bulkClientOptions(base: WebClientOptions, t: SlackClientTuning): WebClientOptions {
  return {
    ...base,
    timeout: t.bulkTimeoutMs,
    maxRequestConcurrency: t.bulkConcurrency,
    retryConfig: {
      retries: t.bulkRetries,
      factor: 2,
      minTimeout: t.minRetryDelayMs * 2,
      maxTimeout: 60_000,
      randomize: true,
    },
  };
}

/** Slack's error code from a Web API error (`channel_not_found`, `expired_trigger_id`, ...), if it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof webApi.WebAPIPlatformError) return error.data.error;
  return undefined;
}

/** Errors that mean the destination will never accept the message. */
const permanentCodes = new Set([
  'channel_not_found',
  'is_archived',
  'not_in_channel',
  'account_inactive',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_non_threadable_channel',
  'ekm_access_denied',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'no_permission',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'msg_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'team_access_not_granted',
]);

/** Maps a Web API failure to the adapter contract: permanent (do not retry) or retryable (with Slack's hint). */
export function toDeliveryError(
  error: unknown,
  what: string,
): PermanentDeliveryError | RetryableDeliveryError {
  const code = slackErrorCode(error);
  if (code && permanentCodes.has(code))
    return new PermanentDeliveryError(`Slack refused ${what}: ${code}.`, { cause: error });
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return new RetryableDeliveryError(`Slack rate limited ${what}.`, error.retryAfter * 1000, {
      cause: error,
    });
  }
  if (code)
    return new RetryableDeliveryError(`Slack could not complete ${what}: ${code}.`, undefined, {
      cause: error,
    });
  if (error instanceof webApi.WebAPIHTTPError) {
    const retryAfter = Number(error.headers['retry-after']);
    return new RetryableDeliveryError(
      `Slack answered ${what} with HTTP ${error.statusCode}.`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      { cause: error },
    );
  }
  return new RetryableDeliveryError(`Could not reach Slack for ${what}.`, undefined, { cause: error });
}
