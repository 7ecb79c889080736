// The platform-neutral replies the core produces; adapters render them as Block Kit, Adaptive Cards or HTML.
//
// Every text field holds "IT Buddy markdown": **bold**, _italic_, `code`, [label](https://url), "- " lists,
// "1. " lists and line breaks. Tables are not text: a section carries one as `table` (see `splitTables`).
// Text that came from a user must pass through `escapeMarkdown` before it is
// placed in a reply, so nobody can inject links or formatting; renderers then escape for their platform.
import { z } from 'zod';
import { actionSchema } from './incoming.ts';

export const buttonSchema = z.object({
  label: z.string(),
  action: actionSchema.optional(),
  /** A link button opens this URL instead of sending an action. */
  url: z.string().optional(),
  style: z.enum(['primary', 'danger']).optional(),
});
export type Button = z.infer<typeof buttonSchema>;

export const fieldSchema = z.object({ label: z.string(), value: z.string() });
export type Field = z.infer<typeof fieldSchema>;

/** One column of a table: its header and how its cells line up. */
export const tableColumnSchema = z.object({
  label: z.string(),
  align: z.enum(['left', 'center', 'right']).optional(),
});
export type TableColumn = z.infer<typeof tableColumnSchema>;

/**
 * A table (from a GitHub-style pipe table in an article): a header row and body rows, every cell one line of
 * IT Buddy markdown. Rows have as many cells as there are columns. Renderers keep to their platform's limits
 * and fall back to plain rows of text when a table is too big.
 */
export const tableSchema = z.object({
  columns: z.array(tableColumnSchema).min(1),
  rows: z.array(z.array(z.string())),
});
export type Table = z.infer<typeof tableSchema>;

/** A part of a card: an optional heading, then text, then a table, then label/value fields. */
export const sectionSchema = z.object({
  heading: z.string().optional(),
  text: z.string().optional(),
  table: tableSchema.optional(),
  fields: z.array(fieldSchema).optional(),
});
export type Section = z.infer<typeof sectionSchema>;

/** A card: an answer, a request summary, a newsletter. `link` points at the whole thing on the web. */
export const cardSchema = z.object({
  type: z.literal('card'),
  /** What the card is, so renderers and tests can tell an answer from a request summary. */
  kind: z.enum(['answer', 'request', 'newsletter', 'announcement', 'list', 'help', 'report']).optional(),
  title: z.string(),
  subtitle: z.string().optional(),
  sections: z.array(sectionSchema),
  actions: z.array(buttonSchema).optional(),
  link: z.object({ label: z.string(), url: z.string() }).optional(),
  footer: z.string().optional(),
  /** True when a language model wrote the text: channels label it as AI-generated. */
  generated: z.boolean().optional(),
  /** The sources a model-written card rests on, numbered in this order. */
  citations: z.array(z.object({ title: z.string(), url: z.string() })).optional(),
});
export type Card = z.infer<typeof cardSchema>;

export const textReplySchema = z.object({ type: z.literal('text'), text: z.string() });
export type TextReply = z.infer<typeof textReplySchema>;

export const noticeSchema = z.object({
  type: z.literal('notice'),
  tone: z.enum(['info', 'success', 'warning', 'error']),
  text: z.string(),
});
export type Notice = z.infer<typeof noticeSchema>;

/** A question with a few answers to pick from. */
export const choicesSchema = z.object({
  type: z.literal('choices'),
  prompt: z.string(),
  options: z.array(buttonSchema),
});
export type Choices = z.infer<typeof choicesSchema>;

export const formFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  kind: z.enum(['text', 'textarea', 'select', 'date']),
  required: z.boolean(),
  options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  placeholder: z.string().optional(),
  hint: z.string().optional(),
  maxLength: z.number().int().optional(),
});
export type FormField = z.infer<typeof formFieldSchema>;

/** A form: rendered as a Slack modal, an Adaptive Card with inputs, or an HTML form. */
export const formSchema = z.object({
  type: z.literal('form'),
  id: z.string(),
  title: z.string(),
  intro: z.string().optional(),
  submitLabel: z.string(),
  fields: z.array(formFieldSchema),
  values: z.record(z.string(), z.string()).optional(),
  /** Field-level validation messages from the last submission. */
  errors: z.record(z.string(), z.string()).optional(),
  /** Opaque state the core wants back with the submission. */
  state: z.string().optional(),
});
export type Form = z.infer<typeof formSchema>;

export const replySchema = z.discriminatedUnion('type', [
  textReplySchema,
  noticeSchema,
  cardSchema,
  choicesSchema,
  formSchema,
]);
export type Reply = z.infer<typeof replySchema>;

/** Builders, so handlers read like the conversation they produce. */
export const reply = {
  text: (text: string): TextReply => ({ type: 'text', text }),
  notice: (tone: Notice['tone'], text: string): Notice => ({ type: 'notice', tone, text }),
  choices: (prompt: string, options: Button[]): Choices => ({ type: 'choices', prompt, options }),
  button: (label: string, id: string, value?: string, style?: Button['style']): Button => ({
    label,
    action: value === undefined ? { id } : { id, value },
    ...(style ? { style } : {}),
  }),
  link: (label: string, url: string): Button => ({ label, url }),
};
