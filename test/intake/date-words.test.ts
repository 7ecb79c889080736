// Dates in words are read with chrono-node in the user's time zone, always in the future; times of day, lengths
// of time and past moments give no date.
import { describe, expect, it } from 'vitest';
import { readDateWords } from '../../src/intake/date-words.ts';

// Wednesday 2 December 2026, 10:00 in London.
const now = new Date('2026-12-02T10:00:00Z');
const london = (text: string) => readDateWords(text, now, 'Europe/London');

describe('dates written in words', () => {
  it.each([
    ['by Friday', '2026-12-04'],
    ['ahead of the board meeting on 3 February', '2027-02-03'],
    ['by month end', '2026-12-31'],
    ['from the 12th', '2026-12-12'],
    ['by end of next week', '2026-12-11'],
    ['the date is the 20th', '2026-12-20'],
    ['by the 1st', '2027-01-01'],
    ['from Monday 14th', '2026-12-14'],
    ['before the end of the year', '2026-12-31'],
    ['in two weeks', '2026-12-16'],
    ['needed by 2027-03-01', '2027-03-01'],
  ])('%j is %s', (text, date) => {
    expect(london(text)).toBe(date);
  });

  it.each([
    'need zoom installed yesterday',
    "I'm presenting in an hour",
    'I have a deadline at 3',
    'it only lasts an hour',
    'it takes two days by hand',
    'blocking the month-end close',
    'the printer on the 3rd floor',
    'not working since Monday',
    'Windows 11 on my second monitor',
  ])('%j states no date', (text) => {
    expect(london(text)).toBeNull();
  });

  it("reads 'tomorrow' in the user's own calendar", () => {
    const lateEvening = new Date('2026-12-02T23:30:00Z');
    expect(readDateWords('tomorrow', lateEvening, 'UTC')).toBe('2026-12-03');
    // Already Thursday morning in Auckland.
    expect(readDateWords('tomorrow', lateEvening, 'Pacific/Auckland')).toBe('2026-12-04');
  });
});
