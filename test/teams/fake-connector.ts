// A fake Bot Framework connector on 127.0.0.1: the serviceUrl of test activities points here. It records what
// the bot sends (new messages, replies, updates, new 1:1 chats) and can answer with scripted failures.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the bot made. */
export interface ConnectorRequest {
  method: string;
  path: string;
  /** Decoded conversation id from the path, when there is one. */
  conversationId?: string;
  /** Decoded activity id from the path (a reply's parent or an updated message). */
  activityId?: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
  /** The id the fake answered with. */
  answeredId?: string;
  status: number;
}

/** A scripted answer. */
export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Matcher = (req: { method: string; conversationId?: string; activityId?: string }) => boolean;

/** The fake connector. */
export interface FakeConnector {
  /** The serviceUrl to put in activities (ends with a slash, like Teams' own). */
  serviceUrl: string;
  requests: ConnectorRequest[];
  /** Successful POSTs of message activities (new messages and replies; typing indicators excluded). */
  sent(): ConnectorRequest[];
  /** Resolves with the bot's message (not a typing indicator) replying to the activity with this id. */
  replyTo(activityId: string): Promise<ConnectorRequest>;
  /** Successful PUTs (in-place updates). */
  updates(): ConnectorRequest[];
  /** Resolves with the first recorded request (past or future) that matches. */
  waitFor(predicate: (r: ConnectorRequest) => boolean): Promise<ConnectorRequest>;
  /** The next requests that match get these answers, in order, before normal service resumes. */
  script(matcher: Matcher, answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

/** Plain text of every TextBlock, fact and action title in a card sent as an attachment, for assertions. */
export function cardText(body: Record<string, unknown>): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'TextBlock' && typeof n.text === 'string') out.push(n.text);
      if (typeof n.title === 'string' && typeof n.value === 'string') out.push(`${n.title}: ${n.value}`);
      else if (typeof n.title === 'string') out.push(n.title);
      if (typeof n.label === 'string') out.push(n.label);
      for (const [k, v] of Object.entries(n)) if (k !== 'data') walk(v);
    }
  };
  walk((body.attachments as unknown[] | undefined)?.map((a) => (a as { content?: unknown }).content));
  return out.join('\n');
}

/** The first Adaptive Card attached to a sent activity. */
export function cardOf(body: Record<string, unknown>): Record<string, unknown> {
  const attachment = (
    body.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined
  )?.[0];
  if (!attachment) throw new Error(`no attachment in ${JSON.stringify(body).slice(0, 300)}`);
  return attachment.content;
}

/** Starts the fake connector on a free loopback port. */
export async function startFakeConnector(): Promise<FakeConnector> {
  const requests: ConnectorRequest[] = [];
  const waiters: { predicate: (r: ConnectorRequest) => boolean; resolve: (r: ConnectorRequest) => void }[] =
    [];
  const scripts: { matcher: Matcher; answers: ScriptedAnswer[] }[] = [];
  let next = 1;

  const record = (r: ConnectorRequest) => {
    requests.push(r);
    for (const w of [...waiters]) {
      if (w.predicate(r)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        body = { raw };
      }
      const url = new URL(req.url ?? '/', 'http://fake');
      const match =
        /^\/teams\/v3\/conversations(?:\/([^/]+)(?:\/activities(?:\/([^/]+))?|\/members\/([^/]+))?)?\/?$/.exec(
          url.pathname,
        );
      const method = req.method ?? 'GET';
      const conversationId = match?.[1] ? decodeURIComponent(match[1]) : undefined;
      const activityId = match?.[2] ? decodeURIComponent(match[2]) : undefined;
      const base = {
        method,
        path: url.pathname,
        ...(conversationId !== undefined ? { conversationId } : {}),
        ...(activityId !== undefined ? { activityId } : {}),
        body,
        authorization: req.headers.authorization,
      };
      const answer = (
        status: number,
        payload: unknown,
        headers: Record<string, string> = {},
        answeredId?: string,
      ) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(payload === undefined ? '' : JSON.stringify(payload));
        record({ ...base, status, ...(answeredId ? { answeredId } : {}) });
      };
      const script = scripts.find((s) => s.answers.length > 0 && s.matcher(base));
      if (script) {
        const scripted = script.answers.shift()!;
        answer(scripted.status, scripted.body, scripted.headers);
        return;
      }
      if (!match) {
        answer(404, { error: { code: 'NotFound', message: `no route ${method} ${url.pathname}` } });
        return;
      }
      if (method === 'POST' && !conversationId) {
        const id = `a:dm-${next++}`;
        answer(200, { id }, {}, id);
        return;
      }
      if ((method === 'POST' || method === 'PUT') && conversationId && match[3] === undefined) {
        const id = method === 'PUT' ? (activityId ?? '') : `msg-${next++}`;
        answer(200, { id }, {}, id);
        return;
      }
      answer(404, { error: { code: 'NotFound', message: `no route ${method} ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const waitFor = (predicate: (r: ConnectorRequest) => boolean): Promise<ConnectorRequest> => {
    const found = requests.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => waiters.push({ predicate, resolve }));
  };

  return {
    serviceUrl: `http://127.0.0.1:${port}/teams/`,
    requests,
    sent: () =>
      requests.filter(
        (r) => r.method === 'POST' && r.conversationId && r.status === 200 && r.body.type === 'message',
      ),
    replyTo: (activityId) =>
      waitFor((r) => r.activityId === activityId && r.method === 'POST' && r.body.type === 'message'),
    updates: () => requests.filter((r) => r.method === 'PUT' && r.status === 200),
    waitFor,
    script(matcher, answers) {
      scripts.push({ matcher, answers: [...answers] });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
