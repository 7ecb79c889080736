// Learning from use: turns a 👍, a clarify choice or IT's "answered by article" into a proposed phrasing of the
// article, lets IT staff or the article's owner approve or reject it, and keeps the live index in step with
// the approved ones.
import type { Roles } from '../bot/roles.ts';
import type { Article } from '../kb/article.ts';
import type { KbService } from '../kb/kb-service.ts';
import type { Logger } from '../logging/logger.ts';
import {
  type LearnedPhrasing,
  type LearnedPhrasingStore,
  normalisePhrasing,
  type PhrasingSource,
  type PhrasingStatus,
  phrasingId,
} from '../store/repositories/learned-phrasings.ts';
import { type PhrasingRefusal, phrasingRefusal } from './phrasing-guard.ts';

/** What the answer and intake features report when a question met its article. */
export interface ArticleMatch {
  /** The question as the person asked it (it is checked and masked here again). */
  question: string;
  articleId: string;
  userKey: string;
}

/** What happened to a proposal. */
export type ProposeOutcome =
  | { kind: 'proposed' | 'counted'; phrasing: LearnedPhrasing }
  /** It carries a secret or personal data, or is too short or long: nothing was stored. */
  | { kind: 'refused'; reason: PhrasingRefusal }
  /** The article already lists it (title or front-matter question): nothing to learn. */
  | { kind: 'known' }
  | { kind: 'unknown-article' };

/** Who decides: a chat or web user with their roles, or the operator at the terminal. */
export type Decider = { userKey: string; roles: Roles } | 'cli';

/** What happened to a decision. */
export type DecideOutcome =
  | { kind: 'decided'; phrasing: LearnedPhrasing; changed: boolean }
  | { kind: 'missing' }
  | { kind: 'forbidden' };

/** The learning feature as the app holds it. */
export interface LearningService {
  /** Records one sighting of `text` as a phrasing of the article, unless refused or already known. */
  propose(input: { articleId: string; text: string; source: PhrasingSource }): Promise<ProposeOutcome>;
  /** The clarify choice hook: a person picked this article from the choices. Never throws. */
  onArticleChosen(match: ArticleMatch): Promise<void>;
  /** The 👍 hook: the answer with this article helped. Never throws. */
  onHelpful(match: ArticleMatch): Promise<void>;
  /** The triage hook: IT answered a request by pointing at this article. Never throws. */
  onAnsweredByArticle(match: ArticleMatch): Promise<void>;
  /** Whether this person may approve or reject phrasings of the article: IT staff, or the article's owner. */
  mayDecide(decider: Decider, articleId: string): boolean;
  /** Approves or rejects a phrasing and re-indexes the knowledge base. */
  decide(id: string, verdict: 'approved' | 'rejected', decider: Decider): Promise<DecideOutcome>;
  list(filter?: { status?: PhrasingStatus; articleId?: string; limit?: number }): Promise<LearnedPhrasing[]>;
  /** Reads the approved phrasings and gives them to the index (also picks up decisions made elsewhere). */
  refresh(): Promise<void>;
  /** Refreshes now and then every `refreshMs`, so decisions made with the CLI or on another replica apply. */
  start(): Promise<void>;
  stop(): void;
}

/** What the learning service is built from. */
export interface LearningDeps {
  phrasings: LearnedPhrasingStore;
  kb: KbService;
  logger: Logger;
  clock?: () => Date;
  /** How often approvals made elsewhere are picked up. Default one minute. */
  refreshMs?: number;
}

/** The display key of who decided, for `decidedBy`. */
function deciderKey(decider: Decider): string {
  return decider === 'cli' ? 'cli' : decider.userKey;
}

/**
 * Whether `userKey` owns the article. Front-matter `owner` is usually a team name ("Service Desk"), which no
 * one person matches; it may also name people by their key (`owner: Service Desk, slack:U012AB3CD`).
 */
export function ownsArticle(article: Article | undefined, userKey: string): boolean {
  if (!article?.owner) return false;
  return article.owner
    .split(/[,;\s]+/)
    .map((part) => part.trim())
    .some((part) => part.length > 0 && part === userKey);
}

