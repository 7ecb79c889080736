// Model usage in the report: calls, tokens and estimated cost per ISO week, in `itbuddy report` (text and JSON)
// and on /it/report, from what the model gateway stored; prices come from the OPENAI_*_PRICE_PER_MILLION settings.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../adapters/cli/main.ts';
import { weeksBetween } from '../../src/llm/usage-report.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { createModelUsageLog, type ModelUsageLog } from '../../src/store/repositories/model-usage.ts';
import { fetchAs } from '../helpers/test-server.ts';
import { type IntakeServer, startIntakeServer } from '../intake/intake-harness.ts';

/** A week of use: 3 answer calls (1M prompt + 100k completion tokens), 2 embedding calls (2M tokens). */
async function seedWeek(usage: ModelUsageLog, at: Date): Promise<void> {
  const common = { at, failures: 0 };
  await usage.add({
    ...common,
    feature: 'answer',
    model: 'gpt-5-mini',
    calls: 2,
    promptTokens: 600_000,
    completionTokens: 60_000,
  });
  await usage.add({
    ...common,
    feature: 'answer',
    model: 'gpt-5-mini',
    calls: 1,
    failures: 1,
    promptTokens: 400_000,
    completionTokens: 40_000,
  });
  await usage.add({
    ...common,
    feature: 'embedding',
    model: 'text-embedding-3-small',
    calls: 2,
    promptTokens: 2_000_000,
    completionTokens: 0,
  });
}

describe('weeks of a period', () => {
  it('lists every ISO week the period touches, oldest first', () => {
    expect(weeksBetween(new Date('2026-03-02T00:00:00Z'), new Date('2026-03-16T00:00:00Z'))).toEqual([
      '2026-W10',
      '2026-W11',
    ]);
    expect(weeksBetween(new Date('2025-12-31T00:00:00Z'), new Date('2026-01-02T00:00:00Z'))).toEqual([
      '2026-W01',
    ]);
  });
});

describe('itbuddy report', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-usage-'));
    const store = openEmbeddedStore(dir);
    await seedWeek(createModelUsageLog(store), new Date('2026-03-04T10:00:00Z'));
    // Outside the period: not counted.
    await seedWeek(createModelUsageLog(store), new Date('2026-02-10T10:00:00Z'));
    await store.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(args: string[], env: Record<string, string> = {}) {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => {
      out += d;
    });
    const code = await runCli(args, {
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
      env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, KB_DIR: path.resolve('kb'), ...env },
      interactive: false,
    });
    return { code, out };
  }

  it('prints calls, tokens and the estimated cost of each week', async () => {
    const { code, out } = await run(['report', '--since', '2026-03-02', '--until', '2026-03-16']);
    expect(code).toBe(0);
    expect(out).toContain('Language model usage per week');
    // 1M × $0.25 + 100k × $2 per million + 2M embedding tokens × $0.02 per million = $0.49.
    expect(out).toContain(
      '2026-W10: 5 calls (1 fell back), 3,000,000 prompt + 100,000 completion tokens, about $0.49',
    );
    expect(out).toContain('2026-W11: 0 calls, 0 prompt + 0 completion tokens, about $0.00');
  });

  it('uses the configured prices, and gives the weeks in --json', async () => {
    const { out } = await run(['report', '--since', '2026-03-02', '--until', '2026-03-09', '--json'], {
      OPENAI_INPUT_PRICE_PER_MILLION: '1',
      OPENAI_OUTPUT_PRICE_PER_MILLION: '10',
      OPENAI_EMBEDDING_PRICE_PER_MILLION: '0',
    });
    const report = JSON.parse(out) as { modelUsage: unknown[]; requests: { total: number } };
    expect(report.requests.total).toBe(0);
    expect(report.modelUsage).toEqual([
      {
        week: '2026-W10',
        calls: 5,
        failures: 1,
        promptTokens: 3_000_000,
        completionTokens: 100_000,
        estimatedCostUsd: 2,
      },
    ]);
  });
});

describe('/it/report', () => {
  let s: IntakeServer;
  beforeAll(async () => {
    s = await startIntakeServer();
    await seedWeek(createModelUsageLog(s.app.store), new Date());
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("shows this week's model usage to IT staff", async () => {
    const html = await (await fetchAs(s.url, 'ivy', '/it/report')).text();
    expect(html).toContain('Language model usage per week');
    expect(html).toMatch(/<td>5<\/td><td>1<\/td><td>3,000,000<\/td><td>100,000<\/td><td>\$0\.49<\/td>/);
  });
});
