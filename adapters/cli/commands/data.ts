// `itbuddy data export|import`: moving house between the embedded store and MongoDB (or between two of either),
// through one file of JSON lines. See src/store/data-transfer.ts for the format and docs/storage.md for the steps.
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import {
  type ExportEnd,
  ExportFileError,
  exportStore,
  type ImportResult,
  importStore,
} from '../../../src/store/data-transfer.ts';
import type { DocumentStore } from '../../../src/store/document-store.ts';
import { openEmbeddedStore } from '../../../src/store/embedded/sqlite-store.ts';
import { registerAllCollections } from '../collection-catalog.ts';
import { type CliCommand, type CliIo, println, resolvePath, UsageError, unknownUse } from '../command.ts';
import { openCliStore } from '../core.ts';

/** Writes to a stream, waiting when it asks the writer to slow down. */
function writerFor(stream: Writable): (line: string) => Promise<void> {
  return (line) =>
    new Promise<void>((resolve, reject) => {
      if (stream.write(line)) resolve();
      else {
        stream.once('drain', resolve);
        stream.once('error', reject);
      }
    });
}

/**
 * Runs `fn` on a consistent copy of the store. The embedded store is copied with SQLite's online backup first,
 * so an export made while the bot runs is one moment in time; MongoDB is read as it is.
 */
export async function withSnapshot<T>(
  store: DocumentStore,
  fn: (s: DocumentStore) => Promise<T>,
): Promise<T> {
  if (!store.backupTo) return fn(store);
  const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-snapshot-'));
  try {
    await store.backupTo(path.join(dir, 'itbuddy.sqlite'));
    const snapshot = openEmbeddedStore(dir);
    try {
      return await fn(snapshot);
    } finally {
      await snapshot.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Exports `store` to `file` (written under a temporary name, then renamed) or to stdout. */
export async function exportTo(
  store: DocumentStore,
  file: string | undefined,
  io: CliIo,
): Promise<ExportEnd> {
  if (!file) return withSnapshot(store, (s) => exportStore(s, writerFor(io.stdout)));
  const partial = `${file}.partial`;
  const handle = await open(partial, 'w', 0o600);
  try {
    const stream = handle.createWriteStream();
    const end = await withSnapshot(store, (s) => exportStore(s, writerFor(stream)));
    await new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    await handle.sync().catch(() => undefined);
    await rename(partial, file);
    return end;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function summary(end: ExportEnd): string {
  const documents = Object.values(end.collections).reduce((n, c) => n + c.count, 0);
  return `${documents} document(s) in ${Object.keys(end.collections).length} collection(s)`;
}

/** The verification table printed after an import. */
export function formatImport(result: ImportResult, target: DocumentStore['kind']): string {
  const rows = result.collections.map((c) => [
    c.collection,
    String(c.inFile),
    String(c.written),
    String(c.inStore),
    c.ok ? 'ok' : 'MISMATCH',
  ]);
  const header = ['collection', 'in file', 'written', 'in store', 'verified'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  const total = result.collections.reduce((n, c) => n + c.inFile, 0);
  const written = result.collections.reduce((n, c) => n + c.written, 0);
  return [
    `Import into the ${target === 'mongo' ? 'MongoDB' : 'embedded'} store of an export from the ${result.manifest.engine === 'mongo' ? 'MongoDB' : 'embedded'} store made ${result.manifest.exportedAt}:`,
    '',
    line(header),
    ...rows.map(line),
    '',
    result.problems.length === 0
      ? `Verified: all ${total} document(s) of the file are in the store unchanged (counts and checksums); ${written} written now.`
      : `NOT verified: ${result.problems.length} problem(s), listed on stderr.`,
  ].join('\n');
}

export const dataCommand: CliCommand = {
  name: ['data'],
  summary: 'Export every collection as JSON lines, or import such a file (moving house)',
  usage: [
    '  itbuddy data export [--out FILE]   every collection as JSON lines (stdout unless --out)',
    '  itbuddy data import [FILE]         loads an export (stdin unless FILE), then verifies it',
    '',
    '  Import is idempotent (a second import writes nothing), keeps document keys, and raises counters so',
    '  references (IT-000n) continue. It ends with counts and checksums per collection; exit 1 if they differ.',
    '  Works while the server runs: on the embedded store the running server does the work.',
  ].join('\n'),
  usesStore: true,
  readsStdin: (args) => args[0] === 'import' && args.slice(1).every((a) => a.startsWith('-')),
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb === 'export') {
      const { values, positionals } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      if (positionals.length > 0) throw new UsageError(`Unexpected: ${positionals.join(' ')}`);
      const file = values.out ? resolvePath(io, values.out) : undefined;
      const { store, close } = await openCliStore(io);
      try {
        const end = await exportTo(store, file, io);
        println(io.stderr, `Exported ${summary(end)}${file ? ` to ${file}` : ''}.`);
        return 0;
      } finally {
        await close();
      }
    }
    if (verb === 'import') {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length > 1) throw new UsageError('Give one file, or none to read stdin.');
      const file = positionals[0] ? resolvePath(io, positionals[0]) : undefined;
      const input = file ? createReadStream(file) : io.stdin;
      const opened = new Promise<void>((resolve, reject) => {
        if (!file) return resolve();
        input.once('open', () => resolve());
        input.once('error', reject);
      });
      try {
        await opened;
      } catch (error) {
        println(io.stderr, `Cannot read ${file}: ${(error as Error).message}`);
        return 1;
      }
      const { store, close } = await openCliStore(io);
      try {
        // Registered first, so unique indexes hold while importing and the store knows each collection's expiry.
        registerAllCollections(store);
        const result = await importStore(
          store,
          createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }),
        );
        println(io.stdout, formatImport(result, store.kind));
        for (const problem of result.problems) println(io.stderr, problem);
        return result.problems.length === 0 ? 0 : 1;
      } catch (error) {
        if (error instanceof ExportFileError) {
          println(io.stderr, error.message);
          return 1;
        }
        throw error;
      } finally {
        await close();
      }
    }
    throw unknownUse('data', args);
  },
};
