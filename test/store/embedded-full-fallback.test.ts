// When the embedded store cannot open its -wal file for fsyncs off the event loop, durable writes fall back to
// synchronous=FULL commits (the fsync inside COMMIT) and still resolve only once committed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, vi } from 'vitest';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { makeRequest, requestSpec } from './document-store.contract.ts';

// The store opens the -wal file itself with 'r+'; SQLite opens it natively, so only the store's open fails here.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const openSync = (file: import('node:fs').PathLike, flags?: import('node:fs').OpenMode, mode?: number) => {
    if (String(file).endsWith('-wal') && flags === 'r+') throw new Error('EACCES: permission denied');
    return fs.openSync(file, flags ?? 'r', mode);
  };
  return { ...fs, default: { ...fs, openSync }, openSync };
});

describe('embedded store without its -wal file open', () => {
  it('commits durable writes with synchronous=FULL, says so once, and keeps them', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-full-fallback-'));
    const warnings: string[] = [];
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation((warning) => {
      warnings.push(String(warning));
    });
    const execOriginal = DatabaseSync.prototype.exec;
    const log: string[] = [];
    const exec = vi.spyOn(DatabaseSync.prototype, 'exec').mockImplementation(function (
      this: DatabaseSync,
      sql: string,
    ) {
      if (/synchronous|BEGIN|COMMIT/i.test(sql)) log.push(sql.replace(/PRAGMA synchronous = /, ''));
      return execOriginal.call(this, sql);
    });
    try {
      const store = openEmbeddedStore(dir);
      expect(warnings).toEqual([expect.stringMatching(/write-ahead log could not be opened.*event loop/)]);
      const durable = store.collection(requestSpec);
      const relaxed = store.collection({
        ...requestSpec,
        name: 'relaxed_log',
        durability: 'relaxed' as const,
      });
      log.length = 0;
      await Promise.all([durable.insert(makeRequest('a')), durable.insert(makeRequest('b'))]);
      await relaxed.insert(makeRequest('r'));
      await durable.insert(makeRequest('c'));
      // The level starts at FULL; the relaxed batch lowers it and the next durable batch raises it again.
      expect(log).toEqual([
        'BEGIN IMMEDIATE',
        'COMMIT',
        'NORMAL',
        'BEGIN IMMEDIATE',
        'COMMIT',
        'FULL',
        'BEGIN IMMEDIATE',
        'COMMIT',
      ]);
      expect((store as { commitStats?: () => unknown }).commitStats?.()).toMatchObject({
        commits: 2,
        fsyncs: 2,
        syncsOffLoop: false,
      });
      await store.close();
      exec.mockRestore();
      const reopened = openEmbeddedStore(dir);
      expect((await reopened.collection(requestSpec).find()).map((d) => d.id)).toEqual(['a', 'b', 'c']);
      await reopened.close();
    } finally {
      exec.mockRestore();
      warn.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
