// `itbuddy backup DIR`: a consistent copy of the store, also while the bot runs. The embedded store is copied
// with SQLite's online backup (a database file that opens as a DATA_DIR); MongoDB is exported as JSON lines.
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type CliCommand, println, resolvePath, UsageError } from '../command.ts';
import { openCliStore } from '../core.ts';
import { exportTo } from './data.ts';

/** A file-name-safe time stamp, e.g. 2026-12-03T0105Z. */
function stamp(now: Date): string {
  return `${now.toISOString().slice(0, 16).replace(':', '')}Z`;
}

export const backupCommand: CliCommand = {
  name: ['backup'],
  summary: 'Copy the store consistently into a folder, also while the bot runs',
  usage: [
    '  itbuddy backup DIR',
    '',
    "  Embedded store: DIR/itbuddy-<time>.sqlite, made with SQLite's online backup. To restore, stop IT Buddy",
    '  and copy it as itbuddy.sqlite into an empty DATA_DIR.',
    '  MongoDB: DIR/itbuddy-<time>.jsonl, an export; restore it with `itbuddy data import FILE`.',
  ].join('\n'),
  usesStore: true,
  async run(args, io) {
    if (args.length !== 1 || !args[0] || args[0].startsWith('-'))
      throw new UsageError('Give the folder to write the backup to.');
    const dir = resolvePath(io, args[0]);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const { store, close } = await openCliStore(io);
    try {
      const base = path.join(dir, `itbuddy-${stamp(new Date())}`);
      if (store.backupTo) {
        const file = `${base}.sqlite`;
        // Copied under another name first, so a backup that fails half-way never looks complete.
        await store.backupTo(`${file}.partial`);
        await rename(`${file}.partial`, file).catch(async (error: unknown) => {
          await rm(`${file}.partial`, { force: true });
          throw error;
        });
        println(io.stdout, `Backed up the embedded store to ${file}.`);
        return 0;
      }
      const file = `${base}.jsonl`;
      const end = await exportTo(store, file, io);
      const documents = Object.values(end.collections).reduce((n, c) => n + c.count, 0);
      println(io.stdout, `Backed up the MongoDB store to ${file} (${documents} document(s)).`);
      return 0;
    } finally {
      await close();
    }
  },
};
