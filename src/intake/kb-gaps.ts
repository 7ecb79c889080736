// The knowledge-base gap view of the report: questions the bot gave up on, clarifications that ended in "None of
// these", and answers marked "didn't help", grouped by topic so the people who keep the articles know what to
// write next. Pure over question-log records; the topic of a question comes from a function the caller gives.
import type { KbIndex } from '../kb/search-index.ts';
import { truncate } from '../messages/markdown.ts';
import { maskSecrets } from '../privacy/secret-masking.ts';
import type { QuestionRecord } from '../store/repositories/question-log.ts';

/** The three ways a question shows a gap. */
export const gapKinds = ['abstained', 'noneOfThese', 'notHelped'] as const;
/** One of `gapKinds`. */
export type GapKind = (typeof gapKinds)[number];

/** Similar questions of one kind, counted once each. */
export interface GapQuestion {
  /** The most recent wording, secrets masked. */
  text: string;
  count: number;
  lastAskedAt: string;
  /** The article that was answered (not-helped only: those are grouped by article). */
  articleId: string | null;
  /** Up to three different wordings, oldest first (not-helped only). */
  examples: string[];
}

/** One topic with its gaps. */
export interface GapTopic {
  topic: string;
  /** Who keeps the articles of this topic (front-matter `owner`), to know whom to ask. */
  owners: string[];
  total: number;
  abstained: GapQuestion[];
  noneOfThese: GapQuestion[];
  notHelped: GapQuestion[];
}

/** The gap view: totals of each kind and the topics, biggest first. */
export interface KbGaps {
  totals: Record<GapKind, number>;
  topics: GapTopic[];
}

/** The topic of a question and who owns it; `articleId` is the answered article, when there was one. */
export type TopicOf = (question: { text: string; articleId: string | null }) => {
  topic: string;
  owner?: string;
};

/** The topic when there is no knowledge base to ask. */
export const otherTopic = 'Other';

/** Which gap a logged question shows, if any. An entry without `clarifyOutcome` (older) reads as null. */
export function gapKindOf(q: QuestionRecord): GapKind | undefined {
  const clarify = q.clarifyOutcome ?? null;
  if (clarify === 'none_of_these') return 'noneOfThese';
  if (q.feedback === 'not_helped') return 'notHelped';
  if (!q.answered && clarify === null) return 'abstained';
  return undefined;
}

/**
 * Topics from the knowledge base: the first tag of the answered article, or else of the closest article when it
 * is as close as the articles the bot offers as related (confidence 0.3); questions near nothing go to "Other".
 */
export function topicsFromKb(index: KbIndex, minConfidence = 0.3): TopicOf {
  const cache = new Map<string, { topic: string; owner?: string }>();
  return ({ text, articleId }) => {
    const key = `${articleId ?? ''}\n${text}`;
    const cached = cache.get(key);
    if (cached) return cached;
    let article = articleId ? index.get(articleId) : undefined;
    if (!article) {
      const top = index.search(text, { limit: 1 }).hits[0];
      if (top && top.confidence >= minConfidence) article = top.article;
    }
    const topic = article
      ? { topic: article.tags[0] ?? article.title, ...(article.owner ? { owner: article.owner } : {}) }
      : { topic: otherTopic };
    cache.set(key, topic);
    return topic;
  };
}

const clean = (text: string) => truncate(maskSecrets(text).text.replace(/\s+/g, ' ').trim(), 140);

/**
 * Groups the gaps of `questions` by topic and, within a topic, by `groupKey` of the wording (and article, for
 * not-helped). At most `limit` topics and `limit` questions of each kind per topic.
 */
