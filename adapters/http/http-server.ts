// The one HTTP server: the web channel, health checks, and (when configured) the Slack and Teams endpoints.
import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { App } from '../../src/app.ts';
import { ListenError } from '../../src/errors.ts';
import { hostAllowList } from './host-allow-list.ts';
import { securityHeaders } from './security-headers.ts';

/**
 * Creates the Express application: security headers on everything, health endpoints, then the Host allow-list
 * in front of whatever callers mount (channels). Callers finish with finishHttpApp.
 */
export function createHttpApp(app: App): Express {
  const http = express();
  http.disable('x-powered-by');
  http.set('trust proxy', false);
  http.use(securityHeaders(app.config.http.publicUrl));
  http.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  http.get('/readyz', async (_req, res) => {
    const store = await app.store.health().catch((error: unknown) => ({ ok: false, detail: String(error) }));
    const articles = app.kb.current().articles.length;
    const ok = store.ok;
    res.status(ok ? 200 : 503).json({ ok, store: { kind: app.store.kind, ...store }, kb: { articles } });
  });
  // After the health checks: load balancers probe by address, and those two answers carry nothing personal.
  http.use(hostAllowList(app.config.http.publicUrl, app.config.web.allowedHosts));
  return http;
}

/** Adds the last handlers: 404 and one error handler that logs and answers kindly. */
export function finishHttpApp(http: Express, app: App): void {
  http.use((_req, res) => {
    res.status(404).json({ error: 'Not found' });
  });
  http.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    if (status >= 500) app.logger.error({ err: error }, 'HTTP request failed');
    res.status(status).json({
      error:
        status >= 500
          ? 'Something went wrong on our side. Please try again.'
          : String((error as Error).message),
    });
  });
}

/** Starts listening; resolves with the server once bound, rejects with a clear message when the port is taken. */
export function listen(http: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new ListenError(
              error.code === 'EADDRINUSE'
                ? `port ${port} on ${host} is already in use (is another IT Buddy running?). Stop it, or set PORT to a free port.`
                : `port ${port} on ${host} may not be opened by this user. Set PORT to one above 1023.`,
              { cause: error },
            )
          : error,
      );
    // Express 5 calls the listen callback on a failed bind too, with the error: only resolve once bound.
    const server = http.listen(port, host, (error?: Error) => (error ? failed(error) : resolve(server)));
    server.once('error', failed);
  });
}
