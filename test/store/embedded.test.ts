// Runs the storage contract against the embedded SQLite engine, one temporary folder per store.
import { spawnSync } from 'node:child_process';
import { fstatSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, vi } from 'vitest';
import { DuplicateKeyError, StoreUnavailableError } from '../../src/errors.ts';
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
  // Which commits are fsync'd can be seen in the statements the engine runs and the fsyncs it asks for (held
  // until the test lets them finish); what survives a killed process is shown by killing one.
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

  /** An fsync of the -wal file that waits until the test lets it finish (or fail), logging when it starts. */
  function heldSync(log: string[]) {
    const held: { fd: number; finish: (error?: Error) => void }[] = [];
    const syncFile = (fd: number) =>
      new Promise<void>((resolve, reject) => {
        log.push('fsync');
        held.push({ fd, finish: (error) => (error ? reject(error) : resolve()) });
      });
    /** Lets the oldest held fsync finish, then lets the promises it settles run. */
    const finish = async (error?: Error) => {
      const next = held.shift();
      if (!next) throw new Error('no fsync is running');
      next.finish(error);
      await turn();
    };
    return { syncFile, held, finish };
  }
  /** One turn of the event loop: a durable batch opened before it has committed after it. */
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('durable writes commit together and resolve only after an fsync of the -wal file; relaxed writes and marks share a commit without one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-durability-'));
    try {
      await withExecLog(async (log) => {
        const { syncFile, held, finish } = heldSync(log);
        const store = openEmbeddedStore(dir, { syncFile });
        const durable = store.collection(requestSpec);
        const relaxed = store.collection(relaxedSpec);
        log.length = 0;
        // Group commit: writes made in the same turn of the event loop join one transaction, committed with
        // synchronous=NORMAL (no fsync inside COMMIT); each promise resolves only after the fsync that follows.
        const settled: string[] = [];
        const writes = [
          durable.insert(makeRequest('d1')).then(() => settled.push('d1')),
          durable.insert(makeRequest('d2')).then(() => settled.push('d2')),
          store.claim('outbox', 'job-1', 'owner-1', inAMinute()).then(() => settled.push('lease')),
          store.nextSequence('request').then(() => settled.push('counter')),
        ];
        expect(log).toEqual(['BEGIN IMMEDIATE']);
        await turn();
        expect(log).toEqual(['BEGIN IMMEDIATE', 'COMMIT', 'fsync']);
        // The fsync is of the -wal file itself.
        expect(fstatSync(held[0]?.fd ?? -1).ino).toBe(statSync(path.join(dir, 'itbuddy.sqlite-wal')).ino);
        // Committed, but not yet on disk: nothing resolved, and a read waits as well.
        let read = 'waiting';
        const reading = durable.get('d1').then((doc) => {
          read = doc?.id ?? 'none';
        });
        await turn();
        expect(settled).toEqual([]);
        expect(read).toBe('waiting');

        // Batches committed while that fsync runs wait together for the next one.
        log.length = 0;
        const later = [durable.insert(makeRequest('d3')).then(() => settled.push('d3'))];
        await turn();
        later.push(
          durable.put(makeRequest('d1', { status: 'closed' })).then(() => settled.push('d1 closed')),
        );
        await turn();
        expect(log).toEqual(['BEGIN IMMEDIATE', 'COMMIT', 'BEGIN IMMEDIATE', 'COMMIT']);

        await finish();
        await Promise.all([...writes, reading]);
        expect(settled.sort()).toEqual(['counter', 'd1', 'd2', 'lease']);
        expect(read).toBe('d1');
        expect(log).toEqual(['BEGIN IMMEDIATE', 'COMMIT', 'BEGIN IMMEDIATE', 'COMMIT', 'fsync']);
        await finish();
        await Promise.all(later);
        expect(settled.slice(4)).toEqual(['d3', 'd1 closed']);
        expect((store as { commitStats?: () => unknown }).commitStats?.()).toMatchObject({
          commits: 3,
          fsyncs: 2,
          durableWrites: 6,
          syncsOffLoop: true,
        });
        log.length = 0;

        await relaxed.insert(makeRequest('r1'));
        await expect(relaxed.insert(makeRequest('r1'))).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(
          await store.claim('event', 'slack:Ev1', 'owner-1', inAMinute(), {
            kind: 'mark',
            durability: 'relaxed',
          }),
        ).toBe(true);
        await relaxed.insert(makeRequest('r2'));
        expect(log).toEqual(['BEGIN IMMEDIATE']);
        await afterCommit();
        expect(log).toEqual(['BEGIN IMMEDIATE', 'COMMIT']);

        // A durable write commits the open relaxed batch first, then itself; the fsync carries both.
        log.length = 0;
        await relaxed.insert(makeRequest('r3'));
        const d4 = durable.insert(makeRequest('d4'));
        await turn();
        expect(log).toEqual(['BEGIN IMMEDIATE', 'COMMIT', 'BEGIN IMMEDIATE', 'COMMIT', 'fsync']);
        await finish();
        await d4;
        await relaxed.insert(makeRequest('r4'));
        // Closing commits the open relaxed batch and waits for nothing more: no durable write is pending.
        await store.close();
        expect(held).toEqual([]);
      });

      const reopened = openEmbeddedStore(dir);
      const relaxed = reopened.collection(relaxedSpec);
      expect((await relaxed.find()).map((d) => d.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
      expect((await reopened.collection(requestSpec).find()).map((d) => [d.id, d.status])).toEqual([
        ['d1', 'closed'],
        ['d2', 'open'],
        ['d3', 'open'],
        ['d4', 'open'],
      ]);
      // A mark outlives its process; a lease left by an earlier process is taken over at once.
      expect(await reopened.claim('event', 'slack:Ev1', 'owner-2', inAMinute(), { kind: 'mark' })).toBe(
        false,
      );
      expect(await reopened.claim('outbox', 'job-1', 'owner-2', inAMinute())).toBe(true);
      expect(await reopened.claim('outbox', 'job-1', 'owner-3', inAMinute())).toBe(false);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('closing waits for the fsync of the last durable writes, and a backup waits for it too', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-close-waits-'));
    const log: string[] = [];
    const { syncFile, finish } = heldSync(log);
    const store = openEmbeddedStore(dir, { syncFile });
    try {
      const durable = store.collection(requestSpec);
      const saved = durable.insert(makeRequest('last'));
      let backedUp = false;
      const backingUp = store.backupTo?.(path.join(dir, 'copy.sqlite')).then(() => {
        backedUp = true;
      });
      await turn();
      expect(log).toEqual(['fsync']);
      expect(backedUp).toBe(false);
      await finish();
      await Promise.all([saved, backingUp]);

      const more = durable.insert(makeRequest('more'));
      let closed = false;
      const closing = store.close().then(() => {
        closed = true;
      });
      await turn();
      expect(closed).toBe(false);
      // Once closing, new writes are refused rather than left unsynced.
      await expect(durable.insert(makeRequest('too-late'))).rejects.toBeInstanceOf(StoreUnavailableError);
      await finish();
      await Promise.all([more, closing]);
      expect(closed).toBe(true);
    } finally {
      await store.close();
    }
    const reopened = openEmbeddedStore(dir);
    try {
      expect((await reopened.collection(requestSpec).find()).map((d) => d.id)).toEqual(['last', 'more']);
    } finally {
      await reopened.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a failed fsync rejects the writes it carried and every later one, is reported, and is never retried', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-fsync-fails-'));
    const log: string[] = [];
    const errors: unknown[] = [];
    const { syncFile, finish } = heldSync(log);
    const store = openEmbeddedStore(dir, { syncFile, onError: (error) => errors.push(error) });
    try {
      const durable = store.collection(requestSpec);
      const relaxed = store.collection(relaxedSpec);
      const first = durable.insert(makeRequest('first'));
      await turn();
      // A write made while the failing fsync runs commits, but must not be acknowledged by a later fsync.
      const second = durable.insert(makeRequest('second'));
      await turn();
      const open = durable.insert(makeRequest('open-batch'));
      const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      const all = Promise.allSettled([first, second, open]);
      await finish(eio);
      const results = await all;
      for (const r of results) {
        expect(r.status).toBe('rejected');
        const reason = (r as PromiseRejectedResult).reason as StoreUnavailableError;
        expect(reason).toBeInstanceOf(StoreUnavailableError);
        expect(reason.cause).toBe(eio);
      }
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
      expect(String((errors[0] as Error).message)).toMatch(/could not flush its write-ahead log/);
      // Nothing was retried, and nothing more is written or read until a restart.
      expect(log).toEqual(['fsync']);
      await expect(durable.insert(makeRequest('after'))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(relaxed.insert(makeRequest('after'))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(durable.get('first')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect((await store.health()).ok).toBe(false);
      expect(log).toEqual(['fsync']);
      // Closing does not checkpoint what the failed fsync may not have written: the WAL stays for recovery.
      await store.close();
      expect((await stat(path.join(dir, 'itbuddy.sqlite-wal'))).size).toBeGreaterThan(0);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a failing write in a shared commit fails alone, and a failed commit fails every write in it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-group-fails-'));
    const store = openEmbeddedStore(dir);
    try {
      const durable = store.collection(requestSpec);
      await durable.insert(makeRequest('taken'));
      const results = await Promise.allSettled([
        durable.insert(makeRequest('a')),
        durable.insert(makeRequest('taken')),
        durable.insert(makeRequest('b')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const spy = vi.spyOn(DatabaseSync.prototype, 'exec').mockImplementation(function (
        this: DatabaseSync,
        sql: string,
      ) {
        if (sql === 'COMMIT') throw new Error('disk I/O error');
        return execOriginal.call(this, sql);
      });
      let failed: PromiseSettledResult<void>[];
      try {
        failed = await Promise.allSettled([
          durable.insert(makeRequest('c')),
          durable.insert(makeRequest('d')),
        ]);
      } finally {
        spy.mockRestore();
      }
      expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect((await durable.find()).map((d) => d.id).sort()).toEqual(['a', 'b', 'taken']);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates the data folder 0700 and its files 0600, and tightens existing ones', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'itbuddy-modes-'));
    const dir = path.join(parent, 'data');
    try {
      const store = openEmbeddedStore(dir);
      await store.collection(requestSpec).insert(makeRequest('x'));
      const modes = async () =>
        Object.fromEntries(
          await Promise.all(
            (await readdir(dir)).map(async (f) => [f, (await stat(path.join(dir, f))).mode & 0o777] as const),
          ),
        );
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      const files = await modes();
      // In exclusive locking mode SQLite keeps the WAL index in memory, so there is no -shm file.
      expect(Object.keys(files).sort()).toEqual(['itbuddy.sqlite', 'itbuddy.sqlite-wal']);
      for (const mode of Object.values(files)) expect(mode).toBe(0o600);
      await store.close();
      await chmod(dir, 0o755);
      await chmod(path.join(dir, 'itbuddy.sqlite'), 0o644);
      const reopened = openEmbeddedStore(dir);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(path.join(dir, 'itbuddy.sqlite'))).mode & 0o777).toBe(0o600);
      await reopened.close();
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('writes a backup copy 0600 even into a folder others can read, and tightens a file already there', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'itbuddy-backup-modes-'));
    const store = openEmbeddedStore(path.join(parent, 'data'));
    try {
      await store.collection(requestSpec).insert(makeRequest('x'));
      const backups = path.join(parent, 'backups');
      await mkdir(backups, { mode: 0o755 });
      const fresh = path.join(backups, 'fresh.sqlite');
      await store.backupTo?.(fresh);
      expect((await stat(fresh)).mode & 0o777).toBe(0o600);
      const existing = path.join(backups, 'existing.sqlite');
      await writeFile(existing, '', { mode: 0o644 });
      await store.backupTo?.(existing);
      expect((await stat(existing)).mode & 0o777).toBe(0o600);
      // Still a whole copy: the request is in it.
      const copy = new DatabaseSync(existing, { readOnly: true });
      expect(copy.prepare('SELECT count(*) AS n FROM c_contract_requests').get()).toEqual({ n: 1 });
      copy.close();
    } finally {
      await store.close();
      await rm(parent, { recursive: true, force: true });
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

  it('a restart takes over the leases of a killed process at once, and keeps its marks', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-leases-'));
    const storeModule = new URL('../../src/store/embedded/sqlite-store.ts', import.meta.url).href;
    // The child takes a 15-minute lease (as a newsletter send once did) and an event mark, then dies.
    const script = `
      const { openEmbeddedStore } = await import(${JSON.stringify(storeModule)});
      const store = openEmbeddedStore(${JSON.stringify(dir)});
      const later = new Date(Date.now() + 15 * 60_000).toISOString();
      if (!(await store.claim('newsletter-send', '2026-W49', 'dead-owner', later))) process.exit(3);
      if (!(await store.claim('event', 'teams:a1', 'dead-owner', later, { kind: 'mark' }))) process.exit(4);
      process.kill(process.pid, 'SIGKILL');
    `;
    try {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(child.signal, child.stderr).toBe('SIGKILL');
      const store = openEmbeddedStore(dir);
      // The process holding the file alone proves the old owner is gone: no 15-minute wait.
      expect(await store.claim('newsletter-send', '2026-W49', 'new-owner', inAMinute())).toBe(true);
      // While the new owner lives, nobody else takes it.
      expect(await store.claim('newsletter-send', '2026-W49', 'other-owner', inAMinute())).toBe(false);
      // A de-duplication mark outlives its writer.
      expect(await store.claim('event', 'teams:a1', 'new-owner', inAMinute(), { kind: 'mark' })).toBe(false);
      await store.close();
    } finally {
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
