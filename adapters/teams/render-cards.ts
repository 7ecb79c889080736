// Neutral replies → Adaptive Cards (schema 1.5) for Teams, as pure functions. Each reply becomes a run of card
// elements with its own buttons in place (an ActionSet), so several replies can share one message; the
// elements are then packed into as few cards as fit under Teams' message size limit.
import { tableAsText, toPlainText, truncate } from '../../src/messages/markdown.ts';
import type {
  Button,
  Card,
  Choices,
  Form,
  FormField,
  Notice,
  Reply,
  Table,
} from '../../src/messages/replies.ts';
import { cardMarkdownParts, inlineCardMarkdown, safeUrl } from './card-markdown.ts';

/** The Adaptive Card schema version we emit; Teams renders up to 1.5 on every client. */
export const cardVersion = '1.5';

/** Teams rejects messages over about 40 KB; a card is kept under this many bytes of JSON to leave room for the envelope. */
export const cardByteBudget = 36_000;

/** The content type of an Adaptive Card attachment. */
export const adaptiveCardContentType = 'application/vnd.microsoft.card.adaptive';

/** Longest markdown in one TextBlock; longer text is split over several blocks (and cards). */
const maxTextBlockChars = 6000;

/** One element of a card body (TextBlock, FactSet, Input.*, ActionSet). */
export type CardElement = { type: string } & Record<string, unknown>;

/** One card action (Action.Submit or Action.OpenUrl). */
export type CardAction = { type: 'Action.Submit' | 'Action.OpenUrl'; title: string } & Record<
  string,
  unknown
>;

/** An Adaptive Card as Teams receives it. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: typeof cardVersion;
  body: CardElement[];
  msteams?: { width: 'Full' };
}

/** What a button press sends back: `{ action: { id, value } }` (see parseSubmission in teams-activity.ts). */
export interface ActionPayload {
  action: { id: string; value?: string };
}

/** What a form's submit button sends back, merged by Teams with the input values keyed by field name. */
export interface FormPayload {
  form: { formId: string; state?: string };
}

const toneColor: Record<Notice['tone'], string> = {
  info: 'Accent',
  success: 'Good',
  warning: 'Warning',
  error: 'Attention',
};

// Colour alone must not carry the meaning (screen readers, colour blindness): each tone has a sign too.
const toneSign: Record<Notice['tone'], string> = { info: 'ℹ️', success: '✅', warning: '⚠️', error: '❗' };

function textBlocks(markdown: string, extra: Record<string, unknown> = {}): CardElement[] {
  return cardMarkdownParts(markdown, maxTextBlockChars).map((text) => ({
    type: 'TextBlock',
    text,
    wrap: true,
    ...extra,
  }));
}

/** A plain label (button titles, input labels and choices are not markdown in cards). */
function plain(markdown: string, max = 200): string {
  return truncate(toPlainText(markdown).replace(/\s+/g, ' ').trim(), max);
}

/** A button as an Adaptive Card action, or undefined when it has neither a usable link nor an action. */
export function renderButton(button: Button): CardAction | undefined {
  const title = plain(button.label, 80) || 'Open';
  if (button.url !== undefined) {
    const url = safeUrl(button.url);
    return url ? { type: 'Action.OpenUrl', title, url } : undefined;
  }
  if (!button.action) return undefined;
  const payload: ActionPayload = {
    action:
      button.action.value === undefined
        ? { id: button.action.id }
        : { id: button.action.id, value: button.action.value },
  };
  return {
    type: 'Action.Submit',
    title,
    ...(button.style ? { style: button.style === 'primary' ? 'positive' : 'destructive' } : {}),
    // messageBack leaves the button's label in the chat as the user's message, so the history reads well.
    data: { ...payload, msteams: { type: 'messageBack', displayText: title, value: payload } },
  };
}

function actionSet(actions: (CardAction | undefined)[]): CardElement[] {
  const present = actions.filter((a): a is CardAction => a !== undefined);
  return present.length ? [{ type: 'ActionSet', actions: present }] : [];
}

/**
 * Our limits for a card Table (schema 1.5 sets none): beyond these columns a table is unreadable in a chat pane,
 * and a table must leave room in its card for the rest of the answer.
 */
export const teamsTableLimits = { columns: 10, rows: 100, bytes: cardByteBudget / 2 } as const;

const tableAlign = { left: 'Left', center: 'Center', right: 'Right' } as const;

function tableCell(markdown: string, header: boolean): CardElement {
  return {
    type: 'TableCell',
    items: [
      {
        type: 'TextBlock',
        text: inlineCardMarkdown(markdown.trim()) || '—',
        wrap: true,
        ...(header ? { weight: 'Bolder' } : {}),
      },
    ],
  };
}

