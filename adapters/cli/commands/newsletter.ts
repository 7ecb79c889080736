// `itbuddy newsletter status|history|preview`: when the next issue goes out, what went out before (deliveries,
// failures, reactions), and exactly what the next issue will say. Sending is the server's job (or `newsletter
// send-now` in chat, for admins), since only the running server is connected to Slack and Teams.
import { ChannelRegistry } from '../../../src/channels/channel-adapter.ts';
import { StoreLockedError } from '../../../src/errors.ts';
import { loadKb } from '../../../src/kb/load-kb.ts';
import { buildIndex } from '../../../src/kb/search-index.ts';
import { createCronSchedule } from '../../../src/newsletter/cron-schedule.ts';
import { createNewsletterModule, type NewsletterModule } from '../../../src/newsletter/newsletter-module.ts';
import { createQuestionLog } from '../../../src/store/repositories/question-log.ts';
import { formatDayTime } from '../../../src/time/zoned-time.ts';
import { type CliCommand, type CliIo, println, unknownUse } from '../command.ts';
import { openCliStore, readConfig } from '../core.ts';
import { renderReplies } from '../render-text.ts';

/** Opens the store and the newsletter module (not started: no schedule runs in the CLI). */
async function withNewsletter<T>(io: CliIo, fn: (m: NewsletterModule) => Promise<T>): Promise<T> {
  const { config, logger, store, close } = await openCliStore(io);
  try {
    const kb = await loadKb(config.kb.dir);
    const index = buildIndex(kb.articles, kb.synonyms);
    const m = createNewsletterModule({
      config,
      logger,
      store,
      questions: createQuestionLog(store),
      kb: () => index,
      channels: new ChannelRegistry(),
    });
    return await fn(m);
  } finally {
    await close();
  }
}

export const newsletterCommand: CliCommand = {
  name: ['newsletter'],
  summary: 'Newsletter schedule, history and a preview of the next issue',
  usage: [
    '  itbuddy newsletter status   the schedule, the next issue time and the last issue',
    '  itbuddy newsletter history  recent issues: deliveries, failures, reactions',
    '  itbuddy newsletter preview  the next issue, exactly as it would be posted now',
  ].join('\n'),
  usesStore: true,
  async run(args, io) {
    const [verb = 'status', ...extra] = args;
    if (!['status', 'history', 'preview'].includes(verb) || extra.length > 0) {
      throw unknownUse('newsletter', args);
    }
    const config = readConfig(io);
    const tz = config.newsletter.timezone;
    if (verb === 'status') {
      const schedule = createCronSchedule(config.newsletter.cron, tz);
      const next = schedule.nextFire(new Date());
      schedule.dispose();
      println(io.stdout, `Schedule:     ${config.newsletter.cron} (${tz})`);
      println(
        io.stdout,
        `Next issue:   ${next ? `${formatDayTime(next, tz)} (${next.toISOString()})` : 'none'}`,
      );
      println(io.stdout, `Quiet weeks:  ${config.newsletter.quietWeek}`);
      println(io.stdout, `Catch-up:     ${config.newsletter.catchUpHours} h after a missed time`);
      try {
        await withNewsletter(io, async (m) => {
          const [last] = await m.service.recentIssues(1);
          println(io.stdout, `Destinations: ${(await m.service.destinations()).length}`);
          println(io.stdout, `Last issue:   ${last ? `${last.key} · ${last.status}` : 'none yet'}`);
        });
      } catch (error) {
        if (!(error instanceof StoreLockedError)) throw error;
        println(io.stdout, 'Last issue:   unknown (the running server holds the data folder)');
      }
      return 0;
    }
    return withNewsletter(io, async (m) => {
      if (verb === 'history') {
        println(io.stdout, renderReplies([{ type: 'text', text: await m.service.history(10) }]).text);
        return 0;
      }
      const slot = m.scheduler.status().nextRun ?? new Date();
      const composed = await m.service.compose(slot);
      const destinations = await m.service.destinations();
      println(
        io.stdout,
        destinations.length === 0
          ? `Preview of ${composed.issueKey}, due ${formatDayTime(slot, tz)} (${tz}). No channel gets the newsletter yet, so nothing will be posted: set NEWSLETTER_DESTINATIONS, or say "subscribe" in a Slack or Teams channel.`
          : `Preview of ${composed.issueKey}, going out ${formatDayTime(slot, tz)} (${tz}) to ${destinations.length} destination${destinations.length === 1 ? '' : 's'}.`,
      );
      println(io.stdout);
      if (composed.result.kind === 'skip')
        println(io.stdout, 'A quiet week with NEWSLETTER_QUIET_WEEK=skip: nothing will be posted.');
      else println(io.stdout, renderReplies(composed.result.replies).text);
      return 0;
    });
  },
};
