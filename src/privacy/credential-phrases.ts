// Finds passwords in the ways people actually write them: "my pass is x", "pw x", "login bob / x", "the password
// for the wifi is x", passphrases with spaces, and the same in other languages ("Passwort ist x", "mot de passe
// est x"). Works on a label, what separates it from the value, and whether the value reads like a password.
import type { Hide } from './secret-masking.ts';

// Labels that name a password. Longer phrases first, so "mot de passe" wins over "passe".
const strongLabels = [
  'mot de passe',
  "parola d'ordine",
  'pass phrase',
  'pass word',
  'passphrase',
  'password',
  'passwort',
  'passwd',
  'kennwort',
  'contraseña',
  'contrasena',
  'wachtwoord',
  'lösenord',
  'losenord',
  'hasło',
  'haslo',
  'salasana',
  'adgangskode',
  'passord',
  'heslo',
  'şifrem',
  'şifre',
  'sifre',
  'jelszó',
  'jelszo',
  'senha',
  'wifi key',
  'wi-fi key',
  'wlan key',
  'network key',
  'code wifi',
  'wifi code',
  'pword',
  'pwrd',
  'p/w',
  'pwd',
  'pw',
];
// Short or common words that name a password only when a separator follows ("pass: x", "mdp est x").
const weakLabels = ['pass', 'mdp', 'ww', 'clave'];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
const labelAlternation = [...strongLabels, ...weakLabels]
  .sort((a, b) => b.length - a.length)
  .map(escapeRegExp)
  .join('|');

/** A fresh pattern matching any password label (global, case-insensitive, Unicode-aware word edges). */
export function credentialLabelPattern(): RegExp {
  return new RegExp(String.raw`(?<![\p{L}\p{N}_])(?:${labelAlternation})(?![\p{L}\p{N}_])`, 'giu');
}

const weakLabelSet = new Set(weakLabels);

