// Hides what looks like a secret (passwords in many phrasings and languages, one-time and door codes, keys and
// tokens, card numbers and card codes, IBANs, national identity numbers, credentials inside web addresses) before
// text is stored, logged or posted anywhere. Errs on the side of hiding: a masked harmless word costs little, a
// leaked password costs a lot. The corpus in test/fixtures/masking/ measures both sides.
import { maskCredentialPhrases } from './credential-phrases.ts';

/** The kinds of secret recognised. */
export type SecretKind = 'password' | 'code' | 'key' | 'card' | 'bank' | 'id';

/** The text with secrets replaced, and which kinds are hidden in it (empty when nothing is). */
export interface MaskResult {
  text: string;
  found: SecretKind[];
}

/** What each kind of secret is replaced with. */
export const placeholders = {
  password: '[password hidden]',
  code: '[code hidden]',
  key: '[key hidden]',
  card: '[card number hidden]',
  cardCode: '[card code hidden]',
  bank: '[bank account hidden]',
  id: '[id number hidden]',
} as const;

const kindOfPlaceholder: Record<string, SecretKind> = {
  [placeholders.password]: 'password',
  [placeholders.code]: 'code',
  [placeholders.key]: 'key',
  [placeholders.card]: 'card',
  [placeholders.cardCode]: 'card',
  [placeholders.bank]: 'bank',
  [placeholders.id]: 'id',
};

// A placeholder already in the text: masking never looks inside one, which keeps masking idempotent.
const placeholderPattern = /\[(?:password|code|key|card number|card code|bank account|id number) hidden\]/g;

/** Something that found a secret: `hide(kind, text)` returns the placeholder and records the kind. */
export type Hide = (kind: SecretKind, placeholder?: string) => string;

