// The knowledge-base search: a BM25F index over title, questions, tags, headings and body, with stemming, typo
// correction, synonym concepts, phrase (bigram) signals and matching against each article's own questions.
// A calibrated confidence from how much of the question the best article explains decides when to abstain.
import type { Article } from './article.ts';
import type { SynonymGroups } from './load-kb.ts';
import { analyse, ConceptMatcher, editDistance, type Token, typoBudget } from './text-analysis.ts';

/** One ranked article with its raw score and a confidence between 0 and 1. */
export interface SearchHit {
  article: Article;
  score: number;
  confidence: number;
}

/** The outcome of a search: ranked hits, and whether the best one is good enough to answer with. */
export interface SearchOutcome {
  query: string;
  hits: SearchHit[];
  answered: boolean;
  confidence: number;
  /** The signals behind the top hit's confidence, for tuning and for the question log. */
  signals?: ConfidenceSignals;
}

/** What the confidence of the top hit is made of; each is between 0 and 1. */
export interface ConfidenceSignals {
  /** Share of the question's information (IDF-weighted) the article explains. */
  coverage: number;
  /** Similarity to the closest of the article's title and listed questions. */
  questionMatch: number;
  /** How far the best article is ahead of the runner-up. */
  margin: number;
  /** Share of the question's information in words the knowledge base has never seen. */
  unknown: number;
  /** How much information the article explains in absolute terms, squashed to 0..1. */
  evidence: number;
  /** Share of the question's information explained by one passage (a sentence, a listed question). */
  passage: number;
}

/** A searchable knowledge base. */
export interface KbIndex {
  readonly articles: readonly Article[];
  get(id: string): Article | undefined;
  search(query: string, options?: { limit?: number }): SearchOutcome;
  /** How the question was read: each content word, the index terms standing for it, and its information. */
  explain(query: string): { word: string; terms: string[]; info: number; known: boolean }[];
}

/** Confidence below which the bot says it does not know. See docs/answering.md for how it was chosen. */
export const defaultMinConfidence = 0.5;

const fieldNames = ['title', 'questions', 'tags', 'headings', 'body'] as const;
type FieldName = (typeof fieldNames)[number];
/** Fields that state the article's topic; a word found only in the body counts a little less for coverage. */
const topicFields = new Set<FieldName>(['title', 'questions', 'tags']);
/** Articles re-ranked with the question-matching and phrase signals. */
const rerankDepth = 30;

/** The knobs of ranking and confidence. The defaults are explained in docs/answering.md. */
export interface Tuning {
  /** BM25F field weights: what an article says it is about counts more than a passing mention in the body. */
  boost: Record<FieldName, number>;
  /** BM25F length normalisation per field. */
  b: Record<FieldName, number>;
  /** BM25 term-frequency saturation. */
  k1: number;
  /** What a looser match is worth compared with the word itself. */
  conceptWeight: number;
  typoWeight: number;
  prefixWeight: number;
  /** Coverage credit for a word found only in the body. */
  bodyOnlyCoverage: number;
  /** Re-ranking: normalised BM25F + coverage + question match + phrase (bigram) overlap. */
  rank: { bm25: number; coverage: number; question: number; phrase: number; passage: number };
  /** Logistic confidence: bias and weights of the signals. */
  confidence: {
    bias: number;
    coverage: number;
    question: number;
    margin: number;
    unknown: number;
    evidence: number;
    passage: number;
  };
}

/** The tuning used unless a caller overrides it. */
export const defaultTuning: Tuning = {
  boost: { title: 3, questions: 2.5, tags: 2, headings: 1.2, body: 1 },
  b: { title: 0.3, questions: 0.5, tags: 0.3, headings: 0.5, body: 0.75 },
  k1: 1.2,
  conceptWeight: 0.8,
  typoWeight: 0.8,
  prefixWeight: 0.6,
  bodyOnlyCoverage: 0.5,
  rank: { bm25: 1, coverage: 0.6, question: 0.5, phrase: 0.2, passage: 0 },
  // Fitted by logistic regression on labelled questions over two different knowledge bases (P(answer is right)).
  confidence: {
    bias: -2.1,
    coverage: 1.85,
    question: 1.5,
    margin: 0.75,
    unknown: -0.9,
    evidence: 1.1,
    passage: 1.3,
  },
};

