// Hides what looks like a secret (passwords, one-time codes, API keys and tokens, card numbers) before text is
// stored in a request or posted anywhere. Errs on the side of hiding: a masked harmless word costs little,
// a leaked password costs a lot.

/** The kinds of secret recognised. */
export type SecretKind = 'password' | 'code' | 'key' | 'card';

/** The text with secrets replaced, and which kinds were found (empty when nothing was hidden). */
export interface MaskResult {
  text: string;
  found: SecretKind[];
}

const placeholder: Record<SecretKind, string> = {
  password: '[password hidden]',
  code: '[code hidden]',
  key: '[key hidden]',
  card: '[card number hidden]',
};

// Words that follow "password is" in ordinary sentences about passwords, not the password itself.
const notAPassword = new Set(
  `not expired expiring wrong incorrect invalid locked blocked too the a an my our your still being now no
  correct right working broken same different old new blank empty missing required rejected reset changed
  forgotten saved stored case weak strong long short fine ok okay there here what which that this`.split(
    /\s+/,
  ),
);

const passwordWords = String.raw`(?:new\s+|old\s+|temp(?:orary)?\s+|wifi\s+|wi-fi\s+)?(?:password|passwd|passphrase|pass\s*word|pwd|pw)`;

// "password is "two words"": a quoted value may hold spaces.
const passwordQuoted = new RegExp(
  String.raw`\b(${passwordWords})(\s*(?:[:=]|is|was)\s*)(["“‘'])([^"”’'\n]{1,200})["”’']`,
  'gi',
);
// "password: x", "pwd = x", "password - x": a separator means the next word is the value.
const passwordWithSeparator = new RegExp(String.raw`\b(${passwordWords})(\s*(?:[:=]|-\s)\s*)(\S+)`, 'gi');
// "password is x", "password was x": the next word is the value unless it is an ordinary word.
const passwordIs = new RegExp(
  String.raw`\b(${passwordWords})(\s+(?:is|was|would be|should be)\s+)(["'“‘]?)(\S+)`,
  'gi',
);
// "my login is alice / hunter2", "user alice pass hunter2"
const passShort = /\b(pass)(\s+)(\S{4,})/gi;

const otpWords = String.raw`(?:one[-\s]?time\s+(?:code|password|passcode)|otp|2fa\s+code|mfa\s+code|verification\s+code|security\s+code|auth(?:entication|enticator)?\s+code|sms\s+code|passcode|pin|code)`;
const otp = new RegExp(String.raw`\b(${otpWords})(\s*(?:is|was|:|=|-)?\s*)(\d[\d\s-]{2,10}\d)\b`, 'gi');
// Words before "code" that make it an error, postal or product code rather than a one-time code.
const harmlessCodeBefore =
  /\b(error|status|exit|zip|postal|post|area|country|product|promo|discount|dress|source|qr|bar|cost|project|tax)\s*$/i;

