// The knowledge-base search: a BM25F index over title, questions, tags, headings and body, with stemming, typo
// correction, synonym concepts, phrase (bigram) signals and matching against each article's own questions.
// A calibrated confidence from how much of the question the best article explains decides when to abstain.
import type { Article } from './article.ts';
import { isEnglishWord } from './english-words.ts';
import { builtInLexicon, type Lexicon } from './lexicon.ts';
import type { SynonymGroups } from './load-kb.ts';
import {
  indexPassages,
  type PassageIndex,
  PassageQuery,
  type PassageReading,
  readPassages,
} from './passage-index.ts';
import { repairSpacing, type SpacingVocabulary } from './spacing-repair.ts';
import {
  analyse,
  ConceptMatcher,
  editDistance,
  misspeltStopWord,
  type Token,
  typoBudget,
} from './text-analysis.ts';

/** One ranked article with its raw score and a confidence between 0 and 1. */
export interface SearchHit {
  article: Article;
  score: number;
  confidence: number;
}

/**
 * The outcome of a search: ranked hits, and one of three verdicts. `answered`: the best hit is good enough to
 * answer with. Otherwise `offered` holds the articles plausible enough to ask "is it one of these?" about (up to
 * three, best first); when it is empty nothing is plausible and the bot abstains.
 */
export interface SearchOutcome {
  query: string;
  hits: SearchHit[];
  answered: boolean;
  /** Articles to offer as choices when not answered; always empty when answered. */
  offered: SearchHit[];
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

/** Confidence at which the bot answers directly. See docs/answering.md for how it was chosen. */
export const defaultMinConfidence = 0.75;

/**
 * Below the answer threshold the bot offers choices when the best article reaches `min`; other articles join it
 * when they reach `others`. Below `min` it abstains. Chosen as described in docs/answering.md.
 */
export const defaultOffer = { min: 0.35, others: 0.2 } as const;

/** The most articles offered as choices. */
export const maxOffered = 3;

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
  /** Information of a word no article uses, as a share of the highest possible IDF. */
  unknownShare: number;
  /** Re-ranking: normalised BM25F + coverage + question match + phrase (bigram) overlap. */
  rank: { bm25: number; coverage: number; question: number; phrase: number; passage: number };
  /**
   * Close calls: a direct answer also needs the top article `margin` ahead of the runner-up (see
   * `ConfidenceSignals.margin`), unless its confidence reaches `sure`. Otherwise the bot clarifies, offering both.
   */
  ambiguity: { margin: number; sure: number };
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
  unknownShare: 0.5,
  rank: { bm25: 1, coverage: 0.6, question: 0.5, phrase: 0.2, passage: 0 },
  // Chosen with the thresholds on data the method was not tuned on (docs/answering.md).
  ambiguity: { margin: 0.05, sure: 0.85 },
  // Fitted by logistic regression on labelled questions over two different knowledge bases (P(answer is right)).
  confidence: {
    bias: -2.3,
    coverage: 1.95,
    question: 1.7,
    margin: 0.6,
    unknown: -1.05,
    evidence: 1.15,
    passage: 1.2,
  },
};

/** The postings of one term: the articles using it, with BM25F pseudo-frequency and topic-field flag. */
interface PostingList {
  docs: Int32Array;
  /** Length-normalised, field-weighted term frequency (BM25F pseudo-frequency). */
  wtf: Float32Array;
  /** 1 when the term appears in the title, questions or tags. */
  topic: Uint8Array;
}

export interface DocInfo {
  article: Article;
  /** Sorted keys of adjacent content stems in the title, questions, tags and headings ("paper jam"). */
  bigrams: Float64Array;
}

/** An article as analysed while building: its passages as term ids. */
export interface AnalysedDoc {
  /** Term ids of every passage (title, each question, tag, heading and body sentence), -1 after each. */
  passages: Int32Array;
  /** The field of each passage, as an index into `fieldNames`. */
  passageFields: Uint8Array;
}

/** One query word, with the index terms that can stand for it and how much each is worth. */
export interface Slot {
  alts: { term: number; weight: number; idf: number }[];
  /** How informative the word is: its IDF, or a high value for words no article uses. */
  info: number;
  known: boolean;
  stem: string;
  /** The term id of the word's own stem, or -1. */
  stemId: number;
}

