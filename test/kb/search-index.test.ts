// Searching the product's own knowledge base: realistic questions find the right article, off-topic ones do not.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../src/kb/article.ts';
import { loadKb } from '../../src/kb/load-kb.ts';
import { buildIndex, defaultMinConfidence, defaultTuning, type KbIndex } from '../../src/kb/search-index.ts';

const kbDir = path.resolve(import.meta.dirname, '../../kb');
let index: KbIndex;

beforeAll(async () => {
  const kb = await loadKb(kbDir);
  expect(kb.problems).toEqual([]);
  index = buildIndex(kb.articles, kb.synonyms);
});

function answer(question: string): string | null {
  const outcome = index.search(question);
  return outcome.answered ? (outcome.hits[0]?.article.id ?? null) : null;
}

function article(id: string, title: string, text: string, questions: string[] = []): Article {
  return {
    id,
    title,
    tags: [],
    questions,
    owner: undefined,
    updated: undefined,
    intro: text,
    sections: [],
    body: text,
    file: `${id}.md`,
  };
}

describe('search on the product knowledge base', () => {
  it.each([
    ['how do I reset my password?', 'reset-password'],
    ['my okta password expired', 'reset-password'],
    ['locked out of my account after too many tries', 'account-locked'],
    ['how do I connect to the vpn from home', 'vpn-connect'],
    ['globalprotect keeps disconnecting', 'vpn-troubleshooting'],
    ["what's the wifi password for visitors", 'wifi-guest'],
    ['add a printer on my mac', 'printer-add'],
    ['the printer says it is offline', 'printer-problems'],
    ['I clicked on a link in a scam email', 'suspicious-link-clicked'],
    ['set an away message while I am on vacation', 'out-of-office'],
    ['my laptop was stolen', 'lost-stolen-device'],
    ['got a new phone, how do I move okta verify', 'new-phone-mfa'],
  ])('answers "%s" with %s', (question, expected) => {
    expect(answer(question)).toBe(expected);
  });

  it.each([
    "What's the capital of Australia?",
    'Who won the football last night?',
    'How do I submit my timesheet?',
    'What is the best pizza place nearby?',
    'Translate this sentence into French',
  ])('abstains on the off-topic "%s"', (question) => {
    const outcome = index.search(question);
    expect(outcome.answered).toBe(false);
    expect(outcome.confidence).toBeLessThan(0.5);
  });

  it('keeps its accuracy on the labelled product questions', () => {
    const file = path.join(import.meta.dirname, 'fixtures', 'product-questions.jsonl');
    const questions = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { q: string; expect: string | null });
    const inScope = questions.filter((q) => q.expect);
    const outOfScope = questions.filter((q) => !q.expect);
    const right = inScope.filter((q) => answer(q.q) === q.expect).length;
    const abstained = outOfScope.filter((q) => answer(q.q) === null).length;
    // Floors a little under the measured figures (see docs/answering.md), so a regression fails here.
    expect(right / inScope.length).toBeGreaterThanOrEqual(0.9);
    expect(abstained / outOfScope.length).toBeGreaterThanOrEqual(0.6);
  });

  it('returns ranked alternatives with confidences between 0 and 1', () => {
    const outcome = index.search('printer problems', { limit: 3 });
    expect(outcome.hits).toHaveLength(3);
    expect(outcome.hits[0]!.score).toBeGreaterThanOrEqual(outcome.hits[1]!.score);
    for (const hit of outcome.hits) {
      expect(hit.confidence).toBeGreaterThanOrEqual(0);
      expect(hit.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('never answers an empty or stop-word-only question', () => {
    expect(index.search('').answered).toBe(false);
    expect(index.search('how do I do it?').hits).toEqual([]);
  });

  it('asks which one is meant when two articles are nearly tied, though confident enough to answer', async () => {
    // "the shared printer": fixing one and adding one score nearly the same.
    const outcome = index.search('the shared printer');
    expect(outcome.confidence).toBeGreaterThanOrEqual(defaultMinConfidence);
    expect(outcome.confidence).toBeLessThan(defaultTuning.ambiguity.sure);
    expect(outcome.signals?.margin).toBeLessThan(defaultTuning.ambiguity.margin);
    expect(outcome.answered).toBe(false);
    expect(outcome.offered.slice(0, 2).map((h) => h.article.id)).toEqual(['printer-problems', 'printer-add']);
    // The same question is answered when close calls are not held back: the margin is what decided.
    const kb = await loadKb(kbDir);
    const eager = buildIndex(kb.articles, kb.synonyms, {
      tuning: { ambiguity: { margin: 0, sure: defaultTuning.ambiguity.sure } },
    });
    expect(eager.search('the shared printer').answered).toBe(true);
  });

  it('still answers a near tie when it is very sure', () => {
    const outcome = index.search('phone and mfa');
    expect(outcome.signals?.margin).toBeLessThan(defaultTuning.ambiguity.margin);
    expect(outcome.confidence).toBeGreaterThanOrEqual(defaultTuning.ambiguity.sure);
    expect(outcome.answered).toBe(true);
  });

  it('answers only above the configured minimum confidence', async () => {
    const kb = await loadKb(kbDir);
    const strict = buildIndex(kb.articles, kb.synonyms, { minConfidence: 0.999 });
    const outcome = strict.search('how do I reset my password?');
    expect(outcome.hits[0]?.article.id).toBe('reset-password');
    expect(outcome.answered).toBe(false);
  });
});

describe('typo tolerance', () => {
  it.each([
    ['how do I conect to the vpn from home', 'vpn-connect'],
    ['i forgot my pasword again', 'reset-password'],
    ['my acount is lockd', 'account-locked'],
  ])('understands "%s"', (question, expected) => {
    expect(answer(question)).toBe(expected);
  });

  // Two slips in four words leave less certainty: the right article is answered or, at least, offered first.
  it('reads "outlok not recieving emails" as Outlook not receiving', () => {
    const outcome = index.search('outlok not recieving emails');
    const first = outcome.answered ? outcome.hits[0] : outcome.offered[0];
    expect(first?.article.id).toBe('outlook-not-receiving');
  });

  it('does not correct a word the articles already use', () => {
    const words = index.explain('printer offline');
    expect(words.map((w) => w.word)).toEqual(['printer', 'offlin']);
  });
});

describe('synonyms from data', () => {
  const articles = [
    article(
      'gp',
      'Connect with GlobalProtect',
      'Open GlobalProtect and press Connect to reach the office network.',
    ),
    article(
      'printing',
      'Print a document',
      'Choose the Follow-Me printer and release the job with your badge.',
    ),
  ];

  it('matches a word the article never uses once a synonym group links them', () => {
    const plain = buildIndex(articles);
    expect(plain.search('vpn').hits).toEqual([]);
    const linked = buildIndex(articles, [['vpn', 'globalprotect', 'remote access']]);
    const outcome = linked.search('vpn');
    expect(outcome.hits[0]?.article.id).toBe('gp');
    expect(outcome.answered).toBe(true);
  });

  it('matches a multi-word synonym only as a whole phrase', () => {
    const linked = buildIndex(articles, [['globalprotect', 'remote access']]);
    expect(linked.search('remote access please').hits[0]?.article.id).toBe('gp');
    expect(linked.explain('access card').flatMap((w) => w.terms)).not.toContainEqual(
      expect.stringContaining('~'),
    );
  });
});
