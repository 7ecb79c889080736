// Builds a search index straight from a knowledge-base folder, without the store: for `ask`, the bench and tools.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KbError } from '../../src/errors.ts';
import { builtInSynonymsFile, loadKb, type SynonymGroups } from '../../src/kb/load-kb.ts';
import { buildIndex, type KbIndex } from '../../src/kb/search-index.ts';

/** Reads a synonyms file (`groups:` of word lists); throws KbError naming the file when it is unusable. */
export async function readSynonymsFile(file: string): Promise<SynonymGroups> {
  let data: { groups?: unknown };
  try {
    data = parseYaml(await readFile(file, 'utf8')) as { groups?: unknown };
  } catch (error) {
    throw new KbError(`${file}: cannot read the synonyms (${(error as Error).message.split('\n')[0]}).`, {
      cause: error,
    });
  }
  if (!Array.isArray(data?.groups)) throw new KbError(`${file}: expected a "groups:" list of word lists.`);
  return data.groups
    .filter((g): g is unknown[] => Array.isArray(g))
    .map((g) => g.map((w) => String(w).toLowerCase().trim()).filter(Boolean))
    .filter((g) => g.length > 1);
}

/** An index built from a folder, with what was skipped and where the synonyms came from. */
export interface FolderIndex {
  index: KbIndex;
  problems: string[];
  synonymsFrom: string | undefined;
}

/**
 * Loads `dir` and indexes it. Synonyms come from `synonymsFile` when given, else the folder's own
 * `_synonyms.yaml`, else the product's built-in list.
 */
export async function loadFolderIndex(
  dir: string,
  options: { synonymsFile?: string | undefined; minConfidence?: number | undefined } = {},
): Promise<FolderIndex> {
  if (options.synonymsFile) {
    const kb = await loadKb(dir);
    const synonyms = await readSynonymsFile(options.synonymsFile);
    const index = buildIndex(kb.articles, synonyms, { minConfidence: options.minConfidence });
    return { index, problems: kb.problems, synonymsFrom: options.synonymsFile };
  }
  // loadKb falls back to the built-in list itself; this only names which file it read.
  const kb = await loadKb(dir, { fallbackSynonyms: builtInSynonymsFile });
  const own = path.join(dir, '_synonyms.yaml');
  const synonymsFrom = [own, builtInSynonymsFile].find((file) => existsSync(file));
  const synonyms = kb.synonyms;
  const index = buildIndex(kb.articles, synonyms, { minConfidence: options.minConfidence });
  return { index, problems: kb.problems, synonymsFrom };
}
