// Text analysis: tokens, stop words, synonym phrases and the edit distance used for typo correction.
import { describe, expect, it } from 'vitest';
import { analyse, ConceptMatcher, editDistance, terms, tokenize } from '../../src/kb/text-analysis.ts';

describe('text analysis', () => {
  it('folds accents, drops possessives and joins short hyphenated words', () => {
    expect(tokenize("Café's Wi-Fi and e-mail, the team's inbox")).toEqual([
      'cafe',
      'wifi',
      'and',
      'email',
      'the',
      'team',
      'inbox',
    ]);
  });

  it('keeps topic words and drops the words every question has', () => {
    expect(terms('How do I connect to the VPN?')).toEqual(['connect', 'vpn']);
  });

  it('recognises a synonym phrase on its own, never a part of it', () => {
    const matcher = new ConceptMatcher([['out of office', 'ooo', 'automatic reply']]);
    const stems = (text: string) => analyse(text).map((t) => t.stem);
    expect(matcher.match(stems('set up out of office please')).map((m) => m.concept)).toEqual([
      '~out_of_offic',
    ]);
    expect(matcher.match(stems('the office wifi'))).toEqual([]);
    expect(matcher.match(stems('my ooo reply'))[0]).toEqual({ concept: '~out_of_offic', start: 1, end: 2 });
  });

  it('counts a swap of two neighbouring letters as one edit and stops early past the limit', () => {
    expect(editDistance('recieve', 'receive', 2)).toBe(1);
    expect(editDistance('pasword', 'password', 1)).toBe(1);
    expect(editDistance('printer', 'monitor', 2)).toBe(3);
  });
});
