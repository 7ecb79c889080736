// Neutral replies → Slack Block Kit, as pure functions: same replies in, same JSON out, always within Slack's limits.
//
// Long content is split into several sections, then shortened with "…" (and a link to the whole thing when the
// card has one) so a message is never rejected for size. Button action ids keep the neutral action id
// recoverable: `${neutralId}#${index}`.
import { answerActions } from '../../src/answers/answer-card.ts';
import { tableAsText } from '../../src/messages/markdown.ts';
import type { Button, Card, Choices, Form, Reply, Table } from '../../src/messages/replies.ts';
import { clip, escapeSlack, slackLink, splitMrkdwn, toMrkdwn, toPlain } from './slack-mrkdwn.ts';
import { slackTableLimits, type TableBlock, tableBlock } from './table-block.ts';

/** Block Kit limits this renderer keeps to (from Slack's Block Kit reference). */
export const slackLimits = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  fieldText: 2000,
  fieldsPerSection: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  actionsElements: 25,
  contextElements: 10,
  contextText: 2000,
  fallbackText: 3000,
  /** All markdown blocks of one message together. */
  markdownText: 12_000,
} as const;

/** Action ids the adapter itself owns (never sent to the core). */
export const slackActions = {
  openForm: 'itbuddy.slack.open_form',
  link: 'itbuddy.slack.link',
  share: 'itbuddy.slack.share',
  /** Slack's native feedback buttons; each button's value is `${neutralActionId}|${value}`. */
  feedback: 'itbuddy.slack.feedback',
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
}
export interface ButtonElement {
  type: 'button';
  text: PlainText;
  action_id: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
}
export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}
export interface SectionBlock {
  type: 'section';
  text?: MrkdwnText;
  fields?: MrkdwnText[];
}
export interface ContextBlock {
  type: 'context';
  elements: MrkdwnText[];
}
export interface ActionsBlock {
  type: 'actions';
  elements: ButtonElement[];
}
export interface DividerBlock {
  type: 'divider';
}
/** One of Slack's native feedback buttons (👍 or 👎). */
export interface FeedbackButton {
  text: PlainText;
  value: string;
  accessibility_label: string;
}
export interface FeedbackButtonsElement {
  type: 'feedback_buttons';
  action_id: string;
  positive_button: FeedbackButton;
  negative_button: FeedbackButton;
}
/** Standard Markdown that Slack renders itself: lists (and tables) come out as Slack draws them natively. */
export interface MarkdownBlock {
  type: 'markdown';
  text: string;
}
/** Slack's row of small actions under a message; here it holds the native feedback buttons. */
export interface ContextActionsBlock {
  type: 'context_actions';
  elements: FeedbackButtonsElement[];
}
/** The blocks a message may hold. */
export type MessageBlock =
  | HeaderBlock
  | SectionBlock
  | ContextBlock
  | ActionsBlock
  | DividerBlock
  | ContextActionsBlock
  | MarkdownBlock
  | TableBlock;

/** A rendered message: blocks plus the plain fallback text Slack shows in notifications. */
export interface SlackMessage {
  blocks: MessageBlock[];
  text: string;
}

export interface RenderOptions {
  /** The value of a form's "Open form" button (the adapter stores the form and passes a reference). */
  formValue?: (form: Form) => string;
  /** Most blocks allowed; 50 for messages, 100 for views. */
  maxBlocks?: number;
}

