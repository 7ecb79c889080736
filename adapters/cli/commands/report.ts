// `itbuddy report [--since DATE]`: requests by kind, status and department, median times to acknowledge and
// resolve, the knowledge base's gaps, and model calls, tokens and estimated cost per week, from the configured
// store (the same numbers as /it/report).
import { parseArgs } from 'node:util';
import { topicsFromKb } from '../../../src/intake/kb-gaps.ts';
import { buildReport, formatReport } from '../../../src/intake/report.ts';
import { formatWeeklyModelUsage, weeklyModelUsage } from '../../../src/llm/usage-report.ts';
import { createModelUsageLog } from '../../../src/store/repositories/model-usage.ts';
import { createQuestionLog } from '../../../src/store/repositories/question-log.ts';
import { createRequestRepository } from '../../../src/store/repositories/requests.ts';
import { type CliCommand, println, UsageError } from '../command.ts';
import { openCliStore } from '../core.ts';
import { loadFolderIndex } from '../kb-source.ts';

/** Reads a YYYY-MM-DD option as the start of that day in UTC. */
export function parseDay(option: string, value: string): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${option}: expected a date like 2026-03-01 (got "${value}").`);
  }
  return d;
}

export const reportCommand: CliCommand = {
  name: ['report'],
  summary: 'Requests by kind, status and department, response times, knowledge-base gaps, model usage',
  usage: [
    '  itbuddy report [--since DATE] [--until DATE] [--json]',
    '',
    '  --since DATE  first day counted, YYYY-MM-DD (default: 30 days ago)',
    '  --until DATE  the day after the last one counted, YYYY-MM-DD (default: now)',
    '  --json        print the figures as JSON',
  ].join('\n'),
  usesStore: true,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const until = values.until ? parseDay('--until', values.until) : new Date();
    const since = values.since
      ? parseDay('--since', values.since)
      : new Date(until.getTime() - 30 * 86_400_000);
    if (since >= until) throw new UsageError('--since must be before --until.');
    const { config, store, close } = await openCliStore(io);
    // The knowledge base names articles and sorts the gaps into topics; without one, gaps are all "Other".
    const kb = await loadFolderIndex(config.kb.dir).catch(() => undefined);
    try {
      const report = await buildReport(
        { requests: createRequestRepository(store), questions: createQuestionLog(store) },
        { since, until, ...(kb ? { topicOf: topicsFromKb(kb.index) } : {}) },
      );
      // Model usage is its own section, beside the intake figures rather than inside them.
      const modelUsage = await weeklyModelUsage(createModelUsageLog(store), {
        since,
        until,
        prices: config.modelPrices,
      });
      if (values.json) {
        println(io.stdout, JSON.stringify({ ...report, modelUsage }, null, 2));
        return 0;
      }
      println(
        io.stdout,
        formatReport(report, (id) => kb?.index.get(id)?.title),
      );
      println(io.stdout);
      println(io.stdout, formatWeeklyModelUsage(modelUsage).join('\n'));
      return 0;
    } finally {
      await close();
    }
  },
};
