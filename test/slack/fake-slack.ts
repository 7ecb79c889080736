// A fake Slack for tests, on loopback: a Web API that records every call and can be scripted to answer 429 with
// Retry-After, 5xx or a Slack error; response_url endpoints; and signed requests into the bot's /slack/events.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One recorded Web API call or response_url post. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** Whether a bearer token came with the call (the token itself is never kept). */
  authorized: boolean;
  at: number;
  /** What the fake answered (Web API calls only). */
  result?: Record<string, unknown>;
}

/** A scripted answer, used once before the defaults apply again. */
export type ScriptedAnswer =
  | { status: 429; retryAfter: number }
  | { status: 500 | 502 | 503 }
  | { ok: false; error: string };

type Loose = Record<string, unknown>;

/** The fake Slack Web API. */
export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  /** Raw attempts per method, including scripted failures (to see retries). */
  readonly attempts = new Map<string, number>();
  url = '';
  private server: Server | undefined;
  private readonly scripts = new Map<string, ScriptedAnswer[]>();
  private readonly waiters = new Set<() => void>();
  private tsCounter = 1_700_000_000_000;

  /** The Web API base URL, for SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A response_url on this fake; posts to it are recorded as method `response:<id>`. */
  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  /** Queues answers for the next calls of `method`. */
  script(method: string, ...answers: ScriptedAnswer[]): void {
    this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...answers]);
  }

  /** Forgets calls and scripts (between tests sharing one fake). */
  reset(): void {
    this.calls.length = 0;
    this.attempts.clear();
    this.scripts.clear();
  }

  /** Recorded calls of one method. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until `count` calls match (default: one), then returns them. Fails the test after 10 s. */
  async waitFor(match: string | ((c: RecordedCall) => boolean), count = 1): Promise<RecordedCall[]> {
    const predicate = typeof match === 'string' ? (c: RecordedCall) => c.method === match : match;
    const found = () => this.calls.filter(predicate);
    if (found().length >= count) return found();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `Timed out waiting for ${count} × ${String(match)}; saw: ${this.calls.map((c) => c.method).join(', ')}`,
          ),
        );
      }, 10_000);
      const check = () => {
        if (found().length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found());
      };
      this.waiters.add(check);
    });
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers?: Record<string, string>; body: unknown }> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const response = /^\/response\/([\w-]+)$/.exec(url.pathname);
    if (response) {
      this.record(`response:${response[1]}`, JSON.parse(raw || '{}') as Loose, false);
      return { status: 200, body: { ok: true } };
    }
    const method = /^\/api\/([\w.]+)$/.exec(url.pathname)?.[1];
    if (!method) return { status: 404, body: { ok: false, error: 'unknown_method' } };
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    this.attempts.set(method, (this.attempts.get(method) ?? 0) + 1);
    this.notify();
    const scripted = this.scripts.get(method)?.shift();
    if (scripted && 'status' in scripted) {
      if (scripted.status === 429) {
        return {
          status: 429,
          headers: { 'retry-after': String(scripted.retryAfter) },
          body: { ok: false, error: 'ratelimited' },
        };
      }
      return { status: scripted.status, body: { ok: false, error: 'internal_error' } };
    }
    const authorized = typeof req.headers.authorization === 'string' || typeof args.token === 'string';
    const result = scripted ?? this.answer(method, args);
    this.record(method, args, authorized, result);
    return { status: 200, body: result };
  }

  private record(method: string, args: Loose, authorized: boolean, result?: Loose): void {
    const { token: _token, ...rest } = args;
    this.calls.push({ method, args: rest, authorized, at: Date.now(), ...(result ? { result } : {}) });
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(this.tsCounter / 1000)}.${String(this.tsCounter % 1000).padStart(6, '0')}`;
  }

  private answer(method: string, args: Loose): Loose {
    const channel = String(args.channel ?? '');
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://example.slack.com/',
          team: 'Example',
          user: 'itbuddy',
          team_id: 'T0001',
          user_id: 'UBOT',
          bot_id: 'BBOT',
        };
      case 'chat.postMessage':
        return { ok: true, channel, ts: this.nextTs(), message: { text: args.text } };
      case 'chat.startStream':
        return { ok: true, channel, ts: this.nextTs() };
      case 'chat.appendStream':
      case 'chat.stopStream':
        return { ok: true, channel, ts: args.ts };
      case 'conversations.history':
      case 'conversations.replies': {
        // Top-level posts (history) or a thread's replies, newest first, with metadata as Slack returns it.
        const oldest = Number(args.oldest ?? 0);
        const thread = method === 'conversations.replies' ? String(args.ts ?? '') : undefined;
        const messages = this.calls
          .filter(
            (c) =>
              c.method === 'chat.postMessage' &&
              c.result?.ok === true &&
              String(c.result.channel) === channel &&
              (thread === undefined ? !c.args.thread_ts : String(c.args.thread_ts) === thread) &&
              // This fake's ts values are counters, not times: compare the time the post was made.
              c.at / 1000 >= oldest,
          )
          .map((c) => ({
            ts: c.result?.ts,
            text: c.args.text,
            ...(args.include_all_metadata && c.args.metadata ? { metadata: c.args.metadata } : {}),
          }))
          .reverse();
        return { ok: true, messages, has_more: false };
      }
      case 'chat.update':
        return { ok: true, channel, ts: args.ts, text: args.text };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users ?? '').replace(/^U/, '')}` } };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel,
          permalink: `https://example.slack.com/archives/${channel}/p${String(args.message_ts).replace('.', '')}`,
        };
      case 'users.info': {
        const id = String(args.user ?? '');
        return {
          ok: true,
          user: {
            id,
            name: id.toLowerCase(),
            profile: {
              display_name: `Person ${id}`,
              real_name: `Person ${id}`,
              email: `${id.toLowerCase()}@example.com`,
            },
          },
        };
      }
      case 'views.open':
      case 'views.publish':
      case 'views.update':
        return { ok: true, view: { id: 'V0001' } };
      default:
        return { ok: true };
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Web API arguments: form-encoded (objects arrive as JSON strings, as the WebClient sends them) or JSON. */
function parseArgs(raw: string, contentType: string): Loose {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Loose;
  const args: Loose = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return args;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

// ---- Signed requests into the bot ----

/** Slack's v0 request signature over `v0:${ts}:${body}`. */
export function slackSignature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedOptions {
  /** Request timestamp in seconds (default: now). */
  timestamp?: number;
  /** Overrides the signature (forgeries). */
  signature?: string;
  headers?: Record<string, string>;
}

/** The result of a signed post: status and parsed body (JSON when it is JSON). */
export interface SlackPostResult {
  status: number;
  text: string;
  json: Loose | undefined;
}

/** Posts a raw body to /slack/events, signed with `secret`. */
export async function postSigned(
  baseUrl: string,
  secret: string,
  body: string,
  contentType: string,
  options: SignedOptions = {},
): Promise<SlackPostResult> {
  const ts = options.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': options.signature ?? slackSignature(secret, ts, body),
      ...options.headers,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? (tryJson(text) as Loose) : undefined };
}

