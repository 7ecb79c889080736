// The intake feature: turns "I need Visio" into a saved request through a short conversation (one question at
// a time, corrections and cancel at any point, a summary to confirm) or one form; lets requesters follow their
// requests; and gives IT staff the triage buttons on each posted request.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ArticleMatchHook, EscalateHandler } from '../answers/answer-feature.ts';
import type { BotFeature, TurnContext } from '../bot/feature.ts';
import { smallTalk } from '../bot/message-text.ts';
import { StoreUnavailableError } from '../errors.ts';
import { escapeMarkdown } from '../messages/markdown.ts';
import { type Form, type Reply, reply } from '../messages/replies.ts';
import { maskFields, maskSecrets, type SecretKind, secretWarning } from '../privacy/secret-masking.ts';
import type { DocumentStore } from '../store/document-store.ts';
import type { ConversationAddress, ConversationStates } from '../store/repositories/conversation-state.ts';
import type { RequestRepository } from '../store/repositories/requests.ts';
import { formatCalendarDate } from '../time/zoned-time.ts';
import { impactOf, isHowToAside, readOpening, titleOf } from './opening-reader.ts';
import { applyAnswer, isThatsAll, readDateCorrection, readForWhomCorrection } from './plan-answers.ts';
import {
  formDraft,
  isEssential,
  missingSteps,
  ownWords,
  type PlanStep,
  planNotesSchema,
  planSteps,
  stepQuestion,
} from './question-plan.ts';
import {
  confirmCard,
  intakeActions,
  intakeForms,
  myRequestsCard,
  priorityChoices,
  questionFor,
  statusCard,
  summaryCard,
  triageActions,
} from './request-cards.ts';
import { inferDate, isCancel, isConfirm, parseChoice, parseCorrection } from './request-detection.ts';
import { readRequestForm, requestForm, valuesToDraft } from './request-form.ts';
import {
  type ArticleLink,
  canTransition,
  type DraftField,
  draftFields,
  emptyDraft,
  fieldLabel,
  isFinished,
  labels,
  maxLengths,
  type Priority,
  parseReference,
  priorities,
  type RequestDetails,
  type RequestDraft,
  type RequestRecord,
  type RequestStatus,
  requestDraftSchema,
  validateDraft,
} from './request-schema.ts';
import type { Actor, ChangeDecision, RequestService } from './request-service.ts';
import { sourceFromState, sourceState } from './source-link.ts';

/** How long a half-finished request is remembered. */
export const defaultConversationTtlMs = 2 * 3_600_000;

const feature = 'intake';

/** What intake remembers between turns. */
const intakeStateSchema = z.object({
  draft: requestDraftSchema,
  /** Details the question plan collects that have no field of their own (access level, where it goes, ...). */
  notes: planNotesSchema.default({}),
  /** Plan steps answered with "none" or "no rush", so they are not asked again. */
  skipped: z.array(z.enum(planSteps)).default([]),
  /** Plan steps already asked again once with a clearer hint, so a second answer that does not fit is kept. */
  hinted: z.array(z.enum(planSteps)).default([]),
  /** The plan step last asked, or 'confirm' while the summary awaits a decision. */
  asking: z.union([z.enum(planSteps), z.literal('confirm')]).nullable(),
  secretsMasked: z.boolean(),
  /** Identifies this conversation's request, so a double-clicked Confirm saves once. */
  attemptId: z.string(),
  /**
   * Set once the request is saved: kept instead of clearing the conversation, so a Confirm repeated after a crash
   * (before "Saved as" reached the person) is answered with the saved request, not read as a new message.
   */
  savedAs: z.string().optional(),
});
type IntakeState = z.infer<typeof intakeStateSchema>;

/** A link to a knowledge-base article related to a request, when one clearly matches. */
export type RelatedArticle = (text: string) => { title: string; url: string } | undefined;

/** Finds knowledge-base articles for the "answered by article" triage action. */
export interface ArticleLookup {
  /** The article named by its id or its link (`…/kb/<id>`), or undefined. */
  find(idOrLink: string): ArticleLink | undefined;
  /** The id of the article that best matches the text, to prefill the form; undefined when none is close. */
  suggest(text: string): string | undefined;
}

/**
 * Fills more of a draft from the requester's (already masked) words, e.g. with a language model; resolves
 * undefined when it cannot help. Only fields the deterministic reading left empty are taken from it.
 */
export type RequestPrefill = (text: string) => Promise<Partial<RequestDraft> | undefined>;

export interface IntakeFeatureDeps {
  store: DocumentStore;
  requests: RequestRepository;
  conversations: ConversationStates;
  service: RequestService;
  related?: RelatedArticle;
  prefill?: RequestPrefill;
  conversationTtlMs?: number;
  /** Articles for "answered by article"; without it the action is refused with a note. */
  articles?: ArticleLookup;
  /** Called once a request was resolved with an article, with the request's words (learning proposes them). */
  onAnsweredByArticle?: ArticleMatchHook;
}

