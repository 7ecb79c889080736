// `itbuddy kb learned [list|approve ID|reject ID|export]`: reviews the phrasings IT Buddy learned from use, and
// writes the approved ones into the articles' front matter so the knowledge base in git keeps them.
import { parseArgs } from 'node:util';
import { loadKb } from '../../../src/kb/load-kb.ts';
import { exportToArticle } from '../../../src/learning/kb-export.ts';
import {
  createLearnedPhrasingStore,
  type LearnedPhrasing,
  type PhrasingStatus,
  phrasingStatuses,
} from '../../../src/store/repositories/learned-phrasings.ts';
import { type CliCommand, println, UsageError, unknownUse } from '../command.ts';
import { openCliStore } from '../core.ts';

const usage = [
  '  itbuddy kb learned [list] [--status proposed|approved|rejected|all] [--json]',
  '  itbuddy kb learned approve ID',
  '  itbuddy kb learned reject ID',
  '  itbuddy kb learned export [DIR] [--dry-run]',
  '',
  '  list     phrasings learned from use (default: those waiting for a decision), newest first',
  '  approve  count the phrasing as one of its article’s questions (a running server picks it up within a minute)',
  '  reject   never use it (it stays recorded, so it is not proposed again)',
  '  export   write approved phrasings into the articles’ front matter `questions` in DIR',
  '           (default: KB_DIR); the rest of each file is kept as it was',
  '',
  '  Reads the configured store; with the embedded store and the server running, the server does it for the command.',
].join('\n');

function line(p: LearnedPhrasing): string {
  const seen = Object.entries(p.counts)
    .filter(([, n]) => n > 0)
    .map(([source, n]) => `${n}×${source}`)
    .join(' ');
  return `${p.id}\t${p.status}\t${p.articleId}\t${seen}\t${p.lastSeenAt.slice(0, 10)}\t${p.text}`;
}

export const kbLearnedCommand: CliCommand = {
  name: ['kb', 'learned'],
  summary: 'Review phrasings learned from use; export approved ones into the articles',
  usage,
  // Runs inside a running server on the embedded store, whose knowledge base then re-indexes at once.
  usesStore: true,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        status: { type: 'string', default: 'proposed' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
      },
    });
    const [verb = 'list', target, ...extra] = positionals;
    if (!['list', 'approve', 'reject', 'export'].includes(verb)) throw unknownUse('kb learned', [verb]);
    if ((verb === 'approve' || verb === 'reject') && (!target || extra.length > 0))
      throw new UsageError(
        `Give one phrasing id, as \`itbuddy kb learned list\` shows it: kb learned ${verb} ID`,
      );
    if ((verb === 'list' && target) || (verb === 'export' && extra.length > 0))
      throw new UsageError(`Unexpected argument: ${[target, ...extra].filter(Boolean).join(' ')}`);
    const status = values.status === 'all' ? undefined : phrasingStatuses.find((s) => s === values.status);
    if (values.status !== 'all' && !status)
      throw new UsageError(
        `--status: expected proposed, approved, rejected or all (got "${values.status}").`,
      );

    const { config, logger, store, close } = await openCliStore(io);
    try {
      const phrasings = createLearnedPhrasingStore(store);
      if (verb === 'list') {
        const rows = await phrasings.list(status ? { status: status as PhrasingStatus } : {});
        if (values.json) {
          println(io.stdout, JSON.stringify(rows, null, 2));
          return 0;
        }
        if (rows.length === 0) println(io.stdout, `No ${status ?? ''} learned phrasings.`.replace('  ', ' '));
        for (const p of rows) println(io.stdout, line(p));
        return 0;
      }
      if (verb === 'approve' || verb === 'reject') {
        const id = target!.trim().toLowerCase();
        const decided = await phrasings.decide(
          id,
          verb === 'approve' ? 'approved' : 'rejected',
          'cli',
          new Date().toISOString(),
        );
        if (!decided) {
          println(
            io.stderr,
            `✗ No learned phrasing has the id ${id}. See \`itbuddy kb learned list --status all\`.`,
          );
          return 1;
        }
        logger.info({ phrasingId: id, verdict: decided.status }, 'Phrasing decided (CLI)');
        // In a running server the decision counts in its live index now, not at the next periodic refresh.
        await io.shared?.app.learning.refresh();
        println(
          io.stdout,
          `✓ ${decided.status === 'approved' ? 'Approved' : 'Rejected'}: “${decided.text}” (${decided.articleId})`,
        );
        return 0;
      }
      // export
      const dir = target ?? config.kb.dir;
      const kb = await loadKb(dir);
      const approved = await phrasings.list({ status: 'approved', limit: 100_000 });
      const byArticle = new Map<string, LearnedPhrasing[]>();
      for (const p of [...approved].sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt)))
        byArticle.set(p.articleId, [...(byArticle.get(p.articleId) ?? []), p]);
      let added = 0;
      let failed = 0;
      for (const [articleId, list] of [...byArticle].sort(([a], [b]) => a.localeCompare(b))) {
        const article = kb.articles.find((a) => a.id === articleId);
        if (!article) {
          println(io.stdout, `! ${articleId}: not in ${dir}; ${list.length} phrasing(s) left out`);
          failed += list.length;
          continue;
        }
        const result = await exportToArticle(dir, article, list, { dryRun: values['dry-run'] });
        added += result.added.length;
        failed += result.skipped.length;
        if (result.added.length > 0)
          println(
            io.stdout,
            `${values['dry-run'] ? '~' : '✓'} ${result.file}: ${result.added.length} question(s) added`,
          );
        for (const s of result.skipped)
          println(io.stdout, `! ${result.file}: “${s.text}” left out: ${s.reason}`);
      }
      println(
        io.stdout,
        `${values['dry-run'] ? 'Would add' : 'Added'} ${added} question(s) from ${approved.length} approved phrasing(s)${failed ? `; ${failed} left out` : ''}.`,
      );
      return 0;
    } finally {
      await close();
    }
  },
};
