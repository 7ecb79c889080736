// The answer card shows the section that fits the question, not the whole article.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerCard, bestSection } from '../../src/answers/answer-card.ts';
import { type Article, type ArticleSection, parseArticle } from '../../src/kb/article.ts';
import { loadKb } from '../../src/kb/load-kb.ts';
import { terms } from '../../src/kb/text-analysis.ts';
import { productQuestions } from './product-questions.ts';

const kbDir = path.resolve(import.meta.dirname, '../../kb');
const load = (id: string) => parseArticle(readFileSync(path.join(kbDir, `${id}.md`), 'utf8'), `${id}.md`);

describe('bestSection', () => {
  it('picks the section whose heading and text match the question', () => {
    const article = load('vpn-troubleshooting');
    expect(bestSection(article, 'the vpn is slow and keeps dropping')?.heading).toBe(
      "If it's slow or keeps dropping",
    );
  });

  it('prefers the numbered steps when the question names no section', () => {
    const article = load('reset-password');
    expect(bestSection(article, 'how do I reset my password')?.heading).toBe('Steps');
  });

  it('picks what stemming every section on every call picked, call after call', async () => {
    const { articles } = await loadKb(kbDir);
    const labelled = productQuestions();
    const questions = [...labelled, ...articles.flatMap((a) => a.sections.map((s) => s.heading))];
    for (let round = 0; round < 2; round++) {
      for (const article of articles) {
        for (const question of questions) {
          expect(bestSection(article, question)).toBe(uncachedBestSection(article, question));
        }
      }
    }
  });

  it('puts that section on the answer card with the article link and feedback buttons', () => {
    const article = load('vpn-troubleshooting');
    const card = answerCard({
      article,
      question: 'vpn keeps dropping',
      questionId: 'q1',
      publicUrl: 'https://it.example',
    });
    expect(card.sections.map((s) => s.heading)).toContain("If it's slow or keeps dropping");
    expect(card.link?.url).toBe('https://it.example/kb/vpn-troubleshooting');
    expect(card.actions?.map((a) => a.action?.value)).toEqual(['q1', 'q1', 'q1']);
  });
});

/** `bestSection` as it was before it kept each article's section terms. */
function uncachedBestSection(article: Article, question: string): ArticleSection | undefined {
  const q = new Set(terms(question));
  let best: ArticleSection | undefined;
  let bestScore = -1;
  article.sections.forEach((section, index) => {
    const words = terms(`${section.heading} ${section.heading} ${section.text}`);
    const overlap = new Set(words.filter((w) => q.has(w))).size;
    const hasSteps = /^\s*\d+[.)]\s/m.test(section.text) ? 0.5 : 0;
    const score = overlap + hasSteps - index * 0.01;
    if (score > bestScore) {
      best = section;
      bestScore = score;
    }
  });
  return best;
}
