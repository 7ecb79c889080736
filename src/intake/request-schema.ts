// The intake request: one set of zod schemas from which validation, the neutral form, stored documents and
// (for the language model) structured extraction all derive. Also the rules that belong to the record itself:
// which fields each kind needs, the priority matrix, references and the status lifecycle.
import { z } from 'zod';
import { platformSchema } from '../messages/incoming.ts';

export const requestKinds = ['access', 'software', 'hardware', 'incident', 'project', 'other'] as const;
export const requestKindSchema = z.enum(requestKinds);
export type RequestKind = z.infer<typeof requestKindSchema>;

export const urgencies = ['low', 'medium', 'high', 'critical'] as const;
export const urgencySchema = z.enum(urgencies);
export type Urgency = z.infer<typeof urgencySchema>;

export const impacts = ['me', 'team', 'department', 'company'] as const;
export const impactSchema = z.enum(impacts);
export type Impact = z.infer<typeof impactSchema>;

export const priorities = ['P1', 'P2', 'P3', 'P4'] as const;
export const prioritySchema = z.enum(priorities);
export type Priority = z.infer<typeof prioritySchema>;

export const requestStatuses = [
  'new',
  'acknowledged',
  'in_progress',
  'waiting_on_requester',
  'resolved',
  'closed',
  'declined',
] as const;
export const requestStatusSchema = z.enum(requestStatuses);
export type RequestStatus = z.infer<typeof requestStatusSchema>;

