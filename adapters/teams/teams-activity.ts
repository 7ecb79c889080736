// Reading Teams activities: the neutral message a message activity means (mention removed, card submissions
// mapped to actions and forms), where it came from, and the references kept to write back later.
import { type Activity, type ConversationReference, TurnContext } from 'botbuilder';
import {
  actionSchema,
  type Conversation,
  formSubmissionSchema,
  type IncomingMessage,
} from '../../src/messages/incoming.ts';
import { isTeamsCommand } from './teams-commands.ts';

/** The action id a malformed card submission maps to: the router answers "that button has expired". */
export const unknownSubmissionAction = 'teams.unknown_submission';

/** Keys of the conversation-refs store; user ids are Entra object ids where Teams gives one. */
export const refKeys = {
  conversation: (conversationId: string) => `teams:conversation:${conversationId}`,
  user: (userId: string) => `teams:user:${userId}`,
  /** Where the bot was last installed: the service URL and tenant to reach channels that have no reference yet. */
  install: 'teams:install',
} as const;

/** The conversation id without the `;messageid=` thread suffix Teams adds in channels. */
export function baseConversationId(id: string): string {
  const at = id.indexOf(';messageid=');
  return at === -1 ? id : id.slice(0, at);
}

/** The thread (root message id) of a channel conversation id, if it names one. */
export function threadIdOf(id: string): string | undefined {
  const match = /;messageid=([^;]+)/.exec(id);
  return match?.[1];
}

/** The conversation id that posts into a channel thread. */
export function threadConversationId(channelId: string, threadId: string): string {
  return `${baseConversationId(channelId)};messageid=${threadId}`;
}

/** The id the core knows a Teams user by: the Entra object id, or the Teams id when there is none. */
export function teamsUserId(account: { id: string; aadObjectId?: string } | undefined): string | undefined {
  return account?.aadObjectId?.trim() || account?.id?.trim() || undefined;
}