export const titleField = fieldNames.indexOf('title');
export const questionsField = fieldNames.indexOf('questions');
const bodyField = fieldNames.indexOf('body');
/** Bigram keys pack two term ids into one number. */
const pairBase = 2 ** 24;

/** Everything the index holds, built once. */
export interface Built {
  termIds: Map<string, number>;
  termNames: string[];
  postings: PostingList[];
  idf: Float64Array;
  isConcept: Uint8Array;
  docs: DocInfo[];
  /** Where each term occurs in each article, passage by passage. */
  passageIndex: PassageIndex;
  /** Only needed while building: searching reads `passageIndex`, which weighs less. */
  analysed: AnalysedDoc[];
  /** Surface words of the articles and synonyms, for typo correction, with their stem and frequency. */
  vocabulary: Map<string, { stem: string; df: number }>;
}

/** Builds the index's tables; exported so tests can check the search against straightforward reference code. */
export function build(articles: readonly Article[], concepts: ConceptMatcher, tuning: Tuning): Built {
  const termIds = new Map<string, number>();
  const termNames: string[] = [];
  const idOf = (term: string): number => {
    let id = termIds.get(term);
    if (id === undefined) {
      id = termNames.length;
      termIds.set(term, id);
      termNames.push(term);
    }
    return id;
  };
  const vocabulary = new Map<string, { stem: string; df: number }>();

  // Pass 1: analyse every passage once, keeping only term ids, field lengths and bigram keys.
  const lengths = fieldNames.map(() => new Float64Array(articles.length));
  const analysed = articles.map((a, doc) => {
    const ids: number[] = [];
    const fields: number[] = [];
    const bigrams = new Set<number>();
    const texts: [number, string[]][] = [
      [titleField, [a.title]],
      [questionsField, a.questions],
      [fieldNames.indexOf('tags'), a.tags],
      [fieldNames.indexOf('headings'), a.sections.map((s) => s.heading)],
      [bodyField, [a.intro, ...a.sections.map((s) => s.text)].flatMap(sentences)],
    ];
    for (const [field, list] of texts) {
      for (const text of list) {
        const tokens = analyse(text);
        lengths[field]![doc]! += tokens.length;
        let prev = -1;
        for (const t of tokens) {
          if (t.stop) continue;
          const id = idOf(t.stem);
          ids.push(id);
          if (field !== bodyField && prev >= 0) bigrams.add(prev * pairBase + id);
          prev = id;
          if (t.word.length >= 3) {
            const entry = vocabulary.get(t.word);
            if (entry) entry.df++;
            else vocabulary.set(t.word, { stem: t.stem, df: 1 });
          }
        }
        const matches = concepts.match(
          tokens.map((t) => t.stem),
          tokens.map((t) => t.stop),
        );
        for (const m of matches) ids.push(idOf(m.concept));
        ids.push(-1);
        fields.push(field);
      }
    }
    return {
      article: a,
      passages: Int32Array.from(ids),
      passageFields: Uint8Array.from(fields),
      bigrams: Float64Array.from([...bigrams].sort((x, y) => x - y)),
    };
  });
  for (const word of concepts.words) {
    if (word.length >= 3 && !vocabulary.has(word))
      vocabulary.set(word, { stem: analyse(word)[0]?.stem ?? word, df: 0 });
  }

  // Pass 2: BM25F pseudo-frequencies with per-field length normalisation.
  const avgLen = lengths.map((l) => Math.max(1, l.reduce((s, v) => s + v, 0) / Math.max(1, l.length)));
  const building: { docs: number[]; wtf: number[]; topic: number[] }[] = termNames.map(() => ({
    docs: [],
    wtf: [],
    topic: [],
  }));
  analysed.forEach((info, doc) => {
    const wtf = new Map<number, number>();
    const topic = new Set<number>();
    const norm = fieldNames.map((f, i) => 1 - tuning.b[f] + (tuning.b[f] * lengths[i]![doc]!) / avgLen[i]!);
    let passage = 0;
    for (const id of info.passages) {
      if (id === -1) {
        passage++;
        continue;
      }
      const field = info.passageFields[passage]!;
      const name = fieldNames[field]!;
      wtf.set(id, (wtf.get(id) ?? 0) + tuning.boost[name] / norm[field]!);
      if (topicFields.has(name)) topic.add(id);
    }
    for (const [id, w] of wtf) {
      const list = building[id]!;
      list.docs.push(doc);
      list.wtf.push(w);
      list.topic.push(topic.has(id) ? 1 : 0);
    }
  });
  const postings = building.map((b) => ({
    docs: Int32Array.from(b.docs),
    wtf: Float32Array.from(b.wtf),
    topic: Uint8Array.from(b.topic),
  }));
  const n = articles.length;
  const idf = Float64Array.from(postings, (p) =>
    Math.log(1 + (n - p.docs.length + 0.5) / (p.docs.length + 0.5)),
  );
  const isConcept = Uint8Array.from(termNames, (t) => (t.startsWith('~') ? 1 : 0));
  const docs: DocInfo[] = analysed.map(({ article, bigrams }) => ({ article, bigrams }));
  const passageIndex = indexPassages(
    analysed.map((a) => ({
      tokens: a.passages,
      phrasing: a.passageFields.map((f) => (f === titleField || f === questionsField ? 1 : 0)),
    })),
    isConcept,
  );
  return { termIds, termNames, postings, idf, isConcept, docs, passageIndex, analysed, vocabulary };
}

