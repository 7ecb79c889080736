import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/synth-kb.ts';
import { loadKb } from '../../src/kb/load-kb.ts';
import { indexPassages, type PassageIndex, passageQuery, readPassages } from '../../src/kb/passage-index.ts';
import {
  type AnalysedDoc,
  type Built,
  build,
  buildIndex,
  defaultTuning,
  type KbIndex,
} from '../../src/kb/search-index.ts';
import { ConceptMatcher } from '../../src/kb/text-analysis.ts';
import { productQuestions } from './product-questions.ts';
import { referenceRead, type SlotOfTerm } from './reference.ts';

function optimisedRead(
  index: PassageIndex,
  doc: number,
  slotOfTerm: SlotOfTerm,
  slots: { info: number }[],
  idf: Float64Array,
) {
  const totalInfo = slots.reduce((s, slot) => s + slot.info, 0);
  const query = passageQuery(
    slotOfTerm,
    Float64Array.from(slots, (s) => s.info),
    totalInfo,
    idf,
  );
  return readPassages(index, doc, query);
}

/** Bit for bit: `toBe` compares with Object.is. */
function expectSame(actual: { passage: number; phrasing: number }, expected: typeof actual): void {
  expect(actual.passage).toBe(expected.passage);
  expect(actual.phrasing).toBe(expected.phrasing);
}

describe('reading passages on the product knowledge base', () => {
  const kbDir = path.resolve(import.meta.dirname, '../../kb');
  let tables: Built;
  let index: KbIndex;
  let questions: string[];

  beforeAll(async () => {
    const kb = await loadKb(kbDir);
    tables = build(kb.articles, new ConceptMatcher(kb.synonyms), defaultTuning);
    index = buildIndex(kb.articles, kb.synonyms);
    const labelled = productQuestions();
    // The articles' own phrasings score highest on `phrasing`; misspellings and synonyms bring in other terms.
    const own = kb.articles.flatMap((a) => [a.title, ...a.questions.slice(0, 2)]);
    questions = [...labelled, ...own, 'vpn vpn globalprotect vpn', 'passwrd reset expird', 'wifi'];
  });

  /** The question's slots as the index reads them (weights as `explain` rounds them: both readers get the same). */
  function slotsOf(question: string): { slots: { info: number }[]; slotOfTerm: SlotOfTerm } {
    const slots = index.explain(question);
    const slotOfTerm: SlotOfTerm = new Map();
    slots.forEach((s, slot) => {
      for (const term of s.terms) {
        const star = term.lastIndexOf('*');
        const id = tables.termIds.get(term.slice(0, star))!;
        const list = slotOfTerm.get(id) ?? [];
        list.push({ slot, weight: Number(term.slice(star + 1)) });
        slotOfTerm.set(id, list);
      }
    });
    return { slots, slotOfTerm };
  }

  it('gives every article exactly the signals of the token-by-token reading', () => {
    let scored = 0;
    for (const question of questions) {
      const { slots, slotOfTerm } = slotsOf(question);
      if (slots.length === 0) continue;
      tables.analysed.forEach((doc, d) => {
        const expected = referenceRead(doc, slotOfTerm, slots, tables.idf, tables.isConcept);
        expectSame(optimisedRead(tables.passageIndex, d, slotOfTerm, slots, tables.idf), expected);
        if (expected.phrasing > 0) scored++;
      });
    }
    // The comparison is only worth something if plenty of articles scored.
    expect(scored).toBeGreaterThan(500);
  });

  it('feeds the same reading into the search signals', () => {
    for (const question of questions) {
      const outcome = index.search(question);
      const top = outcome.hits[0];
      if (!top || !outcome.signals) continue;
      const { slots, slotOfTerm } = slotsOf(question);
      const doc = tables.docs.findIndex((d) => d.article === top.article);
      const totalInfo = slots.reduce((s, slot) => s + slot.info, 0);
      const expected = referenceRead(tables.analysed[doc]!, slotOfTerm, slots, tables.idf, tables.isConcept);
      // Only as close as `explain` rounds the weights.
      expect(outcome.signals.passage).toBeCloseTo(expected.passage / totalInfo, 2);
      expect(outcome.signals.questionMatch).toBeCloseTo(expected.phrasing, 2);
    }
  });
});

describe('reading passages on random token streams', () => {
  it('agrees with the reference on empty passages, repeats, concepts and terms shared by slots', () => {
    const rnd = seededRandom(42);
    const int = (n: number) => Math.floor(rnd() * n);
    const termCount = 40;
    const isConcept = Uint8Array.from({ length: termCount }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const idf = Float64Array.from({ length: termCount }, () => rnd() * 5);
    const docs: AnalysedDoc[] = Array.from({ length: 60 }, () => {
      const passages: number[] = [];
      const fields: number[] = [];
      for (let p = int(12); p >= 0; p--) {
        // Few distinct terms per passage, so repeats are common; sometimes none at all.
        for (let n = int(4) === 0 ? 0 : int(15); n > 0; n--) passages.push(int(termCount));
        passages.push(-1);
        fields.push(int(3));
      }
      return { passages: Int32Array.from(passages), passageFields: Uint8Array.from(fields) };
    });
    const isPhrasing = (field: number) => field < 2;
    const passageIndex = indexPassages(
      docs.map((d) => ({
        tokens: d.passages,
        phrasing: d.passageFields.map((f) => (isPhrasing(f) ? 1 : 0)),
      })),
      isConcept,
    );
    for (let q = 0; q < 300; q++) {
      const slots = Array.from({ length: 1 + int(5) }, () => ({ info: rnd() * 4 }));
      const slotOfTerm: SlotOfTerm = new Map();
      for (let n = 1 + int(8); n > 0; n--) {
        const term = int(termCount);
        const list = slotOfTerm.get(term) ?? [];
        list.push({ slot: int(slots.length), weight: [1, 0.9, 0.8, 0.64, 0.6][int(5)]! });
        slotOfTerm.set(term, list);
      }
      docs.forEach((doc, d) => {
        const expected = referenceRead(doc, slotOfTerm, slots, idf, isConcept, isPhrasing);
        expectSame(optimisedRead(passageIndex, d, slotOfTerm, slots, idf), expected);
      });
    }
  });
});