interface Posting {
  doc: number;
  /** Length-normalised, field-weighted term frequency (BM25F pseudo-frequency). */
  wtf: number;
  /** True when the term appears in the title, questions or tags. */
  topic: boolean;
}

interface DocInfo {
  article: Article;
  /** Term sets of the title and of each listed question. */
  phrasings: Set<string>[];
  /** Adjacent content stems in the title, questions, tags and headings ("paper jam"). */
  bigrams: Set<string>;
  /** Term ids of every passage (title, each question, tag, heading and body sentence), -1 after each. */
  passages: Int32Array;
}

/** One query word, with the index terms that can stand for it and how much each is worth. */
interface Slot {
  alts: { term: string; weight: number; idf: number }[];
  /** How informative the word is: its IDF, or a high value for words no article uses. */
  info: number;
  known: boolean;
  stem: string;
}

/** Builds the index. `minConfidence` overrides the abstain threshold. */
export function buildIndex(
  articles: readonly Article[],
  synonyms: SynonymGroups = [],
  options: { minConfidence?: number | undefined; tuning?: Partial<Tuning> } = {},
): KbIndex {
  const minConfidence = options.minConfidence ?? defaultMinConfidence;
  const tuning: Tuning = { ...defaultTuning, ...options.tuning };
  const {
    boost: fieldBoost,
    b: fieldB,
    k1,
    conceptWeight,
    typoWeight,
    prefixWeight,
    bodyOnlyCoverage,
  } = tuning;
  const byId = new Map(articles.map((a) => [a.id, a]));
  const concepts = new ConceptMatcher(synonyms);
  const postings = new Map<string, Posting[]>();
  /** Surface words of the articles and synonyms, by length, for typo correction. */
  const vocabulary = new Map<string, { stem: string; df: number }>();
  const docs: DocInfo[] = [];
  /** Ids of index terms, so each article's passages can be kept compactly. */
  const termIds = new Map<string, number>();
  const idOf = (term: string): number => {
    let id = termIds.get(term);
    if (id === undefined) {
      id = termIds.size;
      termIds.set(term, id);
    }
    return id;
  };

  const termsOf = (tokens: Token[]): string[] => {
    const stems = tokens.map((t) => t.stem);
    const out = tokens.filter((t) => !t.stop).map((t) => t.stem);
    for (const m of concepts.match(
      stems,
      tokens.map((t) => t.stop),
    ))
      out.push(m.concept);
    return out;
  };

  // Field statistics first (average lengths), then postings.
  const analysed = articles.map((a) => {
    const fields: Record<FieldName, Token[][]> = {
      title: [analyse(a.title)],
      questions: a.questions.map(analyse),
      tags: a.tags.map(analyse),
      headings: a.sections.map((s) => analyse(s.heading)),
      body: [a.intro, ...a.sections.map((s) => s.text)].flatMap(sentences).map(analyse),
    };
    return fields;
  });
  const avgLen = Object.fromEntries(
    fieldNames.map((f) => [
      f,
      Math.max(
        1,
        analysed.reduce((sum, fields) => sum + fields[f].reduce((n, t) => n + t.length, 0), 0) /
          Math.max(1, analysed.length),
      ),
    ]),
  ) as Record<FieldName, number>;

  analysed.forEach((fields, doc) => {
    const wtf = new Map<string, number>();
    const topic = new Set<string>();
    const bigrams = new Set<string>();
    const passageIds: number[] = [];
    for (const f of fieldNames) {
      const counts = new Map<string, number>();
      let length = 0;
      for (const tokens of fields[f]) {
        length += tokens.length;
        const passage = termsOf(tokens);
        for (const term of passage) {
          counts.set(term, (counts.get(term) ?? 0) + 1);
          passageIds.push(idOf(term));
        }
        passageIds.push(-1);
        if (f !== 'body') addBigrams(tokens, bigrams);
        for (const t of tokens) {
          if (t.stop || t.word.length < 4) continue;
          const entry = vocabulary.get(t.word);
          if (entry) entry.df++;
          else vocabulary.set(t.word, { stem: t.stem, df: 1 });
        }
      }
      const norm = 1 - fieldB[f] + (fieldB[f] * length) / avgLen[f];
      for (const [term, tf] of counts) {
        wtf.set(term, (wtf.get(term) ?? 0) + (fieldBoost[f] * tf) / norm);
        if (topicFields.has(f)) topic.add(term);
      }
    }
    for (const [term, w] of wtf) {
      const list = postings.get(term) ?? [];
      list.push({ doc, wtf: w, topic: topic.has(term) });
      postings.set(term, list);
    }
    const phrasings = [fields.title[0]!, ...fields.questions].map((tokens) => new Set(termsOf(tokens)));
    docs.push({ article: articles[doc]!, phrasings, bigrams, passages: Int32Array.from(passageIds) });
  });
  for (const word of concepts.words) {
    if (word.length >= 4 && !vocabulary.has(word))
      vocabulary.set(word, { stem: analyse(word)[0]?.stem ?? word, df: 0 });
  }
  const vocabularyByLength = new Map<number, string[]>();
  for (const word of vocabulary.keys()) {
    const list = vocabularyByLength.get(word.length) ?? [];
    list.push(word);
    vocabularyByLength.set(word.length, list);
  }
  const stems = [...new Set([...postings.keys()].filter((t) => !t.startsWith('~')))].sort();

  const n = articles.length;
  const idfOf = (term: string): number => {
    const df = postings.get(term)?.length ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };
  /** The IDF of a word no article uses: what a topic the knowledge base does not cover weighs. */
  const unknownInfo = Math.log(1 + (n + 0.5) / 0.5);
  /** What an unknown filler word weighs: a little, so a question made only of them is not answered. */
  const fillerInfo = 0.5;

  const corrections = new Map<string, { word: string; distance: number } | null>();
  const correct = (word: string): { word: string; distance: number } | null => {
    const cached = corrections.get(word);
    if (cached !== undefined) return cached;
    const budget = typoBudget(word);
    let best: { word: string; distance: number; df: number } | null = null;
    for (let len = word.length - budget; len <= word.length + budget; len++) {
      for (const candidate of vocabularyByLength.get(len) ?? []) {
        const d = editDistance(word, candidate, best ? Math.min(best.distance, budget) : budget);
        if (d > budget) continue;
        const df = vocabulary.get(candidate)!.df;
        // Prefer the closest word; among equals, the one sharing the first letter, then the most common.
        const better =
          !best ||
          d < best.distance ||
          (d === best.distance &&
            (Number(candidate[0] === word[0]) - Number(best.word[0] === word[0]) || df - best.df) > 0);
        if (better) best = { word: candidate, distance: d, df };
      }
    }
    const result = best ? { word: best.word, distance: best.distance } : null;
    if (corrections.size > 5000) corrections.clear();
    corrections.set(word, result);
    return result;
  };

  /** Turns the query into slots: one per content word, each with the terms that may stand for it. */
  const slotsOf = (query: string): Slot[] => {
    const tokens = analyse(query);
    const typo = new Array<number>(tokens.length).fill(0);
    const filler = new Array<boolean>(tokens.length).fill(false);
    const base = new Array<string | undefined>(tokens.length);
    tokens.forEach((t, i) => {
      if (t.stop) return;
      // "slowly" also stands for "slow": the adjective is usually what the articles use.
      const adverb = /ply$/.test(t.word) ? null : /^(\p{L}{3,}?)(i)?ly$/u.exec(t.word);
      const adjective = adverb ? analyse(adverb[2] ? `${adverb[1]}y` : adverb[1]!)[0]?.stem : undefined;
      if (adjective && adjective !== t.stem && postings.has(adjective)) {
        base[i] = adjective;
        if (!postings.has(t.stem)) tokens[i] = { word: t.word, stem: adjective, stop: false };
        return;
      }
      if (postings.has(t.stem) || concepts.words.has(t.word)) return;
      const fix = /\d/.test(t.word) || t.word.length < 5 ? null : correct(t.word);
      if (fix) {
        tokens[i] = { word: fix.word, stem: vocabulary.get(fix.word)!.stem, stop: false };
        typo[i] = fix.distance;
        return;
      }
      // Words that shape a sentence but name no topic the articles could be missing: an unknown adverb
      // ("supposedly"), a lone letter, a number or an ordinal ("3rd").
      filler[i] = Boolean(adverb) || t.word.length === 1 || /^\d+(st|nd|rd|th|s)?$/.test(t.word);
    });
    const found = concepts.match(
      tokens.map((t) => t.stem),
      tokens.map((t) => t.stop),
    );
    const slots = new Map<string, Slot>();
    tokens.forEach((t, i) => {
      if (t.stop || slots.has(t.stem)) return;
      const factor = typo[i]! > 0 ? typoWeight ** typo[i]! : 1;
      const alts: Slot['alts'] = [];
      if (postings.has(t.stem)) alts.push({ term: t.stem, weight: factor, idf: idfOf(t.stem) });
      const adjective = base[i];
      if (adjective && adjective !== t.stem)
        alts.push({ term: adjective, weight: 0.9, idf: idfOf(adjective) });
      for (const m of found) {
        if (m.start <= i && i < m.end && postings.has(m.concept)) {
          alts.push({ term: m.concept, weight: conceptWeight * factor, idf: idfOf(m.concept) });
        }
      }
      if (alts.length === 0 && t.stem.length >= 4) {
        // A word the articles only use in longer forms ("config" for "configuration").
        for (const term of prefixMatches(stems, t.stem))
          alts.push({ term, weight: prefixWeight, idf: idfOf(term) });
      }
      const known = alts.length > 0;
      // A word is as informative as its own term; a word known only through a synonym or a longer form takes
      // the information of that stand-in.
      const info = known ? alts[0]!.idf : filler[i] ? fillerInfo : unknownInfo;
      slots.set(t.stem, { alts, info, known, stem: t.stem });
    });
    return [...slots.values()];
  };

  return {
    articles,
    get: (id) => byId.get(id),
    explain: (query) =>
      slotsOf(query).map((s) => ({
        word: s.stem,
        terms: s.alts.map((a) => `${a.term}*${a.weight.toFixed(2)}`),
        info: s.info,
        known: s.known,
      })),
    search(query, { limit = 5 } = {}) {
      const slots = slotsOf(query);
      const empty: SearchOutcome = { query, hits: [], answered: false, confidence: 0 };
      if (slots.length === 0 || n === 0) return empty;
      const totalInfo = slots.reduce((s, slot) => s + slot.info, 0);
      const unknown = slots.filter((s) => !s.known).reduce((s, slot) => s + slot.info, 0) / totalInfo;

      // BM25F over every article that shares a term with the question; per slot only the best alternative counts.
      const scores = new Map<number, { bm25: number; covered: Float64Array }>();
      slots.forEach((slot, si) => {
        const best = new Map<number, { score: number; cover: number }>();
        for (const alt of slot.alts) {
          const idf = alt.idf;
          for (const p of postings.get(alt.term) ?? []) {
            const score = (alt.weight * idf * (p.wtf * (k1 + 1))) / (k1 + p.wtf);
            const cover = alt.weight * (p.topic ? 1 : bodyOnlyCoverage);
            const prev = best.get(p.doc);
            if (!prev) best.set(p.doc, { score, cover });
            else {
              prev.score = Math.max(prev.score, score);
              prev.cover = Math.max(prev.cover, cover);
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
      if (scores.size === 0)
        return {
          ...empty,
          signals: { coverage: 0, questionMatch: 0, margin: 0, unknown, evidence: 0, passage: 0 },
        };

      const candidates = [...scores.entries()]
        .sort((a, b) => b[1].bm25 - a[1].bm25)
        .slice(0, Math.max(rerankDepth, limit));
      const maxBm25 = candidates[0]![1].bm25;
      const queryBigrams = slotBigrams(slots);
      // Which slots each term id stands for, with the weight of that match.
      const slotOfTerm = new Map<number, { slot: number; weight: number }[]>();
      slots.forEach((slot, si) => {
        for (const alt of slot.alts) {
          const id = termIds.get(alt.term);
          if (id === undefined) continue;
          const list = slotOfTerm.get(id) ?? [];
          list.push({ slot: si, weight: alt.weight });
          slotOfTerm.set(id, list);
        }
      });
      const ranked = candidates.map(([doc, { bm25, covered }]) => {
        const info = docs[doc]!;
        const explained = slots.reduce((s, slot, i) => s + slot.info * covered[i]!, 0);
        const coverage = explained / totalInfo;
        const evidence = 1 - Math.exp(-explained / 4);
        const passage = passageCoverage(info.passages, slotOfTerm, slots) / totalInfo;
        const questionMatch = Math.max(...info.phrasings.map((p) => phrasingSimilarity(slots, p, idfOf)));
        const phrase =
          queryBigrams.length === 0
            ? 0
            : queryBigrams.filter((b) => info.bigrams.has(b)).length / queryBigrams.length;
        const { rank } = tuning;
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
      const hits = ranked.slice(0, limit).map((r, i) => {
        const next = ranked[i + 1];
        const m = next ? Math.min(1, (r.score - next.score) / r.score) : 1;
        return {
          article: docs[r.doc]!.article,
          score: r.score,
          confidence: confidenceOf(tuning, {
            coverage: r.coverage,
            questionMatch: r.questionMatch,
            margin: i === 0 ? m : 0,
            unknown,
            evidence: r.evidence,
            passage: r.passage,
          }),
        };
      });
      const confidence = hits[0]!.confidence;
      return { query, hits, answered: confidence >= minConfidence, confidence, signals };
    },
  };
}

/** Adjacent content stems of one phrase, as "a b" keys. */
function addBigrams(tokens: Token[], into: Set<string>): void {
  let prev: string | undefined;
  for (const t of tokens) {
    if (t.stop) continue;
    if (prev) into.add(`${prev} ${t.stem}`);
    prev = t.stem;
  }
}

function slotBigrams(slots: Slot[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < slots.length; i++) out.push(`${slots[i - 1]!.stem} ${slots[i]!.stem}`);
  return out;
}

/** Index stems that start with `stem` and are at most four letters longer. */
function prefixMatches(sorted: string[], stem: string): string[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < stem) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && sorted[i]!.startsWith(stem) && out.length < 5; i++) {
    if (sorted[i]!.length - stem.length <= 4 && sorted[i] !== stem) out.push(sorted[i]!);
  }
  return out;
}

/**
 * How well the question matches one phrasing (the title or a listed question): the information both share,
 * over the information of the question plus what the phrasing says that the question does not.
 */
function phrasingSimilarity(slots: Slot[], phrasing: Set<string>, idfOf: (t: string) => number): number {
  let shared = 0;
  let total = 0;
  const used = new Set<string>();
  for (const slot of slots) {
    total += slot.info;
    let best = 0;
    let term: string | undefined;
    for (const alt of slot.alts) {
      if (phrasing.has(alt.term) && alt.weight > best) {
        best = alt.weight;
        term = alt.term;
      }
    }
    if (term) {
      shared += slot.info * best;
      used.add(term);
      for (const alt of slot.alts) used.add(alt.term);
    }
  }
  let extra = 0;
  for (const term of phrasing) if (!used.has(term) && !term.startsWith('~')) extra += idfOf(term);
  return total + extra === 0 ? 0 : shared / (total + 0.5 * extra);
}

/** Confidence from the signals: the weights are explained and were checked in docs/answering.md. */
function confidenceOf(tuning: Tuning, s: ConfidenceSignals): number {
  const w = tuning.confidence;
  const z =
    w.bias +
    w.coverage * s.coverage +
    w.question * s.questionMatch +
    w.margin * s.margin +
    w.unknown * s.unknown +
    w.evidence * s.evidence +
    w.passage * s.passage;
  return 1 / (1 + Math.exp(-z));
}

/** Splits text into sentences and list items. */
function sentences(text: string): string[] {
  return text.split(/\n+|(?<=[.!?])\s+(?=[A-Z0-9*_`"])/).filter((s) => s.trim().length > 0);
}

/**
 * The information of the question explained by the single best passage of an article (a sentence, a listed
 * question, the title): words that belong together in a question also appear together in the right article.
 */
function passageCoverage(
  passages: Int32Array,
  slotOfTerm: Map<number, { slot: number; weight: number }[]>,
  slots: Slot[],
): number {
  const covered = new Float64Array(slots.length);
  let best = 0;
  let current = 0;
  for (let i = 0; i <= passages.length; i++) {
    const id = i < passages.length ? passages[i]! : -1;
    if (id === -1) {
      if (current > best) best = current;
      covered.fill(0);
      current = 0;
      continue;
    }
    const matches = slotOfTerm.get(id);
    if (!matches) continue;
    for (const { slot, weight } of matches) {
      if (weight > covered[slot]!) {
        current += slots[slot]!.info * (weight - covered[slot]!);
        covered[slot] = weight;
      }
    }
  }
  return best;
}