/** Builds the index. `minConfidence` overrides the abstain threshold; `tuning` is for experiments. */
export function buildIndex(
  articles: readonly Article[],
  synonyms: SynonymGroups = [],
  options: {
    minConfidence?: number | undefined;
    /** Overrides the clarify thresholds (see `defaultOffer`). */
    offer?: { min: number; others: number } | undefined;
    /** Everyday phrases read as IT words; the product's general IT lexicon unless given. */
    lexicon?: Lexicon;
    tuning?: Partial<Tuning>;
  } = {},
): KbIndex {
  const minConfidence = options.minConfidence ?? defaultMinConfidence;
  const offer = options.offer ?? defaultOffer;
  const tuning: Tuning = { ...defaultTuning, ...options.tuning };
  const byId = new Map(articles.map((a) => [a.id, a]));
  const concepts = new ConceptMatcher(synonyms);
  const tables = build(articles, concepts, tuning);
  const slotsOf = queryReader(tables, concepts, tuning, options.lexicon ?? builtInLexicon());
  const rank = ranker(tables, tuning, minConfidence, offer);
  // Only what searching needs is kept: closures holding `tables` would keep `analysed`, which weighs more.
  const { termNames } = tables;
  return {
    articles,
    get: (id) => byId.get(id),
    explain: (query) =>
      slotsOf(query).map((s) => ({
        word: s.stem,
        terms: s.alts.map((a) => `${termNames[a.term]}*${a.weight.toFixed(2)}`),
        info: s.info,
        known: s.known,
      })),
    search: (query, { limit = 5 } = {}) => rank(query, slotsOf(query), limit),
  };
}

/**
 * Reads questions: the returned function turns one into slots, one per content word, each with the terms that
 * may stand for it. Exported, like `build`, so tests can rank the same slots with reference code.
 */
