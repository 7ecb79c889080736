// The live knowledge base: editing a file in the folder updates answers without a restart.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKbService, type KbService } from '../../src/kb/kb-service.ts';
import { silentLogger } from '../../src/logging/logger.ts';

const article = (title: string, text: string) =>
  `---\ntitle: ${title}\ntags: [test]\n---\n${text}\n\n## Steps\n1. Follow the steps on the screen.\n`;

let dir: string | undefined;
let service: KbService | undefined;
afterEach(async () => {
  service?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Polls until `check` passes or the attempts run out; the edit is picked up by the watcher, not by us. */
async function eventually(check: () => boolean, attempts = 100, everyMs = 50): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return check();
}

describe('createKbService', () => {
  it('rebuilds the index when an article changes on disk', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-watch-'));
    await writeFile(
      path.join(dir, 'printer.md'),
      article('Add a printer', 'Add the office printer to your laptop.'),
    );
    service = await createKbService({
      dir,
      watchFiles: true,
      minConfidence: undefined,
      logger: silentLogger(),
    });
    const top = () => service!.current().search('set up the plotter')?.hits[0]?.article.title;
    expect(top()).toBeUndefined();

    await writeFile(
      path.join(dir, 'printer.md'),
      article('Add a printer or plotter', 'Add the office printer or the large plotter to your laptop.'),
    );
    expect(await eventually(() => top() === 'Add a printer or plotter')).toBe(true);
  });

  it('picks up a new article file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-watch-'));
    await writeFile(
      path.join(dir, 'printer.md'),
      article('Add a printer', 'Add the office printer to your laptop.'),
    );
    service = await createKbService({
      dir,
      watchFiles: true,
      minConfidence: undefined,
      logger: silentLogger(),
    });
    await writeFile(
      path.join(dir, 'vpn.md'),
      article('Connect to the VPN', 'Open GlobalProtect and connect.'),
    );
    expect(await eventually(() => service!.current().get('vpn') !== undefined)).toBe(true);
    expect(service.current().articles).toHaveLength(2);
  });

  it('uses the general synonym list when the folder has none, and the folder’s own when it has one', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-synonyms-'));
    await writeFile(
      path.join(dir, 'wifi.md'),
      article('Join the office wifi', 'Pick the office wifi network and sign in.'),
    );
    const open = () =>
      createKbService({ dir: dir!, watchFiles: false, minConfidence: undefined, logger: silentLogger() });
    const concepts = (s: KbService) => s.current().explain('wireless')[0]?.terms.join(' ') ?? '';
    service = await open();
    // "wireless" is in the general list's wifi group, so it reaches the article's "wifi".
    expect(concepts(service)).toContain('~');
    service.close();

    await writeFile(path.join(dir, '_synonyms.yaml'), 'groups:\n  - [printer, plotter]\n');
    service = await open();
    expect(concepts(service)).not.toContain('~');
  });
});