/** The neutral action id behind a rendered button's action_id (`answer.helped#2` → `answer.helped`). */
export function neutralActionId(actionId: string): string {
  return actionId.replace(/#\d+$/, '');
}

export const plain = (text: string, max: number): PlainText => ({
  type: 'plain_text',
  text: clip(text.trim() || '…', max),
  emoji: true,
});
const mrkdwn = (text: string): MrkdwnText => ({ type: 'mrkdwn', text });

/** Shortens mrkdwn to `max` characters without breaking a link or an entity. */
export function clipMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${splitMrkdwn(text, max - 1)[0] ?? ''}…`;
}

const toneEmoji = {
  info: ':information_source:',
  success: ':white_check_mark:',
  warning: ':warning:',
  error: ':x:',
};

/** A piece of the message under construction: a block, and the text run it belongs to (for shortening). */
interface Piece {
  block: MessageBlock;
  run?: Run;
}
interface Run {
  link?: { url: string; label: string } | undefined;
}

class Builder {
  readonly pieces: Piece[] = [];
  private buttonIndex = 0;
  private markdownLeft: number = slackLimits.markdownText;
  private tablesLeft: number = slackTableLimits.perMessage;
  private readonly options: RenderOptions;

  constructor(options: RenderOptions) {
    this.options = options;
  }

  add(block: MessageBlock): void {
    this.pieces.push({ block });
  }

  /** Adds mrkdwn as one or more sections of at most 3000 characters, forming one shortenable run. */
  text(text: string, link?: Run['link']): void {
    const run: Run = { link };
    for (const chunk of splitMrkdwn(text, slackLimits.sectionText)) {
      this.pieces.push({ block: { type: 'section', text: mrkdwn(chunk) }, run });
    }
  }

  /** Adds a markdown block while the message's markdown budget lasts; false when it is spent. */
  markdown(text: string): boolean {
    if (text.length > this.markdownLeft) return false;
    this.markdownLeft -= text.length;
    this.add({ type: 'markdown', text });
    return true;
  }

  /**
   * Adds a table block while the message may still hold one (Slack takes one per message) and the table is
   * within the block's limits; otherwise the rows as text, so nothing is lost.
   */
  table(table: Table, link?: Run['link']): void {
    const block = this.tablesLeft > 0 ? tableBlock(table) : undefined;
    if (block) {
      this.tablesLeft--;
      this.add(block);
      return;
    }
    this.text(toMrkdwn(tableAsText(table)), link);
  }

  context(text: string): void {
    this.add({ type: 'context', elements: [mrkdwn(clipMrkdwn(text, slackLimits.contextText))] });
  }

  button(b: Button): ButtonElement | undefined {
    const index = this.buttonIndex++;
    const text = plain(toPlain(b.label), slackLimits.buttonText);
    const style = b.style ? { style: b.style } : {};
    if (b.url !== undefined) {
      if (!/^(https?:\/\/|mailto:)\S+$/i.test(b.url) || b.url.length > slackLimits.buttonUrl)
        return undefined;
      return { type: 'button', text, action_id: `${slackActions.link}#${index}`, url: b.url, ...style };
    }
    if (!b.action) return undefined;
    const value =
      b.action.value === undefined ? {} : { value: b.action.value.slice(0, slackLimits.buttonValue) };
    return { type: 'button', text, action_id: `${b.action.id.slice(0, 240)}#${index}`, ...value, ...style };
  }

  actions(buttons: Button[]): void {
    const elements = buttons.map((b) => this.button(b)).filter((e): e is ButtonElement => e !== undefined);
    for (let i = 0; i < elements.length; i += slackLimits.actionsElements) {
      this.add({ type: 'actions', elements: elements.slice(i, i + slackLimits.actionsElements) });
    }
  }

  openFormButton(form: Form): ButtonElement {
    const index = this.buttonIndex++;
    const value = (this.options.formValue ?? ((f: Form) => f.id))(form).slice(0, slackLimits.buttonValue);
    return {
      type: 'button',
      text: plain('Open form', slackLimits.buttonText),
      action_id: `${slackActions.openForm}#${index}`,
      value,
      style: 'primary',
    };
  }
}

/** True when IT Buddy markdown holds a bulleted or numbered list. */
function hasList(text: string): boolean {
  return /^\s*(?:[-*]|\d+[.)])\s+\S/m.test(text);
}