const copy = {
  expired:
    "I don't have a request in progress with you — it was sent already or it timed out. Say _my requests_ to check, or tell me what you need.",
  cancelled: "Okay, I've cancelled that — nothing was sent to IT.",
  notFound: "I can't find that one for you. Check the reference, or say _my requests_ to see yours.",
  notStaff:
    'Sorry, only IT staff can do that. If something about a request needs changing, tell me and I’ll pass it on.',
  saveFailed:
    "I couldn't save your request just now, so nothing was sent to IT. Your answers are still here — press Confirm to try again in a moment.",
  alreadySaving: "I'm already saving that one — give me a second.",
  conflict:
    'Someone else changed it at the same moment. Here it is as it stands now — try again if it still needs it.',
  stillOpen:
    'Your request is still open and nothing is lost — answer its last question when you are ready, or say _cancel_ to drop it.',
  noKb: 'There is no knowledge base to answer from here. Resolve the request with a note instead.',
} as const;

const statusPattern =
  /^\/?(?:status|check|track|where is|where's|what'?s the status of|status of)\s+(?:of\s+)?(?:my\s+)?(?:request\s+|ticket\s+)?#?(it[-\s]?\d{1,9})\s*\??$/i;
const myRequestsPattern =
  /^\/?(?:show\s+|list\s+|see\s+|view\s+)?(?:me\s+)?(?:all\s+)?my\s+(?:open\s+)?(?:it\s+)?(?:requests|tickets)\s*\??$/i;

