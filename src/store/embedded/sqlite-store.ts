// The embedded engine: one SQLite file under DATA_DIR (Node's built-in node:sqlite), JSON documents per table.
//
// Why SQLite: durable, atomic writes and unique indexes come for free, with no server and no extra package.
// The file is opened in exclusive locking mode so a second process on the same DATA_DIR fails fast with a
// clear error instead of interleaving writes.
//
// Durability: every durable write is on disk before its promise resolves, with group commit: durable writes made
// in one turn of the event loop share one transaction, and transactions committed while an fsync runs share the
// next one. The fsync runs off the event loop (see `Writer`). Only collections declared 'relaxed' (the question
// log, caches, model usage) and marks claimed as relaxed (Slack event ids, acknowledged before handling) join a
// transaction committed without an fsync within `relaxedCommitMs`: safe from corruption, lost only if the process
// dies in that window or the machine loses power before the next fsync. Because the WAL is one sequential file,
// the next durable write commits the open relaxed batch first and carries it to disk.
// Claims record this process's boot id: the file is held exclusively, so a lease left by an earlier boot belongs
// to a dead process and is taken over at once.
import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, fsync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { backup, DatabaseSync, type StatementSync } from 'node:sqlite';
import { DuplicateKeyError, StoreLockedError, StoreUnavailableError } from '../../errors.ts';
import type {
  ClaimOptions,
  CollectionSpec,
  DocumentCollection,
  DocumentStore,
  FindQuery,
  IndexReport,
  Scalar,
  StoredRecord,
} from '../document-store.ts';
import { normaliseExpiry } from '../document-store.ts';
import { allowedFields, assertField } from '../field-whitelist.ts';

const countersTable = '_counters';
const claimsTable = '_claims';
const synchronousFull = 'PRAGMA synchronous = FULL';
const synchronousNormal = 'PRAGMA synchronous = NORMAL';
/** The longest a relaxed write waits for its commit. */
const relaxedCommitMs = 10;

/** Flushes a file to disk (fsync); replaceable so tests can make it slow or fail. */
export type SyncFile = (fd: number) => Promise<void>;

/** A durable write (or a read) waiting for the fsync that carries the batch it joined. */
interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The write-ahead log, held open so its fsync can run on libuv's thread pool instead of the event loop. */
interface WalFile {
  fd: number;
  sync: SyncFile;
}

/**
 * The one way writes reach the file. Every statement runs at once inside an open transaction (node:sqlite is
 * synchronous and this process holds the file alone, so nothing interleaves), and commits are shared:
 *
 * - `durable` (group commit): the statement joins a transaction that commits when the current turn of the event
 *   loop ends (setImmediate). Its frames are then written to the -wal file (synchronous=NORMAL: no fsync inside
 *   COMMIT), and an fsync of that file runs on libuv's thread pool. Each caller's promise resolves only after
 *   the fsync that started after its commit. While one fsync runs, the next batches commit and wait together
 *   for the next one, so concurrent requests share fsyncs and the event loop never waits for the disk.
 * - `relaxed`: the statement joins the open transaction, whichever it is. Alone, relaxed writes form a batch
 *   committed without an fsync within `relaxedCommitMs`; a durable write arriving meanwhile commits that batch
 *   first (the WAL is sequential, so its own fsync carries it to disk too).
 *
 * Why this is as durable as synchronous=FULL for anything acknowledged: in WAL mode the only difference between
 * FULL and NORMAL is that FULL syncs the WAL after each commit (sqlite.org/wal.html, pragma.html#pragma_synchronous).
 * With NORMAL SQLite still syncs the WAL before each checkpoint, the database after it, and the WAL header when the
 * file is reused after a checkpoint, so it stays consistent across a power loss; what a power loss can undo is
 * committed frames not yet synced. Our fsync of the same file (fsync is per file, any descriptor serves) is
 * that missing sync, done later: COMMIT has written every frame (pwrite) before the fsync starts, so the fsync
 * covers them and every earlier frame, and no promise resolves before it. A crash of the process alone loses
 * nothing committed (the frames are in the OS's cache); a power loss before the fsync loses only writes nobody
 * was told about. SQLite's defaults assume power-safe overwrite, so FULL adds no padding we would have to match.
 *
 * An fsync that fails is fatal for durability: after a failed fsync, Linux may drop the dirty pages and report
 * a later fsync as successful ("fsyncgate"; PostgreSQL panics since). So the store never retries: the writes of
 * that fsync and every later write and read are refused (StoreUnavailableError) until the process restarts and
 * SQLite recovers from what is really on disk.
 *
 * If the -wal file cannot be opened, durable batches commit with synchronous=FULL on the event loop as before.
 */
