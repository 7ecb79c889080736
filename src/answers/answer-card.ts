// Turns a matched article into an answer card: title, the most relevant section (not a wall of text), a link,
// and the feedback buttons.
import type { Article, ArticleSection } from '../kb/article.ts';
import { terms } from '../kb/text-analysis.ts';
import { splitTables, truncate } from '../messages/markdown.ts';
import { type Card, reply, type Section } from '../messages/replies.ts';

/** Action ids of the buttons under an answer; their value is the question-log id. */
export const answerActions = {
  helped: 'answer.helped',
  notHelped: 'answer.not_helped',
  askIt: 'answer.ask_it',
  /** A choice after a clarification; the value is "<question-log id> <article id>". */
  choose: 'answer.choose',
  /** "None of these" after a clarification; the value is the question-log id. */
  noneOfThese: 'answer.none',
} as const;

/** The words of a clarification, shared by every channel and the CLI. */
export const clarifyCopy = {
  prompt: "I'm not quite sure which article you need. Is it one of these?",
  noneOfThese: 'None of these — ask IT',
  afterNone: "Sorry I couldn't find it.",
} as const;

/** Builds and reads the value of a choice button: the question-log id and the article id. */
export const choiceValue = {
  of: (questionId: string, articleId: string): string => `${questionId} ${articleId}`,
  parse(value: string | undefined): { questionId: string; articleId: string } | undefined {
    const match = /^(\S+) (\S+)$/.exec(value ?? '');
    return match ? { questionId: match[1]!, articleId: match[2]! } : undefined;
  },
};

/** The section of the article that best matches the question (ties go to the first section with steps). */
export function bestSection(article: Article, question: string): ArticleSection | undefined {
  const q = new Set(terms(question));
  let best: ArticleSection | undefined;
  let bestScore = -1;
  sectionTermsOf(article).forEach(({ section, words, hasSteps }, index) => {
    let overlap = 0;
    for (const w of q) if (words.has(w)) overlap++;
    const score = overlap + hasSteps - index * 0.01;
    if (score > bestScore) {
      best = section;
      bestScore = score;
    }
  });
  return best;
}

interface SectionTerms {
  section: ArticleSection;
  /** The distinct terms of the heading and text: a word counts once however often the section uses it. */
  words: Set<string>;
  /** A bonus for numbered steps, which usually are the answer. */
  hasSteps: number;
}

/**
 * Articles are answered from again and again, and stemming every section each time was most of the work. An
 * article is never changed once loaded (a reload makes new objects), so its terms can be kept with it.
 */
const sectionTerms = new WeakMap<Article, SectionTerms[]>();

function sectionTermsOf(article: Article): SectionTerms[] {
  let cached = sectionTerms.get(article);
  if (!cached) {
    cached = article.sections.map((section) => ({
      section,
      words: new Set(terms(`${section.heading} ${section.text}`)),
      hasSteps: /^\s*\d+[.)]\s/m.test(section.text) ? 0.5 : 0,
    }));
    sectionTerms.set(article, cached);
  }
  return cached;
}

/** The URL of an article on the web channel. */
export function articleUrl(publicUrl: string, articleId: string): string {
  return `${publicUrl}/kb/${encodeURIComponent(articleId)}`;
}

/**
 * An article's markdown as card sections: text runs (each shortened to `maxText`) and pipe tables apart, so every
 * channel draws a table as a table. The heading goes on the first section.
 */
export function markdownSections(heading: string | undefined, markdown: string, maxText: number): Section[] {
  const sections: Section[] = [];
  let pending: Section = heading ? { heading } : {};
  for (const part of splitTables(markdown)) {
    if (part.kind === 'text') {
      if (pending.text !== undefined || pending.table) {
        sections.push(pending);
        pending = {};
      }
      pending.text = truncate(part.text, maxText);
    } else {
      if (pending.table) {
        sections.push(pending);
        pending = {};
      }
      pending.table = part.table;
    }
  }
  if (pending.heading !== undefined || pending.text !== undefined || pending.table) sections.push(pending);
  return sections;
}

/** Builds the answer card for `article`. `answerText` replaces the section when a model wrote the answer. */
export function answerCard(options: {
  article: Article;
  question: string;
  questionId: string;
  publicUrl: string;
  answerText?: string;
  /** The articles a model answer cites (shown as numbered sources). */
  cited?: Article[] | undefined;
}): Card {
  const { article, question, questionId, publicUrl } = options;
  const section = bestSection(article, question);
  const sections = options.answerText
    ? [{ text: options.answerText }]
    : [
        ...(article.intro ? markdownSections(undefined, article.intro, 600) : []),
        ...(section ? markdownSections(section.heading, section.text, 2400) : []),
      ];
  return {
    type: 'card',
    kind: 'answer',
    title: article.title,
    sections,
    link: { label: 'Read the whole article', url: articleUrl(publicUrl, article.id) },
    ...(options.answerText
      ? {
          generated: true,
          citations: (options.cited?.length ? options.cited : [article]).map((a) => ({
            title: a.title,
            url: articleUrl(publicUrl, a.id),
          })),
        }
      : {}),
    actions: [
      reply.button('👍 That helped', answerActions.helped, questionId),
      reply.button("👎 Didn't help", answerActions.notHelped, questionId),
      reply.button('Ask IT', answerActions.askIt, questionId, 'primary'),
    ],
    footer: article.owner
      ? `From the IT knowledge base · kept by ${article.owner}`
      : 'From the IT knowledge base',
  };
}