/**
 * A neutral table as an Adaptive Card `Table` (schema 1.5) with the header as its first row; over our limits it
 * becomes a bulleted list of rows instead, so nothing is lost.
 */
export function renderTable(table: Table): CardElement[] {
  const element: CardElement = {
    type: 'Table',
    columns: table.columns.map((c) => ({
      width: 1,
      ...(c.align ? { horizontalCellContentAlignment: tableAlign[c.align] } : {}),
    })),
    rows: [
      { type: 'TableRow', cells: table.columns.map((c) => tableCell(c.label, true)) },
      ...table.rows.map((row) => ({
        type: 'TableRow',
        cells: table.columns.map((_, i) => tableCell(row[i] ?? '', false)),
      })),
    ],
    firstRowAsHeader: true,
    showGridLines: true,
  };
  const fits =
    table.columns.length <= teamsTableLimits.columns &&
    table.rows.length <= teamsTableLimits.rows &&
    Buffer.byteLength(JSON.stringify(element), 'utf8') <= teamsTableLimits.bytes;
  return fits ? [element] : textBlocks(tableAsText(table));
}

function renderNotice(notice: Notice): CardElement[] {
  return textBlocks(`${toneSign[notice.tone]} ${notice.text}`, { color: toneColor[notice.tone] });
}

function renderCardReply(card: Card): CardElement[] {
  const body: CardElement[] = [
    {
      type: 'TextBlock',
      text: inlineCardMarkdown(card.title),
      wrap: true,
      size: 'Medium',
      weight: 'Bolder',
      style: 'heading',
    },
  ];
  if (card.subtitle) body.push(...textBlocks(card.subtitle, { isSubtle: true, spacing: 'None' }));
  for (const section of card.sections) {
    if (section.heading) {
      body.push({
        type: 'TextBlock',
        text: inlineCardMarkdown(section.heading),
        wrap: true,
        weight: 'Bolder',
        spacing: 'Medium',
      });
    }
    if (section.text) body.push(...textBlocks(section.text));
    if (section.table) body.push(...renderTable(section.table));
    if (section.fields?.length) {
      body.push({
        type: 'FactSet',
        facts: section.fields.map((f) => ({
          title: inlineCardMarkdown(f.label),
          value: inlineCardMarkdown(f.value),
        })),
      });
    }
  }
  body.push(...renderCardTail(card));
  return body;
}

/** A card's buttons (its own and its link) and footer: what stays under a model answer written as text. */
export function renderCardTail(card: Card): CardElement[] {
  const link = card.link ? renderButton({ label: card.link.label, url: card.link.url }) : undefined;
  return [
    ...actionSet([...(card.actions ?? []).map(renderButton), link]),
    ...(card.footer ? textBlocks(card.footer, { isSubtle: true, size: 'Small' }) : []),
  ];
}

function renderChoices(choices: Choices): CardElement[] {
  return [...textBlocks(choices.prompt), ...actionSet(choices.options.map(renderButton))];
}

function renderField(field: FormField, form: Form): CardElement[] {
  const label = plain(field.label, 120);
  const value = form.values?.[field.name];
  const common = {
    id: field.name,
    label,
    isRequired: field.required,
    ...(field.required ? { errorMessage: `${label} is required` } : {}),
  };
  const elements: CardElement[] = [];
  if (field.kind === 'select') {
    elements.push({
      type: 'Input.ChoiceSet',
      ...common,
      style: 'compact',
      choices: (field.options ?? []).map((o) => ({ title: plain(o.label, 100), value: o.value })),
      ...(field.placeholder ? { placeholder: plain(field.placeholder) } : {}),
      ...(value !== undefined ? { value } : {}),
    });
  } else if (field.kind === 'date') {
    elements.push({
      type: 'Input.Date',
      ...common,
      ...(value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value) ? { value } : {}),
    });
  } else {
    elements.push({
      type: 'Input.Text',
      ...common,
      ...(field.kind === 'textarea' ? { isMultiline: true } : {}),
      ...(field.placeholder ? { placeholder: plain(field.placeholder) } : {}),
      ...(field.maxLength ? { maxLength: field.maxLength } : {}),
      // A prefilled value longer than the card can carry is cut; the user sees it and can fix it.
      ...(value !== undefined ? { value: truncate(value, 4000) } : {}),
    });
  }
  if (field.hint)
    elements.push(...textBlocks(field.hint, { isSubtle: true, size: 'Small', spacing: 'None' }));
  const error = form.errors?.[field.name];
  if (error) elements.push(...textBlocks(error, { color: 'Attention', spacing: 'None' }));
  return elements;
}