/** An Events API callback (JSON). */
export function sendEvent(baseUrl: string, secret: string, payload: unknown, options: SignedOptions = {}) {
  return postSigned(baseUrl, secret, JSON.stringify(payload), 'application/json', options);
}

/** A slash command (form-encoded fields). */
export function sendCommand(
  baseUrl: string,
  secret: string,
  fields: Record<string, string>,
  options: SignedOptions = {},
) {
  return postSigned(
    baseUrl,
    secret,
    new URLSearchParams(fields).toString(),
    'application/x-www-form-urlencoded',
    options,
  );
}

/** An interactivity payload: block_actions, view_submission, message_action (form-encoded `payload=`). */
export function sendInteraction(
  baseUrl: string,
  secret: string,
  payload: unknown,
  options: SignedOptions = {},
) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSigned(baseUrl, secret, body, 'application/x-www-form-urlencoded', options);
}

// ---- Fixtures ----

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/slack');

/** A payload from test/fixtures/slack, deep-merged with `overrides`. */
export function fixture<T = Loose>(name: string, overrides: Loose = {}): T {
  const base = JSON.parse(readFileSync(path.join(fixturesDir, `${name}.json`), 'utf8')) as Loose;
  return merge(base, overrides) as T;
}

function merge(base: Loose, overrides: Loose): Loose {
  const out: Loose = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object' &&
      !Array.isArray(current)
        ? merge(current as Loose, value as Loose)
        : value;
  }
  return out;
}

let eventCounter = 0;
/** A fresh Events API event id. */
export function newEventId(): string {
  eventCounter += 1;
  return `Ev${Date.now().toString(36).toUpperCase()}${eventCounter}`;
}
