// Moving house: every collection of a store as JSON lines, and those lines loaded into another store, verified.
//
// The file is a manifest line (format, schema version, counts per collection), one line per document (its
// collection, key, expiry and the document itself, exactly as stored), and an end line with the exact counts and a
// checksum per collection. The checksum is order-free (engines return documents in different orders): the SHA-256
// of the sorted SHA-256s of each record's canonical JSON. Import is idempotent: records equal to what the target
// holds are not written again, and counters are only ever raised, so references (IT-000n) continue.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import { countersCollection, type DocumentStore, type StoredRecord } from './document-store.ts';

/** The name of the file format, in every manifest. */
export const exportFormat = 'itbuddy-export';
/** The version of the stored documents' shapes; an import refuses a file from a newer version. */
export const exportSchemaVersion = 1;
/** Records written per importRecords call: one commit each on the embedded store. */
const batchSize = 500;

/** The first line of an export. */
export interface ExportManifest {
  type: 'manifest';
  format: typeof exportFormat;
  schemaVersion: number;
  engine: DocumentStore['kind'];
  exportedAt: string;
  /** Documents per collection when the export began. */
  collections: Record<string, number>;
}

/** The last line of an export: what was actually written. */
export interface ExportEnd {
  type: 'end';
  collections: Record<string, { count: number; checksum: string }>;
}

/** One document line. */
export interface ExportRecordLine extends StoredRecord {
  collection: string;
}

/** The SHA-256 of one record's canonical JSON (collection excluded: checksums are per collection). */
export function recordDigest(record: StoredRecord): string {
  return createHash('sha256')
    .update(canonicalJson({ key: record.key, expiresAt: record.expiresAt, doc: record.doc }))
    .digest('hex');
}

/** Accumulates an order-free checksum of many records. */
export class ChecksumBuilder {
  private readonly digests: string[] = [];

  add(record: StoredRecord): void {
    this.digests.push(recordDigest(record));
  }

  get count(): number {
    return this.digests.length;
  }

  digest(): string {
    const hash = createHash('sha256');
    for (const d of [...this.digests].sort()) hash.update(d);
    return hash.digest('hex');
  }
}

/** Writes the whole store as JSON lines through `write` (one call per line, newline included). */
export async function exportStore(
  store: DocumentStore,
  write: (line: string) => Promise<void> | void,
  now: Date = new Date(),
): Promise<ExportEnd> {
  const names = await store.collectionNames();
  const counts: Record<string, number> = {};
  for (const name of names) {
    let n = 0;
    for await (const _ of store.exportRecords(name)) n++;
    counts[name] = n;
  }
  const manifest: ExportManifest = {
    type: 'manifest',
    format: exportFormat,
    schemaVersion: exportSchemaVersion,
    engine: store.kind,
    exportedAt: now.toISOString(),
    collections: counts,
  };
  await write(`${JSON.stringify(manifest)}\n`);
  const end: ExportEnd = { type: 'end', collections: {} };
  for (const name of names) {
    const sum = new ChecksumBuilder();
    for await (const record of store.exportRecords(name)) {
      sum.add(record);
      const line: ExportRecordLine = { collection: name, ...record };
      await write(`${JSON.stringify(line)}\n`);
    }
    end.collections[name] = { count: sum.count, checksum: sum.digest() };
  }
  await write(`${JSON.stringify(end)}\n`);
  return end;
}

/** What import found for one collection. */
export interface CollectionImport {
  collection: string;
  /** Documents in the file. */
  inFile: number;
  /** Documents the import wrote (new or different); 0 on a repeated import. */
  written: number;
  /** Documents of the file found, identical, in the target after the import. */
  verified: number;
  /** Documents the target holds in this collection after the import. */
  inStore: number;
  ok: boolean;
}

/** The result of an import: per collection, and the problems found (none when everything verified). */
export interface ImportResult {
  manifest: ExportManifest;
  collections: CollectionImport[];
  problems: string[];
}

/** A file that is not an export, or is damaged: nothing after the bad line was imported. */
export class ExportFileError extends Error {}

function parseLine(text: string, lineNo: number): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ExportFileError(
    `Line ${lineNo} is not a JSON object: the file is not an IT Buddy export or is damaged.`,
  );
}

function asManifest(line: Record<string, unknown>): ExportManifest {
  if (line.type !== 'manifest' || line.format !== exportFormat) {
    throw new ExportFileError(
      'The first line is not an IT Buddy export manifest. Make the file with `itbuddy data export`.',
    );
  }
  const version = Number(line.schemaVersion);
  if (!Number.isInteger(version) || version > exportSchemaVersion) {
    throw new ExportFileError(
      `The file has schema version ${String(line.schemaVersion)}; this IT Buddy reads up to ${exportSchemaVersion}. Update IT Buddy first.`,
    );
  }
  return line as unknown as ExportManifest;
}

