// The platform-neutral incoming message: what every adapter turns a platform event into before calling the core.
import { z } from 'zod';

export const platformSchema = z.enum(['web', 'slack', 'teams', 'cli']);
export type Platform = z.infer<typeof platformSchema>;

/** A button press: the action id and its value, as the core emitted them. */
export const actionSchema = z.object({
  id: z.string().min(1).max(100),
  value: z.string().max(2000).optional(),
  /** Free text given with the action, e.g. the comment of a native feedback form. */
  comment: z.string().max(2000).optional(),
});
export type Action = z.infer<typeof actionSchema>;

/** A submitted form: its id, the values by field name, and the state the core attached to it. */
export const formSubmissionSchema = z.object({
  formId: z.string().min(1).max(100),
  values: z.record(z.string(), z.string().max(20_000)),
  state: z.string().max(10_000).optional(),
});
export type FormSubmission = z.infer<typeof formSubmissionSchema>;

export const userSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  /** Email, when the platform tells it; never sent to the language model. */
  email: z.string().max(320).optional(),
  /** Department or team, when the platform tells it. */
  department: z.string().max(200).optional(),
});
export type User = z.infer<typeof userSchema>;

export const conversationSchema = z.object({
  id: z.string().min(1).max(500),
  kind: z.enum(['personal', 'channel', 'group']),
  /** Thread the message belongs to, where the platform has threads. */
  threadId: z.string().max(500).optional(),
});
export type Conversation = z.infer<typeof conversationSchema>;

/** One incoming message: text, a button press, or a form submission. */
export const incomingMessageSchema = z.object({
  platform: platformSchema,
  user: userSchema,
  conversation: conversationSchema,
  text: z.string().optional(),
  action: actionSchema.optional(),
  form: formSubmissionSchema.optional(),
  /** A link back to the source message (e.g. a Slack permalink), when there is one. */
  sourceUrl: z.string().max(2000).optional(),
  /** True when the user invoked a command (slash command, Teams command) rather than chatting. */
  command: z.boolean().optional(),
});
export type IncomingMessage = z.infer<typeof incomingMessageSchema>;

/** A stable key for a user across the store: `platform:userId`. */
export function userKey(platform: Platform, userId: string): string {
  return `${platform}:${userId}`;
}