class Writer {
  private readonly db: DatabaseSync;
  private readonly onError: (error: unknown) => void;
  private readonly wal: WalFile | undefined;
  private mode: 'idle' | 'relaxed' | 'durable' = 'idle';
  /** Durable writes (and reads) waiting for the open batch. */
  private waiters: Waiter[] = [];
  /** Committed, waiting for an fsync that has not started yet. */
  private unsynced: Waiter[] = [];
  /** Committed before the running fsync started: it resolves them. */
  private syncing: Waiter[] | undefined;
  private relaxedTimer: NodeJS.Timeout | undefined;
  /** Set when an fsync failed, or at close: every later write and read is refused with it. */
  private refused: StoreUnavailableError | undefined;
  /** The safety level set on the connection (it is opened with FULL). */
  private level: 'FULL' | 'NORMAL' = 'FULL';
  /** Commits that carried durable writes, durable writes, and fsyncs that carried them (for the bench). */
  readonly stats = { commits: 0, durableWrites: 0, fsyncs: 0 };

  constructor(db: DatabaseSync, onError: (error: unknown) => void, wal: WalFile | undefined) {
    this.db = db;
    this.onError = onError;
    this.wal = wal;
    // With our own fsync after each durable commit, SQLite never needs to sync inside COMMIT.
    if (wal) this.setLevel('NORMAL');
  }

  /** Whether durable commits are fsync'd off the event loop (false: synchronous=FULL fallback). */
  get syncsOffLoop(): boolean {
    return this.wal !== undefined;
  }

  /** Why the store refuses work (an fsync failed, or it was closed), if it does. */
  get refusal(): StoreUnavailableError | undefined {
    return this.refused;
  }

  /** Whether an fsync failed: then the file must not be checkpointed on close (see SqliteStore.close). */
  syncFailed = false;

  relaxed<R>(write: () => R): R {
    if (this.refused) throw this.refused;
    if (this.mode === 'idle') {
      // The safety level can only change outside a transaction; the next durable batch sets it back.
      this.setLevel('NORMAL');
      this.db.exec('BEGIN IMMEDIATE');
      this.mode = 'relaxed';
      this.relaxedTimer = setTimeout(() => this.commitRelaxed(), relaxedCommitMs);
    }
    // A failing statement (a duplicate key) is undone alone; the transaction stays open for the others.
    return write();
  }

  /** Runs `write` in the shared durable batch; resolves with its result once the batch is fsync'd. */
  durable<R>(write: () => R, atomic = false): Promise<R> {
    if (this.refused) return Promise.reject(this.refused);
    if (this.mode === 'relaxed') this.commitRelaxed();
    if (this.mode === 'idle') this.openDurable();
    let result: R;
    try {
      result = atomic ? this.savepoint(write) : write();
    } catch (error) {
      return Promise.reject(error);
    }
    this.stats.durableWrites++;
    return new Promise<R>((resolve, reject) => {
      this.waiters.push({ resolve: () => resolve(result), reject });
    });
  }

  /**
   * Resolves once every durable write made so far is on disk (a batch whose COMMIT failed was rolled back, so
   * there is nothing of it to wait for); rejects if an fsync failed. Reads wait for it: nothing may be shown to
   * anyone before it is on disk.
   */
  settled(): Promise<void> | undefined {
    if (this.refused) return Promise.reject(this.refused);
    const queue =
      this.mode === 'durable' ? this.waiters : this.unsynced.length > 0 ? this.unsynced : this.syncing;
    if (!queue) return undefined;
    return new Promise<void>((resolve, reject) => {
      queue.push({
        resolve,
        // A failed COMMIT rolled its batch back, so the read sees none of it; a failed fsync refuses the read.
        reject: (error) => (error instanceof StoreUnavailableError ? reject(error) : resolve()),
      });
    });
  }

  private setLevel(level: 'FULL' | 'NORMAL'): void {
    if (this.level === level) return;
    this.db.exec(level === 'FULL' ? synchronousFull : synchronousNormal);
    this.level = level;
  }

