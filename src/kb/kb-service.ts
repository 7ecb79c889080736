// Keeps the knowledge-base index current: loads it at start-up and rebuilds it when a file changes.
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../logging/logger.ts';
import type { Article } from './article.ts';
import { builtInSynonymsFile, type LoadedKb, loadKb } from './load-kb.ts';
import { buildIndex, type KbIndex } from './search-index.ts';

/** The live knowledge base. */
export interface KbService {
  current(): KbIndex;
  /** Re-reads the folder; keeps the previous index if the new one has no valid article. */
  reload(): Promise<void>;
  /**
   * Extra questions per article id (approved learned phrasings), indexed exactly like the article's own
   * front-matter `questions` from now on and after every reload. Replaces the previous set.
   */
  setExtraQuestions(byArticle: ReadonlyMap<string, readonly string[]>): void;
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
  let loaded: Pick<LoadedKb, 'articles' | 'synonyms'> | undefined;
  let extra: ReadonlyMap<string, readonly string[]> = new Map();

  // Search internals stay as they are: extra questions are merged into each article before indexing, so
  // they weigh exactly what the front matter's own questions weigh.
  const rebuild = () => {
    if (!loaded) return;
    const articles =
      extra.size === 0 ? loaded.articles : loaded.articles.map((a) => withExtra(a, extra.get(a.id)));
    index = buildIndex(articles, loaded.synonyms, { minConfidence: options.minConfidence });
  };

  const reload = async () => {
    // A company's own KB folder often has no synonym list: the general IT one beats none.
    const kb = await loadKb(dir, { fallbackSynonyms: builtInSynonymsFile });
    for (const problem of kb.problems) logger.warn({ problem }, 'Knowledge-base file skipped');
    if (kb.articles.length === 0 && index.articles.length > 0) {
      logger.error({ dir }, 'Knowledge base reload found no valid article; keeping the previous index');
      return;
    }
    loaded = kb;
    rebuild();
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
    setExtraQuestions(byArticle) {
      extra = byArticle;
      rebuild();
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

/** The article with `more` questions added after its own (case-insensitive duplicates left out). */
function withExtra(article: Article, more: readonly string[] | undefined): Article {
  if (!more || more.length === 0) return article;
  const seen = new Set(article.questions.map((q) => q.trim().toLowerCase()));
  const added = more.filter((q) => {
    const key = q.trim().toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return added.length === 0 ? article : { ...article, questions: [...article.questions, ...added] };
}
