// The knowledge-base search: a BM25 index (MiniSearch) over title, questions, tags and body, with stemming,
// typo tolerance, synonym expansion and a calibrated confidence that decides when to abstain.
import MiniSearch, { type SearchResult as MiniResult } from 'minisearch';
import type { Article } from './article.ts';
import type { SynonymGroups } from './load-kb.ts';
import { stem, terms, tokenize } from './text-analysis.ts';

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
}

/** A searchable knowledge base. */
export interface KbIndex {
  readonly articles: readonly Article[];
  get(id: string): Article | undefined;
  search(query: string, options?: { limit?: number }): SearchOutcome;
}

/** Confidence below which the bot says it does not know. Tuned on an independent evaluation set. */
export const defaultMinConfidence = 0.5;

interface IndexedDoc {
  id: string;
  title: string;
  questions: string;
  tags: string;
  body: string;
}

const fields = ['title', 'questions', 'tags', 'body'] as const;

/** Builds the index. `minConfidence` overrides the abstain threshold. */
export function buildIndex(
  articles: readonly Article[],
  synonyms: SynonymGroups = [],
  options: { minConfidence?: number | undefined } = {},
): KbIndex {
  const minConfidence = options.minConfidence ?? defaultMinConfidence;
  const byId = new Map(articles.map((a) => [a.id, a]));
  const synonymsOf = synonymMap(synonyms);
  const mini = new MiniSearch<IndexedDoc>({
    fields: [...fields],
    storeFields: [],
    tokenize,
    processTerm: (term) => {
      const t = stem(term);
      return t.length > 0 && !isNoise(term) ? t : null;
    },
    searchOptions: {
      boost: { title: 3, questions: 2.5, tags: 2, body: 1 },
      fuzzy: (term) => (term.length >= 5 ? 0.2 : term.length >= 4 ? 1 : false),
      prefix: (term) => term.length >= 4,
      weights: { fuzzy: 0.45, prefix: 0.3 },
      combineWith: 'OR',
    },
  });
  mini.addAll(
    articles.map((a) => ({
      id: a.id,
      title: a.title,
      questions: a.questions.join('\n'),
      tags: a.tags.join(' '),
      body: [a.intro, ...a.sections.map((s) => `${s.heading}\n${s.text}`)].join('\n'),
    })),
  );

  return {
    articles,
    get: (id) => byId.get(id),
    search(query, { limit = 5 } = {}) {
      const queryTerms = unique(terms(query));
      if (queryTerms.length === 0) return { query, hits: [], answered: false, confidence: 0 };
      const expanded = expandSynonyms(queryTerms, synonymsOf);
      const results = mini.search(expanded.join(' '), {
        processTerm: (t) => stem(t.toLowerCase()),
        tokenize: (t) => t.split(' '),
        boostTerm: (term) => (queryTerms.includes(term) ? 1 : 0.6),
      });
      const hits = results.slice(0, limit).map((r, i) => {
        const article = byId.get(String(r.id))!;
        return { article, score: r.score, confidence: confidenceOf(r, results[i + 1], queryTerms) };
      });
      const top = hits[0];
      const confidence = top?.confidence ?? 0;
      return { query, hits, answered: confidence >= minConfidence, confidence };
    },
  };
}

/** Tokens that are never a topic on their own (single letters, pure punctuation already removed). */
function isNoise(token: string): boolean {
  return token.length < 2 && !/\d/.test(token);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function synonymMap(groups: SynonymGroups): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const group of groups) {
    const stemmed = group.map((phrase) => terms(phrase).join(' ')).filter(Boolean);
    for (const s of stemmed) {
      map.set(s, unique([...(map.get(s) ?? []), ...stemmed.filter((o) => o !== s)]));
    }
  }
  return map;
}

/** Adds the synonyms of each query term and of each adjacent pair ("locked out"). */
function expandSynonyms(queryTerms: string[], synonymsOf: Map<string, string[]>): string[] {
  const out = [...queryTerms];
  for (let i = 0; i < queryTerms.length; i++) {
    for (const key of [queryTerms[i]!, `${queryTerms[i]} ${queryTerms[i + 1] ?? ''}`.trim()]) {
      for (const syn of synonymsOf.get(key) ?? []) out.push(...syn.split(' '));
    }
  }
  return unique(out);
}

/**
 * A confidence between 0 and 1 from how much of the question the best article covers and how clearly it
 * beats the runner-up. Raw BM25 scores are not comparable across questions; these two signals are.
 */
function confidenceOf(hit: MiniResult, next: MiniResult | undefined, queryTerms: string[]): number {
  const matched = new Set(hit.queryTerms.map((t) => t.toLowerCase()));
  const direct = queryTerms.filter((t) => matched.has(t)).length;
  const coverage = queryTerms.length === 0 ? 0 : (direct + 0.5 * Math.max(0, matched.size - direct)) / queryTerms.length;
  const margin = next ? Math.min(1, (hit.score - next.score) / hit.score) : 1;
  const strength = 1 - Math.exp(-hit.score / 8);
  return clamp01(0.55 * Math.min(1, coverage) + 0.25 * strength + 0.2 * margin);
}

function clamp01(n: number): number {
  return Math.max(0, Math.min(1, n));
}
