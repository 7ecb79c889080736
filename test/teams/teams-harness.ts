// Starts the real server with the Teams adapter mounted and a fake connector beside it, and builds activities
// from the recorded Teams payloads in test/fixtures/teams/.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningServer, startServer } from '../../adapters/server.ts';
import type { TeamsChannel } from '../../adapters/teams/teams-channel.ts';
import type { TeamsOptions } from '../../adapters/teams/teams-endpoint.ts';
import type { App } from '../../src/app.ts';
import { type Logger, silentLogger } from '../../src/logging/logger.ts';
import { testConfig } from '../helpers/test-config.ts';
import { type FakeConnector, startFakeConnector } from './fake-connector.ts';

const fixtures = path.resolve('test/fixtures/teams');

/** The bot's id in local-mode tests (Teams uses 28:<app id>). */
export const localBotId = '28:itbuddy-local';

export type Fixture =
  | 'personal-message'
  | 'channel-mention'
  | 'card-submit'
  | 'bot-added-to-team'
  | 'installation-update-add';

/** A recorded Teams activity with the service URL and bot id filled in, and `changes` merged on top. */
export function activity(
  name: Fixture,
  vars: { serviceUrl: string; botId?: string },
  changes: Record<string, unknown> = {},
): Record<string, unknown> {
  const raw = readFileSync(path.join(fixtures, `${name}.json`), 'utf8')
    .replaceAll('{{serviceUrl}}', vars.serviceUrl)
    .replaceAll('{{botId}}', vars.botId ?? localBotId);
  return { ...(JSON.parse(raw) as Record<string, unknown>), ...changes };
}

/** A server with Teams mounted, and its fake connector. */
export interface TeamsTestServer {
  url: string;
  app: App;
  running: RunningServer;
  connector: FakeConnector;
  channel: TeamsChannel & { idle(): Promise<void> };
  /** POSTs an activity to /api/messages; resolves with the HTTP status. */
  post(body: unknown, headers?: Record<string, string>): Promise<number>;
  /** Builds a fixture activity pointing at the fake connector. */
  activity(name: Fixture, changes?: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
}

/** Starts IT Buddy (local mode unless `env` sets MICROSOFT_APP_ID) with a fresh data folder and fake connector. */
export async function startTeamsTestServer(
  env: Record<string, string> = {},
  options: { teams?: TeamsOptions; logger?: Logger; botId?: string } = {},
): Promise<TeamsTestServer> {
  const connector = await startFakeConnector();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-teams-'));
  const config = testConfig({ DATA_DIR: dataDir, ...env });
  let running: RunningServer;
  try {
    running = await startServer(config, options.logger ?? silentLogger(), {
      teams: {
        // Tests must not wait out real backoff delays; the retry policy's shape is what they check.
        retryPolicy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2000 },
        ...options.teams,
      },
    });
  } catch (error) {
    await connector.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  if (!env.PUBLIC_URL) config.http.publicUrl = running.url;
  const channel = running.app.channels.get('teams') as (TeamsChannel & { idle(): Promise<void> }) | undefined;
  if (!channel) throw new Error('the Teams channel is not registered');
  const vars = { serviceUrl: connector.serviceUrl, ...(options.botId ? { botId: options.botId } : {}) };
  return {
    url: running.url,
    app: running.app,
    running,
    connector,
    channel,
    async post(body, headers = {}) {
      const res = await fetch(`${running.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      await res.arrayBuffer();
      return res.status;
    },
    activity: (name, changes) => activity(name, vars, changes),
    async stop() {
      await running.stop();
      await connector.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
