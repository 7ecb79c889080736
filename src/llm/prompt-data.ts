// Keeps prompts safe: text from the knowledge base and from users goes to the model only as JSON inside tagged
// data blocks it cannot break out of, and only after personal identifiers and secrets are taken out.

import { stripControl } from '../messages/markdown.ts';
import { maskSecrets } from '../privacy/secret-masking.ts';

/**
 * A tagged data block: `<tag>` + the JSON of `value` + `</tag>`. `<`, `>` and `&` are JSON-escaped, so no text
 * inside can close the block or open another one, whatever it says.
 */
export function dataBlock(tag: string, value: unknown): string {
  if (!/^[a-z_]+$/.test(tag)) throw new Error(`dataBlock: invalid tag ${tag}`);
  const json = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
  return `<${tag}>\n${json}\n</${tag}>`;
}

const replacements: [RegExp, string][] = [
  // E-mail addresses, also inside Slack's <mailto:a@b|a@b> links.
  [/<mailto:[^>|]*(?:\|[^>]*)?>/gi, '[email]'],
  [/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu, '[email]'],
  // Slack user, group and channel mentions: <@U0123ABC>, <@U0123ABC|dana>, <!subteam^S012|@it>, <#C012|general>.
  [/<[@!#][^>\s]{1,120}>/g, '[someone]'],
  // Teams mentions: <at>Dana Scully</at>.
  [/<at\b[^>]*>[\s\S]{0,200}?<\/at>/gi, '[someone]'],
  // Teams and Bot Framework ids: 29:1AbC..., 28:..., 8:orgid:...
  [/\b\d{1,2}:(?:orgid:)?[A-Za-z0-9_-]{10,}/g, '[someone]'],
  // Bare Slack ids (U, W, B for users and bots; T for workspaces): capitals with at least one digit.
  [/\b[UWBT](?=[A-Z0-9]*\d)[A-Z0-9]{8,12}\b/g, '[someone]'],
  // Directory object ids (GUIDs).
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '[id]'],
];

/**
 * The text with e-mail addresses, platform user ids and mentions, and anything that looks like a secret
 * replaced by placeholders. Everything user-typed goes through this before it reaches the model.
 */
export function redactForModel(text: string): string {
  let out = stripControl(text);
  for (const [pattern, placeholder] of replacements) out = out.replace(pattern, placeholder);
  return maskSecrets(out).text;
}
