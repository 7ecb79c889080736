// Moving house through the real CLI: a store filled by real flows goes embedded → MongoDB → embedded and loses
// nothing; imports are idempotent and verified; references continue; a damaged file is refused.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCollections } from '../../adapters/cli/collection-catalog.ts';
import { type RunningServer, startServer } from '../../adapters/server.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { ExportEnd, ExportManifest } from '../../src/store/data-transfer.ts';
import { testConfig } from '../helpers/test-config.ts';
import { cli, fileRequest, opsEnv, populate } from './ops-flows.ts';

const mongoUri = process.env.TEST_MONGODB_URI;
let dir: string;
let first: RunningServer;
let references: string[];

async function start(dataDir: string): Promise<RunningServer> {
  const config = testConfig({ ...opsEnv, DATA_DIR: dataDir });
  const running = await startServer(config, silentLogger(), { outbox: { intervalMs: 3_600_000 } });
  config.http.publicUrl = running.url;
  return running;
}

function lines(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The end line's checksums of the collections that hold documents. */
function filled(file: string): Record<string, { count: number; checksum: string }> {
  const end = lines(file).at(-1) as unknown as ExportEnd;
  return Object.fromEntries(Object.entries(end.collections).filter(([, c]) => c.count > 0));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-move-'));
  first = await start(path.join(dir, 'first'));
  references = await populate(first.url, () => first.app.outboxWorker.runOnce().then(() => undefined));
  await first.app.newsletter.feature.idle();
}, 60_000);

