// Repairs the spacing slips of fast typing before a question is read: a missing space ("sharedmailbox",
// "resetmy") and a stray one ("up date", "mai lbox"). Character typos are the typo corrector's job; these are not
// within its reach, because one missing space can hide two correct words.
import { analyse, isStopWord, type Token } from './text-analysis.ts';

/** What the repair needs to know about words. */
export interface SpacingVocabulary {
  /** True for a surface word the knowledge base (its articles or synonyms) uses. */
  isWord(word: string): boolean;
  /** True for a token the knowledge base already knows as it is (its stem or a synonym word). */
  isKnown(token: Token): boolean;
  /** True for an ordinary English word: a real word is never split, however it looks. */
  isEnglish(word: string): boolean;
  /** True when the typo corrector reads the word as one knowledge-base word ("ofline"): a slip, not two words. */
  isTypo(word: string): boolean;
}

/** The shortest word a missing space is looked for in. */
const minJoinedLength = 6;

/**
 * The tokens with two neighbours joined when together they make a word the knowledge base uses and one of them
 * means nothing to the knowledge base on its own ("mai lbox", "pass word"), and an unknown word split in two when both halves are
 * words the knowledge base uses, or one is and the other a stop word ("sharedmailbox", "lockedand"). Returns
 * `tokens` itself when nothing needed repair.
 */
export function repairSpacing(tokens: readonly Token[], vocabulary: SpacingVocabulary): Token[] {
  let out: Token[] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (next && !/\d/.test(t.word + next.word)) {
      const joined = t.word + next.word;
      // Only a piece that means nothing on its own is a slip: "log in" and "set up" are meant as typed, and
      // phrases like them are what the lexicon and the synonyms look for.
      const stray = (x: Token): boolean => !x.stop && !vocabulary.isKnown(x);
      if ((stray(t) || stray(next)) && vocabulary.isWord(joined)) {
        out ??= tokens.slice(0, i);
        out.push(...analyse(joined));
        i++;
        continue;
      }
    }
    const parts = t.stop || vocabulary.isKnown(t) ? undefined : split(t.word, vocabulary);
    if (parts) {
      out ??= tokens.slice(0, i);
      out.push(...analyse(parts));
      continue;
    }
    out?.push(t);
  }
  return out ?? (tokens as Token[]);
}

/** "sharedmailbox" as "shared mailbox", or undefined; two knowledge-base words beat a word and a stop word. */
function split(word: string, vocabulary: SpacingVocabulary): string | undefined {
  if (word.length < minJoinedLength || /\d/.test(word) || vocabulary.isEnglish(word)) return undefined;
  if (vocabulary.isTypo(word)) return undefined;
  let withStop: string | undefined;
  for (let at = 2; at <= word.length - 2; at++) {
    const head = word.slice(0, at);
    const tail = word.slice(at);
    const headWord = head.length >= 3 && vocabulary.isWord(head);
    const tailWord = tail.length >= 3 && vocabulary.isWord(tail);
    if (headWord && tailWord) return `${head} ${tail}`;
    if (!withStop && ((headWord && isStopWord(tail)) || (tailWord && isStopWord(head)))) {
      withStop = `${head} ${tail}`;
    }
  }
  return withStop;
}
