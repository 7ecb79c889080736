// What the Slack adapter listens to, each turned into one neutral IncomingMessage for the core: direct messages,
// @mentions (answered in the thread), /itbuddy, button clicks, modal submissions, the "Create IT request" message
// shortcut and the App Home tab. Every listener acknowledges first and works after; one failing never stops others.
import type { App as BoltApp } from '@slack/bolt';
import type { App } from '../../src/app.ts';
import { copy } from '../../src/bot/copy.ts';
import { resolveRoles } from '../../src/bot/roles.ts';
import { parseDestinations, parseRoutes } from '../../src/intake/routing.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { type Conversation, type IncomingMessage, type User, userKey } from '../../src/messages/incoming.ts';
import { escapeMarkdown } from '../../src/messages/markdown.ts';
import { type Form, type Reply, reply } from '../../src/messages/replies.ts';
import type { ReplyStream } from '../../src/messages/reply-stream.ts';
import type { ProcessedEvents } from '../../src/store/repositories/processed-events.ts';
import { type FormOrigin, formCallbackId, modalErrors, readSubmission } from './form-modal.ts';
import { buildHomeView } from './home-view.ts';
import { feedbackAction, neutralActionId, slackActions } from './render-blocks.ts';
import type { WebClient } from './slack-clients.ts';
import { type Delivery, isExpiredTrigger } from './slack-delivery.ts';
import { fromSlackText } from './slack-mrkdwn.ts';
import { createSlackStream, defaultStreamOptions, type SlackStreamOptions } from './slack-stream.ts';
import { parseSlashCommand, slashCommand, usageText } from './slash-command.ts';
import { type SuggestedPrompt, suggestedPrompts } from './suggested-prompts.ts';
import { workTurn } from './work-after-acks.ts';
import {
  maySee,
  plainRequestEntity,
  requestEntity,
  requestReferenceOf,
  unfurlShowsRequest,
} from './work-objects.ts';

/** The callback id of the "Create IT request" message shortcut (declared in the manifest). */
export const createRequestShortcut = 'create_it_request';

/** Timings of the listeners; tests may shorten them. */
export interface ListenerTiming {
  /** How long a modal submission waits for the core before closing the modal and answering by DM (ms). */
  submitDeadlineMs: number;
  /** How long to wait for users.info before going on without the name (ms). */
  userLookupMs: number;
  /** How long to wait for chat.getPermalink in the shortcut before going on without the link (ms). */
  permalinkMs: number;
  /** How long the Messages tab's suggested prompts are reused before the question log is read again (ms). */
  promptsRefreshMs: number;
}

export const defaultTiming: ListenerTiming = {
  submitDeadlineMs: 2_500,
  userLookupMs: 1_500,
  permalinkMs: 1_000,
  promptsRefreshMs: 300_000,
};

export interface ListenerDeps {
  app: App;
  bolt: BoltApp;
  client: WebClient;
  /**
   * The client for streamed answers: it never waits out a 429, so a rate-limited stream falls back at once to
   * posting the whole answer with `client`, instead of holding the answer back for Slack's Retry-After.
   */
  streamClient?: WebClient;
  delivery: Delivery;
  processed: ProcessedEvents;
  logger: Logger;
  timing: ListenerTiming;
  /** Pacing of streamed answers (tests and the bench may change it). */
  streaming?: SlackStreamOptions;
}

type Loose = Record<string, unknown>;

const asLoose = (v: unknown): Loose => (v !== null && typeof v === 'object' ? (v as Loose) : {});
const asString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Resolves with the promise's value, or `undefined` once `ms` have passed; the timer never outlives the race. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The neutral kind of a Slack conversation from its id and whatever type hint the payload carries. */
export function conversationKind(channelId: string, hint?: string): Conversation['kind'] {
  if (hint === 'im' || hint === 'directmessage' || channelId.startsWith('D')) return 'personal';
  if (hint === 'mpim' || hint?.startsWith('mpdm-')) return 'group';
  return 'channel';
}

/** Message subtypes a person produces; everything else (edits, deletions, joins, bots) is not for answering. */
const personSubtypes = new Set([undefined, 'file_share', 'thread_broadcast']);

