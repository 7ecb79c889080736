// Language-model usage: this month's against the budget, and calls, tokens and estimated cost per week, for
// `itbuddy report` and the /it/report page.
import type { ModelUsageLog } from '../store/repositories/model-usage.ts';
import { usageMonth } from '../store/repositories/model-usage.ts';
import { isoWeekKey } from '../time/zoned-time.ts';

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

/** Prices in US dollars per million tokens (the configuration's `modelPrices`). */
export interface ModelPrices {
  inputPerMillion: number;
  outputPerMillion: number;
  embeddingPerMillion: number;
}

/** One ISO week of model usage. */
export interface WeeklyModelUsage {
  /** `YYYY-Www` (UTC). */
  week: string;
  calls: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
  /** Estimated from the configured prices, in US dollars. */
  estimatedCostUsd: number;
}

/** The ISO weeks (UTC) that overlap `since` … `until`, oldest first. */
export function weeksBetween(since: Date, until: Date): string[] {
  const weeks = new Set<string>();
  for (let t = since.getTime(); t < until.getTime(); t += 86_400_000)
    weeks.add(isoWeekKey(new Date(t), 'UTC'));
  if (until > since) weeks.add(isoWeekKey(new Date(until.getTime() - 1), 'UTC'));
  return [...weeks];
}

/** Calls, tokens and estimated cost per ISO week from `since` to `until` (weeks without calls included as 0). */
export async function weeklyModelUsage(
  usage: ModelUsageLog,
  options: { since: Date; until: Date; prices: ModelPrices },
): Promise<WeeklyModelUsage[]> {
  const weeks = weeksBetween(options.since, options.until);
  const rows = await usage.weeks(weeks);
  const p = options.prices;
  return weeks.map((week) => {
    const of = rows.filter((r) => r.week === week);
    const cost = of.reduce(
      (sum, r) =>
        sum +
        (r.feature === 'embedding'
          ? ((r.promptTokens + r.completionTokens) * p.embeddingPerMillion) / 1e6
          : (r.promptTokens * p.inputPerMillion + r.completionTokens * p.outputPerMillion) / 1e6),
      0,
    );
    return {
      week,
      calls: of.reduce((n, r) => n + r.calls, 0),
      failures: of.reduce((n, r) => n + r.failures, 0),
      promptTokens: of.reduce((n, r) => n + r.promptTokens, 0),
      completionTokens: of.reduce((n, r) => n + r.completionTokens, 0),
      estimatedCostUsd: Math.round(cost * 10_000) / 10_000,
    };
  });
}

/** Plain-text lines of the weekly usage, for the terminal report. */
export function formatWeeklyModelUsage(weeks: WeeklyModelUsage[]): string[] {
  const n = (v: number) => v.toLocaleString('en-US');
  const lines = ['Language model usage per week (cost estimated from OPENAI_*_PRICE_PER_MILLION):'];
  if (weeks.every((w) => w.calls === 0)) return [...lines, '  No model calls in this period.'];
  for (const w of weeks) {
    lines.push(
      `  ${w.week}: ${n(w.calls)} calls${w.failures ? ` (${n(w.failures)} fell back)` : ''}, ${n(w.promptTokens)} prompt + ${n(w.completionTokens)} completion tokens, about $${w.estimatedCostUsd.toFixed(2)}`,
    );
  }
  return lines;
}
