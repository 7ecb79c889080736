// The intake report: requests by kind, status and department, median times to acknowledge and resolve, and the
// knowledge base's gaps (unanswered questions and "didn't help" answers). Computed from repositories only, so
// the CLI (`itbuddy report`) and the web page (/it/report) show the same numbers.
import { terms } from '../kb/text-analysis.ts';
import { truncate } from '../messages/markdown.ts';
import { maskSecrets } from '../privacy/secret-masking.ts';
import type { QuestionLog, QuestionRecord } from '../store/repositories/question-log.ts';
import type { RequestRepository } from '../store/repositories/requests.ts';
import { computeKbGaps, formatKbGaps, type KbGaps, otherTopic, type TopicOf } from './kb-gaps.ts';
import {
  labels,
  type RequestKind,
  type RequestRecord,
  type RequestStatus,
  requestKinds,
  requestStatuses,
} from './request-schema.ts';

/** A group of similar unanswered questions. */
export interface UnansweredGroup {
  /** The most recent wording (secrets masked). */
  text: string;
  count: number;
  lastAskedAt: string;
}

/** An article people said did not help. */
export interface NotHelpedGroup {
  articleId: string | null;
  count: number;
  /** Up to three questions it was the answer to (secrets masked). */
  examples: string[];
}

/** Everything the report shows. Durations are milliseconds; null when nothing to measure. */
export interface IntakeReport {
  since: string;
  until: string;
  requests: {
    total: number;
    byKind: Record<RequestKind, number>;
    byStatus: Record<RequestStatus, number>;
    byDepartment: { department: string; count: number }[];
  };
  medianAcknowledgeMs: number | null;
  acknowledgedCount: number;
  medianResolveMs: number | null;
  resolvedCount: number;
  /** `unanswered` counts every question not answered directly; `clarified` those of them offered choices. */
  questions: { total: number; answered: number; unanswered: number; clarified: number; notHelped: number };
  unanswered: UnansweredGroup[];
  notHelped: NotHelpedGroup[];
  /** Abstentions, "None of these" and "didn't help", grouped by topic (see kb-gaps.ts). */
  kbGaps: KbGaps;
}

/** The median of the values, or null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The grouping key of a question: its stemmed topic words, in order, so "How do I connect to the VPN?" and
 * "connect to vpn" fall together. */
export function normaliseQuestion(text: string): string {
  const t = terms(text);
  return t.length > 0 ? [...new Set(t)].sort().join(' ') : text.trim().toLowerCase();
}

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Computes the report over records already read (pure). Requests and questions outside the range are ignored. */
export function computeReport(input: {
  requests: RequestRecord[];
  questions: QuestionRecord[];
  since: Date;
  until: Date;
  limit?: number;
  /** The topic of a question for the gap view; without it every gap is under "Other". */
  topicOf?: TopicOf;
}): IntakeReport {
  const since = input.since.toISOString();
  const until = input.until.toISOString();
  const inRange = (iso: string) => iso >= since && iso < until;
  const limit = input.limit ?? 15;

  const requests = input.requests.filter((r) => inRange(r.createdAt));
  const byKind = zeroes(requestKinds);
  const byStatus = zeroes(requestStatuses);
  const departments = new Map<string, number>();
  const ack: number[] = [];
  const resolve: number[] = [];
  for (const r of requests) {
    byKind[r.kind]++;
    byStatus[r.status]++;
    const dept = r.department?.trim() || 'Unknown';
    departments.set(dept, (departments.get(dept) ?? 0) + 1);
    const created = Date.parse(r.createdAt);
    if (r.acknowledgedAt) ack.push(Date.parse(r.acknowledgedAt) - created);
    if (r.resolvedAt) resolve.push(Date.parse(r.resolvedAt) - created);
  }

  // Oldest first, so examples read in the order they were asked whatever order the log returned them in.
  const questions = input.questions
    .filter((q) => inRange(q.askedAt))
    .sort((a, b) => a.askedAt.localeCompare(b.askedAt));
  const unansweredGroups = new Map<string, UnansweredGroup>();
  const notHelpedGroups = new Map<string, NotHelpedGroup>();
  for (const q of questions) {
    if (!q.answered) {
      const key = normaliseQuestion(q.text);
      const group = unansweredGroups.get(key);
      if (!group) unansweredGroups.set(key, { text: clean(q.text), count: 1, lastAskedAt: q.askedAt });
      else {
        group.count++;
        if (q.askedAt > group.lastAskedAt) {
          group.lastAskedAt = q.askedAt;
          group.text = clean(q.text);
        }
      }
    }
    if (q.feedback === 'not_helped') {
      const key = q.articleId ?? '';
      const group = notHelpedGroups.get(key) ?? { articleId: q.articleId, count: 0, examples: [] };
      group.count++;
      const example = clean(q.text);
      if (group.examples.length < 3 && !group.examples.includes(example)) group.examples.push(example);
      notHelpedGroups.set(key, group);
    }
  }

  return {
    since,
    until,
    requests: {
      total: requests.length,
      byKind,
      byStatus,
      byDepartment: [...departments]
        .map(([department, count]) => ({ department, count }))
        .sort((a, b) => b.count - a.count || a.department.localeCompare(b.department)),
    },
    medianAcknowledgeMs: median(ack),
    acknowledgedCount: ack.length,
    medianResolveMs: median(resolve),
    resolvedCount: resolve.length,
    questions: {
      total: questions.length,
      answered: questions.filter((q) => q.answered).length,
      unanswered: questions.filter((q) => !q.answered).length,
      clarified: questions.filter((q) => !q.answered && q.clarifyOutcome != null).length,
      notHelped: questions.filter((q) => q.feedback === 'not_helped').length,
    },
    unanswered: [...unansweredGroups.values()]
      .sort((a, b) => b.count - a.count || b.lastAskedAt.localeCompare(a.lastAskedAt))
      .slice(0, limit),
    notHelped: [...notHelpedGroups.values()].sort((a, b) => b.count - a.count).slice(0, limit),
    kbGaps: computeKbGaps(questions, {
      topicOf: input.topicOf ?? (() => ({ topic: otherTopic })),
      groupKey: normaliseQuestion,
      limit,
    }),
  };
}

