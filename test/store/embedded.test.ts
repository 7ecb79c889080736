// Runs the storage contract against the embedded SQLite engine, one temporary folder per store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { runDocumentStoreContract } from './document-store.contract.ts';

const folders: string[] = [];

runDocumentStoreContract(
  'embedded (SQLite)',
  async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-store-'));
    folders.push(dir);
    return openEmbeddedStore(dir);
  },
  async () => {
    await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  },
);
