import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/synth-kb.ts';
import type { Article } from '../../src/kb/article.ts';
import { builtInLexicon } from '../../src/kb/lexicon.ts';
import { loadKb } from '../../src/kb/load-kb.ts';
import {
  type Built,
  build,
  buildIndex,
  defaultMinConfidence,
  defaultTuning,
  queryReader,
  ranker,
  type SearchOutcome,
  type Slot,
} from '../../src/kb/search-index.ts';
import { ConceptMatcher } from '../../src/kb/text-analysis.ts';
import { productQuestions } from './product-questions.ts';
import { type PlainOutcome, referenceSearch } from './reference.ts';

function plain(outcome: SearchOutcome): PlainOutcome {
  return {
    answered: outcome.answered,
    confidence: outcome.confidence,
    signals: outcome.signals,
    hits: outcome.hits.map((h) => ({ id: h.article.id, score: h.score, confidence: h.confidence })),
  };
}

/** Limits around the re-ranking depth (30) and past the point where candidates are sorted rather than picked. */
const limits = [5, 1, 8, 31, 100];

/** What the comparisons covered, so a test cannot pass by comparing nothing. */
interface Coverage {
  outcomes: number;
  tiedHits: number;
  manyHits: number;
}

/** Checks search and reference agree on `slots`, `toEqual` comparing numbers with Object.is: bit for bit. */
function check(
  tables: Built,
  rank: ReturnType<typeof ranker>,
  slots: readonly Slot[],
  limit: number,
  seen: Coverage,
  label: string,
): void {
  const expected = referenceSearch(tables, defaultTuning, defaultMinConfidence, slots, limit);
  const actual = plain(rank(label, slots, limit));
  expect(actual, `${label} (limit ${limit})`).toEqual(expected);
  seen.outcomes++;
  if (expected.hits.some((h, i) => i > 0 && h.score === expected.hits[i - 1]!.score)) seen.tiedHits++;
  if (expected.hits.length > 64) seen.manyHits++;
}

function article(id: string, title: string, questions: string[], tags: string[], text: string[]): Article {
  const sections = [{ heading: 'Steps', text: text.slice(1).join('\n') }];
  return {
    id,
    title,
    tags,
    questions,
    owner: undefined,
    updated: undefined,
    intro: text[0]!,
    sections,
    body: `${text[0]}\n\n## Steps\n${sections[0]!.text}`,
    file: `${id}.md`,
  };
}

const things =
  'laptop printer monitor headset keyboard phone router badge vpn wifi mailbox calendar folder drive'.split(
    ' ',
  );
const actions = 'install reset unlock restore connect sync share move remove update'.split(' ');
const symptoms = 'slow frozen offline missing locked expired blocked crashing'.split(' ');
const fillers =
  'the your when then after if and with from on in please check open select click wait again'.split(' ');

/** A small KB from few words, every article present three times under other ids: many scores tie exactly. */
function tiedKb(seed: number): { articles: Article[]; words: string[] } {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const sentence = (topic: string[]) =>
    `${Array.from({ length: 4 + Math.floor(rnd() * 8) }, () => (rnd() < 0.4 ? pick(topic) : rnd() < 0.5 ? pick(things) : pick(fillers))).join(' ')}.`;
  const articles: Article[] = [];
  for (let i = 0; i < 60; i++) {
    const topic = [pick(things), pick(actions), pick(symptoms)];
    const [thing, action, symptom] = topic;
    const text = Array.from({ length: 2 + Math.floor(rnd() * 4) }, () => sentence(topic));
    for (let copy = 0; copy < 3; copy++) {
      articles.push(
        article(
          `a${i}-${copy}`,
          `${action} your ${thing}`,
          [`how do I ${action} my ${thing}`, `${thing} is ${symptom}`],
          [thing!, symptom!],
          text,
        ),
      );
    }
  }
  return { articles, words: [...things, ...actions, ...symptoms, ...fillers] };
}

/** Questions of one to eight words, with stop words, typos and words no article uses. */
function mixes(words: readonly string[], count: number, seed: number): string[] {
  const rnd = seededRandom(seed);
  const extra = ['how', 'my', 'not', 'xyzzy', 'slowly', '3rd', 'a', 'wi-fi', 'passwrod', 'config'];
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => {
      const w =
        rnd() < 0.15 ? extra[Math.floor(rnd() * extra.length)]! : words[Math.floor(rnd() * words.length)]!;
      const j = 1 + Math.floor(rnd() * (w.length - 3));
      return w.length > 5 && rnd() < 0.15 ? w.slice(0, j) + w[j + 1] + w[j] + w.slice(j + 2) : w;
    }).join(' '),
  );
}

