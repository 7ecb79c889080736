// The Teams side of the one channel contract: posts to a channel or chat, in-place updates and direct
// messages, sent proactively through stored conversation references (continueConversationAsync).
import type { CloudAdapter, ConversationParameters, ConversationReference, TurnContext } from 'botbuilder';
import {
  type ChannelAdapter,
  PermanentDeliveryError,
  type PostedMessage,
} from '../../src/channels/channel-adapter.ts';
import type { Reply } from '../../src/messages/replies.ts';
import type { ConversationRefs } from '../../src/store/repositories/conversation-refs.ts';
import { adaptiveCardContentType, renderSingleCard, summaryOf } from './render-cards.ts';
import {
  baseConversationId,
  type InstallReference,
  refKeys,
  threadConversationId,
  type UserReference,
} from './teams-activity.ts';
import type { SendTarget, TeamsSender } from './teams-sender.ts';

/** The audience of tokens for calls to Teams (the public cloud's connector). */
const connectorAudience = 'https://api.botframework.com';

export interface TeamsChannelDeps {
  adapter: CloudAdapter;
  appId: string;
  refs: ConversationRefs;
  sender: TeamsSender;
  /** Stores a reference and remembers it was stored (see rememberRef in teams-endpoint.ts). */
  saveRef: (key: string, reference: unknown) => Promise<void>;
}

/** The Teams channel adapter. */
export type TeamsChannel = ChannelAdapter & { readonly platform: 'teams' };

/** Creates the proactive half of the Teams adapter. */
export function createTeamsChannel(deps: TeamsChannelDeps): TeamsChannel {
  const { adapter, appId, refs, sender } = deps;

  /** The stored reference of a channel or chat, or one built from the install facts for a channel. */
  async function conversationRef(conversationId: string): Promise<Partial<ConversationReference>> {
    const key = refKeys.conversation(conversationId);
    const stored = await refs.get(key);
    if (stored?.invalid) {
      throw new PermanentDeliveryError(
        `IT Buddy can no longer post to Teams conversation ${conversationId} (${stored.invalidReason ?? 'refused earlier'}). Add the app to it again, then mention IT Buddy there once.`,
      );
    }
    if (stored) return stored.reference as Partial<ConversationReference>;
    const install = (await refs.get(refKeys.install))?.reference as InstallReference | undefined;
    if (!install) {
      throw new PermanentDeliveryError(
        `IT Buddy has no way to reach Teams conversation ${conversationId} yet: add the IT Buddy app to the team first (docs/teams.md).`,
      );
    }
    return {
      channelId: 'msteams',
      serviceUrl: install.serviceUrl,
      bot: install.bot,
      conversation: {
        id: conversationId,
        isGroup: true,
        conversationType: 'channel',
        name: '',
        ...(install.tenantId ? { tenantId: install.tenantId } : {}),
      },
    };
  }

  /** Runs `logic` in the conversation of `reference`; failures become delivery errors. */
  async function proactive<T>(
    reference: Partial<ConversationReference>,
    target: SendTarget,
    logic: (context: TurnContext) => Promise<T>,
  ): Promise<T> {
    let result: T | undefined;
    try {
      await adapter.continueConversationAsync(appId, reference, async (context) => {
        // Without an activity id, sends start a new message instead of replying to the continuation event.
        context.activity.id = undefined as unknown as string;
        result = await logic(context);
      });
    } catch (error) {
      throw await sender.toDeliveryError(error, target);
    }
    return result as T;
  }

  function targetOf(reference: Partial<ConversationReference>, refKey: string): SendTarget {
    return {
      conversationId: reference.conversation?.id ?? '',
      tenantId: reference.conversation?.tenantId,
      refKey,
      proactive: true,
    };
  }

  async function openDirect(user: Extract<UserReference, { kind: 'seed' }>, key: string, replies: Reply[]) {
    const parameters = {
      isGroup: false,
      bot: user.bot,
      members: [{ id: user.teamsUserId, name: '' }],
      ...(user.tenantId ? { tenantId: user.tenantId, channelData: { tenant: { id: user.tenantId } } } : {}),
    } as unknown as ConversationParameters;
    let posted: PostedMessage | undefined;
    const target: SendTarget = {
      conversationId: `new 1:1 chat with ${user.teamsUserId}`,
      tenantId: user.tenantId,
      refKey: key,
      proactive: true,
    };
    try {
      await adapter.createConversationAsync(
        appId,
        'msteams',
        user.serviceUrl,
        connectorAudience,
        parameters,
        async (context) => {
          const conversationId = context.activity.conversation.id;
          const reference: Partial<ConversationReference> = {
            channelId: 'msteams',
            serviceUrl: user.serviceUrl,
            bot: user.bot,
            user: { id: user.teamsUserId, name: '' },
            conversation: {
              id: conversationId,
              conversationType: 'personal',
              isGroup: false,
              name: '',
              ...(user.tenantId ? { tenantId: user.tenantId } : {}),
            },
          };
          await deps.saveRef(key, { kind: 'personal', reference } satisfies UserReference);
          context.activity.id = undefined as unknown as string;
          const ids = await sender.sendReplies(context, replies, { ...target, conversationId });
          posted = { platform: 'teams', destination: conversationId, messageId: ids[0] ?? '' };
        },
      );
    } catch (error) {
      throw await sender.toDeliveryError(error, target);
    }
    return posted as PostedMessage;
  }

  return {
    platform: 'teams',

    async post(destination, replies, options) {
      const conversationId = baseConversationId(destination.trim());
      const key = refKeys.conversation(conversationId);
      const stored = await conversationRef(conversationId);
      const reference = options?.threadId
        ? {
            ...stored,
            conversation: {
              ...stored.conversation!,
              id: threadConversationId(conversationId, options.threadId),
            },
          }
        : stored;
      const ids = await proactive(reference, targetOf(stored, key), (context) =>
        sender.sendReplies(context, replies, targetOf(stored, key)),
      );
      return { platform: 'teams', destination: conversationId, messageId: ids[0] ?? '' };
    },

    async update(posted, replies) {
      const conversationId = baseConversationId(posted.destination);
      const key = refKeys.conversation(conversationId);
      const reference = await conversationRef(conversationId);
      const target = targetOf(reference, key);
      const card = renderSingleCard(replies);
      await proactive(reference, target, (context) =>
        sender.call(target, () =>
          context.updateActivity({
            type: 'message',
            id: posted.messageId,
            attachments: [{ contentType: adaptiveCardContentType, content: card }],
            summary: summaryOf(replies),
          }),
        ),
      );
    },

    async sendDirect(userId, replies) {
      const key = refKeys.user(userId);
      const stored = await refs.get(key);
      if (!stored) {
        throw new PermanentDeliveryError(
          'IT Buddy cannot message this Teams user yet: they have not used IT Buddy in Teams. They will get messages once they chat with it or mention it.',
        );
      }
      if (stored.invalid) {
        throw new PermanentDeliveryError(
          `IT Buddy can no longer message this Teams user (${stored.invalidReason ?? 'refused earlier'}). It works again once they chat with IT Buddy.`,
        );
      }
      const user = stored.reference as UserReference;
      if (user.kind === 'seed') return openDirect(user, key, replies);
      const target = targetOf(user.reference, key);
      const ids = await proactive(user.reference, target, (context) =>
        sender.sendReplies(context, replies, target),
      );
      return {
        platform: 'teams',
        destination: user.reference.conversation?.id ?? '',
        messageId: ids[0] ?? '',
      };
    },
  };
}