function asRecord(line: Record<string, unknown>, lineNo: number): ExportRecordLine {
  const { collection, key, expiresAt, doc } = line;
  if (
    typeof collection !== 'string' ||
    typeof key !== 'string' ||
    key === '' ||
    !(expiresAt === null || typeof expiresAt === 'string') ||
    !doc ||
    typeof doc !== 'object' ||
    Array.isArray(doc)
  ) {
    throw new ExportFileError(`Line ${lineNo} is not a document line (collection, key, expiresAt, doc).`);
  }
  return { collection, key, expiresAt, doc: doc as Record<string, unknown> };
}

/**
 * Loads an export (its lines, in order) into `store`, then reads back every collection it touched and compares
 * counts and checksums with the file. Counters verify when the target's value is at least the file's.
 */
export async function importStore(store: DocumentStore, lines: AsyncIterable<string>): Promise<ImportResult> {
  let manifest: ExportManifest | undefined;
  let end: ExportEnd | undefined;
  const sums = new Map<string, ChecksumBuilder>();
  const keys = new Map<string, Set<string>>();
  const written = new Map<string, number>();
  const counters = new Map<string, number>();
  const pending = new Map<string, StoredRecord[]>();

  const flush = async (collection: string) => {
    const batch = pending.get(collection);
    if (!batch || batch.length === 0) return;
    pending.set(collection, []);
    const changed = await store.importRecords(collection, batch);
    written.set(collection, (written.get(collection) ?? 0) + changed);
  };

  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (text.trim() === '') continue;
    const line = parseLine(text, lineNo);
    if (!manifest) {
      manifest = asManifest(line);
      continue;
    }
    if (end) throw new ExportFileError(`Line ${lineNo} follows the end line: the file was altered.`);
    if (line.type === 'end') {
      end = line as unknown as ExportEnd;
      continue;
    }
    const { collection, ...record } = asRecord(line, lineNo);
    if (!sums.has(collection)) {
      sums.set(collection, new ChecksumBuilder());
      keys.set(collection, new Set());
    }
    sums.get(collection)?.add(record);
    keys.get(collection)?.add(record.key);
    if (collection === countersCollection) counters.set(record.key, Number(record.doc.value));
    const batch = pending.get(collection) ?? [];
    batch.push(record);
    pending.set(collection, batch);
    if (batch.length >= batchSize) await flush(collection);
  }
  if (!manifest) throw new ExportFileError('The file is empty: no manifest line.');
  for (const collection of pending.keys()) await flush(collection);

  const problems: string[] = [];
  if (!end)
    problems.push('The file has no end line: it was cut short. Import it again from a complete export.');
  const names = [...new Set([...Object.keys(manifest.collections), ...sums.keys()])];
  const results: CollectionImport[] = [];
  for (const name of names) {
    const inFile = sums.get(name)?.count ?? 0;
    const fileSum = sums.get(name)?.digest() ?? new ChecksumBuilder().digest();
    const expected = end?.collections[name];
    if (end && (!expected || expected.count !== inFile || expected.checksum !== fileSum)) {
      problems.push(`${name}: the documents in the file do not match its end line (damaged or edited).`);
    }
    if (end && expected && manifest.collections[name] !== expected.count) {
      problems.push(
        `${name}: the store changed while it was exported (${manifest.collections[name] ?? 0} at the start, ${expected.count} written); export again with writers stopped for an exact copy.`,
      );
    }
    // Read back: the target's records with the file's keys must checksum to the file's.
    const wanted = keys.get(name) ?? new Set<string>();
    const back = new ChecksumBuilder();
    let inStore = 0;
    let countersOk = true;
    for await (const record of store.exportRecords(name)) {
      inStore++;
      if (!wanted.has(record.key)) continue;
      if (name === countersCollection) {
        back.add(record);
        if (Number(record.doc.value) < (counters.get(record.key) ?? 0)) countersOk = false;
      } else back.add(record);
    }
    const ok =
      name === countersCollection
        ? countersOk && back.count === inFile
        : back.count === inFile && back.digest() === fileSum;
    if (!ok) problems.push(`${name}: the store does not hold every document of the file unchanged.`);
    results.push({
      collection: name,
      inFile,
      written: written.get(name) ?? 0,
      verified: back.count,
      inStore,
      ok,
    });
  }
  return { manifest, collections: results, problems };
}
