// The /it/report page's model usage section: calls, tokens and estimated cost per ISO week, as an HTML table.
import type { WeeklyModelUsage } from '../../src/llm/usage-report.ts';
import { escapeHtml } from './html.ts';

/** The section, or a line saying there were no model calls in the period. */
export function modelUsageHtml(weeks: WeeklyModelUsage[]): string {
  const n = (v: number) => escapeHtml(v.toLocaleString('en-US'));
  const heading = '<h2>Language model usage per week</h2>';
  if (weeks.every((w) => w.calls === 0)) return `${heading}<p>No model calls in this period.</p>`;
  const rows = weeks
    .map(
      (w) =>
        `<tr><th scope="row">${escapeHtml(w.week)}</th><td>${n(w.calls)}</td><td>${n(w.failures)}</td><td>${n(w.promptTokens)}</td><td>${n(w.completionTokens)}</td><td>$${escapeHtml(w.estimatedCostUsd.toFixed(2))}</td></tr>`,
    )
    .join('');
  return `${heading}<table class="report-table"><tr><th>Week</th><th>Calls</th><th>Fell back</th><th>Prompt tokens</th><th>Completion tokens</th><th>Estimated cost</th></tr>${rows}</table><p class="meta">Cost estimated from OPENAI_INPUT_PRICE_PER_MILLION, OPENAI_OUTPUT_PRICE_PER_MILLION and OPENAI_EMBEDDING_PRICE_PER_MILLION.</p>`;
}
