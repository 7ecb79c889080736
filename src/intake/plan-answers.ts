// Checks each answer against the question it answers before keeping it: a date given to another question fills
// the date (and the question is asked again), "yes" / "no" / "idk" are never kept as a name or a reason, "not
// yet" or "none" is a valid "no sponsor", and "that's all" or a correction is recognised at any point.
import { readDateWords } from './date-words.ts';
import {
  impactOf,
  isProductName,
  personOf,
  type ReadingContext,
  readOpening,
  titleOf,
} from './opening-reader.ts';
import type { PlanNotes, PlanStep } from './question-plan.ts';
import { parseChoice } from './request-detection.ts';
import { maxLengths, type RequestDraft } from './request-schema.ts';

/**
 * A draft and its notes as the conversation holds them; `skipped` lists steps answered with "none", `hinted` the
 * steps already asked again once with a clearer hint (a second answer that still does not fit is kept as given).
 */
export interface PlanState {
  draft: RequestDraft;
  notes: PlanNotes;
  skipped: PlanStep[];
  hinted: PlanStep[];
}

/** What became of an answer. */
export type AnswerOutcome =
  | { kind: 'kept' }
  | { kind: 'retry'; message: string }
  /** A date came to another question: the date is kept and the same question is asked again. */
  | { kind: 'date'; date: string }
  /** A reason came to "who is it for?" or "where?": it is kept as why it is needed and the question is asked again. */
  | { kind: 'reason' }
  /** A change the person asked for that no field takes ("actually the folder is Payroll 2027"): added to the
   * description for IT, and the same question is asked again. */
  | { kind: 'noted' };

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

