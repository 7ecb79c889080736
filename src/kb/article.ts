// A knowledge-base article: the zod schema of its front matter, and parsing of a Markdown file into sections.
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { KbError } from '../errors.ts';

const idPattern = /^[a-z0-9][a-z0-9-]*$/;

/** The most `questions` an article may list (learned phrasings exported into it respect this too). */
export const maxArticleQuestions = 40;

/** The front matter every article carries. `id` defaults to the file name. */
export const frontMatterSchema = z.strictObject({
  id: z.string().regex(idPattern, 'use lowercase letters, digits and dashes, e.g. reset-password').optional(),
  title: z.string().trim().min(3, 'give the article a title of at least 3 characters').max(200),
  tags: z.array(z.string().trim().min(1).max(60)).max(30).default([]),
  questions: z.array(z.string().trim().min(3).max(300)).max(maxArticleQuestions).default([]),
  owner: z.string().trim().max(120).optional(),
  updated: z
    .union([z.string(), z.date()])
    .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
    .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'use a date like 2026-10-15'))
    .optional(),
});

/** One `##` section of an article. */
export interface ArticleSection {
  heading: string;
  text: string;
}

/** A parsed, validated article. */
export interface Article {
  id: string;
  title: string;
  tags: string[];
  questions: string[];
  owner: string | undefined;
  updated: string | undefined;
  /** Text before the first `##` heading. */
  intro: string;
  sections: ArticleSection[];
  /** The whole Markdown body. */
  body: string;
  /** The file it came from, relative to the knowledge-base folder. */
  file: string;
}

/** Parses and validates one article; throws KbError naming the file and the field at fault. */
export function parseArticle(source: string, file: string): Article {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(source);
  if (!match) {
    throw new KbError(
      `${file}: missing front matter. Start the file with a "---" block holding at least a title.`,
    );
  }
  let data: unknown;
  try {
    data = parseYaml(match[1]!) ?? {};
  } catch (error) {
    throw new KbError(
      `${file}: the front matter is not valid YAML (${(error as Error).message.split('\n')[0]}).`,
      {
        cause: error,
      },
    );
  }
  // Every problem of the file at once, so a writer fixes them in one go rather than one per check.
  const problems: string[] = [];
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.') || 'front matter';
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown field(s) ${issue.keys.join(', ')}; allowed: id, title, tags, questions, owner, updated`
          : issue.message;
      problems.push(`${file}: field "${field}": ${message}.`);
    }
  }
  const body = match[2]!.replace(/\r\n/g, '\n').trim();
  if (body.replace(/^#+.*$/gm, '').trim().length < 20) {
    problems.push(`${file}: the article body is empty. Write a short intro and at least one "## " section.`);
  }
  if (!parsed.success || problems.length > 0) throw new KbError(problems);
  const fm = parsed.data;
  const { intro, sections } = splitSections(body);
  return {
    id: fm.id ?? path.basename(file, path.extname(file)),
    title: fm.title,
    tags: fm.tags,
    questions: fm.questions,
    owner: fm.owner,
    updated: fm.updated,
    intro,
    sections,
    body,
    file,
  };
}

/** Splits a Markdown body at `##` headings; a leading `#` title line is dropped. */
export function splitSections(body: string): { intro: string; sections: ArticleSection[] } {
  const lines = body.split('\n');
  const sections: ArticleSection[] = [];
  const introLines: string[] = [];
  let current: { heading: string; lines: string[] } | undefined;
  for (const line of lines) {
    const heading = /^##\s+(.+?)\s*#*$/.exec(line);
    if (heading) {
      if (current) sections.push({ heading: current.heading, text: current.lines.join('\n').trim() });
      current = { heading: heading[1]!, lines: [] };
    } else if (current) current.lines.push(line);
    else if (!/^#\s/.test(line)) introLines.push(line);
  }
  if (current) sections.push({ heading: current.heading, text: current.lines.join('\n').trim() });
  return { intro: introLines.join('\n').trim(), sections: sections.filter((s) => s.text.length > 0) };
}
