// The Teams adapter: POST /api/messages on the shared server (CloudAdapter), turning activities into neutral
// messages for the core and its replies into Adaptive Cards, plus the proactive channel (teams-channel.ts).
//
// Teams resends an activity it got no answer to within about 15 seconds, so the request is answered as soon
// as it is authenticated, claimed (a redelivery is claimed once across replicas) and its reference stored;
// the turn itself runs afterwards.
import { type Activity, CloudAdapter, type TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult } from 'botframework-connector';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { answerActions } from '../../src/answers/answer-card.ts';
import type { App } from '../../src/app.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { type Reply, reply } from '../../src/messages/replies.ts';
import { createConversationRefs } from '../../src/store/repositories/conversation-refs.ts';
import { createProcessedEvents } from '../../src/store/repositories/processed-events.ts';
import type { RetryPolicy } from './delivery.ts';
import { keepEntityProperties } from './entity-properties.ts';
import { createFeedbackRefs } from './feedback-refs.ts';
import { createRateLimiter, type teamsLimits } from './rate-limit.ts';
import { createSuggestedActionOffers } from './suggested-actions.ts';
import {
  baseConversationId,
  conversationKind,
  conversationReference,
  type InstallReference,
  refKeys,
  teamsUserId,
  tenantIdOf,
  toIncomingMessage,
  type UserReference,
} from './teams-activity.ts';
import {
  assertTeamsAllowed,
  createTeamsAuthentication,
  isLoopbackAddress,
  isUnauthorized,
  type TeamsAuthOverrides,
  type TeamsMode,
} from './teams-auth.ts';
import { createTeamsChannel, type TeamsChannel } from './teams-channel.ts';
import { createTeamsSender, planActivities, type SendTarget } from './teams-sender.ts';
import { createTeamsStream, defaultTeamsStreamOptions, type TeamsStreamOptions } from './teams-stream.ts';

/** Options beyond the configuration: other clouds' endpoints, and knobs tests turn. */
export interface TeamsOptions extends TeamsAuthOverrides {
  retryPolicy?: RetryPolicy;
  /** How long an answer may take before Teams shows "IT Buddy is typing…" (default 1 s; 0 shows it always). */
  typingDelayMs?: number;
  limits?: typeof teamsLimits;
  sleep?: (ms: number) => Promise<void>;
  /** Pacing of streamed answers in personal chats (tests and the bench). */
  streaming?: Partial<TeamsStreamOptions>;
}

/** The mounted Teams adapter. */
export interface TeamsEndpoint {
  mode: TeamsMode;
  /** POST /api/messages. */
  router: Router;
  /** The channel adapter, registered as 'teams'; `idle()` waits for turns in progress (shutdown, tests). */
  channel: TeamsChannel & { idle(): Promise<void> };
  /** Resolves once every turn that has started has finished. */
  idle(): Promise<void>;
  /** Waits for running turns; the server closes the rest. */
  stop(): Promise<void>;
}

/** How long a welcome counts as sent: Teams announces one install with both conversationUpdate and installationUpdate. */
const welcomeWindowMs = 10 * 60_000;
/** How long a stored reference is trusted as current before the next activity writes it again. */
const refCacheMs = 10 * 60_000;