function clean(text: string): string {
  return truncate(maskSecrets(text).text.replace(/\s+/g, ' ').trim(), 140);
}

/** Reads the repositories and computes the report for [since, until). */
export async function buildReport(
  repos: { requests: RequestRepository; questions: QuestionLog },
  range: { since: Date; until: Date; topicOf?: TopicOf },
): Promise<IntakeReport> {
  const [requests, questions] = await Promise.all([
    repos.requests.createdSince(range.since.toISOString()),
    repos.questions.since(range.since.toISOString(), 100_000),
  ]);
  return computeReport({ requests, questions, ...range });
}

/** A duration in words people read at a glance: "45 min", "3 h 20 min", "2 d 4 h". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return 'n/a';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "4 answered, 3 not answered directly (1 of them offered choices)": the same words on the web and the CLI. */
export function questionCounts(q: IntakeReport['questions']): string {
  const choices = q.clarified > 0 ? ` (${q.clarified} of them offered choices)` : '';
  return `${q.answered} answered, ${q.unanswered} not answered directly${choices}`;
}

/** The report as plain text for the terminal. `articleTitle` names articles by id when given. */
export function formatReport(
  report: IntakeReport,
  articleTitle: (id: string) => string | undefined = () => undefined,
): string {
  const lines: string[] = [];
  const r = report.requests;
  lines.push(`IT Buddy report ${report.since.slice(0, 10)} → ${report.until.slice(0, 10)}`, '');
  lines.push(`Requests: ${r.total}`);
  lines.push(
    `  By kind:       ${requestKinds.map((k) => `${labels.kind[k]} ${r.byKind[k]}`).join(' · ')}`,
    `  By status:     ${requestStatuses.map((s) => `${labels.status[s]} ${r.byStatus[s]}`).join(' · ')}`,
    `  By department: ${r.byDepartment.length ? r.byDepartment.map((d) => `${d.department} ${d.count}`).join(' · ') : 'none'}`,
    `  Median time to acknowledge: ${formatDuration(report.medianAcknowledgeMs)} (${report.acknowledgedCount} acknowledged)`,
    `  Median time to resolve:     ${formatDuration(report.medianResolveMs)} (${report.resolvedCount} resolved)`,
    '',
  );
  const q = report.questions;
  lines.push(`Questions: ${q.total} (${questionCounts(q)}, ${q.notHelped} "didn't help")`);
  lines.push('', ...formatKbGaps(report.kbGaps, articleTitle));
  return lines.join('\n');
}