/** The intake feature and the escalate hook for the answer card's 'Ask IT' button. */
export function createIntakeFeature(deps: IntakeFeatureDeps): {
  feature: BotFeature;
  escalate: EscalateHandler;
} {
  const { requests, conversations, service } = deps;
  const ttl = deps.conversationTtlMs ?? defaultConversationTtlMs;

  const addressOf = (ctx: TurnContext): ConversationAddress => ({
    feature,
    platform: ctx.message.platform,
    conversationId: ctx.message.conversation.id,
    userId: ctx.message.user.id,
  });

  const actorOf = (ctx: TurnContext): Actor => ({
    key: ctx.userKey,
    name: ctx.message.user.name ?? ctx.message.user.id,
  });

  async function load(ctx: TurnContext): Promise<IntakeState | undefined> {
    const stored = await conversations.get(addressOf(ctx));
    if (!stored) return undefined;
    const parsed = intakeStateSchema.safeParse(stored.data);
    if (parsed.success) return parsed.data;
    ctx.logger.warn('Discarding unreadable intake conversation state');
    await conversations.clear(addressOf(ctx));
    return undefined;
  }

  const save = (ctx: TurnContext, state: IntakeState) =>
    conversations.save(addressOf(ctx), state, ctx.now, ttl);

  const readingContext = (ctx: TurnContext) => ({ now: ctx.now, timeZone: ctx.config.intake.timeZone });

  /** The question for a plan step: buttons for the choices, words for the rest. */
  function askStep(step: PlanStep, state: IntakeState): Reply {
    if (step === 'kind') return questionFor('kind');
    if (step === 'urgency') return questionFor('urgency');
    if (step === 'howMany') return questionFor('impact');
    return reply.text(stepQuestion(step, state.draft.kind, state.notes));
  }

  /** Asks the next step of the kind's plan, or shows the summary (with sensible defaults) when none is left. */
  async function advance(ctx: TurnContext, state: IntakeState, prefix: Reply[] = []): Promise<Reply[]> {
    const next = missingSteps(state.draft, state.notes, state.skipped)[0];
    state.asking = next ?? 'confirm';
    if (!next) settleDefaults(state.draft, ctx.now);
    await save(ctx, state);
    return [...prefix, next ? askStep(next, state) : confirmCard(formDraft(state.draft, state.notes))];
  }

  function warnIfMasked(found: SecretKind[]): Reply[] {
    return found.length > 0 ? [reply.notice('warning', secretWarning(found))] : [];
  }

  async function start(
    ctx: TurnContext,
    text: string | undefined,
    origin: 'detect' | 'command' | 'escalate',
  ): Promise<Reply[]> {
    const masked = maskSecrets(text?.trim() ?? '');
    const reading = masked.text
      ? readOpening(masked.text, readingContext(ctx), { asRequest: origin !== 'detect' })
      : undefined;
    const state: IntakeState = {
      draft: reading?.draft ?? emptyDraft(),
      notes: reading?.notes ?? {},
      skipped: [],
      hinted: [],
      asking: null,
      secretsMasked: masked.found.length > 0,
      attemptId: randomUUID(),
    };
    if (masked.text) await prefillDraft(ctx, state.draft, masked.text);
    // An outage is logged at once: what is known goes straight to the summary, one press from IT.
    const outage =
      reading?.route === 'request' && state.draft.kind === 'incident' && state.draft.urgency === 'critical';
    if (outage) state.skipped.push(...missingSteps(state.draft, state.notes).filter((s) => !isEssential(s)));
    const questionsLeft = missingSteps(state.draft, state.notes, state.skipped).length;
    const intro = `${
      outage
        ? "That sounds like an outage — I've written it up as an incident for IT right away."
        : origin === 'escalate'
          ? "Okay, let's pass this to IT."
          : "Sure, I'll take this down for IT."
    }${questionsLeft > 1 ? ' A couple of quick questions first.' : ''}`;
    const prefix: Reply[] = [
      reply.text(`${intro} You can say _cancel_ at any point, or correct me (like _actually it's urgent_).`),
    ];
    prefix.push(...warnIfMasked(masked.found));
    const related = origin !== 'escalate' && masked.text ? deps.related?.(masked.text) : undefined;
    if (related) {
      prefix.push(
        reply.text(
          `This might help while IT picks it up: [${escapeMarkdown(related.title)}](${related.url}).`,
        ),
      );
    }
    ctx.logger.info({ origin, kind: state.draft.kind }, 'Intake started');
    return advance(ctx, state, prefix);
  }

  /** Starts a request as one prefilled form, for places where the conversation cannot continue. */
  async function startAsForm(ctx: TurnContext, text: string): Promise<Reply[]> {
    const masked = maskSecrets(text);
    const reading = masked.text
      ? readOpening(masked.text, readingContext(ctx), { asRequest: true })
      : undefined;
    const draft = reading?.draft ?? emptyDraft();
    if (masked.text) await prefillDraft(ctx, draft, masked.text);
    ctx.logger.info({ origin: 'command-form', kind: draft.kind }, 'Intake started as a form');
    return [
      ...warnIfMasked(masked.found),
      requestForm(formDraft(draft, reading?.notes ?? {}), undefined, sourceState(ctx.message.sourceUrl)),
    ];
  }

  /** Adds what the prefill hook read, only where the deterministic reading found nothing; never fails the turn. */
  async function prefillDraft(ctx: TurnContext, draft: RequestDraft, text: string): Promise<void> {
    if (!deps.prefill) return;
    try {
      const extra = await deps.prefill(text);
      if (!extra) return;
      const checked = requestDraftSchema.partial().safeParse(extra);
      if (!checked.success) return;
      for (const field of draftFields) {
        const v = checked.data[field];
        if (field === 'neededBy' && v && inferDate(v) !== v) continue;
        if (draft[field] === null && v !== undefined && v !== null) {
          setField(
            draft,
            field,
            maskSecrets(v).text.slice(0, (maxLengths as Record<string, number>)[field] ?? 2000),
          );
        }
      }
    } catch (error) {
      ctx.logger.warn({ err: error }, 'Request prefill failed; asking instead');
    }
  }

  function setField(draft: RequestDraft, field: DraftField, value: string | null): void {
    (draft as Record<DraftField, string | null>)[field] = value;
  }

  function describe(field: DraftField, value: string | null): string {
    if (value === null) return `${fieldLabel(field)} is cleared`;
    const shown =
      field === 'kind' || field === 'urgency' || field === 'impact'
        ? (labels[field] as Record<string, string>)[value]
        : escapeMarkdown(field === 'neededBy' ? formatCalendarDate(value) : value);
    return `${fieldLabel(field)}: **${shown}**`;
  }

  async function continueConversation(ctx: TurnContext, state: IntakeState): Promise<Reply[]> {
    const masked = maskSecrets(ctx.text);
    const text = masked.text;
    if (masked.found.length > 0) state.secretsMasked = true;
    const warning = warnIfMasked(masked.found);
    const context = readingContext(ctx);
    if (isCancel(text)) {
      await conversations.clear(addressOf(ctx));
      ctx.logger.info('Intake cancelled');
      return [reply.text(copy.cancelled)];
    }
    if (state.asking === 'confirm' && isConfirm(text)) return confirm(ctx);
    // "edit" answers "what level of access?"; anywhere else it opens the form.
    const wantsForm =
      state.asking === 'level'
        ? /^(?:edit (?:it )?as (?:a )?form|form|use the form|open the form)[.!]?$/i
        : /^(?:edit|edit (?:it )?as (?:a )?form|form|use the form|open the form)[.!]?$/i;
    if (wantsForm.test(text.trim())) {
      return [...warning, requestForm(formDraft(state.draft, state.notes))];
    }
    if (isThatsAll(text)) {
      const needed = missingSteps(state.draft, state.notes, state.skipped).find(isEssential);
      if (needed) {
        state.asking = needed;
        await save(ctx, state);
        return [...warning, reply.text('Nearly — I still need this one.'), askStep(needed, state)];
      }
      state.skipped.push(...missingSteps(state.draft, state.notes, state.skipped));
      return advance(ctx, state, warning);
    }
    const asking = state.asking;
    const date = readDateCorrection(text, context);
    if (date) {
      state.draft.neededBy = date;
      return advance(ctx, state, [
        ...warning,
        reply.notice('success', `Got it — ${describe('neededBy', date)}.`),
      ]);
    }
    const forWhom = readForWhomCorrection(text);
    if (forWhom) {
      if (forWhom.impact) state.draft.impact = forWhom.impact as RequestDraft['impact'];
      if (forWhom.affected) state.draft.affected = forWhom.affected;
      const shown = forWhom.impact
        ? describe('impact', forWhom.impact)
        : describe('affected', forWhom.affected ?? null);
      return advance(ctx, state, [...warning, reply.notice('success', `Got it — ${shown}.`)]);
    }
    const correction = parseCorrection(text, {
      explicitOnly: asking !== null && asking !== 'confirm' && !choiceSteps.has(asking),
    });
    if (correction) {
      setField(state.draft, correction.field, correction.value);
      if (correction.field === 'description' && correction.value)
        state.draft.title = titleOf(correction.value, state.draft.kind, state.notes.subject ?? null);
      return advance(ctx, state, [
        ...warning,
        reply.notice('success', `Got it — ${describe(correction.field, correction.value)}.`),
      ]);
    }
    if (asking && asking !== 'confirm') {
      const outcome = applyAnswer(asking, text, state, context);
      if (outcome.kind === 'retry') {
        await save(ctx, state);
        return [...warning, reply.text(outcome.message), askStep(asking, state)];
      }
      if (outcome.kind === 'date') {
        await save(ctx, state);
        return [
          ...warning,
          reply.notice('success', `Noted — ${describe('neededBy', outcome.date)}.`),
          askStep(asking, state),
        ];
      }
      if (outcome.kind === 'noted') {
        await save(ctx, state);
        return [...warning, reply.notice('success', 'Noted that for IT.'), askStep(asking, state)];
      }
      if (outcome.kind === 'reason') {
        await save(ctx, state);
        return [
          ...warning,
          reply.notice('success', `Noted that as why it's needed.`),
          askStep(asking, state),
        ];
      }
      return advance(ctx, state, warning);
    }
    await save(ctx, state);
    return [
      ...warning,
      reply.text(
        'Shall I send it? Press **Confirm**, tell me what to change (like _change the title to …_), or say _cancel_.',
      ),
      confirmCard(formDraft(state.draft, state.notes)),
    ];
  }

  /** Saves the request: "Saved as IT-0042" only once the record is stored. */
  async function saveRequest(
    ctx: TurnContext,
    details: RequestDetails,
    secretsMasked: boolean,
    attemptId?: string,
  ): Promise<{ ok: true; record: RequestRecord } | { ok: false }> {
    const { message } = ctx;
    try {
      const record = await service.create({
        details,
        requester: {
          platform: message.platform,
          userId: message.user.id,
          name: message.user.name ?? message.user.id,
          ...(message.user.department ? { department: message.user.department } : {}),
        },
        source: {
          platform: message.platform,
          conversationId: message.conversation.id,
          ...(message.conversation.threadId ? { threadId: message.conversation.threadId } : {}),
          ...(message.sourceUrl ? { sourceUrl: message.sourceUrl } : {}),
          ...(attemptId ? { attemptId } : {}),
        },
        secretsMasked,
        now: ctx.now,
      });
      ctx.logger.info(
        { reference: record.reference, kind: record.kind, priority: record.priority },
        'Request saved',
      );
      return { ok: true, record };
    } catch (error) {
      ctx.logger.error({ err: error }, 'Request could not be saved');
      return { ok: false };
    }
  }

  function savedReplies(record: RequestRecord): Reply[] {
    return [
      reply.notice(
        'success',
        `Saved as **${record.reference}** (${record.priority}). IT has it now — I'll message you when anything changes. Say _status ${record.reference}_ any time to check on it.`,
      ),
    ];
  }

  /** The request this conversation already saved, if any (its state says so, or the requests do after a crash). */
  async function alreadySaved(ctx: TurnContext, state: IntakeState): Promise<RequestRecord | undefined> {
    if (state.savedAs) return requests.get(state.savedAs);
    const mine = await requests.byRequester(ctx.userKey, 20);
    return mine.find((r) => r.source.attemptId === state.attemptId);
  }

  async function confirm(ctx: TurnContext): Promise<Reply[]> {
    const state = await load(ctx);
    if (!state) return [reply.text(copy.expired)];
    const earlier = await alreadySaved(ctx, state);
    if (earlier) {
      await conversations.clear(addressOf(ctx)).catch(() => undefined);
      return savedReplies(earlier);
    }
    settleDefaults(state.draft, ctx.now);
    const valid = validateDraft(formDraft(state.draft, state.notes));
    if (!valid.ok) {
      // Whatever is invalid is asked again (or, if optional, dropped) rather than shown once more.
      for (const field of Object.keys(valid.errors) as DraftField[]) setField(state.draft, field, null);
      return advance(ctx, state);
    }
    // One save per conversation even if Confirm is pressed twice or delivered twice.
    const owner = randomUUID();
    const claimKey = `${addressOf(ctx).platform}|${state.attemptId}`;
    const lease = new Date(ctx.now.getTime() + 60_000).toISOString();
    if (!(await deps.store.claim('intake-save', claimKey, owner, lease)))
      return [reply.text(copy.alreadySaving)];
    const saved = await saveRequest(ctx, valid.details, state.secretsMasked, state.attemptId);
    if (!saved.ok) {
      await deps.store.release('intake-save', claimKey, owner).catch(() => undefined);
      return [
        reply.notice('error', copy.saveFailed),
        reply.choices('Try again?', [
          reply.button('Confirm', intakeActions.confirm, undefined, 'primary'),
          reply.button('Cancel', intakeActions.cancel, undefined, 'danger'),
        ]),
      ];
    }
    // Marked saved rather than cleared: if the process dies before "Saved as" reaches the person, their next
    // Confirm is answered with this request; any other message ends the conversation (see the intercept).
    await save(ctx, { ...state, savedAs: saved.record.reference }).catch((error: unknown) => {
      // The claim above stays held, and the request carries this attempt, so it cannot be saved twice.
      ctx.logger.warn({ err: error }, 'Saved, but could not mark the conversation as saved');
    });
    return savedReplies(saved.record);
  }

  async function statusOf(ctx: TurnContext, reference: string | undefined): Promise<Reply[]> {
    const record = reference ? await requests.get(reference) : undefined;
    if (!record || (record.requesterKey !== ctx.userKey && !ctx.roles.canTriage()))
      return [reply.text(copy.notFound)];
    return [statusCard(record)];
  }

  async function myRequests(ctx: TurnContext): Promise<Reply[]> {
    const mine = await requests.byRequester(ctx.userKey, 10);
    if (mine.length === 0) {
      return [
        reply.text(
          "You haven't asked IT for anything through me yet. Tell me what you need, like _I need Visio installed_.",
        ),
      ];
    }
    return [myRequestsCard(mine)];
  }

  // ——— Triage (IT staff) ———

  function refuse(ctx: TurnContext, action: string): Reply[] {
    ctx.logger.warn({ userKey: ctx.userKey, action }, 'Triage refused: not IT staff');
    return [reply.notice('warning', copy.notStaff)];
  }

  async function applyChange(
    ctx: TurnContext,
    reference: string | undefined,
    decide: (r: RequestRecord) => ChangeDecision,
    onChanged?: (record: RequestRecord) => Promise<void>,
  ): Promise<Reply[]> {
    if (!reference) return [reply.text(copy.notFound)];
    const outcome = await service.change(reference, actorOf(ctx), ctx.now, decide);
    switch (outcome.kind) {
      case 'missing':
        return [reply.text(copy.notFound)];
      case 'refused':
        return [reply.notice('info', outcome.message)];
      case 'conflict': {
        const latest = await requests.get(reference);
        return [reply.notice('warning', copy.conflict), ...(latest ? [summaryCard(latest)] : [])];
      }
      case 'changed': {
        const r = outcome.record;
        ctx.logger.info(
          { reference: r.reference, action: outcome.entry.action, status: r.status },
          'Request triaged',
        );
        await onChanged?.(r);
        return [
          reply.notice('success', `**${r.reference}** is now _${labels.status[r.status]}_ · ${r.priority}.`),
        ];
      }
    }
  }

  const moveTo =
    (to: RequestStatus, action: 'acknowledged' | 'resolved' | 'closed') =>
    (r: RequestRecord): ChangeDecision =>
      r.status === to
        ? { refuse: `${r.reference} is already ${labels.status[to].toLowerCase()}.` }
        : canTransition(r.status, to)
          ? { action, toStatus: to, notify: true }
          : {
              refuse: `${r.reference} is ${labels.status[r.status].toLowerCase()}, so it can't be ${labels.status[to].toLowerCase()} now.`,
            };

  function staffOnly(
    action: string,
    handler: (ctx: TurnContext, value: string | undefined) => Promise<Reply[]>,
  ): (ctx: TurnContext, value: string | undefined) => Promise<Reply[]> {
    return (ctx, value) =>
      ctx.roles.canTriage() ? handler(ctx, value) : Promise.resolve(refuse(ctx, action));
  }

  function noteForm(id: string, reference: string, title: string, label: string, submitLabel: string): Form {
    return {
      type: 'form',
      id,
      title,
      submitLabel,
      fields: [{ name: 'note', label, kind: 'textarea', required: true, maxLength: 2000 }],
      state: reference,
    };
  }

  function readNote(values: Record<string, string>): { note: string; found: SecretKind[] } | undefined {
    const note = values.note?.trim();
    if (!note) return undefined;
    const masked = maskSecrets(note.slice(0, 2000));
    return { note: masked.text, found: masked.found };
  }

  const triage = {
    [triageActions.ack]: staffOnly(triageActions.ack, (ctx, value) =>
      applyChange(ctx, parseReference(value ?? ''), moveTo('acknowledged', 'acknowledged')),
    ),
    [triageActions.resolve]: staffOnly(triageActions.resolve, (ctx, value) =>
      applyChange(ctx, parseReference(value ?? ''), moveTo('resolved', 'resolved')),
    ),
    [triageActions.close]: staffOnly(triageActions.close, (ctx, value) =>
      applyChange(ctx, parseReference(value ?? ''), moveTo('closed', 'closed')),
    ),
    [triageActions.assignMe]: staffOnly(triageActions.assignMe, (ctx, value) => {
      const actor = actorOf(ctx);
      return applyChange(ctx, parseReference(value ?? ''), (r) => {
        if (isFinished(r.status) || r.status === 'resolved')
          return { refuse: `${r.reference} is ${labels.status[r.status].toLowerCase()}.` };
        if (r.assignee?.key === actor.key) return { refuse: `${r.reference} is already yours.` };
        const toStatus = r.status === 'new' || r.status === 'acknowledged' ? 'in_progress' : null;
        return { action: 'assigned', toStatus, patch: { assignee: actor }, notify: toStatus !== null };
      });
    }),
    [triageActions.priority]: staffOnly(triageActions.priority, async (ctx, value) => {
      const [refText = '', p] = (value ?? '').trim().split(/\s+/);
      const reference = parseReference(refText);
      const priority = priorities.find((x) => x === p?.toUpperCase()) as Priority | undefined;
      if (!priority) {
        const record = reference ? await requests.get(reference) : undefined;
        return record ? [priorityChoices(record)] : [reply.text(copy.notFound)];
      }
      return applyChange(ctx, reference, (r) =>
        r.priority === priority
          ? { refuse: `${r.reference} is already ${priority}.` }
          : isFinished(r.status)
            ? { refuse: `${r.reference} is ${labels.status[r.status].toLowerCase()}.` }
            : {
                action: 'priority_changed',
                note: `${r.priority} → ${priority}`,
                patch: { priority },
                notify: false,
              },
      );
    }),
    [triageActions.ask]: staffOnly(triageActions.ask, async (_ctx, value) => {
      const reference = parseReference(value ?? '');
      const record = reference ? await requests.get(reference) : undefined;
      if (!record) return [reply.text(copy.notFound)];
      return [
        noteForm(
          intakeForms.ask,
          record.reference,
          `Ask about ${record.reference}`,
          `Your question for ${record.requester.name}`,
          'Send question',
        ),
      ];
    }),
    [triageActions.answeredByArticle]: staffOnly(triageActions.answeredByArticle, async (_ctx, value) => {
      const reference = parseReference(value ?? '');
      const record = reference ? await requests.get(reference) : undefined;
      if (!record) return [reply.text(copy.notFound)];
      if (!deps.articles) return [reply.notice('info', copy.noKb)];
      return [answeredByArticleForm(record, deps.articles.suggest(`${record.title}. ${record.description}`))];
    }),
    [triageActions.decline]: staffOnly(triageActions.decline, async (_ctx, value) => {
      const reference = parseReference(value ?? '');
      const record = reference ? await requests.get(reference) : undefined;
      if (!record) return [reply.text(copy.notFound)];
      return [
        noteForm(
          intakeForms.decline,
          record.reference,
          `Decline ${record.reference}`,
          'Reason (the requester sees it)',
          'Decline',
        ),
      ];
    }),
  };

  function answeredByArticleForm(
    record: RequestRecord,
    articleId: string | undefined,
    error?: string,
    note?: string,
  ): Form {
    return {
      type: 'form',
      id: intakeForms.answeredByArticle,
      title: `Answer ${record.reference} with an article`,
      intro: `The requester gets the article's link and the request is resolved. What they asked may also become a learned phrasing of the article, for IT staff or the article's owner to approve.`,
      submitLabel: 'Send article and resolve',
      fields: [
        {
          name: 'article',
          label: 'Article (its id or its link)',
          kind: 'text',
          required: true,
          maxLength: 2000,
          hint: 'Prefilled with the closest match; check it before sending.',
        },
        {
          name: 'note',
          label: 'A note for the requester (optional)',
          kind: 'textarea',
          required: false,
          maxLength: 2000,
        },
      ],
      values: { article: articleId ?? '', ...(note ? { note } : {}) },
      ...(error ? { errors: { article: error } } : {}),
      state: record.reference,
    };
  }

  /** The request's own words as a phrasing: its description when short, else its title. */
  // What the person asked, without the notes the questions added ("Since: yesterday" is no way to ask anything).
  const phrasingOf = (r: RequestRecord) => {
    const words = ownWords(r.description);
    return words && words.length <= 300 ? words : r.title;
  };

  async function answerWithArticle(
    ctx: TurnContext,
    submission: { values: Record<string, string>; state?: string | undefined },
  ): Promise<Reply[]> {
    if (!ctx.roles.canTriage()) return refuse(ctx, intakeForms.answeredByArticle);
    const reference = parseReference(submission.state ?? '');
    const record = reference ? await requests.get(reference) : undefined;
    if (!record) return [reply.text(copy.notFound)];
    if (!deps.articles) return [reply.notice('info', copy.noKb)];
    const wanted = submission.values.article?.trim() ?? '';
    const masked = readNote({ note: submission.values.note ?? '' });
    const article: ArticleLink | undefined = wanted ? deps.articles.find(wanted) : undefined;
    if (!article) {
      return [
        answeredByArticleForm(
          record,
          wanted,
          wanted
            ? 'No article has that id or link. Use the id from its link (…/kb/<id>).'
            : 'Please name the article.',
          masked?.note,
        ),
      ];
    }
    const replies = await applyChange(
      ctx,
      record.reference,
      (r) =>
        canTransition(r.status, 'resolved')
          ? { action: 'answered', note: masked?.note ?? null, toStatus: 'resolved', article, notify: true }
          : {
              refuse: `${r.reference} is ${labels.status[r.status].toLowerCase()}, so it can't be answered now.`,
            },
      // Only once the change is stored: a refused or conflicting change teaches nothing.
      async (stored) => {
        await deps.onAnsweredByArticle?.({
          question: phrasingOf(stored),
          articleId: article.id,
          userKey: stored.requesterKey,
        });
      },
    );
    return [...warnIfMasked(masked?.found ?? []), ...replies];
  }

  const escalate: EscalateHandler = (ctx, question) => start(ctx, question, 'escalate');

  const intakeFeature: BotFeature = {
    name: feature,

    async intercept(ctx) {
      const status = statusPattern.exec(ctx.text);
      if (status) return statusOf(ctx, parseReference(status[1]!));
      if (myRequestsPattern.test(ctx.text)) return myRequests(ctx);
      // With the store down no ongoing request can be read: the message is answered as a question instead of
      // failing (status and "my requests" above still say the store is unavailable).
      const state = await load(ctx).catch((error: unknown) => {
        if (error instanceof StoreUnavailableError) return undefined;
        throw error;
      });
      if (!state) return undefined;
      if (state.savedAs) {
        // The request is saved: a repeated confirm hears so again; anything else starts afresh.
        if (isConfirm(ctx.text)) return confirm(ctx);
        await conversations.clear(addressOf(ctx));
        return undefined;
      }
      // "help" or a how-to question mid-request is answered as usual; the request waits, its answers kept.
      if (isAside(ctx.text)) return undefined;
      // "thanks" or "hi" answers no question: said kindly, and the question still waiting is asked again.
      const talk = smallTalk(ctx.text);
      if ((talk === 'thanks' || talk === 'greeting') && state.asking && state.asking !== 'confirm') {
        return [
          reply.text(talk === 'thanks' ? "You're welcome!" : 'Hi again!'),
          reply.notice('info', copy.stillOpen),
          askStep(state.asking, state),
        ];
      }
      return continueConversation(ctx, state);
    },

    async preface(ctx) {
      if (isAside(ctx.text)) {
        const open = await load(ctx).catch(() => undefined);
        if (open && !open.savedAs) return [reply.notice('info', copy.stillOpen)];
      }
      // A problem report answered by an article: say plainly that IT is one press away if it does not help.
      if (ctx.message.command || !ctx.text || /^\/?request\b/i.test(ctx.text)) return [];
      const reading = readOpening(ctx.text, readingContext(ctx));
      if (reading.route !== 'problem' || !deps.related?.(ctx.text)) return [];
      return [
        reply.text(
          "Here's what usually fixes this. Still stuck? Press **Ask IT** under it and I'll pass it to IT.",
        ),
      ];
    },

    async detect(ctx) {
      const reading = readOpening(ctx.text, readingContext(ctx));
      if (reading.route === 'request') return start(ctx, ctx.text, 'detect');
      // A problem report goes to the matching article (whose card offers 'Ask IT'); with none, straight to IT.
      if (reading.route === 'problem' && !deps.related?.(ctx.text)) return start(ctx, ctx.text, 'detect');
      return undefined;
    },

    commands: {
      // "status" alone (the Teams command list, `/itbuddy status`) lists the person's requests; with a reference
      // ("status IT-0042") the intercept above has already answered.
      status: async (ctx, args) => {
        const reference = parseReference(args.trim());
        return reference ? statusOf(ctx, reference) : myRequests(ctx);
      },
      request: async (ctx, args) => {
        if (/^form$/i.test(args.trim())) return [requestForm(emptyDraft())];
        // A slash command in a channel, or a message shortcut, cannot hear typed follow-up answers (the
        // platform only delivers mentions and direct messages), so ask for everything at once in the form.
        const cannotHearReplies =
          ctx.message.command === true &&
          (ctx.message.conversation.kind !== 'personal' || ctx.message.sourceUrl !== undefined);
        if (cannotHearReplies) return startAsForm(ctx, args.trim());
        return start(ctx, args.trim() || undefined, 'command');
      },
    },

    actions: {
      [intakeActions.set]: async (ctx, value) => {
        const state = await load(ctx);
        if (!state) return [reply.text(copy.expired)];
        const [field, raw = ''] = (value ?? '').split('=');
        if (field !== 'kind' && field !== 'urgency' && field !== 'impact') return [reply.text(copy.expired)];
        const chosen = parseChoice(field, raw);
        if (!chosen) return [questionFor(field)];
        setField(state.draft, field, chosen);
        if (field === 'kind') state.skipped = [];
        return advance(ctx, state);
      },
      [intakeActions.confirm]: (ctx) => confirm(ctx),
      [intakeActions.edit]: async (ctx) => {
        const state = await load(ctx);
        return [requestForm(state ? formDraft(state.draft, state.notes) : emptyDraft())];
      },
      [intakeActions.cancel]: async (ctx) => {
        await conversations.clear(addressOf(ctx));
        return [reply.text(copy.cancelled)];
      },
      [intakeActions.status]: (ctx, value) => statusOf(ctx, parseReference(value ?? '')),
      [intakeActions.reply]: async (ctx, value) => {
        const reference = parseReference(value ?? '');
        const record = reference ? await requests.get(reference) : undefined;
        if (!record || record.requesterKey !== ctx.userKey) return [reply.text(copy.notFound)];
        if (record.status !== 'waiting_on_requester') {
          return [
            reply.text(`IT isn't waiting on you for ${record.reference} any more.`),
            statusCard(record),
          ];
        }
        return [
          noteForm(
            intakeForms.reply,
            record.reference,
            `Reply about ${record.reference}`,
            'Your answer for IT',
            'Send reply',
          ),
        ];
      },
      ...triage,
    },

    forms: {
      [intakeForms.request]: async (ctx, submission) => {
        const { values, found } = maskFields(submission.values);
        // The carried link names the message the request started from; the submission's own is the form's.
        const sourceUrl = sourceFromState(ctx.message.platform, submission.state) ?? ctx.message.sourceUrl;
        const carried = sourceState(sourceUrl);
        const read = readRequestForm(values, carried);
        if (!read.ok) return [...warnIfMasked(found), read.form];
        const state = await load(ctx).catch(() => undefined);
        const saved = await saveRequest(
          sourceUrl ? { ...ctx, message: { ...ctx.message, sourceUrl } } : ctx,
          read.details,
          found.length > 0 || (state?.secretsMasked ?? false),
        );
        if (!saved.ok) {
          return [
            reply.notice('error', copy.saveFailed.replace('press Confirm', 'send the form')),
            requestForm(valuesToDraft(values), undefined, carried),
          ];
        }
        if (state) await conversations.clear(addressOf(ctx)).catch(() => undefined);
        return [...warnIfMasked(found), ...savedReplies(saved.record)];
      },
      [intakeForms.reply]: async (ctx, submission) => {
        const reference = parseReference(submission.state ?? '');
        const note = readNote(submission.values);
        if (!note) return [reply.text('Your reply was empty, so I sent nothing.')];
        const outcome = await service.change(reference ?? '', actorOf(ctx), ctx.now, (r) =>
          r.requesterKey !== ctx.userKey
            ? { refuse: copy.notFound }
            : r.status !== 'waiting_on_requester'
              ? { refuse: `IT isn't waiting on you for ${r.reference} any more.` }
              : { action: 'replied', note: note.note, toStatus: 'in_progress', notify: false },
        );
        if (outcome.kind === 'changed')
          return [
            ...warnIfMasked(note.found),
            reply.notice('success', `Thanks — I've passed your reply to IT on ${outcome.record.reference}.`),
          ];
        if (outcome.kind === 'refused') return [reply.text(outcome.message)];
        return [reply.text(outcome.kind === 'missing' ? copy.notFound : copy.conflict)];
      },
      [intakeForms.ask]: async (ctx, submission) => {
        if (!ctx.roles.canTriage()) return refuse(ctx, intakeForms.ask);
        const note = readNote(submission.values);
        if (!note) return [reply.text('The question was empty, so I sent nothing.')];
        const replies = await applyChange(ctx, parseReference(submission.state ?? ''), (r) =>
          canTransition(r.status, 'waiting_on_requester')
            ? { action: 'asked', note: note.note, toStatus: 'waiting_on_requester', notify: true }
            : {
                refuse: `${r.reference} is ${labels.status[r.status].toLowerCase()}, so there is nothing to ask.`,
              },
        );
        return [...warnIfMasked(note.found), ...replies];
      },
      [intakeForms.answeredByArticle]: (ctx, submission) => answerWithArticle(ctx, submission),
      [intakeForms.decline]: async (ctx, submission) => {
        if (!ctx.roles.canTriage()) return refuse(ctx, intakeForms.decline);
        const note = readNote(submission.values);
        if (!note) return [reply.text('Please give a reason — the requester sees it.')];
        const replies = await applyChange(ctx, parseReference(submission.state ?? ''), (r) =>
          canTransition(r.status, 'declined')
            ? { action: 'declined', note: note.note, toStatus: 'declined', notify: true }
            : {
                refuse: `${r.reference} is ${labels.status[r.status].toLowerCase()} and can't be declined now.`,
              },
        );
        return [...warnIfMasked(note.found), ...replies];
      },
    },

    help: () => [
      '`request <what you need>` – ask IT for something (or just say _I need …_); `request form` for the form',
      '`my requests` or `status IT-0042` – see how your requests are going',
    ],
  };

  return { feature: intakeFeature, escalate };
}

/** Text that steps out of an ongoing request for a moment: "help", or a how-to question. */
function isAside(text: string): boolean {
  return smallTalk(text) === 'help' || isHowToAside(text);
}

/** Steps answered with a choice, where a bare "it's urgent" is read as a correction rather than an answer. */
const choiceSteps = new Set<PlanStep>(['kind', 'urgency', 'howMany']);

/** What is left unsaid when the user is done: medium urgency, and who it affects read from who it is for, else just them. */
function settleDefaults(draft: RequestDraft, now: Date): void {
  if (draft.urgency === null) {
    const soon =
      draft.neededBy !== null && Date.parse(`${draft.neededBy}T00:00:00Z`) - now.getTime() < 2 * 86_400_000;
    draft.urgency = soon ? 'high' : 'medium';
  }
  draft.impact ??= (draft.affected ? impactOf(draft.affected) : null) ?? 'me';
  if (draft.title === null && draft.description) draft.title = titleOf(draft.description, draft.kind, null);
}
