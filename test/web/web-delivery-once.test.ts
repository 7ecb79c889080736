// The web channel keeps what the outbox sends in the store, so it can give exactly once what other platforms give
// at least once: a delivery repeated after a crash (same delivery id) finds its first copy instead of adding one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebChannel, type WebChannel } from '../../adapters/web/web-channel.ts';
import type { Reply } from '../../src/messages/replies.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';

let dir: string;
let store: DocumentStore;
let web: WebChannel;
const note: Reply = { type: 'text', text: 'IT-0001 is in progress' };

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-web-once-'));
  store = await openEmbeddedStore(dir);
  web = createWebChannel(store);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('web deliveries', () => {
  it('reach a user’s inbox once when the same delivery is sent again', async () => {
    const first = await web.sendDirect('gina', [note], { deliveryId: 'IT-0001|direct|web:gina|1' });
    const again = await web.sendDirect('gina', [note], { deliveryId: 'IT-0001|direct|web:gina|1' });
    expect(again).toEqual(first);
    expect(await web.inbox('gina', { all: true })).toHaveLength(1);
  });

  it('reach the IT page once when the same post is sent again', async () => {
    await web.post('it', [note], { deliveryId: 'IT-0001|post|web:it' });
    await web.post('it', [note], { deliveryId: 'IT-0001|post|web:it' });
    expect(await web.posts('it')).toHaveLength(1);
  });

  it('keep separate deliveries apart, with or without a delivery id', async () => {
    await web.sendDirect('gina', [note], { deliveryId: 'a' });
    await web.sendDirect('gina', [note], { deliveryId: 'b' });
    await web.sendDirect('gina', [note]);
    await web.sendDirect('gina', [note]);
    expect(await web.inbox('gina', { all: true })).toHaveLength(4);
  });

  it('never answers a delivery id with a message kept for someone else', async () => {
    await web.sendDirect('gina', [note], { deliveryId: 'same' });
    await expect(web.sendDirect('hal', [note], { deliveryId: 'same' })).rejects.toThrow();
    expect(await web.inbox('hal', { all: true })).toHaveLength(0);
  });
});
