// Neutral forms ↔ Slack modals, as pure functions: the modal view for any form, the private metadata that carries
// the form id and the core's state, and the submitted values read back by field name (block_id = field name).
import { z } from 'zod';
import type { FormSubmission } from '../../src/messages/incoming.ts';
import type { Form, FormField } from '../../src/messages/replies.ts';
import { type MessageBlock, type PlainText, plain, slackLimits } from './render-blocks.ts';
import { clip, splitMrkdwn, toMrkdwn, toPlain } from './slack-mrkdwn.ts';

/** The callback id of every modal built from a neutral form. */
export const formCallbackId = 'itbuddy.form';
/** The action id of the single element in each input block. */
export const inputActionId = 'value';

/** Modal limits (Slack's view reference). */
export const modalLimits = {
  title: 24,
  submit: 24,
  close: 24,
  privateMetadata: 3000,
  label: 2000,
  hint: 2000,
  placeholder: 150,
  inputMaxLength: 3000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  blockId: 255,
} as const;

/** Where the form was opened from, so the result can be put in context. */
export const formOriginSchema = z.object({
  id: z.string().max(200),
  kind: z.enum(['personal', 'channel', 'group']),
  threadId: z.string().max(100).optional(),
});
export type FormOrigin = z.infer<typeof formOriginSchema>;

/** What `private_metadata` carries: form id, the core's state, origin, and long select values by index. */
export const formMetaSchema = z.object({
  f: z.string().min(1).max(100),
  s: z.string().max(10_000).optional(),
  c: formOriginSchema.optional(),
  /** Select fields whose option values were too long for Slack: the real values, by option index. */
  o: z.record(z.string(), z.array(z.string())).optional(),
});
export type FormMeta = z.infer<typeof formMetaSchema>;

/** The metadata for `form`: its id, state and origin, and the real values of over-long select options. */
export function formMeta(form: Form, origin?: FormOrigin): FormMeta {
  const long: Record<string, string[]> = {};
  for (const field of form.fields) {
    const values = (field.options ?? []).map((o) => o.value);
    if (field.kind === 'select' && values.some((v) => v.length > modalLimits.optionValue))
      long[field.name] = values;
  }
  return {
    f: form.id,
    ...(form.state !== undefined ? { s: form.state } : {}),
    ...(origin ? { c: origin } : {}),
    ...(Object.keys(long).length > 0 ? { o: long } : {}),
  };
}

export interface InputBlock {
  type: 'input';
  block_id: string;
  label: PlainText;
  optional: boolean;
  hint?: PlainText;
  element: Record<string, unknown>;
}

/** A modal view. */
export interface ModalView {
  type: 'modal';
  callback_id: string;
  title: PlainText;
  submit: PlainText;
  close: PlainText;
  private_metadata: string;
  blocks: (MessageBlock | InputBlock)[];
}

function optionValue(field: FormField, value: string, index: number, meta: FormMeta | undefined): string {
  return meta?.o?.[field.name] ? `#${index}` : value;
}

function inputElement(
  field: FormField,
  initial: string | undefined,
  meta: FormMeta | undefined,
): Record<string, unknown> {
  const placeholder = field.placeholder
    ? { placeholder: plain(field.placeholder, modalLimits.placeholder) }
    : {};
  const options = (field.options ?? []).slice(0, modalLimits.selectOptions);
  if (field.kind === 'select' && options.length > 0) {
    const slackOptions = options.map((o, i) => ({
      text: plain(toPlain(o.label) || o.value, modalLimits.optionText),
      value: optionValue(field, o.value, i, meta).slice(0, modalLimits.optionValue),
    }));
    const chosen = options.findIndex((o) => o.value === initial);
    return {
      type: 'static_select',
      action_id: inputActionId,
      options: slackOptions,
      ...(chosen >= 0 ? { initial_option: slackOptions[chosen] } : {}),
      ...placeholder,
    };
  }
  if (field.kind === 'date') {
    const date = initial && /^\d{4}-\d{2}-\d{2}$/.test(initial) ? { initial_date: initial } : {};
    return { type: 'datepicker', action_id: inputActionId, ...date, ...placeholder };
  }
  const maxLength = Math.min(field.maxLength ?? modalLimits.inputMaxLength, modalLimits.inputMaxLength);
  return {
    type: 'plain_text_input',
    action_id: inputActionId,
    ...(field.kind === 'textarea' ? { multiline: true } : {}),
    ...(initial ? { initial_value: initial.slice(0, maxLength) } : {}),
    ...(maxLength > 0 ? { max_length: maxLength } : {}),
    ...placeholder,
  };
}

