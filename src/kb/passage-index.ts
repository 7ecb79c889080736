// Reading an article passage by passage for one question. Re-ranking reads dozens of articles per question, so
// where each term occurs is worked out once, when the articles are indexed: a question then costs work in
// proportion to its own terms, not to the length of the articles it is checked against.

/**
 * Where the terms of each article occur, passage by passage (the title, a listed question, a tag, a sentence).
 * Only the first occurrence of a term in a passage can add to what the passage explains, so only those are kept,
 * as offsets in the article's token stream (its term ids in reading order, one separator after each passage).
 *
 * The articles share flat arrays, each `…Of` array giving where an article's (or an entry's) part of the next
 * array starts, then where the last one ends: an index holds thousands of articles, and thousands of small
 * arrays would weigh more than their contents.
 */
export interface PassageIndex {
  /** Article `d` has the entries of `terms` from `termsOf[d]` up to `termsOf[d + 1]`. */
  termsOf: Int32Array;
  /** Each article's distinct term ids, ascending. */
  terms: Int32Array;
  /** The entry `terms[k]` has the first occurrences in `firsts` from `firstsOf[k]` up to `firstsOf[k + 1]`. */
  firstsOf: Int32Array;
  /** Offsets of a term's first occurrence in each passage using it, ascending. */
  firsts: Int32Array;
  /** Article `d` has the entries of `passageStarts` from `passagesOf[d]` up to `passagesOf[d + 1]`. */
  passagesOf: Int32Array;
  /** The offset where each passage of an article starts, then the length of its token stream. */
  passageStarts: Int32Array;
  /** Article `d` has the entries of `phrasingPassages` from `phrasingOf[d]` up to `phrasingOf[d + 1]`. */
  phrasingOf: Int32Array;
  /** The numbers of an article's phrasing passages (title, listed questions), ascending. */
  phrasingPassages: Int32Array;
  /** The phrasing passage `phrasingPassages[j]` has the terms from `phrasingTermsOf[j]` to `phrasingTermsOf[j + 1]`. */
  phrasingTermsOf: Int32Array;
  /** The distinct non-concept terms of each phrasing passage, in reading order. */
  phrasingTerms: Int32Array;
}

/** The question, as reading passages needs it; made once per question by `passageQuery` for every article read. */
export interface PassageQuery {
  /** The question's term ids. */
  terms: Int32Array;
  /** For each of `terms`, the slots (content words of the question) it stands for and the weight of that match. */
  slotsOf: { slot: number; weight: number }[][];
  /** Which slots each term id stands for: a phrasing term missing here is wording the question lacks. */
  slotOfTerm: ReadonlyMap<number, unknown>;
  /** Information of each slot. */
  info: Float64Array;
  /** The question's information: the sum of `info` in slot order. */
  totalInfo: number;
  idf: Float64Array;
  /** Working space, reused by each article read: allocating it per article was a large part of the cost. */
  scratch: { covered: Float64Array; next: Int32Array; stop: Int32Array };
}

/** Prepares a question for reading articles: `slotOfTerm` maps each of its term ids to the slots it stands for. */
export function passageQuery(
  slotOfTerm: ReadonlyMap<number, { slot: number; weight: number }[]>,
  info: Float64Array,
  totalInfo: number,
  idf: Float64Array,
): PassageQuery {
  return {
    terms: Int32Array.from(slotOfTerm.keys()),
    slotsOf: [...slotOfTerm.values()],
    slotOfTerm,
    info,
    totalInfo,
    idf,
    scratch: {
      covered: new Float64Array(info.length),
      next: new Int32Array(slotOfTerm.size),
      stop: new Int32Array(slotOfTerm.size),
    },
  };
}

/** One article to index: its token stream (term ids, -1 closing each passage) and which passages are phrasing. */
export interface ArticleTokens {
  tokens: Int32Array;
  /** 1 for the passages whose wording is compared with the question's (title, listed questions). */
  phrasing: Uint8Array;
}

/** Indexes the articles' passages. `isConcept` flags the synonym-concept terms (one entry per term id). */
export function indexPassages(articles: readonly ArticleTokens[], isConcept: Uint8Array): PassageIndex {
  const longest = articles.reduce((m, a) => Math.max(m, a.tokens.length), 0);
  // Working space by term id and by token, reused for every article: building makes next to no garbage.
  const seenIn = new Int32Array(isConcept.length).fill(-1);
  const uses = new Int32Array(isConcept.length);
  const next = new Int32Array(isConcept.length);
  const reading = new Int32Array(longest);
  const grouped = new Int32Array(longest);
  const distinct = new Int32Array(longest);
  const termsOf = new Column();
  const terms = new Column();
  const firstsOf = new Column();
  const firsts = new Column();
  const passagesOf = new Column();
  const passageStarts = new Column();
  const phrasingOf = new Column();
  const phrasingPassages = new Column();
  const phrasingTermsOf = new Column();
  const phrasingTerms = new Column();
  termsOf.push(0);
  firstsOf.push(0);
  passagesOf.push(0);
  phrasingOf.push(0);
  phrasingTermsOf.push(0);
  // Numbers every passage of every article, so `seenIn` never needs clearing.
  let stamp = 0;
  for (const { tokens, phrasing } of articles) {
    let passage = 0;
    let count = 0;
    let kinds = 0;
    passageStarts.push(0);
    for (let offset = 0; offset < tokens.length; offset++) {
      const id = tokens[offset]!;
      if (id === -1) {
        if (phrasing[passage]) {
          phrasingPassages.push(passage);
          phrasingTermsOf.push(phrasingTerms.length);
        }
        passage++;
        stamp++;
        passageStarts.push(offset + 1);
        continue;
      }
      if (seenIn[id] === stamp) continue;
      seenIn[id] = stamp;
      reading[count++] = offset;
      if (uses[id] === 0) distinct[kinds++] = id;
      uses[id]!++;
      if (phrasing[passage] && !isConcept[id]) phrasingTerms.push(id);
    }
    // Group the first occurrences by term, keeping each group in reading order.
    const sorted = distinct.subarray(0, kinds).sort();
    let at = 0;
    for (const id of sorted) {
      terms.push(id);
      next[id] = at;
      at += uses[id]!;
      uses[id] = 0;
      firstsOf.push(firsts.length + at);
    }
    for (let i = 0; i < count; i++) {
      const offset = reading[i]!;
      const id = tokens[offset]!;
      grouped[next[id]!++] = offset;
    }
    for (let i = 0; i < count; i++) firsts.push(grouped[i]!);
    termsOf.push(terms.length);
    passagesOf.push(passageStarts.length);
    phrasingOf.push(phrasingPassages.length);
  }
  return {
    termsOf: termsOf.done(),
    terms: terms.done(),
    firstsOf: firstsOf.done(),
    firsts: firsts.done(),
    passagesOf: passagesOf.done(),
    passageStarts: passageStarts.done(),
    phrasingOf: phrasingOf.done(),
    phrasingPassages: phrasingPassages.done(),
    phrasingTermsOf: phrasingTermsOf.done(),
    phrasingTerms: phrasingTerms.done(),
  };
}

