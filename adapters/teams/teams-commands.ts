// The text commands Teams suggests in its compose box. They are plain text to the core (the router reads the
// first word); the app manifest lists the same ones, and a test keeps the two in step.
import { defaultPrompts } from '../../src/messages/suggested-prompts.ts';

/** One suggested command: what the user types, and what Teams shows beside it. */
export interface TeamsCommand {
  /** At most 32 characters (manifest limit). */
  title: string;
  /** At most 128 characters (manifest limit). */
  description: string;
}

/** Commands in the order Teams lists them. */
export const teamsCommands: readonly TeamsCommand[] = [
  { title: 'help', description: 'What IT Buddy can do for you' },
  { title: 'ask', description: 'Ask how to do something, e.g. ask how do I connect to the VPN' },
  { title: 'request', description: 'Ask IT for something: access, software, a new laptop, a fix' },
  { title: 'status', description: 'See where your IT requests stand' },
  { title: 'announce', description: 'Share an IT announcement (liaisons and admins)' },
  { title: 'newsletter preview', description: "Preview this week's IT newsletter" },
];

/**
 * Prompt starters for personal chats: the default suggested prompts (the same as Slack's), listed before the
 * commands. Teams puts the title in the compose box, so the title is the prompt's message.
 */
export const promptStarters: readonly TeamsCommand[] = defaultPrompts
  .filter((p) => !teamsCommands.some((c) => c.title === p.message))
  .map((p) => ({ title: p.message, description: p.title }));

/** What the personal-chat command list of the manifest holds: prompt starters, then the commands. */
export const personalCommands: readonly TeamsCommand[] = [...promptStarters, ...teamsCommands];

const firstWords = new Set(teamsCommands.map((c) => c.title.split(' ')[0]!.toLowerCase()));

/** True when `text` starts with one of the suggested commands. */
export function isTeamsCommand(text: string): boolean {
  const first = text.trim().split(/\s+/)[0]?.replace(/^\//, '').toLowerCase() ?? '';
  return firstWords.has(first);
}
