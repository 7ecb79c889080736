// Reads the masking corpus (test/fixtures/masking/): secret-bearing lines with the secrets marked ⟦like this⟧,
// and innocent look-alikes. Odd lines tune the masker; even lines are held out to measure it honestly.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One corpus line: the text as a person would type it, the secrets in it, and its half of the split. */
export interface CorpusLine {
  text: string;
  secrets: string[];
  split: 'tune' | 'held-out';
}

const dir = path.resolve(import.meta.dirname, '../fixtures/masking');

function read(file: string): CorpusLine[] {
  return readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line, i) => ({
      text: line.replace(/[⟦⟧]/g, ''),
      secrets: [...line.matchAll(/⟦([^⟧]+)⟧/g)].map((m) => m[1]!),
      split: i % 2 === 0 ? 'tune' : 'held-out',
    }));
}

/** Lines that carry at least one secret. */
export const secretLines = (): CorpusLine[] => read('secrets.txt');
/** Lines that carry none and must come back unchanged. */
export const lookalikeLines = (): CorpusLine[] => read('lookalikes.txt');

/** The secrets of `line` still readable after masking gave `masked`. */
export function leaked(line: CorpusLine, masked: string): string[] {
  return line.secrets.filter((secret) => masked.includes(secret));
}
