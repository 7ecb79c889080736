// The prompts IT Buddy suggests to start a conversation, before it knows what people ask most: pinned in Slack's
// Messages tab and listed as prompt starters in the Teams app manifest (a test keeps the two in step).

/** One suggested prompt: a short title and the message sent when it is picked. */
export interface SuggestedPrompt {
  title: string;
  /** At most 32 characters: Teams puts this text in the compose box and limits it so. */
  message: string;
}

/** The four defaults; the last ("request") always stays, so people find out they can ask IT for things. */
export const defaultPrompts: readonly SuggestedPrompt[] = [
  { title: 'Reset my password', message: 'How do I reset my password?' },
  { title: 'Connect to the VPN', message: 'How do I connect to the VPN?' },
  { title: 'Email on my phone', message: 'Set up work email on my phone' },
  { title: 'Ask IT for something', message: 'request' },
];