  private openDurable(): void {
    if (!this.wal) this.setLevel('FULL');
    this.db.exec('BEGIN IMMEDIATE');
    this.mode = 'durable';
    setImmediate(() => this.commitDurable());
  }

  /** Several statements as one unit inside the shared batch: all of them or none. */
  private savepoint<R>(write: () => R): R {
    this.db.exec('SAVEPOINT one_write');
    try {
      const result = write();
      this.db.exec('RELEASE one_write');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK TO one_write');
      this.db.exec('RELEASE one_write');
      throw error;
    }
  }

  private commitDurable(): void {
    if (this.mode !== 'durable') return;
    const waiters = this.waiters;
    this.waiters = [];
    this.mode = 'idle';
    if (this.refused) {
      // An fsync failed while this batch was open: it must not be acknowledged by a later fsync.
      if (this.db.isOpen && this.db.isTransaction) this.db.exec('ROLLBACK');
      for (const w of waiters) w.reject(this.refused);
      return;
    }
    try {
      this.db.exec('COMMIT');
      this.stats.commits++;
    } catch (error) {
      if (this.db.isOpen && this.db.isTransaction) this.db.exec('ROLLBACK');
      for (const w of waiters) w.reject(error);
      return;
    }
    if (!this.wal) {
      // synchronous=FULL: the COMMIT above included the fsync.
      this.stats.fsyncs++;
      for (const w of waiters) w.resolve();
      return;
    }
    this.unsynced.push(...waiters);
    if (!this.syncing) void this.syncWal(this.wal);
  }

  /** Runs fsyncs one after another while committed batches wait for one; each resolves what it carried. */
  private async syncWal(wal: WalFile): Promise<void> {
    while (this.unsynced.length > 0) {
      const batch = this.unsynced;
      this.unsynced = [];
      this.syncing = batch;
      try {
        await wal.sync(wal.fd);
      } catch (error) {
        this.syncing = undefined;
        this.failSync(error, batch);
        return;
      }
      this.syncing = undefined;
      this.stats.fsyncs++;
      for (const w of batch) w.resolve();
    }
  }

  /** A failed fsync: refuse everything from now on and say so loudly; never retry (see the class comment). */
  private failSync(error: unknown, batch: Waiter[]): void {
    this.syncFailed = true;
    this.refused = new StoreUnavailableError(
      'The embedded store could not flush its write-ahead log to disk, so recent writes may not be on disk. ' +
        'It refuses every read and write until IT Buddy is restarted; check the disk and the system log first.',
      { cause: error },
    );
    const pending = [...batch, ...this.unsynced];
    this.unsynced = [];
    for (const w of pending) w.reject(this.refused);
    this.onError(this.refused);
  }

  /**
   * Commits the open relaxed batch without an fsync. A batch that cannot commit (disk full) is rolled back and
   * reported: it held only relaxed writes, and neither the timer nor the durable write that follows may fail for it.
   */
  private commitRelaxed(): void {
    clearTimeout(this.relaxedTimer);
    if (this.mode !== 'relaxed') return;
    this.mode = 'idle';
    if (!this.db.isOpen || !this.db.isTransaction) return;
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      this.onError(error);
    }
  }

  /** Commits whatever is open; resolves once it and every earlier durable write is on disk. */
  async flush(): Promise<void> {
    this.commitRelaxed();
    this.commitDurable();
    await this.settled();
  }

  /** Refuses new writes, commits what is open, waits for its fsync, and lets go of the -wal file. */
  async close(): Promise<void> {
    this.commitRelaxed();
    this.commitDurable();
    const pending = this.settled();
    this.refused ??= new StoreUnavailableError('The store is closed; nothing was saved.');
    try {
      // A failed fsync has rejected its writes and been reported already; closing goes on.
      await pending?.catch(() => undefined);
    } finally {
      if (this.wal) closeSync(this.wal.fd);
    }
  }
}

