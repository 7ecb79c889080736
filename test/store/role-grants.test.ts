// Role grants are read on every turn from a snapshot of one store's grants: changes made through any repository
// on that store apply at once, changes made elsewhere (another replica, the CLI) once the snapshot is stale.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentStore } from '../../src/store/document-store.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { createRoleGrantStore, roleGrantCollection } from '../../src/store/repositories/role-grants.ts';

const opened: { store: DocumentStore; dir: string }[] = [];

async function freshStore(): Promise<DocumentStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-grants-'));
  const store = openEmbeddedStore(dir);
  opened.push({ store, dir });
  return store;
}

afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/** Counts how often the grants collection is queried. */
function countingFinds(store: DocumentStore): { store: DocumentStore; finds: () => number } {
  let finds = 0;
  const counted = Object.create(store) as DocumentStore;
  counted.collection = (spec) => {
    const c = store.collection(spec);
    return Object.assign(Object.create(c), {
      find: (...args: Parameters<typeof c.find>) => {
        finds += 1;
        return c.find(...args);
      },
    });
  };
  return { store: counted, finds: () => finds };
}

const grant = (userKey: string, role: 'liaison' | 'admin' | 'it_staff') => ({
  userKey,
  role,
  grantedBy: 'slack:UADMIN',
  grantedAt: '2026-11-23T09:00:00.000Z',
});

describe('role grants snapshot', () => {
  it('asks the store once for many turns, and a grant or revoke through any repository applies at once', async () => {
    const store = await freshStore();
    const counting = countingFinds(store);
    const reader = createRoleGrantStore(counting.store);
    const admin = createRoleGrantStore(counting.store);

    for (let i = 0; i < 50; i++) expect(await reader.of(`slack:U${i}`)).toEqual([]);
    expect(counting.finds()).toBe(1);

    expect(await admin.grant(grant('slack:UEMP', 'liaison'))).toBe(true);
    expect((await reader.of('slack:UEMP')).map((g) => g.role)).toEqual(['liaison']);
    expect(await admin.grant(grant('slack:UEMP', 'it_staff'))).toBe(true);
    expect((await reader.of('slack:UEMP')).map((g) => g.role).sort()).toEqual(['it_staff', 'liaison']);
    expect(await admin.revoke('slack:UEMP', 'liaison')).toBe(true);
    expect((await reader.of('slack:UEMP')).map((g) => g.role)).toEqual(['it_staff']);
  });

  it('sees a change made outside this process once the snapshot is older than snapshotMs', async () => {
    const store = await freshStore();
    let clock = 1_000_000;
    const reader = createRoleGrantStore(store, { snapshotMs: 5_000, now: () => clock });
    expect(await reader.of('teams:abc')).toEqual([]);

    // Another process writes the collection directly: nothing in this process hears of it.
    await store
      .collection(roleGrantCollection)
      .insert({ id: 'teams:abc|admin', ...grant('teams:abc', 'admin') });
    clock += 4_999;
    expect(await reader.of('teams:abc')).toEqual([]);
    clock += 2;
    expect((await reader.of('teams:abc')).map((g) => g.role)).toEqual(['admin']);
  });

  it('concurrent turns share one load, and a failed load is not kept', async () => {
    const store = await freshStore();
    await createRoleGrantStore(store).grant(grant('web:ivy', 'it_staff'));
    let fail = true;
    let finds = 0;
    const flaky = Object.create(store) as DocumentStore;
    flaky.collection = (spec) => {
      const c = store.collection(spec);
      return Object.assign(Object.create(c), {
        find: async (...args: Parameters<typeof c.find>) => {
          finds += 1;
          if (fail) throw new Error('database unreachable');
          return c.find(...args);
        },
      });
    };
    // A fresh store object: the snapshot is per store, and this one has not loaded yet.
    const reader = createRoleGrantStore(flaky);
    await expect(reader.of('web:ivy')).rejects.toThrow('database unreachable');
    fail = false;
    const results = await Promise.all(Array.from({ length: 10 }, () => reader.of('web:ivy')));
    expect(results.every((r) => r.length === 1 && r[0]?.role === 'it_staff')).toBe(true);
    expect(finds).toBe(2);
  });
});
