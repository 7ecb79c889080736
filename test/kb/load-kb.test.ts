// Loading a folder: every problem is collected with its file, and the good articles are still used.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKb } from '../../src/kb/load-kb.ts';

const article = (title: string, id?: string) =>
  `---\n${id ? `id: ${id}\n` : ''}title: ${title}\ntags: [test]\n---\nAn intro of a reasonable length for the test.\n\n## Steps\n1. One step.\n`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-kb-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadKb', () => {
  it('collects a duplicate id, an empty body and bad YAML, and keeps the valid articles', async () => {
    await writeFile(path.join(dir, 'vpn.md'), article('Connect to the VPN'));
    await writeFile(path.join(dir, 'vpn-again.md'), article('Connect to the VPN again', 'vpn'));
    await mkdir(path.join(dir, 'more'));
    await writeFile(path.join(dir, 'more', 'printer.md'), article('Add a printer'));
    await writeFile(path.join(dir, 'empty.md'), '---\ntitle: Nothing here\n---\n\n');
    await writeFile(
      path.join(dir, 'broken.md'),
      '---\ntitle: "unclosed\n---\nBody text that is long enough.\n',
    );
    await writeFile(path.join(dir, 'README.md'), '# Not an article');
    const kb = await loadKb(dir);
    expect(kb.articles.map((a) => a.id).sort()).toEqual(['printer', 'vpn']);
    expect(kb.problems).toHaveLength(3);
    expect(kb.problems.find((p) => p.startsWith('broken.md'))).toContain('not valid YAML');
    expect(kb.problems.find((p) => p.startsWith('empty.md'))).toContain('body is empty');
    expect(kb.problems.find((p) => p.startsWith('vpn.md'))).toContain(
      '"vpn" is already used by vpn-again.md',
    );
  });

  it('reads synonym groups from _synonyms.yaml and reports a malformed one', async () => {
    await writeFile(path.join(dir, 'vpn.md'), article('Connect to the VPN'));
    await writeFile(path.join(dir, '_synonyms.yaml'), 'groups:\n  - [VPN, GlobalProtect]\n  - [alone]\n');
    expect((await loadKb(dir)).synonyms).toEqual([['vpn', 'globalprotect']]);
    await writeFile(path.join(dir, '_synonyms.yaml'), 'words: [a, b]\n');
    expect((await loadKb(dir)).problems).toEqual(['_synonyms.yaml: expected a "groups:" list of word lists']);
  });
});
