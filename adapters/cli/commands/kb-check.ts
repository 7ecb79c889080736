// `itbuddy kb check [DIR]`: validates a knowledge-base folder before it is published. Errors (front matter,
// duplicate ids, empty bodies, bad synonyms) exit 1; style advice from kb/README.md is printed as warnings.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Article } from '../../../src/kb/article.ts';
import { loadKb } from '../../../src/kb/load-kb.ts';
import { type CliCommand, println } from '../command.ts';
import { readConfig } from '../core.ts';

/** Advice that does not stop an article from being used, each naming the file. */
export function articleWarnings(article: Article): string[] {
  const out: string[] = [];
  const file = article.file;
  const expectedId = path.basename(file, path.extname(file));
  if (article.id !== expectedId) {
    out.push(
      `${file}: field "id": "${article.id}" differs from the file name; name the file ${article.id}.md.`,
    );
  }
  if (article.questions.length < 4) {
    out.push(
      `${file}: field "questions": list at least 4 ways people ask this (it has ${article.questions.length}).`,
    );
  }
  if (article.tags.length === 0) out.push(`${file}: field "tags": add a few short keywords.`);
  if (article.sections.length === 0) out.push(`${file}: add at least one "## " section, such as "## Steps".`);
  const words = article.body.split(/\s+/).filter(Boolean).length;
  if (words > 450)
    out.push(`${file}: the body has ${words} words; keep an article short (about 120 to 300 words).`);
  return out;
}

export const kbCheckCommand: CliCommand = {
  name: ['kb', 'check'],
  summary: 'Check a knowledge-base folder: front matter, duplicate ids, empty bodies',
  usage: [
    '  itbuddy kb check [DIR] [--strict]',
    '',
    '  DIR       the folder to check (default: KB_DIR from the configuration)',
    '  --strict  treat warnings as errors',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { strict: { type: 'boolean', default: false } },
    });
    const dir = positionals[0] ?? readConfig(io).kb.dir;
    const kb = await loadKb(dir);
    const warnings = kb.articles.flatMap(articleWarnings);
    for (const problem of kb.problems) println(io.stdout, `✗ ${problem}`);
    for (const warning of warnings) println(io.stdout, `! ${warning}`);
    const failed = kb.problems.length + (values.strict ? warnings.length : 0);
    println(
      io.stdout,
      `${failed > 0 ? '✗' : '✓'} ${dir}: ${kb.articles.length} article(s) usable, ${kb.problems.length} error(s), ${warnings.length} warning(s).`,
    );
    if (kb.problems.length > 0)
      println(io.stdout, 'Fix the errors above: the files with errors are left out of answers.');
    return failed > 0 ? 1 : 0;
  },
};