/** Opens (creating if needed) the embedded store in `dataDir`. Throws StoreLockedError if another process has it. */
export function openEmbeddedStore(
  dataDir: string,
  options: {
    /** Told of relaxed batches that could not commit, and of a failed fsync (the store then refuses work). */
    onError?: (error: unknown) => void;
    /** Flushes the -wal file to disk off the event loop; fsync unless a test makes it slow or fail. */
    syncFile?: SyncFile;
  } = {},
): DocumentStore {
  const file = path.join(dataDir, 'itbuddy.sqlite');
  createPrivately(dataDir, file);
  const db = new DatabaseSync(file, { timeout: 0 });
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(synchronousFull);
    // Checkpoints fsync both files; at SQLite's default of every 1,000 pages they were a third of the cost of a
    // chat event's writes. 10,000 pages (40 MB of WAL) makes them rare; the size limit trims the file after one.
    db.exec('PRAGMA wal_autocheckpoint = 10000');
    db.exec(`PRAGMA journal_size_limit = ${64 * 1024 * 1024}`);
    // Taking a write lock now holds the exclusive lock for the life of this connection.
    db.exec('BEGIN IMMEDIATE');
    db.exec(`CREATE TABLE IF NOT EXISTS ${countersTable} (k TEXT PRIMARY KEY, doc TEXT NOT NULL, exp TEXT)`);
    db.exec(`CREATE TABLE IF NOT EXISTS ${claimsTable} (k TEXT PRIMARY KEY, doc TEXT NOT NULL, exp TEXT)`);
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if (/locked|busy/i.test(String((error as Error).message))) {
      throw new StoreLockedError(
        `The data folder ${dataDir} is in use by another IT Buddy process. Stop that process first, or give this one its own DATA_DIR.`,
        { cause: error },
      );
    }
    throw error;
  }
  const onError =
    options.onError ??
    ((error: unknown) =>
      process.emitWarning(
        error instanceof StoreUnavailableError
          ? `IT Buddy embedded store: ${error.message} (${error.cause})`
          : `IT Buddy embedded store: a batch of relaxed writes was lost: ${error}`,
      ));
  const wal = openWal(file, options.syncFile ?? fsyncOffLoop);
  return new SqliteStore(db, new Writer(db, onError, wal));
}

/** fsync on libuv's thread pool (SQLite's own sync is fsync too): the event loop goes on while the disk flushes. */
function fsyncOffLoop(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/**
 * Opens the -wal file for the Writer's fsyncs. The start-up transaction above opened (created) it, and in
 * exclusive locking mode SQLite keeps it, truncating it at most (same inode), until the connection closes.
 * Opened 'r+' so it is never created by us (and because an fsync on Windows needs write access). Without it,
 * durable commits use FULL instead.
 */
function openWal(file: string, sync: SyncFile): WalFile | undefined {
  let fd: number;
  try {
    fd = openSync(`${file}-wal`, 'r+');
  } catch (error) {
    process.emitWarning(
      `IT Buddy embedded store: the write-ahead log could not be opened (${(error as Error).message}); durable writes fsync on the event loop instead.`,
    );
    return undefined;
  }
  syncDirectory(path.dirname(file));
  return { fd, sync };
}

/**
 * Makes the -wal file's directory entry durable. SQLite does this at its first sync of a new WAL; when a reopened
 * store writes nothing at start-up, our fsyncs of the file come first, and they alone would not keep the entry.
 */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // As SQLite does: some systems (Windows) cannot open or sync a directory, and need not.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Creates the data folder (0700) and the database file (0600) so only this account can read them; SQLite gives
 * its -wal and -shm files the database file's permissions. A folder or file that exists is tightened as well.
 */
function createPrivately(dataDir: string, file: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dataDir, 0o700);
  } catch (error) {
    // A folder owned by someone else (a mounted volume's root) cannot be tightened; the file still is, below.
    process.emitWarning(`IT Buddy could not make ${dataDir} private (0700): ${(error as Error).message}`);
  }
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  for (const extra of ['-wal', '-shm']) {
    try {
      chmodSync(`${file}${extra}`, 0o600);
    } catch {
      // Not there yet: SQLite creates it with the database file's mode.
    }
  }
}

class SqliteStore implements DocumentStore {
  readonly kind = 'embedded' as const;
  private readonly collections = new Map<string, SqliteCollection<object>>();
  private readonly statements = new Map<string, StatementSync>();
  private closed = false;
  private readonly db: DatabaseSync;
  private readonly writer: Writer;
  /** This process's boot: claims record it, so a lease left by an earlier process is known to be dead. */
  private readonly bootId = randomUUID();

  constructor(db: DatabaseSync, writer: Writer) {
    this.db = db;
    this.writer = writer;
  }

