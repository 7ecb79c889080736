// Turns text into search terms: lower case, accents folded, stop words dropped, words stemmed (Porter).
import { stemmer } from 'stemmer';

// Words that carry no topic in help questions ("how do I ...", "can you help me ...").
const stopWords = new Set(
  `a an the and or but if then so of to in on at by for with from into onto about as is are was were be been being
  am do does did done doing have has had having i me my mine myself you your yours we our us they them their it its
  this that these those there here what which who whom whose when where why how can could would should will shall
  may might must just please pls plz hi hello hey thanks thank ok okay im i'm ive i've dont don't cant can't wont won't
  get got getting gets any some again still also very really too much many all up out over off than need needs want
  wants know tell help someone somebody anyone anything something thing things way ways one use using`.split(/\s+/),
);

/** Splits text into lower-case word tokens (letters and digits), accents folded. */
export function tokenize(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’']/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0 && t.length < 40);
}

/** True for words that carry no topic. */
export function isStopWord(token: string): boolean {
  return stopWords.has(token);
}

/** The stem of a token; short tokens and numbers are kept as they are. */
export function stem(token: string): string {
  if (token.length <= 3 || /\d/.test(token)) return token;
  return stemmer(token);
}

/** Search terms of a text: tokens without stop words, stemmed. */
export function terms(text: string): string[] {
  return tokenize(text)
    .filter((t) => !isStopWord(t))
    .map(stem);
}
