// Checks each answer against the question it answers before keeping it: a date given to another question fills
// the date (and the question is asked again), "yes" / "no" / "idk" are never kept as a name or a reason, "not
// yet" or "none" is a valid "no sponsor", and "that's all" or a correction is recognised at any point.
import { readDateWords } from './date-words.ts';
import { impactOf, personOf, type ReadingContext, readOpening, titleOf } from './opening-reader.ts';
import type { PlanNotes, PlanStep } from './question-plan.ts';
import { parseChoice } from './request-detection.ts';
import { maxLengths, type RequestDraft } from './request-schema.ts';

/** A draft and its notes as the conversation holds them; `skipped` lists steps answered with "none". */
export interface PlanState {
  draft: RequestDraft;
  notes: PlanNotes;
  skipped: PlanStep[];
}

/** What became of an answer. */
export type AnswerOutcome =
  | { kind: 'kept' }
  | { kind: 'retry'; message: string }
  /** A date came to another question: the date is kept and the same question is asked again. */
  | { kind: 'date'; date: string }
  /** A reason came to "who is it for?" or "where?": it is kept as why it is needed and the question is asked again. */
  | { kind: 'reason' };

const yes = /^(?:y|yes|yep|yeah|yup|sure|ok|okay|correct|i have|he has|she has|they have)[.!]*$/i;
const no =
  /^(?:n|no|nope|nah|none|nobody|no one|not yet|not really|nothing|n\/a|na|no sponsor|none yet)[.!]*$/i;
