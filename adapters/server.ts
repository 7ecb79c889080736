// Starts IT Buddy: the core, the shared HTTP server with the web channel, and every configured platform.
// This is the composition root: the one place that knows both the core and the adapters.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type App, createApp } from '../src/app.ts';
import type { Config } from '../src/config/load-config.ts';
import type { Logger } from '../src/logging/logger.ts';
import { openStore } from '../src/store/open-store.ts';
import { startControlServer } from './cli/control-server.ts';
import { runCli } from './cli/main.ts';
import { createHttpApp, finishHttpApp, listen } from './http/http-server.ts';
import { createSlackAdapter } from './slack/slack-adapter.ts';
import { teamsModeFor } from './teams/teams-auth.ts';
import { createTeamsEndpoint, type TeamsEndpoint, type TeamsOptions } from './teams/teams-endpoint.ts';
import { itPages } from './web/it-pages.ts';
import { newsletterPages } from './web/newsletter-pages.ts';
import { oidcSignIn } from './web/oidc-sign-in.ts';
import { loadSessionSecret } from './web/session-secret.ts';
import { trialSignIn } from './web/trial-sign-in.ts';
import { createWebChannel } from './web/web-channel.ts';
import { webRoutes } from './web/web-routes.ts';
import { createWebSessions } from './web/web-sessions.ts';
import { webStartupWarnings } from './web/web-startup.ts';

/** A running server. */
export interface RunningServer {
  app: App;
  server: Server;
  url: string;
  channels: string[];
  stop(): Promise<void>;
}

/** Settings that are not configuration: other clouds' endpoints and test doubles for the platforms. */
export interface ServerOptions {
  teams?: TeamsOptions;
  /** Outbox worker tuning (tests run passes by hand). */
  outbox?: Parameters<typeof createApp>[0]['outbox'];
}

/** Builds and starts everything for `config`. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const secret = await loadSessionSecret(config.web.sessionSecret, config.web.secretDir);
  const store = await openStore(config.store, logger);
  const app = await createApp({
    config,
    logger,
    store,
    ...(options.outbox ? { outbox: options.outbox } : {}),
  });
  const http = createHttpApp(app);
  const channels = ['web'];
  const stoppers: (() => Promise<void>)[] = [];
  if (config.slack.enabled) {
    const slack = createSlackAdapter(app, config.slack, logger);
    if (slack.router) http.use(slack.router);
    await slack.start().catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
    channels.push('slack');
    stoppers.push(() => slack.stop());
  }
  // Teams: with MICROSOFT_APP_ID, or in local mode (this machine only) outside production.
  if (teamsModeFor(config)) {
    let teams: TeamsEndpoint;
    try {
      teams = createTeamsEndpoint(app, options.teams);
    } catch (error) {
      await app.close();
      throw error;
    }
    http.use(teams.router);
    app.channels.register(teams.channel);
    // Without an app id Teams is the unauthenticated local test mode: say so, so nobody thinks Teams is connected.
    channels.push(teamsModeFor(config) === 'local' ? 'teams (local test mode)' : 'teams');
    stoppers.push(() => teams.stop());
  }
  // The web channel keeps what the outbox sends in the store: the IT inbox at /it, users' inboxes at /api/inbox.
  // Who is who comes from the session (anonymous unless a sign-in method names the person).
  for (const warning of webStartupWarnings(config)) logger.warn(warning);
  const sessions = createWebSessions(config.web, config.http.publicUrl, secret, logger);
  const web = createWebChannel(app.store);
  app.channels.register(web);
  if (config.web.trialSignIn) http.use(trialSignIn(app, sessions));
  if (config.web.oidc) http.use(oidcSignIn(app, config.web.oidc, sessions));
  http.use(itPages(app, web, sessions));
  http.use(webRoutes(app, sessions));
  http.use(newsletterPages(app, sessions));
  finishHttpApp(http, app);
  // A start that fails half-way (the port taken, the control channel refused) undoes what already started, so the
  // caller is left with no listening socket, no open store and nothing keeping the process alive.
  const undo = async (listening?: Server): Promise<void> => {
    for (const stop of stoppers) await stop().catch(() => undefined);
    if (listening) await closeServer(listening);
    await app.close();
  };
  const server = await listen(http, config.http.port, config.http.host).catch(async (error: unknown) => {
    await undo();
    throw error;
  });
  // On the embedded store, CLI commands that use the store run here while the server holds the data folder.
  if (config.store.kind === 'embedded') {
    const control = await startControlServer({
      app,
      config,
      logger,
      dataDir: config.store.dataDir,
      run: runCli,
    }).catch(async (error: unknown) => {
      await undo(server);
      throw error;
    });
    stoppers.push(() => control.stop());
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  // Every channel adapter is registered now: send a missed newsletter and resume unfinished ones at once.
  void app.newsletter.kick();
  return {
    app,
    server,
    url,
    channels,
    async stop() {
      for (const stop of stoppers) await stop().catch(() => undefined);
      await closeServer(server);
      await app.close();
    },
  };
}

/** Stops accepting connections and ends the open ones. */
function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
