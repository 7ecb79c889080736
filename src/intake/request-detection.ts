// Reading short answers and corrections mid-conversation ("actually it's urgent", "change the title to …",
// "cancel", "yes"). Opening messages are read by opening-reader.ts; the impact rule is shared with it.
import { impactOf } from './opening-reader.ts';
import {
  type DraftField,
  type Impact,
  labels,
  type RequestKind,
  requestKinds,
  type Urgency,
} from './request-schema.ts';

const kindRules: [RequestKind, RegExp][] = [
  [
    'project',
    /\b(?:idea|suggest(?:ion)?|propos(?:e|al)|project|feature request|it would be (?:great|nice|good) if|we should)\b/i,
  ],
  [
    'incident',
    /\b(?:broken|broke|cracked|smashed|shattered|damaged|bent|snapped|spilled|outage|is down|are down|not working|isn'?t working|stopped working|won'?t (?:turn|switch) on|dead)\b/i,
  ],
  [
    'access',
    /\b(?:access|permissions?|shared (?:drive|folder|mailbox)|share|folder|mailbox|distribution list|group membership|admin rights|added to|add me to|log ?in to|account (?:for|on|in))\b/i,
  ],
  [
    'software',
    /\b(?:install(?:ed|ing)?|software|licen[cs]es?|app|application|program|subscription|visio|photoshop|adobe|acrobat|illustrator|office|excel|powerpoint|word|figma|autocad|tableau|jira|confluence|miro|zoom|salesforce|sketch|xcode|docker|python|vs ?code|visual studio)\b/i,
  ],
  [
    'hardware',
    /\b(?:laptop|monitor|screen|keyboard|mouse|headset|headphones|dock(?:ing station)?|phone|printer|charger|webcam|camera|computer|desktop|pc|mac|tablet|ipad|cable|adapter|macbook|equipment|chair)\b/i,
  ],
];

/** The kind of request the text describes, or null when no rule is sure. */
export function inferKind(text: string): RequestKind | null {
  for (const [kind, rule] of kindRules) if (rule.test(text)) return kind;
  return null;
}

/** Urgency cues in the text ("urgent", "asap", "can't work", "no rush"), or null. */
export function inferUrgency(text: string): Urgency | null {
  if (
    /\b(?:not urgent|no rush|no hurry|whenever|low priority|when you (?:can|get a chance)|not a priority)\b/i.test(
      text,
    )
  ) {
    return 'low';
  }
  if (
    /\b(?:critical|emergency|outage|everyone is blocked|nobody can work|production (?:is )?down)\b/i.test(
      text,
    )
  ) {
    return 'critical';
  }
  if (
    /\b(?:urgent(?:ly)?|asap|a\.s\.a\.p|immediately|right away|right now|high priority|can'?t work|cannot work|unable to work|blocked|blocking|today)\b/i.test(
      text,
    )
  ) {
    return 'high';
  }
  if (/\b(?:medium|this week|soon|normal priority)\b/i.test(text)) return 'medium';
  return null;
}

/** Who is affected, from cues like "whole team" or "everyone", or null: the opening reader's own rule. */
export function inferImpact(text: string): Impact | null {
  return impactOf(text);
}