export function queryReader(
  tables: Built,
  concepts: ConceptMatcher,
  tuning: Tuning,
  lexicon?: Lexicon,
): (query: string) => Slot[] {
  const { conceptWeight, typoWeight, prefixWeight } = tuning;
  const { termIds, termNames, idf, vocabulary } = tables;
  // A typo may also be of a lexicon phrase's word the articles never use ("notcie" in "handed in my notcie").
  const lexiconWords = new Map<string, string>();
  for (const word of lexicon?.words ?? []) {
    if (!vocabulary.has(word)) lexiconWords.set(word, analyse(word)[0]?.stem ?? word);
  }
  const stemOfWord = (word: string): string => vocabulary.get(word)?.stem ?? lexiconWords.get(word) ?? word;
  const vocabularyByLength = new Map<number, string[]>();
  for (const word of [...vocabulary.keys(), ...lexiconWords.keys()]) {
    const list = vocabularyByLength.get(word.length) ?? [];
    list.push(word);
    vocabularyByLength.set(word.length, list);
  }
  const sortedStems = termNames.filter((t) => !t.startsWith('~')).sort();
  const n = tables.docs.length;
  const known = (term: string): boolean => termIds.has(term);
  /** The IDF of a word no article uses: what a topic the knowledge base does not cover weighs. */
  const unknownInfo = tuning.unknownShare * Math.log(1 + (n + 0.5) / 0.5);
  /** What an unknown filler word weighs: a little, so a question made only of them is not answered. */
  const fillerInfo = 0.5;

  const corrections = new Map<string, { word: string; distance: number } | null>();
  const correct = (word: string): { word: string; distance: number } | null => {
    const cached = corrections.get(word);
    if (cached !== undefined) return cached;
    // A short word may carry one slip too, but only towards a word starting with the same letter: with three or
    // four letters almost anything else is one edit away.
    const short = word.length < 5;
    const budget = short ? 1 : typoBudget(word);
    let best: { word: string; distance: number; df: number } | null = null;
    for (let len = word.length - budget; len <= word.length + budget; len++) {
      for (const candidate of vocabularyByLength.get(len) ?? []) {
        if (short && candidate[0] !== word[0]) continue;
        const d = editDistance(word, candidate, best ? Math.min(best.distance, budget) : budget);
        if (d > budget) continue;
        const df = vocabulary.get(candidate)?.df ?? 0;
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

  // Plain loops and no closure per word: this runs for every question, and each closure was garbage.
  const knownToken = (t: Token): boolean => known(t.stem) || concepts.words.has(t.word);
  const spacing: SpacingVocabulary = {
    isWord: (word) => vocabulary.has(word),
    isKnown: knownToken,
    isEnglish: isEnglishWord,
    isTypo: (word) => correct(word) !== null,
  };
  /**
   * Misspelt words corrected before the lexicon reads the question, so its phrases match through a typo ("neew
   * job"); a short slip of a stop word is read as that stop word ("hwo", "yuor"), not as an unknown topic.
   */
  const stopSlips = new Map<string, string | null>();
  const correctBeforeLexicon = (tokens: Token[]): Token[] => {
    let out: Token[] | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      let fixed: Token | undefined;
      const candidate =
        !t.stop &&
        t.word.length >= 3 &&
        !/\d/.test(t.word) &&
        !knownToken(t) &&
        !lexicon?.hasWord(t.stem) &&
        !isEnglishWord(t.word);
      if (candidate) {
        let stop = stopSlips.get(t.word);
        if (stop === undefined) {
          if (stopSlips.size > 5000) stopSlips.clear();
          stop = misspeltStopWord(t.word) ?? null;
          stopSlips.set(t.word, stop);
        }
        const fix = stop ? null : correct(t.word);
        if (stop) fixed = analyse(stop)[0];
        else if (fix) fixed = { word: fix.word, stem: stemOfWord(fix.word), stop: false, typo: fix.distance };
      }
      if (fixed) {
        out ??= tokens.slice(0, i);
        out.push(fixed);
      } else out?.push(t);
    }
    return out ?? tokens;
  };
  return (query: string): Slot[] => {
    const read = correctBeforeLexicon(repairSpacing(analyse(query), spacing));
    const tokens = lexicon ? lexicon.rewrite(read, knownToken) : read;
    const typo = new Array<number>(tokens.length).fill(0);
    const filler = new Array<boolean>(tokens.length).fill(false);
    const base = new Array<string | undefined>(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.stop) continue;
      // "slowly" also stands for "slow": the adjective is usually what the articles use.
      const adverb = /ply$/.test(t.word) ? null : /^(\p{L}{3,}?)(i)?ly$/u.exec(t.word);
      const adjective = adverb ? analyse(adverb[2] ? `${adverb[1]}y` : adverb[1]!)[0]?.stem : undefined;
      if (adjective && adjective !== t.stem && known(adjective)) {
        base[i] = adjective;
        if (!known(t.stem)) tokens[i] = { word: t.word, stem: adjective, stop: false };
        continue;
      }
      if (known(t.stem) || concepts.words.has(t.word)) {
        typo[i] = t.typo ?? 0;
        continue;
      }
      // Only a word that is not English is a typo: a real word the articles do not use is a topic they lack.
      const fix = /\d/.test(t.word) || t.word.length < 3 || isEnglishWord(t.word) ? null : correct(t.word);
      if (fix) {
        tokens[i] = { word: fix.word, stem: stemOfWord(fix.word), stop: false };
        typo[i] = fix.distance;
        continue;
      }
      // Words that shape a sentence but name no topic the articles could be missing: an unknown adverb
      // ("supposedly"), a lone letter, a number or an ordinal ("3rd").
      filler[i] = Boolean(adverb) || t.word.length === 1 || /^\d+(st|nd|rd|th|s)?$/.test(t.word);
    }
    const stems = new Array<string>(tokens.length);
    const stops = new Array<boolean>(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      stems[i] = tokens[i]!.stem;
      stops[i] = tokens[i]!.stop;
    }
    const found = concepts.match(stems, stops);
    const slots: Slot[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.stop || seen.has(t.stem)) continue;
      seen.add(t.stem);
      const factor = typo[i]! > 0 ? typoWeight ** typo[i]! : 1;
      const alts: Slot['alts'] = [];
      addAlt(alts, termIds, idf, t.stem, factor);
      const adjective = base[i];
      if (adjective && adjective !== t.stem) addAlt(alts, termIds, idf, adjective, 0.9);
      for (let f = 0; f < found.length; f++) {
        const m = found[f]!;
        if (m.start <= i && i < m.end) addAlt(alts, termIds, idf, m.concept, conceptWeight * factor);
      }
      if (alts.length === 0 && t.stem.length >= 4) {
        // A word the articles only use in longer forms ("config" for "configuration").
        for (const term of prefixMatches(sortedStems, t.stem)) addAlt(alts, termIds, idf, term, prefixWeight);
      }
      const isKnown = alts.length > 0;
      // A word is as informative as its own term; a word known only through a synonym or a longer form takes
      // the information of that stand-in.
      const info = isKnown ? alts[0]!.idf : filler[i] ? fillerInfo : unknownInfo;
      slots.push({ alts, info, known: isKnown, stem: t.stem, stemId: termIds.get(t.stem) ?? -1 });
    }
    return slots;
  };
}

