// The general IT lexicon: everyday phrases (symptoms, life events, brands, slang, abbreviations) read as the words
// IT articles use. One way only, unlike synonyms: it rewrites questions, never articles.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { KbError } from '../errors.ts';
import { analyse, type Token } from './text-analysis.ts';

/** The product's lexicon, kept as data beside the built-in synonym list. */
export const builtInLexiconFile = fileURLToPath(new URL('../../kb/_lexicon.yaml', import.meta.url));

interface Entry {
  stems: string[];
  replacement: Token[];
}

/** Recognises lexicon phrases in an analysed question and adds the IT words they stand for. */
export class Lexicon {
  readonly #byFirst = new Map<string, Entry[]>();
  readonly #stems = new Set<string>();
  readonly #words = new Set<string>();

  /** `entries` maps a phrase people use to the words an article would use, as in `_lexicon.yaml`. */
  constructor(entries: Readonly<Record<string, string>>) {
    for (const [phrase, words] of Object.entries(entries)) {
      const stems = analyse(phrase).map((t) => t.stem);
      const replacement = analyse(words);
      if (stems.length === 0 || replacement.length === 0) continue;
      for (const stem of stems) this.#stems.add(stem);
      for (const t of analyse(phrase)) if (!t.stop && t.word.length >= 5) this.#words.add(t.word);
      const list = this.#byFirst.get(stems[0]!) ?? [];
      list.push({ stems, replacement });
      // Longest phrase first, so "no signal" wins over a one-word entry starting the same way.
      list.sort((a, b) => b.stems.length - a.stems.length);
      this.#byFirst.set(stems[0]!, list);
    }
  }

  /** True when `stem` is a word of one of its phrases: such a word is read by the lexicon, not corrected. */
  hasWord(stem: string): boolean {
    return this.#stems.has(stem);
  }

  /** The words of its phrases (five letters or more, stop words aside): what a typo may have been meant as. */
  get words(): ReadonlySet<string> {
    return this.#words;
  }

  /** How many phrases it knows. */
  get size(): number {
    let n = 0;
    for (const list of this.#byFirst.values()) n += list.length;
    return n;
  }

  /**
   * The question's tokens with each recognised phrase followed by the words it stands for. A phrase word the
   * knowledge base does not use becomes a stop word: the lexicon has explained it, so it must not count as an
   * unknown topic; a word the knowledge base does use keeps counting as itself.
   */
  rewrite(tokens: readonly Token[], known: (token: Token) => boolean): Token[] {
    if (this.#byFirst.size === 0) return tokens as Token[];
    let out: Token[] | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const entry = this.#match(tokens, i);
      if (!entry) {
        out?.push(tokens[i]!);
        continue;
      }
      out ??= tokens.slice(0, i);
      for (let k = 0; k < entry.stems.length; k++) {
        const t = tokens[i + k]!;
        out.push(t.stop || known(t) ? t : { ...t, stop: true });
      }
      out.push(...entry.replacement);
      i += entry.stems.length - 1;
    }
    return out ?? (tokens as Token[]);
  }

  #match(tokens: readonly Token[], at: number): Entry | undefined {
    const candidates = this.#byFirst.get(tokens[at]!.stem);
    if (!candidates) return undefined;
    for (const entry of candidates) {
      if (at + entry.stems.length > tokens.length) continue;
      let ok = true;
      for (let k = 1; k < entry.stems.length && ok; k++) ok = tokens[at + k]!.stem === entry.stems[k];
      if (ok) return entry;
    }
    return undefined;
  }
}

/** Reads a lexicon file: `entries:` mapping phrases to words. Throws KbError saying what is wrong. */
export function readLexicon(file: string): Lexicon {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KbError(`${file}: cannot read the lexicon (${(error as Error).message.split('\n')[0]}).`, {
      cause: error,
    });
  }
  const entries = (data as { entries?: unknown } | null)?.entries;
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) {
    throw new KbError(`${file}: expected an "entries:" map of phrase: words.`);
  }
  const clean: Record<string, string> = {};
  for (const [phrase, words] of Object.entries(entries)) {
    if (typeof words === 'string' || typeof words === 'number') clean[phrase.toLowerCase()] = String(words);
  }
  return new Lexicon(clean);
}

let builtIn: Lexicon | undefined;

/** The product's lexicon, read once. */
export function builtInLexicon(): Lexicon {
  builtIn ??= readLexicon(builtInLexiconFile);
  return builtIn;
}
