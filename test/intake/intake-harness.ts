// Shared pieces of the intake tests: a server with intake configured, chat helpers that read like the
// conversation, and a store wrapper that can be switched off to simulate the database going away.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningServer, startServer } from '../../adapters/server.ts';
import type { App } from '../../src/app.ts';
import { StoreUnavailableError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { Reply } from '../../src/messages/replies.ts';
import type {
  CollectionSpec,
  DocumentCollection,
  DocumentStore,
  FindQuery,
  Scalar,
} from '../../src/store/document-store.ts';
import { testConfig } from '../helpers/test-config.ts';
import { sessionFor } from '../helpers/test-server.ts';

export type ReplyJson = Reply & Record<string, unknown>;

/** A server for intake tests: IT channel `web:it`, `ivy` is IT staff; the outbox runs only when asked. */
export interface IntakeServer {
  url: string;
  app: App;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startIntakeServer(overrides: Record<string, string> = {}): Promise<IntakeServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-intake-'));
  const config = testConfig({
    DATA_DIR: dataDir,
    IT_DESTINATIONS: 'web:it',
    IT_STAFF: 'web:ivy',
    ...overrides,
  });
  let running: RunningServer;
  try {
    // A long interval: passes run when a test calls runOnce(), so what each step delivered is known exactly.
    running = await startServer(config, silentLogger(), { outbox: { intervalMs: 3_600_000 } });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  config.http.publicUrl = running.url;
  return {
    url: running.url,
    app: running.app,
    dataDir,
    async stop() {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One turn through the bot core as `userId` in a personal web chat, as any adapter hands it over. */
export function say(server: IntakeServer, userId: string, text: string): Promise<Reply[]> {
  return server.app.bot.handle({
    platform: 'web',
    user: { id: userId, name: userId },
    conversation: { id: `web:${userId}`, kind: 'personal' },
    text,
  });
}

/** One turn on the web channel as `userId`: text, a button press, or a form submission. */
export async function chat(
  url: string,
  userId: string,
  input:
    | { text: string }
    | { action: { id: string; value?: string | undefined } }
    | { form: { formId: string; values: Record<string, string>; state?: string | undefined } },
): Promise<ReplyJson[]> {
  // Who is chatting is the session's business: sign in as `userId` (trial sign-in) with a capitalised name.
  const cookie = await sessionFor(url, userId, userId[0]!.toUpperCase() + userId.slice(1));
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(input),
  });
  if (res.status !== 200) throw new Error(`POST /api/chat answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { replies: ReplyJson[] }).replies;
}

/** All the text of replies (text, notices, choice prompts, card titles and sections), for matching. */
export function textOf(replies: readonly Reply[]): string {
  return replies
    .map((r) => {
      switch (r.type) {
        case 'text':
        case 'notice':
          return r.text;
        case 'choices':
          return `${r.prompt} ${r.options.map((o) => o.label).join(' | ')}`;
        case 'card':
          return [
            r.title,
            r.subtitle ?? '',
            ...r.sections.flatMap((s) => [
              s.heading ?? '',
              s.text ?? '',
              ...(s.fields ?? []).map((f) => `${f.label}: ${f.value}`),
            ]),
          ].join('\n');
        case 'form':
          return r.title;
      }
      return '';
    })
    .join('\n');
}

/** The one reply of a type, failing loudly when there is not exactly one. */
export function only<T extends Reply['type']>(
  replies: readonly Reply[],
  type: T,
): Extract<Reply, { type: T }> {
  const found = replies.filter((r) => r.type === type);
  if (found.length !== 1)
    throw new Error(`expected one ${type} reply, got ${found.length}: ${JSON.stringify(replies)}`);
  return found[0] as Extract<Reply, { type: T }>;
}

/** A store whose operations can be made to fail, as when the database goes away. */
export interface SwitchableStore extends DocumentStore {
  /** Every operation fails while true. */
  down: boolean;
  /** Operations on these collections fail (`insert`, `put`, `replaceIf`, `delete` only, when `writesOnly`). */
  failCollections: Set<string>;
  writesOnly: boolean;
}

export function switchable(inner: DocumentStore): SwitchableStore {
  const fail = (what: string): never => {
    throw new StoreUnavailableError(`store is down (${what})`);
  };
  const wrapper: SwitchableStore = {
    down: false,
    failCollections: new Set(),
    writesOnly: true,
    get kind() {
      return inner.kind;
    },
    collection<T extends object>(spec: CollectionSpec<T>): DocumentCollection<T> {
      const c = inner.collection(spec);
      const guard = (op: string, write: boolean) => {
        if (wrapper.down) fail(`${spec.name}.${op}`);
        if (wrapper.failCollections.has(spec.name) && (write || !wrapper.writesOnly))
          fail(`${spec.name}.${op}`);
      };
      const guarded =
        <A extends unknown[], R>(op: string, write: boolean, fn: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          guard(op, write);
          return fn(...args);
        };
      return {
        insert: guarded('insert', true, (doc: T) => c.insert(doc)),
        get: guarded('get', false, (key: string) => c.get(key)),
        put: guarded('put', true, (doc: T) => c.put(doc)),
        replaceIf: guarded('replaceIf', true, (doc: T, field: keyof T & string, expected: Scalar) =>
          c.replaceIf(doc, field, expected),
        ),
        delete: guarded('delete', true, (key: string) => c.delete(key)),
        find: guarded('find', false, (query?: FindQuery<T>) => c.find(query)),
        count: guarded('count', false, (query?: Omit<FindQuery<T>, 'orderBy' | 'limit'>) => c.count(query)),
        deleteOlderThan: guarded('deleteOlderThan', true, (field: keyof T & string, iso: string) =>
          c.deleteOlderThan(field, iso),
        ),
      };
    },
    nextSequence: async (name) => {
      if (wrapper.down) fail('nextSequence');
      return inner.nextSequence(name);
    },
    claim: async (...args) => {
      if (wrapper.down) fail('claim');
      return inner.claim(...args);
    },
    release: async (...args) => {
      if (wrapper.down) fail('release');
      return inner.release(...args);
    },
    health: () => inner.health(),
    syncIndexes: (options) => inner.syncIndexes(options),
    collectionNames: () => inner.collectionNames(),
    exportRecords: (name) => inner.exportRecords(name),
    importRecords: (name, records) => inner.importRecords(name, records),
    close: () => inner.close(),
  };
  return wrapper;
}
