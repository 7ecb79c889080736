// Keeps the knowledge-base index current: loads it at start-up and rebuilds it when a file changes.
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../logging/logger.ts';
import { builtInSynonymsFile, loadKb } from './load-kb.ts';
import { buildIndex, type KbIndex } from './search-index.ts';

/** The live knowledge base. */
export interface KbService {
  current(): KbIndex;
  /** Re-reads the folder; keeps the previous index if the new one has no valid article. */
  reload(): Promise<void>;
  close(): void;
}

/** Loads `dir` and, when `watchFiles`, rebuilds the index shortly after any change to it. */
export async function createKbService(options: {
  dir: string;
  watchFiles: boolean;
  minConfidence: number | undefined;
  logger: Logger;
}): Promise<KbService> {
  const { dir, logger } = options;
  let index: KbIndex = buildIndex([]);
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;

  const reload = async () => {
    // A company's own KB folder often has no synonym list: the general IT one beats none.
    const kb = await loadKb(dir, { fallbackSynonyms: builtInSynonymsFile });
    for (const problem of kb.problems) logger.warn({ problem }, 'Knowledge-base file skipped');
    if (kb.articles.length === 0 && index.articles.length > 0) {
      logger.error({ dir }, 'Knowledge base reload found no valid article; keeping the previous index');
      return;
    }
    index = buildIndex(kb.articles, kb.synonyms, { minConfidence: options.minConfidence });
    logger.info({ articles: kb.articles.length, problems: kb.problems.length }, 'Knowledge base loaded');
  };

  await reload();
  if (options.watchFiles) {
    try {
      watcher = watch(dir, { recursive: true }, () => {
        clearTimeout(timer);
        // Editors write files in several steps: wait for the burst to settle before rebuilding.
        timer = setTimeout(() => {
          reload().catch((error: unknown) => logger.error({ err: error }, 'Knowledge base reload failed'));
        }, 200);
      });
    } catch (error) {
      logger.warn({ err: error }, 'Cannot watch the knowledge base folder; edits need a restart');
    }
  }
  return {
    current: () => index,
    reload,
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
