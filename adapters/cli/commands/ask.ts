// `itbuddy ask`: answers one question from a knowledge-base folder, or one question per stdin line (--jsonl).
// It builds the search index directly from the folder: no store, no server.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { bestSection, clarifyCopy } from '../../../src/answers/answer-card.ts';
import { copy } from '../../../src/bot/copy.ts';
import type { KbIndex, SearchOutcome } from '../../../src/kb/search-index.ts';
import { toPlainText } from '../../../src/messages/markdown.ts';
import { type CliCommand, type CliIo, println, UsageError } from '../command.ts';
import { readConfig } from '../core.ts';
import { loadFolderIndex } from '../kb-source.ts';

/** The machine-readable answer to one question, one JSON object per line in --jsonl mode. */
export interface AskResult {
  question: string;
  answered: boolean;
  /** The answering article, or null when IT Buddy would rather not guess. */
  articleId: string | null;
  confidence: number;
  /** Up to three other articles, best first. */
  alternatives: string[];
  /** The articles offered as choices ("is it one of these?") when IT Buddy clarifies; empty otherwise. */
  offered: string[];
}

/** Turns a search outcome into the --jsonl shape. */
export function toAskResult(question: string, outcome: SearchOutcome): AskResult {
  const top = outcome.hits[0];
  const articleId = outcome.answered && top ? top.article.id : null;
  return {
    question,
    answered: articleId !== null,
    articleId,
    confidence: Math.round(outcome.confidence * 1000) / 1000,
    alternatives: outcome.hits
      .map((h) => h.article.id)
      .filter((id) => id !== articleId)
      .slice(0, 3),
    offered: outcome.offered.map((h) => h.article.id),
  };
}

export const askCommand: CliCommand = {
  name: ['ask'],
  summary: 'Answer a question from the knowledge base (no server or store needed)',
  usage: [
    '  itbuddy ask "<question>" [--kb DIR] [--json] [--synonyms FILE] [--min-confidence N]',
    '  itbuddy ask --kb DIR --jsonl < questions.txt',
    '',
    '  --kb DIR             knowledge-base folder (default: KB_DIR from the configuration)',
    '  --json               print the answer as JSON',
    '  --jsonl              read one question per stdin line, write one JSON object per line:',
    '                       {"question","answered","articleId","confidence","alternatives","offered"}',
    '                       ("answered" only for a direct answer; "offered": article ids shown as choices)',
    '                       (a line holding a JSON object with "q" or "question" is read as that question)',
    "  --synonyms FILE      synonym groups to use (default: the folder's _synonyms.yaml, else the built-in list)",
    '  --min-confidence N   answer only at or above this confidence, 0 to 1 (default: ANSWER_MIN_CONFIDENCE)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        kb: { type: 'string' },
        json: { type: 'boolean', default: false },
        jsonl: { type: 'boolean', default: false },
        synonyms: { type: 'string' },
        'min-confidence': { type: 'string' },
      },
    });
    const question = positionals.join(' ').trim();
    if (values.jsonl && question)
      throw new UsageError('With --jsonl the questions come from stdin, one a line.');
    if (!values.jsonl && !question)
      throw new UsageError('What is the question? For example: itbuddy ask "how do I connect to the VPN"');
    const { dir, minConfidence } = answeringSettings(io, values.kb, values['min-confidence']);
    const { index, problems } = await loadFolderIndex(dir, { synonymsFile: values.synonyms, minConfidence });
    if (problems.length > 0) {
      println(
        io.stderr,
        `Skipped ${problems.length} knowledge-base problem(s); run "itbuddy kb check ${dir}" for details.`,
      );
    }
    if (values.jsonl) return askMany(index, io);
    const outcome = index.search(question);
    if (values.json) {
      const top = outcome.hits[0];
      const section = outcome.answered && top ? bestSection(top.article, question) : undefined;
      const detail = {
        ...toAskResult(question, outcome),
        title: outcome.answered && top ? top.article.title : null,
        section: section ?? null,
        signals: outcome.signals ?? null,
      };
      println(io.stdout, JSON.stringify(detail, null, 2));
    } else println(io.stdout, answerText(question, outcome));
    return 0;
  },
};

/** The KB folder and threshold: flags first, then the configuration. With --kb a broken config is not fatal. */
function answeringSettings(
  io: CliIo,
  kb: string | undefined,
  minConfidenceFlag: string | undefined,
): { dir: string; minConfidence: number | undefined } {
  let minConfidence: number | undefined;
  if (minConfidenceFlag !== undefined) {
    minConfidence = Number(minConfidenceFlag);
    if (!(minConfidence >= 0 && minConfidence <= 1))
      throw new UsageError('--min-confidence takes a number from 0 to 1.');
  }
  if (kb) {
    if (minConfidence === undefined) {
      try {
        minConfidence = readConfig(io).kb.minConfidence;
      } catch {
        // The folder was named explicitly; the configuration is only consulted for the threshold.
      }
    }
    return { dir: kb, minConfidence };
  }
  const config = readConfig(io);
  return { dir: config.kb.dir, minConfidence: minConfidence ?? config.kb.minConfidence };
}

async function askMany(index: KbIndex, io: CliIo): Promise<number> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const question = questionOfLine(line);
    if (question === undefined) continue;
    println(io.stdout, JSON.stringify(toAskResult(question, index.search(question))));
  }
  return 0;
}

function questionOfLine(line: string): string | undefined {
  const trimmed = line.trim();
  if (!trimmed) return undefined;
  if (trimmed.startsWith('{')) {
    try {
      const data = JSON.parse(trimmed) as { q?: unknown; question?: unknown };
      const q = data.q ?? data.question;
      if (typeof q === 'string') return q;
    } catch {
      // Not JSON after all: the line is the question.
    }
  }
  return trimmed;
}

function answerText(question: string, outcome: SearchOutcome): string {
  const top = outcome.hits[0];
  const confidence = `confidence ${outcome.confidence.toFixed(2)}`;
  if (!outcome.answered || !top) {
    if (outcome.offered.length > 0) {
      return [
        `${clarifyCopy.prompt} (${confidence})`,
        ...outcome.offered.map((h) => `  - ${h.article.title} (${h.article.id})`),
        `  - ${clarifyCopy.noneOfThese}`,
      ].join('\n');
    }
    return `${copy.dontKnow} (${confidence})`;
  }
  const article = top.article;
  const section = bestSection(article, question);
  const others = outcome.hits.slice(1, 4).map((h) => h.article.id);
  return [
    `${article.title}  [${article.id}, ${confidence}]`,
    ...(article.intro ? ['', toPlainText(article.intro)] : []),
    ...(section ? ['', `${section.heading}:`, toPlainText(section.text)] : []),
    ...(others.length > 0 ? ['', `Other articles: ${others.join(', ')}`] : []),
  ].join('\n');
}