/** True for a message a person wrote now: not a bot (ourselves included), not an edit or deletion. */
export function isPersonMessage(event: Loose): boolean {
  if (event.bot_id !== undefined || event.bot_profile !== undefined) return false;
  if (!personSubtypes.has(event.subtype as string | undefined)) return false;
  if (event.edited !== undefined || event.hidden === true) return false;
  return typeof event.user === 'string';
}

/** True for the events a listener below acts on; the rest are dropped before the dedupe claim. */
export function wantsEvent(event: Loose): boolean {
  switch (event.type) {
    case 'message':
      return event.channel_type === 'im' && isPersonMessage(event);
    case 'app_mention':
      return isPersonMessage(event);
    case 'app_home_opened':
      return event.tab === 'home' || event.tab === 'messages';
    default:
      return true;
  }
}

/** Registers every listener on the Bolt app. */
export function registerListeners(deps: ListenerDeps): void {
  const { app, bolt, client, delivery, processed, logger, timing } = deps;
  const streaming = deps.streaming ?? defaultStreamOptions;
  // Agent threads already given a title (bounded: a forgotten one is only titled again).
  const titled = new Set<string>();
  // `known` is set once users.info answered, so a cached person costs no timer and no promise race.
  const users = new Map<string, { at: number; user: Promise<User>; known?: User }>();

  /** The person behind a Slack user id, with name and email when users.info answers in time (cached an hour). */
  async function userOf(id: string, fallbackName?: string): Promise<User> {
    const cached = users.get(id);
    if (cached && Date.now() - cached.at < 3_600_000) return cached.known ?? cached.user;
    const lookup = client.users
      .info({ user: id })
      .then((res): User => {
        const profile = asLoose(asLoose(res.user).profile);
        const name =
          asString(profile.display_name) ?? asString(profile.real_name) ?? asString(asLoose(res.user).name);
        const email = asString(profile.email);
        const user: User = {
          id,
          ...(name ? { name: name.slice(0, 200) } : {}),
          ...(email ? { email: email.slice(0, 320) } : {}),
        };
        const entry = users.get(id);
        if (entry?.user === lookup) entry.known = user;
        return user;
      })
      .catch((error: unknown): User => {
        // Remember the miss for a few minutes, so a missing scope or an outage is not retried on every message.
        users.set(id, { at: Date.now() - 3_300_000, user: lookup });
        logger.warn({ err: error }, 'Slack users.info failed; going on without the name');
        return { id, ...(fallbackName ? { name: fallbackName } : {}) };
      });
    if (users.size > 5_000) users.clear();
    users.set(id, { at: Date.now(), user: lookup });
    const result = await within(lookup, timing.userLookupMs);
    return result?.value ?? { id, ...(fallbackName ? { name: fallbackName } : {}) };
  }

  /** Runs a listener body; failures are logged with the stack and, where we can, the person is told kindly. */
  async function guarded(
    what: string,
    work: () => Promise<void>,
    tell?: (replies: Reply[]) => Promise<unknown>,
  ) {
    try {
      await work();
    } catch (error) {
      logger.error({ err: error, listener: what }, 'Slack listener failed');
      if (tell) await tell([reply.notice('error', copy.somethingWrong)]).catch(() => undefined);
    }
  }

  /** Where replies to an interaction go: a modal for the first form, the rest ephemeral, in the DM, or as a DM. */
  interface InteractiveTarget {
    userId: string;
    triggerId?: string | undefined;
    origin: FormOrigin | undefined;
    /** Ephemeral answers through this response_url (slash commands, shortcuts, clicks in channels). */
    responseUrl?: string | undefined;
    /** Post in this DM channel (clicks in a DM), in the thread when there is one. */
    dm?: { channel: string; threadTs?: string | undefined } | undefined;
  }

  async function sendTo(target: InteractiveTarget, replies: Reply[]): Promise<void> {
    if (replies.length === 0) return;
    if (target.dm) {
      await delivery.postWith(client, target.dm.channel, replies, target.dm.threadTs);
      return;
    }
    if (target.responseUrl) {
      try {
        await delivery.respond(target.responseUrl, replies);
        return;
      } catch (error) {
        logger.warn({ err: error }, 'Slack response_url failed; answering by DM instead');
      }
    }
    await delivery.postWith(client, await delivery.dmChannel(client, target.userId), replies);
  }

  async function deliverInteractive(target: InteractiveTarget, replies: Reply[]): Promise<void> {
    const form = replies.find((r): r is Form => r.type === 'form');
    let rest = replies;
    if (form && target.triggerId) {
      try {
        await delivery.openModal(target.triggerId, form, target.origin);
        rest = replies.filter((r) => r !== form);
      } catch (error) {
        const expired = isExpiredTrigger(error);
        if (expired) logger.info('Slack trigger expired before the form opened; sent a button instead');
        else logger.error({ err: error }, 'Slack views.open failed');
        const why = expired
          ? 'The form took a moment too long to open.'
          : "I couldn't open the form just now.";
        rest = [reply.notice('info', `${why} Press **Open form** to carry on.`), ...replies];
      }
    }
    await sendTo(target, rest);
  }

  async function handle(message: IncomingMessage, stream?: ReplyStream): Promise<Reply[]> {
    return app.bot.handle(message, stream ? { stream } : undefined);
  }

  // Redelivered events (HTTP retries with x-slack-retry-num, Socket Mode replays) are handled once across replicas.
  bolt.use(async ({ body, context, next }) => {
    const eventId = asString(asLoose(body).event_id);
    // Events no listener answers (other bots, edits, the Messages tab) need no claim: skip the store write.
    if (eventId && !wantsEvent(asLoose(asLoose(body).event))) return;
    if (eventId) {
      await workTurn();
      let first = true;
      try {
        first = await processed.claim('slack', eventId);
      } catch (error) {
        // Answering twice is better than never: without the store, go on.
        logger.warn({ err: error }, 'Could not claim a Slack event id; handling it anyway');
      }
      if (!first) {
        logger.info(
          { eventId, retryNum: context.retryNum, retryReason: context.retryReason },
          'Ignored a redelivered Slack event',
        );
        return;
      }
    }
    await next();
  });

  /** Titles an agent thread after the first question in it, so the Messages tab lists requests by what they are. */
  function titleThread(channel: string, threadTs: string, text: string): void {
    const key = `${channel}:${threadTs}`;
    if (titled.has(key) || !text.trim()) return;
    if (titled.size > 10_000) titled.clear();
    titled.add(key);
    const title = text.replace(/\s+/g, ' ').trim();
    void client.assistant.threads
      .setTitle({
        channel_id: channel,
        thread_ts: threadTs,
        title: title.length > 60 ? `${title.slice(0, 59)}…` : title,
      })
      .catch((error: unknown) => logger.debug({ err: error }, 'Slack setTitle failed'));
  }

  // The most asked topics change slowly: worked out at most every five minutes, not on every tab opening.
  let prompts: { at: number; value: Promise<SuggestedPrompt[]> } | undefined;

  /** Pins the suggested prompts: the most asked topics, or the defaults on a new install. */
  async function pinPrompts(channel: string, threadTs?: string): Promise<void> {
    if (!prompts || Date.now() - prompts.at >= timing.promptsRefreshMs) {
      const value = suggestedPrompts({ questions: app.questions, index: app.kb.current(), now: new Date() });
      prompts = { at: Date.now(), value };
      value.catch(() => {
        prompts = undefined;
      });
    }
    await client.assistant.threads.setSuggestedPrompts({
      channel_id: channel,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      title: 'Popular with your colleagues:',
      prompts: await prompts.value,
    });
  }

  async function answerConversation(
    event: Loose,
    botUserId: string | undefined,
    inThread: boolean,
    teamId?: string,
  ): Promise<void> {
    const channel = asString(event.channel);
    const userId = asString(event.user);
    if (!channel || !userId) return;
    const threadTs = inThread ? (asString(event.thread_ts) ?? asString(event.ts)) : asString(event.thread_ts);
    const raw = typeof event.text === 'string' ? event.text : '';
    // Without the bot's own id (Slack unreachable at start), a mention's leading @IT Buddy is still dropped.
    const unmentioned = botUserId || !inThread ? raw : raw.replace(/^\s*<@[UW][A-Z0-9]+(\|[^>]*)?>/, '');
    const text = fromSlackText(unmentioned, botUserId ? { dropUser: botUserId } : {});
    const kind = conversationKind(channel, asString(event.channel_type));
    // A DM thread is a Messages-tab (agent) thread: it gets a title and a status while IT Buddy works.
    const agentThread = kind === 'personal' && threadTs !== undefined;
    if (agentThread) {
      titleThread(channel, threadTs, text);
      void client.assistant.threads
        .setStatus({
          channel_id: channel,
          thread_ts: threadTs,
          status: 'is looking into it…',
          loading_messages: streaming.loadingMessages,
        })
        .catch((error: unknown) => logger.debug({ err: error }, 'Slack setStatus failed'));
    }
    // Slack streams only into threads: agent threads, and mentions answered in their thread.
    const stream = threadTs
      ? createSlackStream(
          deps.streamClient ?? client,
          { channel, threadTs, userId, teamId, agentThread },
          logger,
          streaming,
        )
      : undefined;
    let replies: Reply[];
    try {
      const user = await userOf(userId);
      replies = await handle(
        {
          platform: 'slack',
          user,
          conversation: { id: channel, kind, ...(threadTs ? { threadId: threadTs } : {}) },
          text,
        },
        stream,
      );
    } catch (error) {
      // A stream already showing text must not stay "streaming" forever: close it with its note, then rethrow
      // so the guard logs the failure as for any other event.
      if (stream) {
        stream.abandon();
        await stream.finish([]).catch(() => undefined);
      }
      throw error;
    }
    const rest = stream ? await stream.finish(replies) : replies;
    if (rest.length > 0) await delivery.postWith(client, channel, rest, threadTs);
  }

  /** Tells the person in the conversation (and thread) their message came from that something went wrong. */
  async function tellIn(event: Record<string, unknown>, replies: Reply[], inThread = false): Promise<void> {
    const channel = asString(event.channel);
    if (!channel) return;
    const threadTs = inThread ? (asString(event.thread_ts) ?? asString(event.ts)) : asString(event.thread_ts);
    await delivery.postWith(client, channel, replies, threadTs);
  }

  bolt.event('message', async ({ event, context, body }) => {
    const e = asLoose(event);
    if (e.channel_type !== 'im' || !isPersonMessage(e)) return;
    await guarded(
      'message.im',
      () => answerConversation(e, context.botUserId, false, asString(asLoose(body).team_id)),
      (replies) => tellIn(e, replies),
    );
  });

  bolt.event('app_mention', async ({ event, context, body }) => {
    const e = asLoose(event);
    if (!isPersonMessage(e)) return;
    await guarded(
      'app_mention',
      () => answerConversation(e, context.botUserId, true, asString(asLoose(body).team_id)),
      (replies) => tellIn(e, replies, true),
    );
  });

  // A new thread in the Messages tab (agent messaging): pin the suggested prompts in it.
  bolt.event('assistant_thread_started', async ({ event }) => {
    const thread = asLoose(asLoose(event).assistant_thread);
    const channel = asString(thread.channel_id);
    const threadTs = asString(thread.thread_ts);
    if (!channel || !threadTs) return;
    await guarded('assistant_thread_started', () => pinPrompts(channel, threadTs));
  });

  bolt.event('app_home_opened', async ({ event }) => {
    const e = asLoose(event);
    const userId = asString(e.user);
    const channel = asString(e.channel);
    if (e.tab === 'messages' && channel) {
      await guarded('app_home_opened messages', () => pinPrompts(channel));
      return;
    }
    if (e.tab !== 'home' || !userId) return;
    await guarded('app_home_opened', async () => {
      const view = await buildHomeView(app, userKey('slack', userId));
      await client.views.publish({ user_id: userId, view: view as never });
    });
  });

  bolt.command(slashCommand, async ({ command, ack }) => {
    await ack();
    const c = asLoose(command);
    const userId = asString(c.user_id) ?? '';
    const channel = asString(c.channel_id) ?? userId;
    const responseUrl = asString(c.response_url);
    const target: InteractiveTarget = {
      userId,
      triggerId: asString(c.trigger_id),
      origin: { id: channel, kind: conversationKind(channel, asString(c.channel_name)) },
      responseUrl,
    };
    await guarded(
      'slash command',
      async () => {
        const parsed = parseSlashCommand(typeof c.text === 'string' ? c.text : '');
        if (parsed.kind === 'usage') {
          await sendTo(target, [reply.text(usageText(parsed.unknown))]);
          return;
        }
        const text = parsed.kind === 'help' ? 'help' : parsed.text;
        const user = await userOf(userId, asString(c.user_name));
        const replies = await handle({
          platform: 'slack',
          user,
          conversation: { id: channel, kind: target.origin?.kind ?? 'channel' },
          text,
          command: true,
        });
        const withUsage = parsed.kind === 'help' ? [...replies, reply.text(usageText())] : replies;
        const shareable = target.origin?.kind !== 'personal' && !withUsage.some((r) => r.type === 'form');
        await deliverInteractive(target, shareable ? await withShareButton(withUsage) : withUsage);
      },
      (replies) => sendTo(target, replies),
    );
  });

  /** Adds a "Share in channel" button under an ephemeral answer; the answer is stashed for the click. */
  async function withShareButton(replies: Reply[]): Promise<Reply[]> {
    if (!replies.some((r) => r.type === 'card' && r.kind === 'answer')) return replies;
    const ref = await delivery.stashReplies(replies);
    return [
      ...replies,
      reply.choices('Useful for others here?', [reply.button('Share in channel', slackActions.share, ref)]),
    ];
  }

  bolt.action(/.*/, async ({ ack, body, action }) => {
    await ack();
    const a = asLoose(action);
    const b = asLoose(body);
    // Slack's native 👍/👎 carry the neutral action in the clicked button's value.
    const feedback = a.type === 'feedback_buttons' ? feedbackAction(asString(a.value)) : undefined;
    if (a.type !== 'button' && !feedback) return;
    const actionId = feedback?.id ?? asString(a.action_id) ?? '';
    const neutralId = neutralActionId(actionId);
    if (neutralId === slackActions.link) return;
    const userId = asString(asLoose(b.user).id) ?? '';
    const channel = asString(asLoose(b.channel).id);
    const message = asLoose(b.message);
    const threadTs = asString(message.thread_ts);
    const kind = channel ? conversationKind(channel) : 'personal';
    const target: InteractiveTarget = {
      userId,
      triggerId: asString(b.trigger_id),
      origin: channel ? { id: channel, kind, ...(threadTs ? { threadId: threadTs } : {}) } : undefined,
      responseUrl: kind === 'personal' ? undefined : asString(b.response_url),
      dm: channel && kind === 'personal' ? { channel, threadTs } : undefined,
    };
    const value = feedback ? feedback.value : asString(a.value);
    await guarded(
      `action ${neutralId}`,
      async () => {
        if (neutralId === slackActions.openForm) {
          const form = await delivery.formFromButton(value);
          if (!form) {
            await sendTo(target, [
              reply.text("That form has expired. Ask me again and I'll give you a fresh one."),
            ]);
            return;
          }
          await deliverInteractive(target, [form]);
          return;
        }
        if (neutralId === slackActions.share) {
          await shareAnswer(target, channel, value, asString(b.response_url));
          return;
        }
        const user = await userOf(userId);
        const replies = await handle({
          platform: 'slack',
          user,
          conversation: target.origin ?? { id: userId, kind: 'personal' },
          action: { id: neutralId.slice(0, 100), ...(value !== undefined ? { value } : {}) },
        });
        await deliverInteractive(target, replies);
      },
      (replies) => sendTo(target, replies),
    );
  });

  async function shareAnswer(
    target: InteractiveTarget,
    channel: string | undefined,
    ref: string | undefined,
    responseUrl?: string,
  ) {
    const replies = ref ? await delivery.loadReplies(ref) : undefined;
    if (!channel || !replies) {
      await sendTo(target, [
        reply.text("That answer has expired, so I can't share it. Ask me again and share the fresh one."),
      ]);
      return;
    }
    try {
      const sharer = (await userOf(target.userId)).name ?? 'a teammate';
      await delivery.postWith(client, channel, [
        ...replies,
        reply.text(`_Shared by ${escapeMarkdown(sharer)}_`),
      ]);
    } catch (error) {
      logger.warn({ err: error }, 'Could not share an answer in the channel');
      await sendTo(target, [
        reply.notice(
          'warning',
          "I couldn't post in this channel. Invite me first (`/invite @IT Buddy`), then try again.",
        ),
      ]);
      return;
    }
    if (responseUrl) await delivery.deleteOriginal(responseUrl).catch(() => undefined);
  }

  bolt.view(formCallbackId, async ({ ack, body, view }) => {
    const userId = asString(asLoose(asLoose(body).user).id) ?? '';
    const v = asLoose(view);
    const meta = await delivery.readMeta(asString(v.private_metadata) ?? '');
    const dm: InteractiveTarget = { userId, origin: meta?.c };
    if (!meta) {
      await ack();
      await guarded('view_submission', () =>
        sendTo(dm, [
          reply.text("That form expired before it was sent. Ask me again and I'll give you a fresh one."),
        ]),
      );
      return;
    }
    const submission = readSubmission(v.state, meta);
    let acked = false;
    await guarded(
      'view_submission',
      async () => {
        const user = await userOf(userId);
        const work = handle({
          platform: 'slack',
          user,
          conversation: meta.c ?? { id: userId, kind: 'personal' },
          form: submission,
        });
        const inTime = await within(work, timing.submitDeadlineMs);
        if (!inTime) {
          // The core is slow: close the modal now and answer by DM when it is done.
          acked = true;
          await ack({ response_action: 'clear' });
          await sendTo(dm, await work);
          return;
        }
        const replies = inTime.value;
        const again = replies.find(
          (r): r is Form => r.type === 'form' && r.id === meta.f && Object.keys(r.errors ?? {}).length > 0,
        );
        if (again) {
          acked = true;
          await ack({ response_action: 'errors', errors: modalErrors(again) });
          await sendTo(
            dm,
            replies.filter((r) => r.type !== 'form'),
          );
          return;
        }
        const next = replies.find((r): r is Form => r.type === 'form');
        acked = true;
        if (next)
          await ack({ response_action: 'update', view: (await delivery.modalFor(next, meta.c)) as never });
        else await ack({ response_action: 'clear' });
        await sendTo(
          dm,
          replies.filter((r) => r !== next),
        );
      },
      async (replies) => {
        if (!acked) await ack({ response_action: 'clear' });
        await sendTo(dm, replies);
      },
    );
  });

  bolt.shortcut(createRequestShortcut, async ({ ack, shortcut }) => {
    await ack();
    const s = asLoose(shortcut);
    const userId = asString(asLoose(s.user).id) ?? '';
    const channel = asString(asLoose(s.channel).id);
    const message = asLoose(s.message);
    const messageTs = asString(message.ts) ?? asString(s.message_ts);
    const origin: FormOrigin | undefined = channel
      ? {
          id: channel,
          kind: conversationKind(channel, asString(asLoose(s.channel).name)),
          ...(messageTs ? { threadId: asString(message.thread_ts) ?? messageTs } : {}),
        }
      : undefined;
    const target: InteractiveTarget = {
      userId,
      triggerId: asString(s.trigger_id),
      origin,
      responseUrl: asString(s.response_url),
    };
    await guarded(
      'message shortcut',
      async () => {
        const permalink =
          channel && messageTs
            ? await within(
                client.chat
                  .getPermalink({ channel, message_ts: messageTs })
                  .then((r) => asString(r.permalink)),
                timing.permalinkMs,
              ).catch(() => undefined)
            : undefined;
        const text = fromSlackText(typeof message.text === 'string' ? message.text : '');
        const user = await userOf(userId);
        const replies = await handle({
          platform: 'slack',
          user,
          conversation: origin ?? { id: userId, kind: 'personal' },
          text: `request ${text}`.trim(),
          ...(permalink?.value ? { sourceUrl: permalink.value.slice(0, 2000) } : {}),
          command: true,
        });
        await deliverInteractive(target, replies);
      },
      (replies) => sendTo(target, replies),
    );
  });

  /** Whether the Slack user may see the request, by the same rule as `status IT-0042`. */
  async function allowedToSee(
    record: import('../../src/intake/request-schema.ts').RequestRecord,
    userId: string,
  ) {
    const key = userKey('slack', userId);
    const roles = await resolveRoles(app.config, key, app.newsletter.roleGrants);
    return maySee(record, key, roles.canTriage());
  }

  /** The Slack channels IT requests are posted to: where IT staff may unfurl a request in full. */
  const itChannels = new Set(
    [
      ...parseDestinations('IT_DESTINATIONS', app.config.intake.destinations),
      ...parseRoutes(app.config.intake.routes).flatMap((r) => r.destinations),
    ]
      .filter((d) => d.platform === 'slack')
      .map((d) => d.id),
  );

  // A link to a request was posted (or is in the composer): unfurl it as a Work Object.
  bolt.event('link_shared', async ({ event }) => {
    const e = asLoose(event);
    const userId = asString(e.user);
    const channel = asString(e.channel);
    const links = Array.isArray(e.links) ? e.links.map(asLoose) : [];
    await guarded('link_shared', async () => {
      const sharer = userId ? userKey('slack', userId) : undefined;
      const canTriage = sharer
        ? (await resolveRoles(app.config, sharer, app.newsletter.roleGrants)).canTriage()
        : false;
      const entities = [];
      for (const link of links.slice(0, 10)) {
        const posted = asString(link.url);
        const reference = posted ? requestReferenceOf(posted, app.config.http.publicUrl) : undefined;
        if (!posted || !reference) continue;
        const canonical = `${app.config.http.publicUrl.replace(/\/+$/, '')}/requests/${reference}`;
        const record = await app.requests.get(reference);
        const shown =
          record && sharer && unfurlShowsRequest(record, { key: sharer, canTriage }, channel, itChannels);
        entities.push(
          shown
            ? requestEntity(record, { posted, canonical })
            : plainRequestEntity(reference, { posted, canonical }),
        );
      }
      if (entities.length === 0) return;
      const target =
        asString(e.unfurl_id) && asString(e.source)
          ? {
              unfurl_id: asString(e.unfurl_id)!,
              source: asString(e.source) as 'composer' | 'conversations_history',
            }
          : { channel: asString(e.channel) ?? '', ts: asString(e.message_ts) ?? '' };
      await client.chat.unfurl({ ...target, metadata: { entities } } as never);
    });
  });

  // Someone opened a request's details flexpane: answer for that person only.
  bolt.event('entity_details_requested' as never, async ({ event }: { event: unknown }) => {
    const e = asLoose(event);
    const userId = asString(e.user);
    const triggerId = asString(e.trigger_id);
    const reference = asString(asLoose(e.external_ref).id);
    if (!userId || !triggerId || !reference) return;
    await guarded('entity_details_requested', async () => {
      const record = await app.requests.get(reference);
      const canonical = `${app.config.http.publicUrl.replace(/\/+$/, '')}/requests/${reference}`;
      const posted = asString(e.app_unfurl_url) ?? asString(e.entity_url) ?? canonical;
      if (!record || !(await allowedToSee(record, userId))) {
        await client.entity.presentDetails({
          trigger_id: triggerId,
          error: {
            status: 'custom',
            custom_title: 'IT request',
            custom_message: 'Only the person who asked and the IT team can see this request.',
          },
        });
        return;
      }
      await client.entity.presentDetails({
        trigger_id: triggerId,
        metadata: requestEntity(record, { posted, canonical }, true),
      });
    });
  });

  bolt.error(async (error) => {
    logger.error({ err: error }, 'Slack event processing failed');
  });
}