/** A growing Int32Array, trimmed when done; `transfer` frees each outgrown buffer at once, not at the next GC. */
class Column {
  private data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length)
      this.data = new Int32Array(this.data.buffer.transfer(8 * this.length));
    this.data[this.length++] = value;
  }
  done(): Int32Array {
    return new Int32Array(this.data.buffer.transfer(4 * this.length));
  }
}

/**
 * Reads article `doc` passage by passage and returns two signals: `passage`, the question's information
 * explained by the single best passage (words that belong together in a question also appear together in the
 * right article); and `phrasing`, how well the question matches the closest of the title and listed questions:
 * shared information over the question's information plus half of what the phrasing says that the question
 * does not.
 *
 * Only passages holding a question term can score, so only those are visited. Within a passage the question's
 * terms are taken in reading order, which adds everything up in the same order as reading the passage token by
 * token did: the signals are exactly the same, to the last bit.
 */
export function readPassages(
  index: PassageIndex,
  doc: number,
  query: PassageQuery,
): { passage: number; phrasing: number } {
  const { termsOf, firstsOf, firsts } = index;
  const { terms, slotsOf, info } = query;
  const { covered, next, stop } = query.scratch;
  // Each question term's first occurrences in the article, ascending: merged below into reading order.
  terms.forEach((term, t) => {
    const k = find(index.terms, term, termsOf[doc]!, termsOf[doc + 1]!);
    next[t] = k < 0 ? 0 : firstsOf[k]!;
    stop[t] = k < 0 ? 0 : firstsOf[k + 1]!;
  });
  let best = 0;
  let bestPhrasing = 0;
  let passage = -1;
  let end = 0;
  let current = 0;
  const close = () => {
    if (current > best) best = current;
    const similarity = phrasingSimilarity(index, doc, query, passage, current);
    if (similarity > bestPhrasing) bestPhrasing = similarity;
  };
  for (;;) {
    let term = -1;
    let offset = 0;
    for (let t = 0; t < terms.length; t++) {
      if (next[t]! < stop[t]! && (term < 0 || firsts[next[t]!]! < offset)) {
        term = t;
        offset = firsts[next[t]!]!;
      }
    }
    if (term < 0) break;
    next[term]!++;
    if (offset >= end) {
      if (passage >= 0) close();
      const at = passageAt(index, doc, offset);
      passage = at - index.passagesOf[doc]!;
      end = index.passageStarts[at + 1]!;
      // A loop: `fill` costs more than it does for the few slots of a question.
      for (let s = 0; s < covered.length; s++) covered[s] = 0;
      current = 0;
    }
    for (const { slot, weight } of slotsOf[term]!) {
      if (weight > covered[slot]!) {
        current += info[slot]! * (weight - covered[slot]!);
        covered[slot] = weight;
      }
    }
  }
  if (passage >= 0) close();
  return { passage: best, phrasing: bestPhrasing };
}

/** Where the passage of article `doc` holding the token at `offset` is in `passageStarts`. */
function passageAt(index: PassageIndex, doc: number, offset: number): number {
  const { passagesOf, passageStarts } = index;
  // The last passage starting at or before `offset`; passages left empty start where the next one does.
  let lo = passagesOf[doc]!;
  let hi = passagesOf[doc + 1]! - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (passageStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** For a phrasing passage, `current` over the question's information plus half of what only the passage says. */
function phrasingSimilarity(
  index: PassageIndex,
  doc: number,
  query: PassageQuery,
  passage: number,
  current: number,
): number {
  const { phrasingOf, phrasingTermsOf, phrasingTerms } = index;
  const j = find(index.phrasingPassages, passage, phrasingOf[doc]!, phrasingOf[doc + 1]!);
  if (j < 0) return 0;
  let extra = 0;
  for (let i = phrasingTermsOf[j]!; i < phrasingTermsOf[j + 1]!; i++) {
    const id = phrasingTerms[i]!;
    if (!query.slotOfTerm.has(id)) extra += query.idf[id]!;
  }
  return query.totalInfo + extra === 0 ? 0 : current / (query.totalInfo + 0.5 * extra);
}

/** Index of `key` in `sorted`, which is ascending from `from` up to `to`; -1 when it is not there. */
function find(sorted: Int32Array, key: number, from: number, to: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === key) return mid;
    if (v < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
