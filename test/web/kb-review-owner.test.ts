// /it/kb for an article's owner, over real HTTP: the owner's phrasings are listed however many other articles have.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLearnedPhrasingStore } from '../../src/store/repositories/learned-phrasings.ts';
import { fetchAs, startTestServer, type TestServer } from '../helpers/test-server.ts';

let kbDir: string;
let s: TestServer;
beforeAll(async () => {
  kbDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-owner-kb-'));
  await mkdir(kbDir, { recursive: true });
  const article = (title: string, owner: string) =>
    `---\ntitle: ${title}\nowner: ${owner}\n---\nA body that is long enough to count as an article.\n\n## Steps\n1. Go.\n`;
  await writeFile(
    path.join(kbDir, 'printer-jam.md'),
    article('Clear a printer jam', 'Service Desk, web:owen'),
  );
  await writeFile(path.join(kbDir, 'vpn-setup.md'), article('Set up the VPN', 'Network Team'));
  s = await startTestServer({ KB_DIR: kbDir, KB_WATCH: 'false', IT_STAFF: 'web:ivy' });
});
afterAll(async () => {
  await s?.stop();
  await rm(kbDir, { recursive: true, force: true });
});

it("lists an owner's proposed phrasing even when 500 newer ones belong to other articles", async () => {
  const phrasings = createLearnedPhrasingStore(s.app.store);
  await phrasings.record({
    articleId: 'printer-jam',
    text: 'paper stuck in the printer',
    source: 'thumbs-up',
    at: '2026-01-01T00:00:00.000Z',
  });
  await Promise.all(
    Array.from({ length: 500 }, (_, i) =>
      phrasings.record({
        articleId: 'vpn-setup',
        text: `vpn question number ${i}`,
        source: 'thumbs-up',
        at: '2026-02-01T00:00:00.000Z',
      }),
    ),
  );
  const owner = await fetchAs(s.url, 'owen', '/it/kb');
  expect(owner.status).toBe(200);
  const page = await owner.text();
  expect(page).toContain('paper stuck in the printer');
  expect(page).not.toContain('vpn question number');
  // IT staff still see everything, newest first.
  const staff = await (await fetchAs(s.url, 'ivy', '/it/kb')).text();
  expect(staff).toContain('vpn question number 0');
});
