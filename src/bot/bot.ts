// The router: one entry point from every adapter. It cleans the text, lets features claim the turn, and falls
// back to answering from the knowledge base. One failing handler never takes the bot down.
import type { Config } from '../config/load-config.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { type IncomingMessage, userKey } from '../messages/incoming.ts';
import { type Reply, reply } from '../messages/replies.ts';
import type { ReplyStream } from '../messages/reply-stream.ts';
import { copy } from './copy.ts';
import type { BotFeature, Handler, TurnContext } from './feature.ts';
import { examineText, smallTalk } from './message-text.ts';
import { type RoleGrants, resolveRoles } from './roles.ts';

/** The core as adapters see it. */
export interface Bot {
  /** Answers one message; `options.stream` lets a model answer show while it is written. */
  handle(message: IncomingMessage, options?: { stream?: ReplyStream | undefined }): Promise<Reply[]>;
}

export interface BotDeps {
  config: Config;
  logger: Logger;
  features: BotFeature[];
  /** Answers free text nobody else claimed. */
  fallback: (ctx: TurnContext, text: string) => Promise<Reply[]>;
  roleGrants?: RoleGrants;
  clock?: () => Date;
}

/** Creates the router over the given features. */
export function createBot(deps: BotDeps): Bot {
  const { features, logger } = deps;
  const commands = new Map<string, Handler<string>>();
  const actions = new Map<string, Handler<string | undefined>>();
  const forms = new Map<string, Handler<import('../messages/incoming.ts').FormSubmission>>();
  for (const f of features) {
    for (const [name, h] of Object.entries(f.commands ?? {})) commands.set(name, h);
    for (const [id, h] of Object.entries(f.actions ?? {})) actions.set(id, h);
    for (const [id, h] of Object.entries(f.forms ?? {})) forms.set(id, h);
  }

  const helpCard = (ctx: TurnContext): Reply => ({
    type: 'card',
    kind: 'help',
    title: 'Here is what I can do',
    sections: [
      {
        text: 'Ask me a question in your own words, like _how do I connect to the VPN?_ or _locked out again_.',
      },
      {
        heading: 'Commands',
        text: features
          .flatMap((f) => f.help?.(ctx) ?? [])
          .map((l) => `- ${l}`)
          .join('\n'),
      },
    ],
  });

  /** Every feature's preface for this turn; a failing one is logged and left out. */
  async function prefaceFor(ctx: TurnContext): Promise<Reply[]> {
    const out: Reply[] = [];
    for (const f of features) {
      if (!f.preface) continue;
      try {
        out.push(...(await f.preface(ctx)));
      } catch (error) {
        ctx.logger.warn({ err: error, feature: f.name }, 'Preface failed; answering without it');
      }
    }
    return out;
  }

  async function route(ctx: TurnContext, message: IncomingMessage): Promise<Reply[]> {
    if (message.form) {
      const handler = forms.get(message.form.formId);
      return handler ? handler(ctx, message.form) : [reply.text(copy.unknownAction)];
    }
    if (message.action) {
      const handler = actions.get(message.action.id);
      return handler ? handler(ctx, message.action.value) : [reply.text(copy.unknownAction)];
    }
    const examined = examineText(message.text);
    if (examined.shape === 'unreadable') return [reply.text(copy.unreadable)];
    if (examined.shape === 'emoji') return [reply.text(copy.emojiOnly)];
    if (examined.shape === 'empty') return [reply.text(copy.empty)];
    const text = examined.text;
    const turn = { ...ctx, text };
    const prefix: Reply[] = examined.truncated ? [reply.notice('info', copy.tooLong)] : [];

    for (const f of features) {
      const claimed = await f.intercept?.(turn);
      if (claimed) return [...prefix, ...claimed];
    }
    const talk = smallTalk(text);
    if (talk === 'greeting') return [reply.text(copy.greeting)];
    if (talk === 'thanks') return [reply.text(copy.thanks)];
    if (talk === 'help') return [helpCard(turn)];

    const [first = '', ...rest] = text.split(' ');
    const command = commands.get(first.replace(/^\//, '').toLowerCase());
    const preface = [...prefix, ...(await prefaceFor(turn))];
    if (command) return [...preface, ...(await command(turn, rest.join(' ')))];

    for (const f of features) {
      const detected = await f.detect?.(turn);
      if (detected) return [...preface, ...detected];
    }
    return [...preface, ...(await deps.fallback(turn, text))];
  }

  return {
    async handle(message, options) {
      const key = userKey(message.platform, message.user.id);
      const now = deps.clock?.() ?? new Date();
      const child = logger.child({ platform: message.platform, conversationKind: message.conversation.kind });
      try {
        const roles = await resolveRoles(deps.config, key, deps.roleGrants).catch((error: unknown) => {
          if (!(error instanceof StoreUnavailableError)) throw error;
          // Without the store, granted roles are unknown: go on with the configured ones (never more).
          child.warn({ err: error }, 'Store unavailable: role grants not read');
          return resolveRoles(deps.config, key);
        });
        const ctx: TurnContext = {
          message,
          userKey: key,
          text: message.text ?? '',
          roles,
          config: deps.config,
          logger: child,
          now,
          ...(options?.stream ? { stream: options.stream } : {}),
        };
        return await route(ctx, message);
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          child.error({ err: error }, 'Store unavailable during a turn');
          return [
            reply.notice(
              'error',
              "I can't reach my storage right now, so nothing was saved. Please try again in a few minutes.",
            ),
          ];
        }
        child.error({ err: error }, 'Turn failed');
        return [reply.notice('error', copy.somethingWrong)];
      }
    },
  };
}
