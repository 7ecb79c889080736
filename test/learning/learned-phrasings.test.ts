// The learned-phrasing repository on both engines, the guard that keeps secrets and personal data out, owner
// approval, the index picking approved phrasings up, and `itbuddy kb learned` including the export to git.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../adapters/cli/main.ts';
import { rolesFrom } from '../../src/bot/roles.ts';
import { createKbService } from '../../src/kb/kb-service.ts';
import { loadKb } from '../../src/kb/load-kb.ts';
import { createLearningService } from '../../src/learning/learning-service.ts';
import { phrasingRefusal } from '../../src/learning/phrasing-guard.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { DocumentStore } from '../../src/store/document-store.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { createLearnedPhrasingStore, phrasingId } from '../../src/store/repositories/learned-phrasings.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function embedded(): Promise<DocumentStore> {
  const store = openEmbeddedStore(await tempDir('itbuddy-learn-'));
  cleanups.push(() => store.close());
  return store;
}

/** Opens a fresh store of each engine available here (MongoDB only when TEST_MONGODB_URI is set). */
const engines: [string, () => Promise<DocumentStore>][] = [['embedded', embedded]];
const mongoUri = process.env.TEST_MONGODB_URI;
if (mongoUri) {
  const { openMongoStore } = await import('../../src/store/mongo/mongo-store.ts');
  const dbs: string[] = [];
  engines.push([
    'mongo',
    async () => {
      const dbName = `itbuddy_learn_${Date.now().toString(36)}_${dbs.length}`;
      dbs.push(dbName);
      const store = openMongoStore(mongoUri, { dbName });
      for (let i = 0; i < 150 && !(await store.health()).ok; i++)
        await new Promise((r) => setTimeout(r, 100));
      cleanups.push(() => store.close());
      return store;
    },
  ]);
  afterAll(async () => {
    const mongoose = (await import('mongoose')).default;
    const conn = await mongoose.createConnection(mongoUri).asPromise();
    for (const db of dbs) await conn.useDb(db).dropDatabase();
    await conn.close();
  });
}

describe.each(engines)('learned phrasings on the %s store', (_name, open) => {
  it('dedupes by article and normalised text, counts each sighting by source, and keeps decisions', async () => {
    const phrasings = createLearnedPhrasingStore(await open());
    const first = await phrasings.record({
      articleId: 'vpn-connect',
      text: 'How do I get on the VPN?',
      source: 'thumbs-up',
      at: '2026-11-01T10:00:00.000Z',
    });
    expect(first.created).toBe(true);
    expect(first.phrasing).toMatchObject({
      status: 'proposed',
      counts: { 'thumbs-up': 1, choice: 0, triage: 0 },
    });
    // Same words for another article: another phrasing.
    const other = await phrasings.record({
      articleId: 'vpn-troubleshooting',
      text: 'how do i get on the vpn',
      source: 'choice',
      at: '2026-11-01T10:01:00.000Z',
    });
    expect(other.created).toBe(true);
    // Concurrent sightings of the same phrasing all count.
    await Promise.all(
      ['choice', 'triage', 'choice'].map((source) =>
        phrasings.record({
          articleId: 'vpn-connect',
          text: 'how do I get on the vpn',
          source: source as 'choice' | 'triage',
          at: '2026-11-02T09:00:00.000Z',
        }),
      ),
    );
    const seen = await phrasings.get(phrasingId('vpn-connect', 'HOW DO I GET ON THE VPN'));
    expect(seen).toMatchObject({
      text: 'How do I get on the VPN?',
      source: 'thumbs-up',
      counts: { 'thumbs-up': 1, choice: 2, triage: 1 },
      firstSeenAt: '2026-11-01T10:00:00.000Z',
      lastSeenAt: '2026-11-02T09:00:00.000Z',
    });

    const decided = await phrasings.decide(seen!.id, 'approved', 'web:ivy', '2026-11-03T00:00:00.000Z');
    expect(decided).toMatchObject({ status: 'approved', decidedBy: 'web:ivy' });
    // A later sighting counts but does not reopen the decision.
    await phrasings.record({
      articleId: 'vpn-connect',
      text: 'how do I get on the VPN',
      source: 'choice',
      at: '2026-11-04T00:00:00.000Z',
    });
    expect((await phrasings.list({ status: 'approved' })).map((p) => [p.id, p.counts.choice])).toEqual([
      [seen!.id, 3],
    ]);
    expect((await phrasings.list({ status: 'proposed' })).map((p) => p.articleId)).toEqual([
      'vpn-troubleshooting',
    ]);
    expect(
      await phrasings.decide('000000000000', 'rejected', 'cli', '2026-11-03T00:00:00.000Z'),
    ).toBeUndefined();
  });
});

