// Sending to Slack: messages (chat.postMessage / chat.update), direct messages (conversations.open), ephemeral
// answers through a response_url, and modals (views.open). Forms in messages are stashed so "Open form" works
// on any replica. This is also the ChannelAdapter the core uses to post, update and DM on its own initiative.

import { z } from 'zod';
import {
  type ChannelAdapter,
  PermanentDeliveryError,
  type PostedMessage,
} from '../../src/channels/channel-adapter.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { type Form, formSchema, type Reply, replySchema } from '../../src/messages/replies.ts';
import {
  type FormMeta,
  type FormOrigin,
  formMeta,
  formMetaSchema,
  formModal,
  type ModalView,
} from './form-modal.ts';
import { renderMessage, type SlackMessage } from './render-blocks.ts';
import { slackErrorCode, toDeliveryError, type WebClient } from './slack-clients.ts';
import type { SlackStash } from './slack-stash.ts';

/** Errors from views.open meaning the trigger was too old to open a modal. */
const expiredTriggerCodes = new Set([
  'expired_trigger_id',
  'trigger_expired',
  'invalid_trigger_id',
  'exchanged_trigger_id',
]);

/** True when views.open failed because the trigger expired (the user should get a button instead). */
export function isExpiredTrigger(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code !== undefined && expiredTriggerCodes.has(code);
}

/** Prefix of an "Open form" button value that refers to a stashed form. */
const stashedFormPrefix = 's:';
/** The metadata event type on messages the outbox posts, carrying the delivery id. */
const deliveryMetadataType = 'itbuddy_delivery';

/** Prefix of private_metadata that refers to stashed metadata. */
const stashedMetaPrefix = 'ref:';

export interface Delivery {
  /** Renders replies, stashing any forms so their "Open form" buttons work later. */
  prepare(replies: Reply[]): Promise<SlackMessage>;
  /** Posts replies to a conversation (optionally in a thread) with the given client. */
  postWith(client: WebClient, channel: string, replies: Reply[], threadTs?: string): Promise<PostedMessage>;
  /** The DM channel with a user (cached). */
  dmChannel(client: WebClient, userId: string): Promise<string>;
  /** Answers through a response_url: ephemeral by default, never replacing the original. */
  respond(
    responseUrl: string,
    replies: Reply[],
    options?: { inChannel?: boolean; deleteOriginal?: boolean },
  ): Promise<void>;
  /** Deletes the message a response_url belongs to (e.g. an ephemeral answer after sharing it). */
  deleteOriginal(responseUrl: string): Promise<void>;
  /** Opens `form` as a modal with a trigger id. Throws the Web API error (see isExpiredTrigger). */
  openModal(triggerId: string, form: Form, origin?: FormOrigin): Promise<void>;
  /** The modal view for a form, with its metadata stashed when over Slack's 3,000-character limit. */
  modalFor(form: Form, origin?: FormOrigin): Promise<ModalView>;
  /** Reads private_metadata back (inline JSON or a stash reference); undefined when unreadable or expired. */
  readMeta(privateMetadata: string): Promise<FormMeta | undefined>;
  /** The form behind an "Open form" button value; undefined when expired. */
  formFromButton(value: string | undefined): Promise<Form | undefined>;
  /** Keeps replies for a later click (e.g. "Share in channel"); returns the reference. */
  stashReplies(replies: Reply[]): Promise<string>;
  /** Replies kept by `stashReplies`; undefined when expired. */
  loadReplies(ref: string): Promise<Reply[] | undefined>;
  /** The ChannelAdapter contract over one client. */
  channelAdapter(client: WebClient): ChannelAdapter & { platform: 'slack' };
}

export interface DeliveryDeps {
  client: WebClient;
  stash: SlackStash;
  logger: Logger;
  /** Timeout of response_url posts (ms). */
  responseTimeoutMs: number;
}

function stripPlatform(id: string): string {
  return id.startsWith('slack:') ? id.slice('slack:'.length) : id;
}

/**
 * Blocks as the JSON text the Web API client would send anyway. Before every call the client copies every nested
 * object of the arguments to redact tokens for a debug log line, whether debug logging is on or not: for a
 * message of blocks that cost more than rendering it. A string is form-encoded untouched, so the request Slack
 * receives is byte for byte the same.
 */
function wireBlocks(blocks: SlackMessage['blocks']): never {
  return JSON.stringify(blocks) as never;
}

