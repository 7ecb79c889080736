// Opens the configured engine: MongoDB when MONGODB_URI is set, otherwise the embedded store in DATA_DIR.
import type { Config } from '../config/load-config.ts';
import type { Logger } from '../logging/logger.ts';
import type { DocumentStore } from './document-store.ts';
import { openEmbeddedStore } from './embedded/sqlite-store.ts';

/** Opens the store named by the configuration. MongoDB is loaded only when used. */
export async function openStore(config: Config['store'], logger: Logger): Promise<DocumentStore> {
  if (config.kind === 'embedded') return openEmbeddedStore(config.dataDir);
  const { openMongoStore } = await import('./mongo/mongo-store.ts');
  return openMongoStore(config.uri, { logger });
}
