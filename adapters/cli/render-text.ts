// Renders the core's neutral replies as plain terminal text. Buttons are numbered so the user can pick one by
// typing its number; the numbering runs on across the replies of one turn.
import { tableAsText, toPlainText } from '../../src/messages/markdown.ts';
import type { Button, Card, Form, Reply } from '../../src/messages/replies.ts';

/** The text to print for one turn, and the buttons in the order of their numbers (button 1 is `buttons[0]`). */
export interface RenderedTurn {
  text: string;
  buttons: Button[];
  /** The last form of the turn, which the terminal asks for field by field. */
  form: Form | undefined;
}

const noticeMark = { info: 'ℹ', success: '✓', warning: '!', error: '✗' } as const;

/** Renders replies as text with numbered buttons. */
export function renderReplies(replies: readonly Reply[]): RenderedTurn {
  const buttons: Button[] = [];
  let form: Form | undefined;
  const numbered = (options: readonly Button[]): string =>
    options
      .map((b) => {
        buttons.push(b);
        return `  [${buttons.length}] ${b.label}${b.url ? ` (${b.url})` : ''}`;
      })
      .join('\n');
  const blocks = replies.map((r): string => {
    switch (r.type) {
      case 'text':
        return toPlainText(r.text);
      case 'notice':
        return `${noticeMark[r.tone]} ${toPlainText(r.text)}`;
      case 'choices':
        return [toPlainText(r.prompt), numbered(r.options)].join('\n');
      case 'card':
        return renderCard(r, numbered);
      case 'form':
        form = r;
        return [`${r.title}`, ...(r.intro ? [toPlainText(r.intro)] : [])].join('\n');
      default:
        return '';
    }
  });
  return { text: blocks.filter(Boolean).join('\n\n'), buttons, form };
}

// "Where to get help:" but "How was this issue?", not "How was this issue?:".
function headingLine(heading: string): string {
  return /[?!:.]$/.test(heading) ? heading : `${heading}:`;
}

function renderCard(card: Card, numbered: (options: readonly Button[]) => string): string {
  const lines = [card.title, '─'.repeat(Math.min(60, Math.max(3, card.title.length)))];
  if (card.subtitle) lines.push(toPlainText(card.subtitle));
  for (const section of card.sections) {
    lines.push('');
    if (section.heading) lines.push(headingLine(toPlainText(section.heading)));
    if (section.text) lines.push(toPlainText(section.text));
    if (section.table) lines.push(toPlainText(tableAsText(section.table)));
    for (const field of section.fields ?? []) lines.push(`${field.label}: ${toPlainText(field.value)}`);
  }
  if (card.link) lines.push('', `${card.link.label}: ${card.link.url}`);
  if (card.footer) lines.push('', toPlainText(card.footer));
  if (card.actions?.length) lines.push('', numbered(card.actions));
  return lines.join('\n');
}
