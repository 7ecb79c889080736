// Dates written in words ("by Friday", "ahead of the board meeting on 3 February", "by month end", "from the
// 12th") read with chrono-node in the user's time zone, always in the future. Times of day ("in an hour", "at 3")
// and past moments ("since Monday", "yesterday") are not deadlines and give no date.
import * as chrono from 'chrono-node';
import { zonedParts } from '../time/zoned-time.ts';

/** The user's calendar day and clock at `now` in `timeZone`. */
function localNow(now: Date, timeZone: string): Date {
  const p = zonedParts(now, timeZone);
  // chrono reads the reference's local fields, so the user's wall clock is rebuilt in the process's zone.
  return new Date(p.year, p.month - 1, p.day, p.hour, p.minute);
}

const iso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function lastDayOfMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

// Phrases chrono does not know, rewritten to ones it does; only after a deadline word, so "the month-end close"
// stays a task rather than a date.
const rewrites: [RegExp, string][] = [
  [/\b(by|before|for|until|till|at)\s+(?:the\s+)?month[-\s]end\b/gi, '$1 the end of the month'],
  [/\b(by|before|for|until|till|at)\s+(?:the\s+)?end of (?:the|this) year\b/gi, '$1 31 December'],
  [/\b(by|before|for|until|till|at)\s+(?:the\s+)?year[-\s]end\b/gi, '$1 31 December'],
  // "Monday 14th": the day of the month decides (chrono would take the weekday alone).
  [
    /\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+(?:the\s+)?(\d{1,2}(?:st|nd|rd|th))\b(?!\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))/gi,
    'the $1',
  ],
];

// A moment in the past or a time of day is not a needed-by date.
const pastContext = /\b(?:since|ago|last|yesterday|earlier|this morning|started|from this morning)\b/i;
const clockOnly =
  /^(?:at\s+\d|in\s+(?:an?|\d+|a few|few)\s+(?:hours?|minutes?|mins?)|\d{1,2}(?::\d{2})?\s*(?:am|pm))/i;

// "it takes two days", "only lasts an hour": a length of time, not a date ("in two weeks" is one).
const duration =
  /^(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|few|\d+)\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)$/i;
const dayWords =
  /\b(?:mon|tue|wed|thu|fri|sat|sun|today|tonight|tomorrow|\d{1,2}(?:st|nd|rd|th)?\s+[a-z]{3}|[a-z]{3}[a-z]*\s+\d{1,2}\b)/i;

/** The first future date the text states, as YYYY-MM-DD in the user's calendar, or null. */
export function readDateWords(text: string, now: Date, timeZone: string): string | null {
  const ref = localNow(now, timeZone);
  const today = iso(ref.getFullYear(), ref.getMonth() + 1, ref.getDate());
  const iso8601 = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  if (iso8601) {
    const [y, m, d] = [Number(iso8601[1]), Number(iso8601[2]), Number(iso8601[3])];
    if (m >= 1 && m <= 12 && d >= 1 && d <= lastDayOfMonth(y, m)) return iso(y, m, d);
  }
  let t = text;
  for (const [re, to] of rewrites) t = t.replace(re, to);
  const results = chrono.en.GB.parse(t, ref, { forwardDate: true });
  for (const r of results) {
    const before = t.slice(Math.max(0, r.index - 12), r.index);
    if (pastContext.test(r.text) || /\b(?:since|from last|last)\s*$/i.test(before)) continue;
    if (clockOnly.test(r.text.trim()) || duration.test(r.text.trim())) continue;
    const s = r.start;
    if ((s.isCertain('hour') || s.isCertain('minute') || s.isCertain('second')) && !dayWords.test(r.text))
      continue;
    if (!s.isCertain('day') && !s.isCertain('weekday')) continue;
    let y = s.get('year') ?? ref.getFullYear();
    let m = s.get('month') ?? 1;
    let d = s.get('day') ?? 1;
    // "end of next week" is the Friday of that working week, not chrono's Saturday.
    if (/\bend of (?:the |this |next )?week\b/i.test(r.text)) {
      const date = new Date(Date.UTC(y, m - 1, d));
      date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 2) % 7));
      [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    }
    const found = iso(y, m, d);
    if (found >= today) return found;
  }
  // "from the 12th", "the date is the 20th": a day of the month alone is its next occurrence.
  const ordinal =
    /\b(?:by|before|from|on|for|until|till|is|starting|after)\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|floor|time|line|row|desk|place|person|week|month|year|party|generation|gen)\b)/i.exec(
      t,
    );
  if (ordinal) {
    const day = Number(ordinal[1]);
    let y = ref.getFullYear();
    let m = ref.getMonth() + 1;
    if (day < ref.getDate()) {
      m += 1;
      if (m > 12) [y, m] = [y + 1, 1];
    }
    if (day >= 1 && day <= lastDayOfMonth(y, m)) return iso(y, m, day);
  }
  return null;
}

/** The words naming when a problem started ("since Monday", "this morning"), or null. */
export function mentionsSince(text: string): string | null {
  const m =
    /\b(since\s+(?:this morning|yesterday|last\s+\w+|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{1,2}(?::\d{2})?\s*(?:am|pm)?|the\s+\w+|\w+)|(?:this|yesterday)\s+(?:morning|afternoon|evening)|yesterday|\d+\s+(?:days?|hours?|weeks?)\s+ago)\b/i.exec(
      text,
    );
  return m ? m[0] : null;
}
