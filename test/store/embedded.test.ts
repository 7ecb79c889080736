// Runs the storage contract against the embedded SQLite engine, one temporary folder per store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, vi } from 'vitest';
import { DuplicateKeyError } from '../../src/errors.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { makeRequest, requestSpec, runDocumentStoreContract } from './document-store.contract.ts';

const folders: string[] = [];

runDocumentStoreContract(
  'embedded (SQLite)',
  async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-store-'));
    folders.push(dir);
    return openEmbeddedStore(dir);
  },
  async () => {
    await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  },
);

describe('embedded durability', () => {
  // What reaches disk on a power cut cannot be shown in a test; which commits are fsync'd can: the engine runs
  // every write at synchronous=FULL except claims and 'relaxed' collections, and must never stay relaxed.
  async function withExecLog<R>(work: (pragmas: string[]) => Promise<R>): Promise<R> {
    const pragmas: string[] = [];
    const spy = vi.spyOn(DatabaseSync.prototype, 'exec').mockImplementation(function (
      this: DatabaseSync,
      sql: string,
    ) {
      if (/synchronous/i.test(sql)) pragmas.push(sql.replace(/.*=\s*/, ''));
      return execOriginal.call(this, sql);
    });
    try {
      return await work(pragmas);
    } finally {
      spy.mockRestore();
    }
  }
  const execOriginal = DatabaseSync.prototype.exec;

  it('durable writes never relax; relaxed writes and claims return to FULL even when they fail', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-durability-'));
    try {
      await withExecLog(async (pragmas) => {
        const store = openEmbeddedStore(dir);
        const durable = store.collection(requestSpec);
        const relaxed = store.collection({ ...requestSpec, name: 'relaxed_log', durability: 'relaxed' });
        pragmas.length = 0;
        await durable.insert(makeRequest('d1'));
        await durable.put(makeRequest('d1', { status: 'closed' }));
        expect(pragmas).toEqual([]);

        await relaxed.insert(makeRequest('r1'));
        await expect(relaxed.insert(makeRequest('r1'))).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(
          await store.claim('event', 'slack:Ev1', 'owner-1', new Date(Date.now() + 60_000).toISOString()),
        ).toBe(true);
        expect(pragmas).toEqual(['NORMAL', 'FULL', 'NORMAL', 'FULL', 'NORMAL', 'FULL']);
        await store.close();
      });

      // Relaxed commits are still commits: closing (or a crash of the process) keeps them.
      const reopened = openEmbeddedStore(dir);
      expect(
        (await reopened.collection({ ...requestSpec, name: 'relaxed_log', durability: 'relaxed' }).get('r1'))
          ?.id,
      ).toBe('r1');
      expect((await reopened.collection(requestSpec).get('d1'))?.status).toBe('closed');
      expect(
        await reopened.claim('event', 'slack:Ev1', 'owner-2', new Date(Date.now() + 60_000).toISOString()),
      ).toBe(false);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