  /** Group-commit figures: commits and fsyncs that carried durable writes, and how many durable writes. */
  commitStats(): { commits: number; durableWrites: number; fsyncs: number; syncsOffLoop: boolean } {
    return { ...this.writer.stats, syncsOffLoop: this.writer.syncsOffLoop };
  }

  collection<T extends object>(spec: CollectionSpec<T>): DocumentCollection<T> {
    const existing = this.collections.get(spec.name);
    if (existing) return existing as unknown as DocumentCollection<T>;
    if (!/^[a-z][a-z0-9_]*$/.test(spec.name)) throw new Error(`Invalid collection name ${spec.name}`);
    const created = new SqliteCollection<T>(this.db, this.writer, spec, (sql) => this.prepare(sql));
    this.collections.set(spec.name, created as unknown as SqliteCollection<object>);
    return created;
  }

  private prepare(sql: string): StatementSync {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  async nextSequence(name: string): Promise<number> {
    const next = this.prepare(
      `INSERT INTO ${countersTable} (k, doc) VALUES (?, '{"value":1}')
       ON CONFLICT(k) DO UPDATE SET doc = json_set(doc, '$.value', json_extract(doc, '$.value') + 1)
       RETURNING json_extract(doc, '$.value') AS value`,
    );
    const row = (await this.writer.durable(() => next.get(name))) as { value: number };
    return row.value;
  }

  async claim(
    scope: string,
    key: string,
    owner: string,
    expiresAt: string,
    options: ClaimOptions = {},
  ): Promise<boolean> {
    const id = `${scope}\u0000${key}`;
    const now = new Date().toISOString();
    const kind = options.kind ?? 'lease';
    const doc = JSON.stringify({ scope, key, owner, expiresAt, kind, boot: this.bootId });
    // This process holds the file exclusively, so a lease written by an earlier boot belongs to a process that
    // is gone: a restart takes it over at once instead of waiting for it to expire. Marks are never taken over.
    const statement = this.prepare(
      `INSERT INTO ${claimsTable} (k, doc, exp) VALUES (?, ?, ?)
       ON CONFLICT(k) DO UPDATE SET doc = excluded.doc, exp = excluded.exp
       WHERE ${claimsTable}.exp <= ? OR json_extract(${claimsTable}.doc, '$.owner') = ?
          OR (json_extract(${claimsTable}.doc, '$.kind') = 'lease' AND json_extract(${claimsTable}.doc, '$.boot') IS NOT ?)`,
    );
    const run = () => statement.run(id, doc, expiresAt, now, owner, this.bootId);
    const relaxed = kind === 'mark' && options.durability === 'relaxed';
    const result = relaxed ? this.writer.relaxed(run) : await this.writer.durable(run);
    return Number(result.changes) === 1;
  }

  async release(scope: string, key: string, owner: string): Promise<void> {
    const statement = this.prepare(
      `DELETE FROM ${claimsTable} WHERE k = ? AND json_extract(doc, '$.owner') = ?`,
    );
    this.writer.relaxed(() => statement.run(`${scope}\u0000${key}`, owner));
  }

  async health() {
    if (this.closed) return { ok: false, detail: 'embedded store is closed' };
    if (this.writer.refusal) return { ok: false, detail: 'embedded store: an fsync failed; restart needed' };
    // Health is served on /readyz: name the engine, not where its file is on this machine.
    return { ok: true, detail: 'embedded store' };
  }

  async syncIndexes(options: { since?: Date } = {}): Promise<IndexReport[]> {
    const reports: IndexReport[] = [];
    const since = options.since?.getTime() ?? 0;
    for (const c of this.collections.values()) reports.push(...c.syncIndexes(since));
    return reports;
  }

  async collectionNames(): Promise<string[]> {
    const rows = this.db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'c\\_%' ESCAPE '\\' ORDER BY name`,
      )
      .all() as { name: string }[];
    return [countersTable, ...rows.map((r) => r.name.slice(2))];
  }

  private tableOf(name: string): string {
    if (name === countersTable) return countersTable;
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`Invalid collection name ${name}`);
    return tableName(name);
  }

  async *exportRecords(name: string): AsyncIterable<StoredRecord> {
    const table = this.tableOf(name);
    const exists = this.db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`)
      .get(table);
    if (!exists) return;
    // Pages by rowid rather than one open cursor, so writes made between pages never disturb the read.
    const page = this.db.prepare(
      `SELECT rowid AS id, k, doc, exp FROM "${table}" WHERE rowid > ? ORDER BY rowid LIMIT 500`,
    );
    let after = 0;
    for (;;) {
      const rows = page.all(after) as { id: number; k: string; doc: string; exp: string | null }[];
      if (rows.length === 0) return;
      for (const row of rows) {
        const doc = JSON.parse(row.doc) as Record<string, unknown>;
        yield name === countersTable
          ? { key: row.k, expiresAt: null, doc: { name: row.k, value: doc.value } }
          : { key: row.k, expiresAt: normaliseExpiry(row.exp), doc };
      }
      after = Number(rows[rows.length - 1]?.id);
    }
  }

