// Language-model usage: prompt and completion tokens per month, ISO week, feature and model, for the monthly budget
// and the weekly usage report. One document per (month, week, feature, model), updated with optimistic concurrency
// so replicas sharing one database never lose a count. A week that spans two months has a row in each.
import { z } from 'zod';
import { DuplicateKeyError } from '../../errors.ts';
import { isoWeekKey } from '../../time/zoned-time.ts';
import type { DocumentStore } from '../document-store.ts';

export const modelUsageSchema = z.object({
  /** `month|week|feature|model` (`month|feature|model` for rows written before weeks were kept). */
  id: z.string(),
  /** Calendar month in UTC, `YYYY-MM`. */
  month: z.string().regex(/^\d{4}-\d{2}$/),
  /** ISO week in UTC, `YYYY-Www`; missing on rows written before weeks were kept. */
  week: z
    .string()
    .regex(/^\d{4}-W\d{2}$/)
    .optional(),
  /** What the call was for: `answer`, `rewrite`, `embedding`, `extract`, `newsletter`. */
  feature: z.string().min(1).max(40),
  model: z.string().min(1).max(200),
  calls: z.number().int().min(0),
  /** Calls that did not give a usable result (timeout, error, invalid output). */
  failures: z.number().int().min(0),
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type ModelUsageRecord = z.infer<typeof modelUsageSchema>;

export const modelUsageCollection = {
  name: 'model_usage',
  schema: modelUsageSchema,
  key: 'id',
  indexes: [{ fields: ['month'] }, { fields: ['week'] }],
  // Written after every model call; a power cut may lose the last second of usage, not the budget's meaning.
  durability: 'relaxed',
} as const;

/** The usage of one or more calls of one feature and model, added together. */
export interface ModelUsageEntry {
  at: Date;
  feature: string;
  model: string;
  calls: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
}

/** Repository over model usage. */
export interface ModelUsageLog {
  /** Adds calls and tokens to their month, feature and model. */
  add(entry: ModelUsageEntry): Promise<void>;
  /** Every row of `month` (`YYYY-MM`). */
  month(month: string): Promise<ModelUsageRecord[]>;
  /** Every row of the ISO weeks given (`YYYY-Www`). */
  weeks(weeks: string[]): Promise<ModelUsageRecord[]>;
  /** Prompt plus completion tokens used in `month`. */
  monthTotal(month: string): Promise<number>;
}

/** The UTC month of `at` as `YYYY-MM`. */
export function usageMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** Model usage on any document store. */
export function createModelUsageLog(store: DocumentStore): ModelUsageLog {
  const c = store.collection(modelUsageCollection);
  const month = (m: string) => c.find({ where: { month: m } });
  return {
    async add(entry) {
      const m = usageMonth(entry.at);
      const week = isoWeekKey(entry.at, 'UTC');
      const id = `${m}|${week}|${entry.feature}|${entry.model}`;
      const updatedAt = entry.at.toISOString();
      // Read, add, write if nobody else wrote in between; a handful of attempts covers any realistic contention.
      for (let attempt = 0; attempt < 8; attempt++) {
        const found = await c.get(id);
        if (!found) {
          try {
            await c.insert({
              id,
              month: m,
              week,
              feature: entry.feature,
              model: entry.model,
              calls: entry.calls,
              failures: entry.failures,
              promptTokens: entry.promptTokens,
              completionTokens: entry.completionTokens,
              updatedAt,
              version: 1,
            });
            return;
          } catch (error) {
            if (error instanceof DuplicateKeyError) continue;
            throw error;
          }
        }
        const updated: ModelUsageRecord = {
          ...found,
          calls: found.calls + entry.calls,
          failures: found.failures + entry.failures,
          promptTokens: found.promptTokens + entry.promptTokens,
          completionTokens: found.completionTokens + entry.completionTokens,
          updatedAt,
          version: found.version + 1,
        };
        if (await c.replaceIf(updated, 'version', found.version)) return;
      }
      throw new Error(`model_usage: could not update ${id} after repeated concurrent writes`);
    },
    month,
    weeks: (weeks) => c.find({ whereIn: { field: 'week', values: weeks } }),
    async monthTotal(m) {
      return (await month(m)).reduce((sum, r) => sum + r.promptTokens + r.completionTokens, 0);
    },
  };
}
