// Writes approved learned phrasings into the articles' front-matter `questions`, so the knowledge base in git
// keeps them. Only the `questions` list changes: the yaml Document API keeps comments, order and quoting of
// everything else, and the Markdown body is written back byte for byte.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isSeq, parseDocument } from 'yaml';
import { type Article, maxArticleQuestions as maxQuestions, parseArticle } from '../kb/article.ts';
import {
  type LearnedPhrasing,
  normalisePhrasing,
  phrasingLimits,
} from '../store/repositories/learned-phrasings.ts';

/** What happened to one article's file. */
export interface ExportedFile {
  articleId: string;
  file: string;
  added: string[];
  /** Phrasings left out, with why (the front matter's limits, an unreadable file). */
  skipped: { text: string; reason: string }[];
}

/** Front matter, the text between the markers, and the body, exactly as in the file. */
const frontMatterPattern = /^(\uFEFF?---\r?\n)([\s\S]*?)(\r?\n---[ \t]*(?:\r?\n|$))([\s\S]*)$/;

/**
 * Adds `phrasings` to the article file's `questions` (those not already there). Returns what it added; with
 * `dryRun` the file is left alone.
 */
export async function exportToArticle(
  dir: string,
  article: Article,
  phrasings: readonly LearnedPhrasing[],
  options: { dryRun?: boolean } = {},
): Promise<ExportedFile> {
  const file = path.join(dir, article.file);
  const result: ExportedFile = { articleId: article.id, file: article.file, added: [], skipped: [] };
  const source = await readFile(file, 'utf8');
  const match = frontMatterPattern.exec(source);
  if (!match) {
    result.skipped = phrasings.map((p) => ({ text: p.text, reason: 'the file has no front matter' }));
    return result;
  }
  const [, open, yamlText, close, body] = match as unknown as [string, string, string, string, string];
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) {
    result.skipped = phrasings.map((p) => ({ text: p.text, reason: 'the front matter is not valid YAML' }));
    return result;
  }
  let questions = doc.get('questions');
  if (!isSeq(questions)) {
    doc.set('questions', doc.createNode([]));
    questions = doc.get('questions');
  }
  if (!isSeq(questions)) return result;
  const have = new Set(
    questions.items.map((q) => normalisePhrasing(String((q as { value?: unknown }).value ?? q))),
  );
  for (const p of phrasings) {
    const text = p.text.trim();
    if (have.has(normalisePhrasing(text))) continue;
    if (text.length < phrasingLimits.min || text.length > phrasingLimits.max) {
      result.skipped.push({
        text,
        reason: `a question must be ${phrasingLimits.min} to ${phrasingLimits.max} characters`,
      });
      continue;
    }
    if (questions.items.length >= maxQuestions) {
      result.skipped.push({
        text,
        reason: `the article already lists ${maxQuestions} questions, the most allowed`,
      });
      continue;
    }
    questions.add(doc.createNode(text));
    have.add(normalisePhrasing(text));
    result.added.push(text);
  }
  if (result.added.length === 0) return result;
  const newline = close.startsWith('\r\n') ? '\r\n' : '\n';
  let written = doc.toString({ lineWidth: 0, flowCollectionPadding: false }).replace(/\r?\n$/, '');
  if (newline === '\r\n') written = written.replace(/\r?\n/g, '\r\n');
  const updated = `${open}${written}${close}${body}`;
  // Never write a file the knowledge base would then refuse.
  parseArticle(updated, article.file);
  if (!options.dryRun) await writeFile(file, updated, 'utf8');
  return result;
}
