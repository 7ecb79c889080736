// Retrieval for grounded answers: fuses the lexical and semantic rankings, then cuts the chosen articles down to
// bounded passages (intro plus the sections that best match the question) for the model to answer from.
import type { Article } from '../kb/article.ts';
import { terms } from '../kb/text-analysis.ts';
import { truncate } from '../messages/markdown.ts';

/** One article as the model sees it. */
export interface Passage {
  id: string;
  title: string;
  text: string;
}

/**
 * Reciprocal rank fusion: each ranking gives an article 1 / (k + rank); the sums decide the order. It needs no
 * score calibration between rankings, which BM25 scores and cosine similarities do not share.
 */
export function fuseRankings(rankings: readonly (readonly string[])[], k = 60): string[] {
  const score = new Map<string, number>();
  for (const ranking of rankings) {
    for (const [rank, id] of ranking.entries()) score.set(id, (score.get(id) ?? 0) + 1 / (k + rank + 1));
  }
  // Stable for equal scores: the first ranking's order wins, because Map keeps insertion order.
  return [...score.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}

/** Size limits of the passages, in characters. */
export interface PassageLimits {
  intro: number;
  section: number;
  sectionsPerArticle: number;
  perArticle: number;
  total: number;
}

export const defaultPassageLimits: PassageLimits = {
  intro: 500,
  section: 1200,
  sectionsPerArticle: 2,
  perArticle: 2000,
  total: 6500,
};

/** The passage of each article, in the given order, until the total size is reached (the first always fits). */
export function passagesFor(
  articles: readonly Article[],
  question: string,
  limits: PassageLimits = defaultPassageLimits,
): Passage[] {
  const q = new Set(terms(question));
  const out: Passage[] = [];
  let total = 0;
  for (const article of articles) {
    const ranked = article.sections
      .map((section, index) => {
        const words = new Set(terms(`${section.heading} ${section.text}`));
        const headingWords = new Set(terms(section.heading));
        let score = 0;
        for (const w of q) score += (words.has(w) ? 1 : 0) + (headingWords.has(w) ? 0.5 : 0);
        // Steps are usually what people need; earlier sections break ties.
        if (/^\s*\d+[.)]\s/m.test(section.text)) score += 0.5;
        return { section, index, score: score - index * 0.01 };
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, limits.sectionsPerArticle)
      .sort((a, b) => a.index - b.index);
    const parts = [
      ...(article.intro ? [truncate(article.intro, limits.intro)] : []),
      ...ranked.map((r) => `## ${r.section.heading}\n${truncate(r.section.text, limits.section)}`),
    ];
    const text = truncate(parts.join('\n\n'), limits.perArticle);
    if (out.length > 0 && total + text.length > limits.total) break;
    out.push({ id: article.id, title: article.title, text });
    total += text.length;
  }
  return out;
}
