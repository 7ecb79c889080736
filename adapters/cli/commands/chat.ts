// `itbuddy chat`: a conversation with the configured core in the terminal, through the same router as Slack,
// Teams and the web. Buttons are numbered: type the number to press one. Forms are asked field by field.
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Bot } from '../../../src/bot/bot.ts';
import type { IncomingMessage } from '../../../src/messages/incoming.ts';
import type { Button, Form } from '../../../src/messages/replies.ts';
import { type CliCommand, type CliIo, println } from '../command.ts';
import { openCore } from '../core.ts';
import { renderReplies } from '../render-text.ts';

export const chatCommand: CliCommand = {
  name: ['chat'],
  summary: 'Chat with IT Buddy in the terminal (uses the configured store)',
  usage: [
    '  itbuddy chat [--user ID]',
    '',
    '  --user ID  who you are to the bot (default: your login name); roles use "cli:<ID>"',
    '  Type a question, a number to press a button, or "exit" to leave.',
  ].join('\n'),
  usesStore: true,
  readsStdin: () => true,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { user: { type: 'string' } } });
    const { app } = await openCore(io);
    try {
      await converse(app.bot, io, values.user ?? safeUserName());
    } finally {
      await app.close();
    }
    return 0;
  },
};

function safeUserName(): string {
  try {
    return userInfo().username || 'terminal';
  } catch {
    return 'terminal';
  }
}

/** Runs the conversation until stdin ends or the user types exit. */
export async function converse(bot: Bot, io: CliIo, userId: string): Promise<void> {
  const rl = createInterface({
    input: io.stdin,
    output: io.interactive ? io.stdout : undefined,
    terminal: io.interactive,
  });
  const lines = rl[Symbol.asyncIterator]();
  const prompt = (text: string) => {
    if (io.interactive) io.stdout.write(text);
  };
  const next = async (label: string): Promise<string | undefined> => {
    prompt(label);
    const line = await lines.next();
    return line.done ? undefined : line.value;
  };
  const base = {
    platform: 'cli' as const,
    user: { id: userId },
    conversation: { id: `cli:${userId}`, kind: 'personal' as const },
  };
  let buttons: Button[] = [];
  println(
    io.stdout,
    'IT Buddy is here. Ask a question, type a number to press a button, or "exit" to leave.',
  );
  try {
    for (;;) {
      const line = await next('\nyou> ');
      if (line === undefined) break;
      const text = line.trim();
      if (!text) continue;
      if (/^(exit|quit|bye)$/i.test(text)) break;
      let message: IncomingMessage = { ...base, text };
      const picked = /^\d+$/.test(text) ? buttons[Number(text) - 1] : undefined;
      if (picked?.url) {
        println(io.stdout, `Open ${picked.url}`);
        continue;
      }
      if (picked?.action) message = { ...base, action: picked.action };
      let replies = await bot.handle(message);
      for (;;) {
        const turn = renderReplies(replies);
        if (turn.text) println(io.stdout, `\nIT Buddy:\n${indent(turn.text)}`);
        buttons = turn.buttons;
        if (!turn.form) break;
        const values = await fillForm(turn.form, next, io);
        if (!values) break;
        replies = await bot.handle({
          ...base,
          form: { formId: turn.form.id, values, ...(turn.form.state ? { state: turn.form.state } : {}) },
        });
      }
    }
  } finally {
    rl.close();
  }
}

/** Asks each form field in turn; returns undefined when the user types "cancel" or input ends. */
async function fillForm(
  form: Form,
  next: (label: string) => Promise<string | undefined>,
  io: CliIo,
): Promise<Record<string, string> | undefined> {
  println(io.stdout, '(Type "cancel" to stop, or press Enter to skip an optional field.)');
  const values: Record<string, string> = {};
  for (const field of form.fields) {
    const current = form.values?.[field.name];
    const error = form.errors?.[field.name];
    if (error) println(io.stdout, `  ✗ ${field.label}: ${error}`);
    if (field.hint) println(io.stdout, `  ${field.hint}`);
    for (const [i, o] of (field.options ?? []).entries()) println(io.stdout, `  [${i + 1}] ${o.label}`);
    for (;;) {
      const suffix = `${field.required ? '' : ' (optional)'}${current ? ` [${current}]` : ''}`;
      const answer = await next(`${field.label}${suffix}: `);
      if (answer === undefined || answer.trim().toLowerCase() === 'cancel') return undefined;
      let value = answer.trim() || current || '';
      if (field.options && /^\d+$/.test(value)) value = field.options[Number(value) - 1]?.value ?? value;
      if (value || !field.required) {
        if (value) values[field.name] = value;
        break;
      }
      println(io.stdout, `  ${field.label} is needed.`);
    }
  }
  return values;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
}