/** Every word the knowledge base uses, lower case: product and place names there are not people's names. */
const vocabularies = new WeakMap<object, Set<string>>();
function vocabularyOf(articles: readonly Article[]): Set<string> {
  let words = vocabularies.get(articles);
  if (!words) {
    words = new Set<string>();
    for (const a of articles) {
      const text = `${a.title} ${a.tags.join(' ')} ${a.questions.join(' ')} ${a.body}`;
      for (const w of text.toLowerCase().match(/[\p{L}\p{N}'-]+/gu) ?? []) words.add(w);
    }
    vocabularies.set(articles, words);
  }
  return words;
}

/** Creates the learning service. */
export function createLearningService(deps: LearningDeps): LearningService {
  const { phrasings, kb, logger } = deps;
  const log = logger.child({ feature: 'learning' });
  const now = () => (deps.clock?.() ?? new Date()).toISOString();
  let timer: NodeJS.Timeout | undefined;
  let lastApplied = '';

  async function propose(input: {
    articleId: string;
    text: string;
    source: PhrasingSource;
  }): Promise<ProposeOutcome> {
    const index = kb.current();
    const article = index.get(input.articleId);
    if (!article) return { kind: 'unknown-article' };
    const text = input.text.replace(/\s+/g, ' ').trim();
    const words = vocabularyOf(index.articles);
    const refused = phrasingRefusal(text, (w) => words.has(w.toLowerCase()));
    if (refused) {
      // Counted, never the text: the text is what must not be kept.
      log.info({ articleId: article.id, source: input.source, reason: refused }, 'Phrasing not proposed');
      return { kind: 'refused', reason: refused };
    }
    const key = normalisePhrasing(text);
    // The live article lists approved phrasings among its questions: those still count their sightings.
    const learned = await phrasings.get(phrasingId(article.id, text));
    if (!learned && [article.title, ...article.questions].some((q) => normalisePhrasing(q) === key))
      return { kind: 'known' };
    const { phrasing, created } = await phrasings.record({
      articleId: article.id,
      text,
      source: input.source,
      at: now(),
    });
    log.info(
      { articleId: article.id, phrasingId: phrasing.id, source: input.source, created },
      created ? 'Phrasing proposed' : 'Phrasing seen again',
    );
    return { kind: created ? 'proposed' : 'counted', phrasing };
  }

  /** A hook never costs the person their answer: failures are logged. */
  const hook =
    (source: PhrasingSource) =>
    async (match: ArticleMatch): Promise<void> => {
      try {
        await propose({ articleId: match.articleId, text: match.question, source });
      } catch (error) {
        log.warn({ err: error, articleId: match.articleId, source }, 'Could not record a learned phrasing');
      }
    };

  function mayDecide(decider: Decider, articleId: string): boolean {
    if (decider === 'cli' || decider.roles.canTriage()) return true;
    return ownsArticle(kb.current().get(articleId), decider.userKey);
  }

  async function refresh(): Promise<void> {
    const approved = await phrasings.list({ status: 'approved', limit: 100_000 });
    const byArticle = new Map<string, string[]>();
    for (const p of [...approved].sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt))) {
      byArticle.set(p.articleId, [...(byArticle.get(p.articleId) ?? []), p.text]);
    }
    // Rebuilding the index costs a moment on a large knowledge base: only when the set changed.
    const fingerprint = JSON.stringify([...byArticle].sort(([a], [b]) => a.localeCompare(b)));
    if (fingerprint === lastApplied) return;
    lastApplied = fingerprint;
    kb.setExtraQuestions(byArticle);
    log.info({ approved: approved.length }, 'Learned phrasings applied to the index');
  }

  return {
    propose,
    onArticleChosen: hook('choice'),
    onHelpful: hook('thumbs-up'),
    onAnsweredByArticle: hook('triage'),
    mayDecide,
    async decide(id, verdict, decider) {
      const current = await phrasings.get(id);
      if (!current) return { kind: 'missing' };
      if (!mayDecide(decider, current.articleId)) return { kind: 'forbidden' };
      if (current.status === verdict) return { kind: 'decided', phrasing: current, changed: false };
      const decided = await phrasings.decide(id, verdict, deciderKey(decider), now());
      if (!decided) return { kind: 'missing' };
      log.info(
        { phrasingId: id, articleId: decided.articleId, verdict, by: deciderKey(decider) },
        'Phrasing decided',
      );
      await refresh();
      return { kind: 'decided', phrasing: decided, changed: true };
    },
    list: (filter) => phrasings.list(filter),
    refresh,
    async start() {
      await refresh().catch((error: unknown) =>
        log.warn({ err: error }, 'Could not read learned phrasings; answering without them for now'),
      );
      timer = setInterval(() => {
        refresh().catch((error: unknown) => log.warn({ err: error }, 'Learned phrasings refresh failed'));
      }, deps.refreshMs ?? 60_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
