// Straightforward reference code the optimised search is checked against, bit for bit: reading an article token
// by token as before the passage index, and ranking with maps, a full sort and fresh objects as before the
// search reused its working space.
import {
  type AnalysedDoc,
  type Built,
  type ConfidenceSignals,
  questionsField,
  type Slot,
  type Tuning,
  titleField,
} from '../../src/kb/search-index.ts';

export type SlotOfTerm = Map<number, { slot: number; weight: number }[]>;

/** The reading as it was before the passage index: every token of every passage, in order. */
export function referenceRead(
  info: AnalysedDoc,
  slotOfTerm: SlotOfTerm,
  slots: { info: number }[],
  idf: Float64Array,
  isConcept: Uint8Array,
  isPhrasing: (field: number) => boolean = (f) => f === titleField || f === questionsField,
): { passage: number; phrasing: number } {
  const { passages, passageFields } = info;
  const totalInfo = slots.reduce((s, slot) => s + slot.info, 0);
  const covered = new Float64Array(slots.length);
  let best = 0;
  let bestPhrasing = 0;
  let current = 0;
  let extra = 0;
  let index = 0;
  const seen = new Set<number>();
  for (let i = 0; i < passages.length; i++) {
    const id = passages[i]!;
    const phrasing = isPhrasing(passageFields[index]!);
    if (id === -1) {
      if (current > best) best = current;
      if (phrasing) {
        const similarity = totalInfo + extra === 0 ? 0 : current / (totalInfo + 0.5 * extra);
        if (similarity > bestPhrasing) bestPhrasing = similarity;
      }
      covered.fill(0);
      current = 0;
      extra = 0;
      seen.clear();
      index++;
      continue;
    }
    const matches = slotOfTerm.get(id);
    if (!matches) {
      if (phrasing && !isConcept[id] && !seen.has(id)) extra += idf[id]!;
      seen.add(id);
      continue;
    }
    for (const { slot, weight } of matches) {
      if (weight > covered[slot]!) {
        current += slots[slot]!.info * (weight - covered[slot]!);
        covered[slot] = weight;
      }
    }
  }
  return { passage: best, phrasing: bestPhrasing };
}

/** A search outcome as plain data: article ids instead of articles. */
export interface PlainOutcome {
  answered: boolean;
  confidence: number;
  signals: ConfidenceSignals | undefined;
  hits: { id: string; score: number; confidence: number }[];
}

/** The ranking as it was before the search reused its working space: maps, a full sort, an object per article. */
export function referenceSearch(
  tables: Built,
  tuning: Tuning,
  minConfidence: number,
  slots: readonly Slot[],
  limit: number,
): PlainOutcome {
  const { postings, docs, idf, analysed, isConcept } = tables;
  const { k1, bodyOnlyCoverage } = tuning;
  const rerankDepth = 30;
  const pairBase = 2 ** 24;
  const empty: PlainOutcome = { hits: [], answered: false, confidence: 0, signals: undefined };
  if (slots.length === 0 || docs.length === 0) return empty;
  const totalInfo = slots.reduce((s, slot) => s + slot.info, 0);
  const unknown = slots.filter((s) => !s.known).reduce((s, slot) => s + slot.info, 0) / totalInfo;

  const scores = new Map<number, { bm25: number; covered: Float64Array }>();
  slots.forEach((slot, si) => {
    const best = new Map<number, { score: number; cover: number }>();
    for (const alt of slot.alts) {
      const list = postings[alt.term]!;
      for (let k = 0; k < list.docs.length; k++) {
        const doc = list.docs[k]!;
        const w = list.wtf[k]!;
        const score = (alt.weight * alt.idf * (w * (k1 + 1))) / (k1 + w);
        const cover = alt.weight * (list.topic[k] ? 1 : bodyOnlyCoverage);
        const prev = best.get(doc);
        if (!prev) best.set(doc, { score, cover });
        else {
          if (score > prev.score) prev.score = score;
          if (cover > prev.cover) prev.cover = cover;
        }
      }
    }
    for (const [doc, { score, cover }] of best) {
      let entry = scores.get(doc);
      if (!entry) {
        entry = { bm25: 0, covered: new Float64Array(slots.length) };
        scores.set(doc, entry);
      }
      entry.bm25 += score;
      entry.covered[si] = cover;
    }
  });
  if (scores.size === 0) {
    return {
      ...empty,
      signals: { coverage: 0, questionMatch: 0, margin: 0, unknown, evidence: 0, passage: 0 },
    };
  }

  const candidates = [...scores.entries()]
    .sort((a, b) => b[1].bm25 - a[1].bm25)
    .slice(0, Math.max(rerankDepth, limit));
  const maxBm25 = candidates[0]![1].bm25;
  const queryBigrams: number[] = [];
  for (let i = 1; i < slots.length; i++) {
    const a = slots[i - 1]!.stemId;
    const b = slots[i]!.stemId;
    if (a >= 0 && b >= 0) queryBigrams.push(a * pairBase + b);
  }
  const slotOfTerm: SlotOfTerm = new Map();
  slots.forEach((slot, si) => {
    for (const alt of slot.alts) {
      const list = slotOfTerm.get(alt.term) ?? [];
      list.push({ slot: si, weight: alt.weight });
      slotOfTerm.set(alt.term, list);
    }
  });
  const { rank } = tuning;
  const ranked = candidates.map(([doc, { bm25, covered }]) => {
    const explained = slots.reduce((s, slot, i) => s + slot.info * covered[i]!, 0);
    const coverage = explained / totalInfo;
    const evidence = 1 - Math.exp(-explained / 4);
    const read = referenceRead(analysed[doc]!, slotOfTerm, slots as Slot[], idf, isConcept);
    const passage = read.passage / totalInfo;
    const questionMatch = read.phrasing;
    const phrase =
      queryBigrams.length === 0
        ? 0
        : queryBigrams.filter((key) => docs[doc]!.bigrams.includes(key)).length / queryBigrams.length;
    const score =
      (rank.bm25 * bm25) / maxBm25 +
      rank.coverage * coverage +
      rank.question * questionMatch +
      rank.phrase * phrase +
      rank.passage * passage;
    return { doc, score, coverage, questionMatch, evidence, passage };
  });
  ranked.sort((a, b) => b.score - a.score);

  const top = ranked[0]!;
  const second = ranked[1];
  const margin = second ? Math.min(1, (top.score - second.score) / top.score) : 1;
  const signals: ConfidenceSignals = {
    coverage: top.coverage,
    questionMatch: top.questionMatch,
    margin,
    unknown,
    evidence: top.evidence,
    passage: top.passage,
  };
  const w = tuning.confidence;
  const confidenceOf = (s: ConfidenceSignals): number => {
    const z =
      w.bias +
      w.coverage * s.coverage +
      w.question * s.questionMatch +
      w.margin * s.margin +
      w.unknown * s.unknown +
      w.evidence * s.evidence +
      w.passage * s.passage;
    return 1 / (1 + Math.exp(-z));
  };
  const hits = ranked.slice(0, limit).map((r, i) => ({
    id: docs[r.doc]!.article.id,
    score: r.score,
    confidence: confidenceOf({ ...r, margin: i === 0 ? margin : 0, unknown }),
  }));
  const confidence = hits[0]!.confidence;
  const clear = margin >= tuning.ambiguity.margin || confidence >= tuning.ambiguity.sure;
  return { hits, answered: confidence >= minConfidence && clear, confidence, signals };
}
