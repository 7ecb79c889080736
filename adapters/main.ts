// Entry point of `npm start`: read the configuration, start the server, stop cleanly on a signal.

import { loadConfig } from '../src/config/load-config.ts';
import { CodedError } from '../src/errors.ts';
import { createLogger } from '../src/logging/logger.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`IT Buddy cannot start: ${(error as Error).message}\n`);
    process.exit(78);
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);
  try {
    const running = await startServer(config, logger);
    logger.info(
      { url: running.url, channels: running.channels, store: running.app.store.kind },
      `IT Buddy is up: chat at ${config.http.publicUrl} · channels on: ${running.channels.join(', ')}`,
    );
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'Shutting down');
      await running.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  } catch (error) {
    if (error instanceof CodedError) {
      logger.fatal({ code: error.code }, error.message);
      process.stderr.write(`IT Buddy cannot start: ${error.message}\n`);
    } else logger.fatal({ err: error }, 'IT Buddy failed to start');
    process.exit(1);
  }
}

await main();
