// `itbuddy intake parse`: how IT Buddy reads opening messages — the route, kind, title, pre-filled fields and the
// questions it would still ask — from the same code the chat uses. No store or server needed.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseOpening } from '../../../src/intake/opening-parse.ts';
import { type CliCommand, type CliIo, println, UsageError } from '../command.ts';
import { readConfig } from '../core.ts';

export const intakeParseCommand: CliCommand = {
  name: ['intake', 'parse'],
  summary: 'Show how opening messages are read: route, kind, title, fields and the questions left',
  usage: [
    '  itbuddy intake parse "<message>" [--now ISO] [--tz ZONE]',
    '  itbuddy intake parse --jsonl [--now ISO] [--tz ZONE] < messages.txt',
    '',
    '  --jsonl      read one message per stdin line (a JSON object line is read as its "text"), write one JSON',
    '               object per line: {"text","route","kind","title","fields","missing"}',
    '  --now ISO    read relative dates ("by Friday") as if sent at this instant (default: now)',
    '  --tz ZONE    the time zone dates are read in (default: INTAKE_TIMEZONE)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        jsonl: { type: 'boolean', default: false },
        now: { type: 'string' },
        tz: { type: 'string' },
      },
    });
    const text = positionals.join(' ').trim();
    if (values.jsonl && text) throw new UsageError('With --jsonl the messages come from stdin, one a line.');
    if (!values.jsonl && !text)
      throw new UsageError('What is the message? For example: itbuddy intake parse "I need Visio"');
    const now = values.now ? new Date(values.now) : new Date();
    if (Number.isNaN(now.getTime()))
      throw new UsageError('--now takes a date and time like 2026-12-02T10:00:00Z.');
    const timeZone = values.tz ?? readConfig(io).intake.timeZone;
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      throw new UsageError(`--tz: "${timeZone}" is not a time zone; try Europe/London.`);
    }
    const context = { now, timeZone };
    if (!values.jsonl) {
      println(io.stdout, JSON.stringify(parseOpening(text, context), null, 2));
      return 0;
    }
    return parseMany(io, context);
  },
};

async function parseMany(io: CliIo, context: { now: Date; timeZone: string }): Promise<number> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const text = textOfLine(line);
    if (text) println(io.stdout, JSON.stringify(parseOpening(text, context)));
  }
  return 0;
}

/** A line is the message itself, or a JSON object carrying it as "text". */
function textOfLine(line: string): string | undefined {
  const t = line.trim();
  if (!t) return undefined;
  if (t.startsWith('{')) {
    try {
      const parsed = JSON.parse(t) as { text?: unknown };
      if (typeof parsed.text === 'string') return parsed.text.trim() || undefined;
    } catch {
      // Not JSON after all: the line is the message.
    }
  }
  return t;
}
