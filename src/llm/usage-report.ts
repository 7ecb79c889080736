// This month's language-model usage against the budget, for `itbuddy report` and the admin views.
import type { ModelUsageLog } from '../store/repositories/model-usage.ts';
import { usageMonth } from '../store/repositories/model-usage.ts';

/** Usage of one month. */
export interface ModelUsageSummary {
  month: string;
  budget: number;
  used: number;
  remaining: number;
  /** Share of the budget used, 0 to 1 (1 when the budget is 0). */
  share: number;
  calls: number;
  failures: number;
  rows: {
    feature: string;
    model: string;
    calls: number;
    failures: number;
    promptTokens: number;
    completionTokens: number;
  }[];
}

/** Sums the month of `now` (UTC). */
export async function modelUsageSummary(
  usage: ModelUsageLog,
  options: { now: Date; monthlyTokenBudget: number },
): Promise<ModelUsageSummary> {
  const month = usageMonth(options.now);
  const rows = (await usage.month(month))
    .map((r) => ({
      feature: r.feature,
      model: r.model,
      calls: r.calls,
      failures: r.failures,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
    }))
    .sort((a, b) => b.promptTokens + b.completionTokens - (a.promptTokens + a.completionTokens));
  const used = rows.reduce((n, r) => n + r.promptTokens + r.completionTokens, 0);
  const budget = options.monthlyTokenBudget;
  return {
    month,
    budget,
    used,
    remaining: Math.max(0, budget - used),
    share: budget > 0 ? Math.min(1, used / budget) : 1,
    calls: rows.reduce((n, r) => n + r.calls, 0),
    failures: rows.reduce((n, r) => n + r.failures, 0),
    rows,
  };
}

/** Plain-text lines of the summary, for a terminal or a chat message. */
export function formatModelUsage(summary: ModelUsageSummary): string[] {
  const n = (v: number) => v.toLocaleString('en-US');
  const lines = [
    `Language model, ${summary.month}: ${n(summary.used)} of ${n(summary.budget)} tokens (${Math.round(summary.share * 100)}%), ${n(summary.calls)} calls, ${n(summary.failures)} fell back.`,
  ];
  if (summary.budget > 0 && summary.used >= summary.budget) {
    lines.push('The monthly budget is spent: answers use the knowledge-base search only until next month.');
  }
  for (const r of summary.rows) {
    lines.push(
      `  ${r.feature} (${r.model}): ${n(r.calls)} calls, ${n(r.promptTokens)} prompt + ${n(r.completionTokens)} completion tokens${r.failures ? `, ${n(r.failures)} fell back` : ''}`,
    );
  }
  return lines;
}
