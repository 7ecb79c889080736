// openStore picks the engine from the configuration and never blocks start-up on an unreachable MongoDB.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logging/logger.ts';
import { openStore } from '../../src/store/open-store.ts';

describe('openStore', () => {
  it('opens the embedded store in the configured folder when no MongoDB URI is set', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-open-store-'));
    const store = await openStore({ kind: 'embedded', dataDir }, silentLogger());
    expect(store.kind).toBe('embedded');
    // The folder holds the store's file; health (served on /readyz) does not tell where it is.
    expect(existsSync(path.join(dataDir, 'itbuddy.sqlite'))).toBe(true);
    expect(await store.health()).toEqual({ ok: true, detail: 'embedded store' });
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('returns the MongoDB store at once even when the server is unreachable', async () => {
    // Port 9 (discard) on loopback has no MongoDB; the store must still open and report itself not ready.
    const store = await openStore({ kind: 'mongo', uri: 'mongodb://127.0.0.1:9/itbuddy' }, silentLogger());
    expect(store.kind).toBe('mongo');
    expect((await store.health()).ok).toBe(false);
    await store.close();
  });
});
