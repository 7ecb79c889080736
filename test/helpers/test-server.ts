// Starts the real server (composition root, HTTP, web channel) on a free loopback port with a throwaway data folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningServer, startServer } from '../../adapters/server.ts';
import type { App } from '../../src/app.ts';
import { type Logger, silentLogger } from '../../src/logging/logger.ts';
import { testConfig } from './test-config.ts';

/** A server started for one test file. */
export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  app: App;
  server: RunningServer;
  /** The temporary DATA_DIR, removed by stop(). */
  dataDir: string;
  /** Stops the server, closes the store and removes the data folder. */
  stop(): Promise<void>;
}

/**
 * Starts IT Buddy with `overrides` on top of the test defaults. DATA_DIR is a fresh temporary folder unless
 * overridden. Links in replies point at the real address, since port 0 is only known once the server listens.
 */
export async function startTestServer(
  overrides: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-test-'));
  const config = testConfig({ DATA_DIR: dataDir, ...overrides });
  let running: RunningServer;
  try {
    running = await startServer(config, options.logger ?? silentLogger());
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  if (!overrides.PUBLIC_URL) config.http.publicUrl = running.url;
  return {
    url: running.url,
    app: running.app,
    server: running,
    dataDir,
    async stop() {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The JSON reply of POST /api/chat, with its status. */
export interface ChatResponse {
  status: number;
  body: { replies?: Array<Record<string, unknown> & { type: string }>; error?: string };
}

const sessionCookies = new Map<string, string>();

/**
 * The session cookie (`name=value`) of web user `userId` on the server at `url`, signed in once through the trial
 * sign-in (on in the test defaults) and reused.
 */
export async function sessionFor(url: string, userId: string, name?: string): Promise<string> {
  const key = `${url} ${userId} ${name ?? ''}`;
  const known = sessionCookies.get(key);
  if (known) return known;
  const res = await fetch(`${url}/auth/trial`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user: userId, ...(name ? { name } : {}) }),
    redirect: 'manual',
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('itbuddy_session='));
  if (res.status !== 303 || !cookie) {
    throw new Error(`trial sign-in as ${userId} answered ${res.status}: ${await res.text()}`);
  }
  sessionCookies.set(key, cookie);
  return cookie;
}

/** `fetch(url + path)` as signed-in web user `userId` (through the trial sign-in). */
export async function fetchAs(
  url: string,
  userId: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('cookie', await sessionFor(url, userId));
  return fetch(`${url}${path}`, { ...init, headers });
}

/**
 * Posts `body` (an object, or a raw string sent as-is) to /api/chat and parses the JSON answer. A `userId` in the
 * body chooses whose session the request carries (signed in through the trial sign-in; `userName` becomes the
 * display name); the server itself ignores both fields.
 */
export async function postChat(
  url: string,
  body: unknown,
  contentType = 'application/json',
): Promise<ChatResponse> {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const cookie =
    typeof fields.userId === 'string'
      ? await sessionFor(
          url,
          fields.userId,
          typeof fields.userName === 'string' ? fields.userName : undefined,
        )
      : undefined;
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(cookie ? { cookie } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: ChatResponse['body'];
  try {
    parsed = JSON.parse(text) as ChatResponse['body'];
  } catch {
    throw new Error(`POST /api/chat answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body: parsed };
}