export function computeKbGaps(
  questions: readonly QuestionRecord[],
  options: { topicOf: TopicOf; groupKey: (text: string) => string; limit?: number },
): KbGaps {
  const limit = options.limit ?? 15;
  const totals: Record<GapKind, number> = { abstained: 0, noneOfThese: 0, notHelped: 0 };
  const topics = new Map<
    string,
    { owners: Set<string>; groups: Record<GapKind, Map<string, GapQuestion>> }
  >();
  for (const q of [...questions].sort((a, b) => a.askedAt.localeCompare(b.askedAt))) {
    const kind = gapKindOf(q);
    if (!kind) continue;
    totals[kind]++;
    const articleId = kind === 'notHelped' ? q.articleId : null;
    const { topic, owner } = options.topicOf({ text: q.text, articleId: q.articleId });
    let entry = topics.get(topic);
    if (!entry) {
      entry = {
        owners: new Set(),
        groups: { abstained: new Map(), noneOfThese: new Map(), notHelped: new Map() },
      };
      topics.set(topic, entry);
    }
    if (owner) entry.owners.add(owner);
    // An article that keeps not helping is one gap, whatever the wording; other gaps group by wording.
    const key = kind === 'notHelped' ? (articleId ?? '') : options.groupKey(q.text);
    const text = clean(q.text);
    const group = entry.groups[kind].get(key);
    if (!group) {
      entry.groups[kind].set(key, {
        text,
        count: 1,
        lastAskedAt: q.askedAt,
        articleId,
        examples: kind === 'notHelped' ? [text] : [],
      });
    } else {
      group.count++;
      group.lastAskedAt = q.askedAt;
      group.text = text;
      if (kind === 'notHelped' && group.examples.length < 3 && !group.examples.includes(text))
        group.examples.push(text);
    }
  }
  const ranked = (groups: Map<string, GapQuestion>) =>
    [...groups.values()]
      .sort((a, b) => b.count - a.count || b.lastAskedAt.localeCompare(a.lastAskedAt))
      .slice(0, limit);
  return {
    totals,
    topics: [...topics]
      .map(([topic, e]) => {
        const all = gapKinds.flatMap((k) => [...e.groups[k].values()]);
        return {
          topic,
          owners: [...e.owners].sort(),
          total: all.reduce((n, g) => n + g.count, 0),
          abstained: ranked(e.groups.abstained),
          noneOfThese: ranked(e.groups.noneOfThese),
          notHelped: ranked(e.groups.notHelped),
        };
      })
      .sort((a, b) => b.total - a.total || a.topic.localeCompare(b.topic))
      .slice(0, limit),
  };
}

/** Headings of each kind of gap, the same in the terminal and on the page. */
export const gapHeadings: Record<GapKind, string> = {
  abstained: 'Not answered',
  noneOfThese: 'Ended in “None of these”',
  notHelped: 'Answers marked “didn’t help”',
};

/** The gap view as plain-text lines for the terminal. */
export function formatKbGaps(gaps: KbGaps, articleTitle: (id: string) => string | undefined): string[] {
  const t = gaps.totals;
  const lines = [
    `KB gaps by topic — what to write next (${t.abstained} not answered, ${t.noneOfThese} "None of these", ${t.notHelped} "didn't help"):`,
  ];
  if (gaps.topics.length === 0) lines.push('  none');
  for (const topic of gaps.topics) {
    lines.push(
      `  ${topic.topic}${topic.owners.length ? ` (kept by ${topic.owners.join(', ')})` : ''}: ${topic.total}`,
    );
    for (const kind of gapKinds) {
      if (topic[kind].length === 0) continue;
      lines.push(`    ${gapHeadings[kind]}:`);
      for (const g of topic[kind])
        lines.push(`    ${String(g.count).padStart(4)} × ${gapLine(g, articleTitle)}`);
    }
  }
  return lines;
}

/** One gap as text: the wording, or for an article that did not help its title and example wordings. */
export function gapLine(g: GapQuestion, articleTitle: (id: string) => string | undefined): string {
  if (g.examples.length === 0) return g.text;
  const name = g.articleId ? (articleTitle(g.articleId) ?? g.articleId) : '(no article)';
  return `${name} — e.g. "${g.examples.join('", "')}"`;
}
