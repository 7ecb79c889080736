// How answers look in Teams beyond a plain card: Teams' own feedback loop (👍/👎 with an optional comment) in
// place of IT Buddy's buttons, and for a model-written answer the "AI generated" label and numbered citations
// as message entities (schema.org Message with additionalType AIGeneratedContent and a citation list).
import type { Activity } from 'botbuilder';
import { answerActions } from '../../src/answers/answer-card.ts';
import type { Card } from '../../src/messages/replies.ts';
import { cardMarkdown, safeUrl } from './card-markdown.ts';
import {
  type AdaptiveCard,
  adaptiveCard,
  adaptiveCardContentType,
  renderCardTail,
  renderReplyElements,
} from './render-cards.ts';

/** Teams' limits on citations: at most 20, names up to 80 characters, abstracts up to 160. */
const maxCitations = 20;

/** True when the card carries IT Buddy's 👍/👎, which Teams shows as its native feedback loop instead. */
export function hasFeedback(card: Card): boolean {
  const ids = new Set(card.actions?.map((a) => a.action?.id));
  return ids.has(answerActions.helped) && ids.has(answerActions.notHelped);
}

/** The question-log id the card's feedback buttons carry. */
export function feedbackQuestionId(card: Card): string | undefined {
  return card.actions?.find((a) => a.action?.id === answerActions.helped)?.action?.value;
}

/** The card without its 👍/👎 buttons (Teams' feedback loop replaces them). */
export function withoutFeedbackButtons(card: Card): Card {
  return {
    ...card,
    actions: (card.actions ?? []).filter(
      (a) => a.action?.id !== answerActions.helped && a.action?.id !== answerActions.notHelped,
    ),
  };
}

/** Escapes only what could turn streamed text into HTML: a per-character map, so prefixes stay prefixes. */
export function streamSafe(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

/** The AI label and citations of a model-written card, as Teams message entities. */
export function aiEntities(card: Card): Record<string, unknown>[] {
  const citations = (card.citations ?? []).flatMap((c) => {
    const url = safeUrl(c.url);
    return url ? [{ title: c.title, url }] : [];
  });
  return [
    {
      type: 'https://schema.org/Message',
      '@type': 'Message',
      '@context': 'https://schema.org',
      '@id': '',
      additionalType: ['AIGeneratedContent'],
      citation: citations.slice(0, maxCitations).map((c, i) => ({
        '@type': 'Claim',
        position: i + 1,
        appearance: {
          '@type': 'DigitalDocument',
          name: c.title.slice(0, 80),
          url: c.url,
          abstract: `From the IT knowledge base: ${c.title}`.slice(0, 160),
        },
      })),
    },
  ];
}

/** The message text of a model-written card: title, answer and its citation markers ([1], [2], ...). */
export function aiText(card: Card): string {
  const answer = card.sections.map((s) => s.text ?? '').join('\n\n');
  const markers = (card.citations ?? [])
    .slice(0, maxCitations)
    .map((_, i) => `[${i + 1}]`)
    .join('');
  return `${cardMarkdown(`**${card.title}**`)}\n\n${cardMarkdown(answer)}${markers ? ` ${markers}` : ''}`;
}

/**
 * The activity for an answer card: a model-written one is text with the AI label and citations, with a card
 * below for its buttons; a knowledge-base one stays a card. Both use Teams' feedback loop when the card had 👍/👎.
 */
export function answerActivity(card: Card): Partial<Activity> {
  const feedback = hasFeedback(card);
  const shown = feedback ? withoutFeedbackButtons(card) : card;
  const channelData = feedback ? { channelData: { feedbackLoopEnabled: true } } : {};
  if (!card.generated) {
    return {
      type: 'message',
      attachments: [{ contentType: adaptiveCardContentType, content: cardOf(renderReplyElements(shown)) }],
      summary: card.title,
      ...channelData,
    };
  }
  const tail = renderCardTail(shown);
  return {
    type: 'message',
    textFormat: 'markdown',
    text: aiText(card),
    entities: aiEntities(card) as never,
    ...(tail.length
      ? { attachments: [{ contentType: adaptiveCardContentType, content: cardOf(tail) }] }
      : {}),
    ...channelData,
  };
}

function cardOf(body: ReturnType<typeof renderReplyElements>): AdaptiveCard {
  return adaptiveCard(body);
}