describe('ranking on the product knowledge base', () => {
  let tables: Built;
  let read: (query: string) => Slot[];
  let rank: ReturnType<typeof ranker>;
  let questions: string[];

  beforeAll(async () => {
    const kb = await loadKb(path.resolve(import.meta.dirname, '../../kb'));
    const concepts = new ConceptMatcher(kb.synonyms);
    tables = build(kb.articles, concepts, defaultTuning);
    // The index reads questions through the product's lexicon; the reference reads them the same way.
    read = queryReader(tables, concepts, defaultTuning, builtInLexicon());
    rank = ranker(tables, defaultTuning, defaultMinConfidence);
    const labelled = productQuestions();
    const own = kb.articles.flatMap((a) => [a.title, ...a.questions]);
    const words = kb.articles.flatMap((a) => `${a.title} ${a.tags.join(' ')} ${a.body}`.split(/\s+/));
    questions = [
      ...labelled,
      ...own,
      ...mixes(words, 300, 1),
      '',
      '???',
      'the a an',
      'vpn vpn globalprotect vpn',
    ];
  });

  it('gives exactly the reference scores, confidences and order', () => {
    const seen: Coverage = { outcomes: 0, tiedHits: 0, manyHits: 0 };
    questions.forEach((question, q) => {
      for (const limit of q % 5 === 0 ? limits : [5])
        check(tables, rank, read(question), limit, seen, question);
    });
    expect(seen.outcomes).toBeGreaterThan(500);
    expect(seen.tiedHits).toBeGreaterThan(20);
  });

  it('searches through the same ranking', async () => {
    const kb = await loadKb(path.resolve(import.meta.dirname, '../../kb'));
    const index = buildIndex(kb.articles, kb.synonyms);
    for (const question of questions.slice(0, 150)) {
      const expected = referenceSearch(tables, defaultTuning, defaultMinConfidence, read(question), 8);
      expect(plain(index.search(question, { limit: 8 }))).toEqual(expected);
    }
  });
});

describe('ranking on a knowledge base full of ties', () => {
  const { articles, words } = tiedKb(7);
  const concepts = new ConceptMatcher([
    ['wifi', 'wireless'],
    ['laptop', 'notebook'],
  ]);
  const tables = build(articles, concepts, defaultTuning);
  const read = queryReader(tables, concepts, defaultTuning);
  const rank = ranker(tables, defaultTuning, defaultMinConfidence);

  it('breaks ties exactly as the stable sorts of the reference did', () => {
    const seen: Coverage = { outcomes: 0, tiedHits: 0, manyHits: 0 };
    const questions = [...mixes(words, 250, 2), ...articles.slice(0, 30).map((a) => a.title)];
    questions.forEach((question, q) => {
      for (const limit of q % 3 === 0 ? limits : [5])
        check(tables, rank, read(question), limit, seen, question);
    });
    expect(seen.tiedHits).toBeGreaterThan(200);
    expect(seen.manyHits).toBeGreaterThan(10);
  });

  it('agrees on random slots: repeated terms, terms shared by slots, unknown words', () => {
    const rnd = seededRandom(3);
    const int = (n: number) => Math.floor(rnd() * n);
    const termCount = tables.termNames.length;
    const seen: Coverage = { outcomes: 0, tiedHits: 0, manyHits: 0 };
    for (let q = 0; q < 300; q++) {
      const slots: Slot[] = Array.from({ length: 1 + int(6) }, () => {
        const alts = Array.from({ length: int(4) }, () => {
          const term = int(termCount);
          return { term, weight: [1, 0.9, 0.8, 0.64, 0.6, 0.512][int(6)]!, idf: tables.idf[term]! };
        });
        // A term twice in one slot, as overlapping synonym phrases can make it.
        if (alts.length > 0 && int(5) === 0) alts.push({ ...alts[0]! });
        const known = alts.length > 0;
        return {
          alts,
          info: known ? alts[0]!.idf : 0.5 + rnd() * 3,
          known,
          stem: '',
          stemId: int(3) === 0 ? -1 : int(termCount),
        };
      });
      // Terms shared by neighbouring slots.
      if (slots.length > 1 && slots[0]!.alts.length > 0 && int(3) === 0)
        slots[1]!.alts.push({ ...slots[0]!.alts[0]! });
      check(tables, rank, slots, limits[q % limits.length]!, seen, `random slots ${q}`);
    }
    expect(seen.tiedHits).toBeGreaterThan(50);
  });
});
