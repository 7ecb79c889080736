// Every language-model call goes through here: the monthly token budget is checked first, output tokens are
// capped, usage is recorded, and every failure (timeout, 429, 5xx, refusal, malformed or schema-invalid output)
// comes back as an ordinary result the caller falls back from, never as an exception.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  type OpenAI,
  RateLimitError,
} from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { z } from 'zod';
import type { Logger } from '../logging/logger.ts';
import { type ModelUsageLog, usageMonth } from '../store/repositories/model-usage.ts';

/** What a call is for; usage is reported per feature. */
export type ModelFeature = 'answer' | 'rewrite' | 'embedding' | 'extract' | 'newsletter';

/** Why a call gave nothing usable. */
export type ModelFailure =
  | 'budget'
  | 'timeout'
  | 'aborted'
  | 'rate_limited'
  | 'server_error'
  | 'rejected'
  | 'network'
  | 'refused'
  | 'truncated'
  | 'invalid_output'
  | 'error';

/** The value, or why there is none. */
export type ModelResult<T> = { ok: true; value: T } | { ok: false; reason: ModelFailure };

/** One chat call: a system prompt, one user message, and a cap on the tokens the model may write. */
export interface ChatCall {
  feature: ModelFeature;
  system: string;
  user: string;
  /** Tokens of visible output allowed; reasoning models get a fixed allowance on top. */
  maxOutputTokens: number;
  signal?: AbortSignal | undefined;
}

/** The gateway to the model. */
export interface ModelGateway {
  readonly model: string;
  /** The embedding model, when embeddings are configured. */
  readonly embeddingModel: string | undefined;
  /** A JSON answer in the shape of `schema` (OpenAI structured outputs), validated again here. */
  structured<S extends z.ZodType>(
    call: ChatCall & { schema: S; schemaName: string },
  ): Promise<ModelResult<z.output<S>>>;
  /**
   * Like `structured`, but streamed: `onContent` sees the JSON written so far after every chunk, so a caller can
   * show a field while the model is still writing. The result is checked exactly as `structured` checks it.
   */
  structuredStream<S extends z.ZodType>(
    call: ChatCall & { schema: S; schemaName: string; onContent: (soFar: string) => void },
  ): Promise<ModelResult<z.output<S>>>;
  /** A plain-text answer. */
  text(call: ChatCall): Promise<ModelResult<string>>;
  /** One vector per input, in order. Fails when no embedding model is configured. */
  embed(inputs: string[], signal?: AbortSignal): Promise<ModelResult<Float32Array[]>>;
  /** Whether this month's token budget still has room. */
  hasBudget(): Promise<boolean>;
  /** Writes the usage of finished calls now (it is otherwise written in the background every few seconds). */
  flush(): Promise<void>;
}

export interface ModelGatewayOptions {
  client: OpenAI;
  model: string;
  embeddingModel: string | undefined;
  /** Tokens (prompt + completion, every feature) allowed per calendar month; 0 turns model calls off. */
  monthlyTokenBudget: number;
  usage: ModelUsageLog;
  logger: Logger;
  clock?: () => Date;
  /** How long usage is gathered in memory before it is written; also how stale another replica's spend may be. */
  writeEveryMs?: number;
}

/**
 * Reasoning models (o-series, gpt-5 family) spend hidden tokens before the visible answer: they get low effort
 * and this allowance on top of the visible cap. Other models (and Azure deployments named otherwise) get neither.
 */
const reasoningAllowance = 1024;
const reasoningModel = /^(o\d|gpt-5)/i;

