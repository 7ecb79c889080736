// Runs the storage contract against the embedded SQLite engine, one temporary folder per store.
import { spawnSync } from 'node:child_process';
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
  // Which commits are fsync'd can be seen in the statements the engine runs; what survives a killed process is
  // shown by killing one.
  const execOriginal = DatabaseSync.prototype.exec;
  const relaxedSpec = { ...requestSpec, name: 'relaxed_log', durability: 'relaxed' as const };

  async function withExecLog<R>(work: (log: string[]) => Promise<R>): Promise<R> {
    const log: string[] = [];
    const spy = vi.spyOn(DatabaseSync.prototype, 'exec').mockImplementation(function (
      this: DatabaseSync,
      sql: string,
    ) {
      if (/synchronous|BEGIN|COMMIT|ROLLBACK/i.test(sql)) log.push(sql.replace(/PRAGMA synchronous = /, ''));
      return execOriginal.call(this, sql);
    });
    try {
      return await work(log);
    } finally {
      spy.mockRestore();
    }
  }
  // Relaxed writes commit within 10 ms.
  const afterCommit = () => new Promise((resolve) => setTimeout(resolve, 40));
  const inAMinute = () => new Date(Date.now() + 60_000).toISOString();

  it('durable writes commit at once with an fsync; relaxed writes and claims share one commit moments later', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-durability-'));
    try {
      await withExecLog(async (log) => {
        const store = openEmbeddedStore(dir);
        const durable = store.collection(requestSpec);
        const relaxed = store.collection(relaxedSpec);
        log.length = 0;
        await durable.insert(makeRequest('d1'));
        await durable.put(makeRequest('d1', { status: 'closed' }));
        // The insert clears an expired twin in the same commit; neither write relaxes the safety level.
        expect(log).toEqual(['BEGIN IMMEDIATE', 'COMMIT']);
        log.length = 0;

        await relaxed.insert(makeRequest('r1'));
        await expect(relaxed.insert(makeRequest('r1'))).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(await store.claim('event', 'slack:Ev1', 'owner-1', inAMinute())).toBe(true);
        await relaxed.insert(makeRequest('r2'));
        expect(log).toEqual(['NORMAL', 'BEGIN IMMEDIATE']);
        await afterCommit();
        expect(log).toEqual(['NORMAL', 'BEGIN IMMEDIATE', 'COMMIT', 'FULL']);

        // A durable write commits the open batch first, then itself with an fsync.
        log.length = 0;
        await relaxed.insert(makeRequest('r3'));
        await durable.insert(makeRequest('d2'));
        expect(log).toEqual(['NORMAL', 'BEGIN IMMEDIATE', 'COMMIT', 'FULL', 'BEGIN IMMEDIATE', 'COMMIT']);
        await relaxed.insert(makeRequest('r4'));
        await store.close();
      });

      const reopened = openEmbeddedStore(dir);
      const relaxed = reopened.collection(relaxedSpec);
      expect((await relaxed.find()).map((d) => d.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
      expect((await reopened.collection(requestSpec).find()).map((d) => [d.id, d.status])).toEqual([
        ['d1', 'closed'],
        ['d2', 'open'],
      ]);
      expect(await reopened.claim('event', 'slack:Ev1', 'owner-2', inAMinute())).toBe(false);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a batch that cannot commit is reported and dropped, and the store goes on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-commit-fails-'));
    const errors: unknown[] = [];
    const store = openEmbeddedStore(dir, { onError: (error) => errors.push(error) });
    try {
      const relaxed = store.collection(relaxedSpec);
      let failNext = true;
      const spy = vi.spyOn(DatabaseSync.prototype, 'exec').mockImplementation(function (
        this: DatabaseSync,
        sql: string,
      ) {
        if (sql === 'COMMIT' && failNext) {
          failNext = false;
          throw new Error('database or disk is full');
        }
        return execOriginal.call(this, sql);
      });
      try {
        await relaxed.insert(makeRequest('lost'));
        await afterCommit();
      } finally {
        spy.mockRestore();
      }
      expect(errors.map(String)).toEqual(['Error: database or disk is full']);
      await relaxed.insert(makeRequest('kept'));
      await store.collection(requestSpec).insert(makeRequest('durable'));
      expect((await relaxed.find()).map((d) => d.id)).toEqual(['kept']);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a killed process keeps every durable write and relaxed ones committed before it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-killed-'));
    const storeModule = new URL('../../src/store/embedded/sqlite-store.ts', import.meta.url).href;
    const contract = new URL('./document-store.contract.ts', import.meta.url).href;
    // The child writes, then kills itself with SIGKILL: no exit handlers, no flush, like a crash.
    const script = `
      const { openEmbeddedStore } = await import(${JSON.stringify(storeModule)});
      const { makeRequest, requestSpec } = await import(${JSON.stringify(contract)});
      const store = openEmbeddedStore(${JSON.stringify(dir)});
      const relaxed = store.collection({ ...requestSpec, name: 'relaxed_log', durability: 'relaxed' });
      const durable = store.collection(requestSpec);
      await relaxed.insert(makeRequest('committed-earlier'));
      await new Promise((resolve) => setTimeout(resolve, 40));
      await relaxed.insert(makeRequest('before-durable'));
      await durable.insert(makeRequest('saved-request'));
      await relaxed.insert(makeRequest('just-before-crash'));
      process.kill(process.pid, 'SIGKILL');
    `;
    try {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(child.signal, child.stderr).toBe('SIGKILL');
      const store = openEmbeddedStore(dir);
      expect((await store.collection(relaxedSpec).find()).map((d) => d.id)).toEqual([
        'committed-earlier',
        'before-durable',
      ]);
      expect((await store.collection(requestSpec).find()).map((d) => d.id)).toEqual(['saved-request']);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
