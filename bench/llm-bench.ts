// Language-model figures: the latency the model path adds on top of the model server's own time (measured
// against the loopback stub answering at once), and, only when OPENAI_API_KEY is set, answer accuracy on the
// kb-eval set with and without the model.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFolderIndex } from '../adapters/cli/kb-source.ts';
import { type AnswerDecision, createIndexAnswerer } from '../src/answers/answerer.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { buildIndex } from '../src/kb/search-index.ts';
import { createLlmServices } from '../src/llm/llm-services.ts';
import type { OpenAiSettings } from '../src/llm/openai-client.ts';
import { silentLogger } from '../src/logging/logger.ts';
import { openEmbeddedStore } from '../src/store/embedded/sqlite-store.ts';
import { fixtureKb } from '../test/llm/llm-harness.ts';
import {
  completion,
  embeddingInputs,
  embeddingsReply,
  schemaName,
  startStubOpenAi,
} from '../test/llm/stub-openai.ts';
import { score } from './kb-bench.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const evalDir = path.resolve(repoRoot, '..', 'shared', 'kb-eval');

const round = (v: number) => Math.round(v * 1000) / 1000;
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/**
 * Model path total minus the stub's handling time, per question: retrieval, prompt building, the SDK, HTTP on
 * loopback, parsing and checking. Measured separately for a question the index is sure of and an unclear one
 * (which adds the rewrite), with embeddings on.
 */
async function overheadFigures(): Promise<Record<string, unknown>> {
  const stub = await startStubOpenAi();
  const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-llm-bench-'));
  const store = openEmbeddedStore(dir);
  try {
    stub.embeddings = (r) =>
      embeddingsReply(embeddingInputs(r), (t) =>
        Array.from({ length: 256 }, (_, i) => Math.sin(i + t.length)),
      );
    stub.chat = (r) =>
      schemaName(r) === 'rewritten_question'
        ? completion({ question: 'How do I reset my forgotten password?' })
        : completion({
            answer: 'Open the reset page and follow the steps.',
            citations: ['reset-password'],
            cannotAnswer: false,
          });
    const index = buildIndex(fixtureKb());
    const settings: OpenAiSettings = {
      enabled: true,
      apiKey: 'bench-key',
      baseUrl: stub.baseUrl,
      model: 'gpt-4.1-mini',
      embeddingModel: 'text-embedding-3-small',
      timeoutMs: 5000,
      monthlyTokenBudget: 2_000_000_000,
    };
    const llm = createLlmServices({ settings, store, logger: silentLogger() });
    const inner = createIndexAnswerer(() => index);
    const answerer = llm.wrapAnswerer(inner, () => index);
    await llm.semantic.ready(index);

    const measure = async (question: string, n: number) => {
      const added: number[] = [];
      let calls = 0;
      for (let i = 0; i < n; i++) {
        const before = stub.handlingMs.length;
        const started = performance.now();
        const decision = await answerer.answer(question);
        const total = performance.now() - started;
        if (decision.kind !== 'answer' || decision.via !== 'model')
          throw new Error('the model path fell back');
        const handled = stub.handlingMs.slice(before);
        calls = handled.length;
        added.push(total - handled.reduce((s, v) => s + v, 0));
      }
      added.sort((a, b) => a - b);
      return {
        modelCalls: calls,
        addedP50Ms: round(percentile(added, 0.5)),
        addedP99Ms: round(percentile(added, 0.99)),
        addedMeanMs: round(added.reduce((s, v) => s + v, 0) / added.length),
      };
    };
    const deterministic: number[] = [];
    for (let i = 0; i < 400; i++) {
      const t0 = performance.now();
      await inner.answer('How do I reset my password?');
      deterministic.push(performance.now() - t0);
    }
    deterministic.sort((a, b) => a - b);
    // Warm-up of both paths (JIT, connection pool), then the measured runs.
    await measure('How do I reset my password?', 50);
    await measure('cant get in, pw borked again', 50);
    const confident = await measure('How do I reset my password?', 400);
    const unclear = await measure('cant get in, pw borked again', 400);
    await llm.flush();
    return {
      questionsPerPath: 400,
      // Index confident: query embedding, then the answer.
      confident,
      // Index unsure: rewrite and query embedding side by side, then the answer.
      unclear,
      deterministicP50Ms: round(percentile(deterministic, 0.5)),
      aim: 'added p50 < 5 ms',
      met: confident.addedP50Ms < 5 && unclear.addedP50Ms < 5,
    };
  } finally {
    await store.close();
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Labelled {
  q: string;
  expect: string | null;
  kind?: string;
}

/** Accuracy on kb-eval with and without the model, using the configured (real) model. */
async function accuracyFigures(): Promise<Record<string, unknown>> {
  // Only a key in the real environment turns this on (not one in a .env file): it spends real tokens.
  if (!process.env.OPENAI_API_KEY) return { skipped: 'OPENAI_API_KEY is not set' };
  const config = loadConfig(process.env);
  if (!config.openai.enabled) return { skipped: 'OPENAI_API_KEY is empty' };
  const questionsFile = path.join(evalDir, 'questions-dev.jsonl');
  if (!existsSync(questionsFile)) return { skipped: 'no evaluation set at ../shared/kb-eval' };
  const questions = (await readFile(questionsFile, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);
  const { index } = await loadFolderIndex(path.join(evalDir, 'articles'));
  const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-llm-eval-'));
  const store = openEmbeddedStore(dir);
  try {
    const llm = createLlmServices({ settings: config.openai, store, logger: silentLogger() });
    const inner = createIndexAnswerer(() => index);
    const answerer = llm.wrapAnswerer(inner, () => index);
    await llm.semantic.ready(index);
    const pickOf = (d: AnswerDecision) => (d.kind === 'answer' ? d.article.id : null);
    const withModel = new Map<string, string | null>();
    const without = new Map<string, string | null>();
    const latencies: number[] = [];
    let viaModel = 0;
    // A few at a time: fast enough, and polite to rate limits.
    for (let i = 0; i < questions.length; i += 4) {
      await Promise.all(
        questions.slice(i, i + 4).map(async ({ q }) => {
          without.set(q, pickOf(await inner.answer(q)));
          const started = performance.now();
          const decision = await answerer.answer(q);
          latencies.push(performance.now() - started);
          if (decision.kind === 'answer' && decision.via === 'model') viaModel++;
          withModel.set(q, pickOf(decision));
        }),
      );
    }
    await llm.flush();
    latencies.sort((a, b) => a - b);
    const usage = await llm.usageSummary();
    return {
      model: config.openai.model,
      embeddingModel: config.openai.embeddingModel ?? null,
      withoutModel: score(questions, (q) => without.get(q) ?? null),
      withModel: score(questions, (q) => withModel.get(q) ?? null),
      answeredByModel: viaModel,
      latencyP50Ms: Math.round(percentile(latencies, 0.5)),
      latencyP99Ms: Math.round(percentile(latencies, 0.99)),
      tokensUsed: usage.used,
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The language-model figures for `npm run bench`. */
export async function llmBench(): Promise<Record<string, unknown>> {
  return { overhead: await overheadFigures(), kbEval: await accuracyFigures() };
}