const unknown = /^(?:idk|i don'?t know|don'?t know|dunno|not sure|no idea|unsure|maybe|\?+)[.!]*$/i;
const noDate =
  /^(?:no|none|no date|no deadline|nope|skip|n\/a|no rush|whenever|not urgent|no hurry|any time|anytime|idk|don'?t know|not sure)[.!]*$/i;
const me = /^(?:me|myself|just me|only me|for me|mine|just for me|only for me|i do)[.!]*$/i;
// An answer that is only a date ("by end of next week", "Friday", "the 20th"), as opposed to a reason that names one.
const dateShaped =
  /^(?:by|before|until|till|on|for|from|in|within|next|this|end of|the|tomorrow|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d)/i;

const clip = (text: string, field: keyof typeof maxLengths) => text.trim().slice(0, maxLengths[field]);

// A clause that says why rather than who or where: "I draw the floor plans…", "so we can…", "because…". A
// person, team or place is a noun phrase ("Sam", "my team", "desk 4.12"), never a sentence with its own subject.
const reasonShaped =
  /^(?:(?:i|we|they|he|she)(?:'m|'re|'ve|'ll)?\s+(?!do$|all\b|both\b|and\b)[a-z]+\b|(?:it'?s|it is|this is)\s+(?:to|so|because)\b|so\s+(?:that\s+)?(?:i|we|they|he|she|it)\b|because\b|cos\b|since\s+(?:i|we)\b|in order to\b|as\s+(?:i|we)\b)/i;
// "to draw the plans" is a purpose; "to Sam" or "to my team" is a person (a lower-case verb follows "to").
const toPurpose = /^to\s+(?!(?:me|us|my|our|the|him|her|them|a|an)\b)[a-z]+\b/;

const placeCue = /\b(?:desk|room|floor|office|building|level|site|home|reception|bay|address|branch)\b|\d/i;

// "I need it for Sam", "we're getting it for our new hire": a clause that still names who it is for.
const forName = /\bfor\s+[A-Z][a-z]+\b/;
const forPerson =
  /\bfor\s+(?:(?:my|our|a|the)\s+(?:new\s+)?(?:colleague|manager|boss|hire|starter|intern|assistant|contractor|temp)s?|him|her|them|us|me|myself)\b/i;

/** True when an answer reads as a reason (a clause of its own) rather than a person, team or place. */
function isReason(text: string): boolean {
  if (forName.test(text) || forPerson.test(text)) return false;
  return (reasonShaped.test(text) || toPurpose.test(text)) && text.split(/\s+/).length >= 3;
}

/**
 * Keeps a reason given to `step` as why it is needed, after any reason already known, and asks `step` again. The
 * same reason given again means the person has no other answer: the step is left out rather than asked forever.
 */
function keepReason(state: PlanState, step: PlanStep, text: string): AnswerOutcome {
  const known = state.draft.businessNeed;
  if (known?.includes(text)) {
    state.skipped.push(step);
    return { kind: 'kept' };
  }
  state.draft.businessNeed = clip(known ? `${known}; ${text}` : text, 'businessNeed');
  return { kind: 'reason' };
}

/** True for "that's all", "send what you have" and friends. */
export function isThatsAll(text: string): boolean {
  return /^(?:that'?s (?:all|it|everything)|that is (?:all|it)|nothing (?:more|else)|no more|that will do|that'?ll do|done|just send it|send (?:it|what you have|it now))[.!]*$/i.test(
    text.trim(),
  );
}

/** A correction of the date at any point ("the date is the 20th", "actually I need it by Friday"), or null. */
export function readDateCorrection(text: string, context: ReadingContext): string | null {
  const m =
    /^(?:actually|sorry|oh|wait|correction)?[,:]?\s*(?:the\s+)?(?:date|deadline|due date|needed[- ]by(?: date)?)\s+(?:is|should be|=|:|to be|now)\s+(.+)$/i.exec(
      text.trim(),
    ) ??
    /^(?:actually|sorry|oh|wait|correction)[,:]?\s+(?:i|we)\s+need (?:it|them|this)\s+(.+)$/i.exec(
      text.trim(),
    ) ??
    /^(?:change|set|move)\s+the\s+(?:date|deadline)\s+to\s+(.+)$/i.exec(text.trim());
  if (!m) return null;
  return readDateWords(m[1]!, context.now, context.timeZone);
}

/** "actually it's for Sam" / "actually it's for the whole team": who it is for, at any point. */
export function readForWhomCorrection(text: string): { impact?: string; affected?: string } | null {
  const m =
    /^(?:actually|sorry|oh|wait|correction)[,:]?\s+(?:it'?s|it is|this is)\s+(?:for|needed by)\s+(.+?)[.!]*$/i.exec(
      text.trim(),
    );
  if (!m) return null;
  const who = m[1]!;
  const impact = me.test(who) ? 'me' : impactOf(who);
  if (impact) return { impact };
  return /^[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?$/.test(who) ? { affected: who } : null;
}

/** Reads `text` as the answer to `step`, filling the state when it fits. */
export function applyAnswer(
  step: PlanStep,
  text: string,
  state: PlanState,
  context: ReadingContext,
): AnswerOutcome {
  const t = text.trim();
  const { draft, notes } = state;
  const kind = draft.kind;
  const date = readDateWords(t, context.now, context.timeZone);
  // "Since when?" is answered with a past day ("Tuesday"), never a deadline.
  if (step !== 'byWhen' && step !== 'since' && date && dateShaped.test(t) && t.split(/\s+/).length <= 7) {
    draft.neededBy = date;
    return { kind: 'date', date };
  }
  const yesNo = yes.test(t) || no.test(t) || unknown.test(t);
  const fewWords = { kind: 'retry', message: 'Could you give me a few words on that?' } as const;
  switch (step) {
    case 'kind': {
      const k = parseChoice('kind', t);
      if (!k) return { kind: 'retry', message: "Sorry, I didn't catch the kind." };
      draft.kind = k as RequestDraft['kind'];
      return { kind: 'kept' };
    }
    case 'what': {
      if (yesNo || t.length < 2) return fewWords;
      if (!draft.description || draft.kind === null) {
        // Nothing was said yet (the request started from a button): read the answer as an opening message.
        const reading = readOpening(t, context);
        for (const [field, value] of Object.entries(reading.draft) as [keyof RequestDraft, string | null][])
          if (draft[field] === null && value !== null)
            (draft as Record<string, string | null>)[field] = value;
        Object.assign(notes, { ...reading.notes, ...notes });
        return { kind: 'kept' };
      }
      if (kind === 'software' || kind === 'access' || kind === 'hardware') {
        notes.subject = clip(t, 'title');
        draft.title = titleOf(`${t} ${draft.description}`, kind, notes.subject);
      } else {
        draft.description = clip(`${draft.description}\n${t}`, 'description');
      }
      return { kind: 'kept' };
    }
    case 'forWhom': {
      if (me.test(t)) {
        draft.impact = 'me';
        return { kind: 'kept' };
      }
      if (yesNo || t.length < 2)
        return { kind: 'retry', message: 'Who is it for — you, a colleague (name), or a team?' };
      // "we all use it" / "my team needs it too" names a group; "I draw the floor plans" is why, not who.
      if (isReason(t) && !impactOf(t)) return keepReason(state, step, t);
      // "for my new colleague Priya" → Priya, as a name in the opening words is kept.
      draft.affected = clip(personOf(t) ?? t, 'affected');
      draft.impact ??= impactOf(t);
      return { kind: 'kept' };
    }
    case 'why':
    case 'problem':
      if (yesNo || t.length < 3) return fewWords;
      draft.businessNeed = clip(t, 'businessNeed');
      return { kind: 'kept' };
    case 'byWhen':
      if (date) {
        draft.neededBy = date;
        return { kind: 'kept' };
      }
      if (noDate.test(t)) {
        if (/\b(?:no rush|whenever|not urgent|no hurry|any ?time)\b/i.test(t)) draft.urgency ??= 'low';
        state.skipped.push('byWhen');
        return { kind: 'kept' };
      }
      return {
        kind: 'retry',
        message:
          "I didn't catch a date there — try _Friday_, _15 January_ or _end of the month_, or say _no rush_.",
      };
    case 'level':
      if (yesNo || t.length < 2) return fewWords;
      notes.accessLevel = clip(t, 'affected');
      return { kind: 'kept' };
    case 'approval':
      if (yes.test(t)) notes.approval = 'Yes';
      else if (no.test(t) || /^(?:pending|waiting|asked|not yet,?.*)$/i.test(t)) notes.approval = 'Not yet';
      else if (unknown.test(t)) notes.approval = 'Not known';
      else if (t.length >= 2) notes.approval = clip(t, 'affected');
      else return fewWords;
      return { kind: 'kept' };
    case 'where':
      if (yesNo || t.length < 2)
        return { kind: 'retry', message: 'Which desk, room or office should it go to?' };
      // "I'm on floor 3, desk 12" is a place even though it is a sentence.
      if (isReason(t) && !placeCue.test(t)) return keepReason(state, step, t);
      notes.deliverTo = clip(t, 'affected');
      return { kind: 'kept' };
    case 'since':
      if (yes.test(t) || no.test(t))
        return { kind: 'retry', message: 'Roughly since when — this morning, yesterday, a week?' };
      notes.since = unknown.test(t) ? 'Not sure' : clip(t, 'affected');
      return { kind: 'kept' };
    case 'howMany': {
      // "idk" / "not sure": left for the summary's default, which the person can still correct there.
      if (unknown.test(t)) {
        state.skipped.push(step);
        return { kind: 'kept' };
      }
      const v = parseChoice('impact', t) ?? (me.test(t) ? 'me' : impactOf(t));
      if (!v) return { kind: 'retry', message: 'Just you, your team, your department, or everyone?' };
      draft.impact = v as RequestDraft['impact'];
      return { kind: 'kept' };
    }
    case 'urgency': {
      if (unknown.test(t)) {
        state.skipped.push(step);
        return { kind: 'kept' };
      }
      const v = parseChoice('urgency', t);
      if (!v) return { kind: 'retry', message: 'Low, medium, high or critical?' };
      draft.urgency = v as RequestDraft['urgency'];
      return { kind: 'kept' };
    }
    case 'benefit':
      if (yesNo || t.length < 3) return fewWords;
      draft.expectedBenefit = clip(t, 'expectedBenefit');
      return { kind: 'kept' };
    case 'costOrRisk':
      if (yes.test(t)) return { kind: 'retry', message: 'What is it, roughly?' };
      draft.costOrRisk = unknown.test(t)
        ? 'Not known yet'
        : no.test(t)
          ? 'None expected'
          : clip(t, 'costOrRisk');
      return { kind: 'kept' };
    case 'sponsor':
      if (yes.test(t)) return { kind: 'retry', message: 'Who is it? A name is enough.' };
      if (no.test(t)) draft.sponsor = 'None yet';
      else if (unknown.test(t)) draft.sponsor = 'Not known yet';
      else if (t.length >= 2) draft.sponsor = clip(t, 'sponsor');
      else return { kind: 'retry', message: 'Who is it? A name is enough.' };
      return { kind: 'kept' };
  }
}