function renderForm(form: Form): CardElement[] {
  const body: CardElement[] = [
    {
      type: 'TextBlock',
      text: inlineCardMarkdown(form.title),
      wrap: true,
      size: 'Medium',
      weight: 'Bolder',
      style: 'heading',
    },
  ];
  if (form.intro) body.push(...textBlocks(truncate(form.intro, 2000)));
  for (const field of form.fields) body.push(...renderField(field, form));
  const known = new Set(form.fields.map((f) => f.name));
  const otherErrors = Object.entries(form.errors ?? {}).filter(([name]) => !known.has(name));
  for (const [, message] of otherErrors) body.push(...textBlocks(message, { color: 'Attention' }));
  const payload: FormPayload = {
    form: form.state === undefined ? { formId: form.id } : { formId: form.id, state: form.state },
  };
  body.push({
    type: 'ActionSet',
    actions: [
      {
        type: 'Action.Submit',
        title: plain(form.submitLabel, 80) || 'Send',
        style: 'positive',
        data: payload,
      },
    ],
  });
  return body;
}

/** The card elements for one neutral reply. */
export function renderReplyElements(reply: Reply): CardElement[] {
  switch (reply.type) {
    case 'text':
      return textBlocks(reply.text);
    case 'notice':
      return renderNotice(reply);
    case 'card':
      return renderCardReply(reply);
    case 'choices':
      return renderChoices(reply);
    case 'form':
      return renderForm(reply);
  }
}

/** Wraps body elements in a card. */
export function adaptiveCard(body: CardElement[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: cardVersion,
    body,
    msteams: { width: 'Full' },
  };
}

/** Size of a card as Teams measures it: bytes of its JSON. */
export function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/** A group of elements that must stay in one card: a form (its inputs and submit button) or a single element. */
type Unit = { elements: CardElement[]; startsReply: boolean };

function units(replies: Reply[]): Unit[] {
  const out: Unit[] = [];
  for (const reply of replies) {
    const elements = renderReplyElements(reply);
    if (reply.type === 'form') out.push({ elements, startsReply: true });
    else {
      for (const [i, e] of elements.entries()) out.push({ elements: [e], startsReply: i === 0 });
    }
  }
  return out;
}

/**
 * Renders replies into as few cards as fit under the byte budget, in order. Replies after the first start
 * with a separator line; a form's inputs always stay with its submit button.
 */
export function renderCards(replies: Reply[], budget = cardByteBudget): AdaptiveCard[] {
  const cards: AdaptiveCard[] = [];
  let body: CardElement[] = [];
  const emptyBytes = cardBytes(adaptiveCard([]));
  let bytes = emptyBytes;
  for (const unit of units(replies)) {
    const elements = unit.elements.map((e, i) =>
      i === 0 && unit.startsReply && body.length > 0 ? { ...e, separator: true, spacing: 'Medium' } : e,
    );
    const size = elements.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e), 'utf8') + 1, 0);
    if (body.length > 0 && bytes + size > budget) {
      cards.push(adaptiveCard(body));
      body = [];
      bytes = emptyBytes;
      // The separator belonged to the previous card's neighbour; a new card starts clean.
      const [first, ...rest] = elements;
      if (first) {
        const { separator: _s, spacing: _p, ...clean } = first;
        elements.splice(0, elements.length, clean as CardElement, ...rest);
      }
    }
    body.push(...elements);
    bytes += size;
  }
  if (body.length > 0) cards.push(adaptiveCard(body));
  return cards;
}

/**
 * Renders replies into exactly one card for an in-place update: when they do not fit, the card keeps what
 * fits and says it was shortened (with the card's own link, if it has one).
 */
export function renderSingleCard(replies: Reply[], budget = cardByteBudget): AdaptiveCard {
  const cards = renderCards(replies, budget - 1200);
  const first = cards[0] ?? adaptiveCard([]);
  if (cards.length <= 1) return first;
  const link = replies.find((r): r is Card => r.type === 'card' && r.link !== undefined)?.link;
  const url = link ? safeUrl(link.url) : undefined;
  const note = url
    ? `This message was shortened. [${'Read all of it'}](${url})`
    : 'This message was shortened.';
  return adaptiveCard([
    ...first.body,
    { type: 'TextBlock', text: note, wrap: true, isSubtle: true, separator: true },
  ]);
}

/** A short plain-text summary of replies, for notifications and logs. */
export function summaryOf(replies: Reply[]): string {
  const first = replies[0];
  if (!first) return '';
  const text =
    first.type === 'card' || first.type === 'form'
      ? first.title
      : first.type === 'choices'
        ? first.prompt
        : first.text;
  return plain(text, 200);
}