/** Creates the gateway. */
export function createModelGateway(options: ModelGatewayOptions): ModelGateway {
  const { client, model, usage } = options;
  const clock = options.clock ?? (() => new Date());
  const log = options.logger.child({ component: 'llm' });
  const reasoning = reasoningModel.test(model);
  const writeEveryMs = options.writeEveryMs ?? 5000;
  // Usage is summed in memory and written in one go every few seconds: a store write per call would put a
  // synchronous disk flush on every answer. The budget check adds the unwritten sums to the stored total.
  const unwritten = new Map<
    string,
    { feature: ModelFeature; model: string; month: string; at: Date } & Totals
  >();
  let unwrittenTokens = 0;
  let stored: { month: string; tokens: number; readAt: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  function record(
    feature: ModelFeature,
    modelName: string,
    promptTokens: number,
    completionTokens: number,
    failed: boolean,
  ) {
    const at = clock();
    const month = usageMonth(at);
    const key = `${month}|${feature}|${modelName}`;
    const sum = unwritten.get(key) ?? {
      feature,
      model: modelName,
      month,
      // The month of the calls, even when the sums are written after the month has turned.
      at,
      calls: 0,
      failures: 0,
      promptTokens: 0,
      completionTokens: 0,
    };
    sum.calls += 1;
    sum.failures += failed ? 1 : 0;
    sum.promptTokens += promptTokens;
    sum.completionTokens += completionTokens;
    unwritten.set(key, sum);
    unwrittenTokens += promptTokens + completionTokens;
    if (!timer) {
      timer = setTimeout(() => void flush(), writeEveryMs);
      timer.unref();
    }
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = [...unwritten.values()];
    unwritten.clear();
    writing = writing.then(async () => {
      for (const sum of batch) {
        const tokens = sum.promptTokens + sum.completionTokens;
        try {
          await usage.add(sum);
          if (stored?.month === sum.month) stored.tokens += tokens;
        } catch (error) {
          log.warn({ err: error, feature: sum.feature }, 'Could not record model usage');
        }
        unwrittenTokens -= tokens;
      }
    });
    return writing;
  }

  async function hasBudget(): Promise<boolean> {
    if (options.monthlyTokenBudget <= 0) return false;
    const month = usageMonth(clock());
    try {
      // Re-read now and then, so the spend of other replicas sharing the store counts too.
      if (!stored || stored.month !== month || Date.now() - stored.readAt > writeEveryMs) {
        stored = { month, tokens: await usage.monthTotal(month), readAt: Date.now() };
      }
    } catch (error) {
      // Fail closed: without knowing the spend, a call could overrun the budget.
      log.warn({ err: error }, 'Could not read model usage; skipping the model');
      return false;
    }
    // Unwritten tokens (gathered, or being written) count too; at worst a few seconds' worth counts twice.
    return stored.tokens + unwrittenTokens < options.monthlyTokenBudget;
  }

  function failure(feature: ModelFeature, error: unknown, signal: AbortSignal | undefined): ModelFailure {
    const reason = classify(error, signal);
    const detail = error instanceof APIError ? { status: error.status, code: error.code } : {};
    // A rejected request (bad key, unknown model) is a configuration problem someone must fix; the rest happen.
    const level = reason === 'rejected' ? 'error' : 'warn';
    log[level]({ feature, reason, ...detail }, 'Model call failed; using the deterministic path');
    return reason;
  }

  function request(call: ChatCall, responseFormat: ReturnType<typeof zodResponseFormat> | undefined) {
    return {
      model,
      messages: [
        { role: 'system' as const, content: call.system },
        { role: 'user' as const, content: call.user },
      ],
      max_completion_tokens: call.maxOutputTokens + (reasoning ? reasoningAllowance : 0),
      ...(reasoning ? { reasoning_effort: 'low' as const } : {}),
      ...(responseFormat ? { response_format: responseFormat } : {}),
    };
  }

  /** A streamed call, gathered into the same shape as a plain completion so one check serves both. */
  async function streamed(
    call: ChatCall,
    responseFormat: ReturnType<typeof zodResponseFormat> | undefined,
    onContent: (soFar: string) => void,
  ): Promise<Completion> {
    const stream = await client.chat.completions.create(
      { ...request(call, responseFormat), stream: true, stream_options: { include_usage: true } },
      { signal: call.signal },
    );
    let content = '';
    let refusal = '';
    let finish: string | null = null;
    let usageSeen: Completion['usage'];
    for await (const chunk of stream) {
      if (chunk.usage) usageSeen = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta.refusal) refusal += choice.delta.refusal;
      if (choice.finish_reason) finish = choice.finish_reason;
      if (choice.delta.content) {
        content += choice.delta.content;
        // A listener's failure must not end the model call: the final check still decides.
        try {
          onContent(content);
        } catch (error) {
          log.warn({ err: error }, 'A stream listener failed');
        }
      }
    }
    return {
      choices: [{ finish_reason: finish, message: { content, refusal: refusal || null } }],
      usage: usageSeen,
    };
  }

  async function chat(
    call: ChatCall,
    responseFormat: ReturnType<typeof zodResponseFormat> | undefined,
    onContent?: (soFar: string) => void,
  ) {
    const promptEstimate = estimateTokens(call.system) + estimateTokens(call.user);
    try {
      const completion: Completion = onContent
        ? await streamed(call, responseFormat, onContent)
        : await client.chat.completions.create(request(call, responseFormat), { signal: call.signal });
      const choice = completion.choices[0];
      const ok =
        choice?.finish_reason === 'stop' &&
        typeof choice.message.content === 'string' &&
        !choice.message.refusal;
      record(
        call.feature,
        model,
        completion.usage?.prompt_tokens ?? promptEstimate,
        completion.usage?.completion_tokens ?? estimateTokens(choice?.message.content ?? ''),
        !ok,
      );
      if (!choice) return fail(call.feature, 'invalid_output');
      if (choice.message.refusal) return fail(call.feature, 'refused');
      if (choice.finish_reason === 'length') return fail(call.feature, 'truncated');
      if (typeof choice.message.content !== 'string' || choice.finish_reason !== 'stop') {
        return fail(call.feature, 'invalid_output');
      }
      return { ok: true as const, value: choice.message.content };
    } catch (error) {
      // The provider may have processed (and billed) the prompt of a call that then timed out.
      record(call.feature, model, error instanceof APIError && error.status ? 0 : promptEstimate, 0, true);
      return { ok: false as const, reason: failure(call.feature, error, call.signal) };
    }
  }

  function fail(feature: ModelFeature, reason: ModelFailure): { ok: false; reason: ModelFailure } {
    log.warn({ feature, reason }, 'Model output unusable; using the deterministic path');
    return { ok: false, reason };
  }

  function parsedAs<S extends z.ZodType>(
    call: ChatCall & { schema: S },
    result: ModelResult<string>,
  ): ModelResult<z.output<S>> {
    if (!result.ok) return result;
    let json: unknown;
    try {
      json = JSON.parse(result.value);
    } catch {
      return fail(call.feature, 'invalid_output');
    }
    const parsed = call.schema.safeParse(json);
    if (!parsed.success) return fail(call.feature, 'invalid_output');
    return { ok: true, value: parsed.data };
  }

  return {
    model,
    embeddingModel: options.embeddingModel,
    hasBudget,
    async structured(call) {
      if (!(await hasBudget())) return { ok: false, reason: 'budget' };
      return parsedAs(call, await chat(call, responseFormatOf(call.schema, call.schemaName)));
    },
    async structuredStream(call) {
      if (!(await hasBudget())) return { ok: false, reason: 'budget' };
      return parsedAs(call, await chat(call, responseFormatOf(call.schema, call.schemaName), call.onContent));
    },
    async text(call) {
      if (!(await hasBudget())) return { ok: false, reason: 'budget' };
      return chat(call, undefined);
    },
    async embed(inputs, signal) {
      const embeddingModel = options.embeddingModel;
      if (!embeddingModel || inputs.length === 0) return { ok: false, reason: 'error' };
      if (!(await hasBudget())) return { ok: false, reason: 'budget' };
      const estimate = inputs.reduce((n, s) => n + estimateTokens(s), 0);
      try {
        const response = await client.embeddings.create(
          { model: embeddingModel, input: inputs, encoding_format: 'float' },
          { signal },
        );
        const vectors = new Array<Float32Array | undefined>(inputs.length);
        for (const item of response.data ?? []) {
          if (Number.isInteger(item.index) && Array.isArray(item.embedding) && item.index < inputs.length) {
            vectors[item.index] = Float32Array.from(item.embedding);
          }
        }
        const dims = vectors[0]?.length ?? 0;
        const complete =
          dims > 0 && vectors.every((v) => v !== undefined && v.length === dims && v.every(Number.isFinite));
        record('embedding', embeddingModel, response.usage?.prompt_tokens ?? estimate, 0, !complete);
        if (!complete) return fail('embedding', 'invalid_output');
        return { ok: true, value: vectors as Float32Array[] };
      } catch (error) {
        record(
          'embedding',
          embeddingModel,
          error instanceof APIError && error.status ? 0 : estimate,
          0,
          true,
        );
        return { ok: false, reason: failure('embedding', error, signal) };
      }
    },
    flush,
  };
}