/** Slack's own `<@U…>`, `<!here>` and `<url|label>` forms are not markdown: shown as text, never as mentions. */
function stripSlackSyntax(text: string): string {
  return text.replace(/<([@!#][^>]*)>/g, '‹$1›');
}

/** The value a native feedback button carries: the neutral action and its value, so the core gets its action back. */
export function feedbackValue(button: Button): string {
  return `${button.action?.id ?? ''}|${button.action?.value ?? ''}`.slice(0, slackLimits.buttonValue);
}

/** Reads a native feedback button's value back into the neutral action (undefined when it is not ours). */
export function feedbackAction(value: string | undefined): { id: string; value: string } | undefined {
  const bar = value?.indexOf('|') ?? -1;
  if (!value || bar < 1) return undefined;
  const id = value.slice(0, bar);
  if (id !== answerActions.helped && id !== answerActions.notHelped) return undefined;
  return { id, value: value.slice(bar + 1) };
}

/** The card's 👍 and 👎 buttons, which Slack shows as its native feedback buttons instead. */
function feedbackPair(card: Card): { helped: Button; notHelped: Button } | undefined {
  const helped = card.actions?.find((a) => a.action?.id === answerActions.helped);
  const notHelped = card.actions?.find((a) => a.action?.id === answerActions.notHelped);
  return helped && notHelped ? { helped, notHelped } : undefined;
}

/** "AI-generated" and the numbered sources of a model-written card, as one context line. */
function aiLine(card: Card): string {
  const sources = (card.citations ?? [])
    .filter((c) => /^https?:\/\/\S+$/i.test(c.url) && c.url.length <= 500)
    .slice(0, 5)
    .map((c, i) => `${i + 1}. ${slackLink(c.url, clip(toPlain(c.title), 80))}`);
  return [
    ':sparkles: *AI-generated* — check the source if in doubt.',
    sources.length ? `Sources: ${sources.join('  ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** Everything of a card below its text: AI label and sources, buttons, native feedback, footer. */
function renderCardTail(b: Builder, card: Card): void {
  const feedback = feedbackPair(card);
  const buttons = [
    ...(card.actions ?? []).filter((a) => a !== feedback?.helped && a !== feedback?.notHelped),
    ...(card.link ? [{ label: card.link.label, url: card.link.url }] : []),
  ];
  if (card.generated) b.context(aiLine(card));
  b.actions(buttons);
  if (feedback) {
    b.add({
      type: 'context_actions',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: slackActions.feedback,
          positive_button: {
            text: plain('👍', slackLimits.buttonText),
            value: feedbackValue(feedback.helped),
            accessibility_label: clip(toPlain(feedback.helped.label), 75),
          },
          negative_button: {
            text: plain('👎', slackLimits.buttonText),
            value: feedbackValue(feedback.notHelped),
            accessibility_label: clip(toPlain(feedback.notHelped.label), 75),
          },
        },
      ],
    });
  }
  if (card.footer) b.context(toMrkdwn(card.footer));
}

/**
 * The blocks that close a streamed answer (chat.stopStream `blocks`): the card without its title and text, which
 * the stream already showed.
 */
export function renderStreamTail(card: Card): MessageBlock[] {
  const b = new Builder({});
  renderCardTail(b, card);
  return fitBlocks(b.pieces, slackLimits.messageBlocks);
}

function renderCard(b: Builder, card: Card): void {
  b.add({ type: 'header', text: plain(toPlain(card.title), slackLimits.headerText) });
  if (card.subtitle) b.context(toMrkdwn(card.subtitle));
  for (const section of card.sections) {
    // An answer's steps and lists go in a markdown block, drawn by Slack as real lists. Answer text is the
    // knowledge base's own (or the model's, checked): no user text, so nothing to escape for mentions.
    if (card.kind === 'answer' && section.text && hasList(section.text) && !section.fields?.length) {
      const heading = section.heading ? `**${toPlain(section.heading).replace(/[*_~`]/g, '')}**\n\n` : '';
      if (b.markdown(`${heading}${stripSlackSyntax(section.text)}`)) {
        if (section.table) b.table(section.table, card.link);
        continue;
      }
    }
    const heading = section.heading ? `*${escapeSlack(toPlain(section.heading))}*` : '';
    const body = section.text ? toMrkdwn(section.text) : '';
    const text = [heading, body].filter(Boolean).join('\n');
    if (text) b.text(text, card.link);
    if (section.table) b.table(section.table, card.link);
    const fields = (section.fields ?? []).map((f) =>
      mrkdwn(
        clipMrkdwn(`*${escapeSlack(toPlain(f.label))}*\n${toMrkdwn(f.value) || ' '}`, slackLimits.fieldText),
      ),
    );
    for (let i = 0; i < fields.length; i += slackLimits.fieldsPerSection) {
      b.add({ type: 'section', fields: fields.slice(i, i + slackLimits.fieldsPerSection) });
    }
  }
  renderCardTail(b, card);
}

function renderChoices(b: Builder, choices: Choices): void {
  b.text(toMrkdwn(choices.prompt));
  b.actions(choices.options);
}

function renderFormInMessage(b: Builder, form: Form): void {
  const lines = [`:memo: *${escapeSlack(toPlain(form.title))}*`];
  if (form.intro) lines.push(toMrkdwn(form.intro));
  const errors = Object.entries(form.errors ?? {});
  if (errors.length > 0) {
    const label = (name: string) => form.fields.find((f) => f.name === name)?.label ?? name;
    lines.push(
      'Please check:',
      ...errors.map(([name, msg]) => `• *${escapeSlack(toPlain(label(name)))}*: ${escapeSlack(msg)}`),
    );
  }
  b.text(lines.join('\n'));
  b.add({ type: 'actions', elements: [b.openFormButton(form)] });
}

function renderReply(b: Builder, r: Reply): void {
  switch (r.type) {
    case 'text':
      b.text(toMrkdwn(r.text));
      return;
    case 'notice':
      b.text(`${toneEmoji[r.tone]} ${toMrkdwn(r.text)}`);
      return;
    case 'card':
      renderCard(b, r);
      return;
    case 'choices':
      renderChoices(b, r);
      return;
    case 'form':
      renderFormInMessage(b, r);
      return;
  }
}

/** The marker that ends shortened text: an ellipsis and, when there is one, a link to the whole thing. */
function moreMarker(link: Run['link']): string {
  const linkText = moreLink(link);
  return linkText ? `\n… ${linkText}` : '\n…';
}

function moreLink(link: Run['link']): string {
  if (!link || !/^https?:\/\/\S+$/i.test(link.url) || link.url.length > 500) return '';
  return slackLink(link.url, clip(toPlain(link.label), 100));
}

/** Shortens the longest text runs until the message fits in `max` blocks; cuts the tail as a last resort. */
function fitBlocks(pieces: Piece[], max: number): MessageBlock[] {
  const out = [...pieces];
  const trimmed = new Set<Run>();
  while (out.length > max) {
    // The run with the most sections loses its last section.
    const counts = new Map<Run, number>();
    for (const p of out) if (p.run) counts.set(p.run, (counts.get(p.run) ?? 0) + 1);
    let longest: Run | undefined;
    for (const [run, n] of counts) if (n > 1 && (!longest || n > (counts.get(longest) ?? 0))) longest = run;
    if (!longest) break;
    let last = -1;
    out.forEach((p, i) => {
      if (p.run === longest) last = i;
    });
    out.splice(last, 1);
    trimmed.add(longest);
  }
  const blocks = out.map((p, i) => {
    const run = p.run;
    const isLastOfRun = run && trimmed.has(run) && !out.slice(i + 1).some((q) => q.run === run);
    if (!isLastOfRun || p.block.type !== 'section' || !p.block.text) return p.block;
    const marker = moreMarker(run.link);
    return {
      ...p.block,
      text: mrkdwn(`${clipMrkdwn(p.block.text.text, slackLimits.sectionText - marker.length)}${marker}`),
    };
  });
  if (blocks.length <= max) return blocks;
  const link = pieces.find((p) => p.run?.link)?.run?.link;
  return [
    ...blocks.slice(0, max - 1),
    {
      type: 'context',
      elements: [mrkdwn(['… there was more than fits in one message.', moreLink(link)].join(' ').trim())],
    },
  ];
}

/** Plain fallback text for notifications and screen readers, escaped so it can never mention or link anyone. */
export function fallbackText(replies: Reply[]): string {
  const parts = replies.map((r) => {
    switch (r.type) {
      case 'text':
      case 'notice':
        return toPlain(r.text);
      case 'card':
        return [r.title, ...r.sections.map((s) => s.heading ?? s.text ?? '')]
          .map(toPlain)
          .filter(Boolean)
          .join(' — ');
      case 'choices':
        return toPlain(r.prompt);
      default:
        return toPlain(r.title);
    }
  });
  return escapeSlack(clip(parts.filter(Boolean).join('\n') || 'IT Buddy', slackLimits.fallbackText));
}

/** Renders neutral replies as one Slack message: blocks within every Block Kit limit, plus fallback text. */
export function renderMessage(replies: Reply[], options: RenderOptions = {}): SlackMessage {
  const b = new Builder(options);
  for (const r of replies) renderReply(b, r);
  return {
    blocks: fitBlocks(b.pieces, options.maxBlocks ?? slackLimits.messageBlocks),
    text: fallbackText(replies),
  };
}
