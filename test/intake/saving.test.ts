// "Saved" means saved: the store failing at save time leaves no record and no outbox job and keeps the
// conversation for a retry; a restart mid-conversation resumes where it was; abandoned conversations expire.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebChannel } from '../../adapters/web/web-channel.ts';
import { type App, createApp } from '../../src/app.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { Reply } from '../../src/messages/replies.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { createConversationStates } from '../../src/store/repositories/conversation-state.ts';
import { testConfig } from '../helpers/test-config.ts';
import { type SwitchableStore, switchable, textOf } from './intake-harness.ts';

let dir: string;
let app: App | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-saving-'));
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function openApp(wrap?: (s: ReturnType<typeof openEmbeddedStore>) => SwitchableStore): Promise<App> {
  const config = testConfig({ DATA_DIR: dir, IT_DESTINATIONS: 'web:it', IT_STAFF: 'web:ivy' });
  const inner = openEmbeddedStore(dir);
  const store = wrap ? wrap(inner) : inner;
  const created = await createApp({
    config,
    logger: silentLogger(),
    store,
    outbox: { intervalMs: 3_600_000 },
  });
  created.channels.register(createWebChannel(store));
  return created;
}

function send(
  a: App,
  input: { text: string } | { action: { id: string; value?: string } },
): Promise<Reply[]> {
  return a.bot.handle({
    platform: 'web',
    user: { id: 'gina', name: 'Gina', department: 'Finance' },
    conversation: { id: 'web:gina', kind: 'personal' },
    ...input,
  });
}

/** Walks gina's request up to the summary card. */
async function upToSummary(a: App): Promise<void> {
  await send(a, { text: 'can I get access to the finance share' });
  await send(a, { text: 'read only' });
  const summary = await send(a, { text: 'yes' });
  expect(summary.map((r) => r.type)).toEqual(['card']);
}

async function counts(a: App) {
  return {
    requests: (await a.requests.byRequester('web:gina')).length,
    jobs: (await a.outbox.withStatus('pending')).length + (await a.outbox.withStatus('done')).length,
  };
}

describe('the store failing at save time', () => {
  it('tells the user nothing was saved when the whole store is down, and saves on retry once it is back', async () => {
    let store!: SwitchableStore;
    app = await openApp((inner) => {
      store = switchable(inner);
      return store;
    });
    await upToSummary(app);

    store.down = true;
    const failed = await send(app, { action: { id: 'intake.confirm' } });
    expect(textOf(failed)).toMatch(/nothing was saved/);
    expect(textOf(failed)).not.toMatch(/Saved as/);
    store.down = false;
    expect(await counts(app)).toEqual({ requests: 0, jobs: 0 });

    const saved = await send(app, { action: { id: 'intake.confirm' } });
    expect(textOf(saved)).toMatch(/Saved as \*\*IT-\d{4}\*\*/);
    expect(await counts(app)).toEqual({ requests: 1, jobs: 1 });
  });

  it('removes the outbox job it wrote when the record write fails, and keeps the answers for a retry', async () => {
    let store!: SwitchableStore;
    app = await openApp((inner) => {
      store = switchable(inner);
      return store;
    });
    await upToSummary(app);

    // The outbox write succeeds, then the record write fails: the job must not outlive the failed save.
    store.failCollections.add('requests');
    const failed = await send(app, { action: { id: 'intake.confirm' } });
    expect(textOf(failed)).toMatch(/couldn't save your request.*nothing was sent to IT/);
    expect(failed.find((r) => r.type === 'choices')).toMatchObject({
      options: [{ action: { id: 'intake.confirm' } }, { action: { id: 'intake.cancel' } }],
    });
    store.failCollections.clear();
    expect(await counts(app)).toEqual({ requests: 0, jobs: 0 });
    // Nothing reaches the IT channel, even after the worker runs.
    await app.outboxWorker.runOnce();
    expect(await counts(app)).toEqual({ requests: 0, jobs: 0 });

    const saved = await send(app, { action: { id: 'intake.confirm' } });
    const reference = /Saved as \*\*(IT-\d{4})\*\*/.exec(textOf(saved))?.[1];
    expect(reference).toBeDefined();
    expect(await app.requests.get(reference!)).toMatchObject({
      kind: 'access',
      department: 'Finance',
      requester: { department: 'Finance' },
    });
    // A second Confirm (double click) saves nothing more.
    await send(app, { action: { id: 'intake.confirm' } });
    expect(await counts(app)).toEqual({ requests: 1, jobs: 1 });
  });
});

describe('restarts and expiry', () => {
  it('resumes a conversation after a restart on the same data folder', async () => {
    app = await openApp();
    const first = await send(app, { text: 'can I get access to the finance share' });
    expect(textOf(first)).toMatch(/What level of access/);
    await app.close();

    app = await openApp();
    const next = await send(app, { text: 'edit, to approve the invoices stored there' });
    expect(textOf(next)).toMatch(/manager approved/);
    await send(app, { text: 'yes' });
    await send(app, { text: "actually it's urgent" });
    await send(app, { text: "actually it's for the whole department" });
    const saved = await send(app, { text: 'yes' });
    expect(textOf(saved)).toMatch(/Saved as \*\*IT-0001\*\* \(P2\)/);
    expect(await app.requests.get('IT-0001')).toMatchObject({
      title: 'Access to finance share',
      urgency: 'high',
      impact: 'department',
    });
  });

  it('forgets a conversation once it expires', async () => {
    const store = openEmbeddedStore(dir);
    try {
      const states = createConversationStates(store);
      const address = { feature: 'intake', platform: 'web', conversationId: 'c', userId: 'u' };
      await states.save(address, { x: 1 }, new Date(Date.now() - 3 * 3_600_000), 2 * 3_600_000);
      expect(await states.get(address)).toBeUndefined();
      await states.save(address, { x: 2 }, new Date(), 2 * 3_600_000);
      expect((await states.get(address))?.data).toEqual({ x: 2 });
    } finally {
      await store.close();
    }
  });
});