/** A date written as YYYY-MM-DD in the text, when it is a real date. */
export function inferDate(text: string): string | null {
  const m = /\b(\d{4}-\d{2}-\d{2})\b/.exec(text);
  if (!m) return null;
  const d = new Date(`${m[1]}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== m[1] ? null : m[1]!;
}

/** Reads an answer for an enum-valued field from buttons' values or words; undefined when it is not one. */
export function parseChoice(field: 'kind' | 'urgency' | 'impact', text: string): string | undefined {
  const t = text.trim().toLowerCase();
  if (field === 'kind') {
    if ((requestKinds as readonly string[]).includes(t)) return t;
    for (const [k, label] of Object.entries(labels.kind)) if (t === label.toLowerCase()) return k;
    if (/\b(?:else|other)\b/.test(t)) return 'other';
    return inferKind(t) ?? undefined;
  }
  if (field === 'urgency') {
    if (['low', 'medium', 'high', 'critical'].includes(t)) return t;
    if (/^(?:normal|moderate|med)$/.test(t)) return 'medium';
    return inferUrgency(t) ?? undefined;
  }
  if (['me', 'team', 'department', 'company'].includes(t)) return t;
  for (const [k, label] of Object.entries(labels.impact)) if (t === label.toLowerCase()) return k;
  if (/^(?:just |only )?(?:me|myself|i)$|^(?:one|a single|one other) person$|^someone else$/.test(t))
    return 'me';
  if (/^(?:my |our |the )?team$/.test(t)) return 'team';
  if (/^(?:my |our |the )?department$/.test(t)) return 'department';
  if (/^(?:the )?(?:whole )?company$|^everyone$/.test(t)) return 'company';
  return inferImpact(t) ?? undefined;
}

/** A change the user asked for mid-conversation. */
export interface Correction {
  field: DraftField;
  value: string | null;
}

const fieldNames: [RegExp, DraftField][] = [
  [/^(?:title|subject|name)$/, 'title'],
  [/^(?:description|details|what i need)$/, 'description'],
  [/^(?:reason|why|business need|why it matters)$/, 'businessNeed'],
  [/^(?:urgency|priority)$/, 'urgency'],
  [/^(?:impact|who it affects|scope)$/, 'impact'],
  [/^(?:kind|type|category)$/, 'kind'],
  [/^(?:needed by|deadline|due date|date)$/, 'neededBy'],
  [/^(?:affected|who is affected)$/, 'affected'],
  [/^(?:benefit|expected benefit)$/, 'expectedBenefit'],
  [/^(?:cost|risk|cost or risk)$/, 'costOrRisk'],
  [/^(?:sponsor|executive sponsor)$/, 'sponsor'],
];

function fieldNamed(name: string): DraftField | undefined {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/^the\s+/, '');
  return fieldNames.find(([re]) => re.test(n))?.[1];
}

/**
 * Reads a correction such as "actually it's urgent", "change the title to VPN for contractors",
 * "it affects the whole team", "it's a hardware problem", "needed by 2026-04-01". Undefined when the text
 * is not a correction.
 */
export function parseCorrection(
  text: string,
  options: { explicitOnly?: boolean } = {},
): Correction | undefined {
  const t = text.trim().replace(/[.!]+$/, '');
  const set =
    /^(?:actually[,]?\s+|sorry[,]?\s+|oh[,]?\s+|wait[,]?\s+)?(?:please\s+)?(?:change|set|make|update|edit)\s+(?:the\s+)?([a-z ]{3,30}?)\s+(?:to|as|=)\s+(.+)$/i.exec(
      t,
    );
  if (set) {
    const field = fieldNamed(set[1]!);
    if (field) return coerce(field, set[2]!);
  }
  const colon = /^([a-z ]{3,30}):\s*(.+)$/i.exec(t);
  if (colon) {
    const field = fieldNamed(colon[1]!);
    if (field) return coerce(field, colon[2]!);
  }
  const actually = /^(?:actually|oh|wait|sorry|correction)[,:]?\s+(.+)$/i.exec(t);
  // Without "actually", only sentences shaped like a correction count, and not while a free-text answer is due
  // ("it's for the quarterly report" answers "why does it matter?").
  const implicit =
    /^(?:it'?s|it is|this is|make it|mark it|it affects|affects|needed by|need it by|it'?s needed by)\b/i;
  const rest = actually?.[1] ?? (!options.explicitOnly && implicit.test(t) ? t : undefined);
  if (!rest) return undefined;
  const date = /\b(?:needed by|need it by|by|before|due)\s+(\d{4}-\d{2}-\d{2})\b/i.exec(rest);
  if (date && inferDate(date[1]!)) return { field: 'neededBy', value: date[1]! };
  const kindMatch =
    /\b(?:it'?s|it is|this is)\s+(?:an?\s+)?(access|software|hardware|project|idea|incident)\b/i.exec(rest);
  if (kindMatch) {
    const k = kindMatch[1]!.toLowerCase();
    return { field: 'kind', value: k === 'idea' ? 'project' : k };
  }
  const impact = inferImpact(rest);
  if (impact && /\b(?:affects?|for|whole|entire|everyone|just|only|team|department|company)\b/i.test(rest)) {
    return { field: 'impact', value: impact };
  }
  const urgency = inferUrgency(rest);
  if (urgency) return { field: 'urgency', value: urgency };
  return undefined;
}

function coerce(field: DraftField, raw: string): Correction | undefined {
  const value = raw.trim().replace(/^["'“]|["'”]$/g, '');
  if (field === 'kind' || field === 'urgency' || field === 'impact') {
    const v = parseChoice(field, value);
    return v ? { field, value: v } : undefined;
  }
  if (field === 'neededBy') {
    if (/^(?:none|no date|no|nothing|skip)$/i.test(value)) return { field, value: null };
    const d = inferDate(value);
    return d ? { field, value: d } : undefined;
  }
  return value ? { field, value } : undefined;
}

/** True for "cancel", "stop", "never mind" and friends. */
export function isCancel(text: string): boolean {
  return /^(?:cancel|stop|never ?mind|forget it|abort|quit|no thanks|nope,? cancel|cancel (?:it|that|this|the request))[\s.!]*$/i.test(
    text.trim(),
  );
}

/** True for "yes", "confirm", "send it" and friends. */
export function isConfirm(text: string): boolean {
  return /^(?:yes|yep|yeah|y|confirm|confirmed|send|send it|save|save it|submit|ok|okay|looks good|go ahead|correct|that'?s right)[\s.!]*$/i.test(
    text.trim(),
  );
}
