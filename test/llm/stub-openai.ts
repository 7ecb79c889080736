// A stand-in for the OpenAI API on loopback: POST /v1/chat/completions and /v1/embeddings with scripted replies.
// It records every request (headers and JSON body) and how long it spent on each, so tests can inspect exactly
// what the bot sent and the bench can subtract the server's own time.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as received. */
export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body text. */
  raw: string;
  body: Record<string, unknown>;
}

/** What the stub answers: a JSON body (or raw text) with a status, optionally after a delay. */
export interface StubReply {
  status?: number;
  body?: unknown;
  raw?: string;
  delayMs?: number;
  headers?: Record<string, string>;
  /** Answer as server-sent events instead: these content pieces, one every `everyMs`. */
  stream?: StreamedReply;
}

/** A streamed chat completion: content pieces sent as SSE chunks, then the finish reason, usage and [DONE]. */
export interface StreamedReply {
  pieces: string[];
  /** Pause before each piece (a realistic model writes about 50–100 tokens a second). */
  everyMs?: number;
  /** Drop the connection after this many pieces, as a crashed upstream would. */
  breakAfter?: number;
  finishReason?: string;
}

export type StubHandler = (request: RecordedRequest) => StubReply;

export interface StubOpenAi {
  /** The base URL to give the SDK, ending in /v1. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Server time per handled request, in milliseconds (from the request's arrival to the end of the reply). */
  handlingMs: number[];
  chat: StubHandler;
  embeddings: StubHandler;
  /** Requests to one path. */
  sent(path: '/v1/chat/completions' | '/v1/embeddings'): RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

const unscripted: StubHandler = () => ({ status: 500, body: { error: { message: 'unscripted request' } } });

/** Starts the stub on 127.0.0.1 with a free port. */
export async function startStubOpenAi(): Promise<StubOpenAi> {
  const timers = new Set<NodeJS.Timeout>();
  const stub: StubOpenAi = {
    baseUrl: '',
    requests: [],
    handlingMs: [],
    chat: unscripted,
    embeddings: unscripted,
    sent: (path) => stub.requests.filter((r) => r.path === path),
    reset() {
      stub.requests.length = 0;
      stub.handlingMs.length = 0;
      stub.chat = unscripted;
      stub.embeddings = unscripted;
    },
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // Recorded as is; the handler decides.
      }
      const path = (req.url ?? '').split('?')[0]!;
      const recorded: RecordedRequest = { path, headers: req.headers, raw, body };
      stub.requests.push(recorded);
      const handler =
        req.method === 'POST' && path === '/v1/chat/completions'
          ? stub.chat
          : req.method === 'POST' && path === '/v1/embeddings'
            ? stub.embeddings
            : () => ({ status: 404, body: { error: { message: 'not found' } } });
      let reply: StubReply;
      try {
        reply = handler(recorded);
      } catch (error) {
        reply = { status: 500, body: { error: { message: (error as Error).message } } };
      }
      const send = () => {
        if (reply.stream) {
          sendStream(res, reply.stream, timers, () => stub.handlingMs.push(performance.now() - started));
          return;
        }
        write(res, reply);
        stub.handlingMs.push(performance.now() - started);
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) send();
        }, reply.delayMs);
        timers.add(timer);
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  stub.baseUrl = `http://127.0.0.1:${port}/v1`;
  stub.close = async () => {
    for (const t of timers) clearTimeout(t);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return stub;
}

function write(res: ServerResponse, reply: StubReply): void {
  const text = reply.raw ?? JSON.stringify(reply.body ?? {});
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
  res.end(text);
}

function sendStream(
  res: ServerResponse,
  stream: StreamedReply,
  timers: Set<NodeJS.Timeout>,
  done: () => void,
) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: Record<string, unknown>, finish: string | null, usage?: unknown) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-stub',
      object: 'chat.completion.chunk',
      created: 1_790_000_000,
      model: 'stub-model',
      choices: usage ? [] : [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      ...(usage ? { usage } : {}),
    })}\n\n`;
  let i = 0;
  res.write(chunk({ role: 'assistant', content: '' }, null));
  const next = () => {
    if (res.destroyed) return;
    if (stream.breakAfter !== undefined && i >= stream.breakAfter) {
      res.destroy();
      done();
      return;
    }
    if (i < stream.pieces.length) {
      res.write(chunk({ content: stream.pieces[i] }, null));
      i += 1;
      schedule();
      return;
    }
    res.write(chunk({}, stream.finishReason ?? 'stop'));
    res.write(
      chunk({}, null, {
        prompt_tokens: 420,
        completion_tokens: stream.pieces.length,
        total_tokens: 420 + stream.pieces.length,
      }),
    );
    res.end('data: [DONE]\n\n');
    done();
  };
  const schedule = () => {
    if (!stream.everyMs) {
      setImmediate(next);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      next();
    }, stream.everyMs);
    timers.add(timer);
  };
  schedule();
}

/** `content` (objects JSON-encoded) cut into token-sized pieces (about four characters), streamed. */
export function streamedCompletion(content: unknown, options: Omit<StreamedReply, 'pieces'> = {}): StubReply {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  return { stream: { pieces: text.match(/[\s\S]{1,4}/g) ?? [], ...options } };
}

/** A chat completion whose message content is `content` (objects are JSON-encoded, strings sent as they are). */
export function completion(
  content: unknown,
  options: { finishReason?: string; usage?: { prompt: number; completion: number }; refusal?: string } = {},
): StubReply {
  const usage = options.usage ?? { prompt: 420, completion: 80 };
  return {
    body: {
      id: 'chatcmpl-stub',
      object: 'chat.completion',
      created: 1_790_000_000,
      model: 'stub-model',
      choices: [
        {
          index: 0,
          finish_reason: options.finishReason ?? 'stop',
          message: {
            role: 'assistant',
            content: typeof content === 'string' ? content : JSON.stringify(content),
            refusal: options.refusal ?? null,
          },
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: usage.prompt,
        completion_tokens: usage.completion,
        total_tokens: usage.prompt + usage.completion,
      },
    },
  };
}

/** An embeddings reply with one vector per input, from `embed`. */
export function embeddingsReply(inputs: string[], embed: (text: string) => number[]): StubReply {
  return {
    body: {
      object: 'list',
      model: 'stub-embedding',
      data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: embed(text) })),
      usage: { prompt_tokens: inputs.length * 50, total_tokens: inputs.length * 50 },
    },
  };
}

/** The `input` of an embeddings request, always as a list. */
export function embeddingInputs(request: RecordedRequest): string[] {
  const input = request.body.input;
  return Array.isArray(input) ? (input as string[]) : [String(input)];
}

/** The name of the JSON schema a chat request asked for (which feature is calling), or undefined. */
export function schemaName(request: RecordedRequest): string | undefined {
  const format = request.body.response_format as { json_schema?: { name?: string } } | undefined;
  return format?.json_schema?.name;
}

/** The system and user message texts of a chat request. */
export function messagesOf(request: RecordedRequest): { system: string; user: string } {
  const messages = request.body.messages as { role: string; content: string }[];
  return {
    system: messages.find((m) => m.role === 'system')?.content ?? '',
    user: messages.find((m) => m.role === 'user')?.content ?? '',
  };
}

/** The JSON value inside `<tag>…</tag>` of a prompt. */
export function blockOf(prompt: string, tag: string): unknown {
  const match = new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(prompt);
  if (!match) throw new Error(`no <${tag}> block in the prompt`);
  return JSON.parse(match[1]!);
}