/** Words people see for each value. */
export const labels = {
  kind: {
    access: 'Access',
    software: 'Software',
    hardware: 'Hardware',
    incident: 'Something is broken',
    project: 'Project or idea',
    other: 'Something else',
  } satisfies Record<RequestKind, string>,
  urgency: { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' } satisfies Record<
    Urgency,
    string
  >,
  impact: {
    me: 'Just me',
    team: 'My team',
    department: 'My department',
    company: 'The whole company',
  } satisfies Record<Impact, string>,
  status: {
    new: 'New',
    acknowledged: 'Acknowledged',
    in_progress: 'In progress',
    waiting_on_requester: 'Waiting on requester',
    resolved: 'Resolved',
    closed: 'Closed',
    declined: 'Declined',
  } satisfies Record<RequestStatus, string>,
} as const;

/**
 * How "who it affects" reads on a request: `me` is one person, which is "Just me" only when nobody else is named
 * as affected; a request for someone else ("for our new hire Sam") reads "One person", with the person beside it.
 */
export function impactLabel(
  impact: Impact,
  affected: string | null | undefined,
  requesterName?: string,
): string {
  if (impact !== 'me' || !affected?.trim()) return labels.impact[impact];
  const who = affected.trim().toLowerCase();
  const self =
    /^(?:me|myself|i|just me|only me|for me)$/.test(who) ||
    (requesterName !== undefined && who === requesterName.trim().toLowerCase());
  return self ? labels.impact.me : oneOther;
}

/** The `me` impact when the one person is not (or not known to be) the requester: forms and other people's requests. */
export const oneOther = 'One person';

/**
 * The fields a requester fills in, all nullable (null = not known yet). Plain objects, enums, strings and
 * nullables only, so it converts to an OpenAI strict structured-output schema (`zodTextFormat`).
 */
export const requestDraftSchema = z.object({
  kind: requestKindSchema
    .nullable()
    .describe(
      'access = permissions to an app, folder or mailbox; software = install or licence; hardware = equipment; incident = something is broken; project = a project or idea; other',
    ),
  title: z.string().nullable().describe('A short title, at most 120 characters, in the requester’s words'),
  description: z.string().nullable().describe('What is needed or what is wrong, in the requester’s words'),
  businessNeed: z
    .string()
    .nullable()
    .describe('Why it matters: what it lets the requester do, or what it blocks'),
  urgency: urgencySchema.nullable().describe('How soon it is needed; null unless the requester said so'),
  impact: impactSchema
    .nullable()
    .describe('Who is affected: just the requester, their team, department or company'),
  neededBy: z.string().nullable().describe('Date it is needed by, as YYYY-MM-DD, or null'),
  affected: z.string().nullable().describe('The person, team or department affected, as free text'),
  expectedBenefit: z.string().nullable().describe('Projects only: the expected benefit'),
  costOrRisk: z.string().nullable().describe('Projects only: the expected cost or risk'),
  sponsor: z.string().nullable().describe('Projects only: the executive sponsor'),
});
export type RequestDraft = z.infer<typeof requestDraftSchema>;
export type DraftField = keyof RequestDraft;

/** The draft fields, in the order the form shows them. */
export const draftFields = Object.keys(requestDraftSchema.shape) as DraftField[];

/** A draft with nothing known yet. */
export function emptyDraft(): RequestDraft {
  return Object.fromEntries(draftFields.map((f) => [f, null])) as RequestDraft;
}

/** Longest accepted value of each free-text field. */
export const maxLengths = {
  title: 120,
  description: 4000,
  businessNeed: 2000,
  neededBy: 10,
  affected: 200,
  expectedBenefit: 2000,
  costOrRisk: 2000,
  sponsor: 200,
} as const;

/**
 * The fields a request of `kind` must have before it is saved. The conversation asks more than this (see
 * question-plan.ts), but the requester may say "that's all" once these are known; a project needs its problem.
 */
export function requiredFields(kind: RequestKind | null): DraftField[] {
  return [
    'description',
    'kind',
    'title',
    ...(kind === 'project' ? (['businessNeed'] as const) : []),
    'urgency',
    'impact',
  ];
}

/** Required fields the draft does not have yet, in asking order. */
export function missingFields(draft: RequestDraft): DraftField[] {
  return requiredFields(draft.kind).filter((f) => {
    const v = draft[f];
    return v === null || (typeof v === 'string' && v.trim() === '');
  });
}

const text = (label: string, max: number, min = 1) =>
  z
    .string({ error: `Please fill in ${label}.` })
    .trim()
    .min(min, min > 1 ? `Please give ${label} of a few words.` : `Please fill in ${label}.`)
    .max(max, `Please keep ${label} under ${max} characters.`);
const optionalText = (label: string, max: number) =>
  z.string().trim().max(max, `Please keep ${label} under ${max} characters.`).nullable();

/** The complete details of a request, with limits; the stored record and the form validation use these. */
const detailsShape = {
  kind: z.enum(requestKinds, { error: 'Please choose the kind of request.' }),
  title: text('a title', maxLengths.title, 3),
  description: text('what you need', maxLengths.description),
  businessNeed: optionalText('why it matters', maxLengths.businessNeed),
  urgency: z.enum(urgencies, { error: 'Please choose how urgent it is.' }),
  impact: z.enum(impacts, { error: 'Please choose who it affects.' }),
  neededBy: z.iso.date({ error: 'Please use a date like 2026-03-31.' }).nullable(),
  affected: optionalText('who is affected', maxLengths.affected),
  expectedBenefit: optionalText('the expected benefit', maxLengths.expectedBenefit),
  costOrRisk: optionalText('the cost or risk', maxLengths.costOrRisk),
  sponsor: optionalText('the sponsor', maxLengths.sponsor),
};

/** Validates a finished draft: limits on every field, and the fields the kind requires. */
export const requestDetailsSchema = z.object(detailsShape).superRefine((d, ctx) => {
  for (const field of missingFields(d)) {
    ctx.addIssue({ code: 'custom', path: [field], message: `Please fill in ${fieldLabel(field)}.` });
  }
});
export type RequestDetails = z.infer<typeof requestDetailsSchema>;

/**
 * Validates a draft and reports every problem at once, one message per field (zod skips the kind's
 * required-field rule while other fields are invalid, so it is checked here too).
 */
export function validateDraft(
  draft: RequestDraft,
): { ok: true; details: RequestDetails } | { ok: false; errors: Partial<Record<DraftField, string>> } {
  const parsed = requestDetailsSchema.safeParse(draft);
  if (parsed.success) return { ok: true, details: parsed.data };
  const errors: Partial<Record<DraftField, string>> = {};
  for (const field of missingFields(draft)) errors[field] = `Please fill in ${fieldLabel(field)}.`;
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as DraftField | undefined;
    if (field && !errors[field]) errors[field] = issue.message;
  }
  return { ok: false, errors };
}

// The details must cover exactly the draft's fields: adding a field to one without the other fails to compile.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : false;
const detailsMatchDraft: SameKeys<RequestDetails, RequestDraft> = true;
void detailsMatchDraft;

/** Where the request came from, filled in from the platform (never typed by the user). */
export const requesterSchema = z.object({
  platform: platformSchema,
  userId: z.string(),
  name: z.string(),
  department: z.string().optional(),
});
export type Requester = z.infer<typeof requesterSchema>;

export const sourceSchema = z.object({
  platform: platformSchema,
  conversationId: z.string(),
  threadId: z.string().optional(),
  sourceUrl: z.string().optional(),
  /**
   * The chat conversation's attempt that saved it: a Confirm repeated after a crash finds this request instead of
   * saving a second one.
   */
  attemptId: z.string().optional(),
});
export type RequestSource = z.infer<typeof sourceSchema>;

