// The bot's own words, kept in one place so the voice stays warm, plain and short.
import type { Config } from '../config/load-config.ts';

/** How to reach IT, as one friendly sentence built from configuration. */
export function howToReachIt(config: Config): string {
  const ways: string[] = [];
  if (config.itHelp.url) ways.push(`open the [IT portal](${config.itHelp.url})`);
  if (config.itHelp.email) ways.push(`email ${config.itHelp.email}`);
  if (config.itHelp.phone) ways.push(`call ${config.itHelp.phone}`);
  if (ways.length === 0) return 'You can also ask me to pass it to IT and they will get back to you.';
  return `You can also ${ways.join(', or ')}.`;
}

export const copy = {
  greeting:
    "Hi! I'm IT Buddy 👋 Ask me how to do something (like _how do I connect to the VPN?_) or tell me what you need from IT.",
  thanks: "You're welcome! I'm here whenever you need me.",
  empty:
    "I didn't catch anything there. What can I help you with? You can ask something like _how do I reset my password?_",
  unreadable:
    "I couldn't read that message — it looks like it may be a file or garbled text. Could you type your question in a sentence?",
  emojiOnly: 'I speak emoji a little, but words work better for me 🙂 What can I help you with?',
  tooLong:
    'That was a long message! I read the first part. If I missed something, try asking in one or two sentences.',
  dontKnow: "I'm not sure about that one, and I'd rather not guess.",
  offerIt: 'Want me to pass your question to IT? They can help.',
  feedbackThanks: "Thanks for telling me! I'm glad that helped.",
  feedbackSorry: "Sorry that didn't help. Want me to pass it to IT so a person can take a look?",
  somethingWrong:
    'Sorry, something went wrong on my side. Please try again in a moment — if it keeps happening, let IT know.',
  unknownAction: "That button has expired. Ask me again and I'll give you a fresh one.",
  notYourButton:
    "That button was for the person who asked, so I've left it as it was. Ask me your own question any time and you'll get buttons of your own.",
} as const;
