// The questions each kind of request needs, in the order that matters most, and which of them the words given
// so far already answer. Software: which product, for whom, why, by when. Access: which system, what level,
// manager approval. Hardware: what, where, why (a collection: what, and where to collect it from). Incident: what is broken, since when, how many, how urgent.
// Project: the problem, benefit, cost or risk, sponsor, deadline. Only unanswered steps are asked.
import { z } from 'zod';
import type { RequestDraft, RequestKind } from './request-schema.ts';

/** Every question a plan may ask, by name (stored in the conversation state, printed by `intake parse`). */
export const planSteps = [
  'kind',
  'what',
  'forWhom',
  'why',
  'byWhen',
  'level',
  'approval',
  'where',
  'since',
  'howMany',
  'urgency',
  'problem',
  'benefit',
  'costOrRisk',
  'sponsor',
] as const;
/** One question of a plan. */
export type PlanStep = (typeof planSteps)[number];

/** Details a plan collects that have no field of their own; they are written into the description on saving. */
export const planNotesSchema = z.object({
  /** The product, system or device named. */
  subject: z.string().optional(),
  accessLevel: z.string().optional(),
  approval: z.string().optional(),
  deliverTo: z.string().optional(),
  /** Equipment IT is asked to take away rather than bring: "where" asks where to collect it from, "why" is not asked. */
  collect: z.boolean().optional(),
  /** Where equipment to be taken away is picked up from. */
  collectFrom: z.string().optional(),
  since: z.string().optional(),
  /** What changes when it is not a grant: "remove access" for a removal or revocation. */
  change: z.string().optional(),
});
/** The plan's notes, as the conversation state holds them. */
export type PlanNotes = z.infer<typeof planNotesSchema>;

const plans: Record<RequestKind, PlanStep[]> = {
  software: ['what', 'forWhom', 'why', 'byWhen'],
  access: ['what', 'level', 'approval'],
  hardware: ['what', 'where', 'why'],
  incident: ['what', 'since', 'howMany', 'urgency'],
  project: ['problem', 'benefit', 'costOrRisk', 'sponsor', 'byWhen'],
  other: ['what', 'why', 'byWhen'],
};
// Taking access away needs which system and whose access: there is no level to choose, and removing access
// lowers risk, so no manager approval is asked (one stated in the words is still noted).
const removalPlan: PlanStep[] = ['what', 'forWhom'];

/** Steps without which a request of this kind cannot be sent, even after "that's all". */
export function isEssential(step: PlanStep): boolean {
  return step === 'kind' || step === 'what' || step === 'problem';
}

/** Whether the draft and notes already answer `step` for a request of `kind`. */
export function isAnswered(
  step: PlanStep,
  kind: RequestKind | null,
  draft: RequestDraft,
  notes: PlanNotes,
): boolean {
  switch (step) {
    case 'kind':
      return draft.kind !== null;
    case 'what':
      return kind === 'incident' || kind === 'other' || kind === 'project'
        ? Boolean(draft.description?.trim())
        : Boolean(notes.subject);
    case 'forWhom':
      return draft.affected !== null || draft.impact !== null;
    case 'why':
    case 'problem':
      return draft.businessNeed !== null;
    case 'byWhen':
      return draft.neededBy !== null;
    case 'level':
      return notes.accessLevel !== undefined;
    case 'approval':
      return notes.approval !== undefined;
    case 'where':
      return notes.collect ? notes.collectFrom !== undefined : notes.deliverTo !== undefined;
    case 'since':
      return notes.since !== undefined;
    case 'howMany':
      return draft.impact !== null;
    case 'urgency':
      return draft.urgency !== null;
    case 'benefit':
      return draft.expectedBenefit !== null;
    case 'costOrRisk':
      return draft.costOrRisk !== null;
    case 'sponsor':
      return draft.sponsor !== null;
  }
}

/** The steps still to ask, most important first; `skipped` holds steps answered with "none" or "don't know". */
export function missingSteps(
  draft: RequestDraft,
  notes: PlanNotes,
  skipped: readonly PlanStep[] = [],
): PlanStep[] {
  if (!draft.description?.trim() && draft.kind === null) return ['what', 'kind'];
  if (draft.kind === null) return ['kind'];
  const kind = draft.kind;
  // Taking old or broken equipment away needs no reason: what it is and where it is are enough for IT. A removal
  // of access has its own short plan.
  const plan =
    kind === 'access' && notes.change
      ? removalPlan
      : kind === 'hardware' && notes.collect
        ? plans.hardware.filter((s) => s !== 'why')
        : plans[kind];
  return plan.filter((s) => !skipped.includes(s) && !isAnswered(s, kind, draft, notes));
}

