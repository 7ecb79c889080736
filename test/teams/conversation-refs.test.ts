// The conversation-refs repository on the embedded store: opaque references kept verbatim, marked invalid with a
// reason when the platform refuses them, and valid again once refreshed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentStore } from '../../src/store/document-store.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import {
  type ConversationRefs,
  createConversationRefs,
} from '../../src/store/repositories/conversation-refs.ts';

describe('conversation references', () => {
  let dir: string;
  let store: DocumentStore;
  let refs: ConversationRefs;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-refs-'));
    store = openEmbeddedStore(dir);
    refs = createConversationRefs(store);
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a reference verbatim, whatever its keys look like', async () => {
    const reference = {
      $odd: 1,
      'dotted.key': { nested: ['a', null, true] },
      conversation: { id: '19:x@thread.tacv2' },
    };
    await refs.save(
      'teams:conversation:19:x@thread.tacv2',
      'teams',
      reference,
      new Date('2026-11-23T10:00:00Z'),
    );
    expect(await refs.get('teams:conversation:19:x@thread.tacv2')).toEqual({
      key: 'teams:conversation:19:x@thread.tacv2',
      platform: 'teams',
      reference,
      invalid: false,
      invalidReason: null,
      updatedAt: '2026-11-23T10:00:00.000Z',
    });
  });

  it('marks a reference invalid with the reason, lists it, and a fresh save makes it valid again', async () => {
    await refs.save('teams:user:u1', 'teams', { kind: 'personal' });
    await refs.markInvalid(
      'teams:user:u1',
      '403 BotNotInConversationRoster',
      new Date('2026-11-23T11:00:00Z'),
    );
    expect(await refs.get('teams:user:u1')).toMatchObject({
      invalid: true,
      invalidReason: '403 BotNotInConversationRoster',
    });
    expect((await refs.invalid('teams')).map((r) => r.key)).toEqual(['teams:user:u1']);
    expect(await refs.invalid('slack')).toEqual([]);

    await refs.save('teams:user:u1', 'teams', { kind: 'personal', again: true });
    expect(await refs.get('teams:user:u1')).toMatchObject({
      invalid: false,
      invalidReason: null,
      reference: { again: true },
    });
    expect(await refs.invalid('teams')).toEqual([]);
  });

  it('marking an unknown key invalid changes nothing', async () => {
    await refs.markInvalid('teams:user:nobody', 'gone');
    expect(await refs.get('teams:user:nobody')).toBeUndefined();
  });
});