// Well-known credential formats, hidden wherever they appear.
const keyPatterns: RegExp[] = [
  /\bsk-(?:proj-|live-|test-|ant-)?[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic style secret keys
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe keys
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\bxapp-[A-Za-z0-9-]{10,}/g, // Slack app-level tokens
  /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{30,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bnpm_[A-Za-z0-9]{30,}/g, // npm
  /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, // SendGrid
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JSON Web Tokens
  /\b\d{6}(?:-\d{6}){7}\b/g, // BitLocker recovery keys
];
// "api key: x", "Bearer x", "client secret x": the label stays so the sentence still reads.
const labelledKey =
  /\b(bearer|token|api[-_\s]?key|secret|client[-_\s]?secret|access[-_\s]?key|access[-_\s]?token)(\s*[:=]?\s*)([A-Za-z0-9._~+/=-]{12,})/gi;

// Long random-looking strings: hex of 32+ characters, or base64-ish of 32+ with upper, lower and digits.
const longHex = /\b[0-9a-f]{32,}\b/gi;
const longToken = /[A-Za-z0-9+/_-]{32,}={0,2}/g;

// 13 to 19 digits, optionally grouped by spaces or dashes.
const cardCandidate = /\b\d(?:[ -]?\d){12,18}\b/g;
// The three or four digits on the back of a card.
const cardCode =
  /\b(cvv2?|cvc2?|csc|cid|card\s+security\s+code|security\s+code\s+on\s+the\s+back|(?:three|four|3|4)\s+digits\s+on\s+the\s+back)((?:\s+code)?(?:\s*(?:is|are|was|:|=|-))?\s*)(\d{3,4})\b/gi;

// IBAN: two letters, two check digits, then up to 30 letters and digits, often in groups of four.
const ibanCandidate = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;
const bankLabel = /\b(?:iban|account\s+number|bank\s+account|rekeningnummer|kontonummer)\b/i;

// National identity numbers with a telling shape, and any number right after an identity-number label.
const ssnShape = /\b\d{3}([- ])\d{2}\1\d{4}\b/g;
const niShape = /\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g;
const idLabelled =
  /(?<![\p{L}\p{N}])((?:ssn|(?:my\s+)?social\s+security(?:\s+(?:number|no\.?|#))?|my\s+social|national\s+insurance\s+number|ni\s+number|bsn|burgerservicenummer|sofinummer|sozialversicherungsnummer|steuer-?id|codice\s+fiscale|num[ée]ro\s+de\s+s[ée]curit[ée]\s+sociale|dni|nie|personnummer|personal\s+id(?:\s+number)?)(?:\s+(?:is|was|ist|est|es|è|:))?\s*[:=#]?\s*)([A-Z0-9](?:[A-Z0-9 .-]{4,22}[A-Z0-9]))(?![\p{L}\p{N}])/giu;

// Credentials inside a web address: scheme://user:password@host, and secret query parameters.
// Bounded repeats: unbounded ones made each of many starting points scan to the end of a long message (quadratic).
const urlUserPassword = /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@]{0,200}:)([^\s@/]{1,200})@/gi;
const urlSecretParam =
  /([?&](?:password|passwd|pwd|pass|token|access_token|api_key|apikey|key|secret|client_secret|sig|signature)=)([^&\s#]+)/gi;
const slackWebhook = /(hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/)([A-Za-z0-9]{16,})/g;

// One-time codes, PINs and the codes of doors, alarms and lockers: digits after a label.
const codeWords = String.raw`(?:one[-\s]?time\s+(?:code|password|passcode)|otp|2fa\s+code|mfa\s+code|verification\s+code|security\s+code|auth(?:entication|enticator)?\s+code|sms\s+code|passcode|pin|code|(?:door|alarm|gate|safe|locker|lock|entry|garage|keypad|key\s*safe)\s+(?:code|combination|pin)|combination)`;
const codeValue = new RegExp(
  String.raw`\b(${codeWords})((?:\s+(?:for|of|on|to)\s+(?:the\s+|my\s+|our\s+)?[\p{L}-]+(?:\s+[\p{L}-]+){0,2})?\s*(?:is|was|:|=|-)?\s*)(\d[\d\s-]{1,10}\d)\b`,
  'giu',
);
// Words before "code" that make it an error, postal or product code rather than a secret one.
const harmlessCodeBefore =
  /\b(error|status|exit|zip|postal|post|area|country|product|promo|discount|dress|source|qr|bar|cost|project|tax|hs|meeting|conference|dial-in|tracking)\s*$/i;

/** True when the digits pass the Luhn check that every payment card number passes. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** True when `candidate` (spaces allowed) passes the ISO 13616 mod-97 check every IBAN passes. */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`;
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function looksRandom(token: string): boolean {
  if (/^https?:/i.test(token)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/].filter((r) => r.test(token)).length;
  return classes === 3;
}

/** One masking rule: rewrites a stretch of text that holds no placeholder. */
type Step = (text: string, hide: Hide) => string;

// The rules in order: exact formats first, then labelled values, then anything that merely looks random.
const steps: Step[] = [
  (t, hide) =>
    t.replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, () =>
      hide('key'),
    ),
  (t, hide) => t.replace(urlUserPassword, (_m, before: string) => `${before}${hide('password')}@`),
  (t, hide) => t.replace(urlSecretParam, (_m, name: string) => `${name}${hide('key')}`),
  (t, hide) => t.replace(slackWebhook, (_m, base: string) => `${base}${hide('key')}`),
  ...keyPatterns.map(
    (pattern): Step =>
      (t, hide) =>
        t.replace(pattern, () => hide('key')),
  ),
  (t, hide) => t.replace(labelledKey, (_m, label: string, sep: string) => `${label}${sep}${hide('key')}`),
  (t, hide) =>
    t.replace(ibanCandidate, (match, offset: number, whole: string) => {
      const labelled = bankLabel.test(whole.slice(Math.max(0, offset - 40), offset));
      return ibanValid(match) || labelled ? hide('bank') : match;
    }),
  (t, hide) =>
    t.replace(cardCandidate, (match) => {
      const digits = match.replace(/[ -]/g, '');
      if (digits.length < 13 || digits.length > 19 || !luhnValid(digits) || /^(\d)\1+$/.test(digits))
        return match;
      return hide('card');
    }),
  (t, hide) =>
    t.replace(
      cardCode,
      (_m, label: string, sep: string) => `${label}${sep}${hide('card', placeholders.cardCode)}`,
    ),
  (t, hide) =>
    t.replace(idLabelled, (match, label: string, value: string) =>
      // Identity numbers are digits and capitals; lower-case words after the label are a sentence, not a number.
      (value.match(/\d/g)?.length ?? 0) >= 5 && !/[a-z]/.test(value) ? `${label}${hide('id')}` : match,
    ),
  (t, hide) => t.replace(ssnShape, () => hide('id')),
  (t, hide) => t.replace(niShape, () => hide('id')),
  maskCredentialPhrases,
  (t, hide) =>
    t.replace(
      codeValue,
      (match, label: string, sep: string, digits: string, offset: number, whole: string) => {
        const bare = digits.replace(/[\s-]/g, '');
        if (bare.length < 4 || bare.length > 10) return match;
        const plain = /^(?:code|pin)$/i.test(label);
        if (plain && harmlessCodeBefore.test(whole.slice(Math.max(0, offset - 20), offset))) return match;
        // "code 404" is rarely a one-time code; one-time codes are 6 to 8 digits unless named as such.
        if (/^code$/i.test(label) && bare.length < 6) return match;
        return `${label}${sep}${hide('code')}`;
      },
    ),
  (t, hide) => t.replace(longHex, () => hide('key')),
  (t, hide) =>
    t.replace(longToken, (match, offset: number, whole: string) => {
      // Leave web addresses alone apart from this; their paths are often long but not secret.
      const before = whole.slice(Math.max(0, offset - 200), offset);
      if (/https?:\/\/\S*$/i.test(before) || !looksRandom(match)) return match;
      return hide('key');
    }),
];

/** Runs `step` on each stretch of `text` between placeholders, so no rule ever reads or rewrites a placeholder. */
function outsidePlaceholders(text: string, step: (segment: string) => string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(placeholderPattern)) {
    out += step(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + step(text.slice(last));
}

/**
 * Replaces anything that looks like a secret with a placeholder such as `[password hidden]`. Placeholders already
 * in the text are kept as they are and reported in `found`, so masking twice gives the same result, and text
 * masked earlier (a logged question passed on to IT) still tells the user what was hidden.
 */
export function maskSecrets(input: string): MaskResult {
  const found = new Set<SecretKind>();
  for (const match of input.matchAll(placeholderPattern)) {
    const kind = kindOfPlaceholder[match[0]];
    if (kind) found.add(kind);
  }
  const hide: Hide = (kind, placeholder) => {
    found.add(kind);
    return placeholder ?? placeholders[kind];
  };
  let text = input;
  for (const step of steps) text = outsidePlaceholders(text, (segment) => step(segment, hide));
  return { text, found: [...found] };
}

/** Masks every string value of an object (one level deep), collecting what was found. */
export function maskFields<T extends Record<string, unknown>>(values: T): { values: T; found: SecretKind[] } {
  const found = new Set<SecretKind>();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string') {
      const masked = maskSecrets(v);
      for (const f of masked.found) found.add(f);
      out[k] = masked.text;
    } else out[k] = v;
  }
  return { values: out as T, found: [...found] };
}

const kindNames: Record<SecretKind, string> = {
  password: 'a password',
  code: 'a code or PIN',
  key: 'a key or token',
  card: 'card details',
  bank: 'a bank account number',
  id: 'an identity number',
};

/** A kind word for the user about what was hidden and how to share it safely instead. */
export function secretWarning(found: SecretKind[]): string {
  const what = found.map((k) => kindNames[k]).join(' and ');
  return `I hid what looked like ${what} before passing this on — please never share secrets in chat, and nobody in IT will ask you for them. If IT needs something sensitive, they'll call you or share it through the password manager.`;
}

/** A kind word for someone who typed a secret into a question: it was not kept, and how to stay safe. */
export function questionSecretNotice(found: SecretKind[]): string {
  const what = found.map((k) => kindNames[k]).join(' and ');
  return `I didn't keep what looked like ${what} in your message — please never type secrets in chat, and nobody in IT will ask you for them. If it was a real one, it's safest to change it.`;
}
