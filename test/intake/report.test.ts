// The report: counts by kind, status and department, median times, and KB gaps, the same from the pure
// computation, the `itbuddy report` command and the /it/report page.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../adapters/cli/main.ts';
import {
  computeReport,
  formatDuration,
  formatReport,
  median,
  normaliseQuestion,
} from '../../src/intake/report.ts';
import type { RequestRecord } from '../../src/intake/request-schema.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import {
  createQuestionLog,
  type QuestionLog,
  type QuestionRecord,
} from '../../src/store/repositories/question-log.ts';
import { createRequestRepository, type RequestRepository } from '../../src/store/repositories/requests.ts';
import { fetchAs } from '../helpers/test-server.ts';
import { type IntakeServer, startIntakeServer } from './intake-harness.ts';

const minute = 60_000;
const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs).toISOString();

function request(n: number, fields: Partial<RequestRecord> & { createdAt: string }): RequestRecord {
  return {
    reference: `IT-${String(n).padStart(4, '0')}`,
    kind: 'software',
    title: `Request ${n}`,
    description: 'Something',
    businessNeed: 'Work',
    urgency: 'medium',
    impact: 'me',
    neededBy: null,
    affected: null,
    expectedBenefit: null,
    costOrRisk: null,
    sponsor: null,
    priority: 'P3',
    status: 'new',
    requester: { platform: 'web', userId: `u${n}`, name: `User ${n}` },
    requesterKey: `web:u${n}`,
    department: null,
    source: { platform: 'web', conversationId: `web:u${n}` },
    assignee: null,
    history: [],
    secretsMasked: false,
    updatedAt: fields.createdAt,
    acknowledgedAt: null,
    resolvedAt: null,
    version: 1,
    ...fields,
  };
}

