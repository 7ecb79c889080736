// Decides what to answer a question with: the deterministic path over the search index; a language model may
// decorate it (see src/llm/), falling back to this path whenever it cannot do better.
import type { Article } from '../kb/article.ts';
import type { KbIndex, SearchHit } from '../kb/search-index.ts';
import type { ReplyStream } from '../messages/reply-stream.ts';

/** The answer to a question, a "which of these?" clarification, or a reasoned abstention. */
export type AnswerDecision =
  | {
      kind: 'answer';
      article: Article;
      confidence: number;
      via: 'index' | 'model';
      answerText?: string;
      /** Every article a model answer cites, in order (the first is `article`). */
      cited?: Article[];
    }
  | { kind: 'clarify'; confidence: number; options: SearchHit[] }
  | { kind: 'abstain'; confidence: number; closest: SearchHit[] };

/** Something that answers questions from the knowledge base. */
export interface Answerer {
  /** `stream`, when given, may receive a model answer as it is written (see reply-stream.ts). */
  answer(question: string, signal?: AbortSignal, stream?: ReplyStream): Promise<AnswerDecision>;
}

/** Hits at least this confident are listed as "closest articles" by answerers that abstain without choices. */
export const closeEnough = 0.3;

/** The deterministic answerer: the best hit when confident, a choice of plausible ones, or an abstention. */
export function createIndexAnswerer(index: () => KbIndex): Answerer {
  return {
    async answer(question) {
      const outcome = index().search(question);
      const top = outcome.hits[0];
      if (outcome.answered && top) {
        return { kind: 'answer', article: top.article, confidence: top.confidence, via: 'index' };
      }
      if (outcome.offered.length > 0) {
        return { kind: 'clarify', confidence: outcome.confidence, options: outcome.offered };
      }
      // Nothing was plausible enough to offer: listing weaker articles anyway would only be noise.
      return { kind: 'abstain', confidence: outcome.confidence, closest: [] };
    },
  };
}
