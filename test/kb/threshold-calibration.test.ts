// The threshold search of bench/kb-calibrate.ts: it replays the product's own decisions, and it never picks a point
// whose neighbour breaks the rule.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  chooseThresholds,
  decide,
  figures,
  keepsRule,
  type Observation,
  observe,
  type Thresholds,
} from '../../bench/kb-calibrate.ts';
import { loadKb } from '../../src/kb/load-kb.ts';
import {
  buildIndex,
  defaultMinConfidence,
  defaultOffer,
  defaultTuning,
  type KbIndex,
} from '../../src/kb/search-index.ts';
import { productQuestions } from './product-questions.ts';

const productThresholds: Thresholds = {
  answer: defaultMinConfidence,
  margin: defaultTuning.ambiguity.margin,
  sure: defaultTuning.ambiguity.sure,
  offerMin: defaultOffer.min,
  offerOthers: defaultOffer.others,
};

describe('replaying thresholds', () => {
  let index: KbIndex;

  beforeAll(async () => {
    const kb = await loadKb(path.resolve(import.meta.dirname, '../../kb'));
    index = buildIndex(kb.articles, kb.synonyms);
  });

  it('gives every product question the outcome the search itself gives it', () => {
    const questions = productQuestions();
    const observed = observe(
      index,
      'product',
      questions.map((q) => ({ q, expect: null })),
    );
    let answered = 0;
    let clarified = 0;
    for (const [i, q] of questions.entries()) {
      const outcome = index.search(q, { limit: 3 });
      const replayed = decide(observed[i]!, productThresholds);
      expect(replayed.answered).toBe(outcome.answered ? outcome.hits[0]!.article.id : null);
      expect(replayed.offered).toEqual(outcome.offered.map((h) => h.article.id));
      if (outcome.answered) answered++;
      else if (outcome.offered.length > 0) clarified++;
    }
    // Both kinds of outcome were compared, not only one.
    expect(answered).toBeGreaterThan(10);
    expect(clarified).toBeGreaterThan(0);
  });
});

describe('choosing thresholds', () => {
  /** In-scope questions whose top article is right (or, with `wrong`, the second one), at a confidence. */
  const questions = (n: number, confidence: number, wrong = false): Observation[] =>
    Array.from({ length: n }, (_, i) => {
      const [top, second] = wrong ? [`b${i}`, `a${i}`] : [`a${i}`, `b${i}`];
      return {
        set: 'synthetic',
        expect: `a${i}`,
        hits: [
          { id: top, confidence },
          { id: second, confidence: 0.3 },
        ],
        margin: 0.5,
      };
    });
  const offTopic: Observation[] = Array.from({ length: 20 }, () => ({
    set: 'synthetic',
    expect: null,
    hits: [{ id: 'x', confidence: 0.1 }],
    margin: 0.5,
  }));
  // Wrong answers at 0.71 make every threshold up to 0.7 too imprecise; 0.725 is right at the edge.
  const data = [
    ...questions(90, 0.95),
    ...questions(10, 0.76),
    ...questions(10, 0.73),
    ...questions(10, 0.71, true),
    ...offTopic,
  ];

  it('steps back from a threshold whose neighbour breaks the rule', () => {
    const { chosen } = chooseThresholds(data);
    expect(chosen.answer).toBe(0.75);
    expect(keepsRule(figures(data, chosen))).toBe(true);
    // The edge had more direct answers and kept the rule itself; its neighbour did not.
    const edge = figures(data, { ...chosen, answer: 0.725 });
    expect(keepsRule(edge)).toBe(true);
    expect(edge.direct).toBeGreaterThan(figures(data, chosen).direct);
    expect(keepsRule(figures(data, { ...chosen, answer: 0.7 }))).toBe(false);
  });

  it('counts a direct answer to an out-of-scope question against the rule', () => {
    const answeredOffTopic = offTopic.map((o) => ({ ...o, hits: [{ id: 'x', confidence: 0.99 }] }));
    const f = figures([...questions(90, 0.95), ...answeredOffTopic], productThresholds);
    expect(f.negativesAnswered).toBe(20);
    expect(keepsRule(f)).toBe(false);
  });
});