function question(
  id: string,
  fields: Partial<QuestionRecord> & { askedAt: string; text: string },
): QuestionRecord {
  return {
    id,
    platform: 'web',
    userKey: 'web:q',
    conversationKind: 'personal',
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

const day = '2026-03-02T09:00:00.000Z';
const requests = [
  request(1, {
    createdAt: day,
    kind: 'software',
    status: 'resolved',
    department: 'Finance',
    acknowledgedAt: at(day, 30 * minute),
    resolvedAt: at(day, 24 * 60 * minute),
  }),
  request(2, {
    createdAt: day,
    kind: 'access',
    status: 'resolved',
    department: 'Finance',
    acknowledgedAt: at(day, 120 * minute),
    resolvedAt: at(day, 3 * 24 * 60 * minute),
  }),
  request(3, {
    createdAt: day,
    kind: 'incident',
    status: 'in_progress',
    department: 'Sales',
    acknowledgedAt: at(day, 90 * minute),
  }),
  request(4, { createdAt: day, kind: 'software', status: 'new' }),
  // Before the period: not counted.
  request(5, {
    createdAt: '2026-01-15T09:00:00.000Z',
    kind: 'hardware',
    status: 'closed',
    acknowledgedAt: '2026-01-15T09:01:00.000Z',
  }),
];
const questions = [
  question('q1', { askedAt: at(day, 1), text: 'How do I connect to the VPN?' }),
  question('q2', { askedAt: at(day, 2), text: 'how to connect vpn' }),
  question('q3', { askedAt: at(day, 3), text: 'printer jammed again, my password is hunter2' }),
  question('q4', {
    askedAt: at(day, 4),
    text: 'vpn drops',
    answered: true,
    articleId: 'vpn-troubleshooting',
    feedback: 'not_helped',
  }),
  question('q5', {
    askedAt: at(day, 5),
    text: 'vpn keeps dropping',
    answered: true,
    articleId: 'vpn-troubleshooting',
    feedback: 'not_helped',
  }),
  question('q6', {
    askedAt: at(day, 6),
    text: 'guest wifi',
    answered: true,
    articleId: 'wifi-guest',
    feedback: 'not_helped',
  }),
  question('q7', {
    askedAt: at(day, 7),
    text: 'reset password',
    answered: true,
    articleId: 'reset-password',
    feedback: 'helped',
  }),
  question('q0', { askedAt: '2026-01-10T00:00:00.000Z', text: 'old unanswered question' }),
];
const since = new Date('2026-03-01T00:00:00Z');
const until = new Date('2026-04-01T00:00:00Z');

async function seed(repos: { requests: RequestRepository; questions: QuestionLog }) {
  for (const r of requests) await repos.requests.insert(r);
  for (const q of questions) await repos.questions.record(q);
}

describe('computing the report', () => {
  const report = computeReport({ requests, questions, since, until });

  it('counts requests by kind, status and department within the period', () => {
    expect(report.requests.total).toBe(4);
    expect(report.requests.byKind).toEqual({
      access: 1,
      software: 2,
      hardware: 0,
      incident: 1,
      project: 0,
      other: 0,
    });
    expect(report.requests.byStatus).toMatchObject({ new: 1, in_progress: 1, resolved: 2, closed: 0 });
    expect(report.requests.byDepartment).toEqual([
      { department: 'Finance', count: 2 },
      { department: 'Sales', count: 1 },
      { department: 'Unknown', count: 1 },
    ]);
  });

  it('takes the median time to acknowledge and to resolve', () => {
    expect(report.medianAcknowledgeMs).toBe(90 * minute);
    expect(report.acknowledgedCount).toBe(3);
    expect(report.medianResolveMs).toBe(2 * 24 * 60 * minute);
    expect(report.resolvedCount).toBe(2);
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
  });

  it('groups unanswered questions by their normalised wording, secrets hidden', () => {
    expect(normaliseQuestion('How do I connect to the VPN?')).toBe(normaliseQuestion('how to connect vpn'));
    expect(report.unanswered).toEqual([
      { text: 'how to connect vpn', count: 2, lastAskedAt: at(day, 2) },
      { text: 'printer jammed again, my password is [password hidden]', count: 1, lastAskedAt: at(day, 3) },
    ]);
  });

  it("groups 'didn't help' answers by article", () => {
    expect(report.notHelped).toEqual([
      { articleId: 'vpn-troubleshooting', count: 2, examples: ['vpn drops', 'vpn keeps dropping'] },
      { articleId: 'wifi-guest', count: 1, examples: ['guest wifi'] },
    ]);
    expect(report.questions).toEqual({ total: 7, answered: 4, unanswered: 3, clarified: 0, notHelped: 3 });
  });

  it('tells questions offered choices apart in the count, in the same words as the KB gaps', () => {
    const mixed = computeReport({
      requests: [],
      questions: [
        question('c1', {
          askedAt: at(day, 1),
          text: 'answered one',
          answered: true,
          articleId: 'wifi-guest',
        }),
        question('c2', { askedAt: at(day, 2), text: 'choices shown', clarifyOutcome: 'chosen' }),
        question('c3', { askedAt: at(day, 3), text: 'nothing fits' }),
      ],
      since,
      until,
    });
    expect(mixed.questions).toEqual({ total: 3, answered: 1, unanswered: 2, clarified: 1, notHelped: 0 });
    expect(formatReport(mixed)).toContain(
      'Questions: 3 (1 answered, 2 not answered directly (1 of them offered choices), 0 "didn\'t help")',
    );
  });

  it('writes durations people read at a glance', () => {
    expect([
      formatDuration(null),
      formatDuration(45 * minute),
      formatDuration(200 * minute),
      formatDuration(52 * 60 * minute),
    ]).toEqual(['n/a', '45 min', '3 h 20 min', '2 d 4 h']);
  });
});

describe('itbuddy report', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-report-'));
    const store = openEmbeddedStore(dir);
    await seed({ requests: createRequestRepository(store), questions: createQuestionLog(store) });
    await store.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(args: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d) => {
      out += d;
    });
    stderr.on('data', (d) => {
      err += d;
    });
    const code = await runCli(args, {
      stdin: new PassThrough(),
      stdout,
      stderr,
      env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, KB_DIR: path.resolve('kb') },
      interactive: false,
    });
    return { code, out, err };
  }

  it('prints the figures for the period', async () => {
    const { code, out } = await run(['report', '--since', '2026-03-01', '--until', '2026-04-01']);
    expect(code).toBe(0);
    expect(out).toMatch(/Requests: 4\n/);
    expect(out).toMatch(/Software 2 · Hardware 0/);
    expect(out).toMatch(/Finance 2 · Sales 1 · Unknown 1/);
    expect(out).toMatch(/Median time to acknowledge: 1 h 30 min \(3 acknowledged\)/);
    expect(out).toMatch(/Median time to resolve: {5}2 d \(2 resolved\)/);
    expect(out).toMatch(/2 × how to connect vpn/);
    // Articles are named by their title from the knowledge base.
    expect(out).toMatch(/2 × .*VPN.* — e\.g\. "vpn drops", "vpn keeps dropping"/);
    expect(out).not.toContain('hunter2');
  });

  it('prints JSON with --json and counts everything since an earlier date', async () => {
    const { code, out } = await run(['report', '--since', '2026-01-01', '--until', '2026-04-01', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { requests: { total: number }; questions: { unanswered: number } };
    expect(report.requests.total).toBe(5);
    expect(report.questions.unanswered).toBe(4);
  });

  it('refuses a malformed date with the usage', async () => {
    const { code, err } = await run(['report', '--since', '01/03/2026']);
    expect(code).toBe(2);
    expect(err).toMatch(/--since: expected a date like/);
  });
});

describe('/it/report', () => {
  let s: IntakeServer;
  beforeAll(async () => {
    s = await startIntakeServer();
    await seed({ requests: s.app.requests, questions: s.app.questions });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('shows IT staff the same figures', async () => {
    const res = await fetchAs(s.url, 'ivy', '/it/report?since=2026-03-01');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<th scope="row">Total<\/th><td>4<\/td>/);
    expect(html).toMatch(/<th scope="row">Finance<\/th><td>2<\/td>/);
    expect(html).toContain('1 h 30 min (3 acknowledged)');
    expect(html).toContain('<strong>2×</strong> how to connect vpn');
    expect(html).not.toContain('hunter2');
  });

  it('is for IT staff only, and rejects a bad date', async () => {
    expect((await fetchAs(s.url, 'alice', '/it/report')).status).toBe(403);
    expect((await fetchAs(s.url, 'ivy', '/it/report?since=March')).status).toBe(400);
  });
});