/** Builds the Teams adapter for the app. Throws a ConfigError in production without MICROSOFT_APP_ID. */
export function createTeamsEndpoint(app: App, options: TeamsOptions = {}): TeamsEndpoint {
  const { config } = app;
  const mode = assertTeamsAllowed(config);
  keepEntityProperties();
  const logger = app.logger.child({ platform: 'teams' });
  const appId = config.teams.appId ?? '';
  const authentication = createTeamsAuthentication(config, options);
  const adapter = new CloudAdapter(authentication);
  const refs = createConversationRefs(app.store);
  const processed = createProcessedEvents(app.store);
  const feedbackRefs = createFeedbackRefs(app.store);
  const offers = createSuggestedActionOffers(app.store);
  const streaming = { ...defaultTeamsStreamOptions, ...options.streaming };
  const welcomes = createProcessedEvents(app.store, welcomeWindowMs);
  const limiter = createRateLimiter({
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });

  // Skips writing a reference that is already stored as it is; expires so other replicas' changes are seen.
  const saved = new Map<string, { json: string; at: number }>();
  const forget = (key: string) => saved.delete(key);
  async function saveRef(key: string, reference: unknown): Promise<boolean> {
    const json = JSON.stringify(reference);
    const hit = saved.get(key);
    if (hit && hit.json === json && Date.now() - hit.at < refCacheMs) return false;
    await refs.save(key, 'teams', reference);
    if (saved.size > 10_000) saved.clear();
    saved.set(key, { json, at: Date.now() });
    return true;
  }

  const sender = createTeamsSender({
    limiter,
    refs,
    logger,
    onInvalid: forget,
    ...(options.retryPolicy ? { retryPolicy: options.retryPolicy } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  const channel = createTeamsChannel({
    adapter,
    appId,
    refs,
    sender,
    saveRef: async (key, reference) => {
      await saveRef(key, reference);
    },
  });

  /** Stores where this activity came from: the conversation, the user (for DMs) and the install. */
  async function remember(activity: Activity): Promise<void> {
    if (!activity.serviceUrl || !activity.conversation?.id || !activity.recipient?.id) return;
    const conversationId = baseConversationId(activity.conversation.id);
    const kind = conversationKind(activity);
    const conversationKey = refKeys.conversation(conversationId);
    const firstSight =
      !saved.has(conversationKey) && kind === 'channel' && !(await refs.get(conversationKey));
    await saveRef(conversationKey, conversationReference(activity));
    if (firstSight) logDestinationHint(logger, activity, conversationId);

    const install: InstallReference = {
      serviceUrl: activity.serviceUrl,
      tenantId: tenantIdOf(activity),
      bot: { id: activity.recipient.id, name: activity.recipient.name ?? '' },
    };
    await saveRef(refKeys.install, install);

    const userId = teamsUserId(activity.from);
    if (!userId || !activity.from?.id || activity.from.id === activity.recipient.id) return;
    const userKey = refKeys.user(userId);
    if (kind === 'personal') {
      await saveRef(userKey, {
        kind: 'personal',
        reference: conversationReference(activity),
      } satisfies UserReference);
      return;
    }
    if (saved.has(userKey)) return;
    const existing = await refs.get(userKey);
    if (existing && !existing.invalid && (existing.reference as UserReference).kind === 'personal') {
      saved.set(userKey, { json: JSON.stringify(existing.reference), at: Date.now() });
      return;
    }
    // Seen only in a channel or group chat so far: keep what it takes to open a 1:1 chat later.
    await saveRef(userKey, {
      kind: 'seed',
      serviceUrl: activity.serviceUrl,
      tenantId: tenantIdOf(activity),
      bot: install.bot,
      teamsUserId: activity.from.id,
    } satisfies UserReference);
  }

  async function send(
    context: TurnContext,
    replies: Reply[],
    final?: (activity: Partial<Activity>) => Partial<Activity>,
  ): Promise<void> {
    const activity = context.activity;
    const conversationId = baseConversationId(activity.conversation.id);
    const target: SendTarget = {
      conversationId,
      tenantId: tenantIdOf(activity),
      refKey: refKeys.conversation(conversationId),
    };
    try {
      const planned = planActivities(replies, {
        personal: conversationKind(activity) === 'personal',
        userId: activity.from?.id,
      });
      // Kept before sending, so a suggestion picked at once is understood.
      for (const { offer } of planned) if (offer) await offers.offer(conversationId, offer);
      if (final) {
        // A stream must end with a final message, even when the turn has nothing else to say.
        const [first = { activity: { type: 'message', text: '…' } }, ...rest] = planned;
        planned.splice(0, planned.length, { ...first, activity: final(first.activity) }, ...rest);
      }
      const sent = await sender.sendPlanned(context, planned, target);
      for (const { id, questionId } of sent) {
        if (id && questionId) {
          await feedbackRefs
            .remember(conversationId, id, questionId)
            .catch((error: unknown) =>
              logger.warn({ err: error }, 'Could not remember an answer for feedback'),
            );
        }
      }
    } catch (error) {
      const failure = await sender.toDeliveryError(error, target);
      logger.warn({ err: failure, activityType: activity.type }, 'Could not answer in Teams');
    }
  }

  async function showTyping(context: TurnContext): Promise<void> {
    const conversationId = baseConversationId(context.activity.conversation.id);
    try {
      await limiter.acquire({ conversationId, tenantId: tenantIdOf(context.activity) });
      await context.sendActivity({ type: 'typing' });
    } catch (error) {
      logger.debug({ err: error }, 'Could not show the typing indicator');
    }
  }

  /**
   * Greets a team or group chat IT Buddy was added to. A personal chat gets no welcome: the manifest gives it
   * prompt starters, and Microsoft's "Create prompt suggestions" says a bot with prompt starters must not send a
   * welcome message as well. Team and group chats only have the @mention command menu, so they are greeted.
   */
  async function welcome(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (conversationKind(activity) === 'personal') return;
    const conversationId = baseConversationId(activity.conversation.id);
    if (!(await welcomes.claim('teams-welcome', conversationId))) return;
    logDestinationHint(logger, activity, conversationId, true);
    const text =
      "Thanks for adding me! 👋 Mention me with a question, like _@IT Buddy how do I add a printer?_, and I'll answer in the thread. Mention me with **help** to see everything I can do.";
    await send(context, [reply.text(text)]);
  }

  async function markRemoved(activity: Activity, why: string): Promise<void> {
    const key = refKeys.conversation(baseConversationId(activity.conversation.id));
    forget(key);
    await refs.markInvalid(key, why);
    logger.info(
      { conversationId: baseConversationId(activity.conversation.id) },
      'IT Buddy was removed from a Teams conversation',
    );
  }

  /** Teams' feedback loop: 👍/👎 (and the comment, when given) reach the question log like IT Buddy's buttons. */
  async function onFeedback(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const value = (activity.value ?? {}) as {
      actionName?: unknown;
      actionValue?: { reaction?: unknown; feedback?: unknown };
    };
    if (value.actionName !== 'feedback' || !activity.replyToId) return;
    const reaction = value.actionValue?.reaction;
    if (reaction !== 'like' && reaction !== 'dislike') return;
    const conversationId = baseConversationId(activity.conversation.id);
    const questionId = await feedbackRefs.questionOf(conversationId, activity.replyToId);
    if (!questionId) {
      logger.info('Teams feedback on a message IT Buddy does not know (expired or not an answer)');
      return;
    }
    let comment: string | undefined;
    try {
      const parsed = JSON.parse(String(value.actionValue?.feedback ?? '{}')) as { feedbackText?: unknown };
      if (typeof parsed.feedbackText === 'string' && parsed.feedbackText.trim())
        comment = parsed.feedbackText.trim().slice(0, 2000);
    } catch {
      // No comment, or not JSON: the verdict alone counts.
    }
    const base = toIncomingMessage({ ...activity, type: 'message', text: 'feedback', value: undefined });
    if (!base) return;
    const replies = await app.bot.handle({
      ...base,
      text: undefined,
      action: {
        id: reaction === 'like' ? answerActions.helped : answerActions.notHelped,
        value: questionId,
        ...(comment ? { comment } : {}),
      },
    });
    // Teams thanks people for feedback itself; only a follow-up question (pass it to IT?) is worth a message.
    const rest = replies.filter((r) => !(r.type === 'notice' && r.tone === 'success'));
    if (rest.length > 0) await send(context, rest);
  }

  async function onTurn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const botId = activity.recipient?.id;
    switch (activity.type) {
      case 'message': {
        let incoming = toIncomingMessage(activity);
        if (!incoming) return;
        if (incoming.conversation.kind === 'personal' && incoming.text && !incoming.action) {
          // A picked suggested action arrives as the person's own words: turn it back into its button.
          const picked = await offers.picked(baseConversationId(activity.conversation.id), incoming.text);
          if (picked) {
            const { text: _text, command: _command, ...rest } = incoming;
            incoming = { ...rest, action: picked };
          }
        }
        // Teams streams in personal chats only; channels and group chats get the finished answer.
        const stream =
          incoming.conversation.kind === 'personal'
            ? createTeamsStream(context, logger, streaming)
            : undefined;
        // A slow answer (the language model, say) first shows the typing indicator, so nobody waits in silence.
        const typingDelay = options.typingDelayMs ?? 1000;
        let typing: Promise<void> | undefined = typingDelay <= 0 ? showTyping(context) : undefined;
        const timer = setTimeout(
          () => {
            if (!stream?.active) typing ??= showTyping(context);
          },
          Math.max(typingDelay, 0),
        );
        let replies: Reply[];
        try {
          replies = await app.bot.handle(incoming, stream ? { stream } : undefined);
        } finally {
          clearTimeout(timer);
        }
        await typing;
        await stream?.drain();
        if (stream?.streamId) await send(context, replies, (a) => stream.asFinal(a));
        else if (replies.length > 0) await send(context, replies);
        return;
      }
      case 'invoke': {
        if (activity.name === 'message/submitAction') await onFeedback(context);
        return;
      }
      case 'conversationUpdate': {
        if (activity.membersAdded?.some((m) => m.id === botId)) await welcome(context);
        if (activity.membersRemoved?.some((m) => m.id === botId))
          await markRemoved(activity, 'IT Buddy was removed');
        return;
      }
      case 'installationUpdate': {
        const action = String(activity.action ?? '');
        if (action.startsWith('add')) await welcome(context);
        if (action.startsWith('remove')) await markRemoved(activity, 'IT Buddy was uninstalled');
        return;
      }
      default:
        return;
    }
  }

  const running = new Set<Promise<void>>();
  function track(work: Promise<void>): void {
    running.add(work);
    void work.finally(() => running.delete(work));
  }

  async function runTurn(auth: AuthenticateRequestResult, activity: Activity): Promise<void> {
    try {
      await adapter.processActivityDirect(auth, activity, onTurn);
    } catch (error) {
      logger.error({ err: error, activityType: activity.type }, 'Teams turn failed');
    }
  }

  async function handle(req: Request, res: Response): Promise<void> {
    const activity = req.body as Activity | undefined;
    if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') {
      res.status(400).json({ error: 'Expected a Bot Framework activity' });
      return;
    }
    let auth: AuthenticateRequestResult;
    try {
      auth = await authentication.authenticateRequest(activity, String(req.headers.authorization ?? ''));
    } catch (error) {
      if (isUnauthorized(error)) {
        logger.warn(
          { reason: (error as Error).message?.slice(0, 200) },
          'Rejected a Teams request that failed authentication',
        );
        res.status(401).json({ error: 'Unauthorized' });
      } else {
        logger.error({ err: error }, 'Could not check a Teams token (signing keys unavailable)');
        res.status(503).json({ error: 'Try again later' });
      }
      return;
    }
    if (
      typeof activity.serviceUrl !== 'string' ||
      !/^https?:\/\//i.test(activity.serviceUrl) ||
      !activity.conversation?.id
    ) {
      res.status(400).json({ error: 'The activity has no serviceUrl or conversation' });
      return;
    }
    if (activity.id) {
      let first = true;
      try {
        first = await processed.claim(
          'teams',
          `${baseConversationId(activity.conversation.id)}|${activity.id}`,
        );
      } catch (error) {
        // Answering twice beats not answering: without the store we cannot tell, so we go ahead.
        logger.warn({ err: error }, 'Could not claim a Teams activity; handling it anyway');
      }
      if (!first) {
        logger.debug({ activityType: activity.type }, 'Teams redelivered an activity already handled');
        res.status(200).end();
        return;
      }
    }
    try {
      await remember(activity);
    } catch (error) {
      logger.warn({ err: error }, 'Could not store a Teams conversation reference');
    }
    if (activity.type === 'invoke') {
      // Cards use Action.Submit, which arrives as a message; the one invoke handled is the feedback loop's
      // message/submitAction, acknowledged at once and recorded in the turn.
      res.status(200).json({});
      if (activity.name === 'message/submitAction') track(runTurn(auth, activity));
      return;
    }
    res.status(200).end();
    track(runTurn(auth, activity));
  }

  const router = express.Router();
  const localOnly = (req: Request, res: Response, next: NextFunction) => {
    if (isLoopbackAddress(req.socket.remoteAddress)) {
      next();
      return;
    }
    logger.warn('Refused a Teams request from another machine: local mode accepts this machine only');
    res.status(403).json({
      error:
        'Teams local mode accepts requests from this machine only. Set MICROSOFT_APP_ID to connect Teams.',
    });
  };
  router.post(
    '/api/messages',
    ...(mode === 'local' ? [localOnly] : []),
    express.json({ limit: '1mb' }),
    (req: Request, res: Response, next: NextFunction) => {
      handle(req, res).catch(next);
    },
  );

  if (mode === 'local') {
    logger.warn(
      'Teams local mode: /api/messages accepts unauthenticated requests from this machine only. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to connect to Microsoft Teams (docs/teams.md).',
    );
  } else {
    logger.info(
      { appType: config.teams.appType, endpoint: `${config.http.publicUrl}/api/messages` },
      'Teams endpoint ready: set this messaging endpoint on the Azure Bot',
    );
  }

  const idle = async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  return { mode, router, channel: { ...channel, idle }, idle, stop: idle };
}

/** Tells admins the id to put in IT_DESTINATIONS to send new requests to this channel. */
function logDestinationHint(
  logger: Logger,
  activity: Activity,
  conversationId: string,
  installed = false,
): void {
  const channelData = activity.channelData as
    | { team?: { name?: string }; channel?: { name?: string } }
    | undefined;
  logger.info(
    {
      conversationId,
      team: channelData?.team?.name,
      channel: channelData?.channel?.name,
      destination: `teams:${conversationId}`,
    },
    `${installed ? 'IT Buddy was added to a Teams conversation' : 'IT Buddy is now in a Teams channel'}: to post new IT requests there, set IT_DESTINATIONS=teams:${conversationId}`,
  );
}
