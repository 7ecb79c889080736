// Spacing slips of fast typing: a missing space between two words and a stray one inside a word.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isEnglishWord } from '../../src/kb/english-words.ts';
import { loadKb } from '../../src/kb/load-kb.ts';
import { buildIndex, type KbIndex } from '../../src/kb/search-index.ts';
import { repairSpacing } from '../../src/kb/spacing-repair.ts';
import { analyse } from '../../src/kb/text-analysis.ts';

describe('repairing spacing', () => {
  const words = new Set([
    'line',
    'shared',
    'mailbox',
    'password',
    'reset',
    'login',
    'setup',
    'printer',
    'locked',
  ]);
  const vocabulary = {
    isWord: (w: string) => words.has(w),
    isKnown: (t: { word: string }) => words.has(t.word) || ['log', 'set'].includes(t.word),
    isEnglish: isEnglishWord,
    isTypo: (w: string) => w === 'ofline',
  };
  const read = (text: string) =>
    repairSpacing(analyse(text), vocabulary)
      .map((t) => t.word)
      .join(' ');

  it('splits a word that is two knowledge-base words run together', () => {
    expect(read('the sharedmailbox is full')).toBe('the shared mailbox is full');
  });

  it('splits a word run together with a stop word', () => {
    expect(read('please resetmy password')).toBe('please reset my password');
    expect(read('account lockedand cannot log in')).toBe('account locked and cannot log in');
  });

  it('joins a word broken by a stray space', () => {
    expect(read('forgot my pass word')).toBe('forgot my password');
    expect(read('the mai lbox is full')).toBe('the mailbox is full');
  });

  it('leaves phrases meant as typed, real English words and known words alone', () => {
    // "log in" and "set up" are both known words, though "login" and "setup" are words too.
    expect(read('cannot log in')).toBe('cannot log in');
    expect(read('set up the printer')).toBe('set up the printer');
    expect(read('a thermostat')).toBe('a thermostat');
    expect(read('the mailbox')).toBe('the mailbox');
    // One letter from a knowledge-base word is a typo for the corrector, not "of line".
    expect(read('printer ofline')).toBe('printer ofline');
  });
});

describe('spacing slips on the product knowledge base', () => {
  let index: KbIndex;

  beforeAll(async () => {
    const kb = await loadKb(path.resolve(import.meta.dirname, '../../kb'));
    index = buildIndex(kb.articles, kb.synonyms);
  });

  it.each([
    ['how do I get into the sharedmailbox', 'shared-mailbox'],
    ['my laptop is runningslow', 'laptop-slow'],
    ['i clicked a phishinglink', 'suspicious-link-clicked'],
    ['how do I open the shared mai lbox', 'shared-mailbox'],
  ])('answers "%s"', (question, expected) => {
    const outcome = index.search(question);
    expect(outcome.answered).toBe(true);
    expect(outcome.hits[0]?.article.id).toBe(expected);
  });
});
