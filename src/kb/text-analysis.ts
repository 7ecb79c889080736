// Turns text into search terms: lower case, accents folded, stop words marked, words stemmed (Porter), typos
// corrected against a vocabulary, and synonym phrases recognised as shared concepts.
import { stemmer } from 'stemmer';

// Words that carry no topic in help questions ("how do I ...", "can you help me ...", "sooo slow today").
// Negations and vague verbs are here too: they shape a sentence but do not say what it is about. Phrases that
// need them ("not working", "can't remember") are still recognised, because synonyms match on every token.
const stopWords = new Set(
  `a an the and or but if then so of to in on at by for with from into onto about as is are was were be been being
  am do does did done doing have has had having i me my mine myself you your yours we our us they them their it its
  this that these those there here what which who whom whose when where why how can could would should will shall
  may might must just please pls plz hi hello hey thanks thank thx ok okay im ive ill dont cant wont isnt arent
  doesnt didnt couldnt shouldnt wouldnt havent hasnt wasnt werent aint youre youve theyre thats theres whats wheres
  hows whos its lets get got getting gets gotten any some again still also very really too much many all up out
  over off than need needs needed want wants wanted know tell help someone somebody anyone anything something
  thing things way ways one use using used not no nothing never now today tonight tomorrow yesterday currently
  anymore already yet even ever just every everything everyone else like likes sure maybe perhaps kind sort lot
  lots bit little quite pretty super actually literally totally seriously guys folks oops ugh argh lol omg
  sooo soo sooooo pls asap try tried trying going go goes gone went come comes coming came make
  makes making made let question questions ask asking wondering idea
  able unable possible via per etc best there around should shall would almost nearly basically lately recently
  suddenly constantly randomly always often sometimes usually morning afternoon evening ago soon
  he him his himself she her hers herself itself yourself yourselves ourselves themselves
  because before after during while since until though although whether through across between within without
  upon toward towards under both each either neither nor another other others same such`.split(/\s+/),
);

/** Splits text into lower-case word tokens (letters and digits), accents folded; "wi-fi" and "e-mail" join up. */
export function tokenize(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’'`]s\b/g, '')
    .replace(/[’'`]/g, '')
    .replace(/\b(\p{L}{1,2})-(\p{L}+)\b/gu, '$1$2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0 && t.length < 40);
}

/** True for words that carry no topic. */
export function isStopWord(token: string): boolean {
  return stopWords.has(token);
}

/**
 * The stop word a short misspelt word was meant to be ("hwo", "teh", "yuor", "waht"): one edit away (a swap of
 * neighbours counts as one) and with the same first letter, as for other short typos; undefined when none is.
 */
export function misspeltStopWord(word: string): string | undefined {
  if (word.length < 3 || word.length > 5) return undefined;
  for (const stop of stopWords) {
    if (stop[0] === word[0] && Math.abs(stop.length - word.length) <= 1 && editDistance(word, stop, 1) <= 1)
      return stop;
  }
  return undefined;
}

/** The stem of a token; short tokens and tokens with digits are kept as they are. */
export function stem(token: string): string {
  if (token.length <= 3 || /\d/.test(token)) return token;
  let stemmed = stemCache.get(token);
  if (stemmed === undefined) {
    // Words repeat a lot across a knowledge base; the cache is bounded so odd input cannot grow it forever.
    if (stemCache.size >= 50_000) stemCache.clear();
    stemmed = stemmer(token);
    stemCache.set(token, stemmed);
  }
  return stemmed;
}

const stemCache = new Map<string, string>();

/** Search terms of a text: tokens without stop words, stemmed. */
export function terms(text: string): string[] {
  return tokenize(text)
    .filter((t) => !isStopWord(t))
    .map(stem);
}

/** One analysed token: the word as typed, its stem, and whether it carries a topic. */
export interface Token {
  word: string;
  stem: string;
  stop: boolean;
  /** Edits by which a misspelt word was corrected into this one; absent when it was read as typed. */
  typo?: number;
}

/** Tokenizes and stems `text`, keeping stop words (marked) so phrases can still be recognised. */
export function analyse(text: string): Token[] {
  return tokenize(text).map((word) => ({ word, stem: stem(word), stop: isStopWord(word) }));
}

/** A recognised synonym phrase: the concept it stands for and the token positions it spans. */
export interface ConceptMatch {
  concept: string;
  start: number;
  end: number;
}

/**
 * Recognises synonym phrases in a stem sequence. Each group of synonyms becomes one concept token ("~wifi");
 * a phrase matches on consecutive stems, longest phrase first, so "out of office" never fires on "office".
 */
export class ConceptMatcher {
  readonly #phrases = new Map<string, { concept: string; stems: string[] }[]>();
  readonly #words = new Set<string>();

  /** `groups` are lists of equivalent words and phrases, as written in `_synonyms.yaml`. */
  constructor(groups: readonly (readonly string[])[]) {
    for (const group of groups) {
      const members = group.map((phrase) => analyse(phrase)).filter((tokens) => tokens.length > 0);
      if (members.length < 2) continue;
      const concept = `~${members[0]!.map((t) => t.stem).join('_')}`;
      for (const tokens of members) {
        const stems = tokens.map((t) => t.stem);
        const first = stems[0]!;
        const list = this.#phrases.get(first) ?? [];
        if (!list.some((p) => p.concept === concept && p.stems.join(' ') === stems.join(' '))) {
          list.push({ concept, stems });
        }
        list.sort((a, b) => b.stems.length - a.stems.length);
        this.#phrases.set(first, list);
        for (const t of tokens) this.#words.add(t.word);
      }
    }
  }

  /** True when no synonym group is loaded. */
  get empty(): boolean {
    return this.#phrases.size === 0;
  }

  /** Every word that appears in some synonym, so a typo can be corrected towards it. */
  get words(): ReadonlySet<string> {
    return this.#words;
  }

  /** The concepts in a stem sequence. A stop word alone never makes a concept. */
  match(stems: readonly string[], stop: readonly boolean[] = []): ConceptMatch[] {
    const out: ConceptMatch[] = [];
    for (let i = 0; i < stems.length; i++) {
      const candidates = this.#phrases.get(stems[i]!);
      if (!candidates) continue;
      const seen = new Set<string>();
      for (const { concept, stems: phrase } of candidates) {
        if (seen.has(concept) || i + phrase.length > stems.length) continue;
        if (phrase.length === 1 && stop[i]) continue;
        let ok = true;
        for (let k = 1; k < phrase.length && ok; k++) ok = stems[i + k] === phrase[k];
        if (!ok) continue;
        seen.add(concept);
        out.push({ concept, start: i, end: i + phrase.length });
      }
    }
    return out;
  }
}

/**
 * Optimal-string-alignment distance between `a` and `b` (insertions, deletions, substitutions and swaps of two
 * neighbouring letters each cost 1), or `max + 1` as soon as it must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** How many typing mistakes a word of this length may carry and still be corrected. */
export function typoBudget(word: string): number {
  if (word.length >= 9) return 2;
  if (word.length >= 5) return 1;
  return 0;
}