/**
 * Ranks articles for a question read into `slots`, and decides whether the best is good enough to answer with.
 * Exported, like `build`, so tests can check it against straightforward reference code.
 */
export function ranker(
  tables: Built,
  tuning: Tuning,
  minConfidence: number,
  offer: { min: number; others: number } = defaultOffer,
): (query: string, slots: readonly Slot[], limit: number) => SearchOutcome {
  const { k1, bodyOnlyCoverage } = tuning;
  const { postings, idf, docs, passageIndex } = tables;
  const n = docs.length;
  const work = new Workspace(n, idf);
  return (query, slots, limit) => {
    if (slots.length === 0 || n === 0)
      return { query, hits: [], answered: false, offered: [], confidence: 0 };
    let totalInfo = 0;
    for (let i = 0; i < slots.length; i++) totalInfo += slots[i]!.info;
    let unseenInfo = 0;
    for (let i = 0; i < slots.length; i++) if (!slots[i]!.known) unseenInfo += slots[i]!.info;
    const unknown = unseenInfo / totalInfo;

    const scored = scoreArticles(work, slots, postings, k1, bodyOnlyCoverage);
    if (scored === 0) {
      return {
        query,
        hits: [],
        answered: false,
        offered: [],
        confidence: 0,
        signals: { coverage: 0, questionMatch: 0, margin: 0, unknown, evidence: 0, passage: 0 },
      };
    }
    // At least one hit: the outcome's confidence is the top hit's.
    const shown = Math.max(1, Math.trunc(limit) || 0);
    const candidates = topPositions(work.bm25, scored, Math.max(rerankDepth, shown), work.candidates);
    const ranked = rerank(work, candidates, slots, totalInfo, docs, passageIndex, tuning);

    const { order, score, coverage, questionMatch, evidence, passage } = work;
    const top = order[0]!;
    const margin = ranked > 1 ? Math.min(1, (score[top]! - score[order[1]!]!) / score[top]!) : 1;
    const signals: ConfidenceSignals = {
      coverage: coverage[top]!,
      questionMatch: questionMatch[top]!,
      margin,
      unknown,
      evidence: evidence[top]!,
      passage: passage[top]!,
    };
    const hits: SearchHit[] = [];
    for (let i = 0; i < shown && i < ranked; i++) {
      const r = order[i]!;
      hits.push({
        article: docs[work.rankedDoc[r]!]!.article,
        score: score[r]!,
        // Only the leader has a margin over the rest; the others are scored as if tied.
        confidence: confidenceOf(
          tuning,
          coverage[r]!,
          questionMatch[r]!,
          i === 0 ? margin : 0,
          unknown,
          evidence[r]!,
          passage[r]!,
        ),
      });
    }
    const confidence = hits[0]!.confidence;
    const { answered, offered } = outcomeOf(hits, margin, {
      answer: minConfidence,
      margin: tuning.ambiguity.margin,
      sure: tuning.ambiguity.sure,
      offerMin: offer.min,
      offerOthers: offer.others,
    });
    return { query, hits, answered, offered, confidence, signals };
  };
}

