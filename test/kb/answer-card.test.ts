// The answer card shows the section that fits the question, not the whole article.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerCard, bestSection } from '../../src/answers/answer-card.ts';
import { parseArticle } from '../../src/kb/article.ts';

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