/** The question for a step, worded for the kind (for "where", a delivery or a collection; for a removal, its own). */
export function stepQuestion(step: PlanStep, kind: RequestKind | null, notes: PlanNotes = {}): string {
  if (kind === 'access' && notes.change) {
    if (step === 'what') return 'Which system, list, folder or mailbox should the access be removed from?';
    if (step === 'forWhom') return 'Whose access or account is it? (a name, or _me_)';
  }
  switch (step) {
    case 'kind':
      return 'What kind of request is it?';
    case 'what':
      return kind === 'software'
        ? 'Which software do you need?'
        : kind === 'access'
          ? 'Which system, folder or mailbox is it for?'
          : kind === 'hardware'
            ? notes.collect
              ? 'What should IT collect?'
              : 'What equipment do you need?'
            : kind === 'incident'
              ? 'What is broken, and what happens?'
              : 'What do you need IT to do?';
    case 'forWhom':
      return 'Who is it for — just you, someone else (who?), or a team?';
    case 'why':
      return kind === 'hardware'
        ? 'What do you need it for?'
        : 'What do you need it for? A few words is plenty.';
    case 'byWhen':
      return kind === 'project'
        ? 'Is there a deadline? (a date like _31 March_, or _no deadline_)'
        : 'By when do you need it? (a date like _Friday_ or _15 January_, or _no rush_)';
    case 'level':
      return 'What level of access do you need — read only, edit, or admin?';
    case 'approval':
      return 'Has your manager approved it? (_yes_ or _not yet_)';
    case 'where':
      return notes.collect
        ? 'Where should it be collected from — which desk, room or office?'
        : 'Where should it go — which desk, room or office?';
    case 'since':
      return 'Since when has it been happening? (like _this morning_ or _since Monday_)';
    case 'howMany':
      return 'Who does it affect?';
    case 'urgency':
      return 'How urgent is it?';
    case 'problem':
      return 'What problem would it solve?';
    case 'benefit':
      return 'What is the expected benefit?';
    case 'costOrRisk':
      return 'Any idea of the cost or risk? (_don’t know_ is fine)';
    case 'sponsor':
      return 'Who is sponsoring it (a senior manager)? _Not yet_ is fine.';
  }
}

/** How each note is labelled in the description (one place, so the notes can be told from the person's words). */
const noteLabels = {
  subject: 'For',
  accessLevel: 'Access level',
  approval: 'Manager approval',
  deliverTo: 'Deliver to',
  collectFrom: 'Collect from',
  since: 'Since',
  change: 'Change',
} as const satisfies Record<Exclude<keyof PlanNotes, 'collect'>, string>;

/** The description as IT reads it: the words given, then the plan's notes, one a line. */
export function composeDescription(description: string | null, notes: PlanNotes): string | null {
  const lines = [
    notes.subject && description && !description.toLowerCase().includes(notes.subject.toLowerCase())
      ? `${noteLabels.subject}: ${notes.subject}`
      : undefined,
    notes.accessLevel ? `${noteLabels.accessLevel}: ${notes.accessLevel}` : undefined,
    notes.approval ? `${noteLabels.approval}: ${notes.approval}` : undefined,
    notes.collectFrom ? `${noteLabels.collectFrom}: ${notes.collectFrom}` : undefined,
    notes.deliverTo ? `${noteLabels.deliverTo}: ${notes.deliverTo}` : undefined,
    notes.collectFrom ? `${noteLabels.collectFrom}: ${notes.collectFrom}` : undefined,
    notes.since ? `${noteLabels.since}: ${notes.since}` : undefined,
    notes.change ? `${noteLabels.change}: ${notes.change}` : undefined,
  ].filter((l): l is string => l !== undefined);
  if (lines.length === 0) return description;
  return [description ?? '', '', ...lines].join('\n').trim();
}

const noteLine = new RegExp(`^(?:${Object.values(noteLabels).join('|')}): `);

/** A stored description without the plan's notes written under it: the person's own words ("Since: …" dropped). */
export function ownWords(description: string): string {
  const lines = description.split('\n');
  let end = lines.length;
  while (end > 0 && noteLine.test(lines[end - 1]!)) end--;
  return end === lines.length ? description : lines.slice(0, end).join('\n').trim();
}

/** The draft as forms, summaries and `itbuddy intake parse` show it: the plan's notes written into the description. */
export function formDraft(draft: RequestDraft, notes: PlanNotes): RequestDraft {
  return { ...draft, description: composeDescription(draft.description, notes) };
}
