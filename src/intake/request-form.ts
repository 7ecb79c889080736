// The whole request as one neutral form, derived from the draft schema plus a small metadata map (labels,
// hints, input kinds); and the reverse: a submission validated by the same schema, with per-field errors.
import type { Form, FormField } from '../messages/replies.ts';
import { intakeForms } from './request-cards.ts';
import {
  type DraftField,
  draftFields,
  emptyDraft,
  labels,
  maxLengths,
  oneOther,
  type RequestDetails,
  type RequestDraft,
  requestDraftSchema,
  requiredFields,
  validateDraft,
} from './request-schema.ts';

interface FieldMeta {
  label: string;
  kind: FormField['kind'];
  hint?: string;
  placeholder?: string;
}

/** How each draft field appears in the form. Typed over every field, so a new field needs an entry here. */
const fieldMeta: Record<DraftField, FieldMeta> = {
  kind: { label: 'What kind of request is it?', kind: 'select' },
  title: { label: 'Title', kind: 'text', placeholder: 'e.g. Visio for the floor plans' },
  description: { label: 'What do you need?', kind: 'textarea', hint: 'Never include passwords or codes.' },
  businessNeed: {
    label: 'Why does it matter?',
    kind: 'textarea',
    hint: 'What it lets you do, or what it blocks. For a project or idea: the problem it solves (needed).',
  },
  urgency: { label: 'How urgent is it?', kind: 'select' },
  impact: { label: 'Who does it affect?', kind: 'select' },
  neededBy: { label: 'Needed by', kind: 'date', hint: 'Optional.' },
  affected: { label: 'Who is affected?', kind: 'text', hint: 'Optional: a person, team or department.' },
  expectedBenefit: { label: 'Expected benefit', kind: 'textarea', hint: 'Projects and ideas only.' },
  costOrRisk: { label: 'Cost or risk', kind: 'textarea', hint: 'Projects and ideas only.' },
  sponsor: { label: 'Executive sponsor', kind: 'text', hint: 'Projects and ideas only.' },
};

/** The options of an enum field, read from the schema itself. */
function enumOptions(field: DraftField): { value: string; label: string }[] | undefined {
  const schema = requestDraftSchema.shape[field].unwrap() as { options?: readonly string[] };
  if (!schema.options) return undefined;
  const names = (labels as unknown as Record<string, Record<string, string>>)[field] ?? {};
  // The form serves requests for someone else too, so one person is not "Just me" there.
  const label = (v: string) => (field === 'impact' && v === 'me' ? oneOther : (names[v] ?? v));
  return schema.options.map((v) => ({ value: v, label: label(v) }));
}

/** The neutral form fields, in schema order; "required" reflects fields every kind needs. */
export function requestFormFields(): FormField[] {
  const always = new Set(requiredFields(null).filter((f) => requiredFields('incident').includes(f)));
  return draftFields.map((name) => {
    const meta = fieldMeta[name];
    const options = enumOptions(name);
    const max = (maxLengths as Record<string, number>)[name];
    return {
      name,
      label: meta.label,
      kind: meta.kind,
      required: always.has(name),
      ...(options ? { options } : {}),
      ...(meta.placeholder ? { placeholder: meta.placeholder } : {}),
      ...(meta.hint ? { hint: meta.hint } : {}),
      ...(max && meta.kind !== 'date' ? { maxLength: max } : {}),
    };
  });
}

/** The draft as form values ('' for unknown). */
export function draftToValues(draft: RequestDraft): Record<string, string> {
  return Object.fromEntries(draftFields.map((f) => [f, draft[f] ?? '']));
}

/** Form values back into a draft: blank → null, unknown names ignored. */
export function valuesToDraft(values: Record<string, string>): RequestDraft {
  const draft = emptyDraft();
  for (const f of draftFields) {
    const v = values[f]?.trim();
    (draft as Record<DraftField, string | null>)[f] = v ? v : null;
  }
  return draft;
}

/**
 * The request form, prefilled, optionally with errors from the last submission; `state` comes back with the
 * submission (the source link of a request started from a message).
 */
export function requestForm(
  draft: RequestDraft,
  errors?: Partial<Record<DraftField, string>>,
  state?: string,
): Form {
  return {
    type: 'form',
    id: intakeForms.request,
    title: 'Ask IT for something',
    intro:
      'Tell IT what you need. Fields marked required must be filled; projects also need benefit, cost or risk, and a sponsor.',
    submitLabel: 'Send to IT',
    fields: requestFormFields(),
    values: draftToValues(draft),
    ...(errors && Object.keys(errors).length > 0 ? { errors: errors as Record<string, string> } : {}),
    ...(state !== undefined ? { state } : {}),
  };
}

/** Validates a submission: the details when valid, otherwise the form again with field-level errors. */
export function readRequestForm(
  values: Record<string, string>,
  state?: string,
): { ok: true; details: RequestDetails } | { ok: false; form: Form } {
  const draft = valuesToDraft(values);
  const result = validateDraft(draft);
  if (result.ok) return { ok: true, details: result.details };
  return { ok: false, form: requestForm(draft, result.errors, state) };
}
