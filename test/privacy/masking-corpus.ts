// Reads the masking corpus (test/fixtures/masking/): secret-bearing lines with the secrets marked ⟦like this⟧,
// and innocent look-alikes. Odd lines tuned the masker; even lines were held out to measure it honestly; the
// `unseen-*` files were written after tuning and never used to change it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One corpus line: the text as a person would type it, the secrets in it, and its half of the split. */
export interface CorpusLine {
  text: string;
  secrets: string[];
  split: 'tune' | 'held-out' | 'unseen';
}

const dir = path.resolve(import.meta.dirname, '../fixtures/masking');

function read(file: string, unseen = false): CorpusLine[] {
  return readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map(
      (line, i): CorpusLine => ({
        text: line.replace(/[⟦⟧]/g, ''),
        secrets: [...line.matchAll(/⟦([^⟧]+)⟧/g)].map((m) => m[1]!),
        split: unseen ? 'unseen' : i % 2 === 0 ? 'tune' : 'held-out',
      }),
    );
}

/** Lines that carry at least one secret. */
export const secretLines = (): CorpusLine[] => [...read('secrets.txt'), ...read('unseen-secrets.txt', true)];
/** Lines that carry none and must come back unchanged. */
export const lookalikeLines = (): CorpusLine[] => [
  ...read('lookalikes.txt'),
  ...read('unseen-lookalikes.txt', true),
];

const count = (text: string, part: string) => text.split(part).length - 1;

/**
 * The secrets of `line` still readable after masking gave `masked`. A secret may also be an ordinary word of the
 * line ("my password is password"): it leaks when the masked text, placeholders aside, holds it more often than
 * the line does without its secrets.
 */
export function leaked(line: CorpusLine, masked: string): string[] {
  const withoutSecrets = line.secrets.reduce((t, secret) => t.replace(secret, ' '), line.text);
  const visible = masked.replace(/\[[a-z ]+ hidden\]/g, ' ');
  return line.secrets.filter((secret) => count(visible, secret) > count(withoutSecrets, secret));
}
