// Loads every article of a knowledge-base folder, collecting all problems instead of stopping at the first.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { KbError } from '../errors.ts';
import { type Article, parseArticle } from './article.ts';

/** Groups of words that mean the same thing, kept as data in `_synonyms.yaml` beside the articles. */
export type SynonymGroups = string[][];

/** What loading a folder produced: the valid articles, the synonym groups, and a message per problem. */
export interface LoadedKb {
  articles: Article[];
  synonyms: SynonymGroups;
  problems: string[];
}

/** The product's general IT synonym list, for a knowledge base that has no `_synonyms.yaml` of its own. */
export const builtInSynonymsFile = fileURLToPath(new URL('../../kb/_synonyms.yaml', import.meta.url));

/**
 * Reads every `*.md` article (README.md and files starting with `_` excluded) under `dir`, recursively, and the
 * folder's `_synonyms.yaml`; without one, `fallbackSynonyms` (a file) is read instead.
 */
export async function loadKb(dir: string, options: { fallbackSynonyms?: string } = {}): Promise<LoadedKb> {
  const files = await listMarkdown(dir);
  const articles: Article[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const rel = path.relative(dir, file);
    try {
      const article = parseArticle(await readFile(file, 'utf8'), rel);
      const other = seen.get(article.id);
      if (other) {
        problems.push(
          `${rel}: field "id": "${article.id}" is already used by ${other}. Give each article its own id.`,
        );
        continue;
      }
      seen.set(article.id, rel);
      articles.push(article);
    } catch (error) {
      if (error instanceof KbError) problems.push(...error.problems);
      else problems.push(`${rel}: ${(error as Error).message}`);
    }
  }
  const synonyms =
    (await loadSynonyms(path.join(dir, '_synonyms.yaml'), problems)) ??
    (options.fallbackSynonyms ? await loadSynonyms(options.fallbackSynonyms, problems) : undefined) ??
    [];
  return { articles, synonyms, problems };
}

async function listMarkdown(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    throw new KbError(`Cannot read the knowledge base folder ${dir}: check KB_DIR.`, { cause: error });
  }
  return entries
    .filter(
      (e) =>
        e.isFile() &&
        e.name.endsWith('.md') &&
        !e.name.startsWith('_') &&
        e.name.toLowerCase() !== 'readme.md',
    )
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** The groups in `file`; undefined when there is no such file, [] (and a problem) when it is unusable. */
async function loadSynonyms(file: string, problems: string[]): Promise<SynonymGroups | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const data = parseYaml(text) as { groups?: unknown };
    if (!Array.isArray(data?.groups)) throw new Error('expected a "groups:" list of word lists');
    return data.groups
      .filter((g): g is unknown[] => Array.isArray(g))
      .map((g) => g.map((w) => String(w).toLowerCase().trim()).filter(Boolean))
      .filter((g) => g.length > 1);
  } catch (error) {
    problems.push(`${path.basename(file)}: ${(error as Error).message}`);
    return [];
  }
}
