// Opens the configured core (configuration, store, app) for commands that need it, such as `chat`.
import { type App, createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config/load-config.ts';
import { createLogger, type Logger } from '../../src/logging/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { CliIo } from './command.ts';

/** Reads the configuration from the injected environment (and `.env`). Throws ConfigError when invalid. */
export function readConfig(io: CliIo): Config {
  return loadConfig(io.env);
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
  const config = readConfig(io);
  const logger = cliLogger(config, io);
  for (const warning of config.warnings) logger.warn(warning);
  const store = await openStore(config.store, logger);
  try {
    const app = await createApp({ config, logger, store });
    return { config, logger, app };
  } catch (error) {
    await store.close();
    throw error;
  }
}
