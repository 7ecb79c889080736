// Whether a word is ordinary English, from the `word-list` package: a typo corrector must not "fix" a real word
// the knowledge base happens not to use ("thermostat" is not a misspelt "thermometer").
import { readFileSync } from 'node:fs';
import wordListPath from 'word-list';

/** The sorted word list kept as one string with line offsets: about 4 MB instead of 15 MB for a Set. */
interface WordTable {
  text: string;
  starts: Int32Array;
  /** The few lines that break the file's sort order, looked up directly. */
  outOfOrder: Set<string>;
}

let table: WordTable | undefined;

function load(): WordTable {
  const text = readFileSync(wordListPath, 'utf8');
  const starts: number[] = [];
  const outOfOrder = new Set<string>();
  let last = '';
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const word = text.slice(at, end);
    if (word.length > 0) {
      if (word > last) {
        starts.push(at);
        last = word;
      } else outOfOrder.add(word);
    }
    at = end + 1;
  }
  return { text, starts: Int32Array.from(starts), outOfOrder };
}

function wordAt(t: WordTable, i: number): string {
  const start = t.starts[i]!;
  const end = t.text.indexOf('\n', start);
  return t.text.slice(start, end < 0 ? t.text.length : end);
}

/** True when `word` (lower case) is in the English word list; the list is read on first use. */
export function isEnglishWord(word: string): boolean {
  table ??= load();
  const t = table;
  let lo = 0;
  let hi = t.starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const w = wordAt(t, mid);
    if (w === word) return true;
    if (w < word) lo = mid + 1;
    else hi = mid - 1;
  }
  return t.outOfOrder.has(word);
}