afterAll(async () => {
  await first?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('itbuddy data export', () => {
  it('writes a manifest with counts and the schema version, one line per document, and an end line', async () => {
    const run = await cli(['data', 'export'], { DATA_DIR: path.join(dir, 'first') });
    expect(run.code).toBe(0);
    const all = lines(run.stdout);
    const manifest = all[0] as unknown as ExportManifest;
    expect(manifest).toMatchObject({
      type: 'manifest',
      format: 'itbuddy-export',
      schemaVersion: 1,
      engine: 'embedded',
    });
    const end = all.at(-1) as unknown as ExportEnd;
    expect(end.type).toBe('end');
    const documents = all.slice(1, -1);
    for (const [name, count] of Object.entries(manifest.collections)) {
      expect(documents.filter((d) => d.collection === name)).toHaveLength(count);
      expect(end.collections[name]?.count).toBe(count);
    }
    // Every collection real use fills on the web channel is there, the web channel's messages included.
    for (const name of [
      '_counters',
      'requests',
      'outbox',
      'questions',
      'conversation_state',
      'announcements',
      'role_grants',
      'newsletter_issues',
      'newsletter_deliveries',
      'web_messages',
    ]) {
      expect(manifest.collections[name], name).toBeGreaterThan(0);
    }
    expect(run.stderr).toMatch(/^Exported \d+ document\(s\) in \d+ collection\(s\)\.$/m);
  });

  it('knows every collection a running server makes (the catalog the CLI registers is complete)', async () => {
    const names = (await first.app.store.collectionNames()).filter((n) => !n.startsWith('_'));
    const catalog = new Set(allCollections.map((c) => c.name));
    expect(names.filter((n) => !catalog.has(n))).toEqual([]);
  });
});

describe('itbuddy data import', () => {
  it('refuses a file that is not an export, and one from a newer schema, changing nothing', async () => {
    const target = { DATA_DIR: path.join(dir, 'refusing') };
    const notExport = await cli(['data', 'import'], target, '{"hello":1}\n');
    expect(notExport.code).toBe(1);
    expect(notExport.stderr).toMatch(/not an IT Buddy export manifest/);
    const newer = await cli(
      ['data', 'import'],
      target,
      `${JSON.stringify({ type: 'manifest', format: 'itbuddy-export', schemaVersion: 99, collections: {} })}\n`,
    );
    expect(newer.code).toBe(1);
    expect(newer.stderr).toMatch(/schema version 99/);
  });

  it('reports a damaged document as a mismatch and exits 1', async () => {
    const exported = (await cli(['data', 'export'], { DATA_DIR: path.join(dir, 'first') })).stdout;
    const damaged = exported.replace('"VPN maintenance"', '"VPN maintenance!"');
    expect(damaged).not.toBe(exported);
    const run = await cli(['data', 'import'], { DATA_DIR: path.join(dir, 'damaged') }, damaged);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/announcements: the documents in the file do not match its end line/);
  });
});

describe.runIf(mongoUri)('moving house: embedded → MongoDB → embedded', () => {
  const dbName = `itbuddy_move_${randomBytes(4).toString('hex')}`;
  const mongo = { MONGODB_URI: `${mongoUri?.replace(/\/?$/, '/')}${dbName}` };

  afterAll(async () => {
    const conn = await mongoose
      .createConnection(mongoUri ?? '', { serverSelectionTimeoutMS: 5_000 })
      .asPromise();
    await conn.useDb(dbName).dropDatabase();
    await conn.close();
  });

  it('loses nothing, imports idempotently, verifies, and references continue', async () => {
    const fromEmbedded = path.join(dir, 'from-embedded.jsonl');
    expect(
      (await cli(['data', 'export', '--out', fromEmbedded], { DATA_DIR: path.join(dir, 'first') })).code,
    ).toBe(0);

    const intoMongo = await cli(['data', 'import', fromEmbedded], mongo);
    expect(intoMongo.stderr).toBe('');
    expect(intoMongo.code).toBe(0);
    expect(intoMongo.stdout).toMatch(/Import into the MongoDB store of an export from the embedded store/);
    expect(intoMongo.stdout).toMatch(/^requests +2 +2 +2 +ok$/m);
    expect(intoMongo.stdout).toMatch(
      /^Verified: all \d+ document\(s\) of the file are in the store unchanged/m,
    );
    // A second import writes nothing and still verifies.
    const again = await cli(['data', 'import', fromEmbedded], mongo);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/; 0 written now\.$/m);

    // Indexes on the new database: made by the first sync, reported as there by the second.
    const sync = await cli(['db', 'sync-indexes'], mongo);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/^requests +\S+ +created$/m);
    const resync = await cli(['db', 'sync-indexes'], mongo);
    expect(resync.stdout).toMatch(/: 0 created, \d+ already there\.$/m);
    expect(resync.stdout).not.toMatch(/ created$/m);

    const fromMongo = path.join(dir, 'from-mongo.jsonl');
    const exported = await cli(['data', 'export', '--out', fromMongo], mongo);
    expect(exported.code).toBe(0);
    const back = path.join(dir, 'back');
    const intoEmbedded = await cli(['data', 'import', fromMongo], { DATA_DIR: back });
    expect(intoEmbedded.code).toBe(0);
    const fromBack = path.join(dir, 'from-back.jsonl');
    expect((await cli(['data', 'export', '--out', fromBack], { DATA_DIR: back })).code).toBe(0);

    // Same documents, collection by collection, by count and checksum, at every step.
    const original = filled(await readFile(fromEmbedded, 'utf8'));
    expect(Object.keys(original).length).toBeGreaterThanOrEqual(10);
    expect(filled(await readFile(fromMongo, 'utf8'))).toEqual(original);
    expect(filled(await readFile(fromBack, 'utf8'))).toEqual(original);

    // The bot on the moved store: the requests are there, and the next reference follows the last one.
    const moved = await start(back);
    try {
      for (const reference of references)
        expect((await moved.app.requests.get(reference))?.reference).toBe(reference);
      const last = Math.max(...references.map((r) => Number(r.slice(3))));
      const next = await fileRequest(moved.url, 'dora', 'a new keyboard');
      expect(Number(next.slice(3))).toBe(last + 1);
    } finally {
      await moved.stop();
    }
  }, 60_000);
});

describe('itbuddy db sync-indexes', () => {
  it('creates every index of a new embedded store once, then finds them there', async () => {
    const fresh = { DATA_DIR: path.join(dir, 'indexes') };
    const first = await cli(['db', 'sync-indexes'], fresh);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^requests +requests_\S+ +created$/m);
    expect(first.stdout).toMatch(/^web_messages +web_messages_kind_destination +created$/m);
    expect(first.stdout).not.toMatch(/already there$/m);
    const second = await cli(['db', 'sync-indexes'], fresh);
    expect(second.stdout).toMatch(/: 0 created, \d+ already there\.$/m);
    expect(second.stdout.split('\n').length).toBe(first.stdout.split('\n').length);
  });
});

describe('itbuddy data export to a file', () => {
  it('leaves no partial file behind and writes the file private to its owner', async () => {
    const file = path.join(dir, 'private.jsonl');
    await writeFile(file, 'old');
    expect((await cli(['data', 'export', '--out', file], { DATA_DIR: path.join(dir, 'first') })).code).toBe(
      0,
    );
    expect((await readFile(file, 'utf8')).startsWith('{"type":"manifest"')).toBe(true);
    await expect(readFile(`${file}.partial`)).rejects.toThrow(/ENOENT/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