describe('what may become a phrasing', () => {
  it('refuses secrets, masked text and personal data, and lets ordinary questions and product names through', () => {
    const known = new Set(['outlook', 'okta', 'zoom', 'vpn']);
    const isKnown = (w: string) => known.has(w.toLowerCase());
    const refused: [string, string][] = [
      ['my password is Hunter2! and it does not work', 'secret'],
      ['reset code 123456 did not arrive', 'secret'],
      ['my [password hidden] stopped working', 'secret'],
      ['api key sk-proj-abcdefghijklmnop1234 leaked', 'secret'],
      ['email anna.berg@example.com cannot log in', 'email'],
      ['please ask <@U012AB3CD> about the vpn', 'email'],
      ['call me on +44 7700 900123 about my laptop', 'phone'],
      ['my employee number 4471932 is not in okta', 'phone'],
      ['badge 88213 does not open the door', 'number'],
      ['vpn drops on 10.0.12.7 every hour', 'address'],
      ['see https://intranet.example.com/page for my error', 'link'],
      ['reset the password for Anna Berg', 'name'],
      ['set up outlook for my manager Tom', 'name'],
      ['hi', 'length'],
    ];
    for (const [text, reason] of refused)
      expect([text, phrasingRefusal(text, isKnown)]).toEqual([text, reason]);
    for (const ok of [
      'how do I set up Outlook for my phone',
      'VPN keeps kicking me out from home',
      'the password reset page will not load',
      'my PIN pad is broken',
      'error code 404 on the Okta page',
      'need Zoom for a client call',
    ])
      expect([ok, phrasingRefusal(ok, isKnown)]).toEqual([ok, undefined]);
  });
});

/** A knowledge base of two articles, one owned by `web:olga`. */
async function smallKb(): Promise<string> {
  const dir = await tempDir('itbuddy-learn-kb-');
  await writeFile(
    path.join(dir, 'vpn-connect.md'),
    `---
# The VPN article: keep the questions short.
title: Connect to the VPN
tags: [vpn, remote]
questions:
  - how do I connect to the vpn
  - vpn from home
owner: Network Team, web:olga
updated: 2026-10-01
---
Use GlobalProtect to reach internal sites from outside the office network.

## Steps
1. Open GlobalProtect from the menu bar.
2. Sign in with Okta and approve the push.
`,
  );
  await writeFile(
    path.join(dir, 'printer-add.md'),
    `---
title: Add a printer
tags: [printer]
questions: [add a printer, install the office printer]
owner: Workplace Tech
---
Printers are added from Self Service on every company laptop.

## Steps
1. Open Self Service and choose PaperCut printers.
`,
  );
  return dir;
}

describe('approving phrasings', () => {
  it('lets IT staff and the article’s owner decide, refuses anyone else, and re-indexes on every decision', async () => {
    const dir = await smallKb();
    const kb = await createKbService({
      dir,
      watchFiles: false,
      minConfidence: undefined,
      logger: silentLogger(),
    });
    cleanups.push(async () => kb.close());
    const learning = createLearningService({
      phrasings: createLearnedPhrasingStore(await embedded()),
      kb,
      logger: silentLogger(),
    });
    const question = 'cannot reach the intranet when working from my kitchen table';
    expect(
      kb.current().search(question).hits[0]?.article.id === 'vpn-connect' &&
        kb.current().search(question).answered,
    ).toBe(false);

    const proposed = await learning.propose({ articleId: 'vpn-connect', text: question, source: 'choice' });
    expect(proposed.kind).toBe('proposed');
    const id = proposed.kind === 'proposed' ? proposed.phrasing.id : '';
    expect(
      await learning.propose({ articleId: 'vpn-connect', text: 'VPN from home!', source: 'choice' }),
    ).toEqual({ kind: 'known' });
    expect(await learning.propose({ articleId: 'nope', text: question, source: 'choice' })).toEqual({
      kind: 'unknown-article',
    });

    const nobody = { userKey: 'web:pat', roles: rolesFrom(new Set()) };
    const olga = { userKey: 'web:olga', roles: rolesFrom(new Set()) };
    const staff = { userKey: 'slack:UIVY', roles: rolesFrom(new Set(['it_staff'])) };
    expect(await learning.decide(id, 'approved', nobody)).toEqual({ kind: 'forbidden' });
    expect(learning.mayDecide(olga, 'printer-add')).toBe(false);
    const byOwner = await learning.decide(id, 'approved', olga);
    expect(byOwner).toMatchObject({
      kind: 'decided',
      changed: true,
      phrasing: { status: 'approved', decidedBy: 'web:olga' },
    });
    const outcome = kb.current().search(question);
    expect([outcome.answered, outcome.hits[0]?.article.id]).toEqual([true, 'vpn-connect']);
    // Approved, it is among the article's questions in the index, yet later sightings still count.
    expect(
      await learning.propose({ articleId: 'vpn-connect', text: question, source: 'thumbs-up' }),
    ).toMatchObject({
      kind: 'counted',
      phrasing: { status: 'approved', counts: { choice: 1, 'thumbs-up': 1 } },
    });

    // A reload from disk keeps the approved phrasing in the index.
    await kb.reload();
    expect(kb.current().search(question).answered).toBe(true);
    expect(await learning.decide(id, 'rejected', staff)).toMatchObject({ kind: 'decided', changed: true });
    expect(kb.current().search(question).answered).toBe(false);
  });
});

