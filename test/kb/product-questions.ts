// The labelled questions about the product's own knowledge base (fixtures/product-questions.jsonl).
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Every question of the labelled set, in file order. */
export function productQuestions(): string[] {
  return readFileSync(path.join(import.meta.dirname, 'fixtures', 'product-questions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { q: string }).q);
}
