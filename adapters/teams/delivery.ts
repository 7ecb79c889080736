// What a failed call to the Bot Framework connector means, and the one retry policy for sending to Teams:
// throttling and transient gateway errors are retried after Retry-After or with exponential backoff and
// jitter, a bounded number of times; a conversation the bot can no longer reach is reported as gone.

/** The verdict on one failed call. */
export type DeliveryProblem =
  /** The bot cannot reach this conversation any more (removed, blocked, conversation deleted). */
  | { kind: 'gone'; status: number; code: string; reason: string }
  /** Worth retrying now: throttled or a transient gateway error. */
  | {
      kind: 'retry';
      status: number | undefined;
      code: string;
      retryAfterMs: number | undefined;
      reason: string;
    }
  /** May work later, but not by retrying at once (a server error). */
  | { kind: 'later'; status: number | undefined; code: string; reason: string }
  /** Will not work by retrying: a bad request, our own credentials, a missing message. */
  | { kind: 'fail'; status: number | undefined; code: string; reason: string };

/** Error codes Teams answers with (HTTP 403) when the bot may no longer write to the conversation. */
const goneCodes = new Set([
  'BotNotInConversationRoster',
  'BotDisabledByAdmin',
  'MessageWritesBlocked',
  'ConversationBlockedByUser',
]);

const retryStatuses = new Set([412, 429, 502, 503, 504]);
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'REQUEST_SEND_ERROR',
]);

interface ErrorLike {
  statusCode?: unknown;
  status?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { headers?: unknown; bodyAsText?: unknown; status?: unknown };
  details?: unknown;
  body?: unknown;
}

/** Reads a header from the shapes botbuilder's HTTP layers use (HttpHeaders with get(), or a plain object). */
function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: (n: string) => unknown }).get;
  if (typeof get === 'function') {
    const v = get.call(headers, name);
    if (typeof v === 'string') return v;
  }
  const raw =
    (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.toLowerCase()];
  return typeof raw === 'string' ? raw : undefined;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The Teams error code from the error or its JSON body (`{ "error": { "code": ... } }`). */
function errorCode(e: ErrorLike): string {
  const fromBody = (text: unknown): string | undefined => {
    if (typeof text !== 'string' || !text.trim()) return undefined;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: unknown }; code?: unknown };
      const code = parsed.error?.code ?? parsed.code;
      return typeof code === 'string' ? code : undefined;
    } catch {
      return undefined;
    }
  };
  const bodyCode = fromBody(e.response?.bodyAsText);
  if (bodyCode) return bodyCode;
  const details = e.details as { error?: { code?: unknown } } | undefined;
  if (typeof details?.error?.code === 'string') return details.error.code;
  return typeof e.code === 'string' ? e.code : '';
}

/** Classifies a failed connector call. */
export function classifyDeliveryError(error: unknown): DeliveryProblem {
  const e = (error ?? {}) as ErrorLike;
  const rawStatus = e.statusCode ?? e.response?.status ?? e.status;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const code = errorCode(e);
  const message = typeof e.message === 'string' ? e.message : String(error);
  const reason = `${status ?? 'no status'}${code ? ` ${code}` : ''}: ${message}`.slice(0, 300);
  if (status === 403 && goneCodes.has(code)) return { kind: 'gone', status, code, reason };
  if (status === 404 && /conversation/i.test(`${code} ${message} ${String(e.response?.bodyAsText ?? '')}`)) {
    return { kind: 'gone', status, code: code || 'ConversationNotFound', reason };
  }
  if (status !== undefined && retryStatuses.has(status)) {
    return {
      kind: 'retry',
      status,
      code,
      retryAfterMs: parseRetryAfter(header(e.response?.headers, 'retry-after')),
      reason,
    };
  }
  if (
    status === undefined &&
    (networkCodes.has(code) || /ECONNRESET|ETIMEDOUT|socket hang up|fetch failed/i.test(message))
  ) {
    return { kind: 'retry', status, code, retryAfterMs: undefined, reason };
  }
  if (status === undefined || status >= 500) return { kind: 'later', status, code, reason };
  return { kind: 'fail', status, code, reason };
}

/** How hard to try. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for in place: the caller is told to come back later. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 30_000,
};

/** Thrown when sending did not succeed: the last problem, and how many attempts were made. */
export class DeliveryFailure extends Error {
  readonly problem: DeliveryProblem;
  readonly attempts: number;
  /** Retry-After of the last answer, when it had one. */
  readonly retryAfterMs: number | undefined;

  constructor(problem: DeliveryProblem, attempts: number, options?: { cause?: unknown }) {
    super(`Teams delivery failed after ${attempts} attempt(s): ${problem.reason}`, options);
    this.name = 'DeliveryFailure';
    this.problem = problem;
    this.attempts = attempts;
    this.retryAfterMs = problem.kind === 'retry' ? problem.retryAfterMs : undefined;
  }
}

export interface RetryDeps {
  policy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each wait, for logging. */
  onRetry?: (problem: DeliveryProblem, attempt: number, waitMs: number) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before retry number `attempt` (1-based): Retry-After when given, else exponential backoff with jitter (half to all of the ceiling). */
export function backoffMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Runs `send`, retrying what is worth retrying; throws DeliveryFailure with the verdict otherwise. */
export async function sendWithRetry<T>(send: () => Promise<T>, deps: RetryDeps = {}): Promise<T> {
  const policy = deps.policy ?? defaultRetryPolicy;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const problem = classifyDeliveryError(error);
      const last = attempt >= policy.maxAttempts;
      const tooLong = problem.kind === 'retry' && (problem.retryAfterMs ?? 0) > policy.maxRetryAfterMs;
      if (problem.kind !== 'retry' || last || tooLong)
        throw new DeliveryFailure(problem, attempt, { cause: error });
      const wait = backoffMs(attempt, problem.retryAfterMs, policy, random);
      deps.onRetry?.(problem, attempt, wait);
      await sleep(wait);
    }
  }
}