  async importRecords(name: string, records: readonly StoredRecord[]): Promise<number> {
    const table = this.tableOf(name);
    if (name === countersTable) {
      const raise = this.prepare(
        `INSERT INTO ${countersTable} (k, doc) VALUES (?, ?)
         ON CONFLICT(k) DO UPDATE SET doc = excluded.doc WHERE json_extract(doc, '$.value') < ?`,
      );
      return this.writer.durable(() => {
        let changed = 0;
        for (const r of records) {
          const value = Number(r.doc.value);
          if (!Number.isSafeInteger(value) || value < 0) throw new Error(`Counter ${r.key}: bad value`);
          changed += Number(raise.run(r.key, JSON.stringify({ value }), value).changes);
        }
        return changed;
      }, true);
    }
    this.db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (k TEXT PRIMARY KEY, doc TEXT NOT NULL, exp TEXT)`);
    // Rewrites only what differs, so a second import of the same records changes nothing.
    const upsert = this.prepare(
      `INSERT INTO "${table}" (k, doc, exp) VALUES (?, ?, ?) ON CONFLICT(k) DO UPDATE SET doc = excluded.doc,
       exp = excluded.exp WHERE "${table}".doc IS NOT excluded.doc OR "${table}".exp IS NOT excluded.exp`,
    );
    try {
      // Awaited here, so a failed batch (a unique field taken) reaches the catch below.
      return await this.writer.durable(() => {
        let changed = 0;
        for (const r of records) {
          if (typeof r.key !== 'string' || r.key === '') throw new Error(`${name}: a record has no key`);
          changed += Number(upsert.run(r.key, JSON.stringify(r.doc), normaliseExpiry(r.expiresAt)).changes);
        }
        return changed;
      }, true);
    } catch (error) {
      if (/UNIQUE constraint/i.test(String((error as Error).message))) {
        throw new DuplicateKeyError(`${name}: an imported document collides with a unique field of another`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** SQLite's online backup, after committing the open batch; writes made meanwhile are carried into the copy. */
  async backupTo(file: string): Promise<void> {
    // Waits for the fsync too, so the copy holds nothing the live file could still lose in a power cut.
    await this.writer.flush();
    // The copy holds the same personal data as the store: created 0600 before SQLite writes it (it keeps an
    // existing file's mode), and tightened after, since a file that was there already keeps its own mode.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    await backup(this.db, file);
    chmodSync(file, 0o600);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Resolves only after the fsync of everything written before; writes made meanwhile are refused.
    await this.writer.close();
    // Closing the last connection checkpoints the WAL into the database file. After a failed fsync the WAL's
    // pages in memory may not be what is on disk, so the connection is left for the process's exit to drop:
    // the next start recovers from the WAL as it really is on disk.
    if (this.writer.syncFailed) return;
    this.db.close();
  }
}

function tableName(collection: string): string {
  return `c_${collection}`;
}

class SqliteCollection<T extends object> implements DocumentCollection<T> {
  private readonly table: string;
  private readonly fields: Set<string>;
  private readonly db: DatabaseSync;
  private readonly writer: Writer;
  private readonly spec: CollectionSpec<T>;
  private readonly prepare: (sql: string) => StatementSync;

  constructor(
    db: DatabaseSync,
    writer: Writer,
    spec: CollectionSpec<T>,
    prepare: (sql: string) => StatementSync,
  ) {
    this.db = db;
    this.writer = writer;
    this.spec = spec;
    this.prepare = prepare;
    this.table = tableName(spec.name);
    this.fields = allowedFields(spec as unknown as CollectionSpec<object>);
    db.exec(`CREATE TABLE IF NOT EXISTS "${this.table}" (k TEXT PRIMARY KEY, doc TEXT NOT NULL, exp TEXT)`);
    const at = Date.now();
    for (const r of this.ensureIndexes()) if (r.created) this.unreported.set(r.index, at);
  }

  /** Indexes made when the collection was registered, and when, for the next `syncIndexes` to report. */
  private readonly unreported = new Map<string, number>();

  /** Creates the spec's indexes and reports them, counting those registration made at or after `since` as created. */
  syncIndexes(since: number): IndexReport[] {
    const reports = this.ensureIndexes().map((r) => ({
      ...r,
      created: r.created || (this.unreported.get(r.index) ?? -1) >= since,
    }));
    this.unreported.clear();
    return reports;
  }

  /** Creates the spec's indexes (idempotent) and says which were new. */
  ensureIndexes(): IndexReport[] {
    const names: { name: string; sql: string }[] = [];
    for (const index of this.spec.indexes ?? []) {
      const cols = index.fields.map((f) => this.expr(f)).join(', ');
      const name = `${this.table}_${index.fields.join('_')}`;
      names.push({
        name,
        sql: `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "${name}" ON "${this.table}" (${cols})`,
      });
    }
    if (this.spec.expiresAt)
      names.push({
        name: `${this.table}_exp`,
        sql: `CREATE INDEX IF NOT EXISTS "${this.table}_exp" ON "${this.table}" (exp)`,
      });
    const exists = this.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`);
    return names.map(({ name, sql }) => {
      const created = !exists.get(name);
      this.db.exec(sql);
      return { collection: this.spec.name, index: name.slice(2), created };
    });
  }

  private expr(field: string): string {
    assertField(this.fields, field, this.spec.name);
    return `json_extract(doc, '$.${field}')`;
  }

  private keyOf(doc: T): string {
    const key = (doc as Record<string, unknown>)[this.spec.key];
    if (typeof key !== 'string' || key === '')
      throw new Error(`${this.spec.name}: document has no ${this.spec.key}`);
    return key;
  }

  private expOf(doc: object): string | null {
    if (!this.spec.expiresAt) return null;
    const v = (doc as Record<string, unknown>)[this.spec.expiresAt];
    return typeof v === 'string' ? v : null;
  }

  private alive(): string {
    return this.spec.expiresAt ? '(exp IS NULL OR exp > ?)' : '1 = 1';
  }

  private aliveParams(): string[] {
    return this.spec.expiresAt ? [new Date().toISOString()] : [];
  }

  private validate(doc: T): T {
    return this.spec.schema.parse(doc);
  }

  /** Writes with the collection's durability; `atomic` makes several statements one unit. */
  private async write<R>(work: () => R, atomic = false): Promise<R> {
    // A relaxed batch is one transaction already, so its statements are atomic together.
    return this.spec.durability === 'relaxed' ? this.writer.relaxed(work) : this.writer.durable(work, atomic);
  }

  /** Reads wait for an open durable batch: nothing may be shown to anyone before it is on disk. */
  private async settled(): Promise<void> {
    const pending = this.writer.settled();
    if (pending) await pending;
  }

  async insert(doc: T): Promise<void> {
    const valid = this.validate(doc);
    const key = this.keyOf(valid);
    const insert = this.prepare(`INSERT INTO "${this.table}" (k, doc, exp) VALUES (?, ?, ?)`);
    // An expired document with the same key no longer exists: clear it so the key can be reused, in the same
    // commit as the insert (one fsync, and no moment where neither exists).
    const clearExpired = this.spec.expiresAt
      ? this.prepare(`DELETE FROM "${this.table}" WHERE k = ? AND exp IS NOT NULL AND exp <= ?`)
      : undefined;
    try {
      await this.write(() => {
        clearExpired?.run(key, new Date().toISOString());
        insert.run(key, JSON.stringify(valid), this.expOf(valid));
      }, clearExpired !== undefined);
    } catch (error) {
      if (/UNIQUE constraint/i.test(String((error as Error).message))) {
        throw new DuplicateKeyError(`${this.spec.name}: ${key} already exists`, { cause: error });
      }
      throw error;
    }
  }

  async get(key: string): Promise<T | undefined> {
    await this.settled();
    const row = this.prepare(`SELECT doc FROM "${this.table}" WHERE k = ? AND ${this.alive()}`).get(
      String(key),
      ...this.aliveParams(),
    ) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  async put(doc: T): Promise<void> {
    const valid = this.validate(doc);
    await this.putRaw(valid as Record<string, unknown>);
  }

  async putRaw(doc: Record<string, unknown>): Promise<void> {
    const key = this.keyOf(doc as T);
    const upsert = this.prepare(
      `INSERT INTO "${this.table}" (k, doc, exp) VALUES (?, ?, ?) ON CONFLICT(k) DO UPDATE SET doc = excluded.doc, exp = excluded.exp`,
    );
    try {
      await this.write(() => upsert.run(key, JSON.stringify(doc), this.expOf(doc)));
    } catch (error) {
      if (/UNIQUE constraint/i.test(String((error as Error).message))) {
        throw new DuplicateKeyError(`${this.spec.name}: a unique field of ${key} is already taken`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async replaceIf(doc: T, field: keyof T & string, expected: Scalar): Promise<boolean> {
    const valid = this.validate(doc);
    const update = this.prepare(
      `UPDATE "${this.table}" SET doc = ?, exp = ? WHERE k = ? AND ${this.expr(field)} IS ? AND ${this.alive()}`,
    );
    const result = await this.write(() =>
      update.run(
        JSON.stringify(valid),
        this.expOf(valid),
        this.keyOf(valid),
        toSql(expected),
        ...this.aliveParams(),
      ),
    );
    return Number(result.changes) === 1;
  }

  async delete(key: string): Promise<boolean> {
    const remove = this.prepare(`DELETE FROM "${this.table}" WHERE k = ?`);
    const result = await this.write(() => remove.run(String(key)));
    return Number(result.changes) === 1;
  }

  private whereClause(query: FindQuery<T>): { sql: string; params: (string | number | null)[] } {
    const parts = [this.alive()];
    const params: (string | number | null)[] = [...this.aliveParams()];
    for (const [field, value] of Object.entries(query.where ?? {})) {
      if (value === undefined) continue;
      parts.push(`${this.expr(field)} IS ?`);
      params.push(toSql(value as Scalar));
    }
    if (query.whereIn) {
      if (query.whereIn.values.length === 0) parts.push('0 = 1');
      else {
        parts.push(
          `${this.expr(query.whereIn.field)} IN (${query.whereIn.values.map(() => '?').join(', ')})`,
        );
        params.push(...query.whereIn.values.map(toSql));
      }
    }
    if (query.range) {
      const e = this.expr(query.range.field);
      if (query.range.gte !== undefined) {
        parts.push(`${e} >= ?`);
        params.push(query.range.gte);
      }
      if (query.range.lt !== undefined) {
        parts.push(`${e} < ?`);
        params.push(query.range.lt);
      }
    }
    return { sql: parts.join(' AND '), params };
  }

  async find(query: FindQuery<T> = {}): Promise<T[]> {
    await this.settled();
    const { sql, params } = this.whereClause(query);
    let text = `SELECT doc FROM "${this.table}" WHERE ${sql}`;
    if (query.orderBy) {
      text += ` ORDER BY ${this.expr(query.orderBy.field)} ${query.orderBy.direction === 'desc' ? 'DESC' : 'ASC'}, k ${
        query.orderBy.direction === 'desc' ? 'DESC' : 'ASC'
      }`;
    } else text += ' ORDER BY rowid';
    if (query.limit !== undefined) {
      text += ' LIMIT ?';
      params.push(Math.max(0, Math.floor(query.limit)));
    }
    const rows = this.prepare(text).all(...params) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as T);
  }

  async count(query: Omit<FindQuery<T>, 'orderBy' | 'limit'> = {}): Promise<number> {
    await this.settled();
    const { sql, params } = this.whereClause(query);
    const row = this.prepare(`SELECT count(*) AS n FROM "${this.table}" WHERE ${sql}`).get(...params) as {
      n: number;
    };
    return Number(row.n);
  }

  async deleteOlderThan(field: keyof T & string, isoTime: string): Promise<number> {
    const remove = this.prepare(`DELETE FROM "${this.table}" WHERE ${this.expr(field)} < ?`);
    const result = await this.write(() => remove.run(isoTime));
    return Number(result.changes);
  }
}

function toSql(value: Scalar): string | number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}