// Well-known credential formats.
const keyPatterns: RegExp[] = [
  /\bsk-(?:proj-|live-|test-|ant-)?[A-Za-z0-9_-]{16,}/g, // OpenAI, Stripe, Anthropic style secret keys
  /\b(?:rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe restricted/publishable keys
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\bxapp-[A-Za-z0-9-]{10,}/g, // Slack app-level tokens
  /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{30,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JSON Web Tokens
  /\b(?:bearer|token|api[-_\s]?key|secret|client[-_\s]?secret|access[-_\s]?key)(\s*[:=]?\s*)[A-Za-z0-9._~+/=-]{12,}/gi,
];

// Long random-looking strings: hex of 32+ characters, or base64-ish of 32+ with upper, lower and digits.
const longHex = /\b[0-9a-f]{32,}\b/gi;
const longToken = /[A-Za-z0-9+/_-]{32,}={0,2}/g;

// 13 to 19 digits, optionally grouped by spaces or dashes.
const cardCandidate = /\b\d(?:[ -]?\d){12,18}\b/g;

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

function looksRandom(token: string): boolean {
  if (/^https?:/i.test(token)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/].filter((r) => r.test(token)).length;
  return classes === 3;
}

/** Replaces anything that looks like a secret with a placeholder such as `[password hidden]`. */
export function maskSecrets(input: string): MaskResult {
  const found = new Set<SecretKind>();
  let text = input;

  text = text.replace(
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    () => {
      found.add('key');
      return placeholder.key;
    },
  );
  for (const pattern of keyPatterns) {
    text = text.replace(pattern, (match, sep: unknown) => {
      if (match.startsWith('[')) return match;
      found.add('key');
      // Keep the label ("api key: ") so the sentence still reads; hide the value.
      if (typeof sep === 'string') {
        const label = match.slice(0, match.indexOf(sep) + sep.length);
        return `${label}${placeholder.key}`;
      }
      return placeholder.key;
    });
  }

  text = text.replace(cardCandidate, (match) => {
    const digits = match.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits) || /^(\d)\1+$/.test(digits))
      return match;
    found.add('card');
    return placeholder.card;
  });

  text = text.replace(passwordQuoted, (_m, label: string, sep: string) => {
    found.add('password');
    return `${label}${sep}${placeholder.password}`;
  });
  text = text.replace(passwordWithSeparator, (_m, label: string, sep: string) => {
    found.add('password');
    return `${label}${sep}${placeholder.password}`;
  });
  text = text.replace(passwordIs, (match, label: string, sep: string, quote: string, value: string) => {
    const word = value.replace(/[.,;:!?"'”’)]+$/, '').toLowerCase();
    if (!quote && notAPassword.has(word)) return match;
    if (value.startsWith('[')) return match;
    found.add('password');
    return `${label}${sep}${placeholder.password}`;
  });
  text = text.replace(
    passShort,
    (match, label: string, sep: string, value: string, offset: number, whole: string) => {
      // Only "user x pass y" style: another credential word must appear just before.
      if (
        !/\b(user(name)?|login|account|id)\b\S*\s+\S+\s*$/i.test(
          whole.slice(Math.max(0, offset - 40), offset),
        )
      )
        return match;
      if (value.startsWith('[') || notAPassword.has(value.toLowerCase())) return match;
      found.add('password');
      return `${label}${sep}${placeholder.password}`;
    },
  );

  text = text.replace(
    otp,
    (match, label: string, sep: string, digits: string, offset: number, whole: string) => {
      const bare = digits.replace(/[\s-]/g, '');
      if (bare.length < 4 || bare.length > 10) return match;
      const isPlainCode = /^code$/i.test(label) || /^pin$/i.test(label);
      if (isPlainCode && harmlessCodeBefore.test(whole.slice(Math.max(0, offset - 20), offset))) return match;
      // "code 404" is rarely a one-time code; one-time codes are 6 to 8 digits unless named as such.
      if (/^code$/i.test(label) && bare.length < 6) return match;
      found.add('code');
      return `${label}${sep}${placeholder.code}`;
    },
  );

  text = text.replace(longHex, () => {
    found.add('key');
    return placeholder.key;
  });
  text = text.replace(longToken, (match, offset: number, whole: string) => {
    // Leave web addresses alone apart from this; their paths are often long but not secret.
    const before = whole.slice(Math.max(0, offset - 200), offset);
    if (/https?:\/\/\S*$/i.test(before) || !looksRandom(match)) return match;
    found.add('key');
    return placeholder.key;
  });

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

/** A kind word for the user about what was hidden and how to share it safely instead. */
export function secretWarning(found: SecretKind[]): string {
  const what = found
    .map(
      (k) =>
        ({ password: 'a password', code: 'a one-time code', key: 'a key or token', card: 'a card number' })[
          k
        ],
    )
    .join(' and ');
  return `I hid what looked like ${what} — please never share secrets in chat, and nobody in IT will ask you for them. If IT needs something sensitive, they'll call you or share it through the password manager.`;
}