/**
 * Working space of a search, sized by the number of articles: one per index, made when the index is built and
 * reused by every search, because allocating it per question made garbage collection the largest cost of
 * answering. Reuse is safe because a search runs synchronously from start to end and nothing in here escapes
 * it: the outcome copies the numbers it needs. Articles are numbered by position in the order they were first
 * scored, which is the order the ranking keeps among ties.
 */
class Workspace {
  /** `scoredIn[doc] === search` once article `doc` has a score in the current search, at `positionOf[doc]`. */
  readonly scoredIn: Int32Array;
  readonly positionOf: Int32Array;
  search = 0;
  /** By position: the article, its BM25F score, and the question information (IDF-weighted) it explains. */
  readonly docAt: Int32Array;
  readonly bm25: Float64Array;
  readonly explained: Float64Array;
  /** The best alternative of the slot being scored, by article: set once `inSlot[doc] === slot`. */
  readonly inSlot: Int32Array;
  slot = 0;
  readonly slotScore: Float64Array;
  readonly slotCover: Float64Array;
  /** The articles the slot being scored found, in the order found. */
  readonly slotDocs: Int32Array;
  /** Positions of the articles to re-rank, best BM25F first. */
  readonly candidates: Int32Array;
  /** By candidate: the article and its re-ranking signals; grown for a caller asking for more than usual. */
  rankedDoc: Int32Array;
  score: Float64Array;
  coverage: Float64Array;
  questionMatch: Float64Array;
  evidence: Float64Array;
  passage: Float64Array;
  /** Candidates, best score first. */
  order: Int32Array;
  /** Keys of the question's adjacent word pairs, as many as `queryBigrams` found. */
  bigrams = new Float64Array(8);
  readonly reading: PassageQuery;
  readonly read: PassageReading = { passage: 0, phrasing: 0 };

  constructor(n: number, idf: Float64Array) {
    this.scoredIn = new Int32Array(n);
    this.positionOf = new Int32Array(n);
    this.docAt = new Int32Array(n);
    this.bm25 = new Float64Array(n);
    this.explained = new Float64Array(n);
    this.inSlot = new Int32Array(n);
    this.slotScore = new Float64Array(n);
    this.slotCover = new Float64Array(n);
    this.slotDocs = new Int32Array(n);
    this.candidates = new Int32Array(n);
    const depth = Math.min(n, rerankDepth);
    this.rankedDoc = new Int32Array(depth);
    this.score = new Float64Array(depth);
    this.coverage = new Float64Array(depth);
    this.questionMatch = new Float64Array(depth);
    this.evidence = new Float64Array(depth);
    this.passage = new Float64Array(depth);
    this.order = new Int32Array(depth);
    this.reading = new PassageQuery(idf);
  }

  /** Numbers a new search: every article's earlier score is stale from here on. */
  nextSearch(): number {
    if (this.search === 0x7fffffff) {
      this.scoredIn.fill(0);
      this.search = 0;
    }
    return ++this.search;
  }

  /** Numbers a new slot: every article's best alternative so far is stale from here on. */
  nextSlot(): number {
    if (this.slot === 0x7fffffff) {
      this.inSlot.fill(0);
      this.slot = 0;
    }
    return ++this.slot;
  }

  /** Makes room for `count` candidates. */
  reserve(count: number): void {
    if (count <= this.order.length) return;
    this.rankedDoc = new Int32Array(count);
    this.score = new Float64Array(count);
    this.coverage = new Float64Array(count);
    this.questionMatch = new Float64Array(count);
    this.evidence = new Float64Array(count);
    this.passage = new Float64Array(count);
    this.order = new Int32Array(count);
  }
}

