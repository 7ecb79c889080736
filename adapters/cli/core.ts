// Opens the configured core (configuration, store, app) for commands that need it, such as `chat`.
import { type App, createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config/load-config.ts';
import { StoreUnavailableError } from '../../src/errors.ts';
import { createLogger, type Logger } from '../../src/logging/logger.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { CliIo } from './command.ts';

/**
 * Reads the configuration from the injected environment (and `.env`). Throws ConfigError when invalid. A command
 * the running server runs for the CLI uses the server's configuration.
 */
export function readConfig(io: CliIo): Config {
  return io.shared?.config ?? loadConfig(io.env);
}

/** Opens the configured store (or borrows the running server's); the caller must `await close()`. */
export async function openCliStore(
  io: CliIo,
): Promise<{ config: Config; logger: Logger; store: DocumentStore; close(): Promise<void> }> {
  if (io.shared) {
    const { config, logger, app } = io.shared;
    return { config, logger, store: app.store, close: async () => {} };
  }
  const config = readConfig(io);
  const logger = cliLogger(config, io);
  const store = await openStore(config.store, logger);
  try {
    await whenReady(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return { config, logger, store, close: () => store.close() };
}

/**
 * Waits for MongoDB's first connection (the store connects in the background; a command has nothing to do
 * before), up to `timeoutMs`. The embedded store is ready at once.
 */
export async function whenReady(store: DocumentStore, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await store.health();
    if (health.ok) return;
    if (Date.now() > deadline)
      throw new StoreUnavailableError(
        `The store is not reachable: ${health.detail}. Nothing was read or changed.`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A logger for terminal commands: it writes to stderr so stdout stays clean for output, and is quieter than
 * the server (warnings and errors only) unless LOG_LEVEL asks for debug or trace.
 */
export function cliLogger(config: Config, io: CliIo): Logger {
  const level = ['debug', 'trace', 'silent', 'error', 'fatal'].includes(config.logLevel)
    ? config.logLevel
    : 'warn';
  return createLogger(level, io.stderr);
}

/** Opens the store and builds the app; the caller must `await app.close()`. */
export async function openCore(io: CliIo): Promise<{ config: Config; logger: Logger; app: App }> {
  // The server's own core: closing it is the server's business, not the command's.
  if (io.shared) return { ...io.shared, app: { ...io.shared.app, close: async () => {} } };
  const config = readConfig(io);
  const logger = cliLogger(config, io);
  for (const warning of config.warnings) logger.warn(warning);
  const store = await openStore(config.store, logger);
  try {
    await whenReady(store);
    const app = await createApp({ config, logger, store });
    return { config, logger, app };
  } catch (error) {
    await store.close();
    throw error;
  }
}