async function cli(args: string[], env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += String(d);
  });
  stderr.on('data', (d) => {
    err += String(d);
  });
  const code = await runCli(args, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { LOG_LEVEL: 'silent', ...env },
    interactive: false,
  });
  return { code, out, err };
}

describe('itbuddy kb learned', () => {
  it('lists, approves and rejects, and exports approved phrasings into the front matter keeping the rest', async () => {
    const kbDir = await smallKb();
    const dataDir = await tempDir('itbuddy-learn-data-');
    const env = { KB_DIR: kbDir, DATA_DIR: dataDir };
    {
      const store = openEmbeddedStore(dataDir);
      const phrasings = createLearnedPhrasingStore(store);
      const at = '2026-11-01T10:00:00.000Z';
      await phrasings.record({
        articleId: 'vpn-connect',
        text: 'working from the kitchen table, intranet is dead',
        source: 'triage',
        at,
      });
      await phrasings.record({
        articleId: 'vpn-connect',
        text: 'globalprotect "connecting" forever',
        source: 'choice',
        at: '2026-11-01T11:00:00.000Z',
      });
      await phrasings.record({
        articleId: 'printer-add',
        text: 'get the new printer on my mac',
        source: 'thumbs-up',
        at,
      });
      await phrasings.record({ articleId: 'printer-add', text: 'printer thing', source: 'choice', at });
      await store.close();
    }
    const listed = await cli(['kb', 'learned', 'list'], env);
    expect(listed.code).toBe(0);
    const ids = Object.fromEntries(
      listed.out
        .trim()
        .split('\n')
        .map((l) => [l.split('\t')[5], l.split('\t')[0]]),
    );
    expect(Object.keys(ids)).toHaveLength(4);

    for (const text of [
      'working from the kitchen table, intranet is dead',
      'globalprotect "connecting" forever',
      'get the new printer on my mac',
    ])
      expect((await cli(['kb', 'learned', 'approve', ids[text]!], env)).out).toMatch(/^✓ Approved/);
    expect((await cli(['kb', 'learned', 'reject', ids['printer thing']!], env)).out).toMatch(/^✓ Rejected/);
    const missing = await cli(['kb', 'learned', 'approve', 'ffffffffffff'], env);
    expect([missing.code, missing.err]).toEqual([
      1,
      expect.stringMatching(/No learned phrasing has the id ffffffffffff/),
    ]);
    expect(
      (await cli(['kb', 'learned', 'list', '--status', 'approved'], env)).out.trim().split('\n'),
    ).toHaveLength(3);

    const vpnBefore = await readFile(path.join(kbDir, 'vpn-connect.md'), 'utf8');
    const dry = await cli(['kb', 'learned', 'export', '--dry-run'], env);
    expect(dry.out).toMatch(/Would add 3 question\(s\)/);
    expect(await readFile(path.join(kbDir, 'vpn-connect.md'), 'utf8')).toBe(vpnBefore);

    const exported = await cli(['kb', 'learned', 'export'], env);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/Added 3 question\(s\) from 3 approved phrasing\(s\)/);
    const vpn = await readFile(path.join(kbDir, 'vpn-connect.md'), 'utf8');
    // Comment, order, other fields and the body survive; the questions grew by two.
    expect(vpn).toBe(
      vpnBefore.replace(
        '  - vpn from home\n',
        `  - vpn from home\n  - working from the kitchen table, intranet is dead\n  - globalprotect "connecting" forever\n`,
      ),
    );
    const printer = await readFile(path.join(kbDir, 'printer-add.md'), 'utf8');
    expect(printer).toContain(
      'questions: [add a printer, install the office printer, get the new printer on my mac]',
    );
    const reloaded = await loadKb(kbDir);
    expect(reloaded.problems).toEqual([]);
    expect(reloaded.articles.find((a) => a.id === 'vpn-connect')?.questions).toHaveLength(4);

    // Exporting again adds nothing.
    expect((await cli(['kb', 'learned', 'export'], env)).out).toMatch(/Added 0 question\(s\)/);
  });
});

describe('the clarify hook', () => {
  it('proposes a picked article with one call and never throws', async () => {
    const dir = await smallKb();
    const kb = await createKbService({
      dir,
      watchFiles: false,
      minConfidence: undefined,
      logger: silentLogger(),
    });
    cleanups.push(async () => kb.close());
    const store = await embedded();
    const learning = createLearningService({
      phrasings: createLearnedPhrasingStore(store),
      kb,
      logger: silentLogger(),
    });
    await learning.onArticleChosen({
      question: 'office printer missing on my laptop',
      articleId: 'printer-add',
      userKey: 'web:a',
    });
    expect((await learning.list()).map((p) => [p.articleId, p.source])).toEqual([['printer-add', 'choice']]);
    await store.close();
    // The store is gone: the hook logs and returns.
    await expect(
      learning.onArticleChosen({
        question: 'printer gone again',
        articleId: 'printer-add',
        userKey: 'web:a',
      }),
    ).resolves.toBeUndefined();
  });
});