/** The tenant an activity belongs to. */
export function tenantIdOf(activity: Partial<Activity>): string | undefined {
  const fromChannelData = (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return activity.conversation?.tenantId ?? fromChannelData ?? undefined;
}

/** personal, channel or group, from Teams' conversationType. */
export function conversationKind(activity: Partial<Activity>): Conversation['kind'] {
  const type = activity.conversation?.conversationType;
  if (type === 'channel') return 'channel';
  if (type === 'groupChat') return 'group';
  if (type === 'personal') return 'personal';
  return activity.conversation?.isGroup ? 'group' : 'personal';
}

const entities: Record<string, string> = {
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&nbsp;': ' ',
};

/**
 * The message text as the user meant it: the bot's own @mention removed (Teams puts `<at>IT Buddy</at>` in
 * the text of channel and group messages), other mentions reduced to the name, entities decoded.
 */
export function messageText(activity: Partial<Activity>): string {
  const copy: Partial<Activity> = { ...activity, text: activity.text ?? '' };
  if (copy.recipient?.id) {
    // removeRecipientMention removes one mention; a message may name the bot more than once.
    let before: string | undefined;
    while (before !== copy.text) {
      before = copy.text;
      TurnContext.removeRecipientMention(copy);
    }
  }
  return (copy.text ?? '')
    .replace(/<at[^>]*>(.*?)<\/at>/gi, '$1')
    .replace(/&(lt|gt|amp|quot|#39|nbsp);/g, (e) => entities[e] ?? e)
    .trim();
}

const reservedKeys = new Set(['action', 'form', 'msteams']);

/** Maps the `value` of an Adaptive Card submission to a button action or a form submission. */
export function parseSubmission(raw: unknown): Pick<IncomingMessage, 'action' | 'form'> {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { action: { id: unknownSubmissionAction } };
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { action: { id: unknownSubmissionAction } };
  const record = value as Record<string, unknown>;
  // messageBack buttons may deliver their payload nested under msteams.value.
  const nested = (record.msteams as { value?: unknown } | undefined)?.value;
  if (!('action' in record) && !('form' in record) && nested !== undefined && nested !== raw)
    return parseSubmission(nested);

  if (record.form !== undefined) {
    const meta = record.form as { formId?: unknown; state?: unknown };
    const values: Record<string, string> = {};
    for (const [key, v] of Object.entries(record)) {
      if (reservedKeys.has(key) || v === undefined || v === null) continue;
      values[key] = (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)).slice(
        0,
        20_000,
      );
    }
    const parsed = formSubmissionSchema.safeParse({
      formId: meta?.formId,
      values,
      ...(meta?.state !== undefined ? { state: meta.state } : {}),
    });
    return parsed.success ? { form: parsed.data } : { action: { id: unknownSubmissionAction } };
  }
  const parsed = actionSchema.safeParse(record.action);
  return parsed.success ? { action: parsed.data } : { action: { id: unknownSubmissionAction } };
}

/** A link to a channel message, so IT can jump from a request back to where it was asked. */
function channelMessageUrl(activity: Partial<Activity>, conversationId: string): string | undefined {
  const tenant = tenantIdOf(activity);
  const thread = threadIdOf(activity.conversation?.id ?? '');
  if (!activity.id || !tenant) return undefined;
  const params = new URLSearchParams({ tenantId: tenant, ...(thread ? { parentMessageId: thread } : {}) });
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(conversationId)}/${encodeURIComponent(activity.id)}?${params}`;
}

/** The neutral message a Teams message activity carries, or undefined when it is not one the core handles. */
export function toIncomingMessage(activity: Partial<Activity>): IncomingMessage | undefined {
  if (activity.type !== 'message' || !activity.conversation?.id) return undefined;
  const userId = teamsUserId(activity.from);
  if (!userId) return undefined;
  const kind = conversationKind(activity);
  const conversationId = baseConversationId(activity.conversation.id);
  const threadId = kind === 'channel' ? threadIdOf(activity.conversation.id) : undefined;
  const name = activity.from?.name?.trim().slice(0, 200);
  const base: IncomingMessage = {
    platform: 'teams',
    user: { id: userId.slice(0, 200), ...(name ? { name } : {}) },
    conversation: { id: conversationId.slice(0, 500), kind, ...(threadId ? { threadId } : {}) },
  };
  const sourceUrl = kind === 'channel' ? channelMessageUrl(activity, conversationId) : undefined;
  if (sourceUrl) base.sourceUrl = sourceUrl;
  if (activity.value !== undefined && activity.value !== null) {
    const submission = parseSubmission(activity.value);
    return { ...base, ...submission };
  }
  const text = messageText(activity);
  return { ...base, text, ...(isTeamsCommand(text) ? { command: true } : {}) };
}

/**
 * The reference to keep for writing to this conversation later: the conversation itself (a channel without
 * its thread suffix) and no activity id, so proactive messages start new posts instead of replying.
 */
export function conversationReference(activity: Partial<Activity>): Partial<ConversationReference> {
  const reference = TurnContext.getConversationReference(activity);
  const { activityId: _drop, ...rest } = reference;
  const conversation = { ...activity.conversation, id: baseConversationId(activity.conversation?.id ?? '') };
  const tenantId = tenantIdOf(activity);
  if (tenantId) conversation.tenantId = tenantId;
  return { ...rest, conversation: conversation as ConversationReference['conversation'] };
}

/** What the per-user key holds: a 1:1 chat to continue, or what is needed to open one. */
export type UserReference =
  | { kind: 'personal'; reference: Partial<ConversationReference> }
  | { kind: 'seed'; serviceUrl: string; tenantId: string | undefined; bot: BotAccount; teamsUserId: string };

/** The bot's own account in a tenant. */
export interface BotAccount {
  id: string;
  name: string;
}

/** The stored channel-install facts: enough to reach any channel of the tenant by id. */
export interface InstallReference {
  serviceUrl: string;
  tenantId: string | undefined;
  bot: BotAccount;
}
