// The contract a feature (answers, intake, announcements, ...) implements to plug into the router.
import type { Config } from '../config/load-config.ts';
import type { Logger } from '../logging/logger.ts';
import type { FormSubmission, IncomingMessage } from '../messages/incoming.ts';
import type { Reply } from '../messages/replies.ts';
import type { ReplyStream } from '../messages/reply-stream.ts';
import type { Roles } from './roles.ts';

/** Everything a handler needs about the current turn. */
export interface TurnContext {
  message: IncomingMessage;
  /** `platform:userId`, the user's key in the store. */
  userKey: string;
  /** The message text, cleaned (control characters removed, trimmed, at most 4,000 characters). */
  text: string;
  roles: Roles;
  config: Config;
  logger: Logger;
  now: Date;
  /** A live reply to stream model text into, when the channel streams here (see reply-stream.ts). */
  stream?: ReplyStream | undefined;
}

export type Handler<A> = (ctx: TurnContext, arg: A) => Promise<Reply[]>;

/** A feature: the commands, buttons and forms it owns, and optional hooks into free text. */
export interface BotFeature {
  name: string;
  /** Runs first on text: a feature holding an ongoing conversation (e.g. intake questions) answers here. */
  intercept?: (ctx: TurnContext) => Promise<Reply[] | undefined>;
  /** Text commands by first word (`request`, `status`, `announce`, ...); the argument is the rest of the text. */
  commands?: Record<string, Handler<string>>;
  /** Button actions by action id; the argument is the button's value. */
  actions?: Record<string, Handler<string | undefined>>;
  /** Form submissions by form id. */
  forms?: Record<string, Handler<FormSubmission>>;
  /** Free text that is not a command: return replies when the text is for this feature ("I need Visio"). */
  detect?: (ctx: TurnContext) => Promise<Reply[] | undefined>;
  /**
   * Replies placed before whatever answers a question, a command or detected free text (not ongoing
   * conversations, small talk, buttons or forms), e.g. a known-issue notice. Return [] to add nothing.
   */
  preface?: (ctx: TurnContext) => Promise<Reply[]>;
  /** Lines for the help card, e.g. "`request` – ask IT for something". */
  help?: (ctx: TurnContext) => string[];
}