/**
 * BM25F over every article that shares a term with the question, per slot only the best alternative counting;
 * also what share of each slot's information each article explains. Fills the workspace's positions and
 * returns how many articles scored.
 */
function scoreArticles(
  work: Workspace,
  slots: readonly Slot[],
  postings: readonly PostingList[],
  k1: number,
  bodyOnlyCoverage: number,
): number {
  const search = work.nextSearch();
  const { scoredIn, positionOf, docAt, bm25, explained, inSlot, slotScore, slotCover, slotDocs } = work;
  let count = 0;
  for (let si = 0; si < slots.length; si++) {
    const slot = slots[si]!;
    const mark = work.nextSlot();
    let found = 0;
    for (let a = 0; a < slot.alts.length; a++) {
      const alt = slot.alts[a]!;
      const list = postings[alt.term]!;
      for (let k = 0; k < list.docs.length; k++) {
        const doc = list.docs[k]!;
        const w = list.wtf[k]!;
        const score = (alt.weight * alt.idf * (w * (k1 + 1))) / (k1 + w);
        const cover = alt.weight * (list.topic[k] ? 1 : bodyOnlyCoverage);
        if (inSlot[doc] !== mark) {
          inSlot[doc] = mark;
          slotScore[doc] = score;
          slotCover[doc] = cover;
          slotDocs[found++] = doc;
        } else {
          if (score > slotScore[doc]!) slotScore[doc] = score;
          if (cover > slotCover[doc]!) slotCover[doc] = cover;
        }
      }
    }
    for (let i = 0; i < found; i++) {
      const doc = slotDocs[i]!;
      let at = positionOf[doc]!;
      if (scoredIn[doc] !== search) {
        scoredIn[doc] = search;
        at = count++;
        positionOf[doc] = at;
        docAt[at] = doc;
        bm25[at] = 0;
        explained[at] = 0;
      }
      bm25[at]! += slotScore[doc]!;
      // Summed in slot order like the coverage of every slot was; a slot the article misses would add 0.
      explained[at]! += slot.info * slotCover[doc]!;
    }
  }
  return count;
}

/**
 * Orders the positions 0 to `count - 1` by `key`, highest first and ties in position order (as a stable sort
 * leaves them), and writes the first `k` of them into `out`; returns how many it wrote.
 */
function topPositions(key: Float64Array, count: number, k: number, out: Int32Array): number {
  if (k <= 0) return 0;
  // Keeping the best in order costs up to `k` moves per position: cheaper than sorting every article for the
  // usual 30, dearer when a caller wants most of them.
  if (Math.min(k, count) <= 64) {
    let size = 0;
    for (let p = 0; p < count; p++) {
      const v = key[p]!;
      if (size === k) {
        // A tie with the last kept would rank after it.
        if (v <= key[out[size - 1]!]!) continue;
        size--;
      }
      let j = size;
      while (j > 0 && key[out[j - 1]!]! < v) {
        out[j] = out[j - 1]!;
        j--;
      }
      out[j] = p;
      size++;
    }
    return size;
  }
  for (let p = 0; p < count; p++) out[p] = p;
  out.subarray(0, count).sort((a, b) => key[b]! - key[a]! || a - b);
  return Math.min(k, count);
}

/**
 * Re-ranks the first `count` candidates with coverage, the best passage, the closest phrasing and shared word
 * pairs; leaves their signals in the workspace by candidate, and `order` best first. Returns how many.
 */
