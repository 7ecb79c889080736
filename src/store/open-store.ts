// Opens the configured engine: MongoDB when MONGODB_URI is set, otherwise the embedded store in DATA_DIR.
import type { Config } from '../config/load-config.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { DocumentStore } from './document-store.ts';
import { openEmbeddedStore } from './embedded/sqlite-store.ts';

/**
 * Opens the store named by the configuration. MongoDB is loaded only when used; its store returns at once and
 * connects in the background (health() is not ok and writes throw StoreUnavailableError until it is up).
 */
export async function openStore(config: Config['store'], logger: Logger): Promise<DocumentStore> {
  if (config.kind === 'embedded') {
    return openEmbeddedStore(config.dataDir, {
      onError: (error) => {
        if (error instanceof StoreUnavailableError) {
          // A failed fsync: the store refuses work from now on (see sqlite-store.ts, Writer).
          logger.fatal({ err: error }, error.message);
        } else
          logger.error(
            { err: error },
            'The embedded store could not commit recent log entries; they were lost',
          );
      },
    });
  }
  const { openMongoStore } = await import('./mongo/mongo-store.ts');
  return openMongoStore(config.uri, {
    ...(config.writeMode ? { writeMode: config.writeMode } : {}),
    logger: logger.child({ store: 'mongo' }),
    onStateChange: (state) => logger.debug({ state }, 'store connection state'),
  });
}
