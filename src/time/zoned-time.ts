// Wall-clock time in an IANA time zone: reading and writing local times, ISO week keys, friendly formatting.
// The newsletter and announcements speak the organisation's time zone (NEWSLETTER_TIMEZONE), never the server's.

/** The calendar parts of an instant as seen in `timeZone`. */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 1 = Monday … 7 = Sunday (ISO). */
  weekday: number;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();
const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    partFormatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is a zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local calendar parts of `date` in `timeZone`. */
export function zonedParts(date: Date, timeZone: string): ZonedParts {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(date)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: weekdays[parts.weekday ?? 'Mon'] ?? 1,
  };
}

/** Milliseconds `timeZone` is ahead of UTC at the instant `date`. */
function offsetAt(date: Date, timeZone: string): number {
  const p = zonedParts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local time. In a daylight-saving gap the
 * time is moved forward by the gap; in an overlap the earlier instant wins.
 */
export function zonedTimeToUtc(
  local: { year: number; month: number; day: number; hour?: number; minute?: number },
  timeZone: string,
): Date {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour ?? 0, local.minute ?? 0);
  const first = guess - offsetAt(new Date(guess), timeZone);
  const second = guess - offsetAt(new Date(first), timeZone);
  return new Date(Math.min(first, second));
}

/**
 * Parses "2026-11-30", "2026-11-30 14:00", "2026-11-30T14:00" (local to `timeZone`) or a full ISO time with an
 * offset or Z. Returns undefined when the text is not one of those or names an impossible date.
 */
export function parseLocalDateTime(text: string, timeZone: string): Date | undefined {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(trimmed)) {
    const d = new Date(trimmed);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?$/.exec(trimmed);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  return zonedTimeToUtc({ year, month, day, hour, minute }, timeZone);
}

/** Formats `date` for a form field, in `timeZone`: "2026-11-30 14:00". */
export function formatLocalInput(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** The ISO-8601 week of the local date of `date` in `timeZone`, e.g. { year: 2026, week: 48 }. */
export function isoWeek(date: Date, timeZone: string): { year: number; week: number } {
  const p = zonedParts(date, timeZone);
  // The Thursday of this week decides the week-based year.
  const thursday = new Date(Date.UTC(p.year, p.month - 1, p.day + (4 - p.weekday)));
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.floor((thursday.getTime() - jan1) / 86_400_000 / 7) + 1;
  return { year, week };
}

/** The ISO week of `date` in `timeZone` as a key, e.g. "2026-W48". */
export function isoWeekKey(date: Date, timeZone: string): string {
  const { year, week } = isoWeek(date, timeZone);
  return `${year}-W${pad(week)}`;
}

/** The newsletter issue key for a send time: its ISO week in `timeZone`, e.g. "2026-W48". */
export function issueKeyFor(date: Date, timeZone: string): string {
  return isoWeekKey(date, timeZone);
}

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const dayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "Mon 30 Nov" in `timeZone`. */
export function formatDay(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${dayNames[p.weekday - 1]} ${p.day} ${monthNames[p.month - 1]}`;
}

/** A calendar date written YYYY-MM-DD as people read it: "Fri 11 Dec 2026" (the text itself when it is not one). */
export function formatCalendarDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  if (Number.isNaN(date.getTime())) return isoDate;
  return `${formatDay(date, 'UTC')} ${m[1]}`;
}

/** "14:00" in `timeZone`. */
export function formatClock(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "Mon 30 Nov, 14:00", or just "Mon 30 Nov" at local midnight. */
export function formatDayTime(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  const day = formatDay(date, timeZone);
  return p.hour === 0 && p.minute === 0 ? day : `${day}, ${formatClock(date, timeZone)}`;
}

/** True when both instants fall on the same local day in `timeZone`. */
export function sameLocalDay(a: Date, b: Date, timeZone: string): boolean {
  const x = zonedParts(a, timeZone);
  const y = zonedParts(b, timeZone);
  return x.year === y.year && x.month === y.month && x.day === y.day;
}

/** A window in words: "Mon 30 Nov, 09:00–14:00", "from Mon 30 Nov" or "Mon 30 Nov – Wed 2 Dec". */
export function formatWindow(start: Date, end: Date | undefined, timeZone: string): string {
  if (!end) return formatDayTime(start, timeZone);
  if (sameLocalDay(start, end, timeZone)) {
    return `${formatDay(start, timeZone)}, ${formatClock(start, timeZone)}–${formatClock(end, timeZone)}`;
  }
  return `${formatDayTime(start, timeZone)} – ${formatDayTime(end, timeZone)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