function rerank(
  work: Workspace,
  count: number,
  slots: readonly Slot[],
  totalInfo: number,
  docs: readonly DocInfo[],
  passageIndex: PassageIndex,
  tuning: Tuning,
): number {
  work.reserve(count);
  const { candidates, docAt, bm25, explained, reading, read } = work;
  const maxBm25 = bm25[candidates[0]!]!;
  const bigramCount = queryBigrams(work, slots);
  reading.clear(slots.length, totalInfo);
  for (let si = 0; si < slots.length; si++) {
    const slot = slots[si]!;
    reading.info[si] = slot.info;
    for (let a = 0; a < slot.alts.length; a++) reading.add(slot.alts[a]!.term, si, slot.alts[a]!.weight);
  }
  reading.finish();
  const { rank } = tuning;
  for (let c = 0; c < count; c++) {
    const at = candidates[c]!;
    const doc = docAt[at]!;
    const coverage = explained[at]! / totalInfo;
    const evidence = 1 - Math.exp(-explained[at]! / 4);
    readPassages(passageIndex, doc, reading, read);
    const passage = read.passage / totalInfo;
    const questionMatch = read.phrasing;
    let shared = 0;
    for (let b = 0; b < bigramCount; b++) if (hasKey(docs[doc]!.bigrams, work.bigrams[b]!)) shared++;
    const phrase = bigramCount === 0 ? 0 : shared / bigramCount;
    work.rankedDoc[c] = doc;
    work.score[c] =
      (rank.bm25 * bm25[at]!) / maxBm25 +
      rank.coverage * coverage +
      rank.question * questionMatch +
      rank.phrase * phrase +
      rank.passage * passage;
    work.coverage[c] = coverage;
    work.questionMatch[c] = questionMatch;
    work.evidence[c] = evidence;
    work.passage[c] = passage;
  }
  return topPositions(work.score, count, count, work.order);
}

/** Keys of the pairs of adjacent question words the index knows, into the workspace; returns how many. */
function queryBigrams(work: Workspace, slots: readonly Slot[]): number {
  if (slots.length > work.bigrams.length) work.bigrams = new Float64Array(2 * slots.length);
  let count = 0;
  for (let i = 1; i < slots.length; i++) {
    const a = slots[i - 1]!.stemId;
    const b = slots[i]!.stemId;
    if (a >= 0 && b >= 0) work.bigrams[count++] = a * pairBase + b;
  }
  return count;
}

/** Adds `term` as an alternative for a query word, when the index knows it. */
function addAlt(
  alts: Slot['alts'],
  termIds: ReadonlyMap<string, number>,
  idf: Float64Array,
  term: string,
  weight: number,
): void {
  const id = termIds.get(term);
  if (id !== undefined) alts.push({ term: id, weight, idf: idf[id]! });
}

function hasKey(sorted: Float64Array, key: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === key) return true;
    if (v < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
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

/** Confidence from the signals (see `ConfidenceSignals`): a logistic model, so it reads as the chance the answer is right. */
function confidenceOf(
  tuning: Tuning,
  coverage: number,
  questionMatch: number,
  margin: number,
  unknown: number,
  evidence: number,
  passage: number,
): number {
  const w = tuning.confidence;
  const z =
    w.bias +
    w.coverage * coverage +
    w.question * questionMatch +
    w.margin * margin +
    w.unknown * unknown +
    w.evidence * evidence +
    w.passage * passage;
  return 1 / (1 + Math.exp(-z));
}

/**
 * Whether the top article is clearly ahead: two neighbouring articles scoring nearly the same (joining a meeting
 * from the room vs. fixing the room's screen) is when a confident-looking answer is most often the wrong one, so
 * the bot asks which one is meant unless it is very sure.
 */
/** The thresholds of the three outcomes (see docs/answering.md §3). */
export interface OutcomeThresholds {
  /** Answer at or above this confidence… */
  answer: number;
  /** …when the top article leads the runner-up by at least this share… */
  margin: number;
  /** …or its confidence reaches this. */
  sure: number;
  /** Offer choices when the top article reaches this; the next ones join at `offerOthers`. */
  offerMin: number;
  offerOthers: number;
}

/**
 * The outcome for ranked hits: answered directly, or the hits offered as "is it one of these?" (none: abstain).
 * The one place the thresholds decide, shared with the calibration search that chooses them.
 */
export function outcomeOf<H extends { confidence: number }>(
  hits: readonly H[],
  margin: number,
  t: OutcomeThresholds,
): { answered: boolean; offered: H[] } {
  const top = hits[0];
  if (!top) return { answered: false, offered: [] };
  const clearLead = margin >= t.margin || top.confidence >= t.sure;
  if (top.confidence >= t.answer && clearLead) return { answered: true, offered: [] };
  if (top.confidence < t.offerMin) return { answered: false, offered: [] };
  return {
    answered: false,
    offered: [top, ...hits.slice(1, maxOffered).filter((h) => h.confidence >= t.offerOthers)],
  };
}

/** Splits text into sentences and list items. */
function sentences(text: string): string[] {
  return text.split(/\n+|(?<=[.!?])\s+(?=[A-Z0-9*_`"])/).filter((s) => s.trim().length > 0);
}