export const historyActions = [
  'created',
  'acknowledged',
  'assigned',
  'priority_changed',
  'asked',
  'replied',
  'resolved',
  /** Resolved by pointing the requester at a knowledge-base article (`article` says which). */
  'answered',
  'declined',
  'closed',
] as const;

/** A knowledge-base article a change points at: enough to link it without the knowledge base at hand. */
export const articleLinkSchema = z.object({
  id: z.string().max(200),
  title: z.string().max(300),
  url: z.string().max(2000),
});
export type ArticleLink = z.infer<typeof articleLinkSchema>;

/** One change to a request: when, who, what, and an optional note (a question, a reason). */
export const historyEntrySchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  by: z.string(),
  /** `platform:userId` of who did it. */
  byKey: z.string(),
  action: z.enum(historyActions),
  note: z.string().nullable(),
  /** The status after this change, when it changed the status. */
  toStatus: requestStatusSchema.nullable(),
  /** The article IT answered with ('answered' entries only). */
  article: articleLinkSchema.optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** The stored request. `version` grows by one on every change (optimistic concurrency). */
export const requestRecordSchema = z.object({
  reference: z.string().regex(/^IT-\d{4,}$/),
  ...detailsShape,
  priority: prioritySchema,
  status: requestStatusSchema,
  requester: requesterSchema,
  /** `platform:userId` of the requester, for "my requests" and privacy checks. */
  requesterKey: z.string(),
  /** The requester's department when the platform told it; routing and reports use it. */
  department: z.string().nullable(),
  source: sourceSchema,
  assignee: z.object({ key: z.string(), name: z.string() }).nullable(),
  history: z.array(historyEntrySchema),
  /** True when something that looked like a secret was hidden from the text. */
  secretsMasked: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** First time IT responded (any status change away from new). */
  acknowledgedAt: z.iso.datetime().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  version: z.number().int().min(1),
});
export type RequestRecord = z.infer<typeof requestRecordSchema>;

/** Priority from urgency × impact: rows are urgency, columns me / team / department / company. */
const priorityMatrix: Record<Urgency, [Priority, Priority, Priority, Priority]> = {
  critical: ['P2', 'P1', 'P1', 'P1'],
  high: ['P3', 'P2', 'P2', 'P1'],
  medium: ['P3', 'P3', 'P2', 'P2'],
  low: ['P4', 'P4', 'P3', 'P3'],
};

/** The priority of a request with this urgency and impact. */
export function priorityOf(urgency: Urgency, impact: Impact): Priority {
  return priorityMatrix[urgency][impacts.indexOf(impact)]!;
}

/** `IT-0042` from sequence number 42; grows past four digits (`IT-12345`). */
export function formatReference(n: number): string {
  return `IT-${String(n).padStart(4, '0')}`;
}

/** Reads a reference the way people type it ("it-42", "IT 0042", "#IT-0042"); undefined when it is not one. */
export function parseReference(input: string): string | undefined {
  const m = /^#?it[-\s]?0*(\d{1,9})$/i.exec(input.trim());
  return m ? formatReference(Number(m[1])) : undefined;
}

/** Which statuses each status may move to. */
const transitions: Record<RequestStatus, readonly RequestStatus[]> = {
  new: ['acknowledged', 'in_progress', 'waiting_on_requester', 'resolved', 'declined'],
  acknowledged: ['in_progress', 'waiting_on_requester', 'resolved', 'declined'],
  in_progress: ['waiting_on_requester', 'resolved', 'declined'],
  waiting_on_requester: ['in_progress', 'resolved', 'declined'],
  resolved: ['closed', 'in_progress'],
  closed: [],
  declined: [],
};

/** Whether a request may move from `from` to `to`. */
export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return transitions[from].includes(to);
}

/** Statuses where nothing more happens. */
export function isFinished(status: RequestStatus): boolean {
  return status === 'closed' || status === 'declined';
}

/** How a field is called in questions and validation messages. */
export function fieldLabel(field: DraftField): string {
  return {
    kind: 'the kind of request',
    title: 'a title',
    description: 'what you need',
    businessNeed: 'why it matters',
    urgency: 'how urgent it is',
    impact: 'who it affects',
    neededBy: 'the date you need it by',
    affected: 'who is affected',
    expectedBenefit: 'the expected benefit',
    costOrRisk: 'the cost or risk',
    sponsor: 'the executive sponsor',
  }[field];
}