// What may stand between a label and its value. Strong separators announce the value ("is", ":"); after a weak
// one ("to", "on", nothing at all) the value must read like a password.
const strongSeparator =
  /^(?:\s*(?:[:=]|->|=>|-(?=\s))\s*|\s*'s\s+|\s+(?:is|was|are|will\s+be|would\s+be|should\s+be|is\s+now|ist|lautet|war|est|était|etait|es|era|è|é|är|ar|var|er|je|jest)(?:\s*:)?\s+)/iu;
const weakSeparator = /^(?:\s+(?:to|on|set\s+to|changed\s+to|=)\s+|\s+)/iu;
// "password for the wifi is x": a few words between the label and a strong separator.
const gapThenSeparator =
  /^((?:\s+[\p{L}'-]+){1,4}?)(\s+(?:is|was|are|ist|est|es|è|é|är|er|on|je|to|jest)(?:\s*:)?\s+|\s*[:=]\s*)/iu;

// Words that end a passphrase, and on their own are never the password: articles, pronouns, prepositions,
// auxiliaries, conjunctions and time words, in the languages the labels cover.
const functionWords = new Set(
  `a an the my your our his her their its this that these those it i me we you he she they to on in at for of by
  with from as than so but and or nor if because since until when while though although not no is was are were be
  been being has have had do does did can could will would should shall may might must still too very also again
  anymore yet now today yesterday tomorrow just already ever never always please pls thanks thank lol every
  each all some any both once twice
  der die das ein eine und aber oder nicht ist war zu mit für fur von auf bei
  le la les un une et mais ou pas est de du des pour avec sur
  el los las y pero o no es de del para con
  de het een en maar of niet is van voor met
  il lo gli e ma o non è di per con
  o os as um uma e mas ou não é de para com`.split(/\s+/),
);

// Words that say what happened to a password ("is changed every 90 days"): never the start of a passphrase.
const statusWords = new Set(
  `expired expiring locked blocked missing required rejected reset changed forgotten saved stored needed used
  asked greyed shown hidden sent synced accepted disabled enabled`.split(/\s+/),
);

// Single words that follow "password is" in ordinary sentences about passwords, not the password itself.
const notAPassword = new Set(
  `expired expiring wrong incorrect invalid locked blocked correct right working broken same different old new
  blank empty missing required rejected reset changed forgotten saved stored case weak strong long short fine ok
  okay there here what which who how where why asked needed used mandatory case-sensitive greyed visible hidden
  abgelaufen falsch gesperrt vergessen richtig neu alt geändert
  expiré expire faux incorrect bloqué bloque oublié oublie changé
  caducada caducado incorrecta bloqueada olvidada cambiada
  verlopen fout onjuist geblokkeerd vergeten gewijzigd
  scaduta sbagliata errata bloccata dimenticata cambiata
  expirada errada esquecida alterada
  utgånget fel låst glömt`.split(/\s+/),
);

const trailingPunctuation = /[.,;:?)"'”’»]+$/;

/** True when a bare token reads like a password: a letter plus a digit or symbol, or four or more digits. */
function readsLikePassword(token: string): boolean {
  const t = token.replace(trailingPunctuation, '');
  if (t.length < 4 || /^https?:|:\/\//i.test(t) || /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(t)) return false;
  if (/^\d+$/.test(t)) return true;
  return /\p{L}/u.test(t) && /[\d!@#$%^&*~+=?_.\-/\\]/.test(t) && /[\d!@#$%^&*~+=?]/.test(t);
}

/** True for a token such as "Tr0ub4dor&3": letters, digits and a symbol — a password wherever it stands. */
function unmistakablePassword(token: string): boolean {
  const t = token.replace(/[.,;:?)"'”’»]+$/, '');
  if (t.length < 6 || /:\/\/|^[^@\s]+@[^@\s]+\.[a-z]{2,}$|\\/i.test(t)) return false;
  return /\p{L}/u.test(t) && /\d/.test(t) && /[!@#$%^&*~+=?]/.test(t);
}

const bare = (word: string) => word.replace(trailingPunctuation, '').toLowerCase();

interface Span {
  start: number;
  end: number;
}

/**
 * The value after a strong separator starting at `from`: a quoted value, a passphrase of several words, or one
 * word that is not an ordinary word about passwords. Undefined when nothing there is a password.
 */
function valueAfterStrong(
  text: string,
  from: number,
  isPassphrase: boolean,
  announced = false,
): Span | undefined {
  const quoted = /^(["“‘'«])([^"”’'»\n]{1,200})(["”’'»])/u.exec(text.slice(from));
  if (quoted) return { start: from, end: from + quoted[0].length };
  const paren = /^\(([^)\n]{1,100})\)/.exec(text.slice(from));
  if (paren) return { start: from + 1, end: from + 1 + paren[1]!.length };
  const words: Span[] = [];
  const tokenPattern = /\S+/g;
  tokenPattern.lastIndex = from;
  let ended = false;
  for (let m = tokenPattern.exec(text); m && !ended && words.length < 8; m = tokenPattern.exec(text)) {
    // Only spaces may separate the words of one value; a line break ends it.
    const gap = text.slice(words.length === 0 ? from : words[words.length - 1]!.end, m.index);
    if (gap.includes('\n')) break;
    const word = bare(m[0]);
    // A passphrase may hold little words ("the quick brown fox"); a colon after its label announces all of it.
    if (functionWords.has(word) && !isPassphrase) break;
    if (functionWords.has(word) && words.length === 0 && !announced) break;
    const core = m[0].replace(/[.,;:?)"'”’»]+$/, '');
    if (!/[\p{L}\p{N}]/u.test(core)) break;
    words.push({ start: m.index, end: m.index + core.length });
    if (core.length < m[0].length || /!$/.test(core)) ended = true;
  }
  if (words.length === 0) {
    // A function word first ("my password is not working") is no password; anything else may be.
    return undefined;
  }
  const first = text.slice(words[0]!.start, words[0]!.end);
  const run = { start: words[0]!.start, end: words[words.length - 1]!.end };
  const runText = text.slice(run.start, run.end);
  if (isPassphrase && words.length >= 2) return run;
  if (words.length >= 3 && !statusWords.has(bare(first))) return run;
  if (words.length === 2 && !notAPassword.has(bare(first)) && /[\d!@#$%^&*~+=?]/.test(runText)) return run;
  if (notAPassword.has(bare(first))) return undefined;
  return words[0];
}

/** Replaces the password values found in `text` with placeholders, through `hide`. */
export function maskCredentialPhrases(text: string, hide: Hide): string {
  // Kept sorted by start and never overlapping (so sorted by end too): a binary search finds the one span a new
  // one could overlap. Scanning them all, and rebuilding the text once per span, was quadratic in long messages.
  const spans: Span[] = [];
  const add = (span: Span | undefined) => {
    if (!span || span.end <= span.start) return;
    let low = 0;
    let high = spans.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (spans[mid]!.end <= span.start) low = mid + 1;
      else high = mid;
    }
    const next = spans[low];
    if (next && next.start < span.end) return;
    spans.splice(low, 0, span);
  };

  for (const label of text.matchAll(credentialLabelPattern())) {
    const after = label.index + label[0].length;
    // A label's value is within a few words of it; a short window keeps long pasted text linear.
    const rest = text.slice(after, after + 300);
    const word = label[0].toLowerCase().replace(/\s+/g, ' ');
    const isPassphrase = /phrase/.test(word);
    const strong = strongSeparator.exec(rest);
    if (strong) {
      add(valueAfterStrong(text, after + strong[0].length, isPassphrase, /[:=]/.test(strong[0])));
      continue;
    }
    if (/^\s*\([^)\n]{1,100}\)/.test(rest)) {
      add(valueAfterStrong(text, after + rest.indexOf('('), isPassphrase));
      continue;
    }
    if (weakLabelSet.has(word)) {
      // "user alice pass hunter22": a bare short label only right after a user name.
      const weakBare = /^\s+(\S{4,})/.exec(rest);
      const userBefore = /\b(?:user(?:name)?|login|account|id)\b\S*\s+\S+\s*$/i.test(
        text.slice(Math.max(0, label.index - 40), label.index),
      );
      if (
        weakBare &&
        userBefore &&
        !notAPassword.has(bare(weakBare[1]!)) &&
        !functionWords.has(bare(weakBare[1]!))
      ) {
        const start = after + weakBare[0].length - weakBare[1]!.length;
        add({ start, end: start + weakBare[1]!.replace(trailingPunctuation, '').length });
      }
      continue;
    }
    const gap = gapThenSeparator.exec(rest);
    if (gap) {
      const from = after + gap[0].length;
      const token = /^\S+/.exec(text.slice(from));
      const gapWords = gap[1]!.trim().toLowerCase().split(/\s+/);
      // The words in between must not already be a sentence of their own ("password field is greyed").
      if (token && !gapWords.some((w) => ['is', 'was', 'are'].includes(w))) {
        // "password for the wifi is x": after a gap that names what the password is for, "is" announces the value
        // as firmly as right after the label. Other gaps ("rules are confusing") need a value that reads like one.
        const firm =
          /^(?:for|of|to|on|van|voor|für|fur|vom|pour|du|de|del|della|dello|do|da|för|til|for)$/.test(
            gapWords[0]!,
          ) && !/^\s+(?:to|on)\s/i.test(gap[2]!);
        const value = firm ? valueAfterStrong(text, from, isPassphrase) : undefined;
        if (value && value.end - value.start === token[0].replace(trailingPunctuation, '').length) {
          add(value);
          continue;
        }
        if (readsLikePassword(token[0])) {
          add({ start: from, end: from + token[0].replace(trailingPunctuation, '').length });
          continue;
        }
      }
    }
    const weak = weakSeparator.exec(rest);
    if (weak) {
      const from = after + weak[0].length;
      const token = /^\S+/.exec(text.slice(from));
      if (token && readsLikePassword(token[0]))
        add({ start: from, end: from + token[0].replace(trailingPunctuation, '').length });
    }
  }

  // "login bob / hunter22", "creds are admin/x": a user name, a slash, and the password.
  for (const m of text.matchAll(
    /(?<![\p{L}\p{N}_])(?:log[- ]?in(?:\s+with)?|logon|creds|credentials|user(?:name)?|account|acct|sign[- ]?in(?:\s+with)?)(?:\s+(?:is|are))?(?:\s*[:=]\s*|\s+)[^\s/:=?&]+\s*\/\s*([^\s/]+)/giu,
  )) {
    const value = m[1]!.replace(trailingPunctuation, '');
    if (
      value.length >= 3 &&
      !functionWords.has(value.toLowerCase()) &&
      !notAPassword.has(value.toLowerCase())
    ) {
      const start = m.index + m[0].length - m[1]!.length;
      add({ start, end: start + value.length });
    }
  }
  // "u: tom p: x": a one-letter password label right after a one-letter user label.
  for (const m of text.matchAll(/\b(?:u|user|username|login)\s*[:=]\s*\S+\s+p\s*[:=]\s*(\S+)/gi)) {
    const start = m.index + m[0].length - m[1]!.length;
    add({ start, end: start + m[1]!.replace(trailingPunctuation, '').length });
  }
  // Where a password is talked about, a token of letters, digits and a symbol is one ("it is currently x").
  if (credentialLabelPattern().test(text)) {
    for (const m of text.matchAll(/\S+/g)) {
      if (unmistakablePassword(m[0])) {
        add({ start: m.index, end: m.index + m[0].replace(/[.,;:?)"'”’»]+$/, '').length });
      }
    }
  }

  const parts: string[] = [];
  let last = 0;
  for (const span of spans) {
    parts.push(text.slice(last, span.start), hide('password'));
    last = span.end;
  }
  parts.push(text.slice(last));
  return parts.join('');
}
