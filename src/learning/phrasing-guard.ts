// Decides whether a question may become a learned phrasing. A phrasing is read by IT staff, indexed, and may be
// written into the knowledge base in git, so anything carrying a secret or something personal is never proposed:
// refusing a good phrasing costs one more sighting, keeping a person's data costs their trust.
import { maskSecrets } from '../privacy/secret-masking.ts';
import { phrasingLimits } from '../store/repositories/learned-phrasings.ts';

/** Why a phrasing was not proposed. */
export type PhrasingRefusal =
  | 'length'
  | 'secret'
  | 'email'
  | 'phone'
  | 'number'
  | 'address'
  | 'link'
  | 'name';

/** A placeholder left by the masking (the question log keeps masked text). */
const maskPlaceholder = /\[[a-z ]+ hidden\]/i;
const email = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/u;
/** A mention of a person on a chat platform: Slack `<@U…>`, Teams `<at>…</at>`, or `@someone`. */
const mention = /<@[\w.-]+>|<at>|(?:^|\s)@[\p{L}\p{N}._-]{2,}/u;
/** Seven or more digits, possibly grouped, optionally with a leading +: a phone number. */
const phone = /(?:\+|\b)\d(?:[\s./()-]{0,2}\d){6,}\b/;
/** Five or more digits in a row: employee, badge, ticket, account or identity numbers. */
const longNumber = /\d{5,}/;
const ipAddress = /\b\d{1,3}(?:\.\d{1,3}){3}\b/;
const link = /\bhttps?:\/\/|\bwww\./i;
/** Words after which a capitalised word is most likely a person ("for Anna", "my manager Tom"). */
const personCue =
  /\b(?:for|from|to|with|of|by|cc|about|and|ask|tell|colleague|manager|boss|user|employee|named|called|mr|mrs|ms|dr)\.?\s+(\p{Lu}[\p{Ll}'-]+)/gu;

/** Words the caller knows are not names (the knowledge base's own vocabulary: "Outlook", "Okta", "Zoom"). */
export type KnownWord = (word: string) => boolean;

/**
 * Why `text` must not become a learned phrasing, or undefined when it may. `isKnownWord` tells product and
 * place names the knowledge base uses, which are not people; without it every capitalised word after "for"
 * counts as a name.
 */
export function phrasingRefusal(
  text: string,
  isKnownWord: KnownWord = () => false,
): PhrasingRefusal | undefined {
  const trimmed = text.trim();
  if (trimmed.length < phrasingLimits.min || trimmed.length > phrasingLimits.max) return 'length';
  if (maskPlaceholder.test(trimmed) || maskSecrets(trimmed).text !== trimmed) return 'secret';
  if (email.test(trimmed) || mention.test(trimmed)) return 'email';
  if (link.test(trimmed)) return 'link';
  if (ipAddress.test(trimmed)) return 'address';
  if (phone.test(trimmed)) return 'phone';
  if (longNumber.test(trimmed)) return 'number';
  for (const m of trimmed.matchAll(personCue)) {
    if (!isKnownWord(m[1]!)) return 'name';
  }
  return undefined;
}
