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

/** The signals `readPassages` gives for one article. */
export interface PassageReading {
  passage: number;
  phrasing: number;
}

/**
 * The question, as reading passages needs it: its term ids, and for each the slots (content words of the question)
 * it stands for with the weight of that match. A search index keeps one and refills it for every question
 * (`clear`, then `add` for each term of each slot, then `finish`): making one per question, with its working
 * space, was a large share of the garbage answering made. Reuse is safe because a search reads synchronously and
 * nothing read from here outlives the question.
 */
export class PassageQuery {
  readonly idf: Float64Array;
  /** Information of each slot: the first `slotCount` entries. */
  info = new Float64Array(8);
  slotCount = 0;
  /** The question's information: the sum of `info` in slot order. */
  totalInfo = 0;
  /** The question's distinct term ids, ascending (so `has` can search them): the first `termCount` entries. */
  terms = new Int32Array(8);
  termCount = 0;
  /** Question term `terms[t]` stands for the matches from `matchesOf[t]` up to `matchesOf[t + 1]`. */
  matchesOf = new Int32Array(9);
  /** The slot and weight of each match, grouped by term, each term's in the order they were added. */
  matchSlot = new Int32Array(8);
  matchWeight = new Float64Array(8);
  matchCount = 0;
  /** Working space of each article read: allocating it per article was a large part of the cost. */
  covered = new Float64Array(8);
  next = new Int32Array(8);
  stop = new Int32Array(8);
  /** The matches as added, to be grouped by `finish`. */
  #addedTerm = new Int32Array(8);
  #addedSlot = new Int32Array(8);
  #addedWeight = new Float64Array(8);
  #order = new Float64Array(8);

  constructor(idf: Float64Array) {
    this.idf = idf;
  }

  /** Starts a question of `slotCount` slots, each with no information until set in `info`. */
  clear(slotCount: number, totalInfo: number): void {
    if (slotCount > this.info.length) {
      this.info = new Float64Array(2 * slotCount);
      this.covered = new Float64Array(2 * slotCount);
    }
    this.info.fill(0, 0, slotCount);
    this.slotCount = slotCount;
    this.totalInfo = totalInfo;
    this.matchCount = 0;
    this.termCount = 0;
  }

  /** Term `term` stands for slot `slot` with `weight`. */
  add(term: number, slot: number, weight: number): void {
    const at = this.matchCount++;
    if (at === this.#addedTerm.length) this.#grow(2 * at);
    this.#addedTerm[at] = term;
    this.#addedSlot[at] = slot;
    this.#addedWeight[at] = weight;
  }

  /** Groups the matches by term. */
  finish(): void {
    const count = this.matchCount;
    // One numeric sort, on term then order of addition: a plain typed-array sort allocates nothing in the heap.
    // Exact while term id × matches stays under 2^53, far beyond any question.
    const base = 2 ** Math.ceil(Math.log2(count + 1));
    const order = this.#order;
    for (let i = 0; i < count; i++) order[i] = this.#addedTerm[i]! * base + i;
    order.subarray(0, count).sort();
    let terms = 0;
    for (let j = 0; j < count; j++) {
      const i = order[j]! % base;
      const term = this.#addedTerm[i]!;
      if (terms === 0 || this.terms[terms - 1] !== term) {
        this.terms[terms] = term;
        this.matchesOf[terms++] = j;
      }
      this.matchSlot[j] = this.#addedSlot[i]!;
      this.matchWeight[j] = this.#addedWeight[i]!;
    }
    this.matchesOf[terms] = count;
    this.termCount = terms;
  }

  /** True when `term` is one of the question's. */
  has(term: number): boolean {
    return find(this.terms, term, 0, this.termCount) >= 0;
  }

  #grow(capacity: number): void {
    const addedTerm = new Int32Array(capacity);
    const addedSlot = new Int32Array(capacity);
    const addedWeight = new Float64Array(capacity);
    addedTerm.set(this.#addedTerm);
    addedSlot.set(this.#addedSlot);
    addedWeight.set(this.#addedWeight);
    this.#addedTerm = addedTerm;
    this.#addedSlot = addedSlot;
    this.#addedWeight = addedWeight;
    // A question has no more terms than matches: the rest is sized to the matches, and refilled by `finish`.
    this.#order = new Float64Array(capacity);
    this.terms = new Int32Array(capacity);
    this.matchesOf = new Int32Array(capacity + 1);
    this.matchSlot = new Int32Array(capacity);
    this.matchWeight = new Float64Array(capacity);
    this.next = new Int32Array(capacity);
    this.stop = new Int32Array(capacity);
  }
}

/** A question for reading passages, from a map of each of its term ids to the slots the term stands for. */
export function passageQuery(
  slotOfTerm: ReadonlyMap<number, readonly { slot: number; weight: number }[]>,
  info: Float64Array,
  totalInfo: number,
  idf: Float64Array,
): PassageQuery {
  const query = new PassageQuery(idf);
  query.clear(info.length, totalInfo);
  query.info.set(info);
  for (const [term, matches] of slotOfTerm)
    for (const { slot, weight } of matches) query.add(term, slot, weight);
  query.finish();
  return query;
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
 *
 * The signals are written into `into` and it is returned, so a search reading dozens of articles can pass one
 * object for them all.
 */
export function readPassages(
  index: PassageIndex,
  doc: number,
  query: PassageQuery,
  into: PassageReading = { passage: 0, phrasing: 0 },
): PassageReading {
  const { termsOf, firstsOf, firsts } = index;
  const { terms, termCount, matchesOf, matchSlot, matchWeight, info, slotCount, covered, next, stop } = query;
  // Each question term's first occurrences in the article, ascending: merged below into reading order.
  for (let t = 0; t < termCount; t++) {
    const k = find(index.terms, terms[t]!, termsOf[doc]!, termsOf[doc + 1]!);
    next[t] = k < 0 ? 0 : firstsOf[k]!;
    stop[t] = k < 0 ? 0 : firstsOf[k + 1]!;
  }
  let best = 0;
  let bestPhrasing = 0;
  let passage = -1;
  let end = 0;
  let current = 0;
  for (;;) {
    let term = -1;
    let offset = 0;
    for (let t = 0; t < termCount; t++) {
      if (next[t]! < stop[t]! && (term < 0 || firsts[next[t]!]! < offset)) {
        term = t;
        offset = firsts[next[t]!]!;
      }
    }
    // Past the last occurrence, or into a new passage: the one being read is complete.
    if ((term < 0 || offset >= end) && passage >= 0) {
      if (current > best) best = current;
      const similarity = phrasingSimilarity(index, doc, query, passage, current);
      if (similarity > bestPhrasing) bestPhrasing = similarity;
    }
    if (term < 0) break;
    next[term]!++;
    if (offset >= end) {
      const at = passageAt(index, doc, offset);
      passage = at - index.passagesOf[doc]!;
      end = index.passageStarts[at + 1]!;
      // A loop: `fill` costs more than it does for the few slots of a question.
      for (let s = 0; s < slotCount; s++) covered[s] = 0;
      current = 0;
    }
    for (let j = matchesOf[term]!; j < matchesOf[term + 1]!; j++) {
      const slot = matchSlot[j]!;
      const weight = matchWeight[j]!;
      if (weight > covered[slot]!) {
        current += info[slot]! * (weight - covered[slot]!);
        covered[slot] = weight;
      }
    }
  }
  into.passage = best;
  into.phrasing = bestPhrasing;
  return into;
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
    if (!query.has(id)) extra += query.idf[id]!;
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
