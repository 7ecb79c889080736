// The generated session secret when starts race on a fresh DATA_DIR: every start gets the same secret, and none
// reads the file while another is still writing it. Writing is slowed down here (the file exists, empty, for a
// moment before its content lands), as a busy disk or another process can make it, so the race really happens.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    // Creates the file first, then writes its content a little later, as a slow write would show it to others.
    writeFile: async (file: string, data: string, options: { flag?: string; mode?: number }) => {
      await actual.writeFile(file, '', options);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await actual.writeFile(file, data, { mode: options.mode });
    },
  };
});

const { loadSessionSecret, sessionSecretFile } = await import('../../adapters/web/session-secret.ts');

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-secret-race-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the generated session secret', () => {
  it('is the same for starts racing on a fresh DATA_DIR, and never read half-written', async () => {
    const secrets = await Promise.all(Array.from({ length: 4 }, () => loadSessionSecret(undefined, dataDir)));
    expect(new Set(secrets).size).toBe(1);
    expect((await readFile(path.join(dataDir, sessionSecretFile), 'utf8')).trim()).toBe(secrets[0]);
    // The drafts each start wrote are gone.
    expect(await readdir(dataDir)).toEqual([sessionSecretFile]);
  });
});
