// The router as a conversation: small talk, help, commands, buttons, and what happens when a handler fails.
import { Writable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Bot, createBot } from '../../src/bot/bot.ts';
import { copy } from '../../src/bot/copy.ts';
import type { BotFeature } from '../../src/bot/feature.ts';
import { StoreUnavailableError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { IncomingMessage } from '../../src/messages/incoming.ts';
import { toPlainText } from '../../src/messages/markdown.ts';
import type { Reply } from '../../src/messages/replies.ts';
import { reply } from '../../src/messages/replies.ts';
import { testConfig } from '../helpers/test-config.ts';

/** Log lines written during the test, parsed. */
let logLines: Array<Record<string, unknown>>;
/** Texts the fallback (the knowledge-base answerer in production) received. */
let fallbackSaw: string[];
let bot: Bot;

const orders: BotFeature = {
  name: 'orders',
  commands: {
    order: async (_ctx, args) => [reply.text(`Ordering: ${args}`)],
  },
  actions: {
    'orders.cancel': async (_ctx, value) => [reply.notice('success', `Cancelled ${value}`)],
    'orders.explode': async () => {
      throw new Error('database melted');
    },
    'orders.save': async () => {
      throw new StoreUnavailableError('The store is down');
    },
  },
  forms: {
    'orders.form': async (_ctx, form) => [reply.text(`Got ${form.values.item}`)],
  },
  detect: async (ctx) => (/\bI need\b/i.test(ctx.text) ? [reply.text('Sounds like a request!')] : undefined),
  help: () => ['`order <thing>` – order something'],
};

const survey: BotFeature = {
  name: 'survey',
  intercept: async (ctx) => (ctx.text === 'blue' ? [reply.text('Noted: blue.')] : undefined),
  help: () => ['`survey` – answer a question'],
};

function newBot(features: BotFeature[]): Bot {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return createBot({
    config: testConfig(),
    logger: createLogger('info', sink),
    features,
    fallback: async (_ctx, text) => {
      fallbackSaw.push(text);
      return [reply.text(`Looking up: ${text}`)];
    },
  });
}

beforeEach(() => {
  logLines = [];
  fallbackSaw = [];
  bot = newBot([orders, survey]);
});

function message(content: Pick<IncomingMessage, 'text' | 'action' | 'form'>): IncomingMessage {
  return {
    platform: 'web',
    user: { id: 'alice' },
    conversation: { id: 'web:alice', kind: 'personal' },
    ...content,
  };
}

const say = (text: string) => bot.handle(message({ text }));
const press = (id: string, value?: string) =>
  bot.handle(message({ action: value === undefined ? { id } : { id, value } }));

function onlyText(replies: Reply[]): string {
  expect(replies).toHaveLength(1);
  const [first] = replies;
  if (first?.type !== 'text' && first?.type !== 'notice')
    throw new Error(`expected text, got ${JSON.stringify(first)}`);
  return first.text;
}

describe('small talk', () => {
  it.each(['hi', 'Hello!', 'hey there', 'Good morning', 'hi IT Buddy 👋'])(
    '"%s" gets the greeting',
    async (text) => {
      expect(onlyText(await say(text))).toBe(copy.greeting);
      expect(fallbackSaw).toEqual([]);
    },
  );

  it.each(['thanks', 'Thank you so much!', 'cheers', 'thx 🙏'])(
    '"%s" gets a warm you-are-welcome',
    async (text) => {
      expect(onlyText(await say(text))).toBe(copy.thanks);
    },
  );

  it('a greeting inside a real question goes to the answerer, not small talk', async () => {
    expect(onlyText(await say('hi, how do I connect to the VPN?'))).toBe(
      'Looking up: hi, how do I connect to the VPN?',
    );
  });

  it('"help" shows the help card listing every feature\'s commands', async () => {
    const replies = await say('help');
    expect(replies).toHaveLength(1);
    const card = replies[0];
    if (card?.type !== 'card') throw new Error(`expected a card, got ${JSON.stringify(card)}`);
    expect(card.kind).toBe('help');
    expect(card.title).toBe('Here is what I can do');
    const commands = card.sections.find((s) => s.heading === 'Commands');
    expect(commands?.text).toBe('- `order <thing>` – order something\n- `survey` – answer a question');
  });

  it('"what can you do?" also shows the help card', async () => {
    expect((await say('what can you do?'))[0]).toMatchObject({ type: 'card', kind: 'help' });
  });
});

describe('routing text', () => {
  it('a command runs with the rest of the text as its argument, with or without a slash', async () => {
    expect(onlyText(await say('order a new mouse'))).toBe('Ordering: a new mouse');
    expect(onlyText(await say('/ORDER two monitors'))).toBe('Ordering: two monitors');
  });

  it('an ongoing conversation (intercept) claims the turn before anything else', async () => {
    expect(onlyText(await say('blue'))).toBe('Noted: blue.');
  });

  it('a feature may claim free text it recognises', async () => {
    expect(onlyText(await say('I need a new keyboard'))).toBe('Sounds like a request!');
    expect(fallbackSaw).toEqual([]);
  });

  it('anything else goes to the answerer, cleaned of extra whitespace', async () => {
    expect(onlyText(await say('  how do I\n\nprint?  '))).toBe('Looking up: how do I print?');
    expect(fallbackSaw).toEqual(['how do I print?']);
  });

  it('a very long message is cut, and the user is told before the answer', async () => {
    const replies = await say(`printer ${'x'.repeat(10_000)}`);
    expect(replies[0]).toEqual({ type: 'notice', tone: 'info', text: copy.tooLong });
    expect(fallbackSaw[0]).toHaveLength(4000);
  });
});

describe('buttons and forms', () => {
  it('a button runs its feature with the button value', async () => {
    expect(await press('orders.cancel', 'R-12')).toEqual([
      { type: 'notice', tone: 'success', text: 'Cancelled R-12' },
    ]);
  });

  it('an unknown button says it has expired instead of failing', async () => {
    expect(onlyText(await press('nobody.knows', 'x'))).toBe(copy.unknownAction);
    expect(fallbackSaw).toEqual([]);
  });

  it('a form submission reaches its feature; an unknown form says it has expired', async () => {
    expect(
      onlyText(await bot.handle(message({ form: { formId: 'orders.form', values: { item: 'mouse' } } }))),
    ).toBe('Got mouse');
    expect(onlyText(await bot.handle(message({ form: { formId: 'gone.form', values: {} } })))).toBe(
      copy.unknownAction,
    );
  });
});

describe('failures', () => {
  it('a handler that throws gets a kind error notice, is logged with its stack, and the bot keeps working', async () => {
    expect(await press('orders.explode')).toEqual([
      { type: 'notice', tone: 'error', text: copy.somethingWrong },
    ]);
    const failure = logLines.find((l) => l.msg === 'Turn failed');
    expect(failure).toBeDefined();
    const err = failure?.err as { message: string; stack: string };
    expect(err.message).toBe('database melted');
    expect(err.stack).toMatch(/router\.test\.ts/);

    expect(onlyText(await say('hi'))).toBe(copy.greeting);
    expect(onlyText(await press('orders.cancel', 'R-1'))).toBe('Cancelled R-1');
  });

  it('shows the examples in the greeting, the empty-message reply and help as italics, with no stray asterisks', async () => {
    for (const text of ['hi', '', 'help']) {
      const replies = await say(text);
      const shown = replies
        .flatMap((r) =>
          r.type === 'card'
            ? r.sections.map((x) => x.text ?? '')
            : r.type === 'text' || r.type === 'notice'
              ? [r.text]
              : [],
        )
        .map(toPlainText)
        .join('\n');
      expect(shown).toMatch(/how do I/);
      expect(shown).not.toContain('*');
    }
  });

  it('a failing feature hook does not take other users down', async () => {
    const flaky: BotFeature = {
      name: 'flaky',
      detect: async (ctx) => {
        if (ctx.userKey === 'web:mallory') throw new Error('bad input');
        return undefined;
      },
    };
    bot = newBot([flaky]);
    const mallory = await bot.handle({ ...message({ text: 'printer' }), user: { id: 'mallory' } });
    const alice = await bot.handle(message({ text: 'printer' }));
    expect(mallory).toEqual([{ type: 'notice', tone: 'error', text: copy.somethingWrong }]);
    expect(onlyText(alice)).toBe('Looking up: printer');
  });

  it('an unreachable store tells the user nothing was saved', async () => {
    const replies = await press('orders.save');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: 'notice', tone: 'error' });
    expect(onlyText(replies)).toMatch(/nothing was saved/);
    expect(logLines.some((l) => l.msg === 'Store unavailable during a turn')).toBe(true);
  });
});