/** The parts of a chat completion the gateway reads, whether it came whole or streamed. */
interface Completion {
  choices: Array<{
    finish_reason: string | null;
    message: { content: string | null; refusal?: string | null };
  }>;
  usage?: { prompt_tokens: number; completion_tokens: number } | null | undefined;
}

interface Totals {
  calls: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
}

/** A rough token count (about four characters a token) for budgeting when the server reports no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

// Converting a zod schema to JSON Schema on every call would cost more than the rest of the request building.
const formats = new WeakMap<z.ZodType, Map<string, ReturnType<typeof zodResponseFormat>>>();
function responseFormatOf(schema: z.ZodType, name: string): ReturnType<typeof zodResponseFormat> {
  let byName = formats.get(schema);
  if (!byName) {
    byName = new Map();
    formats.set(schema, byName);
  }
  let format = byName.get(name);
  if (!format) {
    format = zodResponseFormat(schema, name);
    byName.set(name, format);
  }
  return format;
}

function classify(error: unknown, signal: AbortSignal | undefined): ModelFailure {
  if (error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError')) {
    const why = signal?.reason as { name?: string } | undefined;
    return why?.name === 'TimeoutError' ? 'timeout' : 'aborted';
  }
  if (error instanceof APIConnectionTimeoutError) return 'timeout';
  if (error instanceof APIConnectionError) return 'network';
  if (error instanceof RateLimitError) return 'rate_limited';
  if (error instanceof APIError) {
    if (typeof error.status === 'number' && error.status >= 500) return 'server_error';
    if (typeof error.status === 'number') return 'rejected';
  }
  // The SDK's own parse errors, or anything else: still just a failed call.
  return error instanceof SyntaxError ? 'invalid_output' : 'error';
}