// ── Who it is for ──────────────────────────────────────────────────────────────────────────────────────────
// An answer to "who is it for?" names a person or a group: "Sam", "Sam Patel", "Priya from accounts", "the new
// starter", "my team", "sales", "everyone in finance". These are the words that say so.
const forLeadIn = /^(?:(?:it'?s|it is|this is|that'?s|they'?re|its)\s+)?(?:for\s+)/i;
const pronounGroup =
  /^(?:me|myself|us|him|her|them|everyone|everybody|all of us|both of us|the two of us|all|both)\b/i;
const roleNoun =
  /\b(?:starters?|hires?|joiners?|colleagues?|co-?workers?|managers?|boss|bosses|interns?|assistants?|contractors?|temps?|team|teams|department|staff|people|person|users?|members?|group|crew|folks|guys|everyone|everybody|directors?|clients?|visitors?|apprentices?|trainees?|students?|volunteers?|employees?|engineers?|designers?|developers?|analysts?|admins?|receptionists?|leads?|head of [a-z]+|ceo|cfo|coo|cto|pa|exec(?:utive)?s?|partners?|freelancers?|consultants?|agency|supervisors?|coordinators?|officers?|accountants?|nurses?|teachers?|drivers?|technicians?|operators?|agents?|reps?|representatives?|whoever|somebody|someone)\b/i;
const groupName =
  /\b(?:sales|finance|hr|marketing|accounts|accounting|ops|operations|legal|payroll|support|engineering|design|procurement|purchasing|facilities|warehouse|reception|customer services?|service desk|management|board|leadership|research|product|logistics|admin|it|comms|communications)\b/i;
// A capitalised name that is not a sentence's first word of its own ("Sam", "Sam Patel", "Jo and Ali").
const nameStart = /^[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2}\b/;
const notNameWords =
  /^(?:I|I'm|I've|I'll|It|It's|Its|This|That|The|We|They|He|She|So|Because|To|For|Drawing|Doing|Making|Working|Yes|No|Not|Maybe|Idk|Just|Only|Please|Thanks|Actually|Sorry)\b/;

/** True when an answer to "who is it for?" names a person or a group rather than saying something else. */
export function isPersonOrGroup(text: string): boolean {
  const t = text
    .trim()
    .replace(forLeadIn, '')
    .replace(/^(?:just|only|also)\s+/i, '');
  if (me.test(t) || pronounGroup.test(t)) return true;
  if (isReason(text)) return false;
  if (personOf(text) || personOf(`for ${t}`)) return true;
  if (nameStart.test(t) && !notNameWords.test(t) && !isProductName(t)) return true;
  // A group or role: "the new starter", "my team", "everyone in finance", "sales" — a noun phrase, not a clause.
  const words = t.split(/\s+/).length;
  const clause =
    /\b(?:is|are|was|were|will|would|can|could|should|need|needs|needed|use|uses|want|wants|so|because)\b/i;
  return (impactOf(t) !== null || roleNoun.test(t) || groupName.test(t)) && words <= 8 && !clause.test(t);
}

// ── Manager approval ───────────────────────────────────────────────────────────────────────────────────────
const approvalNotNeeded =
  /\b(?:no need|not needed|needn'?t|doesn'?t need (?:it|one|approval)|don'?t need (?:it|one|approval)|no approval (?:is )?(?:needed|required)|not required|isn'?t required|n\/a)\b/i;
const approvalPending =
  /^(?:no|nope|nah|not yet|none|none yet|pending|waiting|asked|not really|no,? not yet)\b|\b(?:not yet|waiting (?:on|for)|still waiting|(?:i'?ve|i have|i) asked\b(?![^.]*\b(?:approved|agreed|signed|said yes)\b)|i'?ll ask|i will ask|(?:need|have|got) to (?:ask|check with|chase)|(?:i'?ll|i will) (?:check with|chase|get it)|(?:going|gonna|about) to ask|i'?ll check|will check|asking (?:him|her|them|my)|asked (?:him|her|them|my)|pending|chasing|hasn'?t (?:yet|approved|signed|replied|answered|got back)|haven'?t (?:asked|heard)|not (?:been )?approved|no approval yet|no reply|not heard back)\b/i;
const approvalGiven =
  /^(?:y|yes|yep|yeah|yup|sure|ok|okay|correct|of course|definitely|absolutely)\b|^(?:i|he|she|they|we) (?:have|has|did)\b|\b(?:approved|signed (?:it |this )?off|okayed|ok'?d|agreed|gave (?:the |me the |it the )?(?:go-?ahead|ok|okay|green light|thumbs up)|said (?:yes|ok|okay|it'?s fine|that'?s fine|fine|go ahead)|is (?:fine|happy|ok|okay) with it|has approved|all approved|got approval|got the (?:go-?ahead|ok|okay|green light))\b/i;
// "actually the folder is Payroll 2027", "sorry, I meant the HR drive": a change to something said before.
const correctionShaped = /^(?:actually|sorry|oh|wait|correction|i meant|no,? i meant)\b/i;
const negated = /\b(?:not|never|no)\b|n't\b/i;
const approvalRefused = /\b(?:said no|refused|declined|rejected|turned (?:it|me) down|won'?t approve)\b/i;

/** The approver's name when the answer gives it ("my manager Priya approved it", "yes, Sam signed it off"). */
function approverOf(text: string): string | null {
  const m =
    /\b(?:manager|boss|director|head of [a-z]+|supervisor)\s+([A-Z][a-z]+)\b/.exec(text) ??
    /\b(?:approved|signed off|okayed) by\s+([A-Z][a-z]+)\b/.exec(text) ??
    /(?:^|[,.;]\s*|\byes,?\s+)([A-Z][a-z]+)\s+(?:has\s+|already\s+|did\b|approved|signed|okayed|said|agreed|gave)/.exec(
      text,
    );
  const name = m?.[1];
  return name && !notNameWords.test(name) && !/^(?:Yes|Yeah|Yep|My|Our|He|She|They)$/.test(name)
    ? name
    : null;
}

/**
 * Reads an answer to "has your manager approved it?": `Yes` (with the approver when named), `Not yet`, `Not
 * needed`, `Not known`, or null when the words answer something else.
 */
export function readApproval(text: string): string | null {
  const t = text.trim();
  if (unknown.test(t)) return 'Not known';
  if (approvalNotNeeded.test(t)) return no.test(t) ? 'Not needed' : clip(`Not needed — ${t}`, 'affected');
  if (approvalRefused.test(t)) return clip(`Refused — ${t}`, 'affected');
  if (
    approvalPending.test(t) ||
    (approvalGiven.test(t) && negated.test(t) && !/^(?:y|yes|yep|yeah|yup)\b/i.test(t))
  )
    return no.test(t) ? 'Not yet' : clip(`Not yet — ${t}`, 'affected');
  if (approvalGiven.test(t)) {
    const who = approverOf(t);
    return who ? clip(`Yes, by ${who}`, 'affected') : 'Yes';
  }
  return null;
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

/** The clearer question the first time `step` gets an answer that does not fit; null once it was asked so. */
function hint(state: PlanState, step: PlanStep, outcome: AnswerOutcome): AnswerOutcome | null {
  if (state.hinted.includes(step)) return null;
  state.hinted.push(step);
  return outcome;
}

/** Leaves `step` out: the person has no other answer to give. */
function skip(state: PlanState, step: PlanStep): AnswerOutcome {
  state.skipped.push(step);
  return { kind: 'kept' };
}

/** Keeps who it is for: "me" as the impact, a name found in the words ("for my colleague Priya" → Priya), or the words. */
function keepWho(state: PlanState, text: string): AnswerOutcome {
  if (me.test(text)) {
    state.draft.impact = 'me';
    return { kind: 'kept' };
  }
  state.draft.affected = clip(personOf(text) ?? text.replace(forLeadIn, ''), 'affected');
  state.draft.impact ??= impactOf(text);
  return { kind: 'kept' };
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
  // "the 20th" on its own is read as a deadline, as "by the 20th" would be.
  return (
    readDateWords(m[1]!, context.now, context.timeZone) ??
    readDateWords(`by ${m[1]!}`, context.now, context.timeZone)
  );
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
      const whoHint = {
        kind: 'retry',
        message: 'I need a person or a group here — like _me_, _Sam Patel_, _the new starter_ or _my team_.',
      } as const;
      // "yes" or "idk" is never kept as a name: asked again once, then left for the summary's default.
      if (yesNo || t.length < 2) return hint(state, step, whoHint) ?? skip(state, step);
      // "we all use it" / "my team needs it too" names a group; "I draw the floor plans" is why, not who.
      if (isPersonOrGroup(t)) return keepWho(state, t);
      // A sentence that names nobody ("drawing the floor plans for the move") says why, not who.
      if (isReason(t) || /^[a-z]+ing\b/i.test(t) || t.split(/\s+/).length >= 4)
        return keepReason(state, step, t);
      // Something short that is neither: asked again once with examples, then kept as the person gave it.
      return hint(state, step, whoHint) ?? keepWho(state, t);
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
    case 'approval': {
      const approval = readApproval(t);
      if (approval) {
        notes.approval = approval;
        return { kind: 'kept' };
      }
      // A correction no field takes is added to what IT reads, never kept as the approval.
      if (correctionShaped.test(t)) {
        draft.description = clip(draft.description ? `${draft.description}\n${t}` : t, 'description');
        return { kind: 'noted' };
      }
      // A reason ("I need it for the audit") is kept as why; a question or anything else is asked again once,
      // with the answers spelled out, and then kept as a note for IT rather than asked forever.
      if (isReason(t) && !/\?\s*$/.test(t)) return keepReason(state, step, t);
      const again = hint(state, step, {
        kind: 'retry',
        message:
          'Sorry, I didn’t get whether your manager has approved it. Say _yes_ (and who, if you like), _not yet_, or _not needed_ — or _don’t know_ and IT will check.',
      });
      if (again) return again;
      notes.approval = clip(t, 'affected');
      return { kind: 'kept' };
    }
    case 'where':
      if (yesNo || t.length < 2)
        return {
          kind: 'retry',
          message: notes.collect
            ? 'Which desk, room or office should it be collected from?'
            : 'Which desk, room or office should it go to?',
        };
      // "I'm on floor 3, desk 12" is a place even though it is a sentence.
      if (isReason(t) && !placeCue.test(t)) return keepReason(state, step, t);
      if (notes.collect) notes.collectFrom = clip(t, 'affected');
      else notes.deliverTo = clip(t, 'affected');
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
