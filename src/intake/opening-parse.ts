// The machine-readable reading of one opening message, as `itbuddy intake parse` prints it: the same reader and
// the same form values the chat uses, so the command measures what people get.
import { type OpeningRoute, type ReadingContext, readOpening } from './opening-reader.ts';
import { formDraft, type PlanStep } from './question-plan.ts';
import type { RequestKind } from './request-schema.ts';

/** One line of `itbuddy intake parse --jsonl`. */
export interface OpeningParse {
  text: string;
  route: OpeningRoute;
  kind: RequestKind | null;
  title: string | null;
  /** Every value the request form would be pre-filled with (null fields left out), plus the thing named and the person. */
  fields: Record<string, string>;
  /** The questions the conversation would ask, most important first. */
  missing: PlanStep[];
}

/** Reads `text` as the chat would and reports it. */
export function parseOpening(text: string, context: ReadingContext): OpeningParse {
  const reading = readOpening(text, context);
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(formDraft(reading.draft, reading.notes)))
    if (value !== null) fields[name] = value;
  if (reading.notes.subject) fields.subject = reading.notes.subject;
  if (reading.person) fields.person = reading.person;
  if (reading.notes.since) fields.since = reading.notes.since;
  return {
    text,
    route: reading.route,
    kind: reading.draft.kind,
    title: reading.route === 'answer' ? null : reading.draft.title,
    fields: reading.route === 'answer' ? {} : fields,
    missing: reading.route === 'answer' ? [] : reading.missing,
  };
}