function inputBlock(form: Form, field: FormField, meta: FormMeta | undefined): InputBlock {
  const error = form.errors?.[field.name];
  const hint = [error ? `⚠️ ${error}` : '', field.hint ?? ''].filter(Boolean).join(' — ');
  return {
    type: 'input',
    block_id: field.name.slice(0, modalLimits.blockId),
    label: plain(toPlain(field.label) || field.name, modalLimits.label),
    optional: !field.required,
    ...(hint ? { hint: plain(hint, modalLimits.hint) } : {}),
    element: inputElement(field, form.values?.[field.name], meta),
  };
}

/** Builds the modal for `form`, pre-filled with its values. `privateMetadata` comes from `formMeta` (or a reference). */
export function formModal(form: Form, privateMetadata: string, meta?: FormMeta): ModalView {
  const inputs = form.fields.slice(0, slackLimits.viewBlocks - 1).map((f) => inputBlock(form, f, meta));
  const introRoom = slackLimits.viewBlocks - inputs.length;
  const intro = form.intro
    ? splitMrkdwn(toMrkdwn(form.intro), slackLimits.sectionText).slice(0, introRoom)
    : [];
  return {
    type: 'modal',
    callback_id: formCallbackId,
    title: plain(toPlain(form.title) || 'IT Buddy', modalLimits.title),
    submit: plain(toPlain(form.submitLabel) || 'Submit', modalLimits.submit),
    close: plain('Cancel', modalLimits.close),
    private_metadata: privateMetadata,
    blocks: [
      ...intro.map((text): MessageBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
      ...inputs,
    ],
  };
}

/** The state of a submitted view, as Slack sends it. */
const viewStateSchema = z.object({
  values: z.record(
    z.string(),
    z.record(
      z.string(),
      z.object({
        type: z.string(),
        value: z.string().nullish(),
        selected_option: z.object({ value: z.string() }).nullish(),
        selected_date: z.string().nullish(),
      }),
    ),
  ),
});

/** Reads a submitted modal back into a neutral form submission (empty inputs become ""). */
export function readSubmission(state: unknown, meta: FormMeta): FormSubmission {
  const parsed = viewStateSchema.safeParse(state);
  const values: Record<string, string> = {};
  if (parsed.success) {
    for (const [blockId, actions] of Object.entries(parsed.data.values)) {
      const input = actions[inputActionId];
      if (!input) continue;
      let value = input.value ?? input.selected_date ?? input.selected_option?.value ?? '';
      const long = meta.o?.[blockId];
      if (long && /^#\d+$/.test(value)) value = long[Number(value.slice(1))] ?? '';
      values[blockId] = value.slice(0, 20_000);
    }
  }
  return { formId: meta.f, values, ...(meta.s !== undefined ? { state: meta.s } : {}) };
}

/** Field errors for `response_action: errors`, keyed by block id; errors on unknown fields go to the first input. */
export function modalErrors(form: Form): Record<string, string> {
  const names = new Set(form.fields.map((f) => f.name.slice(0, modalLimits.blockId)));
  const first = form.fields[0]?.name.slice(0, modalLimits.blockId);
  const errors: Record<string, string> = {};
  for (const [name, message] of Object.entries(form.errors ?? {})) {
    const key = names.has(name) ? name : first;
    if (!key) continue;
    errors[key] = clip(errors[key] ? `${errors[key]} ${message}` : message, 500);
  }
  return errors;
}
