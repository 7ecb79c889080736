// The prompts pinned at the top of the Messages tab (and, as defaults, the Teams prompt starters): the articles
// asked about most in the last 30 days, worded from the article itself (never from anyone's question), with
// defaults for a new install.
import type { KbIndex } from '../../src/kb/search-index.ts';
import { defaultPrompts, type SuggestedPrompt } from '../../src/messages/suggested-prompts.ts';
import type { QuestionLog } from '../../src/store/repositories/question-log.ts';

export { defaultPrompts, type SuggestedPrompt };

/** Slack's limits: at most four prompts; titles and messages kept short so they show in full. */
const maxPrompts = 4;
const titleMax = 75;
const messageMax = 200;

/** The most asked topics of the last 30 days, topped up with the defaults to four prompts. */
export async function suggestedPrompts(options: {
  questions: QuestionLog;
  index: KbIndex;
  now: Date;
  /** Answers an article needs before it counts as a most-asked topic (one question is not a trend). */
  minAsked?: number;
}): Promise<SuggestedPrompt[]> {
  const since = new Date(options.now.getTime() - 30 * 86_400_000).toISOString();
  const counts = new Map<string, number>();
  for (const q of await options.questions.since(since, 5_000)) {
    if (q.answered && q.articleId) counts.set(q.articleId, (counts.get(q.articleId) ?? 0) + 1);
  }
  const minAsked = options.minAsked ?? 3;
  const top = [...counts.entries()]
    .filter(([, n]) => n >= minAsked)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .flatMap(([id]) => options.index.get(id) ?? [])
    .slice(0, maxPrompts - 1)
    .map((article) => ({
      title: article.title.slice(0, titleMax),
      message: (article.questions[0] ?? article.title).slice(0, messageMax),
    }));
  // "Ask IT for something" always stays last: the prompts are also how people find out requests exist.
  const askIt = defaultPrompts[defaultPrompts.length - 1]!;
  const fill = defaultPrompts.slice(0, -1).filter((d) => !top.some((t) => t.message === d.message));
  return [...top, ...fill.slice(0, maxPrompts - 1 - top.length), askIt];
}
