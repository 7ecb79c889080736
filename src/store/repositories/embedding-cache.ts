// Embedding vectors by content hash: an article's vector is computed once per version of its text and model, and
// survives restarts, so rebuilding the index after an edit only embeds the articles that changed.
import { z } from 'zod';
import type { DocumentStore } from '../document-store.ts';

export const embeddingSchema = z.object({
  /** SHA-256 (hex) of the model name and the embedded text. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  model: z.string().min(1).max(200),
  dims: z.number().int().min(1),
  /** The vector as little-endian float32, base64: a quarter of the size of a JSON number array. */
  vector: z.string(),
  createdAt: z.iso.datetime(),
});
export type EmbeddingRecord = z.infer<typeof embeddingSchema>;

export const embeddingCollection = {
  name: 'embedding_cache',
  schema: embeddingSchema,
  key: 'hash',
  indexes: [{ fields: ['createdAt'] }],
  // A cache: anything lost is computed again.
  durability: 'relaxed',
} as const;

/** Repository over cached embeddings. */
export interface EmbeddingCache {
  /** The cached vectors among `hashes`, by hash. */
  getMany(hashes: string[]): Promise<Map<string, Float32Array>>;
  put(hash: string, model: string, vector: Float32Array, at: Date): Promise<void>;
  /** Deletes vectors cached before `isoTime`; returns how many. */
  purgeBefore(isoTime: string): Promise<number>;
}

/** Cached embeddings on any document store. */
export function createEmbeddingCache(store: DocumentStore): EmbeddingCache {
  const c = store.collection(embeddingCollection);
  return {
    async getMany(hashes) {
      const out = new Map<string, Float32Array>();
      // Bounded IN lists keep every engine's query size reasonable.
      for (let i = 0; i < hashes.length; i += 200) {
        const rows = await c.find({ whereIn: { field: 'hash', values: hashes.slice(i, i + 200) } });
        for (const row of rows) {
          const vector = decodeVector(row.vector);
          if (vector.length === row.dims) out.set(row.hash, vector);
        }
      }
      return out;
    },
    put: (hash, model, vector, at) =>
      c.put({ hash, model, dims: vector.length, vector: encodeVector(vector), createdAt: at.toISOString() }),
    purgeBefore: (isoTime) => c.deleteOlderThan('createdAt', isoTime),
  };
}

/** float32 little-endian, base64. */
export function encodeVector(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (const [i, v] of vector.entries()) view.setFloat32(i * 4, v, true);
  return Buffer.from(bytes).toString('base64');
}

/** The inverse of `encodeVector`; an empty vector when the text is not a whole number of floats. */
export function decodeVector(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length % 4 !== 0) return new Float32Array(0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
