// The KB-gap view: abstentions, clarifications that ended in "None of these" and "didn't help" answers, grouped by
// the topic of the closest article, the same in the pure computation, `itbuddy report` and /it/report.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFolderIndex } from '../../adapters/cli/kb-source.ts';
import { runCli } from '../../adapters/cli/main.ts';
import { computeKbGaps, gapKindOf, topicsFromKb } from '../../src/intake/kb-gaps.ts';
import { normaliseQuestion } from '../../src/intake/report.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { createQuestionLog, type QuestionRecord } from '../../src/store/repositories/question-log.ts';
import { fetchAs } from '../helpers/test-server.ts';
import { type IntakeServer, startIntakeServer } from './intake-harness.ts';

const day = '2026-03-02T09:00:00.000Z';
let n = 0;
function q(text: string, fields: Partial<QuestionRecord> = {}): QuestionRecord {
  n++;
  return {
    id: `g${n}`,
    askedAt: new Date(Date.parse(day) + n * 1000).toISOString(),
    platform: 'web',
    userKey: 'web:q',
    conversationKind: 'personal',
    text,
    articleId: null,
    confidence: 0.2,
    answered: false,
    via: 'index',
    feedback: null,
    feedbackAt: null,
    escalated: false,
    clarifyOutcome: null,
    ...fields,
  };
}

const questions: QuestionRecord[] = [
  q('How do I connect to the VPN?'),
  q('how to connect vpn'),
  q('what is the canteen menu today'),
  q('how do I connect to the vpn from the hotel', { clarifyOutcome: 'none_of_these' }),
  q('vpn from the hotel?', { clarifyOutcome: 'chosen', articleId: 'vpn-connect' }),
  q('vpn on a plane', { clarifyOutcome: 'pending' }),
  q('guest wifi', { answered: true, articleId: 'wifi-guest', feedback: 'not_helped' }),
  q('wifi for my visitor', { answered: true, articleId: 'wifi-guest', feedback: 'not_helped' }),
  q('reset password', { answered: true, articleId: 'reset-password', feedback: 'helped' }),
];

describe('the KB-gap view', () => {
  it('tells the three kinds of gap apart; a picked or pending clarification is no gap', () => {
    expect(questions.map((x) => gapKindOf(x) ?? '-')).toEqual([
      'abstained',
      'abstained',
      'abstained',
      'noneOfThese',
      '-',
      '-',
      'notHelped',
      'notHelped',
      '-',
    ]);
    // Entries logged before the field existed read as "no clarification".
    const { clarifyOutcome: _dropped, ...old } = questions[0]!;
    expect(gapKindOf(old as QuestionRecord)).toBe('abstained');
  });

  it('groups them by the topic of the closest article, with who keeps it', async () => {
    const { index } = await loadFolderIndex('kb');
    const gaps = computeKbGaps(questions, { topicOf: topicsFromKb(index), groupKey: normaliseQuestion });
    expect(gaps.totals).toEqual({ abstained: 3, noneOfThese: 1, notHelped: 2 });
    const vpn = gaps.topics.find((t) => t.topic === 'vpn');
    expect(vpn).toMatchObject({
      owners: ['Network Team'],
      total: 3,
      abstained: [{ text: 'how to connect vpn', count: 2 }],
      noneOfThese: [{ text: 'how do I connect to the vpn from the hotel', count: 1 }],
      notHelped: [],
    });
    expect(gaps.topics.find((t) => t.topic === 'wifi')).toMatchObject({
      total: 2,
      notHelped: [{ articleId: 'wifi-guest', count: 2, examples: ['guest wifi', 'wifi for my visitor'] }],
    });
    expect(gaps.topics.find((t) => t.topic === 'Other')?.abstained.map((g) => g.text)).toEqual([
      'what is the canteen menu today',
    ]);
    expect(gaps.topics[0]?.topic).toBe('vpn');
  });
});

describe('the KB-gap view in the report', () => {
  let dir: string;
  let s: IntakeServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-gaps-'));
    const store = openEmbeddedStore(dir);
    const log = createQuestionLog(store);
    for (const x of questions) await log.record(x);
    await store.close();
    s = await startIntakeServer();
    for (const x of questions) await s.app.questions.record(x);
  });
  afterAll(async () => {
    await s?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('itbuddy report prints the gaps by topic', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => {
      out += String(d);
    });
    const code = await runCli(['report', '--since', '2026-03-01', '--until', '2026-04-01'], {
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
      env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, KB_DIR: path.resolve('kb') },
      interactive: false,
    });
    expect(code).toBe(0);
    expect(out).toContain(
      'KB gaps by topic — what to write next (3 not answered, 1 "None of these", 2 "didn\'t help")',
    );
    const vpn = out.slice(out.indexOf('  vpn (kept by Network Team): 3'));
    expect(vpn).toMatch(
      /^ {2}vpn \(kept by Network Team\): 3\n {4}Not answered:\n {7}2 × how to connect vpn\n {4}Ended in “None of these”:\n {7}1 × how do I connect to the vpn from the hotel\n/,
    );
    expect(out).toMatch(
      /Answers marked “didn’t help”:\n {7}2 × Get Wi-Fi for a visitor — e\.g\. "guest wifi", "wifi for my visitor"/,
    );
  });

  it('/it/report shows the same sections', async () => {
    const res = await fetchAs(s.url, 'ivy', '/it/report?since=2026-03-01');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('3 not answered · 1 ended in “None of these” · 2 marked “didn’t help”');
    const vpn = html.slice(
      html.indexOf('data-topic="vpn"'),
      html.indexOf('</section>', html.indexOf('data-topic="vpn"')),
    );
    expect(vpn).toContain(
      '<h4>Ended in “None of these”</h4><ul><li><strong>1×</strong> how do I connect to the vpn from the hotel</li></ul>',
    );
    expect(vpn).toContain('kept by Network Team');
  });
});
