// The /itbuddy slash command: which sub-commands exist, how each becomes text for the core, and the usage help.
import { escapeMarkdown, truncate } from '../../src/messages/markdown.ts';

/** The command as declared in the manifest. */
export const slashCommand = '/itbuddy';

/** Sub-commands the adapter passes to the core, by first word. */
export const subcommands = ['help', 'ask', 'request', 'status', 'announce', 'newsletter'] as const;

/** What a slash command asks for. */
export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'core'; text: string }
  | { kind: 'usage'; unknown: string | undefined };

/** Reads `/itbuddy <text>`: known sub-commands go to the core as "<sub> <rest>", anything else gets the usage. */
export function parseSlashCommand(raw: string): ParsedCommand {
  const text = raw.replace(/\s+/g, ' ').trim();
  const [first = '', ...rest] = text.split(' ');
  const sub = first.toLowerCase();
  const args = rest.join(' ');
  if (sub === '' || sub === 'help' || sub === '?') return { kind: 'help' };
  if (sub === 'newsletter') return { kind: 'core', text: `newsletter ${args || 'preview'}` };
  if ((subcommands as readonly string[]).includes(sub))
    return { kind: 'core', text: args ? `${sub} ${args}` : sub };
  return { kind: 'usage', unknown: first };
}

/** The usage help, in IT Buddy markdown; mentions the unknown sub-command when there was one. */
export function usageText(unknown?: string): string {
  const lead = unknown
    ? `I don't know the sub-command “${escapeMarkdown(truncate(unknown, 40))}”. Here is what \`${slashCommand}\` can do:`
    : `Here is what \`${slashCommand}\` can do:`;
  return [
    lead,
    `- \`${slashCommand} ask <question>\` – how to do something`,
    `- \`${slashCommand} request [what you need]\` – ask IT for something`,
    `- \`${slashCommand} status [IT-0042]\` – your requests, or one of them`,
    `- \`${slashCommand} announce\` – publish an announcement (liaisons)`,
    `- \`${slashCommand} newsletter preview\` – preview this week's newsletter`,
    `- \`${slashCommand} help\` – this list`,
    'You can also message me directly, or mention me in a channel and I answer in the thread.',
  ].join('\n');
}
