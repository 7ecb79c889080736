// Article vectors for semantic ranking: one embedding per article version, cached in the store by content hash,
// built once per knowledge-base index in the background, and ranked by cosine similarity to the question.
import { createHash } from 'node:crypto';
import type { Article } from '../kb/article.ts';
import type { KbIndex } from '../kb/search-index.ts';
import type { Logger } from '../logging/logger.ts';
import type { EmbeddingCache } from '../store/repositories/embedding-cache.ts';
import type { ModelGateway } from './model-gateway.ts';

/** Articles ranked by similarity to a query vector. */
export interface VectorIndex {
  readonly size: number;
  /** The `limit` most similar articles, best first, with cosine similarity. */
  rank(query: Float32Array, limit: number): { id: string; similarity: number }[];
}

/** What is embedded for an article: its title, listed questions, tags, intro and sections, bounded in size. */
export function articleEmbeddingText(article: Article): string {
  const parts = [
    article.title,
    article.questions.join('\n'),
    article.tags.join(', '),
    article.intro,
    ...article.sections.map((s) => `${s.heading}\n${s.text}`),
  ];
  // About 2,000 tokens: well inside every embedding model's input limit, and the start says what it is about.
  return parts.filter(Boolean).join('\n\n').slice(0, 8000);
}

/** The cache key of `text` embedded with `model`. */
export function contentHash(model: string, text: string): string {
  return createHash('sha256').update(model).update('\u0000').update(text).digest('hex');
}

/** Scales a vector to length 1 (so cosine similarity is a dot product). */
export function normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm === 0) return vector;
  return vector.map((v) => v / norm);
}

/** Articles per embeddings request. */
const batchSize = 64;

/**
 * Builds the vector index of `articles`, embedding only those whose text (for this model) is not cached yet.
 * Undefined when embeddings are unavailable (not configured, failed, or over budget); the caller ranks lexically.
 */
export async function buildVectorIndex(
  articles: readonly Article[],
  deps: { gateway: ModelGateway; cache: EmbeddingCache; logger: Logger; clock?: () => Date },
): Promise<VectorIndex | undefined> {
  const model = deps.gateway.embeddingModel;
  if (!model || articles.length === 0) return undefined;
  const texts = articles.map(articleEmbeddingText);
  const hashes = texts.map((t) => contentHash(model, t));
  const vectors = await deps.cache.getMany([...new Set(hashes)]);
  const missing = [...new Set(hashes.filter((h) => !vectors.has(h)))];
  const textOf = new Map(hashes.map((h, i) => [h, texts[i]!]));
  for (let i = 0; i < missing.length; i += batchSize) {
    const batch = missing.slice(i, i + batchSize);
    const result = await deps.gateway.embed(batch.map((h) => textOf.get(h)!));
    if (!result.ok) return undefined;
    const at = deps.clock?.() ?? new Date();
    for (const [j, hash] of batch.entries()) {
      const vector = result.value[j]!;
      vectors.set(hash, vector);
      await deps.cache.put(hash, model, vector, at);
    }
  }
  deps.logger.info({ articles: articles.length, embedded: missing.length }, 'Article vectors ready');
  const ids = articles.map((a) => a.id);
  const unit = hashes.map((h) => normalise(vectors.get(h)!));
  return {
    size: ids.length,
    rank(query, limit) {
      const q = normalise(query);
      const scored: { id: string; similarity: number }[] = [];
      unit.forEach((v, i) => {
        if (v.length !== q.length) return;
        let dot = 0;
        for (let k = 0; k < v.length; k++) dot += v[k]! * q[k]!;
        scored.push({ id: ids[i]!, similarity: dot });
      });
      return scored.sort((a, b) => b.similarity - a.similarity).slice(0, limit);
    },
  };
}

/** Vector indexes per knowledge-base index, built in the background so no question waits for them. */
export interface SemanticLayer {
  /** The vector index of `index` if it is ready; otherwise starts building it and returns undefined. */
  current(index: KbIndex): VectorIndex | undefined;
  /** Waits for the vector index of `index` (building it if needed); undefined when unavailable. */
  ready(index: KbIndex): Promise<VectorIndex | undefined>;
}

/** A failed build is retried no sooner than this. */
const retryAfterMs = 60_000;

/** Creates the layer. Without an embedding model it never has vectors. */
export function createSemanticLayer(deps: {
  gateway: ModelGateway;
  cache: EmbeddingCache;
  logger: Logger;
  clock?: () => Date;
}): SemanticLayer {
  const builds = new WeakMap<
    KbIndex,
    { promise: Promise<VectorIndex | undefined>; value?: VectorIndex; failedAt?: number }
  >();
  const log = deps.logger.child({ component: 'llm-embeddings' });

  function start(index: KbIndex) {
    const existing = builds.get(index);
    if (existing && !(existing.failedAt !== undefined && Date.now() - existing.failedAt > retryAfterMs))
      return existing;
    const entry: { promise: Promise<VectorIndex | undefined>; value?: VectorIndex; failedAt?: number } = {
      promise: Promise.resolve(undefined),
    };
    entry.promise = buildVectorIndex(index.articles, { ...deps, logger: log })
      .catch((error: unknown) => {
        log.warn({ err: error }, 'Could not build article vectors; ranking lexically');
        return undefined;
      })
      .then((built) => {
        if (built) entry.value = built;
        else entry.failedAt = Date.now();
        return built;
      });
    builds.set(index, entry);
    return entry;
  }

  return {
    current(index) {
      if (!deps.gateway.embeddingModel) return undefined;
      return start(index).value;
    },
    async ready(index) {
      if (!deps.gateway.embeddingModel) return undefined;
      return start(index).promise;
    },
  };
}
