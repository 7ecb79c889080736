// Reading questions in everyday words: the IT lexicon's phrases, typos in short and long words inside a sentence of
// correct ones, and real English words that must not be "corrected" into an article's words.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isEnglishWord } from '../../src/kb/english-words.ts';
import { builtInLexicon, Lexicon } from '../../src/kb/lexicon.ts';
import { loadKb } from '../../src/kb/load-kb.ts';
import { buildIndex, type KbIndex } from '../../src/kb/search-index.ts';
import { analyse, misspeltStopWord } from '../../src/kb/text-analysis.ts';

describe('the lexicon', () => {
  const lexicon = new Lexicon({ nicked: 'stolen', 'handed in my notice': 'leaving', zoom: 'video meeting' });
  const read = (text: string, known: string[] = []) =>
    lexicon
      .rewrite(analyse(text), (t) => known.includes(t.word))
      .map((t) => (t.stop ? `(${t.word})` : t.word))
      .join(' ');

  it('adds the IT words a phrase stands for, and an explained unknown word stops counting as a topic', () => {
    expect(read('my laptop got nicked')).toBe('(my) laptop (got) (nicked) stolen');
    expect(read('I handed in my notice today')).toBe('(i) (handed) (in) (my) (notice) leaving (today)');
  });

  it('keeps a phrase word the knowledge base uses counting as itself', () => {
    expect(read('zoom keeps crashing', ['zoom'])).toBe('zoom video meeting keeps crashing');
  });

  it('matches whole words after stemming, never inside another word', () => {
    expect(read('my laptop gets nicked')).toContain('stolen');
    expect(read('a zoology lecture')).not.toContain('video');
    expect(read('nickel plated')).not.toContain('stolen');
  });

  it('loads the product lexicon from its data file', () => {
    expect(builtInLexicon().size).toBeGreaterThan(200);
  });
});

describe('short slips of stop words', () => {
  it('finds the stop word one edit away with the same first letter', () => {
    expect(misspeltStopWord('teh')).toBe('the');
    expect(misspeltStopWord('hwo')).toBe('how');
    expect(misspeltStopWord('yuor')).toBe('your');
  });

  it('finds none for other words', () => {
    for (const word of ['vpn', 'vpm', 'thermostat', 'printer', 'xyz'])
      expect(misspeltStopWord(word)).toBeUndefined();
  });
});

describe('the English word check', () => {
  it('knows ordinary words and not typos', () => {
    for (const word of ['printer', 'thermostat', 'pension', 'receiving'])
      expect(isEnglishWord(word)).toBe(true);
    for (const word of ['pasword', 'recieving', 'outlok', 'vpm', 'emial'])
      expect(isEnglishWord(word)).toBe(false);
  });
});

describe('questions in everyday words on the product knowledge base', () => {
  let index: KbIndex;

  beforeAll(async () => {
    const kb = await loadKb(path.resolve(import.meta.dirname, '../../kb'));
    index = buildIndex(kb.articles, kb.synonyms);
  });

  it.each([
    ['my vpm keeps droping out', 'vpn-troubleshooting'],
    ['the printer is ofline', 'printer-problems'],
  ])('corrects short and long typos inside a sentence: "%s"', (question, expected) => {
    const outcome = index.search(question);
    expect(outcome.answered).toBe(true);
    expect(outcome.hits[0]?.article.id).toBe(expected);
  });

  it('reads two slips in four words well enough to offer the right article first', () => {
    const outcome = index.search('outlok not recieving emial');
    const first = outcome.answered ? outcome.hits[0] : outcome.offered[0];
    expect(first?.article.id).toBe('outlook-not-receiving');
  });

  it('reads a short typo as the word it was meant to be', () => {
    const words = index.explain('my vpm keeps droping out').map((w) => w.word);
    expect(words).toContain('vpn');
  });

  it.each([
    ['my laptop got nicked on the train', 'lost-stolen-device'],
    ['I handed in my notice, what happens to my laptop', 'leaving-company'],
  ])('understands slang and life events through the lexicon: "%s"', (question, expected) => {
    expect(index.search(question).hits[0]?.article.id).toBe(expected);
  });

  it.each([
    ['hwo do i reset yuor password', 'reset-password'],
    ['waht do I do if my acount is locked', 'account-locked'],
  ])('reads a short slip of a stop word as that stop word, not as a topic: "%s"', (question, expected) => {
    const outcome = index.search(question);
    expect(outcome.answered).toBe(true);
    expect(outcome.hits[0]?.article.id).toBe(expected);
    // "waht" is not "wait", "hwo" and "yuor" are no topic.
    expect(index.explain(question).every((w) => w.known)).toBe(true);
  });

  it('corrects a typo before the lexicon reads the question, so its phrases still match', () => {
    const outcome = index.search('my laptop got nickd on the train');
    expect(outcome.answered).toBe(true);
    expect(outcome.hits[0]?.article.id).toBe('lost-stolen-device');
    expect(index.explain('my laptop got nickd on the train').map((w) => w.word)).toContain('stolen');
  });

  it('corrects a typo of a lexicon word the articles never use', () => {
    const outcome = index.search('I handed in my notcie, what happens to my laptop');
    expect(outcome.answered).toBe(true);
    expect(outcome.hits[0]?.article.id).toBe('leaving-company');
  });

  it('does not correct a real English word into an article word', () => {
    const thermostat = index.explain('reset the thermostat').find((w) => w.word.startsWith('thermostat'));
    expect(thermostat).toMatchObject({ known: false, terms: [] });
  });
});