/** Creates the delivery helpers. */
export function createDelivery(deps: DeliveryDeps): Delivery {
  const { stash, logger } = deps;
  const dmChannels = new Map<string, string>();

  async function prepare(replies: Reply[]): Promise<SlackMessage> {
    const refs = new Map<Form, string>();
    for (const r of replies) {
      if (r.type === 'form') refs.set(r, `${stashedFormPrefix}${await stash.put('form', r)}`);
    }
    return renderMessage(replies, { formValue: (f) => refs.get(f) ?? f.id });
  }

  async function postWith(
    client: WebClient,
    channel: string,
    replies: Reply[],
    threadTs?: string,
    deliveryId?: string,
  ): Promise<PostedMessage> {
    const message = await prepare(replies);
    const base = {
      channel: stripPlatform(channel),
      text: message.text,
      unfurl_links: false,
      unfurl_media: false,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      // Invisible to people; lets findPosted recognise this message after a crash.
      ...(deliveryId
        ? { metadata: { event_type: deliveryMetadataType, event_payload: { delivery: deliveryId } } }
        : {}),
    };
    try {
      const res = await client.chat.postMessage({ ...base, blocks: wireBlocks(message.blocks) });
      return { platform: 'slack', destination: res.channel ?? base.channel, messageId: res.ts ?? '' };
    } catch (error) {
      // Blocks Slack refuses are a bug on our side; the person should still get the words.
      if (slackErrorCode(error)?.startsWith('invalid_blocks')) {
        logger.error({ err: error }, 'Slack refused the blocks; sent the text only');
        try {
          const res = await client.chat.postMessage(base);
          return { platform: 'slack', destination: res.channel ?? base.channel, messageId: res.ts ?? '' };
        } catch (retryError) {
          throw toDeliveryError(retryError, 'a message');
        }
      }
      throw toDeliveryError(error, 'a message');
    }
  }

  async function dmChannel(client: WebClient, userId: string): Promise<string> {
    const id = stripPlatform(userId);
    const cached = dmChannels.get(id);
    if (cached) return cached;
    try {
      const res = await client.conversations.open({ users: id });
      const channel = res.channel?.id;
      if (!channel) throw new PermanentDeliveryError('Slack did not return a direct-message channel.');
      if (dmChannels.size > 10_000) dmChannels.clear();
      dmChannels.set(id, channel);
      return channel;
    } catch (error) {
      if (error instanceof PermanentDeliveryError) throw error;
      throw toDeliveryError(error, 'opening a direct message');
    }
  }

  async function postJson(url: string, payload: unknown): Promise<void> {
    if (!/^https?:\/\//.test(url)) throw new Error('The response_url is not an http(s) URL.');
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(deps.responseTimeoutMs),
        });
        await res.body?.cancel();
        if (res.ok) return;
        lastError = new Error(`response_url answered HTTP ${res.status}`);
        if (res.status < 500) break;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  async function respond(
    responseUrl: string,
    replies: Reply[],
    options: { inChannel?: boolean; deleteOriginal?: boolean } = {},
  ): Promise<void> {
    const message = await prepare(replies);
    await postJson(responseUrl, {
      response_type: options.inChannel ? 'in_channel' : 'ephemeral',
      replace_original: false,
      ...(options.deleteOriginal ? { delete_original: true } : {}),
      text: message.text,
      blocks: message.blocks,
    });
  }

  async function modalFor(form: Form, origin?: FormOrigin): Promise<ModalView> {
    const meta = formMeta(form, origin);
    let metadata = JSON.stringify(meta);
    if (metadata.length > 3000) metadata = `${stashedMetaPrefix}${await stash.put('meta', meta)}`;
    return formModal(form, metadata, meta);
  }

  async function readMeta(privateMetadata: string): Promise<FormMeta | undefined> {
    try {
      const raw = privateMetadata.startsWith(stashedMetaPrefix)
        ? await stash.get('meta', privateMetadata.slice(stashedMetaPrefix.length))
        : (JSON.parse(privateMetadata) as unknown);
      const parsed = formMetaSchema.safeParse(raw);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async function formFromButton(value: string | undefined): Promise<Form | undefined> {
    if (!value?.startsWith(stashedFormPrefix)) return undefined;
    const parsed = formSchema.safeParse(await stash.get('form', value.slice(stashedFormPrefix.length)));
    return parsed.success ? parsed.data : undefined;
  }

  function channelAdapter(client: WebClient): ChannelAdapter & { platform: 'slack' } {
    return {
      platform: 'slack',
      post: (destination, replies, options) =>
        postWith(client, destination, replies, options?.threadId, options?.deliveryId),
      async findPosted(destination, deliveryId, options) {
        const channel = stripPlatform(destination);
        const oldest = (options.since.getTime() / 1000).toFixed(6);
        let cursor: string | undefined;
        // A few pages are plenty: the message, if any, was posted moments before the crash.
        for (let page = 0; page < 5; page++) {
          try {
            const res = options.threadId
              ? await client.conversations.replies({
                  channel,
                  ts: options.threadId,
                  oldest,
                  include_all_metadata: true,
                  limit: 200,
                  ...(cursor ? { cursor } : {}),
                })
              : await client.conversations.history({
                  channel,
                  oldest,
                  include_all_metadata: true,
                  limit: 200,
                  ...(cursor ? { cursor } : {}),
                });
            const found = res.messages?.find(
              (m) =>
                m.metadata?.event_type === deliveryMetadataType &&
                (m.metadata.event_payload as Record<string, unknown> | undefined)?.delivery === deliveryId,
            );
            if (found?.ts) return { platform: 'slack', destination: channel, messageId: found.ts };
            cursor = res.response_metadata?.next_cursor || undefined;
            if (!res.has_more || !cursor) return undefined;
          } catch (error) {
            throw toDeliveryError(error, 'a look for an earlier post');
          }
        }
        return undefined;
      },
      async update(posted, replies) {
        const message = await prepare(replies);
        try {
          await client.chat.update({
            channel: stripPlatform(posted.destination),
            ts: posted.messageId,
            text: message.text,
            blocks: wireBlocks(message.blocks),
          });
        } catch (error) {
          throw toDeliveryError(error, 'a message update');
        }
      },
      async sendDirect(userId, replies) {
        return postWith(client, await dmChannel(client, userId), replies);
      },
    };
  }

  return {
    prepare,
    postWith,
    dmChannel,
    respond,
    deleteOriginal: (responseUrl) => postJson(responseUrl, { delete_original: true }),
    async openModal(triggerId, form, origin) {
      await deps.client.views.open({ trigger_id: triggerId, view: (await modalFor(form, origin)) as never });
    },
    modalFor,
    readMeta,
    formFromButton,
    stashReplies: (replies) => stash.put('share', replies),
    async loadReplies(ref) {
      const parsed = z.array(replySchema).safeParse(await stash.get('share', ref));
      return parsed.success ? parsed.data : undefined;
    },
    channelAdapter,
  };
}
