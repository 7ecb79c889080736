// The one adapter contract for sending without being asked: channel posts, in-place updates, direct messages.
// Every platform adapter implements it; optional members cover what only some platforms can do.
import { CodedError } from '../errors.ts';
import type { Platform } from '../messages/incoming.ts';
import type { Reply } from '../messages/replies.ts';

/** Where a message was posted, so it can be updated in place later. */
export interface PostedMessage {
  platform: Platform;
  /** Channel or conversation id. */
  destination: string;
  messageId: string;
}

/** What a platform adapter can send on its own initiative. */
export interface ChannelAdapter {
  readonly platform: Platform;
  /**
   * Posts replies to a channel or conversation (optionally in a thread). `deliveryId` is attached to the message
   * where the platform can carry it invisibly (Slack message metadata), so `findPosted` can recognise it.
   */
  post(
    destination: string,
    replies: Reply[],
    options?: { threadId?: string; deliveryId?: string },
  ): Promise<PostedMessage>;
  /**
   * Crash recovery: the message this bot posted to `destination` with `deliveryId` since `since`, or undefined
   * when there is none. Throws when it cannot tell. Platforms without it get at-least-once delivery.
   */
  findPosted?(
    destination: string,
    deliveryId: string,
    options: { since: Date; threadId?: string },
  ): Promise<PostedMessage | undefined>;
  /** Replaces a posted message's content (Slack chat.update, Teams updateActivity). */
  update?(posted: PostedMessage, replies: Reply[]): Promise<void>;
  /**
   * Sends a direct message to a user of this platform. A platform that keeps messages itself (the web inbox) uses
   * `deliveryId` to send each delivery at most once; the others ignore it.
   */
  sendDirect(userId: string, replies: Reply[], options?: { deliveryId?: string }): Promise<PostedMessage>;
}

/** The destination is gone for good (channel archived, bot removed): record it, report it, do not retry. */
export class PermanentDeliveryError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('delivery_permanent', message, options);
  }
}

/** Delivery failed but may work later; `retryAfterMs` is the platform's own hint when it gave one. */
export class RetryableDeliveryError extends CodedError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number, options?: { cause?: unknown }) {
    super('delivery_retryable', message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The adapters registered at start-up, by platform. */
export class ChannelRegistry {
  private readonly adapters = new Map<Platform, ChannelAdapter>();

  register(adapter: ChannelAdapter): void {
    this.adapters.set(adapter.platform, adapter);
  }

  get(platform: Platform): ChannelAdapter | undefined {
    return this.adapters.get(platform);
  }

  platforms(): Platform[] {
    return [...this.adapters.keys()];
  }
}

/** Splits "slack:C0123" into its platform and destination id (the id may itself contain colons). */
export function parseDestination(spec: string): { platform: Platform; id: string } | undefined {
  const colon = spec.indexOf(':');
  const platform = spec.slice(0, colon);
  const id = spec.slice(colon + 1).trim();
  if (colon < 1 || !id || !['web', 'slack', 'teams', 'cli'].includes(platform)) return undefined;
  return { platform: platform as Platform, id };
}
