// Asks to take access away: removing someone from a group, list or system ("please remove Jake from the sales
// distribution list", "take Priya off the finance share"), or revoking or disabling access or an account ("revoke
// Tom's VPN access", "disable the account of a leaver"). These are access requests that IT reads as a removal:
// the title says so, and there is no access level to ask.

/** The note IT reads on a removal (written into the description as "Change: remove access"). */
export const removalChange = 'remove access';

/** A word that starts with either case ("[Rr]emove"), so a verb opening the sentence is found too. */
function eitherCase(words: string): string {
  return words
    .split('|')
    .map((w) => `[${w.charAt(0).toUpperCase()}${w.charAt(0)}]${w.slice(1)}`)
    .join('|');
}

// Who is taken off: a name ("Jake", "Sam Patel"), a pronoun, or a described person ("the leaver").
const who = String.raw`(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?|me|myself|him|her|them|us|(?:the|a|an|our|my)\s+(?:leaver|contractor|intern|temp|former (?:employee|colleague|contractor)|ex-(?:employee|colleague)))`;
// "remove Jake from …", "take Priya off …", "kick the contractor out of …".
const takeOff = new RegExp(
  String.raw`\b(?:${eitherCase('remove|take|kick|drop|get|unsubscribe')})\s+(${who})\s+(?:off(?: of)?|out of|from)\s+(.+)`,
);
// "revoke Tom's VPN access", "disable the account of a leaver", "remove his access to SAP".
const takeAway = new RegExp(
  String.raw`\b(${eitherCase('revoke|disable|deactivate|suspend|deprovision|close|delete|remove|cancel|cut off|shut off|turn off')})\s+((?:(?:the|his|her|their|my|our|a|an|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?(?:'s|’s))\s+)?(?:[\w'’-]+\s+){0,2}?(?:accounts?|access|logins?|log-ins?|user(?: account)?s?|permissions?|rights|membership)\b.*)`,
);
// "revoke access for Tom", "Priya no longer needs access to the CRM", "offboard Sam".
const noLonger =
  /\b(?:[Rr]evoke\b|[Oo]ffboard(?:ing)?\b|no longer (?:needs?|requires?|should have|has any need for) (?:access|an account|a login|rights)\b)/;

// Where the named group or system ends: the reason or timing that follows it.
const clauseEnd =
  /\s*(?:[,;.!?(]|\s[—–-]\s)|\s(?:as|because|since|cos|he|she|they|who|which|by|before|on (?:mon|tue|wed|thu|fri|sat|sun|the \d|\d)|asap|please|today|tomorrow|now|and|effective|starting|from (?:today|tomorrow|monday|tuesday|wednesday|thursday|friday|next|the \d))\b/i;

function tidy(phrase: string): string {
  let t = phrase;
  const cut = clauseEnd.exec(t);
  if (cut) t = t.slice(0, cut.index);
  t = t
    .replace(/^(?:the|our|my)\s+/i, '')
    .replace(/\b(on|to|in|for|of)\s+the\s+/gi, '$1 ')
    .trim();
  return t.split(/\s+/).slice(0, 7).join(' ');
}

/** Says whether a capitalised word is a product ("Teams") rather than a person, so "remove Teams from …" is not a removal. */
export type NotAPerson = (word: string) => boolean;

function takenOff(text: string, notAPerson: NotAPerson): RegExpExecArray | null {
  const m = takeOff.exec(text);
  return m && !notAPerson(m[1]!) ? m : null;
}

/** True when the words ask IT to take access away rather than give it. */
export function isAccessRemoval(text: string, notAPerson: NotAPerson): boolean {
  return takenOff(text, notAPerson) !== null || takeAway.test(text) || noLonger.test(text);
}

/** A removal read from the words: a short title ("Remove Jake from sales distribution list"), what it is taken off, who is removed, and whether it is the sender ("take me off …"). */
export function removalOf(
  text: string,
  subject: string | null,
  notAPerson: NotAPerson,
): { title: string; target: string; person: string | null; self: boolean } | null {
  const off = takenOff(text, notAPerson);
  if (off) {
    const target = tidy(off[2]!);
    const person = /^[A-Z]/.test(off[1]!) && !/^(?:The|A|An|Our|My)\b/.test(off[1]!) ? off[1]! : null;
    const self = /^(?:me|myself|us)$/.test(off[1]!);
    if (target) return { title: `Remove ${off[1]!} from ${target}`, target, person, self };
  }
  const away = takeAway.exec(text);
  if (away) {
    const verb = away[1]!.toLowerCase();
    const object = tidy(away[2]!);
    const person = /^([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)(?:'s|’s)\s/.exec(object)?.[1] ?? null;
    // "access to the payroll folder": the system is what follows; else the account or access itself.
    const target = /\b(?:to|on|for|of)\s+(.+)$/.exec(object)?.[1] ?? object;
    const self = /^(?:my|our)\b/i.test(object);
    return { title: `${verb.charAt(0).toUpperCase()}${verb.slice(1)} ${object}`, target, person, self };
  }
  if (noLonger.test(text)) {
    const person =
      /\b(?:for|offboard(?:ing)?)\s+([A-Z][a-z]+)\b/.exec(text)?.[1] ??
      /^([A-Z][a-z]+)\s+no longer\b/.exec(text.trim())?.[1] ??
      null;
    return {
      title: `Remove access${subject ? ` to ${subject}` : ''}${person ? ` for ${person}` : ''}`,
      target: subject ?? 'access',
      person,
      self: false,
    };
  }
  return null;
}
