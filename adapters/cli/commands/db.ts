// `itbuddy db sync-indexes`: creates every collection's indexes on the configured store (idempotent) and says
// which it created and which were there already. Useful after moving house or when an index was dropped.
import { registerAllCollections } from '../collection-catalog.ts';
import { type CliCommand, println, unknownUse } from '../command.ts';
import { openCliStore } from '../core.ts';

export const dbCommand: CliCommand = {
  name: ['db'],
  summary: 'Create the indexes of every collection (idempotent) and list them',
  usage: [
    '  itbuddy db sync-indexes',
    '',
    '  Prints one line per index: created now, or already there. Safe to run at any time, also while the',
    '  server runs.',
  ].join('\n'),
  usesStore: true,
  async run(args, io) {
    if (args.length !== 1 || args[0] !== 'sync-indexes') throw unknownUse('db', args);
    // "created" means made by this command: not by the running server when it started, if it runs this for us.
    const since = new Date();
    const { store, close } = await openCliStore(io);
    try {
      registerAllCollections(store);
      const reports = await store.syncIndexes({ since });
      const sorted = [...reports].sort(
        (a, b) => a.collection.localeCompare(b.collection) || a.index.localeCompare(b.index),
      );
      const width = Math.max(0, ...sorted.map((r) => r.collection.length));
      for (const r of sorted)
        println(
          io.stdout,
          `${r.collection.padEnd(width)}  ${r.index}  ${r.created ? 'created' : 'already there'}`,
        );
      const created = reports.filter((r) => r.created).length;
      println(
        io.stdout,
        `${reports.length} index(es) on the ${store.kind === 'mongo' ? 'MongoDB' : 'embedded'} store: ${created} created, ${reports.length - created} already there.`,
      );
      return 0;
    } finally {
      await close();
    }
  },
};
